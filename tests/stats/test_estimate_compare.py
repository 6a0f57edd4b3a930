"""Differences, p-value adjustment and Rao-Scott chi-square (satisfaction.stats.estimate.compare)
against R's survey package on its api data (tests/r/api_goldens.R).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api_reference import RTOL, design, golden
from satisfaction import estimate as est
from satisfaction.errors import ParameterError


def assert_close(actual: float, expected: float, rtol: float = RTOL) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=0), (actual, expected)


# --------------------------------------------------------------------------------------------
# Differences of domains (svycontrast) and of independent waves
# --------------------------------------------------------------------------------------------


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
    # Welch-Satterthwaite: (v1 + v2)^2 / (v1^2 / df1 + v2^2 / df2)
    welch = [0.05**4 / (0.03**4 / 30 + 0.04**4 / 40), 0.05**4 / (0.04**4 / 12 + 0.03**4 / 10)]
    np.testing.assert_allclose(result["df"], welch, rtol=1e-12)
    from scipy import stats

    assert_close(result["p_value"].iloc[0], 2 * stats.t.sf(0.06 / 0.05, welch[0]), 1e-10)


def test_difference_with_an_empty_side_has_no_se():
    df, des = design("clus1")
    df = df[~((df["stype"] == "H") & (df["sch.wide"] == "No"))]  # no H school says No
    result = est.difference(df, des, "api00", "sch.wide", "Yes", "No", by="stype")
    high = result[result["stype"] == "H"].iloc[0]
    assert np.isnan(high["estimate"]) and np.isnan(high["se"]) and np.isnan(high["p_value"])
    assert result[result["stype"] != "H"]["se"].notna().all()


def test_adjust_pvalues_holm_and_benjamini_hochberg():
    p = pd.Series([0.01, 0.04, 0.03, np.nan], index=list("abcd"))
    holm = est.adjust_pvalues(p, "holm")
    np.testing.assert_allclose(holm.to_numpy(), [0.03, 0.06, 0.06, np.nan])
    assert list(holm.index) == list("abcd")
    bh = est.adjust_pvalues(p.to_numpy(), "fdr_bh")
    np.testing.assert_allclose(bh, [0.03, 0.04, 0.04, np.nan])
    with pytest.raises(ParameterError):
        est.adjust_pvalues(p, "bonferroni")


def test_holm_is_statsmodels_holm_bit_for_bit():
    # adjust_pvalues computes Holm itself (statsmodels' Holm collects garbage on every call);
    # ties, ones and a single test included, the numbers are statsmodels' to the last bit.
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(16)
    for n in (1, 2, 7, 60):
        p = np.round(rng.uniform(0, 0.3, n) ** 2, 3)
        p[: n // 3] = p[-1]
        assert np.array_equal(est.adjust_pvalues(p, "holm"), multipletests(p, method="holm")[1])


# --------------------------------------------------------------------------------------------
# Rao-Scott chi-square (svychisq)
# --------------------------------------------------------------------------------------------


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
