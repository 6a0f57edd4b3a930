"""Confidence intervals: t quantiles on design df, and the proportion CIs of `proportion`.

Kept apart from the estimators because the same intervals serve shares computed elsewhere
(`proportion_interval`, e.g. composite indices) and the reliability rules (Korn-Graubard).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from satisfaction.errors import ParameterError

__all__ = ["PROPORTION_METHODS", "proportion_interval"]

PROPORTION_METHODS = ("logit", "beta", "wilson", "wald")


def _t_quantile(q: float, df: np.ndarray) -> np.ndarray:
    """Student t quantile for many df at once; NaN where df < 1.

    Design df are integers that repeat across domains, so each distinct value is looked up
    once (the quantile function is the slow part for 100,000+ estimates).
    """
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    ok = np.isfinite(df) & (df >= 1)
    if ok.any():
        values, inverse = np.unique(df[ok], return_inverse=True)
        out[ok] = special.stdtrit(values, q)[inverse]
    return out


def _korn_graubard(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    level: float,
    *,
    cap: bool,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Korn-Graubard (1998) interval: Clopper-Pearson on the df-adjusted effective n.

    As R's `svyciprop(method="beta")`: n_eff = p(1-p)/var times (t_{rows-1}/t_df)^2, `rows`
    the rows of the domain (R's nrow(design); `n` when not given). Where the variance is
    zero (p = 0 or 1) n_eff is the unweighted n. With `cap` (the NCHS rule) n_eff is also
    capped at n before and after the df adjustment.
    """
    alpha = 1.0 - level
    rows = n if rows is None else rows
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1.0 - p) / se**2, n)
        if cap:
            n_eff = np.minimum(n_eff, n)
        n_eff = n_eff * (_t_quantile(alpha / 2, rows - 1) / _t_quantile(alpha / 2, df)) ** 2
        if cap:
            n_eff = np.minimum(n_eff, n)
        bad = ~np.isfinite(n_eff) | (n_eff <= 0) | np.isnan(p)
        n_eff = np.where(bad, 1.0, n_eff)
        x = np.where(bad, 0.5, p) * n_eff
        low = np.where(x > 0, special.betaincinv(x, n_eff - x + 1, alpha / 2), 0.0)
        high = np.where(x < n_eff, special.betaincinv(x + 1, n_eff - x, 1 - alpha / 2), 1.0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def _t_interval(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        t = _t_quantile(1 - (1 - level) / 2, df)
    return estimate - t * se, estimate + t * se


def _check_level(level: float) -> None:
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise ParameterError(f"level={level!r} must be a confidence level between 0 and 1")


def proportion_interval(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    level: float = 0.95,
    method: str = "logit",
    *,
    rows: np.ndarray | None = None,
    logit_se: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of shares from their estimate, SE, unweighted n and design df.

    The intervals of `proportion` (see there for the methods; R's `svyciprop`), for shares
    computed elsewhere, e.g. composite indices whose SE comes from a linearised total.
    `rows` is the n in the Korn-Graubard df adjustment (R: the domain's rows); `n` when not
    given. Where the SE is zero (p = 0 or 1) every method gives Clopper-Pearson on `n`.
    `logit_se` is the SE of logit(p) when it is not se / (p (1 - p)): a replicate design
    takes the variance of the replicates' logits, as R's svyglm in svyciprop does.
    """
    if method not in PROPORTION_METHODS:
        raise ParameterError(f"method={method!r} is not one of {', '.join(PROPORTION_METHODS)}")
    p, se, n, df = (np.asarray(a, dtype=np.float64) for a in (p, se, n, df))
    rows = n if rows is None else np.asarray(rows, dtype=np.float64)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _t_quantile(1 - alpha / 2, df)
        if method == "wald":
            low, high = p - t * se, p + t * se
        elif method == "logit":
            eta = np.log(p / (1 - p))
            half = t * (se / (p * (1 - p)) if logit_se is None else np.asarray(logit_se))
            low, high = _expit(eta - half), _expit(eta + half)
        elif method == "wilson":
            n_eff = p * (1 - p) / se**2
            centre = (p + t**2 / (2 * n_eff)) / (1 + t**2 / n_eff)
            half = t / (1 + t**2 / n_eff) * np.sqrt(p * (1 - p) / n_eff + t**2 / (4 * n_eff**2))
            low, high = centre - half, centre + half
        else:
            low, high = _korn_graubard(p, se, n, df, level, cap=False, rows=rows)
    # Zero variance (p is 0 or 1): every Wald-type interval collapses to a point, so give the
    # Clopper-Pearson interval on the unweighted n (the NCHS convention) instead.
    degenerate = (se == 0) & ~np.isnan(p)
    if degenerate.any():
        low, high = low.copy(), high.copy()
        low[degenerate], high[degenerate] = _korn_graubard(
            p[degenerate], se[degenerate], n[degenerate], df[degenerate], level, cap=True
        )
    return low, high


_proportion_interval = proportion_interval  # the name other modules first used


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
