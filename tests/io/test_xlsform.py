"""XLSForm -> instrument (`satisfaction.io.xlsform`) on a KoboToolbox form and its export
(tests/data/corpus, written by tests/data/make_corpus.py), and a form with a missing list.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from satisfaction.cleaning.rules import clean
from satisfaction.errors import InputError
from satisfaction.io.instrument import instrument_from_dict
from satisfaction.io.read import read_responses
from satisfaction.io.xlsform import instrument_spec_from_xlsform

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


@pytest.fixture(scope="module")
def kobo():
    notes: list[str] = []
    spec = instrument_spec_from_xlsform(
        CORPUS / "kobo_form.xlsx", data=CORPUS / "kobo_export.xlsx", notes=notes
    )
    return spec, notes


def test_form_becomes_scales_groups_and_located_items(kobo):
    spec, notes = kobo
    assert (spec["id"], spec["year"], spec["id_column"]) == ("sipas_kobo", 2025, "_uuid")
    assert spec["title"] == {"vi": "Khảo sát sự hài lòng (KoboToolbox)"}
    hl5 = spec["scales"]["hl5"]
    assert [level["code"] for level in hl5["levels"]] == [1, 2, 3, 4, 5]
    assert hl5["satisfied"] == [4, 5] and hl5["missing"][0]["code"] == 98
    assert [(g["id"], g["label"]["vi"]) for g in spec["groups"]] == [
        ("tiep_can", "Tiếp cận dịch vụ"),
        ("thu_tuc", "Thủ tục hành chính"),
    ]
    items = {item["id"]: item for item in spec["items"]}
    assert items["c1_1"]["column"] == "tiep_can/c1_1" and items["c1_1"]["group"] == "tiep_can"
    assert items["hl_chung"]["role"] == "overall" and "column" not in items["hl_chung"]
    assert (items["tuoi"]["min"], items["tuoi"]["max"]) == (18, 100)
    assert items["ky_vong"]["type"] == "multiple" and items["ky_vong"]["separator"] == " "
    thu_tuc = spec["scales"]["cai_thien"]["levels"][1]
    assert (thu_tuc["code"], thu_tuc["label"]["vi"], thu_tuc["variants"]) == (
        2,
        "Đơn giản hóa thủ tục",
        ["thu_tuc"],
    )
    assert spec["respondent"]["province"] == "thong_tin/tinh"
    assert spec["value_labels"] == {"thong_tin/tinh": {"hn": "Hà Nội", "qn": "Quảng Ninh"}}
    assert spec["fields"]["other"] == {"code": "other", "column": "thong_tin/linh_vuc_khac"}
    assert spec["personal_data"] == [{"column": "thong_tin/so_dien_thoai", "action": "hash"}]
    assert "tuoi: constraint '. >= 18 and . <= 100' (kept as a note)" in notes


def test_the_export_cleans_with_labels_and_other_specified(kobo):
    spec, _ = kobo
    instrument = instrument_from_dict(spec)
    raw = read_responses(CORPUS / "kobo_export.xlsx")
    result = clean(raw, instrument)
    assert set(result.data["thong_tin/tinh"]) == {"Hà Nội", "Quảng Ninh"}
    specified = raw.frame["thong_tin/linh_vuc"] == "other"
    other = result.log.loc[result.log["rule"] == "other_specified"]
    assert len(other) == int(specified.sum()) > 0
    fields = result.data.loc[specified.to_numpy(), "thong_tin/linh_vuc"]
    assert set(fields.dropna()) <= {"Hộ tịch"}  # "Cấp phép xây dựng" is not in this form
    assert result.count("field_unmatched") == int(
        (raw.frame.loc[specified, "thong_tin/linh_vuc_khac"] == "Cấp phép xây dựng").sum()
    )
    assert {"c1_1", "hl_chung", "ky_vong_1", "ky_vong_3"} <= set(result.data.columns)
    picked = raw.frame["ky_vong"].fillna("").str.split().map(lambda names: "co_so" in names)
    assert result.data["ky_vong_1"].fillna(0).astype(bool).tolist() == picked.tolist()


def test_a_select_naming_a_missing_choice_list_is_one_clear_error(tmp_path):
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["select_one hl9", "c1", "Câu 1"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["hl5", "1", "Rất không hài lòng"])
    path = tmp_path / "form.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        instrument_spec_from_xlsform(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a valid XLSForm: ") and "hl9" in message
    assert "\n" not in message


def test_odk_central_csv_export_with_dash_paths_is_located(tmp_path):
    import pandas as pd

    export = pd.read_excel(CORPUS / "kobo_export.xlsx", dtype=str, engine="calamine").rename(
        columns=lambda c: c.replace("/", "-").replace("_uuid", "meta-instanceID")
    )
    path = tmp_path / "central.csv"
    export.to_csv(path, index=False)
    spec = instrument_spec_from_xlsform(CORPUS / "kobo_form.xlsx", data=path)
    items = {item["id"]: item for item in spec["items"]}
    assert items["c2_1"]["column"] == "thu_tuc-c2_1"
    assert spec["id_column"] == "meta-instanceID"
    assert spec["respondent"]["province"] == "thong_tin-tinh"
