"""Scale reliability: Cronbach's alpha and item-rest correlations per element of criteria.

An element (yếu tố) is measured by several criteria (tiêu chí); if they measure one thing,
they correlate and alpha is high. A criterion that correlates weakly with the rest of its
element, or whose removal raises alpha, probably measures something else -- the remediation
report says so ("Tiêu chí không phù hợp với yếu tố").

Conventions (the same as R ``psych::alpha(x, use = "complete.obs")``):

* Listwise deletion: only respondents who answered every item of the scale count (a "don't
  know" on one criterion drops the form from that element's alpha). ``n`` reports how many
  forms were used. Pairwise deletion (psych's default) can give a covariance matrix that is
  not positive semi-definite and an alpha that no single sample supports.
* Raw alpha = k/(k-1) * (1 - sum of item variances / variance of the sum score).
  Standardised alpha = k r / (1 + (k-1) r), r the mean inter-item correlation.
* Item-rest correlation = correlation of an item with the sum of the OTHER items of the
  scale (psych's ``r.drop``); alpha if deleted = raw alpha of the other k-1 items, computed on
  the same complete cases.
* Weights (optional): every variance and covariance is the weighted one,
  sum w (x - m)(y - m') / sum w with weighted means m. Alpha and correlations are ratios of
  (co)variances, so the divisor cancels and the weights' scale does not matter; with whole
  number weights the result equals alpha on the data with each row repeated w times. The
  weighted alpha estimates the population's alpha; it carries no design-based standard error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, InstrumentError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats._columns import check_scale_codes, numeric_matrix, weights

__all__ = [
    "AlphaResult",
    "cronbach_alpha",
    "element_reliability",
    "item_rest",
]

ITEM_REST_THRESHOLD = 0.3
ALPHA_MARGIN = 0.01
ALPHA_MINIMUM = 0.7  # Nunnally (1978): the usual floor for a scale used to compare groups


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one scale.

    `alpha` (raw), `standardized_alpha` (from the mean inter-item correlation), `n` (complete
    cases used), `k` (items), `items` (their columns), `weighted` (whether weights were used).
    Alphas are NaN when undefined (fewer than 2 complete cases, or a sum score that does not
    vary).
    """

    alpha: float
    standardized_alpha: float
    n: int
    k: int
    items: tuple[str, ...]
    weighted: bool


# ---------------------------------------------------------------------- helpers
def _complete_cases(
    df: pd.DataFrame, items: Sequence[str], weight: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """The item matrix and weights of the rows with every item (and the weight) present."""
    if isinstance(items, str):
        raise ParameterError(f"items must be a list of columns, got the string {items!r}")
    items = list(items)
    if len(items) < 2:
        raise ParameterError(f"items: alpha needs at least 2 items, got {len(items)}")
    if len(set(items)) != len(items):
        raise ParameterError(f"items: repeated column in {items}")
    values = numeric_matrix(df, items)
    w = weights(df, weight)
    keep = np.isfinite(values).all(axis=1) & np.isfinite(w) & (w > 0)
    return values[keep], w[keep]


def _weighted_cov(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted covariance matrix, divisor sum(w) (it cancels in every ratio used here)."""
    total = w.sum()
    centred = values - (w @ values) / total
    return (centred * w[:, None]).T @ centred / total


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total_variance = cov.sum()
    if k < 2 or not total_variance > 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total_variance))


def _standardized_alpha(cov: np.ndarray) -> float:
    sd = np.sqrt(np.diag(cov))
    k = cov.shape[0]
    if k < 2 or not (sd > 0).all():
        return float("nan")
    corr = cov / np.outer(sd, sd)
    mean_r = (corr.sum() - k) / (k * (k - 1))
    return float(k * mean_r / (1.0 + (k - 1) * mean_r))


def _cov_of(df: pd.DataFrame, items: Sequence[str], weight: str | None) -> tuple[np.ndarray, int]:
    values, w = _complete_cases(df, items, weight)
    if len(values) < 2:
        return np.full((len(items), len(items)), np.nan), len(values)
    return _weighted_cov(values, w), len(values)


def _item_rest_from_cov(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Item-rest correlations and alpha-if-deleted from the covariance matrix."""
    k = cov.shape[0]
    row_sums = cov.sum(axis=1)
    total = cov.sum()
    variances = np.diag(cov)
    rest_variance = total - 2 * row_sums + variances
    with np.errstate(invalid="ignore", divide="ignore"):
        item_rest = (row_sums - variances) / np.sqrt(variances * rest_variance)
    item_rest = np.where((variances > 0) & (rest_variance > 0), item_rest, np.nan)
    if_deleted = np.array(
        [_alpha_from_cov(np.delete(np.delete(cov, j, 0), j, 1)) for j in range(k)]
    )
    return item_rest, if_deleted


# ---------------------------------------------------------------------- public
def cronbach_alpha(
    df: pd.DataFrame, items: Sequence[str], weight: str | None = None
) -> AlphaResult:
    """Cronbach's alpha of `items` on complete cases, optionally weighted.

    Matches R ``psych::alpha(df[items], use = "complete.obs")``: ``raw_alpha`` and
    ``std.alpha`` (unweighted). See the module docstring for the weighted version.
    """
    cov, n = _cov_of(df, items, weight)
    return AlphaResult(
        alpha=_alpha_from_cov(cov),
        standardized_alpha=_standardized_alpha(cov),
        n=n,
        k=len(items),
        items=tuple(items),
        weighted=weight is not None,
    )


def item_rest(
    df: pd.DataFrame,
    items: Sequence[str],
    weight: str | None = None,
    *,
    threshold: float = ITEM_REST_THRESHOLD,
    margin: float = ALPHA_MARGIN,
) -> pd.DataFrame:
    """Item-rest correlation and alpha-if-deleted of each item, with a flag for misfits.

    Matches R ``psych::alpha(...)$item.stats$r.drop`` and ``$alpha.drop$raw_alpha``.

    Returns one row per item: ``item``; ``item_rest`` (correlation with the sum of the
    other items); ``alpha_if_deleted``; ``alpha`` (of the whole scale, repeated);
    ``low_item_rest`` (item_rest < `threshold`, 0.3 by default -- the common rule of thumb,
    e.g. Nunnally & Bernstein 1994); ``raises_alpha`` (alpha_if_deleted > alpha + `margin`,
    0.01 by default, so rounding noise does not flag); ``flag`` (either); ``n``.
    """
    cov, n = _cov_of(df, items, weight)
    return _item_table(cov, n, items, threshold, margin)


def _item_table(
    cov: np.ndarray, n: int, items: Sequence[str], threshold: float, margin: float
) -> pd.DataFrame:
    if not margin >= 0:
        raise ParameterError(f"margin must be >= 0, got {margin!r}")
    if not -1 <= threshold <= 1:
        raise ParameterError(f"threshold must be a correlation in [-1, 1], got {threshold!r}")
    alpha = _alpha_from_cov(cov)
    correlations, if_deleted = _item_rest_from_cov(cov)
    low = np.nan_to_num(correlations, nan=np.inf) < threshold
    raises = np.nan_to_num(if_deleted, nan=-np.inf) > alpha + margin
    return pd.DataFrame(
        {
            "item": list(items),
            "item_rest": correlations,
            "alpha_if_deleted": if_deleted,
            "alpha": alpha,
            "low_item_rest": low,
            "raises_alpha": raises,
            "flag": low | raises,
            "n": n,
        }
    )


def _vi_number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _notes(
    row: pd.Series, threshold: float, margin: float, alpha_minimum: float
) -> tuple[str, str]:
    vi: list[str] = []
    en: list[str] = []
    if row["low_item_rest"]:
        r = row["item_rest"]
        vi.append(
            "Tiêu chí không phù hợp với yếu tố: tương quan với các tiêu chí còn lại "
            f"{_vi_number(r)} < {_vi_number(threshold)}"
        )
        en.append(
            f"Criterion does not fit its element: item-rest correlation {r:.2f} < {threshold:.2f}"
        )
    if row["raises_alpha"]:
        a, b = row["alpha"], row["alpha_if_deleted"]
        vi.append(
            f"Bỏ tiêu chí này làm tăng alpha của yếu tố từ {_vi_number(a)} lên {_vi_number(b)}"
        )
        en.append(f"Dropping this criterion raises the element's alpha from {a:.2f} to {b:.2f}")
    alpha = row["alpha"]
    if np.isfinite(alpha) and alpha < alpha_minimum:
        vi.append(
            f"Độ tin cậy của yếu tố thấp: alpha {_vi_number(alpha)} < {_vi_number(alpha_minimum)}"
        )
        en.append(f"Low reliability of the element: alpha {alpha:.2f} < {alpha_minimum:.2f}")
    elif not np.isfinite(alpha):
        vi.append("Không tính được alpha (quá ít phiếu trả lời đủ hoặc điểm không biến thiên)")
        en.append("Alpha not defined (too few complete forms, or scores do not vary)")
    return "; ".join(vi), "; ".join(en)


def element_reliability(
    df: pd.DataFrame,
    instrument: Instrument,
    weight: str | None = None,
    *,
    role: str = "criterion",
    threshold: float = ITEM_REST_THRESHOLD,
    margin: float = ALPHA_MARGIN,
    alpha_minimum: float = ALPHA_MINIMUM,
) -> pd.DataFrame:
    """Alpha and item-rest diagnostics for every group (element) of the instrument's criteria.

    Groups with fewer than two criteria are left out (alpha needs two items). Codes outside
    a criterion's scale (e.g. 98 "don't know" in uncleaned data) raise `InputError`: clean
    the data first.

    Returns one row per criterion: ``group``, ``group_label`` (Vietnamese), ``item``, ``n``
    (complete forms of the group), ``k`` (criteria in the group), ``alpha``, ``std_alpha``,
    ``item_rest``, ``alpha_if_deleted``, ``flag`` (item_rest < `threshold` or alpha if
    deleted > alpha + `margin`), ``alpha_low`` (group alpha < `alpha_minimum`, 0.7), ``note``
    (Vietnamese) and ``note_en`` (English): why a row is flagged, empty when nothing is wrong.
    """
    rows: list[pd.DataFrame] = []
    for group in instrument.groups:
        items = [item.id for item in instrument.items_with(role=role, group=group.id)]
        if len(items) < 2:
            continue
        missing = [item_id for item_id in items if item_id not in df.columns]
        if missing:
            raise InputError(f"criterion of group {group.id} not in the data", column=missing[0])
        check_scale_codes(df, instrument, items)
        cov, n = _cov_of(df, items, weight)
        stats = _item_table(cov, n, items, threshold, margin)
        stats.insert(0, "group", group.id)
        stats.insert(1, "group_label", group.label.get("vi"))
        stats["k"] = len(items)
        stats["std_alpha"] = _standardized_alpha(cov)
        alpha = stats["alpha"].iloc[0]
        stats["alpha_low"] = bool(np.isfinite(alpha) and alpha < alpha_minimum)
        notes = [_notes(row, threshold, margin, alpha_minimum) for _, row in stats.iterrows()]
        stats["note"] = [vi for vi, _ in notes]
        stats["note_en"] = [en for _, en in notes]
        rows.append(stats)
    columns = [
        "group",
        "group_label",
        "item",
        "n",
        "k",
        "alpha",
        "std_alpha",
        "item_rest",
        "alpha_if_deleted",
        "flag",
        "alpha_low",
        "note",
        "note_en",
    ]
    if not rows:
        raise InstrumentError(f"no group has two or more items of role {role!r}: nothing to test")
    return pd.concat(rows, ignore_index=True)[columns]
