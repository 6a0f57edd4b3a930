"""Complete cases of a model and the survey design they sit in (private to the model code).

Shared by `satisfaction.stats.ordinal` (the sandwich of the ordinal logit),
`satisfaction.stats.correlation` and `satisfaction.stats.drivers`: the design's analysis
weights (rescaled to mean 1 over the complete cases), and the linearisation variance of
weighted score totals through the estimators' engine (R's ``svyrecvar``: strata, clusters,
fpc, both stages, the design's lonely-PSU rule and calibration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.stats._columns import numeric_matrix
from satisfaction.stats.design import Design, PreparedDesign, prepare
from satisfaction.stats.estimate.engine import domain_df, score_covariance
from satisfaction.stats.estimate.replicates import replicate_covariance
from satisfaction.stats.replicate import PreparedReplicates, ReplicateDesign, prepare_replicates

__all__: list[str] = []


@dataclass(frozen=True, eq=False)
class _ModelDesign:
    """A design checked against the whole frame, and the rows of the model's domain."""

    df: pd.DataFrame
    prep: PreparedDesign | PreparedReplicates
    in_design: np.ndarray  # rows of the domain (`where`) with a positive weight

    def sample(self, y: np.ndarray, x: np.ndarray) -> _Sample:
        complete = np.isfinite(y) & np.isfinite(x).all(axis=1) & self.in_design
        w = self.prep.weights[complete]
        if len(w):
            w = w / w.mean()
        return _Sample(y=y[complete], x=x[complete], w=w, complete=complete, design=self)


def _model_design(
    df: pd.DataFrame,
    design: Design | ReplicateDesign | None,
    where: np.ndarray | pd.Series | None = None,
    *,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
) -> _ModelDesign:
    """The design a model sits in: `design`, or the shorthand of weight / cluster (PSU) /
    strata columns (with replacement, lonely PSUs "adjust"); `where` marks the domain (R's
    `subset(design, ...)`: the other rows' PSUs still count in their strata)."""
    if design is None:
        design = Design(weight=weight, psu=cluster, strata=strata, lonely_psu="adjust")
    elif any(v is not None for v in (weight, cluster, strata)):
        raise ParameterError("give either design= or weight= / cluster= / strata=, not both")
    if isinstance(design, ReplicateDesign):
        prep: PreparedDesign | PreparedReplicates = prepare_replicates(df, design)
    elif isinstance(design, Design):
        prep = prepare(df, design)
    else:
        raise ParameterError(f"design must be a satisfaction.Design, got {type(design).__name__}")
    rows = np.ones(len(df), dtype=bool)
    if where is not None:
        rows = np.asarray(where, dtype=bool)
        if rows.shape != (len(df),):
            raise ParameterError(f"where must hold one True/False per row ({len(df)})")
    return _ModelDesign(df=df, prep=prep, in_design=rows & (prep.weights > 0))


@dataclass(frozen=True)
class _Sample:
    """Complete cases of a model, and the design they sit in.

    `y`, `x`, `w` (weights rescaled to mean 1) hold the complete forms; `complete` runs over
    every row of the frame, so a PSU without any complete form still counts as a PSU with a
    zero score total -- R survey's convention for a subset (``svyolr`` drops incomplete
    forms with ``design[-nao, ]``), and the design-based one: the domain of complete forms
    is random.
    """

    y: np.ndarray
    x: np.ndarray
    w: np.ndarray
    complete: np.ndarray
    design: _ModelDesign

    @property
    def replicated(self) -> bool:
        return isinstance(self.design.prep, PreparedReplicates)

    def variance(self, scores: np.ndarray) -> np.ndarray:
        """Linearisation variance of weighted per-form scores (complete forms x p)."""
        prep = self.design.prep
        assert isinstance(prep, PreparedDesign), "a replicate design recomputes, not linearises"
        full = np.zeros((len(self.complete), scores.shape[1]))
        full[self.complete] = scores
        return score_covariance(self.design.df, prep, full, self.complete)

    def replicate_weights(self) -> np.ndarray:
        """Each replicate's weights of the complete forms (forms x R), on the scale of `w`."""
        prep = self.design.prep
        assert isinstance(prep, PreparedReplicates)
        return prep.replicate_weights(self.complete) / prep.weights[self.complete].mean()

    def replicate_covariance(self, estimates: np.ndarray) -> np.ndarray:
        """R's svrVar covariance of p statistics estimated in the full sample and in every
        replicate (estimates: 1 + R rows, p columns)."""
        prep = self.design.prep
        assert isinstance(prep, PreparedReplicates)
        return replicate_covariance(prep, estimates.T)

    @property
    def n_clusters(self) -> int:
        prep = self.design.prep
        units = prep.index if isinstance(prep, PreparedReplicates) else prep.psu
        return len(np.unique(units[self.design.in_design]))

    @property
    def df(self) -> int:
        """Design df of the complete forms (R's `degf(design[-nao, ])`)."""
        prep = self.design.prep
        if isinstance(prep, PreparedReplicates):
            return prep.df if prep.df is not None else prep.rank_df(prep.index[self.complete])
        return domain_df(prep, self.complete)


def _check_model(outcome: str, predictors: Sequence[str]) -> None:
    if isinstance(predictors, str):
        raise ParameterError(f"predictors must be a list of columns, got {predictors!r}")
    if not predictors:
        raise ParameterError("predictors: none given")
    if outcome in predictors:
        raise ParameterError(f"the outcome {outcome!r} is also a predictor")


def _prepare(model: _ModelDesign, outcome: str, predictors: Sequence[str]) -> _Sample:
    """Complete cases of `outcome` and `predictors` within the model's design."""
    _check_model(outcome, predictors)
    y = numeric_matrix(model.df, [outcome])[:, 0]
    x = numeric_matrix(model.df, predictors)
    return model.sample(y, x)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = w @ x / w.sum()
    return np.sqrt(w @ (x - mean) ** 2 / w.sum())
