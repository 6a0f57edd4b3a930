"""NFC and whitespace: what every string gets at ingest (`nfc`, `normalise_whitespace`,
`clean_text`), with the Arrow pre-checks that let a clean column skip the Python calls.

The tables of what Python calls whitespace and of the code points NFC changes are checked
against this Python's `unicodedata` in the tests.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from satisfaction.io.distinct import _T, _dispatch

__all__ = ["clean_text", "nfc", "normalise_whitespace"]


def _ranges(spec: str) -> tuple[tuple[int, int], ...]:
    """ "9-D 1C-20 85" -> ((0x9, 0xD), (0x1C, 0x20), (0x85, 0x85))."""
    pairs = (part.split("-") for part in spec.split())
    return tuple((int(p[0], 16), int(p[-1], 16)) for p in pairs)


def _re2_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


# What str.isspace() calls whitespace (so what str.split() splits on); checked in the tests.
_SPACES = _ranges("9-D 1C-20 85 A0 1680 2000-200A 2028-2029 202F 205F 3000")
_ZERO_WIDTH = _ranges("200B FEFF")
# Code points other than combining marks that NFC changes or composes (NFC_Quick_Check No
# or Maybe), for Python's Unicode 14.0 tables; the tests recompute it from unicodedata.
_NFC_UNSTABLE = _ranges(
    "374 37E 387 958-95F 9DC-9DD 9DF A33 A36 A59-A5B A5E B5C-B5D F43 F4D F52 F57 F5C F69 "
    "1161-1175 11A8-11C2 1F71 1F73 1F75 1F77 1F79 1F7B 1F7D 1FBB 1FBE 1FC9 1FCB 1FD3 1FDB "
    "1FE3 1FEB 1FEE-1FEF 1FF9 1FFB 1FFD 2000-2001 2126 212A-212B 2329-232A 2ADC F900-FA0D "
    "FA10 FA12 FA15-FA1E FA20 FA22 FA25-FA26 FA2A-FA6D FA70-FAD9 FB1D FB1F FB2A-FB36 "
    "FB38-FB3C FB3E FB40-FB41 FB43-FB44 FB46-FB4E 1D15E-1D164 1D1BB-1D1C0 2F800-2FA1D"
)
_SPACE_RE2 = _re2_class(_SPACES)
_ODD_SPACE_RE2 = _re2_class([r for r in _SPACES if r != (0x1C, 0x20)] + [(0x1C, 0x1F)])
_NEEDS_CLEANING_RE2 = (
    f"^[{_SPACE_RE2}]|[{_SPACE_RE2}]$|[{_SPACE_RE2}]{{2}}"
    f"|[{_ODD_SPACE_RE2}{_re2_class(_ZERO_WIDTH)}]"
    f"|[\\p{{M}}{_re2_class(_NFC_UNSTABLE)}]"
)


def _may_need_cleaning(array: Any) -> Any:
    """Arrow mask of rows `clean_text` may change: a vectorised pre-check, so a clean column
    of a million distinct values costs one regex scan instead of a million Python calls."""
    import pyarrow.compute as pc

    return pc.match_substring_regex(array, pattern=_NEEDS_CLEANING_RE2)


def _not_ascii(array: Any) -> Any:
    import pyarrow.compute as pc

    return pc.invert(pc.string_is_ascii(array))


def _nfc_one(s: str) -> str:
    if s.isascii() or unicodedata.is_normalized("NFC", s):
        return s
    return unicodedata.normalize("NFC", s)


def _whitespace_one(s: str) -> str:
    if "\u200b" in s or "\ufeff" in s:  # zero-width space, byte-order mark
        s = s.replace("\u200b", "").replace("\ufeff", "")
    # str.split() with no argument splits on every Unicode space: tabs, newlines, NBSP ...
    return " ".join(s.split())


def _clean_one(s: str) -> str:
    return _whitespace_one(_nfc_one(s))


def nfc(value: _T) -> _T:
    """Unicode NFC: decomposed input (Macs, some keyboards) composed into single letters."""
    return _dispatch(value, _nfc_one, _not_ascii)


def normalise_whitespace(value: _T) -> _T:
    """Trim, and collapse inner runs of any whitespace (tab, newline, NBSP) to one space.

    Zero-width spaces and byte-order marks are dropped too: they arrive from web forms.
    """
    return _dispatch(value, _whitespace_one, _may_need_cleaning)


def clean_text(value: _T) -> _T:
    """NFC plus whitespace normalisation: what every string gets at ingest."""
    return _dispatch(value, _clean_one, _may_need_cleaning)
