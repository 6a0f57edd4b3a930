"""Estimators against R's survey package on its api data (tests/r/api_goldens.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api_reference import DESIGNS, RTOL, design, golden, load
from satisfaction import estimate as est
from satisfaction.errors import InputError, ParameterError
from satisfaction.stats.design import Design

STATS = ("estimate", "se", "deff")


def assert_close(actual: float, expected: float, rtol: float = RTOL) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=0), (actual, expected)


# --------------------------------------------------------------------------------------------
# svymean / svytotal, whole population
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DESIGNS))
@pytest.mark.parametrize(
    ("estimator", "variables"), [("mean", ["api00", "api99"]), ("total", ["api00", "api.stu"])]
)
def test_mean_and_total_match_r(name, estimator, variables):
    # R: svymean(~api00+api99, d, deff=TRUE); svytotal(~api00+api.stu, d, deff=TRUE)
    df, des = design(name)
    result = getattr(est, estimator)(df, des, variables)
    assert list(result["variable"]) == variables
    for _, row in result.iterrows():
        for stat in STATS:
            assert_close(row[stat], golden(f"{name}/{estimator}", stat, "", row["variable"]))
    assert (result["df"] == golden(f"{name}/degf", "df")).all()
    assert (result["n"] == len(df)).all()
    assert_close(result["N"].iloc[0], float(golden(f"{name}/weights", "sum")))


def test_output_has_the_tidy_shape():
    df, des = design("clus1")
    result = est.mean(df, des, "api00", by="stype")
    assert list(result.columns) == ["stype", *est.ESTIMATE_COLUMNS]
    assert list(result["stype"]) == ["E", "H", "M"]
    assert result["level"].isna().all()
    row = result.iloc[0]
    assert_close(row["cv"], row["se"] / row["estimate"], 1e-12)
    t = 2.1447866879169273  # qt(0.975, 14): t interval on the domain df
    assert_close(row["ci_high"], row["estimate"] + t * row["se"], 1e-12)
    assert result["reliable"].dtype == bool


@pytest.mark.parametrize(
    ("case", "name", "variable"),
    [
        ("srs/mean_na", "srs", "avg.ed"),
        ("clus1/mean_na", "clus1", "acs.k3"),
        ("clus2/mean_na", "clus2", "enroll"),
    ],
)
def test_missing_values_are_dropped_as_na_rm(case, name, variable):
    # R: svymean(~y, d, na.rm=TRUE, deff=TRUE): a domain of the non-missing rows.
    df, des = design(name)
    result = est.mean(df, des, variable).iloc[0]
    for stat in STATS:
        assert_close(result[stat], golden(case, stat, "", variable))
    assert result["n"] == df[variable].notna().sum()
    assert_close(result["N"], prepared_weight_sum(df, des, df[variable].notna()))


def prepared_weight_sum(df: pd.DataFrame, des: Design, mask: pd.Series) -> float:
    from satisfaction.stats.design import prepare

    return float(prepare(df, des).weights[mask.to_numpy()].sum())


def test_total_with_missing_values_matches_r():
    df, des = design("clus2")
    result = est.total(df, des, "enroll").iloc[0]
    for stat in STATS:
        assert_close(result[stat], golden("clus2/total_na", stat, "", "enroll"))


def test_each_variable_keeps_its_own_missing_pattern():
    df, des = design("clus1")
    together = est.mean(df, des, ["api00", "acs.k3", "avg.ed"], by="stype")
    for variable in ["api00", "acs.k3", "avg.ed"]:
        alone = est.mean(df, des, variable, by="stype")
        mine = together[together["variable"] == variable].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


# --------------------------------------------------------------------------------------------
# Domains (svyby)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2"])
def test_domain_means_and_totals_match_svyby(name):
    # R: svyby(~api00, ~stype, d, svymean, deff=TRUE); svyby(~enroll, ~stype, d, svytotal, ...)
    df, des = design(name)
    means = est.mean(df, des, "api00", by="stype")
    totals = est.total(df, des, "enroll", by="stype")
    for _, row in means.iterrows():
        for stat in STATS:
            assert_close(row[stat], golden(f"{name}/by_stype_mean", stat, row["stype"], "api00"))
        assert row["df"] == golden(f"{name}/by_stype_degf", "df", row["stype"])
    for _, row in totals.iterrows():
        for stat in STATS:
            assert_close(row[stat], golden(f"{name}/by_stype_total", stat, row["stype"], "enroll"))


def test_domain_means_with_missing_values_match_svyby():
    df, des = design("clus1")
    result = est.mean(df, des, "avg.ed", by="stype")
    for _, row in result.iterrows():
        for stat in STATS:
            assert_close(row[stat], golden("clus1/by_stype_mean_na", stat, row["stype"], "avg.ed"))


def test_domains_crossed_by_two_columns_are_one_pass_of_the_same_numbers():
    df, des = design("clus1")
    crossed = est.mean(df, des, "api00", by=["stype", "sch.wide"])
    df["cell"] = df["stype"] + "|" + df["sch.wide"]
    single = est.mean(df, des, "api00", by="cell")
    np.testing.assert_allclose(crossed["se"], single["se"], rtol=1e-12)
    assert list(crossed["stype"] + "|" + crossed["sch.wide"]) == list(single["cell"])


def test_rows_with_a_missing_domain_are_in_no_domain_but_stay_in_the_design():
    df, des = design("clus1")
    df.loc[df["stype"] == "H", "stype"] = None
    result = est.mean(df, des, "api00", by="stype")
    assert list(result["stype"]) == ["E", "M"]
    for _, row in result.iterrows():
        assert_close(row["se"], golden("clus1/by_stype_mean", "se", row["stype"], "api00"))


# --------------------------------------------------------------------------------------------
# Negative tests: the shortcuts the issue warns about must NOT give R's standard errors
# --------------------------------------------------------------------------------------------


def test_ignoring_the_clusters_understates_the_se():
    df, _ = design("clus1")
    reference = golden("clus1/mean", "se", "", "api00")
    naive = est.mean(df, Design(weight="pw", fpc="fpc"), "api00")["se"].iloc[0]
    assert naive < reference / 2.5  # clustered design: about threefold understated


def test_filtering_rows_before_estimating_changes_the_se():
    # High schools sit in 8 of the 15 sampled districts: filtering drops the other 7 PSUs.
    df, des = design("clus1")
    high = df[df["stype"] == "H"]
    filtered_mean = est.mean(high, des, "api00").iloc[0]
    assert_close(
        filtered_mean["estimate"], golden("clus1/by_stype_mean", "estimate", "H", "api00")
    )
    reference = golden("clus1/by_stype_mean", "se", "H", "api00")
    assert abs(filtered_mean["se"] - reference) / reference > 0.03
    reference = golden("clus1/by_stype_total", "se", "H", "enroll")
    filtered_total = est.total(high, des, "enroll")["se"].iloc[0]
    assert abs(filtered_total - reference) / reference > 0.15


# --------------------------------------------------------------------------------------------
# Lonely PSUs (R's options(survey.lonely.psu=))
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["certainty", "remove", "adjust", "average"])
def test_lonely_psu_rules_match_r(rule):
    df = load("apiclus1")
    df["lstr"] = np.where(df["dnum"] == 413, "A", np.where(df["dnum"] < 450, "B", "C"))
    des = Design(psu="dnum", strata="lstr", weight="pw", lonely_psu=rule)
    whole = est.mean(df, des, "api00").iloc[0]
    assert_close(whole["se"], golden(f"lonely_{rule}/mean", "se", "", "api00"))
    for _, row in est.mean(df, des, "api00", by="stype").iterrows():
        assert_close(
            row["se"], golden(f"lonely_{rule}/by_stype_mean", "se", row["stype"], "api00")
        )


# --------------------------------------------------------------------------------------------
# Parameters and input errors
# --------------------------------------------------------------------------------------------


def test_bad_inputs_are_named():
    df, des = design("clus1")
    with pytest.raises(InputError, match="column 'nope'"):
        est.mean(df, des, "nope")
    with pytest.raises(InputError, match="variable is not numeric"):
        est.mean(df, des, "stype")
    with pytest.raises(InputError, match="by column"):
        est.mean(df, des, "api00", by="nope")
    with pytest.raises(ParameterError, match=r"level=1\.5"):
        est.mean(df, des, "api00", level=1.5)
    with pytest.raises(ParameterError, match="variables is empty"):
        est.total(df, des, [])


# --------------------------------------------------------------------------------------------
# Proportions (svyciprop) and reliability
# --------------------------------------------------------------------------------------------

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


def test_one_row_per_level_of_a_categorical_variable():
    # R: svymean(~stype, dclus1, deff=TRUE)
    df, des = design("clus1")
    result = est.proportion(df, des, "stype")
    assert list(result["level"]) == ["E", "H", "M"]
    assert_close(result["estimate"].sum(), 1.0, 1e-12)
    for _, row in result.iterrows():
        for stat in STATS:
            assert_close(row[stat], golden("clus1/prop_stype", stat, "", "stype" + row["level"]))
    assert (result["n"] == len(df)).all()


def test_many_zero_one_items_at_once_equal_one_at_a_time():
    df, des = design("clus2")
    for col in ["comp.imp", "both", "awards"]:
        df[col + "_yes"] = np.where(df[col] == "Yes", 1.0, 0.0)
    df.loc[df.index[::7], "both_yes"] = np.nan
    items = ["sw", "comp.imp_yes", "both_yes", "awards_yes"]
    together = est.proportion(df, des, items, by="stype", levels=[1])
    assert len(together) == 3 * len(items)
    for item in items:
        alone = est.proportion(df, des, item, by="stype", levels=[1])
        mine = together[together["variable"] == item].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    means = est.mean(df, des, items, by="stype")
    np.testing.assert_allclose(together["estimate"], means["estimate"], rtol=1e-12)
    np.testing.assert_allclose(together["se"], means["se"], rtol=1e-12)


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


def test_unobserved_requested_level_is_reported_as_zero():
    result = est.proportion(srs_zero_one(0, 50), Design(), "y", levels=[1])
    assert list(result["level"]) == [1]
    assert result["estimate"].iloc[0] == 0


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


def test_proportion_parameters_are_checked():
    df, des = design("clus1")
    with pytest.raises(ParameterError, match="method='exact' is not one of"):
        est.proportion(df, des, "sw", method="exact")
    with pytest.raises(InputError, match="has no non-missing values"):
        est.proportion(df.assign(sw=np.nan), des, "sw")


# --------------------------------------------------------------------------------------------
# Ratios, differences, chi-square
# --------------------------------------------------------------------------------------------


def test_ratio_matches_svyratio():
    # R: svyratio(~api.stu, ~enroll, dclus1) and svyby(..., FUN=svyratio)
    df, des = design("clus1")
    whole = est.ratio(df, des, "api.stu", "enroll").iloc[0]
    assert whole["variable"] == "api.stu/enroll"
    assert_close(whole["estimate"], golden("clus1/ratio", "estimate"))
    assert_close(whole["se"], golden("clus1/ratio", "se"))
    assert_close(whole["deff"], golden("clus1/ratio", "deff"))
    for _, row in est.ratio(df, des, "api.stu", "enroll", by="stype").iterrows():
        for stat in STATS:
            assert_close(row[stat], golden("clus1/ratio_by_stype", stat, row["stype"]))


def test_ratio_with_missing_denominator_matches_svyratio_na_rm():
    df, des = design("clus2")
    row = est.ratio(df, des, "api.stu", "enroll").iloc[0]
    assert_close(row["estimate"], golden("clus2/ratio_na", "estimate"))
    assert_close(row["se"], golden("clus2/ratio_na", "se"))
    assert row["n"] == df["enroll"].notna().sum()


@pytest.mark.parametrize("name", ["clus1", "clus2"])
@pytest.mark.parametrize(("a", "b"), [("E", "H"), ("E", "M"), ("H", "M")])
def test_difference_between_domains_matches_svycontrast(name, a, b):
    # R: svycontrast(svyby(~api00, ~stype, d, svymean, covmat=TRUE), c(a=1, b=-1))
    df, des = design(name)
    row = est.difference(df, des, "api00", "stype", a, b).iloc[0]
    assert_close(row["estimate"], golden(f"{name}/diff_stype", "estimate", f"{a}-{b}", "api00"))
    assert_close(row["se"], golden(f"{name}/diff_stype", "se", f"{a}-{b}", "api00"))
    assert_close(row["statistic"], row["estimate"] / row["se"], 1e-12)
    from scipy import stats

    assert_close(row["p_value"], 2 * stats.t.sf(abs(row["statistic"]), row["df"]), 1e-12)


def test_treating_correlated_domains_as_independent_gives_another_se():
    df, des = design("clus1")
    reference = golden("clus1/diff_stype", "se", "E-M", "api00")
    by = est.mean(df, des, "api00", by="stype").set_index("stype")
    naive = np.hypot(by.loc["E", "se"], by.loc["M", "se"])
    assert abs(naive - reference) / reference > 0.1


def test_difference_of_domains_in_separate_strata_has_no_covariance():
    # Stratified by stype: the two domains share no PSU, so se = sqrt(se_a^2 + se_b^2).
    df, des = design("strat")
    by = est.mean(df, des, "api00", by="stype").set_index("stype")
    row = est.difference(df, des, "api00", "stype", "E", "H").iloc[0]
    assert_close(row["se"], float(np.hypot(by.loc["E", "se"], by.loc["H", "se"])), 1e-12)
    assert_close(row["estimate_a"], by.loc["E", "estimate"], 1e-12)


def test_difference_within_each_by_domain():
    df, des = design("clus1")
    result = est.difference(df, des, ["api00", "sw"], "sch.wide", "Yes", "No", by="stype")
    assert list(result.columns) == ["stype", *est.DIFFERENCE_COLUMNS]
    assert len(result) == 6
    one = result[(result["stype"] == "M") & (result["variable"] == "api00")].iloc[0]
    middle = df[df["stype"] == "M"]
    expected = (
        middle.loc[middle["sch.wide"] == "Yes", "api00"].mean()
        - middle.loc[middle["sch.wide"] == "No", "api00"].mean()
    )
    assert_close(one["estimate"], expected, 1e-12)  # equal weights within apiclus1
    df["cell"] = df["stype"] + df["sch.wide"]
    direct = est.difference(df, des, "api00", "cell", "MYes", "MNo").iloc[0]
    assert_close(one["se"], direct["se"], 1e-12)


def test_difference_between_independent_waves():
    first = pd.DataFrame(
        {
            "province": ["A", "B"],
            "variable": "q1",
            "level": 1,
            "estimate": [0.8, 0.7],
            "se": [0.03, 0.04],
            "df": [30, 12],
        }
    )
    second = first.assign(estimate=[0.86, 0.65], se=[0.04, 0.03], df=[40, 10])
    result = est.difference_independent(first, second)
    assert list(result["province"]) == ["A", "B"]
    np.testing.assert_allclose(result["estimate"], [0.06, -0.05], atol=1e-12)
    np.testing.assert_allclose(result["se"], [0.05, 0.05], rtol=1e-12)
    assert list(result["df"]) == [30, 10]
    from scipy import stats

    assert_close(result["p_value"].iloc[0], 2 * stats.t.sf(0.06 / 0.05, 30), 1e-10)


def test_adjust_pvalues_holm_and_benjamini_hochberg():
    p = pd.Series([0.01, 0.04, 0.03, np.nan], index=list("abcd"))
    holm = est.adjust_pvalues(p, "holm")
    np.testing.assert_allclose(holm.to_numpy(), [0.03, 0.06, 0.06, np.nan])
    assert list(holm.index) == list("abcd")
    bh = est.adjust_pvalues(p.to_numpy(), "fdr_bh")
    np.testing.assert_allclose(bh, [0.03, 0.04, 0.04, np.nan])
    with pytest.raises(ParameterError):
        est.adjust_pvalues(p, "bonferroni")


@pytest.mark.parametrize(
    ("case", "name", "row", "col"),
    [
        ("clus1", "clus1", "sch.wide", "stype"),
        ("strat", "strat", "sch.wide", "stype"),
        ("clus2", "clus2", "comp.imp", "stype"),
        ("clus1b", "clus1", "awards", "sch.wide"),
    ],
)
def test_chisq_matches_svychisq(case, name, row, col):
    # R: svychisq(~row+col, d) (second-order Rao-Scott F) and statistic="Chisq"
    df, des = design(name)
    result = est.chisq(df, des, row, col).set_index("test")
    for test in ("F", "Chisq"):
        assert_close(result.loc[test, "statistic"], golden(f"{case}/chisq_{test}", "statistic"))
        assert_close(result.loc[test, "p_value"], golden(f"{case}/chisq_{test}", "p_value"))
        assert_close(result.loc[test, "ndf"], golden(f"{case}/chisq_{test}", "ndf"))
    assert_close(result.loc["F", "ddf"], golden(f"{case}/chisq_F", "ddf"))


def test_domain_in_a_single_psu_is_not_reliable():
    df, des = design("clus1")
    two_districts = df[df["dnum"].isin([61, 135])]  # middle schools only in district 61
    result = est.mean(two_districts, des, "api00", by="stype").set_index("stype")
    assert result.loc["M", "df"] == 0 and result.loc["M", "se"] == 0
    assert not result.loc["M", "reliable"]
    assert result.loc["M", "reliability_note"] == "n < 30; df < 1; review: df < 8"


def test_chisq_within_domains_matches_svychisq_on_subsets():
    # R: svychisq(~awards+sch.wide, subset(dclus1, stype == s)) and
    #    svychisq(~comp.imp+stype, subset(dclus2, yr.rnd == s))
    df, des = design("clus1")
    result = est.chisq(df, des, "awards", "sch.wide", by="stype")
    assert list(result.columns) == ["stype", *est.CHISQ_COLUMNS]
    f_rows = result[result["test"] == "F"].set_index("stype")
    for s in ("E", "M"):
        for stat in ("statistic", "p_value", "ddf"):
            assert_close(f_rows.loc[s, stat], golden("clus1/chisq_by_stype_F", stat, s))
    df, des = design("clus2")
    f_rows = est.chisq(df, des, "comp.imp", "stype", by="yr.rnd").query("test == 'F'")
    for s, row in f_rows.set_index("yr.rnd").iterrows():  # "Yes" has no high school
        for stat in ("statistic", "p_value", "ddf"):
            assert_close(row[stat], golden("clus2/chisq_by_yrrnd_F", stat, s))


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
