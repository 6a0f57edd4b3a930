"""Post-stratification, raking and trimming against R's survey package (api data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api_reference import RTOL, design, golden, golden_series, goldens
from satisfaction import estimate as est
from satisfaction import weighting as wt
from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import Design

# R: pop.types and the sch.wide margin of tests/r/api_goldens.R
POP_TYPES = pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")
POP_SCHWIDE = pd.DataFrame({"sch.wide": ["No", "Yes"], "Freq": [1072, 5122]})
POP_AWARDS = pd.Series({"No": 2236, "Yes": 3958}).rename_axis("awards")


def assert_close(actual: float, expected: float, rtol: float = RTOL) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=0), (actual, expected)


def check_mean(
    frame: pd.DataFrame,
    des: Design,
    case: str,
    variable: str = "api00",
    stats: tuple[str, ...] = ("estimate", "se"),
    estimator: str = "mean",
) -> None:
    row = getattr(est, estimator)(frame, des, variable).iloc[0]
    for stat in stats:
        assert_close(row[stat], golden(case, stat, "", variable))


def check_by(frame: pd.DataFrame, des: Design, by: str, case: str) -> None:
    for _, row in est.mean(frame, des, "api00", by=by).iterrows():
        assert_close(row["estimate"], golden(case, "estimate", row[by], "api00"))
        assert_close(row["se"], golden(case, "se", row[by], "api00"))


# --------------------------------------------------------------------------------------------
# postStratify
# --------------------------------------------------------------------------------------------


def test_poststratify_one_stage_cluster_matches_r():
    # R: dclus1p <- postStratify(dclus1, ~stype, pop.types)
    df, des = design("clus1")
    frame, calibrated = wt.poststratify(df, des, POP_TYPES)
    assert calibrated.weight == "pw_ps" and calibrated.calibration[0].kind == "poststratify"
    weights = sorted(set(np.round(frame["pw_ps"], 10)))
    np.testing.assert_allclose(weights, sorted(golden_series("clus1_ps/weights", "weight")))
    assert_close(frame.groupby("stype")["pw_ps"].sum()["H"], 755, 1e-12)
    row = est.mean(frame, calibrated, ["api00", "api99"])
    for _, r in row.iterrows():
        for stat in ("estimate", "se", "deff"):
            assert_close(r[stat], golden("clus1_ps/mean", stat, "", r["variable"]))
    check_mean(frame, calibrated, "clus1_ps/total", "enroll", ("estimate", "se", "deff"), "total")
    check_by(frame, calibrated, "stype", "clus1_ps/by_stype_mean")
    check_by(frame, calibrated, "sch.wide", "clus1_ps/by_schwide_mean")
    share = est.proportion(frame, calibrated, "sw", levels=[1]).iloc[0]
    for stat in ("estimate", "se", "ci_low", "ci_high"):
        assert_close(share[stat], golden("clus1_ps/ciprop_logit", stat, "", "sw"))


def test_poststratify_two_stage_design_matches_r():
    # R: postStratify(dclus2, ~stype, pop.types): weights came from fpc1/fpc2
    df, des = design("clus2")
    frame, calibrated = wt.poststratify(df, des, POP_TYPES)
    assert calibrated.calibration[0].old_weights in frame.columns
    check_mean(frame, calibrated, "clus2_ps/mean", stats=("estimate", "se", "deff"))
    check_by(frame, calibrated, "sch.wide", "clus2_ps/by_schwide_mean")


def test_population_given_as_dataframe_or_dict_is_the_same():
    df, des = design("clus1")
    as_frame = pd.DataFrame({"stype": ["E", "H", "M"], "Freq": [4421, 755, 1018]})
    as_dict = {"E": 4421, "H": 755, "M": 1018}
    a, _ = wt.poststratify(df, des, POP_TYPES)
    b, _ = wt.poststratify(df, des, as_frame)
    c, _ = wt.poststratify(df, des, as_dict, strata="stype", weight_name="w_new")
    np.testing.assert_allclose(a["pw_ps"], b["pw_ps"])
    np.testing.assert_allclose(a["pw_ps"], c["w_new"])


def test_poststratify_errors_name_the_cell():
    df, des = design("clus1")
    with pytest.raises(DesignError, match="empty cell\\(s\\) stype='X'"):
        wt.poststratify(df, des, pd.concat([POP_TYPES, pd.Series({"X": 10})]).rename_axis("stype"))
    with pytest.raises(DesignError, match="cell stype='M' is in the sample"):
        wt.poststratify(df, des, POP_TYPES.drop("M"))
    with pytest.raises(ParameterError, match="index named"):
        wt.poststratify(df, des, pd.Series([1.0, 2.0]))


# --------------------------------------------------------------------------------------------
# rake
# --------------------------------------------------------------------------------------------


def test_rake_matches_r_with_r_defaults():
    # R: rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)):
    # mean api00 641.23, SE 23.704
    df, des = design("clus1")
    frame, raked = wt.rake(df, des, [POP_TYPES, POP_SCHWIDE])
    g = goldens()
    r_weights = g[g.case == "clus1_rake/weights"]["value"].astype(float).to_numpy()
    np.testing.assert_allclose(frame[raked.weight], r_weights, rtol=1e-12)
    check_mean(frame, raked, "clus1_rake/mean", stats=("estimate", "se", "deff"))
    assert round(est.mean(frame, raked, "api00")["estimate"].iloc[0], 2) == 641.23
    assert round(est.mean(frame, raked, "api00")["se"].iloc[0], 3) == 23.704
    check_mean(frame, raked, "clus1_rake/total", "enroll", estimator="total")
    check_by(frame, raked, "stype", "clus1_rake/by_stype_mean")
    check_by(frame, raked, "awards", "clus1_rake/by_awards_mean")


def test_rake_to_convergence_and_margins_as_dict():
    # R: rake(..., control=list(maxit=100, epsilon=1e-12))
    df, des = design("clus1")
    frame, raked = wt.rake(
        df, des, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, max_iter=100, tol=1e-12
    )
    check_mean(frame, raked, "clus1_rake_tight/mean")
    totals = frame.groupby("sch.wide")[raked.weight].sum()
    assert_close(totals["Yes"], 5122, 1e-10)
    assert_close(frame.groupby("stype")[raked.weight].sum()["H"], 755, 1e-10)


def test_rake_on_a_stratified_design_matches_r():
    df, des = design("strat")
    frame, raked = wt.rake(df, des, [POP_SCHWIDE, POP_AWARDS])
    check_mean(frame, raked, "strat_rake/mean")
    check_by(frame, raked, "stype", "strat_rake/by_stype_mean")


def test_raked_weights_treated_as_fixed_do_not_give_rs_se():
    df, des = design("clus1")
    frame, raked = wt.rake(df, des, [POP_TYPES, POP_SCHWIDE])
    fixed = Design(psu="dnum", weight=raked.weight, fpc="fpc")
    wrong = est.mean(frame, fixed, "api00")["se"].iloc[0]
    assert abs(wrong / golden("clus1_rake/mean", "se", "", "api00") - 1) > 1e-3
    # The share of sch.wide is fixed by the raking: its SE is zero only if the design knows.
    right = est.proportion(frame, raked, "sw", levels=[1]).iloc[0]
    assert right["estimate"] == pytest.approx(5122 / 6194, rel=1e-9)
    assert right["se"] < 1e-6
    assert est.proportion(frame, fixed, "sw", levels=[1])["se"].iloc[0] > 0.01


def test_rake_refuses_margins_with_different_totals():
    df, des = design("clus1")
    short = POP_SCHWIDE.assign(Freq=[1000, 5000])
    with pytest.raises(DesignError, match="disagree on the population total"):
        wt.rake(df, des, [POP_TYPES, short])


def test_rake_names_the_margin_when_it_does_not_converge():
    # as R's rake(): a warning by default (the weights are still usable), an error on request
    df, des = design("clus1")
    with pytest.raises(DesignError, match=r"did not converge in 1 sweeps.*margin stype cell"):
        wt.rake(df, des, [POP_TYPES, POP_SCHWIDE], max_iter=1, tol=1e-12, on_fail="raise")
    with pytest.warns(RuntimeWarning, match="did not converge"):
        frame, raked = wt.rake(df, des, [POP_TYPES, POP_SCHWIDE], max_iter=1, tol=1e-12)
    assert raked.weight in frame.columns


def test_rake_empty_cell_is_named():
    df, des = design("clus1")
    awards = pd.Series({"No": 2000, "Yes": 4000, "Maybe": 194}).rename_axis("awards")
    with pytest.raises(DesignError, match="rake margin awards: empty cell\\(s\\) awards='Maybe'"):
        wt.rake(df, des, [POP_TYPES, awards])


# --------------------------------------------------------------------------------------------
# Trimming and Kish's effective n
# --------------------------------------------------------------------------------------------


def test_trim_weights_matches_r_trimweights():
    # R: trimWeights(dstrat, upper=40, lower=18)
    df, des = design("strat")
    frame, trimmed = wt.trim_weights(df, des, lower=18, upper=40)
    values = sorted(set(np.round(frame[trimmed.weight], 10)))
    np.testing.assert_allclose(values, sorted(golden_series("strat_trim/weights", "weight")))
    assert_close(frame[trimmed.weight].sum(), df["pw"].sum(), 1e-12)
    check_mean(frame, trimmed, "strat_trim/mean")


def test_strict_trimming_repeats_until_inside():
    df = pd.DataFrame({"w": [1.0, 1.0, 1.0, 10.0, 30.0]})
    once, des1 = wt.trim_weights(df, Design(weight="w"), upper=10)
    assert once[des1.weight].max() > 10  # the shared-out excess pushes one weight over
    strict, des2 = wt.trim_weights(df, Design(weight="w"), upper=10, strict=True)
    assert strict[des2.weight].max() <= 10 + 1e-12
    assert_close(strict[des2.weight].sum(), 43.0, 1e-12)


def test_kish_effective_sample_size():
    df = pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0, 3.0, 3.0], "g": list("aaaabb")})
    result = wt.kish_effective_n(df, Design(weight="w"), by="g").set_index("g")
    assert_close(result.loc["a", "n_effective"], 64 / 22, 1e-12)
    assert_close(result.loc["b", "n_effective"], 2.0, 1e-12)
    assert_close(result.loc["a", "deff_weighting"], 4 / (64 / 22), 1e-12)
    whole = wt.kish_effective_n(df, Design(weight="w")).iloc[0]
    assert_close(whole["n_effective"], 14**2 / 40, 1e-12)


# --------------------------------------------------------------------------------------------
# Other estimators on calibrated designs
# --------------------------------------------------------------------------------------------


def test_difference_on_a_raked_design_matches_r():
    # R: svycontrast of the domain means E and H (as ratios, covmat=TRUE) on dclus1r
    df, des = design("clus1")
    frame, raked = wt.rake(df, des, [POP_TYPES, POP_SCHWIDE])
    row = est.difference(frame, raked, "api00", "stype", "E", "H").iloc[0]
    assert_close(row["estimate"], golden("clus1_rake/diff_stype", "estimate", "E-H", "api00"))
    assert_close(row["se"], golden("clus1_rake/diff_stype", "se", "E-H", "api00"))


def test_chisq_on_a_poststratified_design_matches_r():
    # R: svychisq(~awards+stype, dclus1p) and statistic="Chisq"
    df, des = design("clus1")
    frame, calibrated = wt.poststratify(df, des, POP_TYPES)
    result = est.chisq(frame, calibrated, "awards", "stype").set_index("test")
    for test in ("F", "Chisq"):
        for stat in ("statistic", "p_value", "ndf"):
            assert_close(result.loc[test, stat], golden(f"clus1_ps/chisq_{test}", stat))
    assert_close(result.loc["F", "ddf"], golden("clus1_ps/chisq_F", "ddf"))


def test_domain_proportions_on_a_raked_design_match_svyciprop():
    # R: svyciprop(~aw, subset(dclus1r, stype == s), method="logit")
    df, des = design("clus1")
    df["aw"] = (df["awards"] == "Yes").astype(float)
    frame, raked = wt.rake(df, des, [POP_TYPES, POP_SCHWIDE])
    result = est.proportion(frame, raked, "aw", by="stype", levels=[1])
    for _, row in result.iterrows():
        for stat in ("estimate", "se", "ci_low", "ci_high"):
            expected = golden("clus1_rake/ciprop_by_stype_logit", stat, row["stype"], "aw")
            assert_close(row[stat], expected)
