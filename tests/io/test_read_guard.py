"""Hostile and mislabelled workbooks (`satisfaction.io.read.guard`): each is refused in one
line naming the file and the limit or what the file really is, before anything is expanded;
formulas saved without values are refused (never read as blanks); error cells keep their
text; merged blocks of data rows are filled down and logged per cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_read_excel import handwritten_xlsx

from satisfaction.cleaning.rules import clean
from satisfaction.errors import InputError
from satisfaction.io.instrument import instrument_from_dict
from satisfaction.io.read import ROW_COLUMN, read_responses

_MAIN = "MAIN"


def one_far_cell(path: Path, reference: str) -> Path:
    row = "".join(ch for ch in reference if ch.isdigit())
    sheet_xml = (
        f'<worksheet xmlns="{_MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        f'<row r="2"><c r="A2"><v>1</v></c></row>'
        f'<row r="{row}"><c r="{reference}"><v>1</v></c></row></sheetData></worksheet>'
    )
    return handwritten_xlsx(path, sheet_xml)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("A200000000", "a cell reference reaches row 200,000,000, beyond Excel's"),
        ("ZZZZZZ3", "a cell reference has a column of five letters or more"),
        ("XFE3", "a cell reference reaches column XFE"),
        ("XFD1048576", "more than the 60,000,000 cells the reader takes"),
    ],
)
def test_far_references_are_refused_before_expanding(
    tmp_path: Path, reference: str, message: str
) -> None:
    path = one_far_cell(tmp_path / "far.xlsx", reference)
    with pytest.raises(InputError, match=message) as caught:
        read_responses(path)
    assert str(caught.value).startswith(f"{path}: sheet 'Phiếu': ")


def test_zip_bomb_is_refused_by_its_stated_size(tmp_path: Path) -> None:
    path = one_far_cell(tmp_path / "bomb.xlsx", "B3")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (80 * 1024**2))  # 80 MB of zeros
    assert path.stat().st_size < 1024**2
    with pytest.raises(InputError, match=r"part .xl/media/padding.bin. would expand to"):
        read_responses(path)


def test_formulas_without_cached_values_are_refused_naming_the_cells(tmp_path: Path) -> None:
    workbook = Workbook()  # openpyxl writes formulas without their values, as many tools do
    sheet = workbook.active
    sheet.append(["ma_phieu", "c1", "c2", "tong"])
    sheet.append(["01", 4, 5, "=B2+C2"])
    sheet.append(["02", 3, 2, "=B3+C3"])
    sheet.append(['=TEXT(3,"00")', "=B2", "=C2", "=B4+C4"])  # a row made only of formulas
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        read_responses(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: sheet 'Sheet': 6 formula cell(s) were saved without")
    assert "(D2, D3, A4, B4, C4, D4)" in message and "recalculate" in message


def test_formula_with_cached_value_and_error_cells_are_read(tmp_path: Path) -> None:
    sheet_xml = (
        f'<worksheet xmlns="{_MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>tra_cuu</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="e"><f>VLOOKUP(A2,X,2,0)</f>'
        "<v>#N/A</v></c></row>"
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><f>A3*2</f><v>4</v></c></row>'
        "</sheetData></worksheet>"
    )
    raw = read_responses(handwritten_xlsx(tmp_path / "cached.xlsx", sheet_xml))
    assert raw.frame["tra_cuu"].tolist() == ["#N/A", "4"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE html><html><body><table><tr><td>id</td></tr></table>", "web page (HTML)"),
        ("ma_phieu,tinh\n01,Hà Nội\n".encode(), "is a text (CSV) file saved with the name"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"></Workbook>',
            "Excel 2003 XML spreadsheet",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "Excel 97-2003 workbook (.xls)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            "password-protected",
        ),
    ],
)
def test_files_that_are_not_what_their_name_says(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_responses(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_xlsx_named_xls_and_ods(tmp_path: Path) -> None:
    good = one_far_cell(tmp_path / "good.xlsx", "B3")
    for suffix in (".xls", ".ods"):
        path = tmp_path / f"named{suffix}"
        path.write_bytes(good.read_bytes())
        with pytest.raises(InputError, match=f"is an .xlsx workbook named {suffix}"):
            read_responses(path)


# ---------------------------------------------------------------------------- merged cells
def merged_province_workbook(path: Path) -> Path:
    """A province typed once and merged over the rows of its forms (B2:B4, B5:B6)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_phieu", "tinh", "c1", "ghi_chu"])
    for row in [["01", "Hà Nội", 4], ["02", None, 5], ["03", None, 3], ["04", "Huế", 2],
                ["05", None, 4]]:  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("B5:B6")
    sheet["D2"] = "ý kiến chung"
    sheet.merge_cells("D2:E3")  # a comment laid over two columns and two rows
    workbook.save(path)
    return path


def test_merged_blocks_are_filled_down_and_listed(tmp_path: Path) -> None:
    raw = read_responses(merged_province_workbook(tmp_path / "merged.xlsx"))
    assert raw.frame["tinh"].tolist() == ["Hà Nội", "Hà Nội", "Hà Nội", "Huế", "Huế"]
    assert raw.frame["ghi_chu"].tolist()[:2] == ["ý kiến chung", "ý kiến chung"]
    filled = raw.filled.sort_values([ROW_COLUMN, "column"])
    assert filled.values.tolist() == [
        [3, "ghi_chu", "ý kiến chung"],
        [3, "tinh", "Hà Nội"],
        [4, "tinh", "Hà Nội"],
        [6, "tinh", "Huế"],
    ]
    details = [n.detail for n in raw.notes_of("merged_cells_filled")]
    assert "merged block B2:B4: 'Hà Nội' filled down column 'tinh' into 2 rows (3, 4)" in details
    assert any("columns E:E of the block left empty" in d for d in details)


def test_cleaning_logs_each_filled_cell(tmp_path: Path) -> None:
    raw = read_responses(merged_province_workbook(tmp_path / "merged.xlsx"))
    instrument = instrument_from_dict(
        {
            "id": "merged",
            "title": {"vi": "Ô gộp"},
            "version": "1",
            "geography": "current_34",
            "id_column": "ma_phieu",
            "scales": {
                "s5": {
                    "levels": [{"code": i, "label": {"vi": str(i)}} for i in range(1, 6)],
                    "satisfied": [4, 5],
                }
            },
            "respondent": {"province": "tinh"},
            "items": [{"id": "c1", "type": "likert", "scale": "s5", "role": "criterion"}],
        }
    )
    result = clean(raw, instrument)
    entries = result.log.loc[result.log["rule"] == "merged_cell_filled"]
    assert sorted(
        zip(entries["row_id"], entries["column"], entries["new_value"], strict=True)
    ) == [
        (3, "ghi_chu", "ý kiến chung"),
        (3, "tinh", "Hà Nội"),
        (4, "tinh", "Hà Nội"),
        (6, "tinh", "Huế"),
    ]
    assert entries.loc[entries["row_id"] == 4, "form_id"].tolist() == ["03"]
    assert result.data["tinh"].notna().all()


def test_ods_repeating_a_row_two_hundred_million_times_is_refused(tmp_path: Path) -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
        'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
        'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        '<office:body><office:spreadsheet><table:table table:name="S"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>id</text:p></table:table-cell>'
        '</table:table-row><table:table-row table:number-rows-repeated="200000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"/></table:table-row></table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
        )
    with pytest.raises(InputError, match="larger than the reader takes") as caught:
        read_responses(path)
    assert str(caught.value).startswith(f"{path}: cannot read as a workbook")
