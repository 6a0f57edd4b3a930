"""Top phrases of free-text comments: exact counts by hand, and no personal data ever shown."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from satisfaction.analysis.comments import VIETNAMESE_STOPWORDS, scrub_personal, top_phrases
from satisfaction.errors import InputError, ParameterError

COMMENTS = [
    "Thời gian giải quyết quá lâu.",
    "thời gian giải quyết QUÁ LÂU!!",
    "Thời gian giải quyết chậm, cán bộ nhiệt tình",
    "Cán bộ rất nhiệt tình và chu đáo",
    "Cán bộ nhiệt tình. Liên hệ 0912 345 678",
    "Gửi email nguyen.van.a@gmail.com để biết thêm",
    "Số CCCD 001203004567 của tôi",
    "[đã ẩn] cán bộ nhiệt tình",
    None,
    "",
    "   ",
]


def test_counts_by_hand():
    # 8 non-blank comments, in words (underthesea: "cán bộ", "thời gian", "giải quyết",
    # "nhiệt tình" are one word each). Comments containing each phrase (stopwords never
    # start or end one; punctuation and removed personal data break phrases):
    #   cán bộ, nhiệt tình: 3 4 5 8 -> 4 ("rất" in 4 only sits inside "cán bộ rất nhiệt tình")
    #   cán bộ nhiệt tình: 3 5 8 -> 3
    #   thời gian giải quyết: 1 2 3 -> 3
    #   thời gian giải quyết quá + giải quyết quá lâu: 1 2 -> joined, 2
    # Shorter phrases inside these with the same count ("quá lâu", ...) add nothing and are
    # dropped; everything else is in one comment only.
    df = pd.DataFrame({"y_kien": COMMENTS})
    out = top_phrases(df, "y_kien", min_count=2)
    assert out["phrase"].tolist() == [
        "cán bộ",
        "nhiệt tình",
        "cán bộ nhiệt tình",
        "thời gian giải quyết",
        "thời gian giải quyết quá lâu",
    ]
    assert out["count"].tolist() == [4, 4, 3, 3, 2]
    assert out["words"].tolist() == [1, 1, 2, 2, 4]
    assert (out["comments"] == 8).all()
    np.testing.assert_allclose(out["share"], [4 / 8, 4 / 8, 3 / 8, 3 / 8, 2 / 8])
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    assert top_phrases(df, "y_kien", min_count=2, n=2)["phrase"].tolist() == [
        "cán bộ",
        "nhiệt tình",
    ]
    assert top_phrases(df, "y_kien", min_count=5).empty


def test_phrases_end_on_word_boundaries():
    """A phrase never cuts a Vietnamese word: no "thực cần niêm" from "chứng thực cần niêm
    yết" (the issue's example), whatever the counts."""
    text = "Công chứng, chứng thực cần niêm yết rõ ràng"
    out = top_phrases(pd.DataFrame({"c": [text] * 3}), "c", min_count=3)
    assert out["phrase"].tolist() == ["chứng thực cần niêm yết", "niêm yết rõ ràng", "công chứng"]
    for phrase in out["phrase"]:
        assert not phrase.startswith(("thực ", "yết ")) and not phrase.endswith((" niêm", " rõ"))


def test_unigrams_only_and_stopwords():
    df = pd.DataFrame({"c": ["Cán bộ và thủ tục", "cán bộ, thủ tục", "Thủ tục của cán bộ"]})
    out = top_phrases(df, "c", ngram=(1, 1), min_count=3)
    # the words "cán bộ" and "thủ tục" are in all 3 comments; "và", "của" are stopwords
    assert sorted(out["phrase"]) == ["cán bộ", "thủ tục"]
    assert (out["count"] == 3).all()
    longer = top_phrases(df, "c", ngram=(2, 3), min_count=1)
    got = dict(zip(longer["phrase"], longer["count"], strict=True))
    # a phrase keeps an inner stopword, never one at its ends
    assert got == {"cán bộ và thủ tục": 1, "thủ tục của cán bộ": 1}
    assert {"và", "của", "là", "có", "được", "rất"} <= VIETNAMESE_STOPWORDS
    assert "không" not in VIETNAMESE_STOPWORDS  # "không hài lòng" must survive


def test_normalisation_merges_nfd_case_and_tone_style():
    import unicodedata

    df = pd.DataFrame(
        {
            "c": [
                "Hòa giải nhanh",
                unicodedata.normalize("NFD", "hoà giải nhanh"),
                "HOÀ GIẢI NHANH",
            ]
        }
    )
    out = top_phrases(df, "c", min_count=3)
    assert out["phrase"].tolist() == ["hoà giải nhanh"]
    assert out["count"].tolist() == [3]
    assert unicodedata.is_normalized("NFC", out["phrase"].iloc[0])


def test_by_groups():
    df = pd.DataFrame(
        {
            "linh_vuc": ["Đất đai"] * 3 + ["Hộ tịch"] * 2 + [None],
            "y_kien": [
                "Phải đi lại nhiều lần",
                "đi lại nhiều lần quá",
                "Sổ đỏ chậm",
                "Nhanh gọn",
                "nhanh gọn, chu đáo",
                "nhanh gọn",
            ],
        }
    )
    out = top_phrases(df, "y_kien", by="linh_vuc", min_count=2)
    assert out.columns.tolist()[:2] == ["linh_vuc", "phrase"]
    rows = {(r.linh_vuc if isinstance(r.linh_vuc, str) else None, r.phrase): (r.count, r.comments)
            for r in out.itertuples()}  # fmt: skip
    # Đất đai: "đi lại nhiều lần" (the words "đi lại", "nhiều", "lần") in comments 1 and
    # 2. Hộ tịch: "nhanh gọn" in both. The comment without a field is a group of its own,
    # below min_count.
    assert rows == {
        ("Đất đai", "đi lại nhiều lần"): (2, 3),
        ("Hộ tịch", "nhanh gọn"): (2, 2),
    }


def test_a_comment_written_many_times_counts_each_time_and_segments_once():
    # Segmentation is cached per comment text (the whole-survey plan and every province's
    # plan segment the same comments): the counts are per comment all the same, whatever
    # was segmented before, and the cached words cannot be changed by a caller.
    from satisfaction.analysis import comments

    df = pd.DataFrame({"y_kien": ["Phải đi lại nhiều lần"] * 5 + ["Sổ đỏ chậm"] * 3})
    first = top_phrases(df, "y_kien", min_count=3)
    again = top_phrases(df.head(6), "y_kien", min_count=3)
    assert dict(zip(first["phrase"], first["count"], strict=True)) == {
        "đi lại nhiều lần": 5,
        "sổ đỏ chậm": 3,
    }
    assert dict(zip(again["phrase"], again["count"], strict=True)) == {"đi lại nhiều lần": 5}
    assert isinstance(comments._stretches("Sổ đỏ chậm"), tuple)
    assert comments._stretches.cache_info().hits > 0


# ------------------------------------------------------------------ personal data
def test_personal_data_is_cut_out():
    assert scrub_personal("gọi 0912 345 678 nhé", " ") == "gọi   nhé"
    assert scrub_personal("mail a.b@x.vn ok", " ") == "mail   ok"
    assert scrub_personal("CMND 123456789, CCCD 001203004567", "#") == "CMND #, CCCD #"
    assert scrub_personal("[đã ẩn] tốt", "") == " tốt"
    assert scrub_personal("phí 50.000 đồng, 2 lần", "#") == "phí 50.000 đồng, 2 lần"


def test_no_phone_email_or_id_ever_appears():
    rng = np.random.default_rng(0)
    formats = [
        "{a}{b}{c}",
        "{a} {b} {c}",
        "{a}.{b}.{c}",
        "{a}-{b}-{c}",
        "+84 {a1} {b} {c}",
        "84{a1}{b}{c}",
    ]
    secrets: list[str] = []
    comments = []
    for k in range(300):
        a, b, c = (
            f"09{rng.integers(10, 99)}",
            f"{rng.integers(100, 999)}",
            f"{rng.integers(100, 999)}",
        )
        phone = formats[k % len(formats)].format(a=a, a1=a[1:], b=b, c=c)
        user = f"nguoi{rng.integers(1000, 9999)}"
        email = f"{user}.vn@gmail.com"
        ident = "".join(str(d) for d in rng.integers(0, 10, size=12 if k % 2 else 9))
        secrets += [a, a[1:], b, c, user, "gmail", ident, ident[:6]]
        comments.append(
            f"Thủ tục nhanh, liên hệ {phone} hoặc {email}; CCCD {ident} [đã ẩn] cán bộ tốt"
        )
    out = top_phrases(pd.DataFrame({"c": comments}), "c", min_count=1, n=10_000)
    assert len(out) > 0
    shown = " ".join(out["phrase"])
    assert "thủ tục nhanh" in shown and "cán bộ tốt" in shown
    tokens = set(shown.split())
    assert not tokens & set(secrets)
    assert not re.search(r"\d", shown)  # not even a fragment of a number survived
    assert "@" not in shown and "ẩn" not in tokens
    assert not {"com", "vn"} & tokens


def test_errors():
    df = pd.DataFrame({"c": ["a b c"], "g": [1]})
    with pytest.raises(InputError, match="'x'"):
        top_phrases(df, "x")
    with pytest.raises(InputError, match="nope"):
        top_phrases(df, "c", by=["g", "nope"])
    with pytest.raises(ParameterError, match="ngram"):
        top_phrases(df, "c", ngram=(3, 1))
    with pytest.raises(ParameterError, match="min_count"):
        top_phrases(df, "c", min_count=0)
    with pytest.raises(ParameterError, match="n must"):
        top_phrases(df, "c", n=0)
