"""Benchmark: a JKn replicate design (one replicate per PSU) on a national survey (issue 11).

Synthetic survey (bench_estimate's): 1,000,000 respondents, 34 provinces (strata), 700 PSUs,
8 fields, 22 five-point items with about 5% missing answers, unequal weights. The design's
replicates are made with `make_replicate_weights(df, design, "JKn")` (R's
`as.svrepdesign(type="JKn")`: 700 replicates, compressed), then the satisfied share of one
item (and of all 22) is computed for every province x field (272 domains), with its
replicate SE, logit CI and domain df.

R runs `as.svrepdesign` and `svyby(~q01_sat, ~province + field, rep, svymean, na.rm=TRUE)`
on the same data and design when `Rscript` with the survey package is on the PATH; both
sides print their seconds and the largest relative difference of the estimates and SEs.
Targets: at least 10x faster than R's svyby, within 4 GB (peak resident memory printed).
Prints its figures; not a timed test. Run: `.venv/bin/python bench/bench_replicate.py`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction import make_replicate_weights
from satisfaction.stats.design import Design
from satisfaction.stats.estimate import proportion

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_estimate import N_ITEMS, add_top2, make_survey

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], colClasses = c("integer", "integer", "integer", "numeric", "numeric"))
start <- proc.time()[["elapsed"]]
des <- svydesign(id = ~psu, strata = ~province, weights = ~weight, data = df)
rep <- as.svrepdesign(des, type = "JKn")
built <- proc.time()[["elapsed"]] - start
start <- proc.time()[["elapsed"]]
b <- svyby(~q01_sat, ~province + field, rep, svymean, na.rm = TRUE)
elapsed <- proc.time()[["elapsed"]] - start
out <- data.frame(province = b$province, field = b$field, estimate = coef(b), se = SE(b))
write.csv(out, args[2], row.names = FALSE)
cat(sprintf("%.3f %.3f %d\n", built, elapsed, ncol(rep$repweights$weights)))
"""


def peak_memory_gb() -> float:
    """Peak resident memory of this process (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def time_ours(df: pd.DataFrame, design: Design, items: list[str], repeats: int):
    times, result, built = [], None, []
    for _ in range(repeats):
        start = time.perf_counter()
        _, replicated = make_replicate_weights(df, design, "JKn")
        built.append(time.perf_counter() - start)
        result = proportion(df, replicated, items, by=["province", "field"], levels=[1])
        times.append(time.perf_counter() - start)
    return min(built), min(times), result


def run_r(df: pd.DataFrame, timeout: float) -> tuple[str, pd.DataFrame | None, float | None]:
    """R's seconds (as.svrepdesign, svyby) and results, or why R did not run."""
    if shutil.which("Rscript") is None:
        return "Rscript not found: R's side skipped", None, None
    with tempfile.TemporaryDirectory() as tmp:
        data, out, script = (os.path.join(tmp, f) for f in ("d.csv", "o.csv", "s.R"))
        df[["province", "psu", "field", "weight", "q01_sat"]].to_csv(data, index=False)
        Path(script).write_text(R_SCRIPT, encoding="utf-8")
        try:
            done = subprocess.run(
                ["Rscript", script, data, out],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"R did not finish within {timeout:.0f} s", None, None
        if done.returncode != 0:
            return f"R failed: {done.stderr.strip().splitlines()[-1:]}", None, None
        built, elapsed, reps = done.stdout.split()
        note = f"R as.svrepdesign {float(built):.2f} s ({reps} replicates)"
        return note, pd.read_csv(out), float(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--r-timeout", type=float, default=1800)
    parser.add_argument("--no-r", action="store_true", help="skip R's side")
    args = parser.parse_args()

    start = time.perf_counter()
    df = make_survey()
    items = add_top2(df, [f"q{i + 1:02d}" for i in range(N_ITEMS)])
    design = Design(strata="province", psu="psu", weight="weight")
    print(
        f"data: {len(df):,} respondents, {df['province'].nunique()} provinces (strata), "
        f"{df['psu'].nunique()} PSUs, {df['field'].nunique()} fields; built in "
        f"{time.perf_counter() - start:.1f} s; cpus={os.cpu_count()}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    built, one, result = time_ours(df, design, items[:1], args.repeats)
    print(
        f"ours: JKn replicates ({df['psu'].nunique()}) in {built:.3f} s; one item x "
        f"{len(result)} province x field domains in {one:.3f} s (replicates included)"
    )
    _, every, _ = time_ours(df, design, items, 1)
    print(f"ours: all {N_ITEMS} items x {len(result)} domains in {every:.2f} s")
    print(f"peak memory of this process: {peak_memory_gb():.2f} GB (target <= 4 GB)")
    if args.no_r:
        return
    note, theirs, elapsed = run_r(df, args.r_timeout)
    print(note)
    if theirs is None or elapsed is None:
        return
    merged = result.merge(theirs, on=["province", "field"], suffixes=("", "_r"))
    worst = max(
        float(np.max(np.abs(merged[c] / merged[f"{c}_r"] - 1))) for c in ("estimate", "se")
    )
    print(
        f"R svyby (one item, {len(theirs)} domains): {elapsed:.2f} s; ours {one:.3f} s: "
        f"{elapsed / one:.0f}x faster (target >= 10x); largest relative difference of "
        f"estimates and SEs {worst:.1e}"
    )


if __name__ == "__main__":
    main()
