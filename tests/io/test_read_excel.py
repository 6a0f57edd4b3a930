"""Tests of the Excel reader (`satisfaction.io.read.excel` and `.workbook`): header rows, merged
group labels, codes Excel turned into dates, totals rows, and workbooks written by other tools.

Fixtures are built in tmp_path so each one shows its trap.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from satisfaction.errors import InputError
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
    # row 12 holds only a format: calamine reads values, so the sheet ends at row 10
    assert raw.notes_of("trailing_blank_rows") == []


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


# ---------------------------------------------------------------------------- broken workbooks
def _assert_names_file(error: InputError, path: Path) -> None:
    assert str(path) in str(error)


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = field_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="cannot read as a workbook") as caught:
        read_responses(bad)
    _assert_names_file(caught.value, bad)


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "random.xlsx"
    bad.write_bytes(np.random.default_rng(1).bytes(3000))
    with pytest.raises(InputError, match="is not an Excel workbook") as caught:
        read_responses(bad)
    _assert_names_file(caught.value, bad)


# ---------------------------------------------------------------------------- other layouts
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
        '<x:c t="inlineStr"><x:is><x:r><x:t xml:space="preserve">ý </x:t></x:r>'
        "<x:r><x:t>kiến</x:t></x:r></x:is>"
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


def test_columns_in_legacy_fonts_are_named_and_converted_by_cleaning(tmp_path: Path) -> None:
    from openpyxl.styles import Font

    from satisfaction.cleaning.rules import clean
    from satisfaction.io.instrument import instrument_from_dict
    from satisfaction.io.text import encode_tcvn3, encode_vni

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_phieu", "ho_ten", "y_kien", "ghi_chu"])
    rows = [("01", "Lê Hà", "Tốt", "Huế"), ("02", "Vũ Mỹ", "Chờ lâu", "Hà Nội")]
    for number, (form, name, comment, note) in enumerate(rows, start=2):
        sheet.append(
            [form, encode_tcvn3(name).decode("cp1252"), encode_vni(comment).decode("cp1252"), note]
        )
        sheet.cell(number, 2).font = Font(name=".VnTime")
        sheet.cell(number, 3).font = Font(name="VNI-Times")
    path = tmp_path / "fonts.xlsx"
    workbook.save(path)

    raw = read_responses(path)
    assert raw.legacy_fonts == {"ho_ten": "tcvn3", "y_kien": "vni"}
    assert "ho_ten (tcvn3), y_kien (vni)" in raw.notes_of("legacy_font")[0].detail
    instrument = instrument_from_dict(
        {
            "id": "f",
            "title": {"vi": "F"},
            "version": "1",
            "geography": "current_34",
            "id_column": "ma_phieu",
            "scales": {
                "yn": {"levels": [{"code": 1, "label": "Có"}, {"code": 2, "label": "Không"}]}
            },
            "items": [
                {"id": "ho_ten", "type": "text"},
                {"id": "y_kien", "type": "text"},
                {"id": "ghi_chu", "type": "text"},
            ],
            "personal_data": [{"column": "ho_ten", "action": "keep"}],
        }
    )
    result = clean(raw, instrument)
    assert result.data["ho_ten"].tolist() == ["Lê Hà", "Vũ Mỹ"]
    assert result.data["y_kien"].tolist() == ["Tốt", "Chờ lâu"]
    assert result.count("legacy_tcvn3", "ho_ten") == 2 and result.count("legacy_vni") == 2
