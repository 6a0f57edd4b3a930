"""The main job end to end on the demo survey: every report runs, every link resolves,
figures are embedded and equal the estimates, and a rerun with nothing changed skips all."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import demo_job
from satisfaction.analysis.estimates import ALL, load_estimates
from satisfaction.errors import ParameterError
from satisfaction.run.jobs import run_reports

ROOT = Path(__file__).resolve().parents[2]
PROVINCES = ["Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"]


@pytest.fixture(scope="module")
def project(report_project):
    return report_project


@pytest.fixture(scope="module")
def first_run(demo_reports):
    return demo_reports


def test_every_unit_succeeds_one_report_per_province_and_field(first_run):
    counts = first_run.manifest.counts
    # 5 province reports, 5 field reports, 5 plans; 5 PAPI-style and 7 one-stop reports
    assert counts == {"ok": 27}, [
        (u["folder"], u.get("error")) for u in first_run.manifest.units if u["status"] != "ok"
    ]
    folders = {u["folder"] for u in first_run.manifest.units}
    assert {
        "province/toan-bo",
        "province/ha-noi",
        "province/vinh-long",
        "province/dak-lak",
        "province/hai-phong",
    } <= folders
    assert {f for f in folders if f.startswith("field/")} == {
        "field/dat-dai",
        "field/bao-hiem-y-te",
        "field/cong-chung-chung-thuc",
        "field/ho-tich",
        "field/xay-dung",
    }


def test_every_link_of_the_index_resolves(first_run):
    index = first_run.index
    html = index.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', html)
    assert len(links) > 50
    for link in links:
        target = (
            index.parent / re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), link)
        ).resolve()
        assert target.exists(), link
    assert "Vĩnh Long" in html and "Lĩnh vực: Đất đai" in html


def test_each_report_html_embeds_its_figures(first_run):
    out = first_run.index.parent
    for folder in ("province/vinh-long", "province/toan-bo"):
        html = (out / folder / "province_report.html").read_text(encoding="utf-8")
        figures = list((out / folder / "figures").glob("*.svg"))
        assert len(figures) == 7
        # the HTML shows each figure's SVG; no PNG is drawn for a report without Word
        assert html.count("data:image/svg+xml;base64,") >= len(figures)
        assert not list((out / folder / "figures").glob("*.png"))
        assert "Chỉ số hài lòng chung và theo yếu tố" in html
    field_html = (out / "field/dat-dai/field_report.html").read_text(encoding="utf-8")
    assert field_html.count("data:image/svg+xml;base64,") >= 2


def test_figure_numbers_equal_the_estimates(first_run):
    out = first_run.index.parent
    estimates = load_estimates(first_run.estimates)
    drawn = pd.read_csv(out / "province/vinh-long/figures/so-sanh-tinh.csv", encoding="utf-8-sig")
    overall = estimates["overall"]
    expected = overall[(overall["province"] != ALL) & (overall["field"] == ALL)]
    merged = drawn.merge(expected, on="province", suffixes=("_drawn", ""))
    assert sorted(merged["province"]) == sorted(PROVINCES)
    assert (merged["estimate_drawn"] - merged["estimate"]).abs().max() < 1e-12
    assert drawn.set_index("province").loc["Vĩnh Long", "sig"] == "below" or pd.isna(
        drawn.set_index("province").loc["Vĩnh Long", "sig"]
    )


def test_svg_keeps_vietnamese_text(first_run):
    svg = first_run.index.parent / "province/vinh-long/figures/hai-long-theo-linh-vuc.svg"
    text = svg.read_text(encoding="utf-8")
    for label in ("Đất đai", "Hộ tịch", "Rất không hài lòng", "Vĩnh Long"):
        assert label in text


def test_a_second_run_with_nothing_changed_skips_every_unit(first_run, project):
    again = run_reports("demo", root=project, progress=False, **demo_job(project))
    assert again.manifest.counts == {"skipped": 27}
    assert not again.cleaned and not again.estimated


def test_unknown_province_lists_the_valid_ones_and_writes_nothing(first_run, project):
    before = sorted(p for p in project.rglob("*"))
    with pytest.raises(ParameterError) as info:
        run_reports("demo", provinces="Hà Nộii", root=project, progress=False)
    assert "valid: all, Hà Nội, Hải Phòng, Vĩnh Long, Đắk Lắk" in str(info.value)
    assert sorted(p for p in project.rglob("*")) == before


@pytest.mark.parametrize("bad", ["../../etc", "x'; import os; os.system('true') #", "a/b"])
def test_hostile_province_names_are_refused(first_run, project, bad):
    with pytest.raises(ParameterError):
        run_reports("demo", provinces=bad, root=project, progress=False)
    assert not (project.parent / "etc").exists()


def test_unknown_survey_is_a_clear_error(project):
    with pytest.raises(ParameterError, match="valid: demo"):
        run_reports("../demo", root=project, progress=False)


def test_remediation_plans_are_units_per_province_with_the_previous_wave_as_input(tmp_path):

    from constructed_survey import PREVIOUS_CHANGE, write_constructed
    from satisfaction.run.jobs import REMEDIATION_NOTEBOOK, prepare_survey, report_units

    write_constructed(tmp_path, "plan-test", 2025)
    write_constructed(tmp_path, "plan-test-prev", 2024, change=PREVIOUS_CHANGE)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    current, _, _ = prepare_survey("plan-test", root=tmp_path)
    previous, _, _ = prepare_survey("plan-test-prev", root=tmp_path)
    common = dict(root=tmp_path, previous_wave="plan-test-prev", previous_estimates=previous)
    units = report_units("plan-test", current, remediation=True, target=0.9, **common)
    plans = [u for u in units if u.notebook.name == REMEDIATION_NOTEBOOK]
    assert [u.folder for u in plans] == [
        "remediation-plan/toan-bo",
        "remediation-plan/ha-noi",
        "remediation-plan/dak-lak",
    ]
    assert dict(plans[1].parameters) == {
        "survey": "plan-test",
        "province": "Hà Nội",
        "unit": "",
        "previous_wave": "plan-test-prev",
        "target": 0.9,
        "language": "vi",
        "dossiers": "",
        # the Word plan's administrative form, left for the official to fill in
        "document_number": "",
        "document_date": "",
        "issuer": "",
        "signer": "",
    }
    inputs = set(plans[0].inputs)
    assert previous / "meta.json" in inputs and current / "meta.json" in inputs
    assert tmp_path / "outputs/plan-test/clean/responses.parquet" in inputs  # drivers read it
    assert len(units) - len(plans) == len(report_units("plan-test", current, **common))
    assert not [u for u in report_units("plan-test", current, **common) if u in plans]
    with pytest.raises(ParameterError, match="divide by 100"):
        run_reports("plan-test", root=tmp_path, remediation=True, target=80, progress=False)


def test_a_one_province_rerun_keeps_the_previous_wave_and_only_its_units(tmp_path):
    """`batch --provinces "Vĩnh Long" --force` reruns that province's report and plan only,
    still compared with the previous wave an earlier run of the folder used."""
    import json

    from constructed_survey import write_constructed
    from satisfaction.run.jobs import (
        _has_whole_survey_units,
        _previous_wave_of_run,
        prepare_survey,
        report_units,
    )

    write_constructed(tmp_path, "plan-test", 2025)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    current, _, _ = prepare_survey("plan-test", root=tmp_path)
    units = report_units("plan-test", current, provinces="Hà Nội", remediation=True, root=tmp_path)
    assert [u.folder for u in units] == ["province/ha-noi", "remediation-plan/ha-noi"]
    named = report_units("plan-test", current, provinces="Hà Nội", fields="Đất đai", root=tmp_path)
    assert [u.folder for u in named] == ["province/ha-noi", "field/dat-dai"]
    run = tmp_path / "outputs" / "plan-test" / "reports"
    run.mkdir(parents=True)
    record = {"folder": "remediation-plan/toan-bo", "parameters": {"previous_wave": "w-2024"}}
    (run / "manifest.json").write_text(json.dumps({"units": [record]}), encoding="utf-8")
    assert _previous_wave_of_run(run) == "w-2024"
    assert _previous_wave_of_run(tmp_path / "nowhere") is None
    # the first run of a folder for some units also makes the whole-survey report and plan
    assert _has_whole_survey_units(run) and not _has_whole_survey_units(tmp_path / "nowhere")
    first = report_units("plan-test", current, provinces="Hà Nội", whole=True, root=tmp_path)
    assert [u.folder for u in first] == ["province/toan-bo", "province/ha-noi"]
    # `batch --png`: the reports are asked for PNG figures too (by default they show SVG only)
    assert [u.parameters["png"] for u in named] == [False, False]
    with_png = report_units(
        "plan-test", current, provinces="Hà Nội", fields="Đất đai", root=tmp_path, png=True
    )
    assert [u.parameters["png"] for u in with_png] == [True, True]
