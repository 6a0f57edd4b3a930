"""Tests of write_workbook: workbooks read back and compared cell by cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from writers_data import VI_HEADERS, tidy_estimates

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.formatting import note_line
from satisfaction.present.tables import estimates_table
from satisfaction.present.workbook import sanitise_sheet_name, write_workbook


@pytest.fixture
def tidy() -> pd.DataFrame:
    return tidy_estimates()


def _rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_write_workbook_numbers_formats_and_layout(tmp_path, tidy):
    table = estimates_table(tidy)
    note = note_line(source="SIPAS 2024", method="logit", date=dt.date(2025, 1, 2))
    path = write_workbook(
        tmp_path / "bảng" / "ket-qua.xlsx",
        {"Theo lĩnh vực": table},
        title="Tỷ lệ hài lòng theo lĩnh vực",
        notes=note,
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Theo lĩnh vực"]
    sheet = book["Theo lĩnh vực"]
    assert sheet["A1"].value == "Tỷ lệ hài lòng theo lĩnh vực" and sheet["A1"].font.b
    assert sheet["A2"].value == "Nguồn: SIPAS 2024. Phương pháp: logit. Ngày lập: 02/01/2025."
    header = [c.value for c in sheet[3]]
    assert header == VI_HEADERS
    assert all(c.font.b and c.alignment.wrap_text for c in sheet[3])
    assert sheet.freeze_panes == "B4"  # the header and the name column stay in view
    assert sheet.auto_filter.ref == "A3:H6"

    first = {h: c for h, c in zip(header, sheet[4], strict=True)}
    for col in ("Ước lượng (%)", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên"):
        assert first[col].data_type == "n" and first[col].number_format == "0.0%", col
    assert first["Ước lượng (%)"].value == 0.7124
    assert first["KTC 95% dưới"].value == 0.6702
    assert first["n"].value == 312 and first["n"].number_format == "#,##0"
    assert isinstance(first["n"].value, int)
    assert first["Tin cậy"].value == "Có" and first["Ghi chú"].value is None
    assert sheet["F5"].value == 4503

    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["A"] >= len("Xây dựng") + 2
    assert widths["B"] >= len("Ước") + 2  # the header wraps at words, never inside one
    assert 6 <= widths["F"] <= 10


def test_write_workbook_sheet_names_sanitised_and_unique(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    path = write_workbook(
        tmp_path / "t.xlsx",
        {
            "Đất đai [2024]: chi tiết": frame,
            "đất đai (2024) - chi tiết": frame,
            "a/b*c?": frame,
            "Nhận xét của người dân về thủ tục hành chính cấp xã": frame,
            "History": frame,
        },
    )
    names = openpyxl.load_workbook(path).sheetnames
    assert names == [
        "Đất đai (2024) - chi tiết",
        "đất đai (2024) - chi tiết (2)",
        "a-bc",
        "Nhận xét của người dân về thủ t",
        "History (1)",
    ]
    assert all(len(n) <= 31 for n in names)


def test_sanitise_sheet_name_rules():
    assert sanitise_sheet_name("Q1: tỷ lệ") == "Q1 - tỷ lệ"
    assert sanitise_sheet_name("'trích'") == "trích"
    assert sanitise_sheet_name("[]") == "()"
    assert sanitise_sheet_name("") == "Sheet"
    assert sanitise_sheet_name("x" * 40, ["x" * 31]) == "x" * 27 + " (2)"
    assert sanitise_sheet_name("Sheet", ["sheet", "Sheet (2)"]) == "Sheet (3)"


def test_write_workbook_cell_types(tmp_path):
    frame = pd.DataFrame(
        {
            "Đơn vị": ['=HYPERLINK("http://x")', "Xã\x07 Tân Phú", None],
            "Tỷ lệ": [0.5, np.nan, 1.0],
            "Thay đổi": [-0.032, 0.0, 0.011],
            "deff": [1.234, 2.0, np.inf],
            "Ngày": pd.to_datetime(["2024-03-05", None, "2024-12-31"]),
            "Đạt": [True, False, True],
        }
    )
    path = write_workbook(
        tmp_path / "t.xlsx",
        {"s": frame},
        percent_columns=["Tỷ lệ", "Thay đổi"],
        number_formats={"deff": "0.000"},
    )
    sheet = openpyxl.load_workbook(path)["s"]
    assert [c.value for c in sheet[1]] == list(frame.columns)
    a2, b2, c2, d2, e2, f2 = sheet[2]
    assert a2.data_type == "s" and a2.value == '=HYPERLINK("http://x")'  # never a formula
    assert sheet["A3"].value == "Xã\ufffd Tân Phú"  # control character Excel rejects: U+FFFD
    assert sheet["A4"].value is None
    assert (b2.value, b2.number_format) == (0.5, "0.0%")
    assert sheet["B3"].value is None
    assert (c2.value, c2.number_format) == (-0.032, "0.0%")
    assert (d2.value, d2.number_format) == (1.234, "0.000")
    assert sheet["D4"].value is None  # Excel has no infinity
    assert e2.value == dt.datetime(2024, 3, 5) and e2.number_format == "dd/mm/yyyy"
    assert f2.data_type == "b" and f2.value is True
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:F4"


def test_write_workbook_errors_write_nothing(tmp_path):
    frame = pd.DataFrame({"Tỷ lệ": [82.3]})
    target = tmp_path / "t.xlsx"
    with pytest.raises(InputError, match="divide percentages by 100"):
        write_workbook(target, {"s": frame}, percent_columns=["Tỷ lệ"])
    with pytest.raises(ParameterError, match="no sheet"):
        write_workbook(target, {"s": frame}, percent_columns=["Tỷ lệ hài lòng"])
    with pytest.raises(ParameterError, match="'t'"):
        write_workbook(target, {"s": frame}, notes={"t": "x"})
    with pytest.raises(ParameterError, match=r"\.xlsx"):
        write_workbook(tmp_path / "t.xls", {"s": frame})
    with pytest.raises(InputError, match="text"):
        write_workbook(target, {"s": pd.DataFrame({"p": ["82%"]})}, percent_columns=["p"])
    assert list(tmp_path.iterdir()) == []


def test_write_workbook_index_and_percent_by_sheet(tmp_path, tidy):
    by_field = tidy.set_index("field")[["estimate", "n"]]
    path = write_workbook(
        tmp_path / "t.xlsx", {"a": by_field}, percent_columns={"a": ["estimate"]}
    )
    sheet = openpyxl.load_workbook(path)["a"]
    assert _rows(sheet) == [
        ["field", "estimate", "n"],
        ["Đất đai", 0.7124, 312],
        ["Hộ tịch", 0.903, 4503],
        ["Xây dựng", 0.8, 28],
    ]
    assert sheet["B2"].number_format == "0.0%"
