"""Drivers of overall satisfaction and importance-performance quadrants.

The model and the correlations behind them are tested against R in test_ordinal.py and
test_correlation.py.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from drivers_reference import constructed
from satisfaction.errors import DesignError, InputError, ParameterError
from satisfaction.stats.drivers import (
    QUADRANTS,
    drivers,
    element_scores,
    importance_performance,
    ordinal_logit,
    weighted_correlation,
)


# ------------------------------------------------------------------------------ drivers
def _sipas_drivers_frame(instrument, n: int = 3000, seed: int = 21) -> pd.DataFrame:
    """22 criteria from one general trait; overall depends on c3_1 and c2_2 only."""
    rng = np.random.default_rng(seed)
    general = rng.normal(size=n)
    data = {}
    for item in instrument.criteria:
        data[item.id] = np.digitize(0.5 * general + rng.normal(size=n), [-1.2, -0.4, 0.4, 1.2])
        data[item.id] = data[item.id] + 1
    latent = 1.2 * data["c3_1"] + 0.9 * data["c2_2"] + rng.logistic(size=n)
    data["hl_chung"] = np.digitize(latent, np.quantile(latent, [0.1, 0.25, 0.55, 0.8])) + 1
    df = pd.DataFrame(data).astype("Int64")
    df["psu"] = np.repeat(np.arange(n // 20), 20)
    df["w"] = rng.uniform(0.5, 2.0, size=n)
    return df


def test_the_two_real_drivers_rank_first(sipas_instrument):
    df = _sipas_drivers_frame(sipas_instrument)
    table = drivers(df, sipas_instrument, weight="w", cluster="psu", strata=None)
    assert (table["method"] == "ordinal").all()
    assert table["predictor"].iloc[:2].tolist() == ["c3_1", "c2_2"]
    assert table["rank"].tolist() == list(range(1, 23))
    top = table.set_index("predictor")
    assert top.at["c3_1", "t"] > 15 and top.at["c2_2", "t"] > 12
    assert top.at["c3_1", "coefficient"] == pytest.approx(1.2, abs=0.15)
    assert (top.drop(index=["c3_1", "c2_2"])["t"].abs() < 4).all()
    assert top.at["c3_1", "group"] == "E3"
    assert top.at["c3_1", "label"] == "Công chức có thái độ giao tiếp lịch sự"
    assert top.at["c3_1", "odds_ratio"] == pytest.approx(np.exp(top.at["c3_1", "coefficient"]))
    assert table["importance_share"].sum() == pytest.approx(1.0)
    assert (table["note"] == "").all()
    # importance is the latent-standardised coefficient b * sd(x) / sd(y*), weighted moments
    criteria = [i.id for i in sipas_instrument.criteria]
    x = df[criteria].astype(float).to_numpy()
    w = df["w"].to_numpy()
    cov = np.cov(x, rowvar=False, aweights=w, bias=True)
    beta = top.loc[criteria, "coefficient"].to_numpy()
    latent_sd = np.sqrt(beta @ cov @ beta + np.pi**2 / 3)
    expected = beta * np.sqrt(np.diag(cov)) / latent_sd
    np.testing.assert_allclose(top.loc[criteria, "importance"], expected, rtol=1e-9)


def test_correlation_method_ranks_them_first_too(sipas_instrument):
    df = _sipas_drivers_frame(sipas_instrument)
    table = drivers(df, sipas_instrument, method="correlation", weight="w", cluster="psu")
    assert set(table["predictor"].iloc[:2]) == {"c3_1", "c2_2"}
    assert (table["method"] == "correlation_pearson").all()
    assert table["odds_ratio"].isna().all()
    r, se, _ = weighted_correlation(df, "c3_1", "hl_chung", weight="w", cluster="psu")
    row = table.set_index("predictor").loc["c3_1"]
    assert (row["importance"], row["se"]) == pytest.approx((r, se), rel=1e-12)


def test_demo_elements_e3_and_e2_drive_overall(demo_survey, demo_instrument):
    df = demo_survey.truth[~demo_survey.truth["quarantined"]].copy()
    for item in demo_instrument.items_with(role="criterion") + demo_instrument.items_with(
        role="overall"
    ):
        df[item.id] = pd.to_numeric(df[item.id]).astype("Int64")
    table = drivers(df, demo_instrument, predictors="elements")
    assert table["predictor"].iloc[:2].tolist() == ["E3", "E2"]  # demo weights 0.35, 0.30
    assert (table["method"] == "ordinal").all()
    assert table.attrs["weight"] == "trong_so" and table.attrs["cluster"] == "ma_xa"
    assert table.attrs["n_clusters"] == df["ma_xa"].nunique()
    assert table.set_index("predictor").at["E3", "label"] == (
        "Công chức trực tiếp giải quyết công việc"
    )


def test_element_score_is_the_mean_of_answered_criteria(sipas_instrument):
    # E4 has 3 criteria: a form needs 2 answered (half, rounded up) to get a score
    e4 = pd.DataFrame(
        {
            "c4_1": [1, 5, 4, pd.NA],
            "c4_2": [2, pd.NA, pd.NA, pd.NA],
            "c4_3": [3, 3, pd.NA, 2],
        }
    ).astype("Int64")
    others = {i.id: 3 for i in sipas_instrument.criteria if i.group != "E4"}
    scores = element_scores(e4.assign(**others), sipas_instrument)
    assert scores.columns.tolist() == ["E1", "E2", "E3", "E4", "E5"]
    np.testing.assert_array_equal(scores["E4"].to_numpy(), [2.0, 4.0, np.nan, np.nan])
    assert (scores["E1"] == 3.0).all()
    strict = element_scores(e4.assign(**others), sipas_instrument, min_answered=1.0)
    np.testing.assert_array_equal(strict["E4"].to_numpy(), [2.0, np.nan, np.nan, np.nan])


def test_fallback_when_too_few_forms(sipas_instrument, caplog):
    df = _sipas_drivers_frame(sipas_instrument, n=120)
    with caplog.at_level(logging.WARNING, logger="satisfaction.stats.drivers"):
        table = drivers(df, sipas_instrument, weight="w", cluster="psu")
    assert (table["method"] == "correlation_pearson").all()
    assert table["note"].iloc[0].startswith("ordinal model not used: too few complete forms: 120")
    assert "26 parameters" in table["note"].iloc[0]
    assert "too few complete forms" in caplog.text
    assert table.attrs["fallback_reason"] == table["note"].iloc[0]


def test_fallback_on_separation(sipas_instrument, caplog):
    rng = np.random.default_rng(5)
    a, b = rng.integers(1, 6, 400), rng.integers(1, 6, 400)
    df = pd.DataFrame({"a": a, "b": b, "hl_chung": a})  # a decides overall exactly
    with caplog.at_level(logging.WARNING, logger="satisfaction.stats.drivers"):
        table = drivers(df, sipas_instrument, predictors=["a", "b"], method="ordinal")
    assert table["method"].tolist() == ["correlation_pearson"] * 2
    assert "separation" in table["note"].iloc[0] or "convergence" in table["note"].iloc[0]
    assert table.set_index("predictor").at["a", "importance"] == pytest.approx(1.0)
    assert "ordinal model not used" in caplog.text


def test_constant_predictor_is_reported_not_fitted(sipas_instrument):
    df = constructed()
    df["hl_chung"] = df["y"]
    df["flat"] = 4.0
    table = drivers(df, sipas_instrument, predictors=["a", "b", "flat"])
    assert table["predictor"].tolist() == ["a", "b", "flat"]
    flat = table.set_index("predictor").loc["flat"]
    assert pd.isna(flat["importance"]) and pd.isna(flat["rank"])
    assert flat["note"] == "không biến thiên / does not vary"
    fit = ordinal_logit(df, "y", ["a", "b"])
    got = table.set_index("predictor")["coefficient"]
    assert got["a"] == pytest.approx(fit.coefficients["a"], rel=1e-10)


def test_drivers_errors(sipas_instrument):
    df = _sipas_drivers_frame(sipas_instrument, n=400)
    with pytest.raises(ParameterError, match="method"):
        drivers(df, sipas_instrument, method="ols")
    with pytest.raises(ParameterError, match="predictors"):
        drivers(df, sipas_instrument, predictors="items")
    with pytest.raises(DesignError, match="nope"):
        drivers(df, sipas_instrument, weight="nope")
    bad = df.copy()
    bad.loc[0, "hl_chung"] = 99
    with pytest.raises(InputError, match=r"hl_chung.*99"):
        drivers(bad, sipas_instrument, weight="w")
    holes = df.astype({"psu": "Float64"})
    holes.loc[3, "psu"] = pd.NA
    with pytest.raises(DesignError, match="psu"):
        drivers(holes, sipas_instrument, weight="w", cluster="psu")
    df["stratum"] = np.arange(len(df)) % 2  # PSUs of 20 consecutive forms split over 2
    with pytest.raises(DesignError, match="nest"):
        drivers(df, sipas_instrument, weight="w", cluster="psu", strata="stratum")


# ------------------------------------------------------------------ importance_performance
def _ipa_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    drivers_frame = pd.DataFrame(
        {
            "predictor": ["p1", "p2", "p3", "p4", "p5"],
            "label": ["one", "two", "three", "four", "five"],
            "importance": [0.40, 0.30, 0.10, 0.05, 0.15],  # mean 0.20
        }
    )
    performance = pd.DataFrame(
        {
            "variable": ["p5", "p4", "p3", "p2", "p1", "other"],
            "level": "satisfied",
            "estimate": [0.80, 0.90, 0.60, 0.85, 0.70, 0.10],  # of p1..p5: mean 0.77
            "n": [100, 110, 120, 130, 140, 150],
        }
    )
    return drivers_frame, performance


def test_quadrants_at_the_means():
    drivers_frame, performance = _ipa_frames()
    out = importance_performance(drivers_frame, performance)
    assert out["variable"].tolist() == ["p1", "p2", "p3", "p4", "p5"]
    assert out["importance_cut"].iloc[0] == pytest.approx(0.20)
    assert out["performance_cut"].iloc[0] == pytest.approx(0.77)
    assert out["quadrant"].tolist() == [
        "concentrate",  # 0.40 high, 0.70 low
        "keep_up",  # 0.30 high, 0.85 high
        "low_priority",  # 0.10 low, 0.60 low
        "overkill",  # 0.05 low, 0.90 high
        "overkill",  # 0.15 low, 0.80 high
    ]
    assert out["quadrant_en"].iloc[0] == "Concentrate here"
    assert out["quadrant_vi"].tolist() == [
        "Tập trung cải thiện",
        "Tiếp tục duy trì",
        "Ưu tiên thấp",
        "Có thể dư thừa",
        "Có thể dư thừa",
    ]
    assert out["n"].tolist() == [140, 130, 120, 110, 100]
    assert out["label"].iloc[2] == "three"
    assert QUADRANTS["keep_up"] == ("Keep up the good work", "Tiếp tục duy trì")


def test_quadrants_with_given_and_median_cuts():
    drivers_frame, performance = _ipa_frames()
    out = importance_performance(
        drivers_frame, performance, importance_cut=0.15, performance_cut=0.85
    )
    # on a cut counts as high: p5 (0.15) is high importance, p2 (0.85) high performance
    assert out["quadrant"].tolist() == [
        "concentrate",
        "keep_up",
        "low_priority",
        "overkill",
        "concentrate",
    ]
    med = importance_performance(
        drivers_frame, performance, importance_cut="median", performance_cut="median"
    )
    assert (med["importance_cut"].iloc[0], med["performance_cut"].iloc[0]) == (0.15, 0.80)


def test_quadrants_errors():
    drivers_frame, performance = _ipa_frames()
    with pytest.raises(ParameterError, match="several rows"):
        importance_performance(drivers_frame, pd.concat([performance, performance]))
    with pytest.raises(ParameterError, match="importance_cut"):
        importance_performance(drivers_frame, performance, importance_cut="mode")
    with pytest.raises(InputError, match="estimate"):
        importance_performance(drivers_frame, performance.drop(columns="estimate"))
    with pytest.raises(InputError, match="none of the predictors"):
        importance_performance(drivers_frame, performance.assign(variable=list("abcdef")))
