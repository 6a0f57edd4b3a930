"""Estimators (satisfaction.stats.estimate.estimators) against R's survey package on its api data
(tests/r/api_goldens.R).
"""

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
# Proportions: one row per level, many 0/1 items at once
# --------------------------------------------------------------------------------------------


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


def test_unobserved_requested_level_is_reported_as_zero():
    result = est.proportion(srs_zero_one(0, 50), Design(), "y", levels=[1])
    assert list(result["level"]) == [1]
    assert result["estimate"].iloc[0] == 0


def test_proportion_parameters_are_checked():
    df, des = design("clus1")
    with pytest.raises(ParameterError, match="method='exact' is not one of"):
        est.proportion(df, des, "sw", method="exact")
    with pytest.raises(InputError, match="has no non-missing values"):
        est.proportion(df.assign(sw=np.nan), des, "sw")


# --------------------------------------------------------------------------------------------
# Ratios
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
