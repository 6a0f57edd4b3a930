"""The method note and the reasons behind flags: plain words, one language, no codes."""

from __future__ import annotations

import re

import pytest

from satisfaction.present.wording import (
    STUDY_KINDS,
    MethodFacts,
    facts_from_meta,
    method_note,
    method_sentences,
    reliability_reasons,
    reliability_text,
)

META = {
    "survey": "demo",
    "geography": "current_34",
    "design": "weight=trong_so, strata=tang, psu=ma_xa",
    "design_roles": {"weight": "trong_so", "strata": "tang", "psu": "ma_xa"},
    "lonely_psu": "adjust",
    "options": {"level": 0.95, "method": "logit", "min_n": 30, "adjust": "holm"},
    "element_rule": "mean_of_criteria",
    "overall_rule": "mean_of_elements",
}
CODES = re.compile(r"mean_of|current_34|historical_63|trong_so|ma_xa|_")


def test_facts_come_from_the_estimates_metadata():
    facts = facts_from_meta(META)
    assert facts == MethodFacts(
        kind="probability",
        weighted=True,
        stratified=True,
        clustered=True,
        element_rule="mean_of_criteria",
        overall_rule="mean_of_elements",
        geography="current_34",
        interval="logit",
        level=0.95,
        lonely_psu="adjust",
        adjust="holm",
        min_n=30,
    )
    # older metadata without design_roles: the roles are read from the design text
    old = {k: v for k, v in META.items() if k != "design_roles"}
    assert facts_from_meta(old).clustered


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_method_note_says_each_fact_in_words_without_codes(language):
    sentences = method_sentences(facts_from_meta(META), language)
    note = " ".join(sentences)
    assert not CODES.search(note), note
    if language == "vi":
        assert "Mẫu xác suất (phân tầng, chọn theo cụm)" in note
        assert "trung bình cộng chỉ số các tiêu chí" in note
        assert "34 tỉnh, thành phố" in note and "Khoảng tin cậy 95%" in note
        assert not re.search(r"\b(the|and|of)\b", note)  # one language
    else:
        assert "Probability sample (stratified, clustered)" in note
        assert "34 provinces" in note
        assert not re.search(r"[ạảấầậếềệịọốồộớờợụứừự]", note)


def test_a_new_kind_of_study_plugs_in_with_one_entry(monkeypatch):
    monkeypatch.setitem(STUDY_KINDS, "census", lambda facts, lang: ["Số liệu toàn bộ hồ sơ."])
    note = method_note(MethodFacts(kind="census", overall_rule="mean_of_elements"), "vi")
    assert note.startswith("Số liệu toàn bộ hồ sơ.") and "Mẫu xác suất" not in note


def test_reliability_reasons_are_words_and_deduplicated():
    notes = ["CI width >= 0.3", "n < 30; CI width >= 0.3", "", None, "review: df < 8"]
    assert reliability_reasons(notes, "vi") == ["sai số lớn", "dưới 30 người trả lời"]
    assert reliability_reasons(notes, "en") == ["large error", "fewer than 30 respondents"]
    assert reliability_text("review: df < 8", "vi") == "cần xem lại: ít cụm mẫu"
    assert reliability_text("something new", "vi") == "chưa đủ tin cậy"
