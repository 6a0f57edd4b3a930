"""Warm kernels started ahead of the notebooks: used by the batch, and never left behind."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from satisfaction.errors import ParameterError
from satisfaction.run import jobs, kernel
from satisfaction.run.batch import run_batch
from satisfaction.run.units import make_unit

TOY = Path(__file__).resolve().parents[1] / "data" / "notebooks" / "toy_report.ipynb"
PRELOAD = ("matplotlib.pyplot",)  # what the toy notebook needs: a short start


def _kernel_processes(before: set[int]) -> list[psutil.Process]:
    """Child processes of this test started since ``before`` (the kernels)."""
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before]


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_kernels_started_ahead_run_the_batch(tmp_path):
    pool = kernel.KernelPool(preload=PRELOAD)
    try:
        assert pool.start(2) == 2
        assert pool.start(2) == 0  # the pool already holds two
        units = [
            make_unit(TOY, {"province": name}, folder=f"r/{i}")
            for i, name in enumerate(["Hà Nội", "Huế", "Đà Nẵng"])
        ]
        manifest = run_batch(
            units, out_dir=tmp_path / "out", workers=2, kernel_pool=pool, progress=False
        )
        assert manifest.counts == {"ok": 3}
        assert pool.started == 2  # the batch leased the kernels started ahead, no others
    finally:
        pool.shutdown()


@pytest.mark.parametrize("seconds", [0.0, 0.3])
def test_shutdown_during_the_start_leaves_no_kernel_process(seconds):
    before = _children()
    pool = kernel.KernelPool(preload=PRELOAD)
    pool.start(2)
    time.sleep(seconds)  # before the process exists; while it starts
    pool.shutdown()
    _, alive = psutil.wait_procs(_kernel_processes(before), timeout=5)
    assert alive == []
    assert pool.size == 0


def test_a_job_failing_before_its_notebooks_shuts_its_kernels_down(tmp_path, monkeypatch):
    started: list[kernel.KernelPool] = []
    real_start = kernel.KernelPool.start

    def start(self, count):
        started.append(self)
        launched = real_start(self, count)
        deadline = time.monotonic() + 30  # let the processes exist: the case to clean up
        while len(_kernel_processes(before)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return launched

    monkeypatch.setattr(kernel.KernelPool, "start", start)
    (tmp_path / "surveys" / "empty").mkdir(parents=True)
    before = _children()
    with pytest.raises(ParameterError, match="not a survey folder"):
        jobs.run_reports("empty", root=tmp_path, workers=2, progress=False)
    assert [pool.started for pool in started] == [2]
    _, alive = psutil.wait_procs(_kernel_processes(before), timeout=5)
    assert alive == []
