"""Every kind of study through the CLI: reports and plans per unit, each saying its kind.

A Google Forms-style ward poll with no province column (assumed self-selected, reported per
ward with ``--by commune``), the demo quota poll (raked to its margins, per commune), and a
census of one ward with no unit column at all run from `satisfaction batch`; the demo
survey (a probability sample) comes from the session's main job. Every output of every kind
-- HTML, the text of every SVG, every xlsx cell, every docx paragraph and table -- is read
for the words of other kinds (`studies.kinds.forbidden_words`), and must name its own kind.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from satisfaction.studies import kinds

OUTPUT_TYPES = (".html", ".svg", ".xlsx", ".docx")


def _texts(path: Path):
    """The words a reader sees in one output file."""
    if path.suffix == ".html":
        raw = path.read_text(encoding="utf-8")
        raw = re.sub(r"<style.*?</style>|<script.*?</script>", " ", raw, flags=re.S)
        raw = re.sub(r'src="data:[^"]*"', " ", raw)
        yield html.unescape(re.sub(r"<[^>]+>", " ", raw))
    elif path.suffix == ".svg":
        raw = path.read_text(encoding="utf-8")
        for found in re.finditer(r"<text[^>]*>(.*?)</text>", raw, flags=re.S):
            yield html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
    elif path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield from (v for v in row if isinstance(v, str))
        book.close()
    elif path.suffix == ".docx":
        document = docx.Document(str(path))
        yield from (p.text for p in document.paragraphs)
        for table in document.tables:
            for row in table.rows:
                yield from (cell.text for cell in row.cells)


def _outputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in OUTPUT_TYPES)


def _forbidden_found(folder: Path, kind: str, weighted: bool) -> list[str]:
    words = kinds.forbidden_words(kind, weighted=weighted)
    found = []
    for path in _outputs(folder):
        for text in _texts(path):
            low = text.casefold()
            for word in words:
                if word.casefold() in low:
                    at = low.index(word.casefold())
                    found.append(
                        f"{path.relative_to(folder)}: {word!r} in …{text[at - 40 : at + 40]}…"
                    )
    return found


def _reports(root: Path, survey: str) -> Path:
    return root / "outputs" / survey / "reports"


def test_ward_poll_and_quota_poll_reach_reports_and_plans_from_the_cli(kinds_project):
    root, codes = kinds_project
    assert codes == {"ward-forms": 0, "demo-poll": 0, "one-ward": 0}
    expected = {
        "ward-forms": {"commune/toan-bo", "commune/phuong-tan-an", "remediation-plan/toan-bo",
                       "remediation-plan/phuong-tan-an"},
        "demo-poll": {"commune/toan-bo", "commune/xa-tan-phu", "remediation-plan/toan-bo",
                      "remediation-plan/xa-tan-phu"},
        "one-ward": {"report/toan-bo", "remediation-plan/toan-bo"},
    }  # fmt: skip
    for survey, folders in expected.items():
        reports = _reports(root, survey)
        for folder in folders:
            assert list((reports / folder).glob("*.html")), (survey, folder)
        plans = reports / "remediation-plan" / "toan-bo"
        assert (plans / "remediation_plan.docx").is_file()
        assert (plans / "remediation_plan.xlsx").is_file()


def test_the_index_page_shows_the_reports_by_unit_and_the_kind(kinds_project):
    root, _ = kinds_project
    page = (_reports(root, "ward-forms") / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>([^<]*)<", page)
    assert [h.strip() for h in headings] == ["Toàn bộ khảo sát", "Xã, phường: Phường Tân An"]
    ward = page[page.index("Xã, phường: Phường Tân An") :]
    assert "remediation-plan/phuong-tan-an" in ward and "commune/phuong-tan-an" in ward
    assert "Mẫu tự nguyện (giả định)" in page and "Báo cáo theo xã, phường" in page
    poll = (_reports(root, "demo-poll") / "index.html").read_text(encoding="utf-8")
    assert "Mẫu theo hạn ngạch" in poll and "Xã, phường: Xã Tân Phú" in poll


@pytest.mark.parametrize(
    ("survey", "kind", "weighted"),
    [
        ("ward-forms", "convenience", False),
        ("demo-poll", "quota", True),
        ("one-ward", "census", False),
    ],
)
def test_no_output_holds_the_words_of_another_kind(kinds_project, survey, kind, weighted):
    root, _ = kinds_project
    reports = _reports(root, survey)
    types = {p.suffix for p in _outputs(reports)}
    assert types == set(OUTPUT_TYPES)
    assert _forbidden_found(reports, kind, weighted) == []


def test_every_output_names_its_kind(kinds_project):
    root, _ = kinds_project
    names = {"ward-forms": "Mẫu tự nguyện", "demo-poll": "Mẫu theo hạn ngạch",
             "one-ward": "Điều tra toàn bộ"}  # fmt: skip
    for survey, name in names.items():
        reports = _reports(root, survey)
        for path in _outputs(reports):
            text = " ".join(_texts(path))
            if path.suffix == ".svg" and "figures" not in path.parts:
                continue
            assert name in text, (survey, str(path.relative_to(reports)))
        book = openpyxl.load_workbook(next(reports.glob("*/toan-bo/tables.xlsx")))
        method = [c for row in book["Phương pháp"].iter_rows(values_only=True) for c in row]
        assert any(name in str(c) for c in method)


def test_the_probability_demo_names_no_other_kind(demo_reports, report_project, tmp_path):
    from satisfaction.present import RemediationReport

    reports = demo_reports.index.parent
    # the survey's own reports (the job's PAPI-style and one-stop reports are other studies)
    for folder in ("province", "field", "remediation-plan"):
        assert _forbidden_found(reports / folder, "probability", True) == []
    plan = RemediationReport.open(
        "demo", province="Hà Nội", root=report_project, output_dir=tmp_path / "plan"
    )
    plan.priorities()
    plan.finish()
    assert _forbidden_found(tmp_path / "plan", "probability", True) == []
    text = " ".join(_texts(tmp_path / "plan" / "remediation_plan.docx"))
    assert "Mẫu xác suất" in text
    page = demo_reports.index.read_text(encoding="utf-8")
    assert "Mẫu xác suất" in page
