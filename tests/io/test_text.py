"""Tests of satisfaction.io.text: tone style, matching keys, salted hashes, the re-exports."""

from __future__ import annotations

import hashlib
import unicodedata

import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.io import text
from satisfaction.io.text import ascii_key, match_key, salted_hash, tone_style_key


@pytest.mark.parametrize(
    ("old", "new"),
    [("hòa", "hoà"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("Hóa", "Hoá"), ("HÒA", "HOÀ"),
     ("xòe", "xoè"), ("lũy", "luỹ")],
)  # fmt: skip
def test_tone_style_key_moves_old_style_tones(old, new):
    assert tone_style_key(old) == new
    assert tone_style_key(new) == new


def test_tone_style_key_leaves_other_syllables_alone():
    for word in ["hoàng", "ngoài", "quý", "thuế", "khuya", "của", "mùa", "hoạch", "toán"]:
        assert tone_style_key(word) == word
    assert tone_style_key("Khánh Hòa, Thanh Hóa") == "Khánh Hoà, Thanh Hoá"


def test_match_key_meets_across_forms():
    forms = ["Hài lòng", "HÀI LÒNG ", " hài  lòng", unicodedata.normalize("NFD", "Hài Lòng")]
    assert {match_key(f) for f in forms} == {"hài lòng"}
    tone_forms = ["Hòa Bình", "Hoà Bình", unicodedata.normalize("NFD", "HÒA BÌNH")]
    assert {match_key(f) for f in tone_forms} == {"hoà bình"}
    assert match_key("Hài lòng") != match_key("Hai long")


def test_ascii_key_strips_diacritics_and_punctuation():
    forms = [
        "Hài Lòng ",
        "hai long",
        "HÀI LÒNG",
        "Hài-Lòng",
        unicodedata.normalize("NFD", "hài lòng"),
    ]
    assert {ascii_key(f) for f in forms} == {"hai long"}
    assert ascii_key("Đất đai") == "dat dai"
    assert ascii_key("Bà Rịa - Vũng Tàu", compact=True) == "bariavungtau"
    assert ascii_key(pd.Series(["Hà Nội", None])).tolist()[0] == "ha noi"


# --------------------------------------------------------------------------------------
# personal data
# --------------------------------------------------------------------------------------


def test_salted_hash_values():
    expected = hashlib.sha256(b"pepper\x1f0912345678").hexdigest()[:16]
    assert salted_hash("0912345678", "pepper") == expected
    assert salted_hash(" 0912345678 ", "pepper") == expected
    assert salted_hash("0912345678", "salt") != expected
    out = salted_hash(pd.Series(["0912345678", None, 912345678.0, "0912345678"]), "pepper")
    assert out[0] == expected and out[3] == expected and len(out[0]) == 16
    assert pd.isna(out[1])
    assert out[2] == hashlib.sha256(b"pepper\x1f912345678").hexdigest()[:16]
    with pytest.raises(ParameterError):
        salted_hash("x", "")


def test_text_still_offers_every_text_function():
    """Callers use `text.convert_legacy`, `text.clean_text`...: the moved ones stay here."""
    from satisfaction.io import distinct, legacy, normalise

    assert sorted(text.__all__) == [
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
    for module in (distinct, legacy, normalise):
        for name in module.__all__:
            if name in text.__all__:
                assert getattr(text, name) is getattr(module, name), name
