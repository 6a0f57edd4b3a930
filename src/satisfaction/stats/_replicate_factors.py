"""Replicate factors built from a design's PSUs (private to `satisfaction.stats.replicate`).

Each builder returns a `_Factors`: a (PSUs x replicates) matrix whose entry is the factor the
replicate applies to the weights of a PSU's rows (R's compressed `repweights`), with the
variance constants `scale` and `rscales`. PSU p is the p-th PSU of `PreparedDesign` (PSUs
numbered stratum by stratum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import hadamard

from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import PreparedDesign

__all__: list[str] = []

# R's onestrat(): a stratum whose finite population correction is below this is taken whole.
_SELF_REPRESENTING = 1e-7


@dataclass(frozen=True)
class _Factors:
    factors: np.ndarray  # (PSUs, replicates)
    scale: float
    rscales: np.ndarray  # (replicates,)


def _jk1(prep: PreparedDesign) -> _Factors:
    """Delete-one jackknife of an unstratified design (R's `jk1weights`)."""
    if prep.n_strata > 1:
        raise DesignError("JK1 is for an unstratified design; use JKn for a stratified one")
    n = prep.n_psus
    factors = np.full((n, n), n / (n - 1))
    np.fill_diagonal(factors, 0.0)
    scale = float(prep.fpc_factor[0]) * (n - 1) / n
    return _Factors(factors, scale, np.ones(n))


def _jkn(prep: PreparedDesign) -> _Factors:
    """Delete-one jackknife within strata (R's `jknweights`): one replicate per PSU.

    Replicate of PSU j in stratum h: factor 0 on j, n_h / (n_h - 1) on the other PSUs of h,
    1 elsewhere; rscale (1 - f_h)(n_h - 1) / n_h. Strata taken whole (f_h = 0) get no
    replicate (R's survey.drop.replicates). A stratum with one PSU follows the design's
    lonely-PSU rule as R does: "adjust" gives one replicate zeroing the stratum and
    scaling every other PSU by H / (H - 1) (H strata), rscale (H - 1) / H; "average"
    gives none but scales the variance by PSUs / replicates; "remove" and "certainty" none.
    """
    if prep.n_strata < 2:
        raise DesignError("JKn needs strata; use JK1 or bootstrap for an unstratified design")
    n_psus, n_strata = prep.n_psus, prep.n_strata
    columns, rscales = [], []
    rule = prep.lonely_psu
    for h in range(n_strata):
        members = np.flatnonzero(prep.psu_stratum == h)
        n_h, f_h = len(members), float(prep.fpc_factor[h])
        if f_h < _SELF_REPRESENTING:
            continue
        if n_h == 1:
            if rule == "fail":
                raise DesignError("a stratum has a single PSU; choose a lonely_psu rule")
            if rule == "adjust":
                column = np.full(n_psus, n_strata / (n_strata - 1))
                column[members] = 0.0
                columns.append(column)
                rscales.append((n_strata - 1) / n_strata)
            continue
        block = np.ones((n_psus, n_h))
        block[members, :] = n_h / (n_h - 1)
        block[members, np.arange(n_h)] = 0.0
        columns.extend(block.T)
        rscales.extend([f_h * (n_h - 1) / n_h] * n_h)
    if not columns:
        raise DesignError("every stratum was taken whole: there is no sampling variance")
    scale = 1.0
    if rule == "average" and len(columns) < n_psus:
        scale = n_psus / len(columns)
    return _Factors(np.column_stack(columns), scale, np.asarray(rscales))


def _pairs(prep: PreparedDesign, method: str) -> np.ndarray:
    """The two PSUs of every stratum (BRR and Fay need exactly two per stratum)."""
    counts = np.bincount(prep.psu_stratum, minlength=prep.n_strata)
    if prep.n_strata < 2 or (counts != 2).any():
        bad = int(np.sum(counts != 2))
        raise DesignError(
            f"{method} needs exactly two PSUs in every stratum; {bad} strata have another "
            "number: pair the PSUs into strata of two, or use JKn or bootstrap"
        )
    return np.arange(prep.n_psus).reshape(prep.n_strata, 2)  # PSUs are numbered by stratum


def _hadamard_rows(n_rows: int) -> np.ndarray:
    """A Hadamard matrix of order the smallest power of two above `n_rows` (+1/-1)."""
    order = 1 << int(np.ceil(np.log2(n_rows + 1)))
    return hadamard(max(order, 2))


def _brr(prep: PreparedDesign, rho: float, method: str) -> _Factors:
    """Balanced repeated replication, or Fay's variant with `rho` (R's `brrweights`).

    Replicate r gives one PSU of stratum h the factor 2 - rho and the other rho, the choice
    read from row h + 1 of a Hadamard matrix (the first row, all ones, is skipped); scale
    1 / (R (1 - rho)^2). The Hadamard matrix is Sylvester's (order a power of two), so the
    replicates differ from R's precomputed ones; the variance of a total is the same.
    """
    pairs = _pairs(prep, method)
    h = _hadamard_rows(prep.n_strata)
    n_reps = h.shape[0]
    factors = np.empty((prep.n_psus, n_reps))
    first = h[1 : prep.n_strata + 1, :] > 0  # (strata, replicates)
    factors[pairs[:, 0], :] = np.where(first, 2.0 - rho, rho)
    factors[pairs[:, 1], :] = np.where(first, rho, 2.0 - rho)
    return _Factors(factors, 1.0 / (n_reps * (1.0 - rho) ** 2), np.ones(n_reps))


def _bootstrap(prep: PreparedDesign, n_reps: int, seed: int) -> _Factors:
    """Rao-Wu rescaling bootstrap (R's `subbootweights`, as.svrepdesign type="subbootstrap"):
    in each stratum n_h - 1 PSUs drawn with replacement, factor n_h / (n_h - 1) times the
    number of draws; scale 1 / (R - 1). A stratum with one PSU keeps factor 1."""
    rng = np.random.default_rng(seed)
    factors = np.ones((prep.n_psus, n_reps))
    for h in range(prep.n_strata):
        members = np.flatnonzero(prep.psu_stratum == h)
        n_h = len(members)
        if n_h < 2:
            continue
        draws = rng.integers(0, n_h, size=(n_h - 1, n_reps))
        counts = np.zeros((n_h, n_reps))
        np.add.at(counts, (draws, np.broadcast_to(np.arange(n_reps), draws.shape)), 1.0)
        factors[members, :] = counts * n_h / (n_h - 1)
    return _Factors(factors, 1.0 / (n_reps - 1), np.ones(n_reps))


def _successive_difference(prep: PreparedDesign, order: np.ndarray, n_reps: int) -> _Factors:
    """Successive-difference replication (Fay & Train 1995; the ACS's): PSUs in their sort
    order `order` (a systematic sample), unit i on Hadamard row a_i (rows 1..R-1 in turn),
    factor 1 + 2^(-3/2) (H[a_i, r] - H[a_(i+1), r]), the last unit paired with the first;
    scale 4 / R (R's svrepdesign type="successive-difference")."""
    h = _hadamard_rows(n_reps - 1)
    if h.shape[0] != n_reps:
        raise ParameterError(
            f"successive-difference needs a power of two replicates, not {n_reps}"
        )
    rows = 1 + np.arange(len(order)) % (n_reps - 1)
    following = np.roll(rows, -1)
    factors = np.empty((prep.n_psus, n_reps))
    factors[order, :] = 1.0 + 2.0**-1.5 * (h[rows, :] - h[following, :])
    return _Factors(factors, 4.0 / n_reps, np.ones(n_reps))
