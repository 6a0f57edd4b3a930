"""R's conventions in the estimators (tests/r/conventions_goldens.R): zero weights, the df and
Korn-Graubard n of a domain whose item is missing in a whole PSU, R's
survey.adjust.domain.lonely, and the lonely-PSU rules at stage 2.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api_reference import load
from satisfaction import estimate as est
from satisfaction.stats.design import Design

GOLDEN = Path(__file__).resolve().parents[1] / "r" / "conventions_goldens.csv"
RTOL = 1e-9


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype=str)


def golden(case: str, stat: str, domain: str = "", variable: str = "") -> float:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat) & (g.domain == domain) & (g.variable == variable)]
    assert len(hit) == 1, (case, stat, domain, variable)
    return float(hit["value"].iloc[0])


def close(actual: float, expected: float, rtol: float = RTOL) -> None:
    if np.isnan(expected):
        assert np.isnan(actual), (actual, expected)
    else:
        assert actual == pytest.approx(expected, rel=rtol, abs=0), (actual, expected)


def check_by(result: pd.DataFrame, case: str, variable: str, stats=("estimate", "se")) -> None:
    for _, row in result.iterrows():
        for stat in stats:
            close(row[stat], golden(case, stat, row["stype"], variable))


# ------------------------------------------------------------------------------ zero weights
def zero_weight_design() -> tuple[pd.DataFrame, Design]:
    df = load("apiclus1")
    df["pwz"] = df["pw"]
    df.loc[df.index[::7], "pwz"] = 0.0
    df.loc[df["dnum"] == 716, "pwz"] = 0.0  # a whole PSU out of scope: it still counts
    return df, Design(psu="dnum", weight="pwz", fpc="fpc")


def test_zero_weights_as_r():
    df, des = zero_weight_design()
    whole = est.mean(df, des, ["api00", "api99"])
    for _, row in whole.iterrows():
        for stat in ("estimate", "se", "deff"):
            close(row[stat], golden("zero/mean", stat, "", row["variable"]))
    assert (whole["df"] == golden("zero/degf", "df")).all()
    assert whole["n"].iloc[0] == (df["pwz"] > 0).sum()
    check_by(est.mean(df, des, "api00", by="stype"), "zero/by_stype_mean", "api00", STATS3)
    check_by(est.total(df, des, "enroll", by="stype"), "zero/by_stype_total", "enroll", STATS3)
    share = est.proportion(df, des, "sw", by="stype", levels=[1.0])
    check_by(share, "zero/ciprop_logit", "sw", ("estimate", "se", "ci_low", "ci_high"))
    for _, row in share.iterrows():
        assert row["df"] == golden("zero/by_stype_degf", "df", row["stype"])


STATS3 = ("estimate", "se", "deff")


# ------------------------------------------------------ item missing in a whole PSU of a domain
def missing_psu_frame() -> pd.DataFrame:
    df = load("apiclus1")
    df.loc[df["dnum"] == 637, "sw"] = np.nan
    return df


@pytest.mark.parametrize("method", ["logit", "beta", "wald"])
def test_domain_df_and_beta_n_count_the_domain_rows_as_r(method):
    df = missing_psu_frame()
    des = Design(psu="dnum", weight="pw", fpc="fpc")
    share = est.proportion(df, des, "sw", by="stype", levels=[1.0], method=method)
    r_method = "mean" if method == "wald" else method
    check_by(
        share, f"missing_psu/ciprop_{r_method}", "sw", ("estimate", "se", "ci_low", "ci_high")
    )
    for _, row in share.iterrows():
        assert row["df"] == golden("missing_psu/degf", "df", row["stype"])
        assert row["n"] == df.loc[df["stype"] == row["stype"], "sw"].notna().sum()


def test_answered_convention_counts_only_answering_psus():
    df = missing_psu_frame()
    rows = est.proportion(df, Design(psu="dnum", weight="pw", fpc="fpc"), "sw", by="stype")
    answered = est.proportion(
        df, Design(psu="dnum", weight="pw", fpc="fpc", domain_df="answered"), "sw", by="stype"
    )
    # district 637 holds E, H and M schools: each domain loses one PSU of df
    assert (answered["df"] == rows["df"] - 1).all()
    np.testing.assert_allclose(answered["se"], rows["se"], rtol=1e-12)
    assert (answered["ci_high"] - answered["ci_low"] > rows["ci_high"] - rows["ci_low"]).all()


# ------------------------------------------------------------------- domain-lonely and stage 2
@pytest.mark.parametrize("adjust", [False, True])
@pytest.mark.parametrize("rule", ["adjust", "average", "certainty"])
def test_adjust_domain_lonely_as_r(adjust, rule):
    df = load("apiclus1")
    groups = {61: "S1", 135: "S1", 178: "S1", 197: "S1"}
    groups.update({d: "S2" for d in (255, 406, 413, 437, 448)})
    df["dstr"] = df["dnum"].map(groups).fillna("S3")
    des = Design(
        psu="dnum", strata="dstr", weight="pw", lonely_psu=rule, adjust_domain_lonely=adjust
    )
    case = f"domain_lonely_{'on' if adjust else 'off'}_{rule}"
    check_by(est.mean(df, des, "api00", by="stype"), case, "api00")


@pytest.mark.parametrize("rule", ["certainty", "remove", "adjust", "average"])
def test_stage_two_lonely_rules_as_r(rule):
    df = load("apiclus2")
    df.loc[df["dnum"] == 15, "fpc2"] = 5  # one sampled school of five
    des = Design(psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2", lonely_psu=rule)
    whole = est.mean(df, des, "api00").iloc[0]
    close(whole["estimate"], golden(f"stage2_{rule}/mean", "estimate", "", "api00"))
    close(whole["se"], golden(f"stage2_{rule}/mean", "se", "", "api00"))
    check_by(est.mean(df, des, "api00", by="stype"), f"stage2_{rule}/by_stype_mean", "api00")
