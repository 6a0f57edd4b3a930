"""The job on a Dask cluster of 2 worker processes: the same manifest and the same files as
the local run, even when the workers were started with another project's root."""

from __future__ import annotations

from pathlib import Path

import pytest

from satisfaction.run.jobs import run_reports

UNITS = {"province/toan-bo", "province/ha-noi", "field/ho-tich"}


def test_the_job_on_a_local_cluster_matches_the_local_run(
    demo_reports, report_project, tmp_path, monkeypatch
):
    distributed = pytest.importorskip("distributed")
    # a worker started elsewhere: its kernels would look for the data in another project
    monkeypatch.setenv("SATISFACTION_ROOT", str(tmp_path))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = run_reports(
            "demo",
            provinces="Hà Nội",
            fields="Hộ tịch",
            run="dask",
            dask_address=cluster.scheduler_address,
            root=report_project,
            progress=False,
        )
    assert result.manifest.meta["dask"] == cluster.scheduler_address
    dask_units = {u["folder"]: u for u in result.manifest.units}
    local_units = {u["folder"]: u for u in demo_reports.manifest.units}
    assert set(dask_units) == UNITS
    for folder in UNITS:
        ran, local = dask_units[folder], local_units[folder]
        assert ran["status"] == local["status"] == "ok", ran.get("error")
        assert ran["key"] == local["key"]  # same notebook, parameters, inputs, versions
        assert ran["outputs"] == local["outputs"]
        compared = [n for n in ran["outputs"]["files"] if Path(n).suffix in (".csv", ".svg")]
        assert compared  # the figures' numbers and vector images
        for name in compared:
            here, there = result.index.parent / name, demo_reports.index.parent / name
            assert here.read_bytes() == there.read_bytes(), name
