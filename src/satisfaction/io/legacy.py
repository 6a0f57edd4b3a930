"""Legacy Vietnamese encodings: TCVN3 and VNI text seen through a Latin-1 view, detected per
column and converted to Unicode; the encoders that write them back (for tests and demos).

Older government spreadsheets hold text typed in 8-bit Vietnamese fonts. Read through a
Latin-1/cp1252 view they look like this (both views agree on every byte these tables use):

* TCVN3 (TCVN 5712:1993, table VN3; "ABC" fonts such as .VnTime): one byte per letter,
  ``"Việt Nam"`` shows as ``"ViÖt Nam"``.  VN3 has codes for the lowercase letters and for
  the seven uppercase letters Ă Â Ê Ô Ơ Ư Đ only. Uppercase toned letters were drawn with the
  capital fonts (.VnTimeH) using the LOWERCASE codes, and the font is lost in a spreadsheet,
  so a lone capital like "Ở" comes back lowercase. A word whose other letters are all
  capitals (two or more) is upper-cased whole, which restores ALL-CAPS headings.
  The VN1 extension (uppercase toned letters in 0x80-0x9F and C0 control codes) is not
  decoded: its bytes clash with control characters and cp1252 punctuation.
* VNI (VNI-Windows; fonts such as VNI-Times): a base letter followed by a mark byte,
  ``"Việt Nam"`` shows as ``"Vieät Nam"``; ơ, ư, đ and the toned i's are single bytes.
  VNI has full uppercase: mark bytes have capital forms ("VIEÄT NAM").

The tables were checked against two independent public tables (the xvnkb keyboard's
``tcvn.h``/``vni.h`` by Dao Hai Lam and a C# TCVN3 converter) and are tested round trip
with the encoders ``encode_tcvn3`` / ``encode_vni``.

Safety: text that is already Unicode Vietnamese (a letter outside Latin-1 such as ư ơ đ ă
ĩ ũ or anything in U+1EA0-U+1EF9, or a combining mark from NFD input) is never converted,
and plain ASCII is never touched. A string is converted only when it holds no byte the
encoding never writes (TCVN3 has no code for "à"; a VNI mark byte must follow a vowel) and
its decoding is plausible Vietnamese (known letters, one tone per syllable, valid syllable
shape) while the string itself is not; strings that read as Vietnamese both ways ("Hé" is
Unicode "Hé" or TCVN3 "Hộ") are converted only in a column holding no Unicode-only letters.
The Vietnamese alphabet and syllable shape here (`is_plausible_vietnamese`) are the filter
that decides whether a decoding is right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, Literal

import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.distinct import _T, _dispatch, _factorize, _is_arrow_string
from satisfaction.io.normalise import _clean_one, _may_need_cleaning, _not_ascii, _re2_class

__all__ = [
    "Encoding",
    "convert_legacy",
    "detect_legacy",
    "encode_tcvn3",
    "encode_vni",
    "from_tcvn3",
    "from_vni",
    "is_plausible_vietnamese",
]

Encoding = Literal["tcvn3", "vni"]

# --------------------------------------------------------------------------------------
# Vietnamese alphabet
# --------------------------------------------------------------------------------------

# Combining tone marks, in the order the legacy tables below list them.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONES = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)
_TONE_SET = frozenset(_TONES)
_VOWELS = "aăâeêioôơuưy"


def _toned(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


_VN_LOWER = frozenset(
    set(_VOWELS) | {_toned(v, t) for v in _VOWELS for t in _TONES} | set("bcdđfghjklmnpqrstvwxz")
)
_VN_LETTERS = frozenset(_VN_LOWER | {c.upper() for c in _VN_LOWER})
# Letters that only Unicode can hold: their presence proves a string is not a legacy view.
_UNICODE_ONLY = "".join(sorted(c for c in _VN_LETTERS if ord(c) > 0xFF))
_DEFINITE_UNICODE_RE = re.compile(f"[{_UNICODE_ONLY}\u0300-\u036f]")
_NON_VIETNAMESE_RE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0"
    + "".join(sorted(c for c in _VN_LETTERS if not c.isascii()))
    + "\u2000-\u206f]"
)
_WORD_RE = re.compile(r"[^\W\d_]+")

# Syllable shape on tone-less lowercase text: onset, vowel nucleus (with glides), final.
_NUCLEI = (
    "iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE_RE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    f"(?:{'|'.join(_NUCLEI)})"
    "(?:ch|ng|nh|[ckmnpt])?"  # k: minority place names (Đắk Lắk)
)


def _strip_tones(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_SET))


def is_plausible_vietnamese(s: str) -> bool:
    """True if `s` reads as Vietnamese (or ASCII): known letters only, and every word with a
    Vietnamese letter is one well-formed syllable with at most one tone and sane casing.

    Used to decide whether a legacy decoding is right; it is a filter, not a spell checker.
    """
    if _NON_VIETNAMESE_RE.search(s):
        return False
    for match in _WORD_RE.finditer(s):
        word = match.group()
        if word.isascii():
            continue
        if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
            return False
        lower = word.lower()
        if sum(c in _TONE_SET for c in unicodedata.normalize("NFD", lower)) > 1:
            return False
        if not _SYLLABLE_RE.fullmatch(_strip_tones(lower)):
            return False
    return True


def _is_definite_unicode(s: str) -> bool:
    return _DEFINITE_UNICODE_RE.search(s) is not None


# --------------------------------------------------------------------------------------
# Arrow pre-checks: only non-ASCII text without Unicode-only letters can be legacy
# --------------------------------------------------------------------------------------


_DEFINITE_UNICODE_RE2 = (
    f"[{_re2_class((ord(c), ord(c)) for c in _UNICODE_ONLY)}\\x{{300}}-\\x{{36f}}]"
)


def _legacy_candidates(array: Any) -> Any:
    import pyarrow.compute as pc

    unicode_only = pc.match_substring_regex(array, pattern=_DEFINITE_UNICODE_RE2)
    return pc.and_not(_not_ascii(array), unicode_only)


def _legacy_or_cleaning(array: Any) -> Any:
    import pyarrow.compute as pc

    return pc.or_(_may_need_cleaning(array), _legacy_candidates(array))


def _any_definite_unicode(series: pd.Series) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.chunked_array(series.array.__arrow_array__())
    return bool(pc.any(pc.match_substring_regex(array, pattern=_DEFINITE_UNICODE_RE2)).as_py())


# --------------------------------------------------------------------------------------
# TCVN3 (VN3)
# --------------------------------------------------------------------------------------

# base letter: (code of the bare letter, then with grave, acute, hook, tilde, dot below).
# None means the bare letter is ASCII.
_TCVN3_ROWS: dict[str, tuple[int | None, int, int, int, int, int]] = {
    "a": (None, 0xB5, 0xB8, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBB, 0xBE, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xC7, 0xCA, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xCC, 0xD0, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD2, 0xD5, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xD7, 0xDD, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xDF, 0xE3, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE5, 0xE8, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xEA, 0xED, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xEF, 0xF3, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF5, 0xF8, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFA, 0xFD, 0xFB, 0xFC, 0xFE),
}
_TCVN3_SINGLES = {"đ": 0xAE, "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6,
                  "Đ": 0xA7}  # fmt: skip


def _build_tcvn3() -> tuple[dict[str, str], dict[int, str]]:
    encode: dict[str, str] = {}
    for base, (bare, *toned) in _TCVN3_ROWS.items():
        if bare is not None:
            encode[base] = chr(bare)
        for tone, code in zip(_TONES, toned, strict=True):
            encode[_toned(base, tone)] = chr(code)
    encode.update({letter: chr(code) for letter, code in _TCVN3_SINGLES.items()})
    decode = {ord(byte): letter for letter, byte in encode.items()}
    # VN3 has no uppercase toned letters: write them with the lowercase code (.VnTimeH use).
    for letter in list(encode):
        upper = letter.upper()
        if upper != letter and upper not in encode and not upper.isascii():
            encode[upper] = encode[letter]
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3()
_TCVN3_ENCODE_TABLE = str.maketrans(_TCVN3_ENCODE)


def _restore_caps(match: re.Match[str]) -> str:
    word = match.group()
    if any(c.islower() and c.isascii() for c in word):
        return word
    if sum(c.isupper() for c in word) < 2:
        return word
    return word.upper()


def _from_tcvn3_one(s: str) -> str:
    decoded = s.translate(_TCVN3_DECODE)
    if decoded == s:
        return s
    return _WORD_RE.sub(_restore_caps, decoded)


def from_tcvn3(value: _T) -> _T:
    """Decode TCVN3 (VN3) text seen through a Latin-1/cp1252 view: "ViÖt Nam" -> "Việt Nam".

    A raw transform: it does not check that the input really is TCVN3 (see
    `convert_legacy` for the safe, column-level conversion).
    """
    return _dispatch(value, _from_tcvn3_one)


def encode_tcvn3(s: str) -> bytes:
    """Encode Unicode text to TCVN3 (VN3) bytes; view them with ``.decode("cp1252")``.

    Uppercase toned letters, which VN3 lacks, get the lowercase code (as .VnTimeH users
    typed them); characters outside Vietnamese and Latin-1 become "?".
    """
    return (
        unicodedata.normalize("NFC", s)
        .translate(_TCVN3_ENCODE_TABLE)
        .encode("latin-1", errors="replace")
    )


# --------------------------------------------------------------------------------------
# VNI (VNI-Windows)
# --------------------------------------------------------------------------------------

_VNI_TONE = ("ø", "ù", "û", "õ", "ï")  # grave, acute, hook, tilde, dot
_VNI_CIRCUMFLEX = ("â", "à", "á", "å", "ã", "ä")  # bare, then with the tones above
_VNI_BREVE = ("ê", "è", "é", "ú", "ü", "ë")
_VNI_I = ("ì", "í", "æ", "ó", "ò")  # ì í ỉ ĩ ị are single bytes


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    lower: dict[str, str] = {}
    for base, code in (("a", "a"), ("e", "e"), ("o", "o"), ("u", "u"), ("y", "y"),
                       ("ơ", "ô"), ("ư", "ö")):  # fmt: skip
        lower[base] = code
        for tone, mark in zip(_TONES, _VNI_TONE, strict=True):
            lower[_toned(base, tone)] = code + mark
    for base, code in (("â", "a"), ("ê", "e"), ("ô", "o")):
        lower[base] = code + _VNI_CIRCUMFLEX[0]
        for tone, mark in zip(_TONES, _VNI_CIRCUMFLEX[1:], strict=True):
            lower[_toned(base, tone)] = code + mark
    lower["ă"] = "a" + _VNI_BREVE[0]
    for tone, mark in zip(_TONES, _VNI_BREVE[1:], strict=True):
        lower[_toned("ă", tone)] = "a" + mark
    for tone, code in zip(_TONES, _VNI_I, strict=True):
        lower[_toned("i", tone)] = code
    lower["ỵ"] = "î"
    lower["đ"] = "ñ"
    lower = {k: v for k, v in lower.items() if k != v}  # plain a e o u y stay as they are
    encode = dict(lower)
    encode.update({k.upper(): v.upper() for k, v in lower.items()})
    # Strict: a capital letter takes the capital mark ("UÛy" is "Ủy"); accepting mixed case
    # would read TCVN3 "HuÕ" (Huế) as VNI "Hũ".
    decode = {v: k for k, v in encode.items()}
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _build_vni()
_VNI_ENCODE_TABLE = str.maketrans(_VNI_ENCODE)
_VNI_DECODE_RE = re.compile(
    "|".join(re.escape(seq) for seq in sorted(_VNI_DECODE, key=len, reverse=True))
)


def _from_vni_one(s: str) -> str:
    if s.isascii():
        return s
    return _VNI_DECODE_RE.sub(lambda m: _VNI_DECODE[m.group()], s)


def from_vni(value: _T) -> _T:
    """Decode VNI-Windows text seen through a Latin-1/cp1252 view: "Vieät Nam" -> "Việt Nam".

    A raw transform: it does not check that the input really is VNI.
    """
    return _dispatch(value, _from_vni_one)


def encode_vni(s: str) -> bytes:
    """Encode Unicode text to VNI-Windows bytes; view them with ``.decode("cp1252")``."""
    return (
        unicodedata.normalize("NFC", s)
        .translate(_VNI_ENCODE_TABLE)
        .encode("latin-1", errors="replace")
    )


_DECODERS: dict[str, Callable[[str], str]] = {"tcvn3": _from_tcvn3_one, "vni": _from_vni_one}
_TCVN3_CODES_RE = re.compile("[" + re.escape("".join(chr(c) for c in _TCVN3_DECODE)) + "]")
_HIGH_LATIN1_RE = re.compile("[\x80-\x9f\xa1-\xff]")
# í ì Í Ì are the same in VNI and Unicode, so the decoder leaves them alone.
_VNI_CODES_RE = re.compile(_VNI_DECODE_RE.pattern + "|[íìÍÌ]")
_CODE_RES = {"tcvn3": _TCVN3_CODES_RE, "vni": _VNI_CODES_RE}


def _fits(encoding: str, s: str) -> bool:
    """False if `s` holds Latin-1 bytes the encoding never produces, or a VNI mark byte
    with no base letter before it: such a string was not written in that encoding."""
    return _HIGH_LATIN1_RE.search(_CODE_RES[encoding].sub("", s)) is None


# --------------------------------------------------------------------------------------
# Column-level detection and conversion
# --------------------------------------------------------------------------------------


def _distinct_strings(values: Iterable[object]) -> list[str]:
    if isinstance(values, pd.Series):
        values = pd.unique(values.dropna())
    return list(dict.fromkeys(v for v in values if isinstance(v, str)))


def _is_candidate(s: str) -> bool:
    return not s.isascii() and not _is_definite_unicode(s)


def _is_hit(s: str, encoding: str) -> bool:
    if not _fits(encoding, s):
        return False
    decoded = _DECODERS[encoding](s)
    return decoded != s and not is_plausible_vietnamese(s) and is_plausible_vietnamese(decoded)


def detect_legacy(
    values: Iterable[object], *, min_share: float = 0.5, max_sample: int = 5000
) -> Encoding | None:
    """Which legacy encoding a column is in: "tcvn3", "vni" or None.

    Looks at distinct strings that are neither ASCII nor Unicode-only Vietnamese (at most
    `max_sample` of them, evenly spaced). A string votes for an encoding when it uses only
    bytes that encoding writes, is not plausible Vietnamese as it stands, and its decoding
    is. The encoding with more votes wins
    if its votes reach `min_share` of the strings looked at; a tie gives None.
    """
    if not 0 < min_share <= 1:
        raise ParameterError(f"min_share must be in (0, 1], got {min_share!r}")
    candidates = [s for s in _distinct_strings(values) if _is_candidate(s)]
    if not candidates:
        return None
    if len(candidates) > max_sample:
        step = len(candidates) / max_sample
        candidates = [candidates[int(i * step)] for i in range(max_sample)]
    votes = {name: sum(_is_hit(s, name) for s in candidates) for name in _DECODERS}
    (best, best_votes), (_, other_votes) = sorted(votes.items(), key=lambda kv: -kv[1])
    if best_votes == other_votes or best_votes < min_share * len(candidates):
        return None
    return best  # type: ignore[return-value]


def convert_legacy(
    series: pd.Series,
    *,
    encoding: Literal["auto", "tcvn3", "vni"] = "auto",
    min_share: float = 0.5,
    clean: bool = False,
) -> tuple[pd.Series, Encoding | None, int]:
    """Convert a TCVN3 or VNI column to Unicode; returns (series, encoding, rows converted).

    With ``encoding="auto"`` the encoding comes from `detect_legacy`; None means nothing was
    converted. Unicode-only text and ASCII are never touched. With an encoding named by the
    caller, every other string whose decoding differs is converted; with auto-detection only
    strings that fit the encoding and whose decoding is plausible Vietnamese, and strings
    that read as Vietnamese either way only if the column holds no Unicode-only text.
    ``clean=True`` also applies `clean_text` in the same pass over the distinct values
    (one factorisation instead of two); the count stays the rows converted from legacy.
    """
    if encoding not in ("auto", "tcvn3", "vni"):
        raise ParameterError(f"encoding must be 'auto', 'tcvn3' or 'vni', got {encoding!r}")
    if not 0 < min_share <= 1:
        raise ParameterError(f"min_share must be in (0, 1], got {min_share!r}")
    # Only non-ASCII text without Unicode-only letters can be legacy; on Arrow columns the
    # other rows are skipped in one vectorised scan (unless they are to be cleaned).
    uniques, rebuild = _factorize(series, _legacy_or_cleaning if clean else _legacy_candidates)
    distinct = [u for u in uniques if isinstance(u, str)]
    chosen: Encoding | None
    chosen = detect_legacy(distinct, min_share=min_share) if encoding == "auto" else encoding
    replacements: dict[str, str] = {}
    if chosen is not None:
        if _is_arrow_string(series):
            column_has_unicode = _any_definite_unicode(series)
        else:
            column_has_unicode = any(_is_definite_unicode(s) for s in distinct)
        replacements = _legacy_replacements(
            distinct, chosen, declared=encoding != "auto", column_has_unicode=column_has_unicode
        )
    if not replacements and not clean:
        return series.copy(), chosen, 0
    finish = _clean_one if clean else (lambda s: s)
    new = [finish(replacements.get(u, u)) if isinstance(u, str) else u for u in uniques]
    counted = [isinstance(u, str) and u in replacements for u in uniques]
    converted, n_converted = rebuild(new, counted)
    return converted, chosen, n_converted


def _legacy_replacements(
    distinct: list[str], encoding: Encoding, *, declared: bool, column_has_unicode: bool
) -> dict[str, str]:
    decoder = _DECODERS[encoding]
    replacements: dict[str, str] = {}
    for s in distinct:
        if not _is_candidate(s):
            continue
        decoded = decoder(s)
        if decoded == s:
            continue
        if not declared:
            if not _fits(encoding, s) or not is_plausible_vietnamese(decoded):
                continue
            if column_has_unicode and is_plausible_vietnamese(s):
                continue
        replacements[s] = decoded
    return replacements
