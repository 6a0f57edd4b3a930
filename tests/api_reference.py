"""R's `api` example data and the golden numbers R's `survey` package gives for it.

Used by test_design.py, test_estimate.py and test_weighting.py. The numbers come from
tests/r/api_goldens.R (R 4.2.2, survey 4.1-1); CI reads the committed CSV files, not R.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from satisfaction.stats.design import Design

HERE = Path(__file__).parent
DATA = HERE / "data" / "api"
GOLDEN = HERE / "r" / "api_goldens.csv"
RTOL = 1e-6  # the bar: relative 1e-6 against R


@cache
def _load(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATA / f"{name}.csv")
    if "sch.wide" in df.columns:
        df["sw"] = (df["sch.wide"] == "Yes").astype(float)
    return df


def load(name: str) -> pd.DataFrame:
    """A fresh copy of one api data set (plus `sw`: 1 when sch.wide is "Yes")."""
    return _load(name).copy()


@cache
def goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype=str)


def golden(case: str, stat: str, domain: str = "", variable: str = "") -> float:
    """One number from R; fails loudly if the key does not name exactly one."""
    g = goldens()
    hit = g[(g.case == case) & (g.stat == stat) & (g.domain == domain) & (g.variable == variable)]
    assert len(hit) == 1, f"golden {case}/{stat}/{domain}/{variable}: {len(hit)} rows"
    return float(hit["value"].iloc[0])


def golden_series(case: str, stat: str) -> pd.Series:
    g = goldens()
    hit = g[(g.case == case) & (g.stat == stat)]
    assert len(hit), f"golden {case}/{stat}: none"
    return pd.Series(hit["value"].astype(float).to_numpy(), index=hit["domain"].to_numpy())


# The designs of tests/r/api_goldens.R, by the name used in its case labels.
DESIGNS: dict[str, tuple[str, Design]] = {
    "srs": ("apisrs", Design(fpc="fpc")),
    "srs_wr": ("apisrs", Design(weight="pw")),
    "strat": ("apistrat", Design(strata="stype", weight="pw", fpc="fpc")),
    "clus1": ("apiclus1", Design(psu="dnum", weight="pw", fpc="fpc")),
    "clus1_wr": ("apiclus1", Design(psu="dnum", weight="pw")),
    "clus2": ("apiclus2", Design(psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2")),
}


def design(name: str) -> tuple[pd.DataFrame, Design]:
    data, des = DESIGNS[name]
    return load(data), des
