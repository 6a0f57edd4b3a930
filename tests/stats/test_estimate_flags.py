"""Reliability flags (satisfaction.stats.estimate.flags): the NCHS rules and the CV rules."""

from __future__ import annotations

import pandas as pd
import pytest

from api_reference import design
from satisfaction import estimate as est


def kg_width(p: float, se: float, n: float, df: float) -> float:
    from scipy import stats

    n_eff = min(n, p * (1 - p) / se**2)
    n_eff = min(n, n_eff * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2)
    x = p * n_eff
    low = stats.beta.ppf(0.025, x, n_eff - x + 1)
    high = stats.beta.ppf(0.975, x + 1, n_eff - x)
    return high - low


def test_nchs_reliability_rules_for_proportions():
    rows = pd.DataFrame(
        {
            "estimate": [0.5, 0.5, 0.5, 0.03, 0.05, 0.5, 0.97],
            "se": [0.02, 0.02, 0.1, 0.01, 0.02, 0.02, 0.015],
            "n": [1000, 20, 100, 1000, 500, 1000, 1000],
            "df": [100, 100, 50, 50, 50, 5, 100],
        }
    )
    widths = [kg_width(*r) for r in rows.itertuples(index=False)]
    assert widths[0] < 0.30 and widths[0] / 0.5 < 1.3
    assert widths[2] >= 0.30
    assert widths[3] <= 0.05
    assert 0.05 < widths[4] < 0.30 and widths[4] / 0.05 > 1.3
    assert 0.05 < widths[6] < 0.30 and widths[6] / 0.03 > 1.3 and widths[6] / 0.97 < 1.3
    flagged = est.flag_reliability(rows, "proportion")
    assert list(flagged["reliable"]) == [True, False, False, True, False, True, True]
    assert list(flagged["reliability_note"]) == [
        "",
        "n < 30; effective n < 30; CI width >= 0.3",  # n_eff is capped at n
        "effective n < 30; CI width >= 0.3",
        "",
        "relative CI width > 130%",
        "review: df < 8",
        "review: complement relative CI width > 130%",
    ]
    strict = est.flag_reliability(rows, "proportion", est.Reliability(min_n=2000))
    assert not strict["reliable"].any()


def test_reliability_rules_for_means():
    rows = pd.DataFrame(
        {
            "estimate": [10.0, 10.0, 10.0],
            "se": [1.0, 4.0, 1.0],
            "n": [50, 50, 10],
            "df": [20, 20, 20],
        }
    )
    flagged = est.flag_reliability(rows, "mean")
    assert list(flagged["reliable"]) == [True, False, False]
    assert list(flagged["reliability_note"]) == ["", "CV > 0.3", "n < 30"]


def test_estimators_flag_small_domains():
    df, des = design("clus1")
    result = est.proportion(df, des, "sw", by="stype", levels=[1])
    # 144 elementary, 14 high and 25 middle schools in apiclus1
    assert list(result["n"]) == [144, 14, 25]
    assert list(result["reliable"]) == [True, False, False]
    assert result["reliability_note"].iloc[1].startswith("n < 30")
    assert "review: df < 8" in result["reliability_note"].iloc[1]


def test_domain_in_a_single_psu_is_not_reliable():
    df, des = design("clus1")
    two_districts = df[df["dnum"].isin([61, 135])]  # middle schools only in district 61
    result = est.mean(two_districts, des, "api00", by="stype").set_index("stype")
    assert result.loc["M", "df"] == 0 and result.loc["M", "se"] == 0
    assert not result.loc["M", "reliable"]
    assert result.loc["M", "reliability_note"] == "n < 30; df < 1; review: df < 8"


def test_a_share_of_100_percent_says_its_interval_is_clopper_pearson():
    df = pd.DataFrame({"y": [1.0] * 400, "psu": list(range(20)) * 20})
    result = est.proportion(df, est_design(), "y", levels=[1.0]).iloc[0]
    assert result["estimate"] == 1.0 and result["se"] == 0.0
    assert result["reliable"]
    assert result["reliability_note"] == "interval: Clopper-Pearson, standard error 0"
    # Clopper-Pearson on n, df-adjusted as Korn-Graubard: n (t_{n-1} / t_df)^2 successes of as many
    from scipy import stats

    n_eff = 400 * (stats.t.ppf(0.025, 399) / stats.t.ppf(0.025, 19)) ** 2
    assert result["ci_low"] == pytest.approx(stats.beta.ppf(0.025, n_eff, 1), rel=1e-9)
    assert result["ci_high"] == 1.0


def est_design():
    from satisfaction.stats.design import Design

    return Design(psu="psu")
