"""Replicate-weight designs against R (tests/r/replicate_goldens.R): as.svrepdesign (JK1,
JKn), svrepdesign with supplied BRR, Fay, bootstrap and successive-difference factors,
svyby / svyratio / svyciprop on them, and calibration redone on every replicate.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api_reference import DATA, design, load
from satisfaction import ReplicateDesign, make_replicate_weights
from satisfaction import estimate as est
from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import Design

GOLDEN = Path(__file__).resolve().parents[1] / "r" / "replicate_goldens.csv"
RTOL = 1e-8
STYPES = ["E", "H", "M"]


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype=str)


def golden(case: str, stat: str, domain: str = "", variable: str = "") -> float:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat) & (g.domain == domain) & (g.variable == variable)]
    assert len(hit) == 1, (case, stat, domain, variable)
    return float(hit["value"].iloc[0])


def close(actual: float, expected: float, rtol: float = RTOL) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=1e-12), (actual, expected)


def _supplied(data: str, key: str, file: str, method: str, **kwargs):
    df = load(data)
    if data == "apistrat":
        df = df.sort_values(["stype", "snum"]).reset_index(drop=True)
    factors = pd.read_csv(DATA / file)
    if method == "Fay":  # Fay's factors are 0.3 + 0.7 x BRR's (asserted in the R script)
        factors = factors[[key]].join(0.3 + 0.7 * factors.drop(columns=key).astype(float))
    columns = [c for c in factors.columns if c != key]
    df = df.merge(factors, on=key, how="left", validate="many_to_one")
    return df, ReplicateDesign(
        weight="pw", replicates=tuple(columns), method=method, combined_weights=False, **kwargs
    )


def replicate_design(name: str):
    if name in ("jk1", "jkn", "jkn_mse"):
        df, des = design("clus1" if name == "jk1" else "strat")
        method = "JK1" if name == "jk1" else "JKn"
        return make_replicate_weights(df, des, method, mse=name == "jkn_mse")
    if name == "brr":
        return _supplied("apistrat", "snum", "replicates_brr.csv", "BRR")
    if name == "fay":
        return _supplied("apistrat", "snum", "replicates_brr.csv", "Fay", rho=0.3)
    if name == "boot":
        return _supplied("apiclus1", "dnum", "replicates_boot.csv", "bootstrap")
    if name == "sdr":
        return _supplied("apiclus1", "dnum", "replicates_sdr.csv", "successive-difference")
    raise KeyError(name)


def check_record(name: str, df: pd.DataFrame, rep) -> None:
    """What tests/r/replicate_goldens.R's record() wrote for one design."""
    whole = est.mean(df, rep, ["api00", "api99"])
    for _, row in whole.iterrows():
        close(row["estimate"], golden(f"{name}/mean", "estimate", "", row["variable"]))
        close(row["se"], golden(f"{name}/mean", "se", "", row["variable"]))
    assert (whole["df"] == golden(f"{name}/degf", "df")).all()
    total = est.total(df, rep, "enroll").iloc[0]
    close(total["estimate"], golden(f"{name}/total", "estimate", "", "enroll"))
    close(total["se"], golden(f"{name}/total", "se", "", "enroll"))
    for function, case, variable in (
        (est.mean, "by_stype_mean", "api00"),
        (est.total, "by_stype_total", "enroll"),
    ):
        for _, row in function(df, rep, variable, by="stype").iterrows():
            for stat in ("estimate", "se"):
                close(row[stat], golden(f"{name}/{case}", stat, row["stype"], variable))
    ratio = est.ratio(df, rep, "api.stu", "enroll", by="stype")
    for _, row in ratio.iterrows():
        for stat in ("estimate", "se"):
            close(row[stat], golden(f"{name}/by_stype_ratio", stat, row["stype"], row["variable"]))
    for method, r_method in (("logit", "logit"), ("beta", "beta"), ("wald", "mean")):
        shares = est.proportion(df, rep, "sw", by="stype", levels=[1.0], method=method)
        for _, row in shares.iterrows():
            assert row["df"] == golden(f"{name}/by_stype_degf", "df", row["stype"])
            for stat in ("estimate", "se", "ci_low", "ci_high"):
                # R's logit interval refits svyglm in each replicate, to glm's tolerance 1e-8
                rtol = 1e-7 if method == "logit" and stat.startswith("ci") else RTOL
                expected = golden(f"{name}/ciprop_{r_method}", stat, row["stype"], "sw")
                if name == "boot" and method == "logit" and row["stype"] == "H":
                    # some replicates' share is 1: an infinite logit, so the interval is
                    # [0, 1] here; R's svyglm stops short (4e-05 to 0.99999)
                    assert abs(row[stat] - expected) < 1e-4
                    continue
                close(row[stat], expected, rtol)


@pytest.mark.parametrize("name", ["jk1", "jkn", "jkn_mse", "brr", "fay", "boot", "sdr"])
def test_replicate_designs_match_r(name):
    df, rep = replicate_design(name)
    check_record(name, df, rep)


def test_written_columns_equal_the_compressed_design():
    df, des = design("strat")
    frame, compressed = make_replicate_weights(df, des, "JKn")
    assert frame is df and compressed.replicates == ()
    wide, written = make_replicate_weights(df, des, "JKn", compress=False)
    assert len(written.replicates) == 200 and written.weight == "pw"
    a = est.mean(frame, compressed, "api00", by="stype")
    b = est.mean(wide, written, "api00", by="stype")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_generated_brr_gives_r_totals_and_bootstrap_is_reproducible():
    df = load("apistrat").sort_values(["stype", "snum"]).reset_index(drop=True)
    df["pair"] = df["stype"] + (df.groupby("stype").cumcount() // 2).astype(str)
    pairs = Design(psu="snum", strata="pair", weight="pw")
    _, brr = make_replicate_weights(df, pairs, "BRR")
    # any Hadamard matrix with full orthogonal balance gives the same variance of a total
    total = est.total(df, brr, "enroll").iloc[0]
    close(total["se"], golden("brr/total", "se", "", "enroll"), 1e-10)
    clus, des = design("clus1")
    _, boot = make_replicate_weights(clus, des, "bootstrap", replicates=30, seed=7)
    once = est.mean(clus, boot, "api00")["se"].iloc[0]
    assert est.mean(clus, boot, "api00")["se"].iloc[0] == once


def test_replicate_design_refusals():
    df, des = design("clus1")
    with pytest.raises(DesignError, match="JKn needs strata"):
        est.mean(df, make_replicate_weights(df, des, "JKn")[1], "api00")
    with pytest.raises(DesignError, match="exactly two PSUs"):
        make_replicate_weights(*design("strat"), "BRR")
    with pytest.raises(ParameterError, match="needs rscales"):
        est.mean(df, ReplicateDesign(weight="pw", replicates=("pw", "fpc"), method="JKn"), "api00")
    with pytest.raises(ParameterError, match="needs rho"):
        ReplicateDesign(replicates=("a", "b"), method="Fay")
    with pytest.raises(DesignError, match="column 'nope'"):
        est.mean(df, ReplicateDesign(weight="pw", replicates=("pw", "nope")), "api00")
    with pytest.raises(ParameterError, match="method="):
        make_replicate_weights(df, des, "jackknife")
    assert np.isfinite(
        est.mean(df, make_replicate_weights(df, des, "JK1")[1], "api00")["se"]
    ).all()


POP_TYPES = pd.Series([4421.0, 755.0, 1018.0], index=pd.Index(STYPES, name="stype"))
POP_SCHWIDE = pd.Series([1072.0, 5122.0], index=pd.Index(["No", "Yes"], name="sch.wide"))


def test_calibration_is_redone_on_every_replicate():
    from satisfaction.stats import weighting as wt

    df, rep = replicate_design("jk1")
    ps_frame, ps = wt.poststratify(df, rep, POP_TYPES)
    assert isinstance(ps, ReplicateDesign) and len(ps.replicates) == 15
    check_record("jk1_ps", ps_frame, ps)
    raked_frame, raked = wt.rake(df, rep, [POP_TYPES, POP_SCHWIDE], max_iter=100, tol=1e-12)
    check_record("jk1_rake", raked_frame, raked)
    # every replicate is raked to the margins, not only the full sample
    sums = raked_frame.groupby("stype")[list(raked.replicates)].sum()
    expected = np.broadcast_to(POP_TYPES.to_numpy()[:, None], sums.shape)
    np.testing.assert_allclose(sums.to_numpy(), expected, rtol=1e-9)


def test_trimming_a_replicate_design_trims_every_replicate():
    from satisfaction.stats import weighting as wt

    df, rep = replicate_design("jk1")
    frame, trimmed = wt.trim_weights(df, rep, upper=40.0)
    columns = frame[[trimmed.weight, *trimmed.replicates]]
    assert columns.max().max() <= 40.0 + 1e-9
    # each replicate keeps its total weight
    original = make_replicate_weights(df, design("clus1")[1], "JK1", compress=False)[0]
    np.testing.assert_allclose(
        frame[list(trimmed.replicates)].sum().to_numpy(),
        original[[f"repw{r}" for r in range(1, 16)]].sum().to_numpy(),
        rtol=1e-12,
    )
    assert est.total(frame, trimmed, "enroll")["se"].iloc[0] > 0


@pytest.mark.parametrize("name", ["jk1", "jkn"])
def test_contrasts_and_chisq_on_replicate_designs(name):
    # R: svycontrast(svyby(~api00, ~stype, d, svymean, covmat=TRUE), ...); svychisq on d
    df, rep = replicate_design(name)
    for a, b in (("E", "H"), ("E", "M"), ("H", "M")):
        row = est.difference(df, rep, "api00", "stype", a, b).iloc[0]
        close(row["estimate"], golden(f"{name}/diff_stype", "estimate", f"{a}-{b}", "api00"))
        close(row["se"], golden(f"{name}/diff_stype", "se", f"{a}-{b}", "api00"))
    tests = est.chisq(df, rep, "sch.wide", "stype").set_index("test")
    for test in ("F", "Chisq"):
        for stat in ("statistic", "p_value", "ndf"):
            close(tests.at[test, stat], golden(f"{name}/chisq_{test}", stat))


def test_indices_on_a_replicate_design():
    # R: svycontrast(svymean(~sw + aw, jk1), c(0.5, 0.5)); each stype minus the whole from
    # the replicates of svyby(..., return.replicates = TRUE) and svymean, then svrVar
    from satisfaction.studies import indices

    df, rep = replicate_design("jk1")
    df["aw"] = (df["awards"] == "Yes").astype(float)
    combined = indices.linear_combination(df, rep, {"sw": 0.5, "aw": 0.5}, name="index")
    close(combined["estimate"].iloc[0], golden("jk1/combination", "estimate", "", "index"))
    close(combined["se"].iloc[0], golden("jk1/combination", "se", "", "index"))
    assert combined["df"].iloc[0] == golden("jk1/degf", "df")
    against = indices.compare_to_overall(df, rep, {"sw": {"sw": 1.0}}, "stype")
    for _, row in against.iterrows():
        close(row["difference"], golden("jk1/minus_overall", "estimate", row["stype"], "sw"))
        close(row["se"], golden("jk1/minus_overall", "se", row["stype"], "sw"))
