"""Proportion CIs (satisfaction.stats.estimate.intervals) against R's svyciprop on the api data
(tests/r/api_goldens.R).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api_reference import RTOL, design, golden
from satisfaction import estimate as est
from satisfaction.errors import ParameterError
from satisfaction.stats.design import Design


def assert_close(actual: float, expected: float, rtol: float = RTOL) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=0), (actual, expected)


R_METHODS = {"logit": "logit", "beta": "beta", "wald": "mean"}


@pytest.mark.parametrize("name", ["srs", "strat", "clus1", "clus2"])
@pytest.mark.parametrize("method", sorted(R_METHODS))
def test_proportion_matches_svyciprop(name, method):
    # R: svyciprop(~sw, d, method=m) and svyciprop(~sw, subset(d, stype == s), method=m)
    df, des = design(name)
    r_method = R_METHODS[method]
    whole = est.proportion(df, des, "sw", method=method, levels=[1]).iloc[0]
    for stat in ("estimate", "se", "ci_low", "ci_high"):
        assert_close(whole[stat], golden(f"{name}/ciprop_{r_method}", stat, "", "sw"))
    by = est.proportion(df, des, "sw", by="stype", method=method, levels=[1])
    assert list(by["stype"]) == ["E", "H", "M"]
    for _, row in by.iterrows():
        for stat in ("estimate", "se", "ci_low", "ci_high"):
            expected = golden(f"{name}/ciprop_by_stype_{r_method}", stat, row["stype"], "sw")
            assert_close(row[stat], expected)


def test_logit_interval_is_also_r_xlogit():
    # svyglm's sandwich SE of the intercept is se(p) / (p (1 - p)): the same interval.
    df, des = design("clus1")
    row = est.proportion(df, des, "sw", levels=[1]).iloc[0]
    assert_close(row["ci_low"], golden("clus1/ciprop_xlogit", "ci_low", "", "sw"))
    assert_close(row["ci_high"], golden("clus1/ciprop_xlogit", "ci_high", "", "sw"))


def srs_zero_one(ones: int, n: int) -> pd.DataFrame:
    return pd.DataFrame({"y": [1.0] * ones + [0.0] * (n - ones)})


def test_wilson_interval_on_the_effective_sample_size():
    # Unit weights, one PSU per row, with replacement: var(p) = p(1-p)/(n-1), so the
    # effective n is n - 1 and the df is n - 1.
    from scipy import stats

    n, ones = 40, 10
    result = est.proportion(srs_zero_one(ones, n), Design(), "y", method="wilson", levels=[1])
    p, m = ones / n, n - 1
    t = stats.t.ppf(0.975, n - 1)
    centre = (p + t**2 / (2 * m)) / (1 + t**2 / m)
    half = t / (1 + t**2 / m) * np.sqrt(p * (1 - p) / m + t**2 / (4 * m**2))
    assert_close(result["ci_low"].iloc[0], centre - half, 1e-12)
    assert_close(result["ci_high"].iloc[0], centre + half, 1e-12)


@pytest.mark.parametrize("method", est.PROPORTION_METHODS)
def test_zero_share_gets_the_clopper_pearson_interval(method):
    result = est.proportion(srs_zero_one(0, 50), Design(), "y", method=method, levels=[1])
    row = result.iloc[0]
    assert row["estimate"] == 0 and row["se"] == 0
    assert row["ci_low"] == 0
    assert_close(row["ci_high"], 1 - 0.025 ** (1 / 50), 1e-9)


def test_proportion_interval_for_shares_computed_elsewhere():
    df, des = design("clus1")
    row = est.proportion(df, des, "sw", method="beta", levels=[1]).iloc[0]
    low, high = est.proportion_interval(
        [row["estimate"]], [row["se"]], [row["n"]], [row["df"]], method="beta"
    )
    assert_close(low[0], golden("clus1/ciprop_beta", "ci_low", "", "sw"))
    assert_close(high[0], golden("clus1/ciprop_beta", "ci_high", "", "sw"))
    with pytest.raises(ParameterError, match="method='exact'"):
        est.proportion_interval([0.5], [0.1], [50], [10], method="exact")
