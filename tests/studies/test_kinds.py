"""What each kind of sample may claim: estimates reduced per kind, words, forbidden words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.studies import kinds


def _tidy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["A", "B"],
            "variable": ["sat__c1", "sat__c1"],
            "estimate": [0.8, 0.6],
            "se": [0.05, 0.1],
            "ci_low": [0.7, 0.4],
            "ci_high": [0.9, 0.8],
            "cv": [0.06, 0.17],
            "deff": [1.5, 1.2],
            "n": [120, 12],
            "df": [40.0, 5.0],
            "reliable": [True, True],
            "reliability_note": ["", ""],
        }
    )


def test_probability_estimates_are_left_as_they_are():
    frame = _tidy()
    assert kinds.finish_estimates(frame, "probability") is frame


@pytest.mark.parametrize("kind", ["convenience", "census"])
def test_descriptive_kinds_keep_shares_and_n_only(kind):
    out = kinds.finish_estimates(_tidy(), kind, min_n=30)
    assert out[["se", "ci_low", "ci_high", "cv", "deff", "df"]].isna().all().all()
    assert out["estimate"].tolist() == [0.8, 0.6] and out["n"].tolist() == [120, 12]
    small = out["reliable"].tolist()
    assert small == ([True, False] if kind == "convenience" else [True, True])


def test_quota_keeps_reference_intervals_and_suppresses_pooled_rows():
    out = kinds.finish_estimates(_tidy(), "quota", min_n=30, pooled=np.array([False, True]))
    assert out.loc[0, "ci_low"] == 0.7 and np.isnan(out.loc[0, "deff"])
    assert np.isnan(out.loc[1, "estimate"]) and np.isnan(out.loc[1, "ci_high"])
    assert out["reliability_note"].tolist() == ["", kinds.NO_MARGINS_NOTE]


def test_every_kind_speaks_both_languages_and_avoids_its_forbidden_words():
    studies = {
        "probability": {"kind": "probability", "declared": False},
        "quota": {"kind": "quota", "quota": ["commune", "respondent_group"], "margins": {}},
        "quota_raked": {
            "kind": "quota",
            "quota": ["respondent_group"],
            "margins": {"respondent_group": {"Nhân dân": 10.0}},
            "margins_source": {"vi": "Niên giám 2024", "en": "Yearbook 2024"},
        },
        "convenience": {"kind": "convenience", "declared": False, "channel": {"vi": "Zalo"}},
        "census": {"kind": "census", "period": "quý I/2025"},
    }
    for name, study in studies.items():
        weighted = bool(study.get("margins"))
        words = kinds.forbidden_words(study["kind"], weighted=weighted)
        for language in ("vi", "en"):
            text = " ".join(kinds.kind_sentences(study, language)) + kinds.kind_line(
                study, language
            )
            found = [w for w in words if w.casefold() in text.casefold()]
            assert not found, (name, language, found)
            assert text.strip()
    assert "Niên giám 2024" in " ".join(kinds.kind_sentences(studies["quota_raked"], "vi"))
    assert "(giả định)" in kinds.kind_line(studies["convenience"], "vi")


def test_convenience_forbids_the_issue_words():
    words = kinds.forbidden_words("convenience")
    for word in ("thiết kế mẫu", "design-based", "có ý nghĩa thống kê", "Wald", "trọng số"):
        assert word in words
    assert "trọng số" not in kinds.forbidden_words("quota", weighted=True)
    assert "quota" in kinds.forbidden_words("probability")


def test_unit_words_and_unknown_kind():
    assert kinds.unit_words("commune", "vi") == "xã, phường"
    assert kinds.unit_words("district", "en", plural=True) == "districts"
    with pytest.raises(ParameterError):
        kinds.kind_name("snowball")


def test_method_writers_plug_into_a_facts_object():
    from types import SimpleNamespace

    writers = kinds.method_writers()
    assert set(writers) == {"quota", "convenience", "census"}
    study = {"kind": "quota", "quota": ["respondent_group"], "margins": {}}
    facts = SimpleNamespace(kind="quota", level=0.9, extra={"study": study})
    text = " ".join(writers["quota"](facts, "vi"))
    assert "Khoảng tham chiếu 90%" in text and "nhóm người trả lời" in text
    bare = SimpleNamespace(kind="census", level=0.95, extra={})
    assert writers["census"](bare, "en")[0].startswith("Census")
