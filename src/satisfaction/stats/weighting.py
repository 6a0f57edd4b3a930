"""Weighting: post-stratification, raking, trimming and the Kish effective sample size.

`poststratify` and `rake` return the reweighted frame and a design that remembers the
calibration (`Design.calibration`), so that every estimator in `satisfaction.stats.estimate`
takes residuals of the linearised values within the calibration cells, as R's
`svyrecvar` does for designs made by `postStratify` and `rake`. Treating calibrated weights
as if they were sampling weights overstates the standard error of anything related to the
calibration variables; the design returned here does not.

The added columns: the new weights (`weight_name`, by default "<weight>_ps" or
"<weight>_raked") and, for raking, one column per margin but the last holding the weights
right after that margin was matched in the final sweep ("<weight_name>__margin<i>"); the
last margin's are the final weights. Keep them with the frame: the design refers to them.

Populations are given as a pandas Series indexed by the calibration column(s) (index names
must be column names), or as a DataFrame with those columns and a count column named
"Freq" (R's convention), or as a plain dict {level: count} together with `strata=`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import CalibrationStep, Design, group_codes, prepare

__all__ = [
    "kish_effective_n",
    "poststratify",
    "rake",
    "trim_weights",
]

# Margins whose population totals differ by more than this (relative) cannot all be matched.
_TOTALS_AGREE = 1e-6

Population = pd.Series | pd.DataFrame | Mapping[Any, float]


def _fresh_name(df: pd.DataFrame, base: str) -> str:
    name, k = base, 2
    while name in df.columns:
        name, k = f"{base}{k}", k + 1
    return name


def _population_table(
    population: Population, strata: str | Sequence[str] | None
) -> tuple[list[str], pd.Series]:
    """Normalise a population to (columns, Series of counts indexed by tuples of levels)."""
    columns = [strata] if isinstance(strata, str) else (list(strata) if strata else [])
    if isinstance(population, pd.DataFrame):
        if "Freq" in population.columns:
            count_col = "Freq"
        elif len(population.columns) == len(columns) + 1 and columns:
            count_col = next(c for c in population.columns if c not in columns)
        else:
            raise ParameterError(
                "a population DataFrame needs a count column named 'Freq' (as in R)"
            )
        cols = columns or [c for c in population.columns if c != count_col]
        counts = pd.Series(
            population[count_col].to_numpy(dtype=np.float64),
            index=pd.MultiIndex.from_frame(population[cols]),
        )
        return cols, counts
    if isinstance(population, pd.Series):
        names = [n for n in population.index.names if n is not None]
        cols = columns or names
        if not cols or len(cols) != population.index.nlevels:
            raise ParameterError(
                "a population Series needs its index named after the calibration column(s), "
                "or pass strata="
            )
        index = population.index
        if not isinstance(index, pd.MultiIndex):
            index = pd.MultiIndex.from_arrays([index])
        return cols, pd.Series(population.to_numpy(dtype=np.float64), index=index)
    if isinstance(population, Mapping):
        if not columns:
            raise ParameterError("a population dict needs strata= (the column(s) it counts)")
        keys = [k if isinstance(k, tuple) else (k,) for k in population]
        index = pd.MultiIndex.from_tuples(keys)
        return columns, pd.Series(list(population.values()), index=index, dtype=np.float64)
    raise ParameterError(
        f"population must be a Series, a DataFrame or a dict, not {type(population).__name__}"
    )


def _label(columns: Sequence[str], key: tuple) -> str:
    return ", ".join(
        f"{c}={v!r}" if isinstance(v, str) else f"{c}={v}"
        for c, v in zip(columns, key, strict=True)
    )


class _Cells:
    """Rows of the frame matched to the cells of one population table."""

    def __init__(self, df: pd.DataFrame, columns: list[str], counts: pd.Series, what: str):
        absent = [c for c in columns if c not in df.columns]
        if absent:
            raise DesignError(f"{what}: column not in the data", column=", ".join(absent))
        for col in columns:
            if df[col].isna().any():
                raise DesignError(
                    f"{what}: {int(df[col].isna().sum())} rows have no value; every row needs a "
                    "calibration cell",
                    column=col,
                )
        sample_keys = pd.MultiIndex.from_frame(df[columns])
        counts = counts.groupby(level=list(range(counts.index.nlevels))).sum()
        if not isinstance(counts.index, pd.MultiIndex):
            counts.index = pd.MultiIndex.from_arrays([counts.index])
        position = counts.index.get_indexer(sample_keys)
        if (position < 0).any():
            row = int(np.flatnonzero(position < 0)[0])
            raise DesignError(
                f"{what}: cell {_label(columns, sample_keys[row])} is in the sample (row {row}) "
                "but not in the population",
                column=", ".join(columns),
            )
        used = np.bincount(position, minlength=len(counts))
        empty = (used == 0) & (counts.to_numpy() > 0)
        if empty.any():
            keys = [_label(columns, counts.index[i]) for i in np.flatnonzero(empty)[:5]]
            raise DesignError(
                f"{what}: empty cell(s) {'; '.join(keys)}: population count but no sampled row; "
                "merge the cell with a neighbour",
                column=", ".join(columns),
            )
        bad = (used > 0) & (counts.to_numpy() <= 0)
        if bad.any():
            key = _label(columns, counts.index[int(np.flatnonzero(bad)[0])])
            raise DesignError(
                f"{what}: cell {key} has sampled rows but a population count <= 0",
                column=", ".join(columns),
            )
        self.columns = columns
        self.position = position
        self.targets = counts.to_numpy(dtype=np.float64)
        self.keys = counts.index
        self.what = what

    def totals(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.position, weights=weights, minlength=len(self.targets))

    def match(self, weights: np.ndarray) -> np.ndarray:
        """Weights scaled so their total in each cell equals the population count."""
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(self.targets > 0, self.targets / self.totals(weights), 0.0)
        return weights * factor[self.position]


def poststratify(
    df: pd.DataFrame,
    design: Design,
    population: Population,
    *,
    strata: str | Sequence[str] | None = None,
    weight_name: str | None = None,
) -> tuple[pd.DataFrame, Design]:
    """Post-stratify the weights to population counts. R: `postStratify(design, ~strata,
    population)`.

    Every sampled cell must be in the population and every population cell with a positive
    count must hold sampled rows (R's partial=FALSE); otherwise a `DesignError` names the
    cell. Returns (frame with the new weight column, design using it and remembering the
    post-strata so that standard errors account for the calibration).
    """
    prep = prepare(df, design)
    columns, counts = _population_table(population, strata)
    cells = _Cells(df, columns, counts, "poststratify")
    old = prep.weights
    new = cells.match(old)
    out = df.copy()
    name = weight_name or _fresh_name(df, f"{design.weight or 'weight'}_ps")
    out[name] = new
    old_col = design.weight
    if old_col is None:
        old_col = _fresh_name(out, f"{name}__before")
        out[old_col] = old
    step = CalibrationStep("poststratify", (tuple(columns),), (name,), old_col)
    return out, dataclasses.replace(design, weight=name, calibration=(*design.calibration, step))


def _margin_list(
    margins: Sequence[Population] | Mapping[Any, Population],
) -> list[tuple[list[str], pd.Series]]:
    if isinstance(margins, Mapping):
        return [
            _population_table(pop, key if isinstance(key, str) else list(key))
            for key, pop in margins.items()
        ]
    if isinstance(margins, pd.Series | pd.DataFrame):
        margins = [margins]
    return [_population_table(pop, None) for pop in margins]


def rake(
    df: pd.DataFrame,
    design: Design,
    margins: Sequence[Population] | Mapping[Any, Population],
    *,
    max_iter: int = 10,
    tol: float = 1.0,
    weight_name: str | None = None,
    on_fail: str = "warn",
) -> tuple[pd.DataFrame, Design]:
    """Rake the weights to population margins by iterative proportional fitting. R:
    `rake(design, list(~a, ~b), list(pop_a, pop_b), control=list(maxit=, epsilon=))`.

    Each sweep post-stratifies to every margin in turn. As R, the sweeps stop when the
    largest change of the weighted cross-table of all margin variables between two sweeps
    is below `tol` (absolute when `tol` >= 1, else a fraction of the total weight), or after
    `max_iter` sweeps. The defaults are R's (maxit=10, epsilon=1); pass e.g.
    `max_iter=100, tol=1e-10` for a tight fit.

    `margins`: a list of populations (Series / DataFrame, see the module docstring) or a
    dict {column or tuple of columns: population}. A margin cell with population count but
    no sampled row, or a sampled level missing from the population, is a `DesignError`
    naming the margin and cell; so are margins whose population totals differ (relative
    1e-6: raking could then only match the last one). When the sweeps do not converge, a
    warning (as R's; an error with `on_fail="raise"`) names the margin and cell furthest from its
    population count.
    """
    if on_fail not in ("raise", "warn"):
        raise ParameterError(f"on_fail={on_fail!r} must be 'raise' or 'warn'")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ParameterError(f"max_iter={max_iter!r} must be a positive integer")
    if not tol > 0:
        raise ParameterError(f"tol={tol!r} must be positive")
    prep = prepare(df, design)
    tables = _margin_list(margins)
    if not tables:
        raise ParameterError("margins is empty: give at least one population margin")
    cells = [_Cells(df, cols, counts, f"rake margin {'+'.join(cols)}") for cols, counts in tables]
    totals = {"+".join(cell.columns): cell.targets.sum() for cell in cells}
    largest = max(totals.values())
    if max(totals.values()) - min(totals.values()) > _TOTALS_AGREE * largest:
        shown = ", ".join(f"{k} {v:g}" for k, v in totals.items())
        raise DesignError(
            f"rake: the margins disagree on the population total ({shown}); raking can only "
            "match the last margin. Make every margin add up to the same total"
        )
    all_columns = list(dict.fromkeys(c for cell in cells for c in cell.columns))
    joint = group_codes(df, all_columns)
    n_joint = int(joint.max()) + 1
    weights = prep.weights.copy()
    epsilon = tol if tol >= 1 else tol * weights.sum()
    old_table = np.bincount(joint, weights=weights, minlength=n_joint)
    after_margin: list[np.ndarray] = []
    converged, sweeps, delta = False, 0, np.inf
    while sweeps < max_iter:
        after_margin = []
        for cell in cells:
            weights = cell.match(weights)
            after_margin.append(weights)
        new_table = np.bincount(joint, weights=weights, minlength=n_joint)
        delta = float(np.max(np.abs(old_table - new_table)))
        if delta < epsilon:
            converged = True
            break
        old_table = new_table
        sweeps += 1
    if not converged:
        message = _rake_diagnostic(cells, weights, max_iter, delta, epsilon)
        if on_fail == "raise":
            raise DesignError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=2)

    out = df.copy()
    name = weight_name or _fresh_name(df, f"{design.weight or 'weight'}_raked")
    out[name] = weights
    margin_columns = []
    for i, w in enumerate(after_margin[:-1], start=1):
        col = _fresh_name(out, f"{name}__margin{i}")
        out[col] = w
        margin_columns.append(col)
    margin_columns.append(name)
    step = CalibrationStep(
        "rake", tuple(tuple(cell.columns) for cell in cells), tuple(margin_columns)
    )
    return out, dataclasses.replace(design, weight=name, calibration=(*design.calibration, step))


def _rake_diagnostic(
    cells: list[_Cells], weights: np.ndarray, max_iter: int, delta: float, epsilon: float
) -> str:
    worst = None
    for cell in cells:
        gap = cell.totals(weights) - cell.targets
        i = int(np.argmax(np.abs(gap)))
        relative = abs(gap[i]) / cell.targets[i] if cell.targets[i] > 0 else np.inf
        if worst is None or relative > worst[0]:
            worst = (relative, cell, i, gap[i])
    assert worst is not None
    _, cell, i, gap = worst
    message = (
        f"raking did not converge in {max_iter} sweeps (last change {delta:.6g} >= tol "
        f"{epsilon:.6g}): margin {'+'.join(cell.columns)} cell "
        f"{_label(cell.columns, cell.keys[i])} is off its population count "
        f"{cell.targets[i]:g} by {gap:+.6g}"
    )
    return message + "; raise max_iter, or merge sparse cells of that margin"


def trim_weights(
    df: pd.DataFrame,
    design: Design,
    lower: float | None = None,
    upper: float | None = None,
    *,
    strict: bool = False,
    weight_name: str | None = None,
) -> tuple[pd.DataFrame, Design]:
    """Trim weights to [lower, upper], sharing the trimmed amount out equally among the
    untrimmed rows so the total weight is kept. R: `trimWeights(design, upper, lower,
    strict)`; with `strict=True` the trimming repeats until no weight is outside the bounds.
    The design keeps any calibration it had (as R does); the new weights are in
    `weight_name` (default "<weight>_trimmed")."""
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi:
        raise ParameterError(f"lower={lower} is above upper={upper}")
    weights = prepare(df, design).weights.copy()
    while True:
        outside = (weights < lo) | (weights > hi)
        if not outside.any():
            break
        if outside.all():
            raise DesignError(f"every weight is outside [{lower}, {upper}]; nothing to share to")
        clipped = np.clip(weights, lo, hi)
        clipped[~outside] += (weights - clipped).sum() / (~outside).sum()
        weights = clipped
        if not strict:
            break
    out = df.copy()
    name = weight_name or _fresh_name(df, f"{design.weight or 'weight'}_trimmed")
    out[name] = weights
    return out, dataclasses.replace(design, weight=name)


def kish_effective_n(
    df: pd.DataFrame, design: Design, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Kish's effective sample size (sum w)^2 / sum w^2, overall or by domain.

    Returns the `by` columns, `n` (rows), `weight_sum`, `n_effective` and
    `deff_weighting` = n / n_effective = 1 + CV(w)^2, the loss from unequal weights alone.
    """
    weights = prepare(df, design).weights
    by_cols = [by] if isinstance(by, str) else list(by or [])
    frame = pd.DataFrame({"w": weights, "w2": weights**2})
    if by_cols:
        missing = [c for c in by_cols if c not in df.columns]
        if missing:
            raise DesignError("by column not in the data", column=", ".join(missing))
        for col in by_cols:
            frame[col] = df[col].to_numpy()
        grouped = frame.groupby(by_cols, sort=True, observed=True)
        summary = grouped.agg(n=("w", "size"), weight_sum=("w", "sum"), w2=("w2", "sum"))
        summary = summary.reset_index()
    else:
        summary = pd.DataFrame(
            {"n": [len(frame)], "weight_sum": [weights.sum()], "w2": [frame["w2"].sum()]}
        )
    summary["n_effective"] = summary["weight_sum"] ** 2 / summary["w2"]
    summary["deff_weighting"] = summary["n"] / summary["n_effective"]
    return summary.drop(columns="w2")
