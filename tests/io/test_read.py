"""Tests of `satisfaction.io.read`: files as teams deliver them, read as text with row numbers.

Fixtures are built in tmp_path so each one shows its trap: title rows, a two-row merged
header, leading-zero codes, a blank row, a totals row, codes Excel turned into dates, three
encodings of one CSV, broken files.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from openpyxl import Workbook

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.read import (
    REASON_COLUMN,
    ROW_COLUMN,
    excel_column_letter,
    read_responses,
)


# ---------------------------------------------------------------------------- fixtures
def field_workbook(path: Path) -> Path:
    """A sheet keyed from paper: title rows, two-row merged header, blank and totals rows.

    Row 1 title (merged A1:I1), row 2 unit, row 3 group labels (B3:C3, D3:F3, G3:I3 merged)
    with "STT" merged down A3:A4, row 4 column names, data in rows 5, 6, 8, 9, row 7 blank,
    row 10 "Tổng cộng", row 12 an empty formatted cell.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Dữ liệu"
    sheet["A1"] = "BÁO CÁO KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG"
    sheet.merge_cells("A1:I1")
    sheet["A2"] = "Đơn vị: UBND huyện Hòa Vang"
    sheet["A3"] = "STT"
    sheet.merge_cells("A3:A4")
    sheet["B3"] = "Thông tin người trả lời"
    sheet.merge_cells("B3:C3")
    sheet["D3"] = "Yếu tố 1: Tiếp cận dịch vụ"
    sheet.merge_cells("D3:F3")
    sheet["G3"] = "Khác"
    sheet.merge_cells("G3:I3")
    names = ["ma_phieu", "ho_ten", "c1_1", "c1_2", "c1_3", "ngay", "y_kien", "diem"]
    for column, name in enumerate(names, start=2):
        sheet.cell(4, column, f" {name} ")  # stray spaces around header names
    rows = {
        5: [1, "00123", "Nguyễn Văn Á", 4, 5, 3, dt.datetime(2025, 3, 14), "Rất tốt", 12.5],
        6: [2, 124, "Trần Thị Bình", 5, 4.0, 2, dt.datetime(2025, 3, 14), None, 0.1 + 0.2],
        8: [3, "00125", "Lê Hoàng", 4, 4, "Hài lòng", dt.datetime(2025, 3, 15, 8, 30), "  ", 1e-5],
        9: [4, "00126", "Phạm Thu Hà", 3, dt.datetime(2025, 1, 2), 5, dt.date(2025, 3, 16),
            "Cần cải thiện", 123456789012],
        10: ["Tổng cộng", None, None, 16, 13, 10, None, None, 64.8],
    }  # fmt: skip
    for row, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    sheet.cell(12, 2).number_format = "0"
    workbook.save(path)
    return path


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: precomposed vowels, combining tone marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        tones = "".join(p for p in parts if p in TONE_MARKS)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


CSV_TEXT = (
    "ma_phieu,ho_ten,c1_1,linh_vuc\n"
    "00123,Nguyễn Văn Ánh,4,Đất đai\n"
    "00124,Trần Thị Bình,5,Hộ tịch\n"
    "\n"
    '00125,Lê Hoàng Yến,3,"Công chứng, chứng thực"\n'
    "NA,Đỗ Quốc Việt,,Cư trú\n"
    "Tổng cộng,,12,\n"
)


def values(series: pd.Series) -> list:
    """The column as a list, missing cells as None (NaN never equals itself)."""
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in series]


def as_lists(frame: pd.DataFrame) -> dict[str, list]:
    return {column: values(frame[column]) for column in frame.columns}


# ---------------------------------------------------------------------------- Excel
def test_field_workbook_header_rows_and_values(tmp_path: Path) -> None:
    raw = read_responses(field_workbook(tmp_path / "field.xlsx"))
    assert raw.sheet == "Dữ liệu"
    assert raw.header_row == 4
    assert raw.format == "xlsx"
    assert list(raw.frame.columns) == [
        "_row", "STT", "ma_phieu", "ho_ten", "c1_1", "c1_2", "c1_3", "ngay", "y_kien", "diem",
    ]  # fmt: skip
    frame = raw.frame
    assert frame[ROW_COLUMN].tolist() == [5, 6, 8, 9]
    # leading zeros kept when typed as text; a number stays the number Excel shows
    assert frame["ma_phieu"].tolist() == ["00123", "124", "00125", "00126"]
    assert frame["STT"].tolist() == ["1", "2", "3", "4"]
    assert frame["c1_1"].tolist() == ["4", "5", "4", "3"]
    assert frame["c1_2"].tolist() == ["5", "4", "4", "2025-01-02"]
    assert frame["c1_3"].tolist() == ["3", "2", "Hài lòng", "5"]
    assert frame["diem"].tolist() == ["12.5", "0.3", "0.00001", "123456789012"]
    assert frame["ngay"].tolist() == [
        "2025-03-14", "2025-03-14", "2025-03-15 08:30:00", "2025-03-16",
    ]  # fmt: skip
    assert values(frame["y_kien"]) == ["Rất tốt", None, None, "Cần cải thiện"]
    assert frame["ho_ten"].tolist()[0] == "Nguyễn Văn Á"
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns[1:])


def test_field_workbook_removed_rows_and_notes(tmp_path: Path) -> None:
    raw = read_responses(field_workbook(tmp_path / "field.xlsx"))
    assert raw.removed[ROW_COLUMN].tolist() == [7, 10]
    assert raw.removed[REASON_COLUMN].tolist() == ["blank_row", "totals_row"]
    assert raw.removed["STT"].tolist()[1] == "Tổng cộng"
    assert raw.removed["c1_1"].tolist()[1] == "16"
    kinds = [note.kind for note in raw.notes]
    assert kinds == [
        "header_row_detected",
        "two_row_header",
        "code_as_date",
        "trailing_blank_rows",
        "blank_rows",
        "totals_row",
    ]
    (header,) = raw.notes_of("header_row_detected")
    assert header.row == 4
    (groups,) = raw.notes_of("two_row_header")
    assert groups.row == 3
    assert "'Yếu tố 1: Tiếp cận dịch vụ' over D:F (c1_1, c1_2, c1_3)" in groups.detail
    (as_date,) = raw.notes_of("code_as_date")
    assert (as_date.row, as_date.column) == (9, "c1_2")
    assert raw.notes_of("totals_row")[0].row == 10
    assert raw.notes_of("blank_rows")[0].row == 7
    # rows 11-12 sit after the last data row: counted, not listed as removed
    assert raw.notes_of("trailing_blank_rows")[0].row == 11
    assert "2 blank rows" in raw.notes_of("trailing_blank_rows")[0].detail


def test_expected_columns_choose_header_and_list_absent(tmp_path: Path) -> None:
    # Row 1 is a legend of distinct text cells: the plain rule takes it for the header;
    # the instrument's expected columns point at row 3.
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Chú thích", "1 = Rất không hài lòng", "5 = Rất hài lòng", "98 = Không biết"])
    sheet.append([])
    sheet.append(["ma_phieu", "c1_1", "C1_2", "ghi_chu"])
    sheet.append(["001", 4, 5, "x"])
    path = tmp_path / "legend.xlsx"
    workbook.save(path)

    plain = read_responses(path)
    assert plain.header_row == 1
    guided = read_responses(path, expected_columns=["ma_phieu", "c1_1", "c1_2", "tinh"])
    assert guided.header_row == 3
    assert guided.frame[ROW_COLUMN].tolist() == [4]
    assert guided.frame["ma_phieu"].tolist() == ["001"]
    (missing,) = guided.notes_of("missing_expected_columns")
    assert missing.detail == "2 expected columns not in the file: 'c1_2' (found as 'C1_2'), 'tinh'"
    assert "3 of the 4 expected columns" in guided.notes_of("header_row_detected")[0].detail


def test_header_row_given_and_sheet_by_name_or_index(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    first.title = "Bìa"
    first.append(["Không phải dữ liệu"])
    data = workbook.create_sheet("Số liệu")
    data.append(["Tiêu đề"])
    data.append(["id", "q1"])
    data.append(["A01", 2])
    path = tmp_path / "two_sheets.xlsx"
    workbook.save(path)

    by_name = read_responses(path, sheet="Số liệu", header_row=2)
    by_index = read_responses(path, sheet=1, header_row=2)
    pd.testing.assert_frame_equal(by_name.frame, by_index.frame)
    assert as_lists(by_name.frame) == {"_row": [3], "id": ["A01"], "q1": ["2"]}
    assert by_name.notes_of("header_row_detected") == []
    with pytest.raises(InputError, match="no sheet named 'Dữ liệu'; sheets: 'Bìa', 'Số liệu'"):
        read_responses(path, sheet="Dữ liệu")
    with pytest.raises(InputError, match="no sheet number 5"):
        read_responses(path, sheet=5)


def test_excel_booleans_errors_and_formula_strings(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "flag", "ratio"])
    sheet.append(["a", True, "#DIV/0!"])
    sheet.append(["b", False, -3])
    path = tmp_path / "types.xlsx"
    workbook.save(path)
    frame = read_responses(path).frame
    assert frame["flag"].tolist() == ["TRUE", "FALSE"]
    assert frame["ratio"].tolist() == ["#DIV/0!", "-3"]


def test_sum_row_without_label_is_a_totals_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_phieu", "c1", "c2", "ghi_chu"])
    sheet.append(["01", 4, 5, "tốt"])
    sheet.append(["02", 3, 2, None])
    sheet.append([None, 7, 7, None])  # sums with an empty id
    path = tmp_path / "sums.xlsx"
    workbook.save(path)
    raw = read_responses(path)
    assert raw.frame[ROW_COLUMN].tolist() == [2, 3]
    assert raw.removed[ROW_COLUMN].tolist() == [4]
    assert raw.removed[REASON_COLUMN].tolist() == ["totals_row"]


def test_last_row_with_empty_id_but_not_sums_is_kept(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_phieu", "c1", "c2"])
    sheet.append(["01", 4, 5])
    sheet.append([None, 3, 2])  # a response whose id was not keyed: cleaning reports it
    path = tmp_path / "no_id.xlsx"
    workbook.save(path)
    raw = read_responses(path)
    assert raw.frame[ROW_COLUMN].tolist() == [2, 3]
    assert raw.removed.empty


def test_empty_header_over_data_names_the_excel_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "q1", None, "q3"])
    sheet.append(["1", 2, 3, 4])
    path = tmp_path / "hole.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        read_responses(path, header_row=1)
    assert str(caught.value) == (
        f"{path}: sheet 'Sheet': row 1: header: empty column name above data in column C"
    )


def test_empty_column_without_data_is_ignored_with_a_note(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "q1", None, "q3"])
    sheet.append(["1", 2, None, 4])
    path = tmp_path / "ghost.xlsx"
    workbook.save(path)
    raw = read_responses(path)
    assert raw.columns == ["id", "q1", "q3"]
    assert raw.notes_of("empty_columns")[0].detail == (
        "ignored 1 column with no name and no data: C"
    )


def test_duplicate_header_in_excel_names_letters(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", *[f"x{i}" for i in range(26)], "x3"])
    sheet.append(["1", *range(27)])
    path = tmp_path / "dup.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        read_responses(path, header_row=1)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "duplicate column name 'x3' in columns E and AB" in message


@pytest.mark.parametrize(
    ("position", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (28, "AB"), (703, "AAA")]
)
def test_excel_column_letter(position: int, letters: str) -> None:
    assert excel_column_letter(position) == letters


# ---------------------------------------------------------------------------- CSV
def test_three_encodings_give_identical_frames(tmp_path: Path) -> None:
    paths = {
        "utf-8": tmp_path / "utf8.csv",
        "utf-8-sig": tmp_path / "bom.csv",
        "cp1258": tmp_path / "cp1258.csv",
    }
    paths["utf-8"].write_bytes(CSV_TEXT.encode("utf-8"))
    paths["utf-8-sig"].write_bytes(CSV_TEXT.encode("utf-8-sig"))
    paths["cp1258"].write_bytes(to_cp1258(CSV_TEXT))
    assert paths["cp1258"].read_bytes() != CSV_TEXT.encode("utf-8")

    raws = {name: read_responses(path) for name, path in paths.items()}
    for name, raw in raws.items():
        assert raw.encoding == name
    base = raws["utf-8"]
    pd.testing.assert_frame_equal(base.frame, raws["utf-8-sig"].frame)
    pd.testing.assert_frame_equal(base.frame, raws["cp1258"].frame)
    pd.testing.assert_frame_equal(base.removed, raws["cp1258"].removed)
    assert as_lists(base.frame) == {
        "_row": [2, 3, 5, 6],
        "ma_phieu": ["00123", "00124", "00125", "NA"],  # "NA" is text, not missing
        "ho_ten": ["Nguyễn Văn Ánh", "Trần Thị Bình", "Lê Hoàng Yến", "Đỗ Quốc Việt"],
        "c1_1": ["4", "5", "3", None],
        "linh_vuc": ["Đất đai", "Hộ tịch", "Công chứng, chứng thực", "Cư trú"],
    }
    assert base.removed[ROW_COLUMN].tolist() == [4, 7]
    assert base.removed[REASON_COLUMN].tolist() == ["blank_row", "totals_row"]
    assert raws["cp1258"].notes_of("encoding")[0].detail == (
        "not valid UTF-8 (byte 40 on line 2); read as cp1258 (Windows Vietnamese)"
    )
    assert raws["utf-8-sig"].notes_of("encoding")[0].detail == (
        "read as UTF-8 with byte-order mark"
    )


def test_declared_encoding_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes(to_cp1258(CSV_TEXT))
    assert read_responses(path, encoding="cp1258").frame["ho_ten"].tolist()[0] == (
        "Nguyễn Văn Ánh"
    )
    with pytest.raises(InputError, match=r"cp\.csv: not valid utf-8: byte 40 on line 2"):
        read_responses(path, encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown encoding 'tcvn-9'"):
        read_responses(path, encoding="tcvn-9")


def test_utf16_text_export_with_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab separated.
    path = tmp_path / "export.txt"
    path.write_bytes("ma\tý_kiến\n007\tTốt lắm\n".encode("utf-16"))
    raw = read_responses(path)
    assert raw.encoding == "utf-16"
    assert as_lists(raw.frame) == {"_row": [2], "ma": ["007"], "ý_kiến": ["Tốt lắm"]}


def test_csv_title_rows_semicolons_and_sum_row(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Kết quả khảo sát;;;\n;;;\nid;a;b;c\n1;2;3;x\n2;4;5;y\n;6;8;\n", encoding="utf-8"
    )
    raw = read_responses(path)
    assert raw.header_row == 3
    assert raw.notes_of("delimiter")[0].detail == "fields separated by ';'"
    assert as_lists(raw.frame) == {
        "_row": [4, 5],
        "id": ["1", "2"],
        "a": ["2", "4"],
        "b": ["3", "5"],
        "c": ["x", "y"],
    }
    assert raw.removed[ROW_COLUMN].tolist() == [6]
    assert raw.removed[REASON_COLUMN].tolist() == ["totals_row"]


def test_csv_two_row_header_without_merges(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(",Yếu tố 1,,Yếu tố 2,\nid,c1_1,c1_2,c2_1,c2_2\n1,4,5,3,2\n", encoding="utf-8")
    raw = read_responses(path, expected_columns=["id", "c1_1", "c1_2", "c2_1", "c2_2"])
    assert raw.header_row == 2
    (note,) = raw.notes_of("two_row_header")
    assert note.row == 1
    assert note.detail == (
        "row 1 holds group labels above the header: 'Yếu tố 1' over 2:3 (c1_1, c1_2); "
        "'Yếu tố 2' over 4:5 (c2_1, c2_2)"
    )


def test_csv_quoted_newline_and_whitespace_cells(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text('id,y_kien\n1,"dòng một\ndòng hai"\n2,   \n3, có khoảng trắng \n')
    frame = read_responses(path).frame
    assert values(frame["y_kien"]) == ["dòng một\ndòng hai", None, " có khoảng trắng "]
    assert frame[ROW_COLUMN].tolist() == [2, 3, 4]


def test_csv_ragged_rows_are_padded_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("id,q1,q2\n1,2,3\n4,5\n")
    raw = read_responses(path)
    assert values(raw.frame["q2"]) == ["3", None]
    assert raw.notes_of("csv_fallback_parser")


def test_csv_decomposed_unicode_is_kept_and_counted(tmp_path: Path) -> None:
    # reading changes nothing but types: cleaning normalises and logs each cell
    path = tmp_path / "nfd.csv"
    text = "id,tinh\n1,Hòa Bình\n2,Hà Nội\n3,Huế\n"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    raw = read_responses(path)
    assert raw.frame["tinh"].tolist() == [
        unicodedata.normalize("NFD", v) for v in ["Hòa Bình", "Hà Nội", "Huế"]
    ]
    assert raw.columns == ["id", "tinh"]
    assert raw.notes_of("not_nfc")[0].detail == (
        "3 cells not in Unicode NFC, left for cleaning to normalise (tinh: 3)"
    )


def test_no_header_like_row_falls_back_to_row_one(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("1,2\n3,4\n")
    raw = read_responses(path)
    assert raw.header_row == 1
    assert raw.columns == ["1", "2"]
    assert raw.notes_of("header_row_detected")[0].detail == (
        "no row among the first 20 looks like a header; row 1 is used"
    )


# ---------------------------------------------------------------------------- broken input
def _assert_names_file(error: InputError, path: Path) -> None:
    assert str(path) in str(error)


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = field_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="cannot read as an Excel workbook") as caught:
        read_responses(bad)
    _assert_names_file(caught.value, bad)


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "random.xlsx"
    bad.write_bytes(np.random.default_rng(1).bytes(3000))
    with pytest.raises(InputError, match="cannot read as an Excel workbook") as caught:
        read_responses(bad)
    _assert_names_file(caught.value, bad)


def test_empty_csv(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_responses(empty)
    assert str(caught.value) == f"{empty}: file is empty (0 bytes)"
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n")
    with pytest.raises(InputError, match="only blank lines"):
        read_responses(blank)
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("id,q1\n")
    with pytest.raises(InputError) as caught:
        read_responses(header_only)
    assert str(caught.value) == f"{header_only}: no data rows below the header (row 1)"


def test_duplicate_header_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,q1,q2, q1\n1,2,3,4\n")
    with pytest.raises(InputError) as caught:
        read_responses(path)
    assert str(caught.value) == (
        f"{path}: row 1: header: duplicate column name 'q1' in columns 2 and 4"
    )


def test_reserved_column_name(tmp_path: Path) -> None:
    path = tmp_path / "reserved.csv"
    path.write_text("id,_row\n1,2\n")
    with pytest.raises(InputError, match="'_row' is reserved"):
        read_responses(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("old.xls", "save it as .xlsx"),
        ("notes.docx", "unsupported file type '.docx'"),
        ("bad.sav", "cannot read as an SPSS .sav file"),
        ("bad.parquet", "cannot read as a Parquet file"),
    ],
)
def test_unsupported_or_broken_types(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"not really that format")
    with pytest.raises(InputError, match=message) as caught:
        read_responses(path)
    _assert_names_file(caught.value, path)


def test_missing_file_and_misplaced_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_responses(tmp_path / "nowhere.csv")
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n")
    with pytest.raises(ParameterError, match="sheet='x' applies to Excel files only"):
        read_responses(path, sheet="x")
    with pytest.raises(ParameterError, match="header_row must be a row number from 1"):
        read_responses(path, header_row=0)


# ---------------------------------------------------------------------------- SPSS, Parquet
def test_sav_keeps_codes_labels_and_user_missing(tmp_path: Path) -> None:
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame(
        {
            "ma": ["001", "002", "003"],
            "q1": [1.0, 5.0, 99.0],
            "tuoi": [30.0, 45.0, 99.0],
            "tinh": ["Hòa Bình", "Huế", "Hà Nội"],
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"q1": "Mức độ hài lòng chung", "tuoi": "Tuổi"},
        variable_value_labels={
            "q1": {1: "Rất không hài lòng", 5: "Rất hài lòng", 98: "Không biết", 99: "KTL"}
        },
        missing_ranges={"q1": [{"lo": 97, "hi": 99}], "tuoi": [99]},
    )
    raw = read_responses(path)
    assert raw.format == "sav"
    assert raw.frame[ROW_COLUMN].tolist() == [1, 2, 3]
    assert raw.frame["q1"].tolist() == [1.0, 5.0, 99.0]  # codes kept, user-missing too
    assert pd.api.types.is_float_dtype(raw.frame["q1"])
    assert raw.frame["ma"].tolist() == ["001", "002", "003"]
    assert raw.value_labels == {
        "q1": {1: "Rất không hài lòng", 5: "Rất hài lòng", 98: "Không biết", 99: "KTL"}
    }
    assert raw.missing_values == {"q1": [97, 98, 99], "tuoi": [99]}
    assert raw.column_labels == {"q1": "Mức độ hài lòng chung", "tuoi": "Tuổi"}


def test_parquet_round_trip_keeps_rows_and_types(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    csv_path.write_bytes(CSV_TEXT.encode("utf-8"))
    first = read_responses(csv_path)
    parquet_path = tmp_path / "a.parquet"
    first.frame.to_parquet(parquet_path)
    again = read_responses(parquet_path)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert again.notes_of("row_numbers_kept")

    typed = pd.DataFrame(
        {"n": [1, 2], "x": [0.5, 1.5], "d": pd.to_datetime(["2025-01-01", "2025-02-01"])}
    )
    typed.to_parquet(tmp_path / "typed.parquet")
    raw = read_responses(tmp_path / "typed.parquet")
    assert raw.frame[ROW_COLUMN].tolist() == [1, 2]
    assert raw.frame["n"].dtype == np.int64
    assert raw.frame["x"].tolist() == [0.5, 1.5]
    assert pd.api.types.is_datetime64_any_dtype(raw.frame["d"])


def test_header_row_beyond_the_file(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id,q1\n1,2\n")
    with pytest.raises(InputError) as caught:
        read_responses(path, header_row=5)
    assert str(caught.value) == f"{path}: header row 5 is beyond the last row (2) of the file"


def test_title_merged_across_the_table_is_not_a_group_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "PHIẾU KHẢO SÁT"
    sheet.merge_cells("A1:C1")
    sheet.append(["id", "q1", "q2"])
    sheet.append(["01", 1, 2])
    path = tmp_path / "title.xlsx"
    workbook.save(path)
    raw = read_responses(path)
    assert raw.header_row == 2
    assert raw.notes_of("two_row_header") == []
    assert as_lists(raw.frame) == {"_row": [3], "id": ["01"], "q1": ["1"], "q2": ["2"]}


def handwritten_xlsx(path: Path, sheet_xml: str) -> Path:
    """A minimal workbook as other tools write it: no styles, no shared strings."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    package = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{sheet_type}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{office}"><sheets>'
            '<sheet name="Phiếu" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{office}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml.replace("MAIN", main),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_xlsx_from_other_tools_inline_strings_prefixes_and_missing_refs(
    tmp_path: Path,
) -> None:
    # A namespace prefix, inline (rich) strings, rows and cells without "r", a formula's
    # text result, a boolean, an error and a number in E notation; row 3 absent.
    sheet_xml = (
        '<x:worksheet xmlns:x="MAIN"><x:dimension ref="A1"/><x:sheetData>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>ma</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:r><x:t>ý </x:t></x:r><x:r><x:t>kiến</x:t></x:r></x:is>'
        '</x:c><x:c t="inlineStr"><x:is><x:t>ok</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>v</x:t></x:is></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>007</x:t></x:is></x:c>'
        '<x:c t="str"><x:f>A2&amp;"x"</x:f><x:v>007x &amp; y</x:v></x:c>'
        '<x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="A4"><x:v>8</x:v></x:c><x:c r="D4"><x:v>2.5E-3</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    )
    raw = read_responses(handwritten_xlsx(tmp_path / "tool.xlsx", sheet_xml))
    assert raw.sheet == "Phiếu"
    assert as_lists(raw.frame) == {
        "_row": [2, 4],
        "ma": ["007", "8"],
        "ý kiến": ["007x & y", None],
        "ok": ["TRUE", None],
        "v": ["#N/A", "0.0025"],
    }
    assert raw.removed[ROW_COLUMN].tolist() == [3]
