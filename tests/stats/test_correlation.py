"""Weighted correlations (satisfaction.stats.correlation) against R's svycontrast and scipy.

Reference numbers: tests/r/drivers_goldens.R (a design-based correlation through svycontrast
on R's api samples).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from drivers_reference import api, constructed, golden
from satisfaction.stats.correlation import weighted_correlation


@pytest.mark.parametrize(
    ("case", "data", "x", "design"),
    [
        ("cor_clus1", "apiclus1", "avg.ed", {"cluster": "dnum"}),
        ("cor_strat", "apistrat", "ell", {"strata": "stype"}),
    ],
)
def test_weighted_pearson_matches_svycontrast(case, data, x, design):
    r, se, n = weighted_correlation(api(data), x, "api00", weight="pw", **design)
    assert n == {"cor_clus1": 183 - 26, "cor_strat": 200}[case]
    assert r == pytest.approx(golden(case, "r").iloc[0], rel=1e-10)
    assert se == pytest.approx(golden(case, "se").iloc[0], rel=1e-8)


def test_spearman_is_scipys_and_weights_are_repeats():
    df = constructed(n=300)
    r, _, n = weighted_correlation(df, "a", "y", kind="spearman")
    assert n == 300
    assert r == pytest.approx(stats.spearmanr(df["a"], df["y"]).statistic, rel=1e-12)
    df["w"] = np.random.default_rng(2).integers(1, 4, size=len(df))
    repeated = df.loc[df.index.repeat(df["w"])]
    r_w, _, _ = weighted_correlation(df, "a", "y", weight="w", kind="spearman")
    assert r_w == pytest.approx(stats.spearmanr(repeated["a"], repeated["y"]).statistic, 1e-12)
    p_w, _, _ = weighted_correlation(df, "b", "y", weight="w")
    assert p_w == pytest.approx(np.corrcoef(repeated["b"], repeated["y"])[0, 1], rel=1e-12)
