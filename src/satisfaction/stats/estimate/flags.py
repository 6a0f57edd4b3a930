"""Reliability flags: the NCHS rules for proportions, CV rules for means, totals and ratios.

Every estimator fills `reliable` and `reliability_note` through `_reliability`;
`flag_reliability` recomputes them on a result frame under other thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.stats.estimate.intervals import _korn_graubard

__all__ = ["Reliability", "flag_reliability"]


@dataclass(frozen=True)
class Reliability:
    """Thresholds deciding whether an estimate is reliable enough to publish.

    Proportions follow the NCHS Data Presentation Standards for Proportions (Parker et al.
    2017, Vital Health Stat 2(175)), using a 95% Korn-Graubard interval whatever `level` the
    estimate was asked with:

    - `min_n`: unweighted denominator n below this -> not reliable ("n < 30");
    - `min_effective_n`: effective n = p(1-p)/se^2, capped at n (so deff < 1 counts as 1;
      n when p is 0 or 1), below this -> not reliable;
    - `max_ci_width`: Korn-Graubard CI width at or above this -> not reliable;
    - `max_relative_ci_width`: CI width / p above this, when the width exceeds
      `relative_width_floor` -> not reliable;
    - `min_df`: design df below this -> reliable stays as the other rules say, but the note
      says "review: df < 8" (NCHS: flag for statistical review); the complement rule (the
      relative width of 1 - p above `max_relative_ci_width`) is a review note too.

    Means, totals and ratios: `min_n`, `max_cv` (se / |estimate| above this -> not reliable)
    and the same `min_df` review note. For every kind, a domain whose rows sit in a single
    PSU (df < 1) is not reliable: its standard error cannot be estimated from the design.

    `reliability_note` is empty when no rule fired; it lists every rule that fired, joined
    by "; ". A note that only holds "review: ..." items goes with `reliable=True`, and so
    does "interval: Clopper-Pearson, standard error 0": a share of 0% or 100% (or any share
    whose standard error is 0) gets the Clopper-Pearson interval on its n instead of the
    interval asked for, which would collapse to a point (R gives NaN there).
    """

    min_n: int = 30
    min_effective_n: float = 30.0
    max_ci_width: float = 0.30
    max_relative_ci_width: float = 1.30
    relative_width_floor: float = 0.05
    max_cv: float = 0.30
    min_df: int = 8


def _notes(rules: list[tuple[np.ndarray, str]], size: int) -> np.ndarray:
    """Join the texts of the rules that fired, row by row, without a Python loop over rows."""
    if not rules:
        return np.full(size, "", dtype=object)
    fired = np.column_stack([mask for mask, _ in rules]).astype(np.int64)
    pattern = fired @ (1 << np.arange(len(rules), dtype=np.int64))
    unique, inverse = np.unique(pattern, return_inverse=True)
    texts = np.array(
        ["; ".join(t for bit, (_, t) in enumerate(rules) if code >> bit & 1) for code in unique],
        dtype=object,
    )
    return texts[inverse]


def _reliability(
    kind: str,
    estimate: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    rules: Reliability,
) -> tuple[np.ndarray, np.ndarray]:
    n = n.astype(np.float64)
    df = df.astype(np.float64)
    suppress: list[tuple[np.ndarray, str]] = []
    review: list[tuple[np.ndarray, str]] = []
    info: list[tuple[np.ndarray, str]] = []
    missing = np.isnan(estimate) | np.isnan(se)
    suppress.append((missing, "no estimate"))
    suppress.append((~missing & (n < rules.min_n), f"n < {rules.min_n}"))
    # One PSU (or none) holds the domain: its variance is not estimable from the design.
    suppress.append((~missing & (df < 1), "df < 1"))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            p = estimate
            n_eff = np.minimum(np.where(se > 0, p * (1 - p) / se**2, n), n)
            suppress.append(
                (
                    ~missing & (n_eff < rules.min_effective_n),
                    f"effective n < {rules.min_effective_n:g}",
                )
            )
            low, high = _korn_graubard(p, se, n, df, 0.95, cap=True)
            width = high - low
            no_ci = ~missing & np.isnan(width) & (df >= 1)
            suppress.append((no_ci, "no Korn-Graubard CI"))
            suppress.append(
                (~missing & (width >= rules.max_ci_width), f"CI width >= {rules.max_ci_width:g}")
            )
            relative = width / p
            suppress.append(
                (
                    ~missing
                    & (width > rules.relative_width_floor)
                    & (width < rules.max_ci_width)
                    & (relative > rules.max_relative_ci_width),
                    f"relative CI width > {rules.max_relative_ci_width:.0%}",
                )
            )
            info.append((~missing & (se == 0), "interval: Clopper-Pearson, standard error 0"))
            complement = width / (1 - p)
            review.append(
                (
                    ~missing
                    & (width > rules.relative_width_floor)
                    & (width < rules.max_ci_width)
                    & (complement > rules.max_relative_ci_width),
                    f"review: complement relative CI width > {rules.max_relative_ci_width:.0%}",
                )
            )
        else:
            cv = se / np.abs(estimate)
            suppress.append((~missing & (cv > rules.max_cv), f"CV > {rules.max_cv:g}"))
    review.append((~missing & (df < rules.min_df), f"review: df < {rules.min_df}"))
    reliable = ~np.any(np.column_stack([m for m, _ in suppress]), axis=1)
    return reliable, _notes(suppress + review + info, len(estimate))


def flag_reliability(
    result: pd.DataFrame, kind: str = "proportion", rules: Reliability | None = None
) -> pd.DataFrame:
    """Recompute `reliable` and `reliability_note` of a result frame under `rules`.

    `kind` is "proportion" (NCHS rules; `estimate` must be a share in [0, 1]) or "mean"
    (min_n and CV). Returns a copy; useful after combining or re-thresholding results.
    """
    if kind not in ("proportion", "mean"):
        raise ParameterError(f"kind={kind!r} must be 'proportion' or 'mean'")
    needed = {"estimate", "se", "n", "df"}
    if not needed <= set(result.columns):
        raise ParameterError(f"result lacks columns {sorted(needed - set(result.columns))}")
    out = result.copy()
    reliable, note = _reliability(
        kind,
        out["estimate"].to_numpy(np.float64),
        out["se"].to_numpy(np.float64),
        out["n"].to_numpy(np.float64),
        out["df"].to_numpy(np.float64),
        rules or Reliability(),
    )
    out["reliable"] = reliable
    out["reliability_note"] = note
    return out
