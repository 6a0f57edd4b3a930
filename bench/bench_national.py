"""The national run (issue 16): a 34-province survey end to end, stage by stage.

Builds the national-scale demo (`satisfaction.demo.national`: 34 provinces, ~40,000 forms,
20% of them copied or near-copied) in a temporary project, then runs the main job in a
child process, once per worker count, from scratch:

1. reports: read, clean (with the near-copies), estimate, 35 province reports and every
   field report (`run_reports(remediation=False)`);
2. plans: the same job with remediation plans: the reports are unchanged and skipped, so
   this run's notebook time is the 35 plans'.

Printed per worker count: each stage's wall seconds, the total, the CPU seconds of the
whole process tree (kernels included: the machine is shared, so wall time alone says
little), the peak memory of the process tree (the sum over the job and its kernels,
sampled every 0.2 s) overall and in each stage, the near-copy cleaning figure, the median
report notebook and the load average. Targets on 2 cores, warm machine: reports <= 60 s,
with plans <= 120 s.

`--respondents 1000000 --workers 2 --format csv --no-plans` is the memory run (issue 16: a
1,000,000-respondent survey end to end within 8 GB).

Run: .venv/bin/python bench/bench_national.py [--workers 1,2] [--respondents 40000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURVEY = "national"

CHILD = r"""
import json, sys, time
from pathlib import Path
from satisfaction.run.jobs import run_reports
root, workers, plans = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
start = time.perf_counter()
result = run_reports("national", workers=workers, root=root, progress=False,
                     remediation=plans)
units = [u for u in result.manifest.units if u.get("status") == "ok"]
print(json.dumps({
    "times": result.times, "spans": result.spans, "wall": time.perf_counter() - start,
    "counts": result.manifest.counts, "summary": result.summary(),
    "durations": {u["folder"]: u.get("duration_s") for u in units
                  if u.get("duration_s") is not None},
}))
"""


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def run_child(root: Path, workers: int, plans: bool) -> dict:
    """One job in a child process: its figures, CPU seconds and peak tree memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(workers), "1" if plans else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, int]] = []  # (epoch seconds, memory of the process tree)

    def sample() -> None:
        while child.poll() is None:
            samples.append((time.time(), _tree_rss(child.pid)))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    sampler.join()
    if child.returncode != 0:
        print(err[-3000:])
        raise SystemExit(child.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["cpu"] = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    figures["peak_gb"] = max((rss for _, rss in samples), default=0) / 1024**3
    figures["stage_peak_gb"] = {
        name: max((rss for when, rss in samples if begin <= when <= end), default=0) / 1024**3
        for name, (begin, end) in figures["spans"].items()
    }
    return figures


def make_project(folder: Path, provinces: int, respondents: int, copies: float, fmt: str) -> int:
    """A project with the SIPAS instrument, the notebooks and the national survey."""
    from satisfaction.demo.national import write_national_survey

    shutil.copytree(ROOT / "surveys" / "sipas", folder / "surveys" / "sipas")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    survey = write_national_survey(
        folder / "surveys" / SURVEY,
        provinces=provinces,
        respondents=respondents,
        copies=copies,
        file_format=fmt,
    )
    return len(survey.copies)


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def report(workers: int, reports: dict, plans: dict | None, planted: int) -> None:
    times = reports["times"]
    stages = {
        "read": times.get("read", 0.0),
        "clean": times.get("clean", 0.0),
        "write clean": times.get("write clean", 0.0),
        "estimate": times.get("estimate", 0.0),
        "notebooks": times.get("notebooks", 0.0),
    }
    print(f"-- {workers} worker(s)")
    peaks = reports["stage_peak_gb"]
    for name, seconds in stages.items():
        memory = f"  peak {peaks[name]:.2f} GB" if peaks.get(name) else ""
        print(f"  {name + ':':<14}{seconds:7.1f} s{memory}")
    print(
        f"  reports total: {reports['wall']:7.1f} s wall, {reports['cpu']:.0f} s CPU "
        f"(target <= 60 s); peak memory {reports['peak_gb']:.2f} GB"
    )
    if plans is not None:
        print(f"  plans:        {plans['times'].get('notebooks', 0.0):7.1f} s")
        total = reports["wall"] + plans["wall"]
        print(
            f"  with plans:   {total:7.1f} s wall, {reports['cpu'] + plans['cpu']:.0f} s CPU "
            f"(target <= 120 s); peak memory {max(reports['peak_gb'], plans['peak_gb']):.2f} GB"
        )
    province = [s for f, s in reports["durations"].items() if f.startswith("province/")]
    if province:
        print(
            f"  a province report: median {statistics.median(province):.2f} s, "
            f"max {max(province):.2f} s (run + HTML, per worker)"
        )
    print(f"  near-copies:  {planted:,} copied forms planted; cleaning {stages['clean']:.1f} s")
    print(f"  {(plans or reports)['summary']}")
    print(f"  load average: {_load()} (2 cores, shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provinces", type=int, default=34, choices=[34, 63])
    parser.add_argument("--respondents", type=int, default=40_000)
    parser.add_argument("--copies", type=float, default=0.2)
    parser.add_argument("--format", default="xlsx", choices=["xlsx", "csv", "parquet"])
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the project folder")
    parser.add_argument(
        "--no-plans", dest="plans", action="store_false", help="reports only (the memory run)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-national-"))
    try:
        start = time.perf_counter()
        planted = make_project(folder, args.provinces, args.respondents, args.copies, args.format)
        print(
            f"{args.provinces} provinces, {args.respondents:,} forms ({args.copies:.0%} "
            f"copied) as {args.format}: made in {time.perf_counter() - start:.0f} s; "
            f"load average {_load()}"
        )
        for workers in (int(w) for w in args.workers.split(",")):
            shutil.rmtree(folder / "outputs", ignore_errors=True)
            reports = run_child(folder, workers, plans=False)
            plans = run_child(folder, workers, plans=True) if args.plans else None
            report(workers, reports, plans, planted)
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
