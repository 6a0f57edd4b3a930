"""Quantiles with Woodruff intervals against R's svyquantile defaults (qrule "math",
interval.type "mean"), tests/r/regression_goldens.R."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api_reference import design
from satisfaction import make_replicate_weights
from satisfaction.errors import ParameterError
from satisfaction.stats.quantiles import QUANTILE_COLUMNS, quantile, weighted_quantile

GOLDEN = Path(__file__).resolve().parents[1] / "r" / "regression_goldens.csv"
PROBS = [0.25, 0.5, 0.75]


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype=str)


def golden(case: str, stat: str, p: float, domain: str = "") -> float:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat) & (g.term == str(p)) & (g.domain == domain)]
    assert len(hit) == 1, (case, stat, p, domain)
    return float(hit["value"].iloc[0])


def _design(case: str):
    df, des = design("clus1" if case == "jk1" else case)
    if case == "jk1":
        _, des = make_replicate_weights(df, des, "JK1")
    return df, des


@pytest.mark.parametrize("case", ["clus1", "strat", "clus2", "jk1"])
def test_quantiles_match_svyquantile(case):
    df, des = _design(case)
    whole = quantile(df, des, "api00", PROBS)
    assert list(whole.columns) == QUANTILE_COLUMNS
    by = quantile(df, des, "api00", PROBS, by="stype")
    for frame, domain_of in ((whole, lambda r: ""), (by, lambda r: r["stype"])):
        for _, row in frame.iterrows():
            domain = domain_of(row)
            name = f"quantile_{case}_by" if domain else f"quantile_{case}"
            for stat in ("estimate", "ci_low", "ci_high", "se"):
                expected = golden(name, stat, row["quantile"], domain)
                if np.isnan(expected):
                    assert np.isnan(row[stat])
                else:
                    assert row[stat] == pytest.approx(expected, rel=1e-10), (stat, row)


def test_the_rule_is_the_inverse_of_the_weighted_distribution():
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.array([1.0, 1.0, 1.0, 1.0])
    assert weighted_quantile(x, w, 0.5) == 2.0  # cumulative share reaches 0.5 exactly at 2
    assert weighted_quantile(x, w, 0.51) == 3.0
    assert weighted_quantile(x, np.array([0.0, 1.0, 1.0, 1.0]), 0.5) == 2.0  # zero weight out
    with pytest.raises(ParameterError, match="strictly in"):
        quantile(*design("clus1"), "api00", [0.0])
