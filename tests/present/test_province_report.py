"""The province report's sections on the constructed survey: what each shows is what it says."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from constructed_survey import write_constructed
from satisfaction.analysis.estimates import ALL
from satisfaction.present import figures
from satisfaction.present.province_report import ProvinceReport

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> ProvinceReport:
    root = tmp_path_factory.mktemp("province-report")
    write_constructed(root, "prov-test", 2025)
    return ProvinceReport.open("prov-test", province="Hà Nội", root=root, output_dir=root / "out")


def test_report_figures_are_svg_and_png_only_when_asked(report, tmp_path):
    """The HTML shows the SVG; the 200-dpi PNG (the costly raster) only for `png=True`."""
    report.indices()
    names = {p.suffix for p in (report.output_dir / "figures").iterdir()}
    assert names == {".svg", ".csv"}
    root = report.output_dir.parent
    asked = ProvinceReport.open(
        "prov-test", province="Hà Nội", root=root, output_dir=tmp_path / "png", png=True
    )
    asked.indices()
    suffixes = sorted(p.suffix for p in (tmp_path / "png" / "figures").iterdir())
    assert suffixes.count(".png") == suffixes.count(".svg") >= 1


def test_data_quality_reads_the_surveys_clean_folder(report):
    assert report.clean_dir is not None and (report.clean_dir / "cleaning_summary.csv").is_file()
    table = report.data_quality()
    assert list(table.columns) == ["Nội dung xử lý", "Cách xử lý", "Số lượng"]
    assert len(table) and table["Số lượng"].sum() > 0
    summary = pd.read_csv(report.clean_dir / "cleaning_summary.csv", encoding="utf-8-sig")
    assert table["Số lượng"].sum() == summary["count"].sum()
    assert not table["Cách xử lý"].isin(["changed", "missing", "flagged", "rejected"]).any()


def test_by_field_whiskers_are_the_overall_questions_satisfied_share(report, monkeypatch):
    """The bars are the overall question; the whisker must be that question's satisfied-share
    CI (not the overall index's), and the figure says the table is another measure."""
    drawn: dict = {}
    real = figures.likert_bars

    def spy(data, **kwargs):
        drawn["share"] = kwargs["satisfied_share"]
        drawn["note"] = kwargs["note"]
        return real(data, **kwargs)

    monkeypatch.setattr(figures, "likert_bars", spy)
    monkeypatch.setattr(plt, "close", lambda *a, **k: None)
    table = report.by_field()
    question = report.estimates["overall_question"]
    mine = question[(question["province"] == "Hà Nội") & (question["field"] != ALL)]
    share = drawn["share"].set_index("field")
    expected = mine.set_index("field")[["estimate", "ci_low", "ci_high"]]
    pd.testing.assert_frame_equal(share.sort_index(), expected.sort_index(), check_names=False)
    index = report._mine("overall", field_all=False).set_index("field")["estimate"]
    assert not (share["estimate"].sort_index() - index.sort_index()).abs().lt(1e-9).all()
    assert "một thước đo khác" in drawn["note"]
    assert len(table) == len(report.fields)
    plt.close("all")


def test_figure_notes_say_the_rule_in_words(report):
    assert "mean_of" not in report.rule_note and "trung bình cộng" in report.rule_note
    assert "current_34" not in report.method_note


def test_files_are_written_readable_by_colleagues(report):
    written = Path(report.finish())
    assert written.stat().st_mode & 0o044 == 0o044  # group and others may read


def test_a_survey_without_fields_draws_its_overall_question_once(tmp_path):
    """The demo quota poll has no field column: every domain's field is ALL, and the
    satisfied share of the overall question is still one row per domain."""
    import shutil

    from satisfaction.demo.poll import write_poll_survey

    write_poll_survey(tmp_path / "surveys" / "demo-poll")
    shutil.copytree(ROOT / "surveys" / "sipas", tmp_path / "surveys" / "sipas")
    report = ProvinceReport.open("demo-poll", root=tmp_path, output_dir=tmp_path / "out")
    question = report.estimates["overall_question"]
    assert not question.duplicated(["province", "field"]).any()
    assert len(report.by_field()) == 1
