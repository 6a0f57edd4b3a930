"""The weighted ordinal logit (satisfaction.stats.ordinal) against R.

Reference numbers: tests/r/drivers_goldens.R (R 4.2.2, MASS 7.3-58.2, survey 4.1-1) --
MASS::polr on the published `housing` data (Venables & Ripley 2002, sec. 7.3) and
survey::svyolr on R's api samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel

from drivers_reference import HERE, RTOL, api, constructed, golden
from satisfaction.stats.ordinal import ordinal_logit


def housing() -> tuple[pd.DataFrame, list[str]]:
    """MASS::housing with R's treatment dummies; Sat coded Low 1, Medium 2, High 3."""
    df = pd.read_csv(HERE / "r" / "drivers_housing.csv")
    df["sat"] = df["Sat"].map({"Low": 1, "Medium": 2, "High": 3})
    dummies = {
        "InflMedium": df["Infl"] == "Medium",
        "InflHigh": df["Infl"] == "High",
        "TypeApartment": df["Type"] == "Apartment",
        "TypeAtrium": df["Type"] == "Atrium",
        "TypeTerrace": df["Type"] == "Terrace",
        "ContHigh": df["Cont"] == "High",
    }
    for name, flag in dummies.items():
        df[name] = flag.astype(float)
    return df, list(dummies)


def test_housing_matches_polr_and_the_published_values():
    df, terms = housing()
    fit = ordinal_logit(df, "sat", terms, weight="Freq")
    assert fit.converged and fit.n == 72 and fit.weight_sum == pytest.approx(72)
    np.testing.assert_allclose(fit.coefficients[terms], golden("housing", "coef")[terms], RTOL)
    np.testing.assert_allclose(fit.thresholds, golden("housing", "zeta"), rtol=RTOL)
    assert list(fit.thresholds.index) == ["1|2", "2|3"]
    # Venables & Ripley (2002), p. 205, to the 4 decimals printed there
    published = [0.5664, 1.2888, -0.5724, -0.3662, -1.0910, 0.3603]
    np.testing.assert_allclose(fit.coefficients[terms], published, atol=5e-5)
    np.testing.assert_allclose(fit.thresholds, [-0.4961, 0.6907], atol=5e-5)


def test_integer_weights_equal_repeated_rows():
    df, terms = housing()
    repeated = df.loc[df.index.repeat(df["Freq"])]
    assert len(repeated) == 1681
    weighted = ordinal_logit(df, "sat", terms, weight="Freq")
    plain = ordinal_logit(repeated, "sat", terms)
    np.testing.assert_allclose(weighted.coefficients, plain.coefficients, rtol=1e-8)
    np.testing.assert_allclose(weighted.thresholds, plain.thresholds, rtol=1e-8)
    # and the weights matter: the unweighted fit of the 72 cells is another model
    cells = ordinal_logit(df, "sat", terms)
    assert abs(cells.coefficients["InflHigh"] - weighted.coefficients["InflHigh"]) > 0.5


def test_unit_weights_give_statsmodels_own_fit():
    df = constructed()
    df["one"] = 1.0
    fit = ordinal_logit(df, "y", ["a", "b", "c", "d"], weight="one")
    model = OrderedModel(df["y"].to_numpy(), df[["a", "b", "c", "d"]].to_numpy(), distr="logit")
    reference = model.fit(method="newton", maxiter=100, disp=0)
    ours = np.r_[
        fit.coefficients.to_numpy(),
        model.transform_reverse_threshold_params(np.r_[fit.thresholds.to_numpy(), np.inf]),
    ]
    np.testing.assert_allclose(ours, reference.params, rtol=0, atol=1e-7)
    # the weighted log-likelihood with weights 1 is statsmodels' own, to the last bit
    assert fit.loglike == model.loglike(ours)
    assert fit.loglike == pytest.approx(reference.llf, rel=1e-12)


@pytest.mark.parametrize(
    ("case", "data", "terms", "design"),
    [
        ("clus1", "apiclus1", ["avg.ed", "mobility", "stypeH", "stypeM"], {"cluster": "dnum"}),
        ("strat", "apistrat", ["avg.ed", "ell", "mobility"], {"strata": "stype"}),
    ],
)
def test_sandwich_matches_svyolr(case, data, terms, design):
    # R: svyolr(mealcat ~ ..., svydesign(id = ~dnum | ~1, strata = NULL | ~stype, weights = ~pw))
    fit = ordinal_logit(api(data), "mealcat", terms, weight="pw", **design)
    assert fit.n == golden(case, "n").iloc[0]
    np.testing.assert_allclose(fit.coefficients[terms], golden(case, "coef")[terms], rtol=RTOL)
    np.testing.assert_allclose(fit.thresholds, golden(case, "zeta"), rtol=RTOL)
    se = golden(case, "se")
    np.testing.assert_allclose(fit.se[terms], se[terms], rtol=RTOL)
    np.testing.assert_allclose(fit.se.iloc[len(terms) :], se.iloc[len(terms) :], rtol=RTOL)


def test_sandwich_ignores_the_weights_scale_but_not_the_clusters():
    df = api("apiclus1")
    terms = ["avg.ed", "mobility", "stypeH", "stypeM"]
    df["pw_scaled"] = df["pw"] / 1000
    a = ordinal_logit(df, "mealcat", terms, weight="pw", cluster="dnum")
    b = ordinal_logit(df, "mealcat", terms, weight="pw_scaled", cluster="dnum")
    np.testing.assert_allclose(a.se, b.se, rtol=1e-8)
    # schools as independent units: a different (here much smaller) avg.ed SE
    c = ordinal_logit(df, "mealcat", terms, weight="pw")
    assert c.se["avg.ed"] < 0.8 * a.se["avg.ed"]


def test_replicate_design_refits_every_replicate_as_svyolr():
    # R: svyolr(mealcat ~ ..., as.svrepdesign(svydesign(id = ~dnum, weights = ~pw), "JK1"));
    # R refits each replicate to polr's default tolerance, hence the looser bar on the SEs
    from satisfaction import make_replicate_weights
    from satisfaction.stats.design import Design

    df = api("apiclus1")
    terms = ["avg.ed", "mobility", "stypeH", "stypeM"]
    _, jk1 = make_replicate_weights(df, Design(psu="dnum", weight="pw"), "JK1")
    fit = ordinal_logit(df, "mealcat", terms, design=jk1)
    np.testing.assert_allclose(
        fit.coefficients[terms], golden("clus1_jk1", "coef")[terms], rtol=RTOL
    )
    se = golden("clus1_jk1", "se")
    np.testing.assert_allclose(fit.se[terms], se[terms], rtol=1e-4)
    np.testing.assert_allclose(fit.se.iloc[len(terms) :], se.iloc[len(terms) :], rtol=1e-4)
    assert fit.df == golden("clus1_jk1", "df").iloc[0]


@pytest.mark.parametrize("case", ["clus1_fpc", "clus1_ps"])
def test_fpc_and_calibrated_designs_match_svyolr(case):
    # R: svyolr(mealcat0 ~ ell + mobility + stype, svydesign(id=~dnum, weights=~pw, fpc=~fpc))
    # and the same after postStratify(~stype): the calibration enters the sandwich's meat
    from satisfaction.stats import weighting
    from satisfaction.stats.design import Design

    df = api("apiclus1")
    classes = pd.cut(df["meals"], [-1, 25, 50, 75, 100]).cat.codes
    df["mealcat0"] = classes + 1
    design = Design(psu="dnum", weight="pw", fpc="fpc")
    if case == "clus1_ps":
        population = pd.Series(
            [4421.0, 755.0, 1018.0], index=pd.Index(["E", "H", "M"], name="stype")
        )
        df, design = weighting.poststratify(df, design, population)
    terms = ["ell", "mobility", "stypeH", "stypeM"]
    fit = ordinal_logit(df, "mealcat0", terms, design=design)
    np.testing.assert_allclose(fit.coefficients[terms], golden(case, "coef")[terms], rtol=RTOL)
    np.testing.assert_allclose(fit.se.to_numpy(), golden(case, "se").to_numpy(), rtol=RTOL)
    assert fit.df == 14
