"""Quantiles with design-based intervals: median waiting time, number of visits.

`quantile(df, design, variables, probs, by=...)` is R's `svyquantile(~x, design, probs)`
with its defaults (survey 4.1), domain by domain as `svyby` / `subset` give them:

* the quantile rule is R's `qrule = "math"`: the smallest observed value whose weighted
  cumulative share reaches p (the inverse of the weighted empirical distribution
  function; rows of zero weight left out);
* the interval is Woodruff's (R's `interval.type = "mean"`): the share of the domain at or
  below the estimated quantile, with its design-based SE (any design: Taylor, calibrated or
  replicate weights), gives the interval p +/- t SE on the domain df, turned back into
  values through the same rule; a bound whose share falls outside [0, 1] is missing, as in
  R; `se` is the interval's width / (2 t), as R reports it.

Missing values of a variable are left out (R's na.rm=TRUE).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from satisfaction.errors import ParameterError
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.estimate.domains import _as_list, _check_columns, _make_domains
from satisfaction.stats.estimate.estimators import _numeric_column, mean
from satisfaction.stats.replicate import ReplicateDesign

__all__ = ["QUANTILE_COLUMNS", "quantile", "weighted_quantile"]

QUANTILE_COLUMNS = [
    "variable",
    "quantile",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "df",
]


def weighted_quantile(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R's qrule_math: the smallest x whose weighted cumulative share reaches p."""
    keep = (w > 0) & ~np.isnan(x)
    order = np.argsort(x[keep], kind="stable")
    weights = w[keep][order]
    return _rule((x[keep][order], *_cumulative(weights)), p)


def _cumulative(weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Cumulative weights and their total as R computes them (cumsum() and sum() accumulate
    in long double), so that exact ties of p * total fall as in R."""
    extended = weights.astype(np.longdouble)
    return np.cumsum(extended).astype(np.float64), float(extended.sum())


def quantile(
    df: pd.DataFrame,
    design: Design | ReplicateDesign,
    variables: str | Sequence[str],
    probs: float | Sequence[float] = 0.5,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted quantiles with Woodruff intervals, by domain. R: `svyquantile(~x, design,
    probs)` (or on `subset(design, domain)` for each domain); see the module docstring.

    Returns the `by` columns then `QUANTILE_COLUMNS`: one row per domain x variable x
    probability (`quantile` holds p), `n` the rows with a value and a positive weight and
    `df` the domain df the interval used.
    """
    names = _as_list(variables, "variables")
    ps = [float(probs)] if isinstance(probs, int | float) else [float(p) for p in probs]
    if not names or not ps or any(not 0 < p < 1 for p in ps):
        raise ParameterError("quantile needs variables and probabilities strictly in (0, 1)")
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1")
    _check_columns(df, names, "variable")
    by_cols = _as_list(by, "by")
    domains = _make_domains(df, by_cols)
    w = analysis_weights(df, design)
    frames = []
    for name in names:
        x = _numeric_column(df, name)
        segments = _segments(domains.codes, x, w, domains.count)
        work = pd.DataFrame(index=df.index)
        estimates = np.empty((domains.count, len(ps)))
        for k, p in enumerate(ps):
            estimates[:, k] = [_rule(seg, p) for seg in segments]
            threshold = np.where(domains.codes >= 0, estimates[domains.codes, k], np.nan)
            below = np.where(np.isnan(x), np.nan, (x <= threshold).astype(np.float64))
            work[f"__q{k}"] = below
        for column in design.columns():
            work[column] = df[column]
        for column in by_cols:
            work[column] = df[column]
        shares = mean(work, design, [f"__q{k}" for k in range(len(ps))], by=by_cols or None)
        frames.append(_frame(shares, domains, segments, name, ps, estimates, level, by_cols))
    return pd.concat(frames, ignore_index=True)


def _segments(codes: np.ndarray, x: np.ndarray, w: np.ndarray, count: int) -> list:
    """Each domain's sorted values with a positive weight, their cumulative weights and
    total (R's qs())."""
    keep = (codes >= 0) & ~np.isnan(x) & (w > 0)
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((x[rows], codes[rows]))]
    bounds = np.searchsorted(codes[order], np.arange(count + 1))
    out = []
    for d in range(count):
        part = order[bounds[d] : bounds[d + 1]]
        out.append((x[part], *_cumulative(w[part])))
    return out


def _rule(segment: tuple, p: float) -> float:
    """R's qrule_math on one domain's sorted values, with R's arithmetic: the last value
    whose cumulative weight is <= p * total, if its share p - cum / total is exactly 0,
    else the next value."""
    values, cumulative, total = segment
    if not len(values) or np.isnan(p) or p < 0 or p > 1:
        return np.nan
    # R's last(): the last index with cumulative <= p * total, else the first
    position = max(int(np.searchsorted(cumulative, p * total, side="right")) - 1, 0)
    if p - cumulative[position] / total == 0:
        return float(values[position])
    return float(values[min(position + 1, len(values) - 1)])


def _frame(
    shares: pd.DataFrame,
    domains,
    segments: list,
    name: str,
    ps: list[float],
    estimates: np.ndarray,
    level: float,
    by_cols: list[str],
) -> pd.DataFrame:
    """Woodruff's interval from the shares at or below each quantile."""
    rows = []
    d_count = domains.count
    for k, p in enumerate(ps):
        part = shares[shares["variable"] == f"__q{k}"].reset_index(drop=True)
        df = part["df"].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            t = np.where(df >= 1, special.stdtrit(np.maximum(df, 1), 1 - (1 - level) / 2), np.nan)
        low_p = part["estimate"].to_numpy() - t * part["se"].to_numpy()
        high_p = part["estimate"].to_numpy() + t * part["se"].to_numpy()
        low = np.array([_rule(segments[d], low_p[d]) for d in range(d_count)])
        high = np.array([_rule(segments[d], high_p[d]) for d in range(d_count)])
        keys = domains.keys.reset_index(drop=True)
        rows.append(
            keys.assign(
                variable=name,
                quantile=p,
                estimate=estimates[:, k],
                se=(high - low) / (2 * t),
                ci_low=low,
                ci_high=high,
                n=[len(segments[d][0]) for d in range(d_count)],
                df=df.astype(np.int64),
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out[[*by_cols, *QUANTILE_COLUMNS]]
