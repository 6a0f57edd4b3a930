"""Funnel-plot limits: Spiegelhalter's interpolated binomial quantiles, checked by hand and
against the normal approximation for large volumes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.studies.funnel import funnel_limits, funnel_points


def test_small_volume_limit_by_hand():
    # n = 10, p = 0.5: the 97.5% quantile is r = 8 (F(7) = 968/1024, F(8) = 1013/1024);
    # alpha = (F(8) - 0.975) / (F(8) - F(7)) = 14.6 / 45; limit = (8 - alpha) / 10.
    # The 2.5% quantile is r = 2 (F(1) = 11/1024, F(2) = 56/1024): alpha = 30.4 / 45. (The
    # published interpolation is not symmetric on a step function: 1/n apart, here 0.1.)
    limits = funnel_limits(0.5, [10], levels=[0.95])
    assert limits["upper"].iloc[0] == pytest.approx((8 - 14.6 / 45) / 10)
    assert limits["lower"].iloc[0] == pytest.approx((2 - 30.4 / 45) / 10)


def test_large_volumes_approach_the_normal_limits():
    n, p = 1_000_000, 0.9
    limits = funnel_limits(p, [n]).set_index("level")
    half = 3.090232 * np.sqrt(p * (1 - p) / n)
    assert limits.loc[0.998, "upper"] == pytest.approx(p + half, abs=2e-5)
    assert limits.loc[0.998, "lower"] == pytest.approx(p - half, abs=2e-5)


def test_limits_narrow_with_volume_and_outer_contains_inner():
    limits = funnel_limits(0.8, [20, 200, 2000])
    inner = limits[limits["level"] == 0.95].reset_index(drop=True)
    outer = limits[limits["level"] == 0.998].reset_index(drop=True)
    assert (np.diff(inner["upper"] - inner["lower"]) < 0).all()
    assert (outer["upper"] >= inner["upper"]).all() and (outer["lower"] <= inner["lower"]).all()
    with pytest.raises(ParameterError):
        funnel_limits(1.0, [10])


def test_points_flag_the_unit_that_really_differs():
    units = pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "E"],
            "on_time": [980, 490, 1960, 97, 700],
            "settled": [1000, 500, 2000, 100, 1000],
        }
    )
    points, limits, target = funnel_points(units, label="unit", events="on_time", volume="settled")
    assert target == pytest.approx(units["on_time"].sum() / units["settled"].sum())
    flags = points.set_index("label")["outside_0.998"]
    assert flags["E"] == "below" and (flags.drop("E") != "below").all()
    assert limits["volume"].max() >= 2000 and set(limits["level"]) == {0.95, 0.998}
