"""The funnel drawer draws exactly the points and limits it is given, labels the units
below the outer limits, and refuses percentages given as shares."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import InputError
from satisfaction.present.figures import funnel
from satisfaction.studies.funnel import funnel_points

UNITS = pd.DataFrame(
    {
        "unit": ["UBND xã A", "UBND xã B", "UBND phường C", "UBND xã D"],
        "on_time": [980, 1960, 97, 700],
        "settled": [1000, 2000, 100, 1000],
    }
)


def _draw(**kwargs):
    points, limits, target = funnel_points(UNITS, label="unit", events="on_time", volume="settled")
    ax = funnel(points, limits, target=target, title="Phễu", source="Nguồn thử", **kwargs)
    return ax, points, limits, target


def test_points_and_limits_are_the_numbers_given():
    ax, points, limits, target = _draw()
    dots = next(c for c in ax.collections if c.get_gid() == "funnel-point")
    np.testing.assert_allclose(dots.get_offsets()[:, 0], points["volume"])
    np.testing.assert_allclose(dots.get_offsets()[:, 1], 100 * points["rate"])
    curves = [line for line in ax.lines if line.get_gid() == "funnel-limit"]
    assert len(curves) == 4  # lower and upper at 95% and 99.8%
    top = max(curves, key=lambda line: line.get_ydata().max())
    assert top.get_ydata().max() == pytest.approx(100 * limits["upper"].max())
    level = next(line for line in ax.lines if line.get_gid() == "funnel-target")
    assert level.get_ydata()[0] == pytest.approx(100 * target)
    plt.close(ax.figure)


def test_only_units_below_and_the_highlighted_one_are_labelled():
    ax, *_ = _draw(highlight="UBND xã B")
    labels = {text.get_text() for text in ax.texts}
    assert "UBND xã D" in labels and "UBND xã B" in labels and "UBND xã A" not in labels
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in t for t in ticks) or all(t.endswith("%") for t in ticks if t)
    plt.close(ax.figure)


def test_rates_as_percentages_are_refused():
    points, limits, target = funnel_points(UNITS, label="unit", events="on_time", volume="settled")
    with pytest.raises(InputError, match="outside"):
        funnel(points.assign(rate=points["rate"] * 100), limits, target=target)
