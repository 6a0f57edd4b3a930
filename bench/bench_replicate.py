"""Benchmark: a JKn replicate design (one replicate per PSU) on a national survey (issue 11).

Synthetic survey (bench_estimate's): 1,000,000 respondents, 34 provinces (strata), 700 PSUs,
8 fields, 22 five-point items with about 5% missing answers, unequal weights. The design's
replicates are made with `make_replicate_weights(df, design, "JKn")` (R's
`as.svrepdesign(type="JKn")`: 700 replicates, compressed), then the satisfied share of one
item (and of all 22) is computed for every province x field (272 domains), with its
replicate SE, logit CI and domain df.

R (when `Rscript` with the survey package is on the PATH) builds the same JKn design and
times what its `svyby(~q01_sat, ~province + field, rep, svymean, na.rm=TRUE)` does per
domain on a few domains (see `R_SCRIPT` for why not all), extrapolated to all of them; the
largest relative difference of the estimates and SEs on those domains is printed.
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

# R's as.svrepdesign() ends with degf(): the rank of the n x R analysis weights (here a
# 1,000,000 x 700 QR, 5.6 GB), which did not finish in 30 minutes on the bench machine. The
# script builds the same JKn design from R's own jknweights() (what as.svrepdesign does
# before that rank) with the design df given, then times what svyby() does per domain --
# svymean() on rep[domain, ], whose subset recomputes the domain's degf by a QR of its
# replicate weights -- on the first `k` domains, and extrapolates to all of them.
R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], colClasses = c("integer", "integer", "integer", "numeric", "numeric"))
k <- as.integer(args[3])
start <- proc.time()[["elapsed"]]
des <- svydesign(id = ~psu, strata = ~province, weights = ~weight, data = df)
jk <- survey:::jknweights(des$strata[, 1], des$cluster[, 1])
rep <- list(repweights = jk$repweights, pweights = 1 / des$prob, type = "JKn", rho = NULL,
            scale = jk$scale, rscales = jk$rscales, combined.weights = FALSE, selfrep = NULL,
            mse = FALSE, variables = des$variables,
            degf = length(unique(df$psu)) - length(unique(df$province)))
class(rep) <- "svyrep.design"
built <- proc.time()[["elapsed"]] - start
domains <- unique(df[order(df$province, df$field), c("province", "field")])
out <- NULL
start <- proc.time()[["elapsed"]]
for (i in seq_len(min(k, nrow(domains)))) {
  rows <- df$province == domains$province[i] & df$field == domains$field[i]
  m <- svymean(~q01_sat, rep[rows, ], na.rm = TRUE)
  out <- rbind(out, data.frame(province = domains$province[i], field = domains$field[i],
                               estimate = coef(m), se = SE(m)))
}
elapsed <- proc.time()[["elapsed"]] - start
write.csv(out, args[2], row.names = FALSE)
cat(sprintf("%.3f %.3f %d %d\n", built, elapsed, ncol(jk$repweights$weights), nrow(domains)))
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


def run_r(df: pd.DataFrame, domains: int, timeout: float):
    """R's seconds (building the design; svymean on `domains` domain subsets), its
    results and the number of domains, or why R did not run."""
    if shutil.which("Rscript") is None:
        return "Rscript not found: R's side skipped", None, None, 0
    with tempfile.TemporaryDirectory() as tmp:
        data, out, script = (os.path.join(tmp, f) for f in ("d.csv", "o.csv", "s.R"))
        df[["province", "psu", "field", "weight", "q01_sat"]].to_csv(data, index=False)
        Path(script).write_text(R_SCRIPT, encoding="utf-8")
        try:
            done = subprocess.run(
                ["Rscript", script, data, out, str(domains)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"R did not finish within {timeout:.0f} s", None, None, 0
        if done.returncode != 0:
            return f"R failed: {done.stderr.strip().splitlines()[-1:]}", None, None, 0
        built, elapsed, reps, total = done.stdout.split()
        note = f"R: JKn design from jknweights() in {float(built):.2f} s ({reps} replicates)"
        return note, pd.read_csv(out), float(elapsed), int(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--r-timeout", type=float, default=1800)
    parser.add_argument("--r-domains", type=int, default=12, help="domains R times")
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
    note, theirs, elapsed, total = run_r(df, args.r_domains, args.r_timeout)
    print(note)
    if theirs is None or elapsed is None:
        return
    merged = result.merge(theirs, on=["province", "field"], suffixes=("", "_r"))
    worst = max(
        float(np.max(np.abs(merged[c] / merged[f"{c}_r"] - 1))) for c in ("estimate", "se")
    )
    whole = elapsed / len(theirs) * total
    print(
        f"R svymean on rep[domain, ] (svyby's step) for {len(theirs)} of {total} domains: "
        f"{elapsed:.1f} s, so about {whole:.0f} s for all {total}; ours {one:.3f} s for all: "
        f"{whole / one:.0f}x faster (target >= 10x); largest relative difference of the "
        f"estimates and SEs on the shared domains {worst:.1e}"
    )


if __name__ == "__main__":
    main()
