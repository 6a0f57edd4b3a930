"""The trend drawer draws the shares it is given, in %, with gaps where a share is missing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures import trend

DATA = pd.DataFrame(
    {
        "label": ["tháng 1/2024", "tháng 2/2024", "tháng 3/2024"],
        "on_time_share": [0.98, 0.95, np.nan],
        "coverage": [0.3, 0.31, 0.29],
    }
)


def test_lines_are_the_shares_given_in_percent():
    ax = trend(DATA, x="label", lines={"on_time_share": "Đúng hạn", "coverage": "Độ phủ"},
               title="Theo tháng", source="Nguồn thử")  # fmt: skip
    line = next(item for item in ax.lines if item.get_gid() == "trend-on_time_share")
    np.testing.assert_allclose(line.get_ydata()[:2], [98.0, 95.0])
    assert np.isnan(line.get_ydata()[2])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(DATA["label"])
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"Đúng hạn", "Độ phủ"}
    plt.close(ax.figure)


def test_percentages_and_empty_line_sets_are_refused():
    with pytest.raises(InputError):
        trend(DATA.assign(coverage=DATA["coverage"] * 100), x="label", lines={"coverage": "x"})
    with pytest.raises(ParameterError):
        trend(DATA, x="label", lines={})
