"""Vietnamese text: NFC, whitespace, legacy TCVN3/VNI encodings, tone placement, matching keys.

Every public function takes either one ``str`` or a pandas ``Series`` and returns the same
kind. On a Series the work is done once per DISTINCT string (``map_unique``), so a column of
a million rows with a thousand distinct labels costs a thousand calls; values that are not
strings (NaN, None, numbers) pass through untouched.

This module is the public face of Vietnamese text handling and holds the matching keys and
the salted hash of personal data; the rest lives beside it and is re-exported here:
`normalise` (NFC and whitespace), `legacy` (TCVN3 / VNI detection, conversion, encoders and
the plausibility filter) and `distinct` (`map_unique`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.distinct import _T, _dispatch, map_unique
from satisfaction.io.legacy import (
    _WORD_RE,
    convert_legacy,
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    from_tcvn3,
    from_vni,
    is_plausible_vietnamese,
)
from satisfaction.io.legacy import Encoding as Encoding  # the type of a detected encoding
from satisfaction.io.normalise import _clean_one, _nfc_one, clean_text, nfc, normalise_whitespace

__all__ = [
    "ascii_key",
    "clean_text",
    "convert_legacy",
    "detect_legacy",
    "encode_tcvn3",
    "encode_vni",
    "from_tcvn3",
    "from_vni",
    "is_plausible_vietnamese",
    "map_unique",
    "match_key",
    "nfc",
    "normalise_whitespace",
    "salted_hash",
    "tone_style_key",
]

# --------------------------------------------------------------------------------------
# Matching keys
# --------------------------------------------------------------------------------------

# Old style puts the tone on the first vowel of an open oa / oe / uy (hòa, khỏe, thủy), new
# style on the second (hoà, khoẻ, thuỷ). Nothing else differs, so only these are moved.
_OLD_STYLE_RE = re.compile(
    "([bcdđghklmnpqrstvx]*)([ou])([\u0300\u0301\u0303\u0309\u0323])([aey])", re.IGNORECASE
)


def _new_style_word(match: re.Match[str]) -> str:
    word = match.group()
    if len(word) < 2 or word.isascii():
        return word
    found = _OLD_STYLE_RE.fullmatch(unicodedata.normalize("NFD", word))
    if found is None:
        return word
    onset, first, tone, second = found.groups()
    if (first + second).lower() not in ("oa", "oe", "uy"):
        return word  # "của", "mùa": the tone stays on the first vowel in both styles
    return unicodedata.normalize("NFC", onset + first + second + tone)


def _tone_style_one(s: str) -> str:
    if s.isascii():
        return s
    return _WORD_RE.sub(_new_style_word, _nfc_one(s))


def tone_style_key(value: _T) -> _T:
    """Put tones in one place (the new style: hoà, khoẻ, thuỷ) so both styles compare equal.

    For matching only: display text keeps the writer's style.
    """
    return _dispatch(value, _tone_style_one)


def _match_key_one(s: str) -> str:
    return _tone_style_one(_clean_one(s).lower())


def match_key(value: _T) -> _T:
    """Key for matching labels and names: NFC, trimmed, lowercase, one tone style.

    "Hài lòng", "HÀI LÒNG ", decomposed "Hài lòng" all give "hài lòng"; "Hòa" and "Hoà"
    give "hoà". Diacritics are kept (see `ascii_key` for a key without them).
    """
    return _dispatch(value, _match_key_one)


_NON_ALNUM_RE = re.compile(r"[\W_]+")


def _ascii_key_one(s: str, compact: bool) -> str:
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    key = _NON_ALNUM_RE.sub(" ", bare).strip()
    return key.replace(" ", "") if compact else key


def ascii_key(value: _T, *, compact: bool = False) -> _T:
    """Key without diacritics: đ -> d, lowercase, punctuation and space runs -> one space.

    "Hài Lòng ", "hai long" and "HÀI-LÒNG" all give "hai long"; with ``compact=True`` spaces
    are dropped too ("Ha Noi" and "Hanoi" both give "hanoi").
    """
    return _dispatch(value, lambda s: _ascii_key_one(s, compact))


# --------------------------------------------------------------------------------------
# Personal data
# --------------------------------------------------------------------------------------


def _hash_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number read as 912345678.0 hashes like 912345678
    if isinstance(value, str):
        return _clean_one(value)
    return str(value)


def salted_hash(value: _T, salt: str, *, length: int = 16, key: bytes | None = None) -> _T:
    """Replace personal data by sha256(salt, text) in hex, cut to `length` characters; with
    a secret `key`, by HMAC-SHA256(key, salt, text), which cannot be reversed by hashing
    every possible phone number (cleaning always passes the project's key,
    `satisfaction.io.secret.secret_key`).

    Text is cleaned first so " 0912 345 " and "0912 345" agree; missing values stay missing
    (hashing them would make every blank look like one person). The same salt and key give
    the same hash, so records can still be linked across files of one project.
    """
    if not isinstance(salt, str) or not salt:
        raise ParameterError("salt must be a non-empty string")
    if not 1 <= length <= 64:
        raise ParameterError(f"length must be between 1 and 64, got {length!r}")
    prefix = salt.encode("utf-8") + b"\x1f"

    def digest(item: object) -> str:
        text = _hash_text(item).encode("utf-8")
        if key is not None:
            return hmac.new(key, prefix + text, hashlib.sha256).hexdigest()[:length]
        return hashlib.sha256(prefix + text).hexdigest()[:length]

    if isinstance(value, pd.Series):
        codes, uniques = pd.factorize(value, use_na_sentinel=True)
        hashes = np.array([digest(u) for u in np.asarray(uniques, dtype=object)], dtype=object)
        out = np.full(len(value), None, dtype=object)
        present = codes >= 0
        out[present] = hashes[codes[present]]
        return pd.Series(out, index=value.index, name=value.name, dtype="string")
    if isinstance(value, str):
        return digest(value)
    raise ParameterError(f"salted_hash takes a str or a Series, got {type(value).__name__}")
