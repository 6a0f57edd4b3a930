"""Survey logistic regression against R's svyglm(family = quasibinomial())
(tests/r/regression_goldens.R)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api_reference import design, load
from satisfaction import make_replicate_weights
from satisfaction.errors import InputError
from satisfaction.stats.regression import REGRESSION_COLUMNS, logistic_regression

GOLDEN = Path(__file__).resolve().parents[1] / "r" / "regression_goldens.csv"


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype=str)


def golden(case: str, stat: str) -> pd.Series:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat)]
    assert len(hit), (case, stat)
    return pd.Series(hit["value"].astype(float).to_numpy(), index=hit["term"].to_numpy())


def _frame(name: str):
    df, des = design(name)
    df["met"] = (df["comp.imp"] == "Yes").astype(float)
    return df, des


@pytest.mark.parametrize("case", ["clus1", "strat", "clus2", "jk1"])
def test_logistic_regression_matches_svyglm(case):
    df, des = _frame("clus1" if case == "jk1" else case)
    if case == "jk1":
        _, des = make_replicate_weights(df, des, "JK1")
    fit = logistic_regression(df, des, "sw", ["ell", "mobility", "stype"])
    table = fit.table.set_index("term")
    assert list(fit.table.columns) == REGRESSION_COLUMNS
    assert list(table.index) == ["(Intercept)", "ell", "mobility", "stypeH", "stypeM"]
    assert fit.df == golden(f"logit_{case}", "df").iloc[0]
    for stat in ("estimate", "se", "p_value", "ci_low", "ci_high"):
        expected = golden(f"logit_{case}", stat)
        # R's sandwich takes glm's weights from the iteration before the last (and refits
        # each replicate to glm's tolerance): its SEs carry about 7 digits
        rtol = 1e-8 if stat == "estimate" else 1e-6
        np.testing.assert_allclose(table.loc[expected.index, stat], expected, rtol=rtol)
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["estimate"]), rtol=1e-12)


def test_categorical_predictor_and_missing_values():
    df, des = _frame("clus1")
    df.loc[df.index[:10], "ell"] = np.nan  # listwise: those schools leave the model only
    fit = logistic_regression(df, des, "met", ["yr.rnd", "ell"])
    assert fit.n == len(df) - 10
    table = fit.table.set_index("term")
    assert list(table.index) == ["(Intercept)", "yr.rndYes", "ell"]
    full = logistic_regression(*_frame("clus1"), "met", ["yr.rnd", "ell"]).table.set_index("term")
    for stat in ("estimate", "se", "p_value", "ci_low", "ci_high"):
        expected = golden("logit_yrrnd", stat)
        np.testing.assert_allclose(full.loc[expected.index, stat], expected, rtol=1e-6)
    assert not np.allclose(table["estimate"], full["estimate"])


def test_bad_outcomes_are_refused():
    df, des = _frame("clus1")
    with pytest.raises(InputError, match="between 0 and 1"):
        logistic_regression(df, des, "api00", ["ell"])
    df["flat"] = 1.0
    with pytest.raises(InputError, match="does not vary"):
        logistic_regression(df, des, "flat", ["ell"])
    with pytest.raises(InputError, match="nope"):
        logistic_regression(load("apiclus1"), des, "sch.wide", ["nope"])
