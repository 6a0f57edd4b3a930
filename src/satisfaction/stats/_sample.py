"""Complete cases of a model and the survey design they sit in (private to the model code).

Shared by `satisfaction.stats.ordinal` (the sandwich of the ordinal logit) and
`satisfaction.stats.drivers` (the correlations' linearised SE): weights rescaled to mean 1,
PSU and stratum codes, and the between-PSU variance of weighted score totals (R survey's
``svyrecvar`` for a with-replacement design without fpc).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import DesignError, InputError, ParameterError
from satisfaction.stats._columns import numeric_matrix, weights

__all__: list[str] = []


def _linearised_variance(
    scores: np.ndarray, clusters: np.ndarray | None, strata: np.ndarray | None
) -> np.ndarray:
    """Between-PSU variance of score totals, centred within strata, times n_h / (n_h - 1).

    `scores` is n x p (already weighted), `clusters` and `strata` integer codes 0..k-1 (or
    None: each form its own PSU / one stratum); the result is p x p. This is R survey's
    ``svyrecvar`` for a with-replacement design without fpc.
    """
    n = scores.shape[0]
    cluster_ids = np.arange(n) if clusters is None else clusters
    stratum_of_row = np.zeros(n, dtype=int) if strata is None else strata
    totals = np.zeros((cluster_ids.max() + 1, scores.shape[1]))
    np.add.at(totals, cluster_ids, scores)
    stratum_of_cluster = np.full(totals.shape[0], -1)
    stratum_of_cluster[cluster_ids] = stratum_of_row
    clash = stratum_of_cluster[cluster_ids] != stratum_of_row
    if clash.any():
        raise DesignError("a PSU lies in more than one stratum: PSUs must nest in strata")
    grand_mean = totals.mean(axis=0)
    meat = np.zeros((scores.shape[1], scores.shape[1]))
    for h in np.unique(stratum_of_cluster):
        block = totals[stratum_of_cluster == h]
        if len(block) == 1:  # lonely PSU: centre on the grand mean ("adjust")
            centred = block - grand_mean
            meat += centred.T @ centred
            continue
        centred = block - block.mean(axis=0)
        meat += len(block) / (len(block) - 1) * (centred.T @ centred)
    return meat


def _column_or_none(df: pd.DataFrame, column: str | None, what: str) -> np.ndarray | None:
    if column is None:
        return None
    if column not in df.columns:
        raise InputError(f"{what} column not in the data", column=column)
    return df[column].to_numpy()


@dataclass(frozen=True)
class _Design:
    """Weights and PSU / stratum codes of the forms with a positive weight (the design)."""

    w: np.ndarray  # every form; NaN or 0 outside the design
    in_design: np.ndarray
    clusters: np.ndarray | None  # integer codes over the design's forms
    strata: np.ndarray | None

    def sample(self, y: np.ndarray, x: np.ndarray) -> _Sample:
        complete = np.isfinite(y) & np.isfinite(x).all(axis=1)
        keep = self.in_design & complete
        w = self.w[keep]
        if len(w):
            w = w / w.mean()
        return _Sample(y=y[keep], x=x[keep], w=w, complete=complete[self.in_design], design=self)


def _design_of(
    df: pd.DataFrame, weight: str | None, cluster: str | None, strata: str | None
) -> _Design:
    w = weights(df, weight)
    in_design = np.isfinite(w) & (w > 0)
    codes = []
    for column, what in ((cluster, "PSU (cluster)"), (strata, "strata")):
        values = _column_or_none(df, column, what)
        if values is None:
            codes.append(None)
            continue
        values = values[in_design]
        if pd.isna(values).any():
            count = int(pd.isna(values).sum())
            raise DesignError(f"{count} form(s) with a weight but no value", column=column)
        codes.append(pd.factorize(values)[0])
    return _Design(w=w, in_design=in_design, clusters=codes[0], strata=codes[1])


@dataclass(frozen=True)
class _Sample:
    """Complete cases of a model, and the design they sit in.

    `y`, `x`, `w` (weights rescaled to mean 1) hold the complete forms; `complete` runs
    over the design's forms, so a PSU without any complete form still counts as a PSU with
    a zero score total -- R survey's convention for a subset (``svyolr`` drops incomplete
    forms with ``design[-nao, ]``), and the design-based one: the domain of complete forms
    is random.
    """

    y: np.ndarray
    x: np.ndarray
    w: np.ndarray
    complete: np.ndarray
    design: _Design

    def variance(self, scores: np.ndarray) -> np.ndarray:
        """Linearisation variance of weighted per-form scores (complete forms x p)."""
        full = np.zeros((len(self.complete), scores.shape[1]))
        full[self.complete] = scores
        return _linearised_variance(full, self.design.clusters, self.design.strata)

    @property
    def n_clusters(self) -> int:
        if self.design.clusters is None:
            return len(self.complete)
        return int(self.design.clusters.max(initial=-1) + 1)


def _check_model(outcome: str, predictors: Sequence[str]) -> None:
    if isinstance(predictors, str):
        raise ParameterError(f"predictors must be a list of columns, got {predictors!r}")
    if not predictors:
        raise ParameterError("predictors: none given")
    if outcome in predictors:
        raise ParameterError(f"the outcome {outcome!r} is also a predictor")


def _prepare(
    df: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    weight: str | None,
    cluster: str | None,
    strata: str | None,
) -> _Sample:
    """Complete cases of `outcome` and `predictors` within the design."""
    _check_model(outcome, predictors)
    y = numeric_matrix(df, [outcome])[:, 0]
    x = numeric_matrix(df, predictors)
    return _design_of(df, weight, cluster, strata).sample(y, x)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = w @ x / w.sum()
    return np.sqrt(w @ (x - mean) ** 2 / w.sum())
