"""The linearisation of indices: sum_k a_k * mean(y_k) per domain and each respondent's
influence value z (see `indices` for the formula), shared by the indices, the comparisons
with the overall and the PAPI-style composites.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights

__all__ = ["influence_values"]


def _group_codes(df: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 where a `by` value is missing) and the domains, sorted."""
    if not by:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=[0])
    grouped = df.groupby(by, sort=True, dropna=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=float)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
    domains = grouped.size().reset_index()[by]
    return codes, domains


def _influence(
    df: pd.DataFrame,
    design: Design,
    terms: Mapping[str, float],
    codes: np.ndarray,
    n_groups: int,
    *,
    weights: np.ndarray | None = None,
    values: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate per group, influence values z, rows with any valid answer).

    `weights` (the design's analysis weights) and `values` (a cache of numeric columns)
    spare callers that make many calls on one frame the same work each time.
    """
    w = analysis_weights(df, design) if weights is None else weights
    theta = np.zeros(n_groups)
    z = np.zeros(len(df))
    any_valid = np.zeros(len(df), dtype=bool)
    for variable, coefficient in terms.items():
        if values is not None and variable in values:
            y = values[variable]
        else:
            y = pd.to_numeric(df[variable], errors="coerce").to_numpy(dtype=float)
            if values is not None:
                values[variable] = y
        valid = ~np.isnan(y) & (codes >= 0)
        y0 = np.where(valid, y, 0.0)
        wd = np.where(valid, w, 0.0)
        numerator = np.bincount(codes[valid], weights=(wd * y0)[valid], minlength=n_groups)
        denominator = np.bincount(codes[valid], weights=wd[valid], minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = numerator / denominator
        theta += coefficient * p
        safe = np.where(codes >= 0, codes, 0)
        contribution = np.where(valid, coefficient * (y0 - p[safe]) / denominator[safe], 0.0)
        z += contribution
        any_valid |= valid
    return theta, z, any_valid


def influence_values(
    df: pd.DataFrame,
    design: Design,
    terms: Mapping[str, float],
    codes: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sum_k a_k * mean(y_k) per group (codes 0..n_groups-1, -1 = outside every group), the
    linearised values z of each row (zero outside its group) and the rows with any valid
    answer: the pieces of `linear_combination`, for callers that need several combinations'
    joint uncertainty (e.g. ranks of provinces)."""
    return _influence(df, design, terms, codes, n_groups)
