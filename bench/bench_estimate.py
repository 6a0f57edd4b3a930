"""Benchmark: satisfied shares for every item x domain of a national survey (issue 3).

Synthetic survey: 1,000,000 respondents, 34 provinces (strata), 700 PSUs, 700 communes
(crossing the PSUs), 8 fields, 22 five-point items with about 5% missing answers, unequal
weights. For each item the satisfied share (top-2-box: 4 or 5 among valid answers) with SE
and logit CI is computed for every province x field (272 domains) and every commune x field
(about 5,600 domains), with `satisfaction.stats.estimate.proportion(..., levels=[1])` on 0/1
indicator columns.

Targets: each run under 3 s on 2 cores, and at least 20x faster per item than `svy`
(`Sample.estimation.prop`, Taylor, logit CI) on the same domains; svy runs on fewer items
(it is slow) and its estimates and SEs must agree with ours to 1e-6. Prints its figures; not
a timed test. Run: `.venv/bin/python bench/bench_estimate.py [--svy-items 1]`.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from satisfaction.stats.design import Design
from satisfaction.stats.estimate import proportion

N_RESPONDENTS = 1_000_000
N_PROVINCES = 34
N_PSUS = 700
N_COMMUNES = 700
N_FIELDS = 8
N_ITEMS = 22
MISSING_SHARE = 0.05
SVY_MEMORY_LIMIT = 12 * 2**30


def _spread(rng: np.random.Generator, units: int) -> np.ndarray:
    """Province of each unit: at least two per province, the rest at random."""
    extra = rng.integers(0, N_PROVINCES, units - 2 * N_PROVINCES)
    return np.concatenate([np.arange(N_PROVINCES), np.arange(N_PROVINCES), extra])


def make_survey(seed: int = 20250701) -> pd.DataFrame:
    """A seeded synthetic survey with province, PSU, commune and field effects.

    PSUs (sampled villages of the old frame) and communes (the post-2025 units) are both
    nested in provinces but cut across each other, so a commune x field domain spans
    several PSUs. (Were communes the PSUs, every commune x field domain would sit in one
    PSU and have no design-based variance at all.)
    """
    rng = np.random.default_rng(seed)
    psu_province = _spread(rng, N_PSUS)
    psu_size = rng.gamma(4.0, 1.0, N_PSUS)
    psu = rng.choice(N_PSUS, N_RESPONDENTS, p=psu_size / psu_size.sum())
    province = psu_province[psu]
    commune_province = _spread(rng, N_COMMUNES)
    commune = np.empty(N_RESPONDENTS, dtype=np.int64)
    for p in range(N_PROVINCES):  # data generation only: each province's communes
        rows = np.flatnonzero(province == p)
        choices = np.flatnonzero(commune_province == p)
        commune[rows] = rng.choice(choices, len(rows))
    field = rng.integers(0, N_FIELDS, N_RESPONDENTS)
    weight = rng.lognormal(3.0, 0.5, N_PSUS)[psu] * rng.uniform(0.7, 1.4, N_RESPONDENTS)
    latent = (
        rng.normal(0.9, 0.35, N_PROVINCES)[province]
        + rng.normal(0, 0.3, N_PSUS)[psu]
        + rng.normal(0, 0.2, N_COMMUNES)[commune]
        + rng.normal(0, 0.25, N_FIELDS)[field]
    )
    data = {
        "province": province.astype(np.int16),
        "psu": psu.astype(np.int16),
        "commune": commune.astype(np.int16),
        "field": field.astype(np.int8),
        "weight": weight,
    }
    cuts = np.array([-1.2, -0.4, 0.3, 1.2])
    for item in range(N_ITEMS):
        score = latent + rng.normal(rng.normal(0, 0.2), 1.0, N_RESPONDENTS)
        answer = (np.searchsorted(cuts, score) + 1).astype(np.float64)
        answer[rng.random(N_RESPONDENTS) < MISSING_SHARE] = np.nan
        data[f"q{item + 1:02d}"] = answer
    return pd.DataFrame(data)


def add_top2(df: pd.DataFrame, items: list[str]) -> list[str]:
    """0/1 'satisfied' columns (4 or 5), missing where the answer is missing."""
    names = []
    for item in items:
        answer = df[item].to_numpy()
        df[f"{item}_sat"] = np.where(np.isnan(answer), np.nan, (answer >= 4).astype(float))
        names.append(f"{item}_sat")
    return names


def time_ours(df: pd.DataFrame, design: Design, items: list[str], by: list[str], repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = proportion(df, design, items, by=by, method="logit", levels=[1])
        times.append(time.perf_counter() - start)
    return min(times), result


def _svy_child(
    df: pd.DataFrame, items: list[str], by: list[str], provinces: int | None, out: str
) -> None:
    import resource

    import polars as pl
    import svy

    # svy keeps the full covariance of every domain estimate: bound its memory so a too
    # large run fails here with MemoryError instead of pressing on the whole machine.
    resource.setrlimit(resource.RLIMIT_AS, (SVY_MEMORY_LIMIT, SVY_MEMORY_LIMIT))
    if provinces is not None:
        # Whole strata only: a domain's linearised values are zero in every other stratum,
        # so dropping those strata leaves its estimate, SE and df unchanged.
        df = df[df["province"] < provinces]
    frame = pl.from_pandas(df[["province", "psu", "commune", "field", "weight", *items]])
    sample = svy.Sample(frame, svy.Design(stratum="province", psu="psu", wgt="weight"))
    start = time.perf_counter()
    estimates = []
    for item in items:
        e = sample.estimation.prop(item, by=by, ci_method="logit", drop_nulls=True)
        estimates.append(e.to_polars().to_pandas().assign(variable=item))
    elapsed = time.perf_counter() - start
    pd.concat(estimates, ignore_index=True).assign(_seconds=elapsed).to_pickle(out)


def time_svy(
    df: pd.DataFrame, items: list[str], by: list[str], timeout: float, provinces: int | None
):
    """svy's time and results in a child process (bounded memory and time), or the failure."""
    import multiprocessing
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "svy.pkl")
        child = multiprocessing.get_context("fork").Process(
            target=_svy_child, args=(df, items, by, provinces, out)
        )
        child.start()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
            return None, f"did not finish within {timeout:.0f} s"
        if child.exitcode != 0 or not os.path.exists(out):
            return (
                None,
                f"failed (exit code {child.exitcode}; memory capped at "
                f"{SVY_MEMORY_LIMIT / 2**30:.0f} GiB)",
            )
        theirs = pd.read_pickle(out)
    return float(theirs.pop("_seconds").iloc[0]), theirs


def compare(ours: pd.DataFrame, theirs: pd.DataFrame, by: list[str]) -> float:
    """Largest relative difference in estimate, se and CI over the shared rows."""
    level_col = next(c for c in theirs.columns if c in set(ours["variable"]))
    theirs = theirs[theirs[level_col] == 1.0]
    merged = ours.merge(theirs, on=[*by, "variable"], how="inner", suffixes=("", "_svy"))
    assert len(merged) == len(theirs), "svy returned domains we do not have"
    worst = 0.0
    for mine, other in [("estimate", "est"), ("se", "se"), ("ci_low", "lci"), ("ci_high", "uci")]:
        a, b = merged[mine].to_numpy(), merged[other].to_numpy()
        ok = np.isfinite(a) & np.isfinite(b)
        scale = np.maximum(np.abs(b[ok]), 1e-12)
        worst = max(worst, float(np.max(np.abs(a[ok] - b[ok]) / scale)))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svy-items", type=int, default=1, help="items run through svy")
    parser.add_argument("--svy-timeout", type=float, default=900, help="seconds per svy run")
    parser.add_argument(
        "--svy-provinces", type=int, default=4, help="commune x field: svy on provinces < this"
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    df = make_survey()
    items = add_top2(df, [f"q{i + 1:02d}" for i in range(N_ITEMS)])
    built = time.perf_counter() - start
    design = Design(strata="province", psu="psu", weight="weight")
    print(
        f"data: {len(df):,} respondents, {df['province'].nunique()} provinces (strata), "
        f"{df['psu'].nunique()} PSUs, {df['commune'].nunique()} communes, {N_FIELDS} fields, "
        f"{N_ITEMS} items "
        f"({MISSING_SHARE:.0%} missing); built in {built:.1f} s; "
        f"cpus={os.cpu_count()}"
    )

    try:
        import svy

        have_svy = True
    except ImportError:
        have_svy = False
        print("svy is not installed (pip install svy): skipping the comparison")

    for label, by in [
        ("province x field", ["province", "field"]),
        ("commune x field", ["commune", "field"]),
    ]:
        seconds, result = time_ours(df, design, items, by, args.repeats)
        n_domains = result[by].drop_duplicates().shape[0]
        per_item = seconds / len(items)
        print(f"\n{label}: {n_domains:,} domains x {len(items)} items = {len(result):,} rows")
        print(
            f"  satisfaction: {seconds:.2f} s for all items (best of {args.repeats}; target "
            f"< 3 s) = {per_item * 1000:.1f} ms per item"
        )
        if have_svy and args.svy_items > 0:
            subset = items[: args.svy_items]
            # svy keeps the covariance of all domain estimates: for commune x field it needs
            # more than 12 GiB (where= does not help), so it runs on the strata of the first
            # few provinces, on fewer rows: a conservative comparison.
            provinces = None if by[0] == "province" else args.svy_provinces
            svy_seconds, theirs = time_svy(df, subset, by, args.svy_timeout, provinces)
            if svy_seconds is None:
                print(f"  svy {svy.__version__} on {len(subset)} item(s): {theirs}")
                continue
            svy_per_item = svy_seconds / len(subset)
            worst = compare(result, theirs, by)
            level_col = next(c for c in theirs.columns if c in set(subset))
            svy_domains = int((theirs[level_col] == 1.0).sum() / len(subset))
            scope = "" if provinces is None else f" (rows of provinces < {provinces} only)"
            print(
                f"  svy {svy.__version__}: {svy_seconds:.2f} s for {len(subset)} item(s) x "
                f"{svy_domains:,} domains{scope} = {svy_per_item * 1000:.0f} ms per item"
            )
            note = "" if provinces is None else f" (svy did {svy_domains / n_domains:.0%} of it)"
            print(
                f"  speed-up per item: {svy_per_item / per_item:.0f}x{note} (target >= 20x); "
                f"largest relative difference in estimate/se/CI: {worst:.1e} (target 1e-6)"
            )


if __name__ == "__main__":
    main()
