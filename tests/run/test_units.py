"""Notebook units: parameters validated against the notebook, folders and titles named."""

from __future__ import annotations

from pathlib import Path

import pytest

from satisfaction.errors import ParameterError
from satisfaction.run.units import make_unit, make_units

TOY = Path(__file__).resolve().parents[1] / "data" / "notebooks" / "toy_report.ipynb"
PROVINCES = ["Hà Nội", "Huế", "Đà Nẵng"]


def test_make_unit_names_folder_and_title_from_the_data():
    unit = make_unit(
        TOY,
        {"province": "thành phố hồ chí minh"},
        valid_values={"province": ["Thành phố Hồ Chí Minh"]},
    )
    assert unit.folder == "toy-report/thanh-pho-ho-chi-minh"
    assert unit.title == "toy_report: Thành phố Hồ Chí Minh"
    assert unit.parameters == {
        "province": "Thành phố Hồ Chí Minh",
        "fail": False,
        "repeat": 3,
        "scale": 1.5,
    }  # output_dir is the batch's to set
    assert make_unit(TOY, {"repeat": 4}, folder="Báo cáo/Hà Nội").folder == "bao-cao/ha-noi"
    with pytest.raises(ParameterError, match=r"'\.\.' gives an empty folder name"):
        make_unit(TOY, {"repeat": 4}, folder="Báo cáo/../x")


def test_make_units_crosses_the_varied_values_and_reports_every_bad_one():
    units = make_units(
        TOY,
        {"province": ["Hà Nội", "Huế"], "repeat": [1, 2]},
        valid_values={"province": PROVINCES},
    )
    assert [u.folder for u in units] == [
        "toy-report/ha-noi/1",
        "toy-report/ha-noi/2",
        "toy-report/hue/1",
        "toy-report/hue/2",
    ]
    assert units[1].parameters["repeat"] == 2 and units[1].title == "toy_report: Hà Nội, 2"
    with pytest.raises(ParameterError) as caught:
        make_units(
            TOY, {"province": ["Hà Nội", "Hue", "Sài Gòn"]}, valid_values={"province": PROVINCES}
        )
    assert [p.message.split(" is ")[0] for p in caught.value.problems] == ["'Hue'", "'Sài Gòn'"]
