"""Tests of satisfaction.io.legacy: TCVN3 and VNI decoding, encoders, detection, conversion."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.io.geography import HISTORICAL_63
from satisfaction.io.legacy import (
    convert_legacy,
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    from_tcvn3,
    from_vni,
    is_plausible_vietnamese,
)

SCALE = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
FIELDS = ["Đất đai", "Bảo hiểm y tế", "Công chứng", "Hộ tịch", "Xây dựng"]
SENTENCES = [
    "Việt Nam",
    "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo",
    "Thủ tục hành chính được niêm yết công khai, đầy đủ",
    "ủy ban nhân dân xã",
    "người dân, doanh nghiệp",
    "khuỷu tay, quyết định, giữa, rượu, khuya, ngoặt",
]
WORDS = SCALE + FIELDS + list(HISTORICAL_63) + SENTENCES


def cp1252_view(data: bytes) -> str:
    return data.decode("cp1252")


def test_tcvn3_known_sample():
    assert from_tcvn3("ViÖt Nam") == "Việt Nam"
    assert from_tcvn3("Ninh B×nh") == "Ninh Bình"
    assert from_tcvn3("B¶o Th¾ng") == "Bảo Thắng"
    assert from_tcvn3("§Êt ®ai") == "Đất đai"


def test_vni_known_sample():
    assert from_vni("Vieät Nam") == "Việt Nam"
    assert from_vni("Xin chaøo caùc baïn") == "Xin chào các bạn"
    assert from_vni("VIEÄT NAM") == "VIỆT NAM"
    assert from_vni("Ñaát ñai") == "Đất đai"


def test_encoders_give_the_documented_bytes():
    assert encode_tcvn3("Việt Nam") == b"Vi\xd6t Nam"
    assert encode_vni("Việt Nam") == b"Vie\xe4t Nam"
    assert encode_tcvn3("ư") == b"\xad" and encode_tcvn3("Đ") == b"\xa7"
    assert encode_vni("ơ ư đ Đ ỵ") == b"\xf4 \xf6 \xf1 \xd1 \xee"


NON_ASCII_WORDS = [w for w in WORDS if not w.isascii()]


@pytest.mark.parametrize("word", NON_ASCII_WORDS)
def test_tcvn3_round_trip(word):
    view = cp1252_view(encode_tcvn3(word))
    assert view != word
    assert detect_legacy([view]) == "tcvn3"
    assert from_tcvn3(view) == word
    converted, encoding, n_changed = convert_legacy(pd.Series([view, view]))
    assert (converted.tolist(), encoding, n_changed) == ([word, word], "tcvn3", 2)


@pytest.mark.parametrize("word", NON_ASCII_WORDS)
def test_vni_round_trip(word):
    view = cp1252_view(encode_vni(word))
    assert from_vni(view) == word
    converted, encoding, n_changed = convert_legacy(pd.Series([view]), encoding="vni")
    # í and ì are the same in VNI and Unicode: "Ninh Bình" needs no change
    expected_changes = 0 if view == word else 1
    assert (converted.tolist(), encoding, n_changed) == ([word], "vni", expected_changes)


def test_ascii_words_are_their_own_legacy_encoding():
    for word in ["Kon Tum", "Gia Lai", "Long An", "An Giang"]:
        assert encode_tcvn3(word) == encode_vni(word) == word.encode("ascii")
    assert encode_vni("Ninh Bình") == "Ninh Bình".encode("latin-1")


def test_vni_detection_on_whole_columns():
    for words in (SCALE, FIELDS, list(HISTORICAL_63), SENTENCES):
        views = [cp1252_view(encode_vni(w)) for w in words]
        assert detect_legacy(views) == "vni"
        assert convert_legacy(pd.Series(views))[0].tolist() == words
    # "Hộ tịch" alone is ambiguous ("Hoä tòch" is also TCVN3 for "Họ tũch"): no decision
    assert detect_legacy(["Hoä tòch"]) is None


def test_every_vietnamese_letter_round_trips_in_vni():
    letters = sorted(c for c in map(chr, range(0x20, 0x1EFA)) if _is_vietnamese_letter(c))
    text = "".join(letters)
    assert len(letters) == 2 * (12 * 6 + 1)  # 12 vowels x 6 tones, plus đ, both cases
    assert from_vni(cp1252_view(encode_vni(text))) == text


def test_every_lowercase_letter_round_trips_in_tcvn3_and_capitals_follow_the_standard():
    lower = "".join(sorted(c for c in map(chr, range(0x20, 0x1EFA)) if _is_vietnamese_letter(c)
                           and c.islower()))  # fmt: skip
    assert from_tcvn3(cp1252_view(encode_tcvn3(lower))) == lower
    # VN3 defines exactly seven capitals of its own
    assert from_tcvn3("¡¢£¤¥¦§") == "ĂÂÊÔƠƯĐ"
    # capitals with a tone have no code: written with the lowercase code, read back lowercase
    assert encode_tcvn3("Ở") == encode_tcvn3("ở") == b"\xeb"
    assert from_tcvn3(cp1252_view(encode_tcvn3("Ở đâu"))) == "ở đâu"
    # ... unless the rest of the word is in capitals (.VnTimeH headings)
    assert from_tcvn3(cp1252_view(encode_tcvn3("RẤT HÀI LÒNG"))) == "RẤT HÀI LÒNG"
    assert from_tcvn3(cp1252_view(encode_tcvn3("BẢNG TỔNG HỢP"))) == "BẢNG TỔNG HỢP"


def _is_vietnamese_letter(c: str) -> bool:
    base = unicodedata.normalize("NFD", c)[0].lower()
    if c in "đĐ":
        return True
    if base not in "aeiouy":
        return False
    marks = unicodedata.normalize("NFD", c)[1:]
    allowed_quality = {"": "aeiouy", "\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}
    quality = "".join(m for m in marks if m in "\u0302\u0306\u031b")
    tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
    other = [m for m in marks if m not in "\u0302\u0306\u031b\u0300\u0301\u0303\u0309\u0323"]
    return not other and len(tones) <= 1 and base in allowed_quality.get(quality, "")


def test_unicode_and_ascii_columns_are_returned_unchanged():
    unicode_column = pd.Series(SCALE + FIELDS + ["Có", "Không", "hoà", "cô"] * 2)
    out, encoding, n_changed = convert_legacy(unicode_column)
    assert encoding is None and n_changed == 0
    assert out.tolist() == unicode_column.tolist()
    ascii_column = pd.Series(["abc", "Hai long", "99", None])
    out, encoding, n_changed = convert_legacy(ascii_column)
    assert (encoding, n_changed) == (None, 0)
    assert out.tolist()[:3] == ["abc", "Hai long", "99"]


def test_unicode_text_is_never_converted_even_in_a_legacy_column():
    views = [cp1252_view(encode_tcvn3(w)) for w in SCALE]
    mixed = pd.Series([*views, "Bình thường", "Hài lòng", "Có", "plain"])
    out, encoding, n_changed = convert_legacy(mixed)
    assert encoding == "tcvn3" and n_changed == 5
    # Unicode-only letters (ư), Unicode text whose TCVN3 reading is not Vietnamese (Hài
    # lòng: "à" has no VN3 code) and text that reads both ways (Có) are all kept
    assert out.tolist() == [*SCALE, "Bình thường", "Hài lòng", "Có", "plain"]
    # declared encoding: still never touches Unicode-only text or ASCII
    out, _, _ = convert_legacy(pd.Series(["Bình thường", "abc", "ViÖt"]), encoding="tcvn3")
    assert out.tolist() == ["Bình thường", "abc", "Việt"]


def test_nfd_text_counts_as_unicode():
    nfd = unicodedata.normalize("NFD", "Hài lòng")
    out, encoding, n_changed = convert_legacy(pd.Series([nfd, "Kh«ng"]), encoding="tcvn3")
    assert encoding == "tcvn3"
    assert out.tolist() == [nfd, "Không"] and n_changed == 1


def test_ambiguous_strings_follow_the_column():
    # "Hé" is Unicode "hé" or TCVN3 "Hộ"; in a column with no Unicode-only text it is TCVN3
    pure = pd.Series(["Hé", "C«ng chøng", "§Êt ®ai"])
    assert convert_legacy(pure)[0].tolist() == ["Hộ", "Công chứng", "Đất đai"]
    mixed = pd.Series(["Hé", "C«ng chøng", "§Êt ®ai", "Xây dựng"])
    assert convert_legacy(mixed)[0].tolist() == ["Hé", "Công chứng", "Đất đai", "Xây dựng"]
    # a byte the encoding never writes proves the string is not in it: "à" has no VN3 code,
    # and in VNI it is a mark that would follow a vowel; so "Hài lòng" stays in both
    for encode in (encode_tcvn3, encode_vni):
        column = pd.Series([cp1252_view(encode(w)) for w in FIELDS] + ["Hài lòng"])
        assert convert_legacy(column)[0].tolist() == [*FIELDS, "Hài lòng"]


def test_detect_legacy_needs_a_majority_of_candidates():
    views = [cp1252_view(encode_tcvn3(w)) for w in FIELDS]
    noise = ["Müller", "café", "naïve", "±5%", "Zürich", "Ærø"]
    assert detect_legacy(views + noise[:4]) == "tcvn3"  # 5 of 9 candidates
    assert detect_legacy(views + noise) is None  # 5 of 11
    assert detect_legacy(views + noise, min_share=0.4) == "tcvn3"
    assert detect_legacy(noise) is None
    with pytest.raises(ParameterError):
        detect_legacy(views, min_share=0)


def test_convert_legacy_counts_rows_and_keeps_index_and_missing():
    view = cp1252_view(encode_vni("Hài lòng"))
    series = pd.Series([view, None, view, "x"], index=list("abcd"), name="q")
    out, encoding, n_changed = convert_legacy(series)
    assert (encoding, n_changed) == ("vni", 2)
    assert out.index.tolist() == list("abcd") and out.name == "q"
    assert out["a"] == "Hài lòng" and out["c"] == "Hài lòng" and out["d"] == "x"
    assert pd.isna(out["b"])
    with pytest.raises(ParameterError):
        convert_legacy(series, encoding="viscii")  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]", "category"])
def test_convert_legacy_with_clean_on_every_kind_of_column(dtype):
    view = cp1252_view(encode_tcvn3("Rất hài lòng"))
    normal = cp1252_view(encode_tcvn3("Bình thường"))
    raw = [f" {view}\t", None, "  Hài  lòng ", f" {view}\t", normal]
    series = pd.Series(raw, dtype=dtype, index=[10, 11, 12, 13, 14], name="q")
    out, encoding, n_converted = convert_legacy(series, clean=True)
    assert (encoding, n_converted) == ("tcvn3", 3)
    assert out.index.tolist() == [10, 11, 12, 13, 14] and out.name == "q"
    if dtype == "category":
        assert out.cat.categories.tolist() == ["Bình thường", "Hài lòng", "Rất hài lòng"]
    else:
        assert out.dtype == series.dtype
    assert pd.isna(out[11])
    assert out.drop(11).tolist() == ["Rất hài lòng", "Hài lòng", "Rất hài lòng", "Bình thường"]
    # without clean the stray spaces stay, and only the legacy strings change
    plain, _, n_plain = convert_legacy(series)
    assert n_plain == 3 and plain[12] == "  Hài  lòng " and plain[10] == " Rất hài lòng\t"


def test_plausibility_filter():
    assert is_plausible_vietnamese("Người dân đánh giá cao")
    assert is_plausible_vietnamese("UBND xã 2024")
    assert is_plausible_vietnamese("Đắk Lắk")
    assert not is_plausible_vietnamese("Mỹller")  # not a Vietnamese syllable
    assert not is_plausible_vietnamese("ViƯt")  # casing inside a word
    assert not is_plausible_vietnamese("Hµi")  # µ is not a Vietnamese letter
    assert not is_plausible_vietnamese("hoàá")  # two tones in one syllable
