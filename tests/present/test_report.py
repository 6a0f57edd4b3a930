"""Tests of the report writers: files read back and compared value by value."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess
import zlib

import docx
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from satisfaction.errors import InputError, ParameterError
from satisfaction.present import figures
from satisfaction.present import report as R

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _theme():
    with matplotlib.rc_context():
        figures.set_theme()
        yield
    plt.close("all")


@pytest.fixture
def tidy() -> pd.DataFrame:
    """A tidy estimates frame as the estimators return it (by-column first)."""
    return pd.DataFrame(
        {
            "field": ["Đất đai", "Hộ tịch", "Xây dựng"],
            "variable": "satisfied",
            "level": 1,
            "estimate": [0.7124, 0.903, 0.8],
            "se": [0.0213, 0.0101, 0.0307],
            "ci_low": [0.6702, 0.8813, 0.7301],
            "ci_high": [0.7509, 0.9201, 0.8527],
            "cv": [0.03, 0.011, 0.038],
            "deff": [1.52, 1.21, 2.04],
            "n": [312, 4503, 28],
            "N": [101234.5, 203456.0, 30001.25],
            "df": [40, 40, 40],
            "reliable": [True, True, False],
            "reliability_note": ["", "", "n < 30"],
        }
    )


# --------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------


def test_format_number_and_percent_use_vietnamese_separators():
    assert R.format_number(1234567.891, digits=2) == "1.234.567,89"
    assert R.format_number(1234567.891, digits=2, language="en") == "1,234,567.89"
    assert R.format_number(312, digits=0) == "312"
    assert R.format_number(-0.0004, digits=1) == "0,0"  # never "-0,0"
    assert R.format_number(float("nan")) == ""
    assert R.format_percent(0.8234) == "82,3%"
    assert R.format_percent(0.8235, digits=2) == "82,35%"
    assert R.format_percent(0.011, sign=True) == "+1,1%"
    assert R.format_percent(-0.032, sign=True) == "-3,2%"
    assert R.format_percent(0.0004, sign=True) == "0,0%"
    assert R.format_percent(-0.0004, sign=True) == "0,0%"
    assert R.format_percent(None) == ""


def test_format_table_renders_each_kind_of_column():
    frame = pd.DataFrame(
        {
            "Tỷ lệ": [0.823, np.nan],
            "n": [1234.0, 56.0],
            "deff": [1.234, 2.0],
            "ok": [True, False],
            "ngày": pd.to_datetime(["2024-03-05", "2024-12-31"]),
            "ghi chú": ["Hộ tịch", None],
        }
    )
    text = R.format_table(frame, percent_columns=["Tỷ lệ"])
    assert text.values.tolist() == [
        ["82,3%", "1.234", "1,23", "Có", "05/03/2024", "Hộ tịch"],
        ["", "56", "2,00", "Không", "31/12/2024", ""],
    ]
    english = R.format_table(frame, percent_columns=["Tỷ lệ"], language="en")
    assert english.iloc[0].tolist() == ["82.3%", "1,234", "1.23", "Yes", "05/03/2024", "Hộ tịch"]


def test_note_line_lists_source_method_and_date():
    line = R.note_line(source="Khảo sát SIPAS 2024", method="tỷ lệ 4–5", date=dt.date(2025, 3, 5))
    assert line == "Nguồn: Khảo sát SIPAS 2024. Phương pháp: tỷ lệ 4–5. Ngày lập: 05/03/2025."
    assert R.note_line(source="x", date="") == "Nguồn: x."
    assert R.note_line(method="m", date="", language="en") == "Method: m."


# --------------------------------------------------------------------------------------
# Safe names and save_figure
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Hình 1: Đất đai", "hinh-1-dat-dai"),
        ("Tỷ_lệ HÀI LÒNG", "ty_le-hai-long"),
        ("forest_province-2024", "forest_province-2024"),
        ("  Thủ tục.v2 ", "thu-tuc-v2"),
        ("Ưu tiên #1 (Đồng Tháp)", "uu-tien-1-dong-thap"),
        ("__a__b__", "a_b"),
        ("CON", "con-1"),
    ],
)
def test_safe_stem(name, stem):
    assert R.safe_stem(name) == stem


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "", "   ", "..", "!!!", "_!_", "x\x00"])
def test_safe_stem_rejects_unsafe_names(name):
    with pytest.raises(ParameterError):
        R.safe_stem(name)


def _png_dpi(path) -> tuple[float, float]:
    """Dots per inch from the PNG pHYs chunk (pixels per metre, unit byte 1)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", body)
            assert unit == 1
            return x * 0.0254, y * 0.0254
        pos += 12 + length
    raise AssertionError("no pHYs chunk")


def _forest(tidy: pd.DataFrame, title: str):
    return figures.forest(tidy, y="field", title=title, source="Khảo sát SIPAS 2024")


def test_save_figure_writes_png_svg_csv(tmp_path, tidy):
    title = "Tỷ lệ hài lòng theo lĩnh vực – tỉnh Đồng Tháp"
    ax = _forest(tidy, title)
    fig = ax.figure
    out = tmp_path / "hình"
    paths = R.save_figure(ax, out, "Hình 1: Lĩnh vực", data=tidy)

    assert paths == {
        ext: (out / f"hinh-1-linh-vuc.{ext}").resolve() for ext in ("png", "svg", "csv")
    }
    assert sorted(p.name for p in out.iterdir()) == [
        "hinh-1-linh-vuc.csv",
        "hinh-1-linh-vuc.png",
        "hinh-1-linh-vuc.svg",
    ]  # no temporary files left behind
    assert not plt.fignum_exists(fig.number)

    dpi_x, dpi_y = _png_dpi(paths["png"])
    assert dpi_x == pytest.approx(200, abs=0.01) and dpi_y == pytest.approx(200, abs=0.01)

    svg = paths["svg"].read_text(encoding="utf-8")
    assert f">{title}<" in svg  # text kept as text, verbatim, NFC
    assert "Nguồn: Khảo sát SIPAS 2024" in svg  # the footer outside the Axes is saved
    assert "<dc:date>" not in svg

    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Đất đai".encode() in raw
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig", keep_default_na=False)
    pd.testing.assert_frame_equal(back, tidy)


def test_save_figure_higher_dpi_and_figure_argument(tmp_path, tidy):
    ax = _forest(tidy, "Hình")
    paths = R.save_figure(ax.figure, tmp_path, "f", data=tidy, dpi=300)
    assert _png_dpi(paths["png"])[0] == pytest.approx(300, abs=0.01)


def test_save_figure_svg_is_reproducible(tmp_path, tidy):
    first = R.save_figure(_forest(tidy, "Lần 1"), tmp_path / "a", "f", data=tidy)
    second = R.save_figure(_forest(tidy, "Lần 1"), tmp_path / "b", "f", data=tidy)
    assert first["svg"].read_bytes() == second["svg"].read_bytes()


@pytest.mark.parametrize("name", ["../x", "a/b", "", "a\\b"])
def test_save_figure_unsafe_name_writes_nothing(tmp_path, tidy, name):
    ax = _forest(tidy, "x")
    out = tmp_path / "out"
    with pytest.raises(ParameterError):
        R.save_figure(ax, out, name, data=tidy)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_save_figure_refuses_symlink_out_of_folder(tmp_path, tidy):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.png"
    (out / "f.png").symlink_to(outside)
    with pytest.raises(ParameterError, match="outside"):
        R.save_figure(_forest(tidy, "x"), out, "f", data=tidy)
    assert not outside.exists()
    assert sorted(p.name for p in out.iterdir()) == ["f.png"]


def test_save_figure_argument_errors(tmp_path, tidy):
    ax = _forest(tidy, "x")
    with pytest.raises(ParameterError, match="dpi"):
        R.save_figure(ax, tmp_path, "f", data=tidy, dpi=100)
    with pytest.raises(InputError, match="DataFrame"):
        R.save_figure(ax, tmp_path, "f", data=tidy.to_dict())
    with pytest.raises(ParameterError, match="Axes or Figure"):
        R.save_figure("not a figure", tmp_path, "f", data=tidy)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------
# estimates_table
# --------------------------------------------------------------------------------------

VI_HEADERS = [
    "Lĩnh vực",
    "Ước lượng (%)",
    "Sai số chuẩn",
    "KTC 95% dưới",
    "KTC 95% trên",
    "n",
    "Tin cậy",
    "Ghi chú",
]


def test_estimates_table_vietnamese(tidy):
    table = R.estimates_table(tidy)
    assert list(table.columns) == VI_HEADERS  # variable and level hold one value: dropped
    assert table["Lĩnh vực"].tolist() == ["Đất đai", "Hộ tịch", "Xây dựng"]
    assert table["Ước lượng (%)"].tolist() == [0.7124, 0.903, 0.8]  # still proportions
    assert table["KTC 95% trên"].tolist() == [0.7509, 0.9201, 0.8527]
    assert table["n"].tolist() == [312, 4503, 28]
    for col in VI_HEADERS[1:6]:
        assert pd.api.types.is_numeric_dtype(table[col]), col
    assert table["Tin cậy"].tolist() == ["Có", "Có", "Không"]
    assert table["Ghi chú"].tolist() == ["", "", "n < 30"]
    assert table.attrs["percent_columns"] == VI_HEADERS[1:5]


def test_estimates_table_english_extras_and_labels(tidy):
    frame = tidy.copy()
    frame["level"] = [1, 2, 1]
    table = R.estimates_table(
        frame, language="en", by_labels={"field": "Lĩnh vực TTHC"}, extra=["deff", "N"]
    )
    assert list(table.columns) == [
        "Lĩnh vực TTHC",
        "Level",
        "Estimate (%)",
        "Standard error",
        "95% CI lower",
        "95% CI upper",
        "n",
        "Design effect",
        "N (weighted)",
        "Reliable",
        "Note",
    ]
    assert table["Level"].tolist() == [1, 2, 1]
    assert table["Design effect"].tolist() == [1.52, 1.21, 2.04]
    assert table["Reliable"].tolist() == ["Yes", "Yes", "No"]


def test_estimates_table_raw_scale_and_errors(tidy):
    papi = tidy.assign(estimate=[5.2, 6.1, 4.9], ci_low=[4.8, 5.7, 4.1], ci_high=[5.6, 6.5, 5.7])
    table = R.estimates_table(papi, percent=False)
    assert "Ước lượng" in table.columns and table.attrs["percent_columns"] == []
    with pytest.raises(InputError, match="outside"):
        R.estimates_table(papi)
    with pytest.raises(InputError, match="'ci_low'"):
        R.estimates_table(tidy.drop(columns="ci_low"))
    with pytest.raises(ParameterError, match="extra"):
        R.estimates_table(tidy, extra=["p_value"])


# --------------------------------------------------------------------------------------
# write_workbook
# --------------------------------------------------------------------------------------


def _rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_write_workbook_numbers_formats_and_layout(tmp_path, tidy):
    table = R.estimates_table(tidy)
    note = R.note_line(source="SIPAS 2024", method="logit", date=dt.date(2025, 1, 2))
    path = R.write_workbook(
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
    assert sheet.freeze_panes == "A4"
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
    path = R.write_workbook(
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
    assert R.sanitise_sheet_name("Q1: tỷ lệ") == "Q1 - tỷ lệ"
    assert R.sanitise_sheet_name("'trích'") == "trích"
    assert R.sanitise_sheet_name("[]") == "()"
    assert R.sanitise_sheet_name("") == "Sheet"
    assert R.sanitise_sheet_name("x" * 40, ["x" * 31]) == "x" * 27 + " (2)"
    assert R.sanitise_sheet_name("Sheet", ["sheet", "Sheet (2)"]) == "Sheet (3)"


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
    path = R.write_workbook(
        tmp_path / "t.xlsx",
        {"s": frame},
        percent_columns=["Tỷ lệ", "Thay đổi"],
        number_formats={"deff": "0.000"},
    )
    sheet = openpyxl.load_workbook(path)["s"]
    assert [c.value for c in sheet[1]] == list(frame.columns)
    a2, b2, c2, d2, e2, f2 = sheet[2]
    assert a2.data_type == "s" and a2.value == '=HYPERLINK("http://x")'  # never a formula
    assert sheet["A3"].value == "Xã Tân Phú"  # control character Excel rejects dropped
    assert sheet["A4"].value is None
    assert (b2.value, b2.number_format) == (0.5, "0.0%")
    assert sheet["B3"].value is None
    assert (c2.value, c2.number_format) == (-0.032, "0.0%")
    assert (d2.value, d2.number_format) == (1.234, "0.000")
    assert sheet["D4"].value is None  # Excel has no infinity
    assert e2.value == dt.datetime(2024, 3, 5) and e2.number_format == "dd/mm/yyyy"
    assert f2.data_type == "b" and f2.value is True
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F4"


def test_write_workbook_errors_write_nothing(tmp_path):
    frame = pd.DataFrame({"Tỷ lệ": [82.3]})
    target = tmp_path / "t.xlsx"
    with pytest.raises(InputError, match="divide percentages by 100"):
        R.write_workbook(target, {"s": frame}, percent_columns=["Tỷ lệ"])
    with pytest.raises(ParameterError, match="no sheet"):
        R.write_workbook(target, {"s": frame}, percent_columns=["Tỷ lệ hài lòng"])
    with pytest.raises(ParameterError, match="'t'"):
        R.write_workbook(target, {"s": frame}, notes={"t": "x"})
    with pytest.raises(ParameterError, match=r"\.xlsx"):
        R.write_workbook(tmp_path / "t.xls", {"s": frame})
    with pytest.raises(InputError, match="text"):
        R.write_workbook(target, {"s": pd.DataFrame({"p": ["82%"]})}, percent_columns=["p"])
    assert list(tmp_path.iterdir()) == []


def test_write_workbook_index_and_percent_by_sheet(tmp_path, tidy):
    by_field = tidy.set_index("field")[["estimate", "n"]]
    path = R.write_workbook(
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


# --------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------


def _table_text(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _headings(document) -> list[tuple[int, str]]:
    out = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            out.append((int(name.split()[1]), paragraph.text))
    return out


def test_docx_report_page_fonts_table_and_figure(tmp_path, tidy):
    png = R.save_figure(_forest(tidy, "Tỷ lệ hài lòng"), tmp_path, "forest", data=tidy)
    report = R.DocxReport()
    report.title("Báo cáo kết quả khảo sát")
    report.heading("Kết quả", 1)
    report.paragraph("Tỷ lệ hài lòng chung đạt 82,3%.")
    report.bullets(["Đất đai thấp nhất", "Hộ tịch cao nhất"])
    report.heading("Chi tiết", 2)
    report.heading("Theo lĩnh vực", 3)
    report.table(R.estimates_table(tidy), caption="Tỷ lệ hài lòng theo lĩnh vực")
    report.figure(png, caption="Tỷ lệ hài lòng theo lĩnh vực")
    with pytest.raises(ParameterError):
        report.heading("x", 4)
    path = report.save(tmp_path / "r.docx")

    document = docx.Document(str(path))
    section = document.sections[0]
    page = [section.page_width, section.page_height, section.left_margin, section.right_margin]
    page += [section.top_margin, section.bottom_margin]
    assert [length.mm for length in page] == pytest.approx([210, 297, 30, 15, 20, 20], abs=0.05)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(13)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert fonts.get(qn(slot)) == "Times New Roman", slot
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    default_fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert default_fonts.get(qn("w:asciiTheme")) is None
    heading_fonts = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading_fonts.get(qn("w:cs")) == "Times New Roman"
    assert heading_fonts.get(qn("w:asciiTheme")) is None
    assert document.core_properties.language == "vi-VN"
    assert document.core_properties.title == "Báo cáo kết quả khảo sát"

    assert _headings(document) == [(1, "Kết quả"), (2, "Chi tiết"), (3, "Theo lĩnh vực")]
    texts = [p.text for p in document.paragraphs]
    assert "Bảng 1. Tỷ lệ hài lòng theo lĩnh vực" in texts
    assert "Hình 1. Tỷ lệ hài lòng theo lĩnh vực" in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Đất đai thấp nhất", "Hộ tịch cao nhất"]

    (table,) = document.tables
    assert _table_text(table) == [
        VI_HEADERS,
        ["Đất đai", "71,2%", "2,1%", "67,0%", "75,1%", "312", "Có", ""],
        ["Hộ tịch", "90,3%", "1,0%", "88,1%", "92,0%", "4.503", "Có", ""],
        ["Xây dựng", "80,0%", "3,1%", "73,0%", "85,3%", "28", "Không", "n < 30"],
    ]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    assert len(document.inline_shapes) == 1
    width = document.inline_shapes[0].width
    assert 0 < width <= Mm(165)


def test_docx_figure_errors(tmp_path):
    report = R.DocxReport()
    with pytest.raises(InputError, match="does not exist"):
        report.figure(tmp_path / "none.png", caption="x")
    with pytest.raises(ParameterError, match="PNG"):
        report.figure(tmp_path / "f.svg", caption="x")
    with pytest.raises(ParameterError, match=r"\.docx"):
        report.save(tmp_path / "r.doc")


def _plan_frame(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy.assign(
        item=[
            "Thời gian giải quyết đúng hạn",
            "Công chức hướng dẫn tận tình",
            "Phí đúng quy định",
        ],
        change=[-0.0321, 0.011, np.nan],
        priority=["Cao", "Thấp", "Trung bình"],
    )


PLAN_ROWS = [
    ["Đất đai", "Thời gian giải quyết đúng hạn", f"71,2%{NBSP}(67,0–75,1)\nn{NBSP}={NBSP}312",
     f"-3,2{NBSP}điểm{NBSP}%", "Cao", "", ""],
    ["Hộ tịch", "Công chức hướng dẫn tận tình", f"90,3%{NBSP}(88,1–92,0)\nn{NBSP}={NBSP}4.503",
     f"+1,1{NBSP}điểm{NBSP}%", "Thấp", "", ""],
    ["Xây dựng", "Phí đúng quy định", f"80,0%{NBSP}(73,0–85,3)\nn{NBSP}={NBSP}28 *", "–",
     "Trung bình", "", ""],
]  # fmt: skip


def test_remediation_plan_rows(tidy):
    rows = R.remediation_plan_rows(_plan_frame(tidy))
    assert list(rows.columns) == list(R.PLAN_COLUMNS)
    assert rows.values.tolist() == PLAN_ROWS
    bare = R.remediation_plan_rows(
        _plan_frame(tidy).drop(columns=["change", "n"]), unit="field", priority=None
    )
    assert bare.iloc[0].tolist() == [
        "Đất đai",
        "Thời gian giải quyết đúng hạn",
        f"71,2%{NBSP}(67,0–75,1)",
        "–",
        "",
        "Đất đai",
        "",
    ]
    with pytest.raises(InputError, match="'item'"):
        R.remediation_plan_rows(tidy)


def test_write_remediation_docx_structure(tmp_path, tidy):
    png = R.save_figure(_forest(tidy, "Tỷ lệ hài lòng"), tmp_path, "forest", data=tidy)
    path = R.write_remediation_docx(
        tmp_path / "remediation_plan.docx",
        title="Kế hoạch khắc phục năm 2024",
        results_paragraphs=["Tỷ lệ hài lòng chung đạt 82,3%.", "Hộ tịch cao nhất."],
        figures=[(png, "Tỷ lệ hài lòng theo lĩnh vực")],
        limitations=tidy.iloc[[0, 2]],
        plan_table=_plan_frame(tidy),
        causes={"Nguyên nhân chủ quan": ["Thiếu công chức ở bộ phận một cửa."]},
    )
    document = docx.Document(str(path))
    assert _headings(document) == list(R.REMEDIATION_HEADINGS)
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [
        "Kế hoạch khắc phục năm 2024"
    ]
    texts = [p.text for p in document.paragraphs]
    objective = texts.index("Nguyên nhân khách quan")
    assert texts[objective + 1] == "(Đơn vị phân tích, bổ sung.)"
    subjective = texts.index("Nguyên nhân chủ quan")
    assert texts[subjective + 1] == "Thiếu công chức ở bộ phận một cửa."
    assert texts.index("Hình 1. Tỷ lệ hài lòng theo lĩnh vực") < texts.index("Hạn chế, tồn tại")
    assert "* Ước lượng không đủ tin cậy (cỡ mẫu nhỏ), chỉ để tham khảo." in texts

    limitations, plan = document.tables
    assert _table_text(limitations)[0] == VI_HEADERS
    assert _table_text(limitations)[2] == [
        "Xây dựng", "80,0%", "3,1%", "73,0%", "85,3%", "28", "Không", "n < 30",
    ]  # fmt: skip
    assert _table_text(plan) == [list(R.PLAN_COLUMNS), *PLAN_ROWS]
    assert len(document.inline_shapes) == 1


def test_write_remediation_docx_ready_plan_and_bullets(tmp_path):
    ready = pd.DataFrame(
        {
            "Lĩnh vực": ["Đất đai"],
            "Tiêu chí": ["Đúng hạn"],
            "Chỉ số hiện tại (KTC 95%)": ["71,2% (67,0–75,1)"],
            "Thay đổi so với kỳ trước": ["–"],
            "Mức ưu tiên": ["Cao"],
        }
    )
    path = R.write_remediation_docx(
        tmp_path / "p.docx",
        title="Kế hoạch",
        results_paragraphs=[],
        limitations=["Đất đai: 71,2%, thấp nhất."],
        plan_table=ready,
    )
    document = docx.Document(str(path))
    (plan,) = document.tables
    assert _table_text(plan)[1] == ["Đất đai", "Đúng hạn", "71,2% (67,0–75,1)", "–", "Cao", "", ""]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Đất đai: 71,2%, thấp nhất."]
    assert len(document.inline_shapes) == 0
    with pytest.raises(ParameterError, match="unknown heading"):
        R.write_remediation_docx(
            tmp_path / "q.docx",
            title="x",
            results_paragraphs=[],
            limitations=[],
            plan_table=ready,
            causes={"Nguyên nhân khác": ["x"]},
        )
    assert not (tmp_path / "q.docx").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_remediation_docx_converts_to_pdf_with_libreoffice(tmp_path, tidy):
    path = R.write_remediation_docx(
        tmp_path / "plan.docx",
        title="Kế hoạch khắc phục",
        results_paragraphs=["Tỷ lệ hài lòng chung đạt 82,3%."],
        limitations=tidy,
        plan_table=_plan_frame(tidy),
    )
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "plan.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        for expected in ("KẾT QUẢ KHẢO SÁT", "Nguyên nhân khách quan", "Giải pháp, nhiệm vụ"):
            assert expected in text
        assert "90,3%" in text and "4.503" in text
