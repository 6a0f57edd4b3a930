"""Shared fixtures: the demo survey is generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_survey():
    from satisfaction.demo.sipas import generate_demo

    return generate_demo()


@pytest.fixture(scope="session")
def sipas_instrument():
    from satisfaction.io.instrument import load_instrument

    return load_instrument(ROOT / "surveys" / "sipas" / "instrument.yaml")


@pytest.fixture(scope="session")
def demo_instrument():
    from satisfaction.io.instrument import load_instrument

    return load_instrument(ROOT / "surveys" / "demo" / "instrument.yaml")


@pytest.fixture(scope="session")
def report_project(tmp_path_factory):
    """A copy of the project's surveys and notebooks, so the job writes into tmp."""
    import shutil

    root = tmp_path_factory.mktemp("project")
    # what `satisfaction demo` generates in a checkout stays out: the job makes it afresh
    generated = shutil.ignore_patterns("papi-demo", "ho_so_mot_cua_*.parquet")
    shutil.copytree(ROOT / "surveys", root / "surveys", ignore=generated)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    return root


@pytest.fixture(scope="session")
def demo_reports(report_project):
    """The main job run once on the demo survey, as `satisfaction demo` runs it: every
    report and remediation plan (against the previous wave), the PAPI-style demo's reports,
    the one-stop reports of a small demo dossier export, the index."""
    from satisfaction.run.jobs import run_reports

    return run_reports("demo", root=report_project, progress=False, **demo_job(report_project))


#: The options of `satisfaction demo` (tests rerun the job with the same ones).
DEMO_JOB = {"workers": 2, "remediation": True, "previous_wave": "demo-2024"}
#: Rows of the demo dossier export in tests (the demo's own is 500,000): every one-stop
#: report still has its units, fields, months and late ward.
DEMO_DOSSIER_ROWS = 40_000


def demo_job(root: Path) -> dict:
    """The options and extra units (PAPI-style, one-stop) of `satisfaction demo`."""
    from satisfaction.run.jobs import demo_extra_units

    return {**DEMO_JOB, "extra_units": demo_extra_units(root, dossier_rows=DEMO_DOSSIER_ROWS)}


@pytest.fixture(scope="session", autouse=True)
def _secret_key_in_tmp(tmp_path_factory):
    """Tests hash personal data with a key of their own, never the user's (~/.config)."""
    import os

    from satisfaction.io.secret import SECRET_ENV

    os.environ.setdefault(SECRET_ENV, str(tmp_path_factory.mktemp("secret") / "secret.key"))


@pytest.fixture(scope="session")
def papi_project(tmp_path_factory):
    """A project folder with the PAPI-style demo survey (generated from its seed) and the
    notebooks, for the PAPI analysis, report and job tests."""
    import shutil

    from satisfaction.demo.papi import write_papi_demo

    root = tmp_path_factory.mktemp("papi-project")
    write_papi_demo(root / "surveys" / "papi-demo")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    return root


_CENSUS = """\
sample:
  kind: census
  period: 03/2025
  population: {vi: mọi người đến làm thủ tục trong tháng, en: everyone served that month}
"""


@pytest.fixture(scope="session")
def kinds_project(tmp_path_factory):
    """A project with the three non-probability surveys, each run once through the CLI:
    a Google Forms-style ward poll (one ward), the demo quota poll (one commune) and a
    census of one ward (tests/run/test_jobs_by_kind.py; the report pages test reads the
    poll's pages)."""
    import shutil

    from satisfaction.cli import main

    root = tmp_path_factory.mktemp("kinds")
    surveys = root / "surveys"
    shutil.copytree(ROOT / "tests" / "data" / "ward_forms", surveys / "ward-forms")
    shutil.copytree(ROOT / "surveys" / "demo-poll", surveys / "demo-poll")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    census = surveys / "one-ward"
    shutil.copytree(ROOT / "tests" / "data" / "ward_forms", census)
    text = (census / "instrument.yaml").read_text(encoding="utf-8")
    text = text.replace("id: ward-forms", "id: one-ward")
    text = text.replace('respondent:\n  commune: "Anh/chị làm thủ tục tại phường nào?"\n', _CENSUS)
    (census / "instrument.yaml").write_text(text, encoding="utf-8")
    runs = {
        "ward-forms": ["--by", "commune", "--provinces", "Phường Tân An"],
        "demo-poll": ["--provinces", "Xã Tân Phú"],
        "one-ward": [],
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SATISFACTION_ROOT", str(root))
        codes = {
            name: main(["batch", name, "--workers", "2", *args]) for name, args in runs.items()
        }
    return root, codes
