"""Benchmark: PAPI-style work at national scale (issue 14).

1. The published workbook (the real PAPI_2011-2016.xlsx when ../shared/data/papi holds it):
   read with calamine, tidied, checked and grouped.
2. Microdata: the PAPI demo's 2024 wave (8 provinces, about 2,500 respondents) copied 8
   times under the historical 63 provinces (about 19,500 respondents, 63 strata groups, as
   PAPI's yearly sample of 14,000-19,500): every composite of every province with its SE
   (25 composites x 63 provinces), rank intervals from 10,000 draws of the 63-province joint
   normal, and the above/below test with Holm (9 composites x 63 provinces).
3. The same with one indicator per dimension rescaled min-max over the provinces (a
   nonlinear composite): JKn replicate weights built from the design (one per PSU), every
   composite of every province recomputed on every replicate, then ranks and tests from
   the replicate covariance.

Targets: each step under 5 s on 2 cores. Prints its figures; not a timed test.
Run: `.venv/bin/python bench/bench_papi.py`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from satisfaction.demo.papi import generate_papi_wave, papi_demo_instrument
from satisfaction.io.geography import HISTORICAL_63
from satisfaction.io.papi_instrument import papi_instrument_from_dict
from satisfaction.io.papi_workbook import read_papi_workbook, tidy_scores
from satisfaction.stats.design import Design
from satisfaction.studies.papi_composites import (
    compare_to_all,
    composite_scores,
    papi_frame,
    rank_uncertainty,
)
from satisfaction.studies.papi_published import quartile_groups, sheet_checks
from satisfaction.studies.papi_replicates import variance_design

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = Path(
    os.environ.get(
        "PAPI_WORKBOOK", ROOT.parent / "shared" / "data" / "papi" / "PAPI_2011-2016.xlsx"
    )
)


def _timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def _national() -> pd.DataFrame:
    wave = generate_papi_wave(2024)
    names = iter(HISTORICAL_63)
    copies = []
    for copy in range(8):
        renamed = {old: next(names, None) for old in sorted(wave["tinh"].unique())}
        part = wave.assign(tinh=wave["tinh"].map(renamed)).dropna(subset=["tinh"])
        for column in ("tang", "ma_psu"):
            part[column] = f"{copy}/" + part[column]
        copies.append(part)
    return pd.concat(copies, ignore_index=True)


def main() -> None:
    if WORKBOOK.is_file():
        workbook = _timed(
            "published workbook read (calamine, 6 sheets)", lambda: read_papi_workbook(WORKBOOK)
        )
        tidy = _timed("tidy scores", lambda: tidy_scores(workbook))
        _timed("sheet checks", lambda: sheet_checks(workbook))
        _timed("quartile groups (6 years)", lambda: quartile_groups(tidy))
    else:
        print(f"published workbook not found at {WORKBOOK}: skipped")
    instrument = papi_instrument_from_dict(papi_demo_instrument())
    design = Design(weight="trong_so", strata="tang", psu="ma_psu")
    data = _national()
    print(
        f"microdata: {len(data):,} respondents, {data['tinh'].nunique()} provinces, "
        f"{data['ma_psu'].nunique()} PSUs, {len(instrument.indicators)} indicators"
    )
    frame = _timed(
        "analysis frame (checks, geography)",
        lambda: papi_frame(data, instrument, design, collected="historical_63"),
    )
    scores = _timed(
        "composites with SEs (25 x 63)", lambda: composite_scores(frame, design, instrument)
    )
    ranks = _timed(
        "rank intervals (10,000 draws, 63 provinces)",
        lambda: rank_uncertainty(frame, design, instrument),
    )
    tests = _timed(
        "above/below all provinces, Holm (9 x 63)",
        lambda: compare_to_all(frame, design, instrument),
    )
    print(
        f"rows: {len(scores)} composites, {len(ranks)} ranks, {len(tests)} tests; median "
        f"rank-interval width {(ranks['rank_high'] - ranks['rank_low']).median():.0f} places"
    )
    _replicated(data)


def _replicated(data: pd.DataFrame) -> None:
    """Part 3: a min-max indicator in every dimension, SEs from built JKn replicates."""
    spec = papi_demo_instrument()
    for dimension in spec["dimensions"]:
        dimension["sub_dimensions"][0]["indicators"][0]["rescale"] = "provinces"
    instrument = papi_instrument_from_dict(spec)
    design = Design(weight="trong_so", strata="tang", psu="ma_psu")
    frame = papi_frame(data, instrument, design, collected="historical_63")
    replicated = _timed(
        "JKn replicate weights built from the design",
        lambda: variance_design(frame, design, instrument),
    )
    scores = _timed(
        "min-max composites recomputed on every replicate (25 x 63)",
        lambda: composite_scores(frame, replicated, instrument),
    )
    ranks = _timed(
        "rank intervals from the replicate covariance",
        lambda: rank_uncertainty(frame, replicated, instrument),
    )
    _timed(
        "above/below all provinces on replicates, Holm (9 x 63)",
        lambda: compare_to_all(frame, replicated, instrument),
    )
    print(
        f"replicate rows: {len(scores)} composites; median rank-interval width "
        f"{(ranks['rank_high'] - ranks['rank_low']).median():.0f} places"
    )


if __name__ == "__main__":
    main()
