"""PAPI-style report units in the batch: one per province and the whole survey, the
estimates computed once as their inputs, the reports run and listed on the index page."""

from __future__ import annotations

import pytest

from satisfaction.errors import ParameterError
from satisfaction.run.jobs import PAPI_NOTEBOOK, papi_units


def test_one_unit_per_province_and_the_whole_survey(papi_project):
    units = papi_units("papi-demo", root=papi_project)
    assert [u.folder for u in units] == [
        "papi/toan-bo", "papi/ha-noi", "papi/hai-phong", "papi/vinh-long", "papi/dak-lak",
    ]  # fmt: skip
    assert all(u.notebook.name == PAPI_NOTEBOOK for u in units)
    parameters = dict(units[3].parameters)
    assert (parameters["survey"], parameters["province"]) == ("papi-demo", "Vĩnh Long")
    names = {p.name for p in units[0].inputs}
    assert {"scores.parquet", "ranks.parquet", "meta.json"} <= names
    assert [u.title for u in units[:2]] == ["PAPI: Tất cả", "PAPI: Hà Nội"]


def test_unknown_province_and_non_papi_survey_are_refused(papi_project):
    with pytest.raises(ParameterError, match=r"valid: .*Vĩnh Long"):
        papi_units("papi-demo", provinces="Trà Vinh", root=papi_project)
    with pytest.raises(ParameterError, match="not a PAPI-style survey"):
        papi_units("demo", root=papi_project)


def test_papi_reports_run_in_the_demo_job_and_are_on_the_index(demo_reports):
    out = demo_reports.index.parent
    units = [u for u in demo_reports.manifest.units if u["folder"].startswith("papi/")]
    assert len(units) == 5 and {u["status"] for u in units} == {"ok"}
    assert all(u["notebook"].endswith(PAPI_NOTEBOOK) for u in units)
    page = demo_reports.index.read_text(encoding="utf-8")
    assert "Chỉ số quản trị kiểu PAPI" in page and "PAPI: Vĩnh Long" in page
    report = (out / "papi" / "vinh-long" / "papi_report.html").read_text(encoding="utf-8")
    assert "khoảng hạng 95%" in report and "data:image/svg+xml;base64" in report
    assert (out / "papi" / "vinh-long" / "papi_report.xlsx").is_file()
