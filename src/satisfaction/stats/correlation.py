"""Weighted Pearson and Spearman correlations with their linearised (design-based) SE.

The fallback of `satisfaction.stats.drivers` when the ordinal model cannot be trusted. The
SE comes from the influence function z_x z_y - r (z_x^2 + z_y^2) / 2 through the same
between-PSU sandwich as the ordinal model (R: ``svycontrast`` on ``svymean`` of x, y, x^2,
y^2, xy). Spearman ranks are weighted mid-ranks (the weight below plus half the weight at a
value), and their own sampling variation is ignored.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.stats._sample import _model_design, _prepare, _Sample
from satisfaction.stats.design import Design

__all__ = ["weighted_correlation"]


def _weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks: the weight below a value plus half the weight at it."""
    values, inverse = np.unique(x, return_inverse=True)
    at = np.bincount(inverse, weights=w, minlength=len(values))
    below = np.cumsum(at) - at
    return (below + at / 2)[inverse]


def _pearson_with_influence(
    x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    total = w.sum()
    dx = x - w @ x / total
    dy = y - w @ y / total
    sxx, syy = w @ dx**2 / total, w @ dy**2 / total
    if not (sxx > 0 and syy > 0):
        return float("nan"), np.full(len(x), np.nan)
    r = float(w @ (dx * dy) / total / math.sqrt(sxx * syy))
    zx, zy = dx / math.sqrt(sxx), dy / math.sqrt(syy)
    influence = (zx * zy - r * (zx**2 + zy**2) / 2) / total
    return r, influence


def _correlation(sample: _Sample, kind: str) -> tuple[float, float, int]:
    xv, yv, w = sample.x[:, 0], sample.y, sample.w
    if len(w) < 3:
        return float("nan"), float("nan"), len(w)
    if kind == "spearman":
        xv, yv = _weighted_ranks(xv, w), _weighted_ranks(yv, w)
    r, influence = _pearson_with_influence(xv, yv, w)
    if not np.isfinite(r):
        return r, float("nan"), len(w)
    if sample.replicated:  # recomputed with each replicate's weights (ranks as given)
        estimates = [r] + [
            _pearson_with_influence(xv, yv, wr)[0] for wr in sample.replicate_weights().T
        ]
        variance = sample.replicate_covariance(np.asarray(estimates)[:, None])
        return r, float(math.sqrt(variance[0, 0])), len(w)
    variance = sample.variance((w * influence)[:, None])
    return r, float(math.sqrt(variance[0, 0])), len(w)


def weighted_correlation(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    design: Design | None = None,
    where: np.ndarray | pd.Series | None = None,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    kind: Literal["pearson", "spearman"] = "pearson",
) -> tuple[float, float, int]:
    """Weighted Pearson or Spearman correlation of `x` and `y`, its linearised SE, and n.

    Complete cases. The SE matches R ``svycontrast(svymean(~x + y + I(x^2) + I(y^2) +
    I(x*y), d), <r as a function of the means>)`` on the design (`design`, or the shorthand
    ``svydesign(ids = ~cluster, strata = ~strata, weights = ~w)``); `where` keeps a domain.
    For Spearman the weighted mid-ranks are taken as given.
    """
    if kind not in ("pearson", "spearman"):
        raise ParameterError(f"kind must be 'pearson' or 'spearman', got {kind!r}")
    model = _model_design(df, design, where, weight=weight, cluster=cluster, strata=strata)
    return _correlation(_prepare(model, y, [x]), kind)
