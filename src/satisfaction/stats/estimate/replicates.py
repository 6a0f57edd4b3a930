"""The replicate engine: domain totals in every replicate and their variance (R's `svrVar`).

For a replicate-weight design every statistic is recomputed with each replicate's weights
(R's `svymean.svyrep.design`, `svyby` on a replicate design): the engine gives the totals
of row values per domain for the full sample and for every replicate at once, and the
variance of any statistic computed from them.

Speed: replicate weights are `base * factors[index]` (see `PreparedReplicates`); the rows
are summed once into (domain, factor row) cells, and one sparse product with the factor
matrix gives every replicate's totals. With replicates built from PSUs (JKn: one per PSU)
the work after the pass over the rows is domains x PSUs x replicates, whatever the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from satisfaction.stats.estimate.domains import _Domains, _factorize, _Grouper
from satisfaction.stats.replicate import PreparedReplicates

__all__ = [
    "DomainMeans",
    "combination_replicates",
    "domain_means",
    "replicate_covariance",
    "replicate_variance",
]


class _ReplicateEngine:
    """Full-sample and replicate totals for every domain, and replicate variances."""

    def __init__(self, df: pd.DataFrame, prep: PreparedReplicates, domains: _Domains) -> None:
        self.prep = prep
        self.domains = domains
        codes = domains.codes
        self.in_domain = codes >= 0
        self.positive = prep.weights > 0
        self.has_zero_weights = not self.positive.all()
        n_factor_rows = prep.factors.shape[0]
        rows = np.flatnonzero(self.in_domain)
        keys = codes[rows] * n_factor_rows + prep.index[rows]
        present, cell = _factorize(keys, domains.count * n_factor_rows)
        row_cell = np.full(len(codes), -1, dtype=np.int64)
        row_cell[rows] = cell
        self.to_cell = _Grouper(row_cell, len(present))
        self.cell_domain = present // n_factor_rows
        self.cell_row = present % n_factor_rows
        self.to_domain = _Grouper(codes, domains.count)

    # ---- totals -------------------------------------------------------------------------
    def to_domain_sum(self, values: np.ndarray) -> np.ndarray:
        """Sums of row values (one column or rows x columns) over domains."""
        return self.to_domain.sum(values)

    def totals(self, values: Sequence[np.ndarray]) -> np.ndarray:
        """Totals of row values per domain: (domains, len(values), 1 + replicates); index 0
        of the last axis is the full sample (analysis weights), then each replicate."""
        prep, d_count = self.prep, self.domains.count
        full = np.column_stack([self.to_domain.sum(prep.weights * v) for v in values])
        cells = np.column_stack([self.to_cell.sum(prep.base * v) for v in values])
        width = len(values)
        rows = (np.arange(width)[None, :] * d_count + self.cell_domain[:, None]).ravel()
        cols = np.repeat(self.cell_row, width)
        spread = sparse.csr_matrix(
            (cells.ravel(), (rows, cols)), shape=(width * d_count, prep.factors.shape[0])
        )
        replicate = np.asarray(spread @ prep.factors).reshape(width, d_count, -1)
        return np.concatenate([full.T[:, :, None], replicate], axis=2).transpose(1, 0, 2)

    # ---- variance -----------------------------------------------------------------------
    def variance(self, thetas: np.ndarray) -> np.ndarray:
        """Variance of statistics given in every replicate: thetas (..., 1 + replicates)."""
        return replicate_variance(self.prep, thetas)

    def covariance(self, thetas: np.ndarray) -> np.ndarray:
        """Covariance matrices (domains, k, k) of k statistics: thetas (domains, k, 1 + R)."""
        return replicate_covariance(self.prep, thetas)

    # ---- degrees of freedom ---------------------------------------------------------------
    def domain_df(self, valid: np.ndarray | None = None) -> np.ndarray:
        """R's degf of each domain: rank of its replicate weights minus one, over the
        domain's rows ("rows") or the rows in `valid` ("answered"); the design's `df` when
        given."""
        d_count = self.domains.count
        if self.prep.df is not None:
            return np.full(d_count, float(self.prep.df))
        rows = self.in_domain & self.positive
        if valid is not None and self.prep.design.domain_df == "answered":
            rows = rows & valid
        in_cell = self.to_cell.sum(rows.astype(np.float64)) > 0
        bounds = np.searchsorted(self.cell_domain, np.arange(d_count + 1))
        out = np.empty(d_count)
        for d in range(d_count):
            cells = slice(bounds[d], bounds[d + 1])
            out[d] = self.prep.rank_df(self.cell_row[cells][in_cell[cells]])
        return out


def _deviations(prep: PreparedReplicates, thetas: np.ndarray) -> np.ndarray:
    """theta_r minus the centre (R's svrVar), 0 where a replicate has no estimate."""
    full, reps = thetas[..., 0], thetas[..., 1:]
    finite = np.isfinite(reps)
    if prep.mse:
        centre = full
    else:
        use = finite & (prep.rscales > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = np.where(use, reps, 0.0).sum(axis=-1) / use.sum(axis=-1)
    return np.where(finite, reps - centre[..., None], 0.0)


def replicate_variance(prep: PreparedReplicates, thetas: np.ndarray) -> np.ndarray:
    """R's svrVar of statistics given in the full sample and every replicate (last axis:
    1 + replicates): scale * sum_r rscales_r (theta_r - centre)^2, replicates without an
    estimate left out."""
    dev = _deviations(prep, thetas)
    var = prep.scale * (dev**2 * prep.rscales).sum(axis=-1)
    return np.where(np.isfinite(thetas[..., 0]), var, np.nan)


def replicate_covariance(prep: PreparedReplicates, thetas: np.ndarray) -> np.ndarray:
    """R's svrVar covariance of k statistics: thetas (..., k, 1 + replicates) -> (..., k, k)."""
    dev = _deviations(prep, thetas) * np.sqrt(prep.rscales)
    return prep.scale * np.einsum("...kr,...lr->...kl", dev, dev)


def combination_replicates(
    df: pd.DataFrame,
    prep: PreparedReplicates,
    terms: Mapping[str, float],
    codes: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """sum_k a_k mean(y_k) per group (each mean over its own answered rows) in the full
    sample and every replicate: (groups, 1 + replicates); with each group's df (R's degf of
    its rows), n (rows answering any term, positive weight) and N (their weights).

    R: `svycontrast(svymean(...), a)` on a replicate design, whose variance is that of the
    recomputed combination (`replicate_variance`)."""
    domains = _Domains(
        np.asarray(codes, dtype=np.int64), n_groups, pd.DataFrame(index=range(n_groups))
    )
    engine = _ReplicateEngine(df, prep, domains)
    theta = np.zeros((n_groups, 1 + prep.n_replicates))
    answered = np.zeros(len(df), dtype=bool)
    for variable, coefficient in terms.items():
        y = pd.to_numeric(df[variable], errors="coerce").to_numpy(dtype=np.float64)
        valid = ~np.isnan(y) & engine.in_domain
        totals = engine.totals([np.where(valid, y, 0.0), valid.astype(np.float64)])
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = theta + coefficient * totals[:, 0] / totals[:, 1]
        answered |= valid
    n = engine.to_domain_sum((answered & engine.positive).astype(np.float64))
    weight_sum = engine.to_domain_sum(prep.weights * answered)
    return theta, engine.domain_df(answered), n, weight_sum


@dataclass(frozen=True, eq=False)
class DomainMeans:
    """Means of several variables per domain, each over its own answered rows, in the full
    sample and every replicate: `means` is (domains, variables, 1 + replicates); `valid`
    (rows, variables) marks the rows answering each variable inside a domain."""

    means: np.ndarray
    valid: np.ndarray
    _engine: _ReplicateEngine

    def df(self, answered: np.ndarray | None = None) -> np.ndarray:
        """R's degf of each domain (of the `answered` rows when the design's domain_df rule
        is "answered")."""
        return self._engine.domain_df(answered)

    def n(self, answered: np.ndarray) -> np.ndarray:
        """Rows of each domain among `answered` with a positive weight."""
        return self._engine.to_domain_sum((answered & self._engine.positive).astype(np.float64))


def domain_means(
    df: pd.DataFrame,
    prep: PreparedReplicates,
    variables: Sequence[str],
    codes: np.ndarray,
    n_groups: int,
) -> DomainMeans:
    """The mean of each variable per group (codes 0..n_groups-1, -1 outside every group) in
    the full sample and every replicate, in one pass: the inputs of any statistic that is
    recomputed on every replicate (R's `withReplicates`). A group without answers to a
    variable in a replicate has a missing mean there."""
    domains = _Domains(
        np.asarray(codes, dtype=np.int64), n_groups, pd.DataFrame(index=range(n_groups))
    )
    engine = _ReplicateEngine(df, prep, domains)
    values, valid = [], np.zeros((len(df), len(variables)), dtype=bool)
    for j, variable in enumerate(variables):
        y = pd.to_numeric(df[variable], errors="coerce").to_numpy(dtype=np.float64)
        valid[:, j] = ~np.isnan(y) & engine.in_domain
        values += [np.where(valid[:, j], y, 0.0), valid[:, j].astype(np.float64)]
    totals = engine.totals(values) if values else np.zeros((n_groups, 0, 1 + prep.n_replicates))
    with np.errstate(divide="ignore", invalid="ignore"):
        means = totals[:, 0::2] / totals[:, 1::2]
    return DomainMeans(means, valid, engine)
