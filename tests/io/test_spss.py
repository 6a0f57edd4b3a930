"""Tests of `satisfaction.io.spss`: an instrument read off an SPSS dictionary.

The fixture .sav is written with pyreadstat: variable labels, value labels (a 5-level and a
reversed 4-level satisfaction scale, a yes/no question, a 63-province list), user-missing
codes as a range and as discrete values, a string, a date and an unlabelled number.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from satisfaction.errors import InputError, InstrumentError
from satisfaction.io.instrument import load_instrument
from satisfaction.io.read import read_responses
from satisfaction.io.spss import (
    instrument_from_spss,
    instrument_spec_from_spss,
    write_instrument_yaml,
)

SAT5 = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
    98: "Không biết",
    99: "Không trả lời",
}
SAT4_REVERSED = {1: "Very satisfied", 2: "Satisfied", 3: "Dissatisfied", 4: "Very dissatisfied"}


def survey_sav(path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "stt": [1.0, 2.0, 3.0],
            "ma_phieu": ["00123", "00124", "00125"],
            "c1_1": [4.0, 5.0, 98.0],
            "c1_2": [3.0, 99.0, 1.0],
            "c1_3": [1.0, 2.0, 4.0],
            "hl_chung": [4.0, 9.0, 5.0],
            "gioi_tinh": [1.0, 2.0, 1.0],
            "gt_chu_ho": [2.0, 2.0, 1.0],
            "co_dung": [1.0, -9.0, 7.0],
            "tuoi": [34.0, 51.0, 99.0],
            "tinh": [1.0, 48.0, 79.0],
            "y_kien": ["Tốt", "", "Cần nhanh hơn"],
            "ngay": pd.to_datetime(["2025-03-14", "2025-03-15", "2025-03-16"]),
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label="Khảo sát SIPAS xã Hòa Phong 2025",
        column_labels={
            "c1_1": "Nơi ngồi chờ có đủ chỗ ngồi",
            "c1_2": "Trang thiết bị đầy đủ",
            "c1_3": "Satisfaction with staff",
            "hl_chung": "Mức độ hài lòng chung",
            "gioi_tinh": "Giới tính",
            "gt_chu_ho": "Giới tính chủ hộ",
            "co_dung": "Có sử dụng dịch vụ công trực tuyến?",
            "tuoi": "Tuổi",
            "y_kien": "Ý kiến khác",
        },
        variable_value_labels={
            "c1_1": SAT5,
            "c1_2": SAT5,
            "c1_3": SAT4_REVERSED,
            # "Không biết" labelled but not declared missing in SPSS
            "hl_chung": {**{k: v for k, v in SAT5.items() if k <= 5}, 9: "KB"},
            "gioi_tinh": {1: "Nam", 2: "Nữ"},
            "gt_chu_ho": {1: "Nam", 2: "Nữ"},
            "co_dung": {1: "Có", 2: "Không", -9: "Từ chối", 7: "Ý kiến khác"},
            "tinh": {code: f"Tỉnh {code}" for code in range(1, 64)},
        },
        missing_ranges={
            "c1_1": [{"lo": 98, "hi": 99}],
            "c1_2": [{"lo": 98, "hi": 99}],
            "co_dung": [-9, 7],
            "tuoi": [99],
        },
        variable_measure={"gioi_tinh": "nominal", "gt_chu_ho": "nominal"},
    )
    return path


def test_spec_scales_items_and_missing_reasons(tmp_path: Path) -> None:
    spec = instrument_spec_from_spss(survey_sav(tmp_path / "hoa_phong.sav"))
    assert spec["id"] == "hoa_phong"
    assert spec["title"] == {"vi": "Khảo sát SIPAS xã Hòa Phong 2025"}
    assert spec["id_column"] == "ma_phieu"  # named like an id, although stt comes first
    assert spec["geography"] == "historical_63"
    assert list(spec["scales"]) == ["sat5", "sat4", "sat5_2", "gioi_tinh", "co_dung"]
    assert spec["scales"]["sat5"] == {
        "levels": [{"code": c, "label": {"vi": SAT5[c]}} for c in (1, 2, 3, 4, 5)],
        "satisfied": [4, 5],
        "neutral": [3],
        "dissatisfied": [1, 2],
        "neutral_in_denominator": True,
        "missing": [
            {"code": 98, "label": {"vi": "Không biết"}, "reason": "dont_know"},
            {"code": 99, "label": {"vi": "Không trả lời"}, "reason": "refused"},
        ],
        "ordered": True,
    }
    assert list(spec["scales"]["sat5"]) == [
        "levels", "satisfied", "neutral", "dissatisfied", "neutral_in_denominator",
        "missing", "ordered",
    ]  # fmt: skip
    types = {item["id"]: (item["type"], item.get("scale")) for item in spec["items"]}
    assert types == {
        "stt": ("numeric", None),
        "c1_1": ("likert", "sat5"),
        "c1_2": ("likert", "sat5"),
        "c1_3": ("likert", "sat4"),
        "hl_chung": ("likert", "sat5_2"),
        "gioi_tinh": ("single", "gioi_tinh"),
        "gt_chu_ho": ("single", "gioi_tinh"),  # identical labels share one scale
        "co_dung": ("single", "co_dung"),
        "tuoi": ("numeric", None),
        "y_kien": ("text", None),
        "ngay": ("date", None),
    }
    # tinh (63 labelled codes) is not an item: it is the province column, by its name
    assert spec["respondent"] == {"province": "tinh", "sex": "gioi_tinh", "age": "tuoi"}
    roles = {item["id"]: item["role"] for item in spec["items"]}
    assert roles["hl_chung"] == "overall" and roles["tuoi"] == "respondent"


def test_instrument_from_spss_validates(tmp_path: Path) -> None:
    instrument = instrument_from_spss(
        survey_sav(tmp_path / "survey.sav"), survey_id="hp2025", title="Hòa Phong 2025"
    )
    assert instrument.id == "hp2025"
    assert instrument.title.vi == "Hòa Phong 2025"
    assert instrument.source == tmp_path / "survey.sav"

    sat5 = instrument.scales["sat5"]
    assert sat5.codes == (1, 2, 3, 4, 5)
    assert sat5.satisfied == frozenset({4, 5})
    assert sat5.neutral == frozenset({3})
    assert sat5.dissatisfied == frozenset({1, 2})
    assert {c: m.reason for c, m in sat5.missing_codes.items()} == {
        98: "dont_know",
        99: "refused",
    }

    # Reversed 4-level English scale: satisfied are the low codes; no neutral.
    sat4 = instrument.scales["sat4"]
    assert sat4.codes == (1, 2, 3, 4)
    assert sat4.satisfied == frozenset({1, 2})
    assert sat4.neutral == frozenset()
    assert sat4.dissatisfied == frozenset({3, 4})

    # "KB" (9) beside a satisfaction scale becomes a missing code.
    overall = instrument.scales["sat5_2"]
    assert overall.codes == (1, 2, 3, 4, 5)
    assert {c: m.reason for c, m in overall.missing_codes.items()} == {9: "dont_know"}

    used = instrument.scales["co_dung"]
    assert used.labels() == {1: "Có", 2: "Không"}
    assert {c: m.reason for c, m in used.missing_codes.items()} == {-9: "refused", 7: "other"}
    assert used.ordered is False
    assert instrument.scales["gioi_tinh"].labels() == {1: "Nam", 2: "Nữ"}

    assert instrument.item("c1_1").text.vi == "Nơi ngồi chờ có đủ chỗ ngồi"
    assert instrument.item("hl_chung").text.vi == "Mức độ hài lòng chung"
    assert instrument.item("stt").text.vi == "stt"  # no variable label: the name
    assert [i.id for i in instrument.criteria] == ["c1_1", "c1_2", "c1_3"]
    assert instrument.respondent["province"] == "tinh"
    assert instrument.id_column == "ma_phieu"
    assert instrument.data is not None and instrument.data.file == "survey.sav"


def test_reading_the_sav_keeps_codes_and_labels(tmp_path: Path) -> None:
    raw = read_responses(survey_sav(tmp_path / "survey.sav"))
    assert raw.frame["c1_1"].tolist() == [4.0, 5.0, 98.0]
    assert raw.frame["ma_phieu"].tolist() == ["00123", "00124", "00125"]
    assert raw.value_labels["c1_1"] == SAT5
    assert raw.missing_values["c1_1"] == [98, 99]
    assert raw.missing_values["co_dung"] == [-9, 7]
    assert raw.column_labels["c1_3"] == "Satisfaction with staff"


def test_yaml_round_trip(tmp_path: Path) -> None:
    sav = survey_sav(tmp_path / "survey.sav")
    spec = instrument_spec_from_spss(sav, id_column="stt")
    target = write_instrument_yaml(spec, tmp_path / "instrument.yaml")
    text = target.read_text(encoding="utf-8")
    assert "Rất không hài lòng" in text  # allow_unicode: no \u escapes
    assert text.index("id: survey") < text.index("scales:") < text.index("items:")
    loaded = load_instrument(target)
    built = instrument_from_spss(sav, id_column="stt")
    assert loaded.id_column == "stt"
    assert dict(loaded.scales) == dict(built.scales)
    assert loaded.items == built.items
    assert "ma_phieu" in [item.id for item in loaded.items]


def test_unknown_id_column_and_bad_geography(tmp_path: Path) -> None:
    sav = survey_sav(tmp_path / "survey.sav")
    with pytest.raises(InputError, match="id column 'maso' is not a variable"):
        instrument_spec_from_spss(sav, id_column="maso")
    with pytest.raises(InstrumentError) as caught:
        instrument_from_spss(sav, geography="provinces_64")
    assert str(caught.value).startswith(f"{sav}: geography: unknown geography")


def test_not_a_sav_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id\n1\n")
    with pytest.raises(InputError, match=r"must come from a \.sav or \.zsav file"):
        instrument_spec_from_spss(path)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        # three levels, neutral spelled "Không có ý kiến"
        ({1: "Không hài lòng", 2: "Không có ý kiến", 3: "Hài lòng"}, ("likert", [3], [2], [1])),
        # typed without diacritics
        (
            {
                1: "Rat khong hai long",
                2: "Khong hai long",
                3: "Binh thuong",
                4: "Hai long",
                5: "Rat hai long",
            },
            ("likert", [4, 5], [3], [1, 2]),
        ),
        # a quality scale, not a satisfaction scale
        ({1: "Kém", 2: "Bình thường", 3: "Tốt"}, ("single", None, None, None)),
        # satisfaction labels out of order along the codes
        (
            {1: "Hài lòng", 2: "Không hài lòng", 3: "Rất hài lòng"},
            ("single", None, None, None),
        ),
        # two levels are too few for a likert item
        ({1: "Hài lòng", 2: "Không hài lòng"}, ("single", None, None, None)),
    ],
)
def test_which_label_sets_are_satisfaction_scales(
    tmp_path: Path, labels: dict[int, str], expected: tuple
) -> None:
    path = tmp_path / "one.sav"
    frame = pd.DataFrame({"id": ["a", "b"], "q": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"q": labels})
    spec = instrument_spec_from_spss(path)
    (item,) = spec["items"]
    scale = spec["scales"][item["scale"]]
    got = (item["type"], scale.get("satisfied"), scale.get("neutral"), scale.get("dissatisfied"))
    assert got == expected
    assert [level["label"]["vi"] for level in scale["levels"]] == list(labels.values())
