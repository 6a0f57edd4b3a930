"""PAPI-style composites on replicate weights: the whole composite recomputed on every replicate.

Why: a composite with an indicator rescaled over the provinces (``rescale: provinces``:
min-max over the provinces' means, `io.papi_instrument`) is not linear in the indicator
means -- the min and the max are estimates too, and which province holds them can change
-- so linearisation does not apply. Recomputing everything on every replicate (each
province's indicator means, the min and max across provinces, the rescaled scores, the
sums up to the total, the all-province value) gives its variance, R's
``withReplicates(svrepdesign, theta)`` with ``theta`` computing every composite. A linear
composite on a replicate design is recomputed the same way, which is R's ``svycontrast``
of ``svytotal(..., return.replicates = TRUE)`` (tests/r/papi_replicate_goldens.R).

The replicate weights are the design's own (supplied columns, `ReplicateDesign`) or built
from the Taylor design's strata and PSUs by `satisfaction.make_replicate_weights`
(`variance_design`: the instrument's ``replicate_method``, or R's ``as.svrepdesign``
default -- JKn for a stratified design, JK1 otherwise -- when a composite is nonlinear).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.papi_instrument import PapiInstrument
from satisfaction.stats.design import Design
from satisfaction.stats.estimate import domain_means, replicate_covariance, replicate_variance
from satisfaction.stats.replicate import (
    PreparedReplicates,
    ReplicateDesign,
    make_replicate_weights,
    prepare_replicates,
)

if TYPE_CHECKING:  # papi_composites imports this module
    from satisfaction.studies.papi_composites import Composite

__all__ = [
    "ReplicatedComposites",
    "replicate_composites",
    "variance_design",
    "variance_method",
]

REPLICATE_SEED = 20250701  # a built bootstrap is seeded: same data, same SEs


def variance_design(
    frame: pd.DataFrame, design: Design | ReplicateDesign, instrument: PapiInstrument
) -> Design | ReplicateDesign:
    """The design whose variance the composites use.

    A `ReplicateDesign` as given. A Taylor design as given when every composite is linear
    and the instrument declares no ``replicate_method``; otherwise replicate weights built
    from it with `make_replicate_weights` (compressed: PSU factors, never an n x R matrix):
    the declared method, or for ``auto`` / a nonlinear composite R's ``as.svrepdesign``
    default (JKn when the design has strata, JK1 otherwise).
    """
    if isinstance(design, ReplicateDesign):
        return design
    method = instrument.replicate_method
    if method is None and not instrument.nonlinear:
        return design
    if method in (None, "auto"):
        method = "JKn" if design.strata else "JK1"
    seed = REPLICATE_SEED if method == "bootstrap" else None
    _, built = make_replicate_weights(frame, design, method, seed=seed)
    return built


def variance_method(frame: pd.DataFrame, design: Design | ReplicateDesign) -> dict:
    """How the SEs are made, for the method notes: ``{"method": "linearisation"}`` or
    ``{"method": "replicate", "replicate_method": "JKn", "replicates": 120, "built": True}``
    (built: made from the design's PSUs; else delivered as columns with the data)."""
    if not isinstance(design, ReplicateDesign):
        return {"method": "linearisation"}
    prep = prepare_replicates(frame, design)
    return {
        "method": "replicate",
        "replicate_method": design.method,
        "replicates": int(prep.n_replicates),
        "built": design.source is not None,
    }


@dataclass(frozen=True, eq=False)
class ReplicatedComposites:
    """Composites of every province in the full sample and every replicate.

    ``values`` (provinces, composites, 1 + replicates), ``overall`` (composites,
    1 + replicates: the value over every respondent), ``n`` and ``df`` (provinces,
    composites): respondents answering any of the composite's indicators (positive weight)
    and R's degf of the province.
    """

    prep: PreparedReplicates
    values: np.ndarray
    overall: np.ndarray
    n: np.ndarray
    df: np.ndarray

    def se(self) -> np.ndarray:
        """(provinces, composites): R's svrVar of each composite."""
        return np.sqrt(replicate_variance(self.prep, self.values))

    def covariance(self, composite: int) -> np.ndarray:
        """(provinces, provinces): the joint covariance of one composite across provinces."""
        return replicate_covariance(self.prep, self.values[None, :, composite, :])[0]

    def difference_se(self, composite: int) -> np.ndarray:
        """(provinces,): SE of each province's composite minus the all-province value, the
        difference recomputed on every replicate."""
        difference = self.values[:, composite, :] - self.overall[None, composite, :]
        return np.sqrt(replicate_variance(self.prep, difference))

    def design_df(self) -> int:
        """R's degf of the whole design (the df of a comparison with all provinces)."""
        prep = self.prep
        return prep.df if prep.df is not None else prep.rank_df(prep.index[prep.weights > 0])


def _evaluate(
    parts: Sequence[Composite],
    columns: dict[str, int],
    means: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    """Composite values from indicator means (groups, indicators, 1 + R) and the provinces'
    min and max of each mean (indicators, 1 + R): (groups, composites, 1 + R)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = (means - low[None]) / (high - low)[None]
    out = np.empty((means.shape[0], len(parts), means.shape[2]))
    for c, part in enumerate(parts):
        value = np.full((means.shape[0], means.shape[2]), part.constant)
        for variable, coefficient in part.terms.items():
            value = value + coefficient * means[:, columns[variable]]
        for variable, coefficient in part.relative.items():
            value = value + coefficient * relative[:, columns[variable]]
        out[:, c] = value
    return out


def replicate_composites(
    frame: pd.DataFrame,
    design: ReplicateDesign,
    parts: Sequence[Composite],
    codes: np.ndarray,
    k: int,
) -> ReplicatedComposites:
    """Every composite of every province (codes 0..k-1) and over all respondents, in the
    full sample and every replicate (module docstring)."""
    if k < 2 and any(part.relative for part in parts):
        raise ParameterError(
            "an indicator rescaled over the provinces (rescale: provinces) needs two "
            "provinces or more: with one, its min and max are the same value",
            key="rescale",
        )
    prep = prepare_replicates(frame, design)
    variables = list(dict.fromkeys(v for part in parts for v in part.variables))
    columns = {v: j for j, v in enumerate(variables)}
    provinces = domain_means(frame, prep, variables, codes, k)
    everyone = domain_means(frame, prep, variables, np.where(codes >= 0, 0, -1), 1)
    low = np.fmin.reduce(provinces.means, axis=0)  # missing means left out
    high = np.fmax.reduce(provinces.means, axis=0)
    values = _evaluate(parts, columns, provinces.means, low, high)
    overall = _evaluate(parts, columns, everyone.means, low, high)[0]
    n = np.empty((k, len(parts)))
    df = np.empty((k, len(parts)))
    by_rows = None if design.domain_df == "answered" else provinces.df()
    for c, part in enumerate(parts):
        answered = provinces.valid[:, [columns[v] for v in part.variables]].any(axis=1)
        n[:, c] = provinces.n(answered)
        df[:, c] = provinces.df(answered) if by_rows is None else by_rows
    return ReplicatedComposites(prep, values, overall, n, df)
