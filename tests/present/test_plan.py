"""Remediation plan documents: the docx table equals the xlsx, which equals the estimates."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from constructed_survey import FIELD_ROWS, PHONE, PREVIOUS_CHANGE, write_constructed
from satisfaction.analysis.estimates import ALL
from satisfaction.errors import ParameterError
from satisfaction.present.formatting import format_percent
from satisfaction.present.plan import RemediationReport
from satisfaction.present.remediation_docs import PLAN_COLUMNS, REMEDIATION_HEADINGS
from satisfaction.present.workbook import P_FORMAT
from satisfaction.run.pdf import export_pdfs, libreoffice

NBSP = "\u00a0"
CURRENT = re.compile(
    rf"^(?P<share>[\d.,]+)%{NBSP}\((?P<low>[\d.,]+)–(?P<high>[\d.,]+)\)\n"
    rf"n{NBSP}={NBSP}(?P<n>[\d.]+)(?P<star> \*)?$"
)
CHANGE = re.compile(rf"^(?P<points>[+-]?[\d.,]+){NBSP}điểm{NBSP}%$")


def _number(text: str) -> float:
    """A Vietnamese number ("1.234,5") as a float."""
    return float(text.replace(".", "").replace(",", "."))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plan-docs")
    write_constructed(root, "plan-test", 2025)
    write_constructed(root, "plan-test-prev", 2024, change=PREVIOUS_CHANGE)
    write_constructed(root, "plan-test-old", 2021, version="t.0")
    return root


@pytest.fixture(scope="module")
def report(project) -> RemediationReport:
    return RemediationReport.open(
        "plan-test",
        province="all",
        previous_wave="plan-test-prev",
        root=project,
        output_dir=project / "out" / "all",
    )


@pytest.fixture(scope="module")
def written(report) -> dict[str, Path]:
    return report.finish()


@pytest.fixture(scope="module")
def workbook(written):
    from openpyxl import load_workbook

    return load_workbook(written["xlsx"])


@pytest.fixture(scope="module")
def document(written):
    import docx

    return docx.Document(str(written["docx"]))


def _sheet(workbook, name: str) -> tuple[list[str], list[list], list[list[str]]]:
    """Header, values and number formats of a sheet (title and notes rows above the header)."""
    rows = list(workbook[name].iter_rows(min_row=3))
    header = [c.value for c in rows[0]]
    return (
        header,
        [[c.value for c in r] for r in rows[1:]],
        [[c.number_format for c in r] for r in rows[1:]],
    )


def _plan_table(document):
    for table in document.tables:
        if tuple(c.text for c in table.rows[0].cells) == PLAN_COLUMNS:
            return table
    raise AssertionError("no solutions-and-tasks table")


def test_docx_plan_rows_equal_the_xlsx_summary_and_the_estimates(document, workbook, report):
    header, values, _ = _sheet(workbook, "Tổng hợp")
    rows = [dict(zip(header, v, strict=True)) for v in values]
    table = _plan_table(document)
    body = table.rows[1:]
    assert len(body) == len(rows) == 9  # the constructed plan: 4 + 2 + 3 cells below target
    criteria = report.estimates["criteria"].set_index(["province", "field", "label"])
    for row, xlsx in zip(body, rows, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[0] == xlsx["Lĩnh vực"] and cells[1] == xlsx["Tiêu chí"]
        assert cells[4] == xlsx["Mức ưu tiên"] and cells[5] == cells[6] == ""
        shown = CURRENT.match(cells[2])
        assert shown, cells[2]
        for key, column in (("share", "Tỷ lệ hài lòng (%)"), ("low", "KTC 95% dưới")):
            assert _number(shown[key]) == pytest.approx(round(100 * xlsx[column], 1), abs=1e-9)
        assert _number(shown["high"]) == pytest.approx(round(100 * xlsx["KTC 95% trên"], 1))
        assert int(_number(shown["n"])) == xlsx["n"]
        assert bool(shown["star"]) == (xlsx["Tin cậy"] == "Không")
        moved = CHANGE.match(cells[3])
        assert moved, cells[3]
        points = round(100 * xlsx["Thay đổi so với kỳ trước (điểm %)"], 1)
        assert _number(moved["points"]) == pytest.approx(points, abs=1e-9)
        # the xlsx holds the estimates themselves, as numbers
        estimate = criteria.loc[(ALL, xlsx["Lĩnh vực"], xlsx["Tiêu chí"])]
        assert xlsx["Tỷ lệ hài lòng (%)"] == pytest.approx(estimate["estimate"], rel=1e-12)
        assert xlsx["KTC 95% dưới"] == pytest.approx(estimate["ci_low"], rel=1e-12)
        assert xlsx["n"] == estimate["n"]
    first = rows[0]
    assert (first["Lĩnh vực"], first["Mã tiêu chí"], first["Mức ưu tiên"]) == (
        "Đất đai",
        "a1",
        "Ưu tiên 1",
    )
    assert body[0].cells[3].text == f"+15,0{NBSP}điểm{NBSP}%"  # planted: 40% -> 55%
    assert body[0].cells[2].text.startswith(f"55,0%{NBSP}(")


def test_xlsx_prints_landscape_one_page_wide_with_names_frozen(workbook):
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    summary = workbook["Tổng hợp"]
    assert summary.print_title_rows == "$3:$3"  # the header row repeats on every page
    header = [c.value for c in summary[3]]
    # the header rows and the columns that name a row (rank, priority, field, code) stay
    assert summary.freeze_panes == "E4" and header[:4] == [
        "Thứ tự",
        "Mức ưu tiên",
        "Lĩnh vực",
        "Mã tiêu chí",
    ]
    p = header.index("p một phía (hiệu chỉnh)")
    shown = [r[p].value for r in summary.iter_rows(min_row=4) if r[p].value is not None]
    assert all(float(f"{v:.3g}") == v for v in shown)  # 3 significant digits


def test_xlsx_numbers_are_numbers_with_formats(workbook):
    header, values, formats = _sheet(workbook, "Tổng hợp")
    for name, fmt in (
        ("Tỷ lệ hài lòng (%)", "0.0%"),
        ("KTC 95% dưới", "0.0%"),
        ("Chênh lệch so với mục tiêu (điểm %)", "0.0%"),
        ("Thay đổi so với kỳ trước (điểm %)", "0.0%"),
        ("n", "#,##0"),
        ("p một phía (hiệu chỉnh)", P_FORMAT),
    ):
        j = header.index(name)
        numbers = [v[j] for v in values if v[j] is not None]  # empty: no test (se 0)
        assert len(numbers) >= len(values) - 1, name
        assert all(isinstance(v, int | float) for v in numbers), name
        assert {f[j] for f, v in zip(formats, values, strict=True) if v[j] is not None} == {fmt}, (
            name
        )
    assert header[-2:] == ["Đơn vị chủ trì", "Thời hạn"]


def test_xlsx_has_a_summary_and_one_sheet_per_field(workbook):
    names = workbook.sheetnames
    assert names[0] == "Tổng hợp"
    assert set(FIELD_ROWS) <= set(names)
    for field in FIELD_ROWS:
        header, values, _ = _sheet(workbook, field)
        assert len(values) == 4  # every criterion, on target or not
        assert {v[header.index("Lĩnh vực")] for v in values} == {field}
    for extra in ("Theo tỉnh", "Thay đổi chung", "Động lực", "Độ tin cậy thang đo", "Phương pháp"):
        assert extra in names
    header, values, _ = _sheet(workbook, "Theo tỉnh")
    assert {v[header.index("Tỉnh/thành phố")] for v in values} == {"Hà Nội", "Đắk Lắk"}


def test_docx_follows_the_report_structure_with_figures(document, report):
    headings = [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == list(REMEDIATION_HEADINGS)
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("(Đơn vị phân tích, bổ sung.)") == 2  # causes left for the analyst
    assert "Cách xếp mức ưu tiên: mục tiêu là 80%" in text
    assert "Ưu tiên 1: ước lượng tin cậy" in text
    assert "cụm mẫu cấp 1: sai số tính quanh trung bình chung (quy tắc 'adjust'" in text
    assert len(document.inline_shapes) == 3  # priorities, importance-performance, change
    assert set(report.figure_paths) == {"priorities", "drivers", "change"}
    overall = report.estimates["overall"]
    whole = overall[(overall["province"] == ALL) & (overall["field"] == ALL)].iloc[0]
    assert f"Chỉ số hài lòng chung đạt {format_percent(whole['estimate'])}" in text


def test_personal_data_never_reaches_the_documents(document, workbook):
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert PHONE not in text and PHONE[:6] not in text
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(PHONE[:6] in str(v) for v in row if v is not None)
    header, values, _ = _sheet(workbook, "Ý kiến góp ý")
    assert "thời gian giải quyết hồ sơ quá lâu" in {v[header.index("Cụm từ")] for v in values}


def test_a_method_break_is_explained_in_the_province_plan(project):
    report = RemediationReport.open(
        "plan-test",
        province="Hà Nội",
        previous_wave="plan-test-old",
        root=project,
        output_dir=project / "out" / "ha-noi",
    )
    paths = report.finish()
    import docx

    document = docx.Document(str(paths["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Không so sánh với kỳ trước" in text and "method break" in text
    table = _plan_table(document)
    assert {row.cells[3].text for row in table.rows[1:]} == {"–"}
    assert len(document.inline_shapes) == 2  # no change figure
    assert report.result.plan.iloc[0]["field"] == "Đất đai"  # 65% in Hà Nội: still the worst


def test_bad_parameters_name_the_valid_values(project):
    with pytest.raises(ParameterError, match="valid: all, Hà Nội, Đắk Lắk"):
        RemediationReport.open("plan-test", province="Huế", root=project)
    with pytest.raises(ParameterError, match="valid: plan-test-old, plan-test-prev"):
        RemediationReport.open("plan-test", previous_wave="2024", root=project)
    with pytest.raises(ParameterError, match="percentage"):
        RemediationReport.open("plan-test", target=80, root=project)


def test_sections_return_tables_for_the_notebook(report):
    by_field = report.by_field()
    assert len(by_field) == 16 and by_field.attrs["percent_columns"][0] == "Tỷ lệ hài lòng (%)"
    change = report.change()
    overall = change[(change["Chỉ số"] == "Chỉ số hài lòng chung") & (change["Lĩnh vực"] == ALL)]
    # a1 carries 1/4 of the overall index (mean of two elements of two criteria)
    assert overall["Thay đổi (điểm %)"].iloc[0] == pytest.approx(0.15 * 120 / 288 / 4)
    drivers = report.drivers()
    assert {"E1", "E2", "a1", "b2"} <= set(drivers["Mã"])
    assert "predictor" not in drivers.columns and "Tầm quan trọng" in drivers.columns
    assert isinstance(report.reliability(), pd.DataFrame)


# ------------------------------------------------------------------ administrative form
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _cells_text(table) -> list[str]:
    return [p.text for cell in table.rows[0].cells for p in cell.paragraphs]


@pytest.fixture(scope="module")
def province_plan(project) -> dict[str, Path]:
    report = RemediationReport.open(
        "plan-test",
        province="Hà Nội",
        previous_wave="plan-test-prev",
        root=project,
        output_dir=project / "out" / "ha-noi-form",
        document_number="12",
        document_date="05/03/2025",
        signer="Nguyễn Văn A",
    )
    return report.finish()


def test_the_word_plan_has_the_administrative_form(document, province_plan):
    import docx

    # whole survey: the body, number and date are left as dots for the official
    header, signature = _cells_text(document.tables[0]), _cells_text(document.tables[-1])
    assert header[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH ......"] and "Số: .../KH-UBND" in header
    assert NATION in header and "Độc lập - Tự do - Hạnh phúc" in header
    assert "......, ngày ... tháng ... năm 2025" in header
    assert signature[:3] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert "TM. ỦY BAN NHÂN DÂN" in signature and "CHỦ TỊCH" in signature
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == ["KẾ HOẠCH"]
    # a province's plan: its People's Committee, the number and date given as options
    filled = docx.Document(str(province_plan["docx"]))
    header, signature = _cells_text(filled.tables[0]), _cells_text(filled.tables[-1])
    assert header[:2] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"]
    assert "Số: 12/KH-UBND" in header and "Hà Nội, ngày 05 tháng 3 năm 2025" in header
    assert signature[-1] == "Nguyễn Văn A"


def _run_sizes(document) -> list[tuple[float, str]]:
    """(point size, text) of every run of text, from the run, its style or Normal."""
    normal = document.styles["Normal"].font.size.pt
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    sizes = []
    for paragraph in paragraphs:
        style_size = paragraph.style.font.size.pt if paragraph.style.font.size else normal
        for run in paragraph.runs:
            if run.text.strip():
                sizes.append((run.font.size.pt if run.font.size else style_size, run.text))
    return sizes


def test_no_text_in_the_word_plan_prints_under_8_pt(document):
    """Runs of text, and the text inside every figure at the size it is placed."""
    from PIL import Image

    from satisfaction.present.files import SMALLEST_TEXT

    small = [(size, text) for size, text in _run_sizes(document) if size < 8]
    assert small == []
    assert len(document.inline_shapes) == 3
    for shape in document.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = document.part.related_parts[blip.embed]
        with Image.open(io.BytesIO(part.blob)) as picture:
            natural_in = picture.width / picture.info["dpi"][0]
            smallest = float(picture.text[SMALLEST_TEXT])
        placed_in = shape.width / 914400
        assert placed_in <= natural_in + 0.01  # never enlarged, so never blurred either
        assert smallest * placed_in / natural_in >= 8 - 0.01, (smallest, placed_in, natural_in)


@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_export_has_the_expected_pages_and_no_orphan_last_page(province_plan):
    import pypdf

    (pdf,) = export_pdfs(province_plan["docx"].parent, [province_plan["docx"]])
    pages = pypdf.PdfReader(str(pdf)).pages
    # portrait: header, results, 3 figures, limitations, causes; landscape: the plan table,
    # its note and the signature block (LibreOffice 7 and 24 with Liberation Serif for
    # Times New Roman both lay it out on 7 pages)
    assert len(pages) == 7
    last = [line for line in pages[-1].extract_text().splitlines() if line.strip()]
    assert len(last) >= 8 and "Nơi nhận:" in last  # the signature never stands alone


def test_comment_evidence_is_matched_to_its_criterion():
    """A Priority-1 criterion quotes the comment phrase that speaks of it, not the field's
    most frequent phrase for every criterion (and none when no phrase does)."""
    from satisfaction.present.plan_text import _evidence

    said = pd.DataFrame(
        {
            "field": "Đất đai",
            "phrase": ["đất đai", "thời gian giải quyết hồ sơ quá lâu", "nơi ngồi chờ chật chội"],
            "words": [1, 5, 4],
            "count": [60, 40, 30],
            "comments": 100,
        }
    )
    seats = _evidence(said, "Nơi ngồi chờ có đủ chỗ ngồi", "Đất đai")
    time = _evidence(said, "Thời hạn giải quyết đúng quy định", "Đất đai")
    assert seats["phrase"] == "nơi ngồi chờ chật chội"
    assert time["phrase"] == "thời gian giải quyết hồ sơ quá lâu"
    assert _evidence(said, "Phí, lệ phí phải nộp đúng quy định", "Đất đai") is None


def test_a_priority_without_a_short_label_is_wrapped_never_cut():
    import pandas as pd

    from satisfaction.present.plan_figures import priority_rows

    long = "Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo và dễ hiểu cho người dân"
    top = pd.DataFrame({"field": ["Đất đai"], "label": [long], "significant": [True]})
    row = priority_rows(top, pd.Series([None]))["row"].iloc[0]
    assert "…" not in row and "..." not in row and "\n" in row
    assert row.replace("\n", " ") == f"Đất đai – {long}"
