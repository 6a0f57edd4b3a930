"""Every HTML report of the demo job (SIPAS-style province and field reports and plans, the
PAPI-style and one-stop reports) read as a leader reads it: one language, labels and words
only (no path, module, rule code or internal id), percentages under % headers, whole tables,
and the page declaring its language."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

# what must never reach a reader: paths, module names, codes of rules and geographies, ids
PATH = re.compile(r"(/work/|/tmp/|/home/|/root/|PosixPath|WindowsPath|[A-Z]:\\\\)")
MODULE = re.compile(r"\bsatisfaction\.[a-z_]+")
INTERNAL_ID = re.compile(
    r"\b(element:E\d|sat__\w+|c\d_\d\b|mean_of_\w+|respondent_mean|overall_question|"
    r"element_question|current_34|historical_63|p_value|p_adjusted|reliability_note)"
)
RAW_NUMBER = re.compile(r"^-?0\.\d+$|^-?\d+\.\d{4,}$|\de[-+]\d\d$")  # 0.853609, 1e-05
# a cell under a "%" or "điểm %" header: "85,4%", "+5,5", "81,6–88,4", "+0,3 đến +10,7", "–"
PERCENT_CELL = re.compile(
    r"^(–|[+-]?\d{1,3}(\.\d{3})*(,\d)?%?|\d{1,3}(,\d)?–\d{1,3}(,\d)?|"
    r"[+-]?\d{1,3}(,\d)? đến [+-]?\d{1,3}(,\d)?)$"
)
# a confidence level in a header ("KTC 95%", "Wilson 95% CI") is not a unit: a header holds
# percentages when a "%" is left once levels are removed ("Tỷ lệ (%)", "KTC 95% (%)")
LEVEL = re.compile(r"\d+(,\d+)?\s?%")
# English words that give away an untranslated header or note in a Vietnamese report
ENGLISH = re.compile(
    r"\b(the|and|of|Estimate|Field|Province|Source|Whole survey|Overall|Reliable|Note|"
    r"lower|upper|above|below|sex|age_band|label|statistic|difference|Index|Figure|"
    r"description)\b"
)
ALLOWED_ASCII_HEADERS = {"n", "N", "p", "Cronbach alpha"}


def _pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "index.html")


def _visible_text(root: lxml.html.HtmlElement) -> str:
    body = root.find("body")
    for bad in body.xpath(".//style|.//script"):
        bad.drop_tree()
    return body.text_content()


def _read(out: Path) -> list:
    import json

    units = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["units"]
    by_folder = {u["folder"]: u for u in units}
    found = []
    for path in _pages(out):
        folder = path.parent.relative_to(out).as_posix()
        language = by_folder[folder]["parameters"].get("language", "vi")
        found.append((path, language, lxml.html.parse(str(path)).getroot()))
    return found


@pytest.fixture(scope="module")
def pages(demo_reports, kinds_project):
    """The pages of the demo survey's job and of the demo quota poll's (one commune and the
    whole poll: the session's run of `batch demo-poll`)."""
    poll = kinds_project[0] / "outputs" / "demo-poll" / "reports"
    return _read(demo_reports.index.parent) + _read(poll)


def test_every_kind_of_report_is_read(pages, demo_reports):
    kinds = {path.name for path, _, _ in pages}
    assert kinds == {
        "province_report.html", "field_report.html", "remediation_plan.html",
        "papi_report.html", "onestop_report.html",
    }  # fmt: skip
    assert len(demo_reports.manifest.units) == 27
    assert len(pages) == 27 + 4  # the poll: its whole and one commune, report and plan


def test_the_page_declares_the_report_language(pages):
    for path, language, root in pages:
        assert root.get("lang") == language, path


def test_no_path_module_rule_code_or_internal_id_reaches_the_reader(pages):
    for path, _, root in pages:
        text = _visible_text(root)
        for pattern in (PATH, MODULE, INTERNAL_ID):
            found = pattern.search(text)
            assert found is None, (
                f"{path}: {found.group(0)!r} in {text[found.start() - 60 :][:140]!r}"
            )
        for image in root.iter("img"):
            assert "No description" not in (image.get("alt") or ""), path


def test_tables_are_formatted_whole_and_in_the_report_language(pages):
    for path, language, root in pages:
        tables = root.xpath("//table")
        assert tables, path
        assert not root.xpath("//table[contains(@class, 'dataframe')]"), f"{path}: raw pandas"
        text = _visible_text(root)
        assert "rows ×" not in text and "…" not in text, f"{path}: a truncated table"
        for table in tables:
            headers = [th.text_content().strip() for th in table.xpath(".//thead//th")]
            assert headers and not any(h.isdigit() or h == "" for h in headers), (path, headers)
            rows = [
                [td.text_content().strip() for td in tr.xpath("./td")]
                for tr in table.xpath(".//tbody/tr")
            ]
            assert rows and all(len(r) == len(headers) for r in rows), (path, headers)
            assert not any("..." == c for r in rows for c in r), f"{path}: a truncated table"
            for column, header in enumerate(headers):
                cells = [r[column] for r in rows]
                assert not any(RAW_NUMBER.search(c) for c in cells), (path, header, cells[:3])
                if "%" in LEVEL.sub("", header):
                    bad = [c for c in cells if not PERCENT_CELL.match(c)]
                    assert not bad, f"{path}: {header!r} holds {bad[:3]}"
                if language == "vi":
                    assert not ENGLISH.search(header), f"{path}: English header {header!r}"
                    assert (
                        header in ALLOWED_ASCII_HEADERS
                        or not header.isascii()
                        or any(ch.isdigit() for ch in header)
                    ), f"{path}: header {header!r} is not Vietnamese"


def test_a_vietnamese_report_is_in_vietnamese_only(pages):
    for path, language, root in pages:
        if language != "vi":
            continue
        text = _visible_text(root)
        found = ENGLISH.search(text)
        assert found is None, f"{path}: {text[max(found.start() - 60, 0) :][:140]!r}"


def test_charts_drawn_with_short_labels_have_a_key_to_the_full_text(pages):
    """The heatmaps and the plans' charts draw the instrument's short labels; a key under
    them gives each criterion in full."""
    for path, language, root in pages:
        if "demo-poll" in path.parts or path.name not in (
            "province_report.html", "field_report.html", "remediation_plan.html",
        ):  # fmt: skip
            continue  # the poll's instrument declares no short labels: nothing to key
        captions = [c.text_content() for c in root.xpath("//table/caption")]
        key = "Chú giải: nhãn ngắn" if language == "vi" else "Key: the chart's short labels"
        assert any(c.startswith(key) for c in captions), path
