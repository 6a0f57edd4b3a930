"""Benchmark the demo batch: every demo report notebook, with 1 and with 2 workers.

Target (issue 4): the demo batch finishes in under 30 s with 2 workers. Cleaning and
estimation run once before the timings (they are shared by every notebook); each timed run
is forced (no unit skipped) and starts its own warm kernels, so kernel start-up is counted.
Also prints the time of a rerun with nothing changed (every unit skipped).

Run: .venv/bin/python bench/bench_demo.py [--remediation]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from satisfaction.run.jobs import run_reports

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--remediation", action="store_true", help="include the plans")
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    shutil.copytree(ROOT / "surveys", project / "surveys")
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    extra = {"remediation": True, "previous_wave": "demo-2024"} if args.remediation else {}
    start = time.perf_counter()
    first = run_reports("demo", workers=2, root=project, progress=False, **extra)
    print(
        f"first run (clean + estimate + {len(first.manifest.units)} notebooks, 2 workers): "
        f"{time.perf_counter() - start:.1f} s; {first.manifest.counts}"
    )
    for workers in (1, 2):
        start = time.perf_counter()
        result = run_reports(
            "demo", workers=workers, root=project, progress=False, run=f"bench-{workers}", **extra
        )
        wall = time.perf_counter() - start
        per_unit = sorted(u["duration_s"] for u in result.manifest.units)
        print(
            f"batch, {workers} worker(s): {wall:.1f} s for {len(per_unit)} notebooks "
            f"(per notebook median {per_unit[len(per_unit) // 2]:.1f} s, "
            f"max {per_unit[-1]:.1f} s); {result.manifest.counts}"
        )
    start = time.perf_counter()
    again = run_reports("demo", workers=2, root=project, progress=False, run="bench-2", **extra)
    print(
        f"rerun with nothing changed: {time.perf_counter() - start:.1f} s; {again.manifest.counts}"
    )
    shutil.rmtree(project)


if __name__ == "__main__":
    main()
