"""Choosing provinces, fields and surveys from what the data hold (shared by notebooks,
plans and the batch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from satisfaction.analysis.estimates import ALL
from satisfaction.errors import ParameterError
from satisfaction.present.survey_choice import choose_many, choose_one, survey_folder

FIELDS = ["Bảo hiểm y tế", "Công chứng, chứng thực", "Hộ tịch", "Đất đai"]
ROOT = Path(__file__).resolve().parents[2]


def test_a_field_name_holding_a_comma_is_one_name():
    assert choose_many("Công chứng, chứng thực", FIELDS, "fields") == ["Công chứng, chứng thực"]
    assert choose_many("Hộ tịch,Công chứng, chứng thực,Đất đai", FIELDS, "fields") == [
        "Hộ tịch",
        "Công chứng, chứng thực",
        "Đất đai",
    ]
    assert choose_many("all", FIELDS, "fields") == FIELDS
    assert choose_many(["Đất đai"], FIELDS, "fields") == ["Đất đai"]


def test_unknown_names_are_refused_with_the_valid_list():
    with pytest.raises(ParameterError) as info:
        choose_many("Hộ tịch, Thuế", FIELDS, "fields")
    assert str(info.value) == (
        "parameter 'fields': 'Thuế' is not in the survey; valid: all, Bảo hiểm y tế, "
        "Công chứng, chứng thực, Hộ tịch, Đất đai"
    )
    with pytest.raises(ParameterError, match=r"parameter 'province': '\.\./x'"):
        choose_one("../x", ["Hà Nội"], "province")
    assert choose_one("all", ["Hà Nội"], "province") == ALL


def test_survey_folder_refuses_paths_and_lists_surveys():
    assert survey_folder(ROOT, "demo") == ROOT / "surveys" / "demo"
    with pytest.raises(ParameterError, match=r"valid: demo, demo-2024, demo-poll, sipas"):
        survey_folder(ROOT, "../surveys/demo")
