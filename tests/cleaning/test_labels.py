"""Codes the file labels (`satisfaction.cleaning.labels`): SPSS value labels reach the province,
field and respondent columns, user-missing codes become missing, and the .sav cleans to the
same frame as the same cases exported to Excel with their labels (tests/data/corpus).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cleaning.rules import clean
from satisfaction.io.instrument import instrument_from_dict
from satisfaction.io.read import read_responses
from satisfaction.io.spss import instrument_spec_from_spss

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@pytest.fixture(scope="module")
def spss():
    spec = instrument_spec_from_spss(CORPUS / "sipas_spss.sav", geography="current_34")
    instrument = instrument_from_dict(spec)
    raw = read_responses(CORPUS / "sipas_spss.sav")
    return raw, instrument, clean(raw, instrument)


def test_value_labels_reach_province_and_field(spss):
    raw, _, result = spss
    assert set(raw.frame["tinh"]) == {1.0, 22.0}
    assert set(result.data["tinh"]) == {"Hà Nội", "Quảng Ninh"}
    assert set(result.data["linh_vuc"]) == {"Đất đai", "Hộ tịch", "Bảo hiểm y tế"}
    labelled = result.log.loc[result.log["rule"] == "value_label"]
    assert set(labelled["column"]) == {"tinh", "linh_vuc"}
    assert len(labelled) == 2 * len(raw.frame)
    first = labelled.loc[labelled["column"] == "tinh"].iloc[0]
    assert (first["old_value"], first["new_value"]) in {("1", "Hà Nội"), ("22", "Quảng Ninh")}


def test_user_missing_age_is_missing_and_logged_once_by_its_rule(spss):
    raw, _, result = spss
    rows = raw.frame.loc[raw.frame["tuoi"] == 999, "_row"].tolist()
    assert len(rows) == 2
    entries = result.log.loc[result.log["rule"] == "missing_user_code"]
    assert sorted(entries["row_id"]) == rows and set(entries["column"]) == {"tuoi"}
    again = result.log.loc[result.log["row_id"].isin(rows) & (result.log["column"] == "tuoi")]
    assert again["rule"].tolist() == ["missing_user_code", "missing_user_code"]
    assert result.data.loc[result.data["_row"].isin(rows), "tuoi"].isna().all()
    # 98 and 99 on the items keep the scale's own reasons
    assert result.count("missing_dont_know") == 1 and result.count("missing_refused") == 1


def test_sav_cleans_to_the_frame_of_its_excel_export_with_labels(spss):
    _, instrument, result = spss
    exported = clean(read_responses(CORPUS / "sipas_spss_labels.xlsx"), instrument)
    columns = [c for c in result.data.columns if c != "_row"]
    left = result.data[columns].astype(str).reset_index(drop=True)
    right = exported.data[columns].astype(str).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


def test_codes_without_labels_decode_provinces_and_match_synonyms(spss):
    _, instrument, _ = spss
    frame = pd.DataFrame(
        {
            "ma_phieu": ["a", "b", "c"],
            "tinh": ["01", "22", "1"],
            "linh_vuc": [1.0, "2", 3],  # as SPSS, Excel and a CSV give the code 1
            "gioi_tinh": [1, 2, 1],
            "tuoi": [30, 40, 50],
            "trong_so": [1.0, 1.0, 1.0],
            **{item.id: [4, 4, 5] for item in instrument.items if item.type == "likert"},
        }
    )
    result = clean(frame, instrument)
    assert result.data["tinh"].tolist() == ["Hà Nội", "Quảng Ninh", "Hà Nội"]
    assert result.data["linh_vuc"].tolist() == ["Đất đai", "Hộ tịch", "Bảo hiểm y tế"]
    assert result.count("province_code") == 3 and result.count("field_unmatched") == 0
