"""Tests of satisfaction.io.normalise and .distinct: NFC, whitespace, once per distinct value."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction.io.distinct import map_unique
from satisfaction.io.normalise import clean_text, nfc, normalise_whitespace


def test_nfc_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Hài lòng")
    assert len(decomposed) == 10 and len(nfc(decomposed)) == 8
    assert nfc(decomposed) == "Hài lòng"


def test_normalise_whitespace_collapses_every_kind_of_space():
    assert normalise_whitespace("  Hài\u00a0\u00a0lòng\t\n rất\u200b ") == "Hài lòng rất"
    assert normalise_whitespace("\ufeffabc") == "abc"


def test_clean_text_is_nfc_plus_whitespace():
    assert clean_text(" " + unicodedata.normalize("NFD", "Rất  hài lòng") + "\n") == (
        "Rất hài lòng"
    )


def test_series_functions_keep_missing_values_and_non_strings():
    series = pd.Series([" a ", None, 3, np.nan, "b  c"], name="q1", index=[5, 6, 7, 8, 9])
    out = clean_text(series)
    assert out.name == "q1" and list(out.index) == [5, 6, 7, 8, 9]
    assert out[5] == "a" and out[6] is None and out[7] == 3 and np.isnan(out[8])
    assert out[9] == "b c"


def test_map_unique_calls_the_function_once_per_distinct_value():
    calls: list[str] = []

    def shout(s: str) -> str:
        calls.append(s)
        return s.upper()

    out = map_unique(pd.Series(["x", "y", "x", "x", None]), shout)
    assert sorted(calls) == ["x", "y"]
    assert out.tolist()[:4] == ["X", "Y", "X", "X"]


def test_map_unique_keeps_string_dtype_and_categories():
    text = pd.Series([" a", "b "], dtype="string")
    assert clean_text(text).dtype == text.dtype
    assert clean_text(text).tolist() == ["a", "b"]
    cat = pd.Series([" a", "a", "b"], dtype="category")
    out = clean_text(cat)
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert out.tolist() == ["a", "a", "b"]


TRICKY = [
    "plain",
    "",
    " lead",
    "trail ",
    "in  side",
    "tab\there",
    "nbsp\u00a0here",
    "zero\u200bwidth",
    "\ufeffbom",
    "line\nbreak",
    "\x1cfile-separator",
    unicodedata.normalize("NFD", "Người dân"),
    "Ohm \u2126",
    "Hangul \u1100\u1161",
    "Việt Nam",
    "ViÖt Nam",
]


@pytest.mark.parametrize("func", [clean_text, normalise_whitespace, nfc])
def test_arrow_prefilter_gives_the_same_result_as_plain_python(func):
    expected = [func(s) for s in TRICKY]
    for dtype in ("string[pyarrow]", object):
        out = func(pd.Series([*TRICKY, None], dtype=dtype))
        assert out.iloc[:-1].tolist() == expected, dtype
        assert pd.isna(out.iloc[-1])
    assert clean_text("Ohm \u2126") == "Ohm \u03a9" and clean_text("\x1cfile") == "file"


def test_prefilter_tables_match_this_python():
    from satisfaction.io import normalise

    def expand(ranges):
        return {cp for a, b in ranges for cp in range(a, b + 1)}

    assert expand(normalise._SPACES) == {cp for cp in range(0x110000) if chr(cp).isspace()}
    unstable = {
        cp
        for cp in range(0x80, 0x110000)
        if not unicodedata.category(chr(cp)).startswith("M")
        and not unicodedata.is_normalized("NFC", chr(cp))
    }
    hangul_vowels_and_finals = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    assert expand(normalise._NFC_UNSTABLE) == unstable | hangul_vowels_and_finals
