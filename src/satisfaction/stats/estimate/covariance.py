"""The joint covariance of several estimated totals: R's ``vcov(svytotal(~a + b, design))``.

Why: a statistic built from several estimates at once (ranks of all provinces, the chance
that a province is in a quartile group) needs their joint uncertainty, not each SE alone.
Give each estimate as a column of linearised values (zero outside its domain) and the
covariance of their weighted totals is the covariance of the estimates; the same engine as
`total` computes it, so strata, clusters, fpc, two stages and calibration are honoured.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.stats.design import Design, prepare
from satisfaction.stats.estimate.domains import _check_columns, _make_domains
from satisfaction.stats.estimate.engine import _Engine
from satisfaction.stats.estimate.estimators import _numeric_column
from satisfaction.stats.estimate.replicates import _ReplicateEngine, replicate_covariance
from satisfaction.stats.replicate import ReplicateDesign, prepare_replicates

__all__ = ["total_covariance"]


def total_covariance(
    df: pd.DataFrame, design: Design | ReplicateDesign, variables: Sequence[str]
) -> pd.DataFrame:
    """Covariance matrix of the weighted totals of ``variables`` over the whole sample.

    R: ``vcov(svytotal(~v1 + v2 + ..., design))``. Missing values count as 0 (a column of
    linearised values is 0 outside its domain); the result is a square frame indexed and
    labelled by the variable names. Its diagonal equals ``total(...)["se"] ** 2``. On a
    replicate design the totals are recomputed in every replicate (R's svrVar).
    """
    names = list(variables)
    if not names:
        raise ParameterError("variables is empty: name at least one column")
    _check_columns(df, names, "variable")
    if isinstance(design, ReplicateDesign):
        replicated = prepare_replicates(df, design)
        engine_r = _ReplicateEngine(df, replicated, _make_domains(df, []))
        totals = engine_r.totals([np.nan_to_num(_numeric_column(df, n)) for n in names])
        cov_r = replicate_covariance(replicated, totals)[0]
        return pd.DataFrame(cov_r, index=names, columns=names)
    prep = prepare(df, design)
    engine = _Engine(df, prep, _make_domains(df, []))
    w = prep.weights
    reduced = []
    for name in names:
        values = np.nan_to_num(_numeric_column(df, name))
        reduced.append(engine.reduce([w * values, w]))
    sums = engine.collect(reduced)
    k = len(names)
    coefs = np.stack([np.ones((1, k)), np.zeros((1, k))])
    cov = engine.covariance(coefs, sums)[0]
    return pd.DataFrame(cov, index=names, columns=names)
