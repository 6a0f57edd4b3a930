"""Time per notebook and per batch: plain papermill against warm kernels.

Prints, for an empty notebook and for one that imports pandas, scipy, statsmodels and seaborn
and draws one figure: the time of one notebook with plain papermill (defaults: new kernel,
graceful shutdown), with this package's papermill path (new kernel, immediate shutdown) and
with a warm kernel (started and preloaded once; its start-up is printed apart). Then the time
of a batch of N such units (execution, HTML, manifest, index) with 1 and 2 workers. The
load average is printed too: the machine may be shared, and times scale with it.

Usage: python bench/bench_batch.py [--repeat 5] [--units 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from satisfaction.run.batch import run_batch
from satisfaction.run.kernel import DEFAULT_PRELOAD, KernelPool, execute_notebook
from satisfaction.run.units import make_unit

HEAVY_IMPORTS = """import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.stats
import seaborn as sns
import statsmodels.api as sm"""

HEAVY_WORK = """rng = np.random.default_rng(seed)
frame = pd.DataFrame({"x": rng.normal(size=n), "group": rng.choice(list("abcd"), size=n)})
frame["y"] = 2 * frame["x"] + rng.normal(size=n)
fit = sm.OLS(frame["y"], sm.add_constant(frame["x"])).fit()
ttest = scipy.stats.ttest_1samp(frame["y"], 0)
fig, ax = plt.subplots(figsize=(4, 3))
sns.barplot(data=frame, x="group", y="y", ax=ax)
ax.set_title(f"slope {fit.params['x']:.2f}")"""


def _notebook(path: Path, parameters: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(nbformat.v4.new_code_cell(source) for source in cells)]
    nbformat.write(nb, str(path))
    return path


def _stats(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s  min {min(times):6.3f}  "
        f"max {max(times):6.3f}  (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per notebook and engine")
    parser.add_argument("--units", type=int, default=8, help="units in the timed batches")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    import papermill

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        empty = _notebook(root / "empty.ipynb", "seed = 0", "")
        heavy = _notebook(root / "heavy.ipynb", "seed = 0\nn = 200", HEAVY_IMPORTS, HEAVY_WORK)
        work = root / "work"
        work.mkdir()

        pool = KernelPool(preload=DEFAULT_PRELOAD)
        clock = time.perf_counter()
        with pool.lease():
            pass
        print(
            f"warm kernel start + preload {', '.join(DEFAULT_PRELOAD)}: "
            f"{time.perf_counter() - clock:.2f} s (once per worker)"
        )
        try:
            for name, notebook in (
                ("empty", empty),
                ("pandas+scipy+statsmodels+seaborn+figure", heavy),
            ):
                print(f"\n== one notebook: {name}")
                for label in ("plain papermill", "papermill path", "warm kernel"):
                    times = []
                    for i in range(args.repeat + (label == "warm kernel")):
                        out = work / f"{notebook.stem}-{i}.ipynb"
                        clock = time.perf_counter()
                        if label == "plain papermill":
                            papermill.execute_notebook(
                                str(notebook),
                                str(out),
                                {"seed": i},
                                progress_bar=False,
                                cwd=str(work),
                            )
                        else:
                            engine = "warm" if label == "warm kernel" else "papermill"
                            result = execute_notebook(
                                notebook, out, {"seed": i}, cwd=work, engine=engine, pool=pool
                            )
                            assert result.error is None, result.error
                        times.append(time.perf_counter() - clock)
                    if label == "warm kernel":  # the first notebook in a kernel loads more
                        print(f"  {label:16} first {times[0]:.3f} s; then {_stats(times[1:])}")
                    else:
                        print(f"  {label:16} {_stats(times)}")
        finally:
            pool.shutdown()

        print(f"\n== batch of {args.units} units of the heavy notebook (HTML, manifest, index)")
        units = [make_unit(heavy, {"seed": i}, folder=f"unit-{i}") for i in range(args.units)]
        for engine in ("papermill", "warm"):
            for workers in (1, 2):
                clock = time.perf_counter()
                manifest = run_batch(
                    units,
                    out_dir=root / f"batch-{engine}-{workers}",
                    workers=workers,
                    engine=engine,
                    progress=False,
                )
                seconds = time.perf_counter() - clock
                assert manifest.counts == {"ok": args.units}, manifest.counts
                print(
                    f"  {engine:9} workers={workers}: {seconds:6.2f} s  "
                    f"({seconds / args.units:.2f} s per unit)"
                )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
