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
from scipy import sparse

from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import CalibrationStep, Design, group_codes, prepare
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.replicate import (
    PreparedReplicates,
    ReplicateDesign,
    prepare_replicates,
    with_replicate_weights,
)

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
        """Weights scaled so their total in each cell equals the population count; a matrix
        (rows x replicates) has each column scaled (a cell without weight stays at 0)."""
        if weights.ndim == 2:
            n_cells = len(self.targets)
            indicator = sparse.csr_matrix(
                (np.ones(len(weights)), (self.position, np.arange(len(weights)))),
                shape=(n_cells, len(weights)),
            )
            totals = np.asarray(indicator @ weights)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(totals > 0, self.targets[:, None] / totals, 0.0)
            return weights * factor[self.position]
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(self.targets > 0, self.targets / self.totals(weights), 0.0)
        return weights * factor[self.position]


def poststratify(
    df: pd.DataFrame,
    design: Design | ReplicateDesign,
    population: Population,
    *,
    strata: str | Sequence[str] | None = None,
    weight_name: str | None = None,
) -> tuple[pd.DataFrame, Design | ReplicateDesign]:
    """Post-stratify the weights to population counts. R: `postStratify(design, ~strata,
    population)`.

    Every sampled cell must be in the population and every population cell with a positive
    count must hold sampled rows (R's partial=FALSE); otherwise a `DesignError` names the
    cell. Returns (frame with the new weight column, design using it and remembering the
    post-strata so that standard errors account for the calibration). A `ReplicateDesign`
    has every replicate post-stratified too (R's `postStratify` of a svyrep.design).
    """
    columns, counts = _population_table(population, strata)
    cells = _Cells(df, columns, counts, "poststratify")
    if isinstance(design, ReplicateDesign):
        replicated = prepare_replicates(df, design)
        new = cells.match(replicated.weights)
        matrix = cells.match(replicated.replicate_weights())
        base = design.weight or "weight"
        return _replicate_result(df, design, replicated, new, matrix, weight_name, f"{base}_ps")
    prep = prepare(df, design)
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
    design: Design | ReplicateDesign,
    margins: Sequence[Population] | Mapping[Any, Population],
    *,
    max_iter: int = 10,
    tol: float = 1.0,
    weight_name: str | None = None,
    on_fail: str = "warn",
) -> tuple[pd.DataFrame, Design | ReplicateDesign]:
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
    warning (as R's; an error with `on_fail="raise"`) names the margin and cell furthest
    from its population count. A `ReplicateDesign` has every replicate raked with as many
    sweeps as the full sample took (R's `rake` of a svyrep.design).
    """
    if on_fail not in ("raise", "warn"):
        raise ParameterError(f"on_fail={on_fail!r} must be 'raise' or 'warn'")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ParameterError(f"max_iter={max_iter!r} must be a positive integer")
    if not tol > 0:
        raise ParameterError(f"tol={tol!r} must be positive")
    weights = analysis_weights(df, design)
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
    epsilon = tol if tol >= 1 else tol * weights.sum()
    weights, after_margin, converged, delta, done = _ipf(
        cells, weights.copy(), group_codes(df, all_columns), epsilon, max_iter
    )
    if not converged:
        message = _rake_diagnostic(cells, weights, max_iter, delta, epsilon)
        if on_fail == "raise":
            raise DesignError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    if isinstance(design, ReplicateDesign):
        replicated = prepare_replicates(df, design)
        matrix = replicated.replicate_weights()
        for _ in range(done):
            for cell in cells:
                matrix = cell.match(matrix)
        base = design.weight or "weight"
        return _replicate_result(
            df, design, replicated, weights, matrix, weight_name, f"{base}_raked"
        )

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


def _ipf(
    cells: list[_Cells], weights: np.ndarray, joint: np.ndarray, epsilon: float, max_iter: int
) -> tuple[np.ndarray, list[np.ndarray], bool, float, int]:
    """Iterative proportional fitting as R's rake(): the weights, the weights after each
    margin of the last sweep, whether the joint table moved less than `epsilon`, the last
    change and the number of sweeps made."""
    n_joint = int(joint.max()) + 1
    old_table = np.bincount(joint, weights=weights, minlength=n_joint)
    after_margin: list[np.ndarray] = []
    delta, done = np.inf, 0
    while done < max_iter:
        after_margin = []
        for cell in cells:
            weights = cell.match(weights)
            after_margin.append(weights)
        done += 1
        new_table = np.bincount(joint, weights=weights, minlength=n_joint)
        delta = float(np.max(np.abs(old_table - new_table)))
        if delta < epsilon:
            return weights, after_margin, True, delta, done
        old_table = new_table
    return weights, after_margin, False, delta, done


def _replicate_result(
    df: pd.DataFrame,
    design: ReplicateDesign,
    replicated: PreparedReplicates,
    weights: np.ndarray,
    matrix: np.ndarray,
    weight_name: str | None,
    default: str,
) -> tuple[pd.DataFrame, ReplicateDesign]:
    """The frame with the new full-sample and replicate weight columns (`<name>__r1`, ...)
    and the replicate design reading them, its variance constants kept."""
    name = weight_name or _fresh_name(df, default)
    names = [f"{name}__r{r + 1}" for r in range(matrix.shape[1])]
    added = pd.DataFrame(matrix, columns=names, index=df.index)
    added.insert(0, name, weights)
    out = pd.concat(
        [df.drop(columns=[c for c in added.columns if c in df.columns]), added], axis=1
    )
    new = with_replicate_weights(design, name, tuple(names))
    constants = {"scale": replicated.scale, "rscales": tuple(replicated.rscales)}
    return out, dataclasses.replace(new, **constants)


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
    design: Design | ReplicateDesign,
    lower: float | None = None,
    upper: float | None = None,
    *,
    strict: bool = False,
    weight_name: str | None = None,
) -> tuple[pd.DataFrame, Design | ReplicateDesign]:
    """Trim weights to [lower, upper], sharing the trimmed amount out equally among the
    untrimmed rows so the total weight is kept. R: `trimWeights(design, upper, lower,
    strict)`; with `strict=True` the trimming repeats until no weight is outside the bounds.
    The design keeps any calibration it had (as R does); the new weights are in
    `weight_name` (default "<weight>_trimmed"). A `ReplicateDesign` has every replicate
    trimmed to the same bounds, each sharing out its own trimmed amount (R 4.1's
    trimWeights of a svyrep.design leaves the full-sample weights untrimmed)."""
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi:
        raise ParameterError(f"lower={lower} is above upper={upper}")
    weights = _trim(analysis_weights(df, design).copy(), lo, hi, strict)
    name = weight_name or _fresh_name(df, f"{design.weight or 'weight'}_trimmed")
    if isinstance(design, ReplicateDesign):
        replicated = prepare_replicates(df, design)
        matrix = _trim(replicated.replicate_weights(), lo, hi, strict)
        return _replicate_result(df, design, replicated, weights, matrix, name, name)
    out = df.copy()
    out[name] = weights
    return out, dataclasses.replace(design, weight=name)


def _trim(weights: np.ndarray, lo: float, hi: float, strict: bool) -> np.ndarray:
    """Clip to [lo, hi] and share the clipped amount among the others (per column)."""
    while True:
        outside = (weights < lo) | (weights > hi)
        if not outside.any():
            return weights
        if outside.all(axis=0).any():
            raise DesignError(f"every weight is outside [{lo:g}, {hi:g}]; nothing to share to")
        clipped = np.clip(weights, lo, hi)
        share = (weights - clipped).sum(axis=0) / (~outside).sum(axis=0)
        weights = np.where(outside, clipped, clipped + share)
        if not strict:
            return weights


def kish_effective_n(
    df: pd.DataFrame, design: Design, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Kish's effective sample size (sum w)^2 / sum w^2, overall or by domain.

    Returns the `by` columns, `n` (rows), `weight_sum`, `n_effective` and
    `deff_weighting` = n / n_effective = 1 + CV(w)^2, the loss from unequal weights alone.
    """
    weights = analysis_weights(df, design)
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
