"""Cronbach's alpha and item-rest correlations: hand computations and R psych::alpha.

The R numbers come from tests/r/reliability_goldens.R (R 4.2.2, psych 2.2.9) on R's
published `attitude` data and on a simulated scale with one misfit item and missing cells.
"""

from __future__ import annotations

from functools import cache
from math import sqrt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import DesignError, InputError, ParameterError
from satisfaction.stats.reliability import cronbach_alpha, element_reliability, item_rest

R_DIR = Path(__file__).resolve().parents[1] / "r"
ATTITUDE_ITEMS = ["complaints", "privileges", "learning", "raises", "critical", "advance"]
MISFIT_ITEMS = ["q1", "q2", "q3", "q4", "q5"]


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(R_DIR / "reliability_goldens.csv", keep_default_na=False)


def golden(case: str, stat: str, item: str = "") -> float:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat) & (g.item == item)]
    assert len(hit) == 1, (case, stat, item)
    return float(hit["value"].iloc[0])


def r_data(name: str) -> pd.DataFrame:
    return pd.read_csv(R_DIR / f"reliability_{name}.csv").astype("Int64")


# Three items, five people; by hand (sample variances, n - 1 = 4):
# var x1 = var x2 = var x3 = 10/4; total = 4 6 9 12 14, var = 68/4;
# alpha = 3/2 * (1 - 30/68) = 57/68. All variances equal, so standardised alpha is the same.
# x3 vs rest (x1 + x2 = 3 3 7 7 10): cov 11/4, var rest 36/4 -> r = 11 / sqrt(360).
# Without x3: var(x1 + x2) = 36/4 -> alpha = 2 * (1 - 20/36) = 8/9.
HAND = pd.DataFrame({"x1": [1, 2, 3, 4, 5], "x2": [2, 1, 4, 3, 5], "x3": [1, 3, 2, 5, 4]})


def test_alpha_by_hand():
    result = cronbach_alpha(HAND, ["x1", "x2", "x3"])
    assert result.alpha == pytest.approx(57 / 68, rel=1e-12)
    assert result.standardized_alpha == pytest.approx(57 / 68, rel=1e-12)
    assert (result.n, result.k, result.weighted) == (5, 3, False)
    stats = item_rest(HAND, ["x1", "x2", "x3"]).set_index("item")
    assert stats.at["x3", "item_rest"] == pytest.approx(11 / sqrt(360), rel=1e-12)
    assert stats.at["x3", "alpha_if_deleted"] == pytest.approx(8 / 9, rel=1e-12)


def test_alpha_of_opposed_items_is_negative_by_hand():
    # x1 = x2 = 1..5 and x3 = 5..1: item variances 3 * 10/4, total 7..11 with variance
    # 10/4 -> alpha = 3/2 * (1 - 3) = -3. A reversed item must not be silently "fixed".
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [5, 4, 3, 2, 1]})
    assert cronbach_alpha(df, ["a", "b", "c"]).alpha == pytest.approx(-3.0, rel=1e-12)


def _assert_matches_psych(case: str, df: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Alpha, standardised alpha, n, r.drop and alpha.drop of `case` as psych gives them."""
    result = cronbach_alpha(df, items)
    assert result.n == golden(case, "n")
    assert result.alpha == pytest.approx(golden(case, "raw_alpha"), rel=1e-10)
    assert result.standardized_alpha == pytest.approx(golden(case, "std_alpha"), rel=1e-10)
    stats = item_rest(df, items).set_index("item")
    for item in items:
        assert stats.at[item, "item_rest"] == pytest.approx(
            golden(case, "r_drop", item), rel=1e-10
        )
        assert stats.at[item, "alpha_if_deleted"] == pytest.approx(
            golden(case, "alpha_drop", item), rel=1e-10
        )
    assert (stats["alpha"] == result.alpha).all()
    return stats


def test_attitude_matches_psych():
    stats = _assert_matches_psych("attitude", r_data("attitude"), ATTITUDE_ITEMS)
    assert stats["n"].iloc[0] == 30
    # "critical": r.drop 0.276 < 0.3 and alpha without it 0.835 > 0.810 + 0.01
    assert stats.index[stats["flag"]].tolist() == ["critical"]
    assert stats.at["critical", "low_item_rest"] and stats.at["critical", "raises_alpha"]


def test_listwise_deletion_matches_psych_on_complete_cases():
    df = r_data("misfit")
    assert df.isna().any(axis=1).sum() == 300 - 244  # the missing cells hit 56 forms
    stats = _assert_matches_psych("misfit", df, MISFIT_ITEMS)
    assert stats["n"].iloc[0] == 244
    assert stats.index[stats["flag"]].tolist() == ["q5"]
    # pairwise deletion would give another answer: pin that we did not use it
    pairwise = df[MISFIT_ITEMS].astype(float).cov()
    k = len(MISFIT_ITEMS)
    pairwise_alpha = k / (k - 1) * (1 - np.trace(pairwise) / pairwise.to_numpy().sum())
    assert abs(pairwise_alpha - cronbach_alpha(df, MISFIT_ITEMS).alpha) > 1e-4


def test_integer_weights_equal_repeated_rows():
    df = r_data("misfit").dropna().reset_index(drop=True)
    rng = np.random.default_rng(7)
    df["w"] = rng.integers(1, 5, size=len(df))
    repeated = df.loc[df.index.repeat(df["w"])]
    weighted = cronbach_alpha(df, MISFIT_ITEMS, weight="w")
    plain = cronbach_alpha(repeated, MISFIT_ITEMS)
    assert weighted.weighted
    assert weighted.alpha == pytest.approx(plain.alpha, rel=1e-12)
    assert weighted.standardized_alpha == pytest.approx(plain.standardized_alpha, rel=1e-12)
    assert weighted.alpha != pytest.approx(cronbach_alpha(df, MISFIT_ITEMS).alpha, rel=1e-6)
    a = item_rest(df, MISFIT_ITEMS, weight="w")
    b = item_rest(repeated, MISFIT_ITEMS)
    np.testing.assert_allclose(a["item_rest"], b["item_rest"], rtol=1e-12)
    np.testing.assert_allclose(a["alpha_if_deleted"], b["alpha_if_deleted"], rtol=1e-12)
    # the weights' scale does not matter
    df["w2"] = df["w"] * 0.37
    assert cronbach_alpha(df, MISFIT_ITEMS, weight="w2").alpha == pytest.approx(
        weighted.alpha, rel=1e-12
    )


def test_rows_with_missing_or_zero_weight_are_left_out():
    df = HAND.copy()
    df["w"] = [1.0, 1.0, 1.0, 1.0, 1.0]
    extra = pd.DataFrame({"x1": [5, 1], "x2": [1, 5], "x3": [3, 3], "w": [np.nan, 0.0]})
    result = cronbach_alpha(pd.concat([df, extra]), ["x1", "x2", "x3"], weight="w")
    assert result.n == 5
    assert result.alpha == pytest.approx(57 / 68, rel=1e-12)


def test_undefined_alpha_is_nan():
    result = cronbach_alpha(HAND.iloc[:1], ["x1", "x2", "x3"])
    assert result.n == 1 and np.isnan(result.alpha)
    constant = pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]})
    assert np.isnan(cronbach_alpha(constant, ["a", "b"]).alpha)


def test_errors():
    with pytest.raises(InputError, match="'nope'"):
        cronbach_alpha(HAND, ["x1", "nope"])
    with pytest.raises(ParameterError, match="at least 2"):
        cronbach_alpha(HAND, ["x1"])
    with pytest.raises(ParameterError, match="string"):
        cronbach_alpha(HAND, "x1")
    bad = HAND.assign(w=[1, 1, -1, 1, 1])
    with pytest.raises(DesignError, match="negative"):
        cronbach_alpha(bad, ["x1", "x2"], weight="w")
    with pytest.raises(InputError, match="x1"):
        cronbach_alpha(HAND.assign(x1=["a", "b", "c", "d", "e"]), ["x1", "x2"])


# ------------------------------------------------------------------ element_reliability
def _sipas_frame(instrument, n: int = 600, seed: int = 3) -> pd.DataFrame:
    """All 22 criteria from one trait per element; c2_4 is noise (does not fit E2)."""
    rng = np.random.default_rng(seed)
    data = {}
    for group in ("E1", "E2", "E3", "E4", "E5"):
        trait = rng.normal(size=n)
        for item in instrument.items_with(role="criterion", group=group):
            latent = rng.normal(size=n) if item.id == "c2_4" else trait + rng.normal(0, 0.6, n)
            data[item.id] = np.digitize(latent, [-1.5, -0.5, 0.5, 1.5]) + 1
    df = pd.DataFrame(data).astype("Int64")
    df.iloc[::25, 0] = pd.NA  # some "don't know" in c1_1
    return df


def test_element_reliability_flags_the_misfit_criterion(sipas_instrument):
    df = _sipas_frame(sipas_instrument)
    table = element_reliability(df, sipas_instrument)
    assert table["group"].value_counts().to_dict() == {"E1": 4, "E2": 5, "E3": 6, "E4": 3, "E5": 4}
    assert table.loc[table["flag"], "item"].tolist() == ["c2_4"]
    row = table.set_index("item").loc["c2_4"]
    assert row["note"].startswith("Tiêu chí không phù hợp với yếu tố")
    assert row["note_en"].startswith("Criterion does not fit its element")
    assert "Bỏ tiêu chí này làm tăng alpha" in row["note"]
    assert (table.loc[~table["flag"], "note"] == "").all()
    # each group's numbers are those of cronbach_alpha / item_rest on its criteria
    e2 = [i.id for i in sipas_instrument.items_with(role="criterion", group="E2")]
    expected = item_rest(df, e2).set_index("item")
    got = table[table["group"] == "E2"].set_index("item")
    np.testing.assert_allclose(got["item_rest"], expected.loc[e2, "item_rest"], rtol=1e-12)
    assert got["alpha"].iloc[0] == pytest.approx(cronbach_alpha(df, e2).alpha, rel=1e-12)
    e1 = table[table["group"] == "E1"]
    assert (e1["n"] == 600 - 24).all()  # listwise: 24 forms lack c1_1
    assert (table.loc[table["group"] == "E3", "n"] == 600).all()


def test_element_reliability_low_alpha_note_uses_decimal_comma(sipas_instrument):
    df = _sipas_frame(sipas_instrument)
    table = element_reliability(df, sipas_instrument, alpha_minimum=0.99)
    first = table.iloc[0]
    assert first["alpha_low"]
    assert f"alpha {first['alpha']:.2f}".replace(".", ",") in first["note"]
    assert "Độ tin cậy của yếu tố thấp" in first["note"]


def test_element_reliability_rejects_uncleaned_codes(sipas_instrument):
    df = _sipas_frame(sipas_instrument)
    df.loc[3, "c3_2"] = 98
    with pytest.raises(InputError, match=r"c3_2.*98"):
        element_reliability(df, sipas_instrument)
    with pytest.raises(InputError, match="c1_1"):
        element_reliability(df.drop(columns="c1_1"), sipas_instrument)
