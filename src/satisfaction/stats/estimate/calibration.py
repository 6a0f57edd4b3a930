"""Calibration residuals: post-stratified and raked designs, as R's `svyrecvar(postStrata=)`.

A calibrated design replaces each linearised value by its residual within the calibration
cells (one sweep per post-stratification, ten per raking step), so standard errors count
the calibration. `_Calibration` holds, per calibration term, what the variance engine
needs for every domain at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.stats.design import PreparedDesign, group_codes
from satisfaction.stats.estimate.domains import _Grouper

__all__: list[str] = []

# R's svyrecvar() residualises raked designs with exactly ten sweeps over the margins.
_RAKE_VARIANCE_SWEEPS = 10


@dataclass
class _CalibrationTerm:
    """One set of calibration cells: r <- r - u * c[level] (see R's svyrecvar)."""

    level: np.ndarray  # (n,) cell of each row
    n_levels: int
    u: np.ndarray  # (n,) weights after the calibration (R's psw)
    a: np.ndarray  # (n,) multiplier inside the cell mean: oldw/psw, or 1/psw for raking
    denominator: np.ndarray  # (n_levels,) sum of oldw per cell, or the count of rows


def _calibration_terms(
    df: pd.DataFrame, prep: PreparedDesign
) -> tuple[list[_CalibrationTerm], list[tuple[str, list[int]]]]:
    terms: list[_CalibrationTerm] = []
    steps: list[tuple[str, list[int]]] = []
    for step in prep.design.calibration:
        indices = []
        for margin, weight_col in zip(step.margins, step.weights, strict=True):
            level = group_codes(df, list(margin))
            n_levels = int(level.max()) + 1
            u = df[weight_col].to_numpy(np.float64)
            if step.kind == "poststratify":
                old = (
                    df[step.old_weights].to_numpy(np.float64)
                    if step.old_weights is not None
                    else np.ones(len(df))
                )
                a = old / u
                denominator = np.bincount(level, weights=old, minlength=n_levels)
            else:
                a = 1.0 / u
                denominator = np.bincount(level, minlength=n_levels).astype(np.float64)
            indices.append(len(terms))
            terms.append(_CalibrationTerm(level, n_levels, u, a, denominator))
        steps.append((step.kind, indices))
    return terms, steps


class _Calibration:
    """The calibration terms of a design, crossed with the domains of one call.

    Per term: the (domain, calibration cell) grouper, the sums of the calibrated weights per
    PSU (and SSU) and cell, and `cross[k][j][l, m]`, the sum over rows in cell l of term k
    and cell m of term j of a_k u_j.
    """

    def __init__(
        self, df: pd.DataFrame, prep: PreparedDesign, codes: np.ndarray, d_count: int
    ) -> None:
        self.prep = prep
        self.d_count = d_count
        self.terms, self.steps = _calibration_terms(df, prep)
        self.groupers = []
        self.unit_weight_sums = []  # per term: (n_psus, L) and (n_ssus, L) sums of u
        for term in self.terms:
            grp_codes = np.where(codes >= 0, codes * term.n_levels + term.level, -1)
            self.groupers.append(_Grouper(grp_codes, d_count * term.n_levels))
            self.unit_weight_sums.append(self._unit_weight_sums(term))
        self.cross = self._cross_sums()

    def _unit_weight_sums(self, term: _CalibrationTerm) -> tuple[np.ndarray, np.ndarray | None]:
        prep = self.prep
        psu_level = prep.psu * term.n_levels + term.level
        w1 = np.bincount(psu_level, weights=term.u, minlength=prep.n_psus * term.n_levels)
        w2 = None
        if prep.two_stage:
            assert prep.ssu is not None
            ssu_level = prep.ssu * term.n_levels + term.level
            w2 = np.bincount(
                ssu_level, weights=term.u, minlength=prep.n_ssus * term.n_levels
            ).reshape(prep.n_ssus, term.n_levels)
        return w1.reshape(prep.n_psus, term.n_levels), w2

    def _cross_sums(self) -> list[list[np.ndarray]]:
        cross = []
        for tk in self.terms:
            row = []
            for tj in self.terms:
                key = tk.level * tj.n_levels + tj.level
                row.append(
                    np.bincount(
                        key, weights=tk.a * tj.u, minlength=tk.n_levels * tj.n_levels
                    ).reshape(tk.n_levels, tj.n_levels)
                )
            cross.append(row)
        return cross

    def reduce(self, parts: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per term, the (domain, calibration cell) sums of a_k * part for one column."""
        return [
            np.column_stack([g.sum(t.a * p) for p in parts])
            for g, t in zip(self.groupers, self.terms, strict=True)
        ]

    def coefficients(self, coefs: np.ndarray, term_sums: list[np.ndarray]) -> list[np.ndarray]:
        """Per term, the cell means (domains x cells x columns) the residuals subtract."""
        d_count, width = self.d_count, coefs.shape[2]
        cell_sums = []
        for term, grouped in zip(self.terms, term_sums, strict=True):
            grouped = grouped.reshape(d_count, term.n_levels, width, -1)
            cell_sums.append(np.einsum("dlcj,jdc->dlc", grouped, coefs))
        coef = [np.zeros_like(s) for s in cell_sums]
        active: list[int] = []
        for kind, indices in self.steps:
            active = active + indices
            sweeps = _RAKE_VARIANCE_SWEEPS if kind == "rake" else 1
            for _ in range(sweeps):
                for k in indices:
                    cell_mean = cell_sums[k].copy()
                    for j in active:
                        cell_mean -= np.einsum("lm,dmv->dlv", self.cross[k][j], coef[j])
                    coef[k] += cell_mean / self.terms[k].denominator[None, :, None]
        return coef

    def correction(
        self, calib: list[np.ndarray], stage: int, n_units: int, width: int
    ) -> np.ndarray:
        """What the residuals take off the unit totals of one stage: (cells, columns)."""
        correction = np.zeros((self.d_count, n_units, width))
        for k, c in enumerate(calib):
            weight_sums = self.unit_weight_sums[k][stage - 1]
            correction += np.einsum("pl,dlv->dpv", weight_sums, c)
        return correction.reshape(self.d_count * n_units, width)
