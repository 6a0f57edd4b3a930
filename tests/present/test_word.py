"""Tests of DocxReport: Word documents read back (page, fonts, tables, figures)."""

from __future__ import annotations

import docx
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from writers_data import VI_HEADERS, forest, headings, table_text, tidy_estimates

from satisfaction.errors import InputError, ParameterError
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.tables import estimates_table
from satisfaction.present.word import DocxReport


@pytest.fixture(autouse=True)
def _theme():
    with matplotlib.rc_context():
        figures.set_theme()
        yield
    plt.close("all")


@pytest.fixture
def tidy() -> pd.DataFrame:
    return tidy_estimates()


def test_docx_report_page_fonts_table_and_figure(tmp_path, tidy):
    png = save_figure(forest(tidy, "Tỷ lệ hài lòng"), tmp_path, "forest", data=tidy)
    report = DocxReport()
    report.title("Báo cáo kết quả khảo sát")
    report.heading("Kết quả", 1)
    report.paragraph("Tỷ lệ hài lòng chung đạt 82,3%.")
    report.bullets(["Đất đai thấp nhất", "Hộ tịch cao nhất"])
    report.heading("Chi tiết", 2)
    report.heading("Theo lĩnh vực", 3)
    report.table(estimates_table(tidy), caption="Tỷ lệ hài lòng theo lĩnh vực")
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

    assert headings(document) == [(1, "Kết quả"), (2, "Chi tiết"), (3, "Theo lĩnh vực")]
    texts = [p.text for p in document.paragraphs]
    assert "Bảng 1. Tỷ lệ hài lòng theo lĩnh vực" in texts
    assert "Hình 1. Tỷ lệ hài lòng theo lĩnh vực" in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Đất đai thấp nhất", "Hộ tịch cao nhất"]

    (table,) = document.tables
    assert table_text(table) == [
        VI_HEADERS,
        ["Đất đai", "71,2%", "2,1%", "67,0%", "75,1%", "312", "Có", ""],
        ["Hộ tịch", "90,3%", "1,0%", "88,1%", "92,0%", "4.503", "Có", ""],
        ["Xây dựng", "80,0%", "3,1%", "73,0%", "85,3%", "28", "Không", "dưới 30 người trả lời"],
    ]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    assert len(document.inline_shapes) == 1
    width = document.inline_shapes[0].width
    assert 0 < width <= Mm(165)


def test_docx_figure_errors(tmp_path):
    report = DocxReport()
    with pytest.raises(InputError, match="does not exist"):
        report.figure(tmp_path / "none.png", caption="x")
    with pytest.raises(ParameterError, match="PNG"):
        report.figure(tmp_path / "f.svg", caption="x")
    with pytest.raises(ParameterError, match=r"\.docx"):
        report.save(tmp_path / "r.doc")
