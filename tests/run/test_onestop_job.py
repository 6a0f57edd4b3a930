"""`satisfaction onestop surveys/<name>`: the interface file, the period option, reruns and
one-line errors naming file, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from satisfaction.cli import main
from satisfaction.run.onestop import run_onestop
from satisfaction.studies.onestop import METRICS_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "dossiers"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "surveys" / "xa-2025"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("*.py", "dossiers_xlsx.yaml"))
    return target


def test_command_writes_exactly_the_interface_columns(folder, tmp_path, capsys):
    outputs = tmp_path / "outputs"
    assert main(["onestop", str(folder), "--outputs", str(outputs)]) == 0
    assert "dossiers clean: 20, quarantined: 11" in capsys.readouterr().out
    metrics = pd.read_csv(outputs / "xa-2025" / "onestop" / "metrics.csv")
    assert list(metrics.columns) == METRICS_COLUMNS
    assert len(metrics) == 8 and set(metrics["period"]) == {"2025-01", "2025-02"}
    shares = metrics[["qd766_rate", "rated_satisfied_share", "coverage"]].stack()
    assert shares.dropna().between(0, 1).all()
    row = metrics.set_index(["unit", "field", "period"]).loc[
        ("UBND phường An Hòa", "Đất đai", "2025-01")
    ]
    assert (row["received"], row["settled"], row["on_time"], row["late"]) == (6, 4, 2, 2)
    formulas = pd.read_csv(outputs / "xa-2025" / "onestop" / "metrics_formulas.csv")
    assert "QĐ 766" in formulas.set_index("metric").loc["qd766_rate", "vi"]
    assert "không phải mẫu" in formulas.set_index("metric").loc["study", "vi"]


def test_by_quarter_and_year_change_the_period_and_reruns_skip_cleaning(folder, tmp_path):
    outputs = tmp_path / "outputs"
    first = run_onestop(folder, outputs=outputs, by="quarter")
    assert first.cleaned
    quarterly = pd.read_csv(first.metrics)
    assert set(quarterly["period"]) == {"2025-Q1"} and quarterly["received"].sum() == 20
    again = run_onestop(folder, outputs=outputs, by="year")
    assert not again.cleaned and set(pd.read_csv(again.metrics)["period"]) == {2025}
    (folder / "ho_so_mot_cua.csv").write_bytes((folder / "ho_so_mot_cua.csv").read_bytes()[:-40])
    assert run_onestop(folder, outputs=outputs).cleaned  # the export changed


def test_errors_are_one_line_with_file_and_column(folder, tmp_path, capsys):
    spec = folder / "dossiers.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Ngày tiếp nhận", "Ngày nhận"))
    assert main(["onestop", str(folder), "--outputs", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert "ho_so_mot_cua.csv" in err and "column 'Ngày nhận'" in err
    assert main(["onestop", str(folder), "--by", "week"]) == 2
    assert "--by" in capsys.readouterr().err


def test_a_broken_yaml_names_its_key(folder, capsys):
    (folder / "dossiers.yaml").write_text("data: {file: ../../etc/passwd}\ncolumns: {}\n")
    assert main(["onestop", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "data.file: must stay inside the folder" in err
    assert "columns.dossier_id: required role is not mapped" in err


def test_report_notebooks_run_in_the_demo_job_and_the_index_links_them(demo_reports):
    """The session's demo job ran the one-stop units (a 40,000-row demo export)."""
    from satisfaction.demo.dossiers import DOSSIER_FACTS

    out = demo_reports.index.parent
    units = [u for u in demo_reports.manifest.units if u["folder"].startswith("onestop/")]
    assert units[0]["folder"] == "onestop/toan-bo" and len(units) == 7
    assert {u["status"] for u in units} == {"ok"}, [u.get("error") for u in units]
    assert units[-1]["parameters"]["name"] == DOSSIER_FACTS["late_unit"]  # the planted ward
    ward = out / units[-1]["folder"]
    assert (ward / "onestop_report.xlsx").exists() and (ward / "onestop_report.docx").exists()
    assert (ward / "figures" / "funnel-all.png").exists()
    index = demo_reports.index.read_text(encoding="utf-8")
    assert "Báo cáo một cửa" in index and "onestop/toan-bo/onestop_report.docx" in index
    import docx

    text = "\n".join(p.text for p in docx.Document(ward / "onestop_report.docx").paragraphs)
    assert "không phải mẫu" in text and "tiếp nhận" in text and "QĐ 766/QĐ-TTg" in text
