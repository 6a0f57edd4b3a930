"""The variance engine: linearised totals per (domain, PSU) cell and their variance.

Taylor linearisation for every domain and column at once: with replacement at the first
stage unless `fpc` is given, with the second stage added when `fpc2` is given (R's
`svyrecvar`); calibrated designs take residuals within the calibration cells
(`satisfaction.stats.estimate.calibration`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.stats.design import PreparedDesign
from satisfaction.stats.estimate.calibration import _Calibration
from satisfaction.stats.estimate.domains import _Domains, _factorize, _Grouper

__all__: list[str] = []

# R's onestrat(): a stratum whose finite population correction is below this is taken whole.
_SELF_REPRESENTING = 1e-7


@dataclass
class _CellSums:
    """Grouped sums of the row parts of the linearised values, for every column.

    The linearised values of column c are z[i, c] = sum_j coef[j][domain(i), c] * part_j[i]
    (e.g. w y times 1/W plus w times -mean/W for a mean). Each array has shape
    (groups, columns, parts): stage-1 cells, stage-2 cells, and per calibration term the
    (domain, calibration cell) groups of a_k * part.
    """

    stage1: np.ndarray
    stage2: np.ndarray | None
    terms: list[np.ndarray]


def _stage_cells(
    codes: np.ndarray,
    d_count: int,
    calibrated: bool,
    unit: np.ndarray,
    n_units: int,
    unit_group: np.ndarray,
    n_groups: int,
) -> dict:
    """The (domain, unit) cells of one stage, their groups (strata, or PSUs at stage 2) and
    the groupers from rows to cells, cells to domains and groups, groups to domains."""
    rows = np.flatnonzero(codes >= 0)
    cell_codes = np.full(len(codes), -1, dtype=np.int64)
    if calibrated:
        cell_codes[rows] = codes[rows] * n_units + unit[rows]
        n_cells = d_count * n_units
        cell_domain = np.repeat(np.arange(d_count), n_units)
        cell_unit = np.tile(np.arange(n_units), d_count)
    else:
        present, cell_codes[rows] = _factorize(
            codes[rows] * n_units + unit[rows], d_count * n_units
        )
        n_cells = len(present)
        cell_domain = present // n_units
        cell_unit = present % n_units
    groups, group_of_cell = _factorize(
        cell_domain * n_groups + unit_group[cell_unit], d_count * n_groups
    )
    return {
        "rows_to_cell": _Grouper(cell_codes, n_cells),
        "cell_domain": cell_domain,
        "cell_unit": cell_unit,
        "cell_to_domain": _Grouper(cell_domain, d_count),
        "cell_to_group": _Grouper(group_of_cell, len(groups)),
        "group_id": groups % n_groups,
        "group_to_domain": _Grouper(groups // n_groups, d_count),
        "n_units": n_units,
    }


class _Engine:
    """Linearisation variance for every domain and column, built once per call.

    Cells are (domain, PSU) pairs (and (domain, SSU) pairs for a two-stage design). Without
    calibration only the cells that hold rows exist, so the work grows with the rows, not
    with domains x PSUs; a calibrated design has every (domain, PSU) cell, because the
    residuals within calibration cells spread each domain over every PSU.

    Use: `reduce(parts)` once per column (grouped sums of its row parts), `collect` the
    columns, then `variance(coefs, sums, counts)` for all columns and domains at once.
    """

    def __init__(self, df: pd.DataFrame, prep: PreparedDesign, domains: _Domains) -> None:
        self.prep = prep
        self.domains = domains
        codes = domains.codes
        self.in_domain = codes >= 0
        self._to_domain: _Grouper | None = None
        self.calibrated = prep.calibrated
        self.calibration: _Calibration | None = None
        if self.calibrated:
            self.calibration = _Calibration(df, prep, codes, domains.count)
        self.stage1 = _stage_cells(
            codes,
            domains.count,
            self.calibrated,
            prep.psu,
            prep.n_psus,
            prep.psu_stratum,
            prep.n_strata,
        )
        self.stage2 = None
        if prep.two_stage:
            assert prep.ssu is not None and prep.ssu_psu is not None
            self.stage2 = _stage_cells(
                codes,
                domains.count,
                self.calibrated,
                prep.ssu,
                prep.n_ssus,
                prep.ssu_psu,
                prep.n_psus,
            )

    # ---- per column --------------------------------------------------------------------

    def count(self, valid: np.ndarray) -> np.ndarray:
        """Rows per stage-1 cell of one column's domain of non-missing values."""
        return self.stage1["rows_to_cell"].sum(valid)

    def reduce(self, parts: Sequence[np.ndarray]) -> tuple:
        """Grouped sums of one column's row parts (see `_CellSums`)."""
        s1 = np.column_stack([self.stage1["rows_to_cell"].sum(p) for p in parts])
        s2 = None
        if self.stage2 is not None:
            s2 = np.column_stack([self.stage2["rows_to_cell"].sum(p) for p in parts])
        terms = self.calibration.reduce(parts) if self.calibration is not None else []
        return s1, s2, terms

    @staticmethod
    def collect(columns: list[tuple]) -> _CellSums:
        """Stack the `reduce` results of several columns (axis 1 = columns)."""
        return _CellSums(
            np.stack([c[0] for c in columns], axis=1),
            None if columns[0][1] is None else np.stack([c[1] for c in columns], axis=1),
            [np.stack([c[2][k] for c in columns], axis=1) for k in range(len(columns[0][2]))],
        )

    def to_domain_sum(self, values: np.ndarray) -> np.ndarray:
        """Sums of row values (one column or rows x columns) over domains."""
        if self._to_domain is None:
            self._to_domain = _Grouper(self.domains.codes, self.domains.count)
        return self._to_domain.sum(values)

    # ---- all columns at once ------------------------------------------------------------

    def domain_sums(self, cell_values: np.ndarray) -> np.ndarray:
        """Sums of stage-1 cell values over domains (any trailing shape)."""
        shape = cell_values.shape
        flat = cell_values.reshape(shape[0], -1)
        return self.stage1["cell_to_domain"].sum(flat).reshape(self.domains.count, *shape[1:])

    def _calibration_coefficients(
        self, coefs: np.ndarray, sums: _CellSums
    ) -> list[np.ndarray] | None:
        if self.calibration is None:
            return None
        return self.calibration.coefficients(coefs, sums.terms)

    def _unit_totals(self, cells: dict, grouped: np.ndarray, coefs: np.ndarray, calib, stage):
        """Totals of the linearised values per cell, less the calibration residual terms."""
        totals = np.einsum("ncj,jnc->nc", grouped, coefs[:, cells["cell_domain"], :])
        if calib is not None:
            assert self.calibration is not None
            width = coefs.shape[2]
            totals = totals - self.calibration.correction(calib, stage, cells["n_units"], width)
        return totals

    def variance(
        self, coefs: np.ndarray, sums: _CellSums, counts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Variance (domains x columns) of the totals of the linearised values, and the df.

        `coefs` (parts x domains x columns) are the per-domain constants of the parts;
        `counts` (stage-1 cells x columns) the rows of each column's domain of non-missing
        values, from which the domain df (PSUs minus strata holding such rows) is counted.
        """
        prep = self.prep
        calib = self._calibration_coefficients(coefs, sums)
        s1 = self.stage1
        group_counts = s1["cell_to_group"].sum(counts)
        psu_present = s1["cell_to_domain"].sum((counts > 0).astype(np.float64))
        strata_present = s1["group_to_domain"].sum((group_counts > 0).astype(np.float64))
        df = psu_present - strata_present

        totals = self._unit_totals(s1, sums.stage1, coefs, calib, 1)
        n_units = prep.n_psu[s1["group_id"]][:, None]
        factor = prep.fpc_factor[s1["group_id"]][:, None]
        present = np.ones_like(group_counts, dtype=bool) if self.calibrated else group_counts > 0
        contribution = self._between_units(s1, totals, n_units, factor, present)
        var = s1["group_to_domain"].sum(np.nan_to_num(contribution))
        if prep.lonely_psu == "average":
            lonely = s1["group_to_domain"].sum(np.isnan(contribution).astype(np.float64))
            n_present = s1["group_to_domain"].sum(present.astype(np.float64))
            with np.errstate(divide="ignore", invalid="ignore"):
                var = var * n_present / (n_present - lonely)

        if self.stage2 is not None:
            var = var + self._stage_two_variance(coefs, sums, calib)
        return np.maximum(var, 0.0), df

    def _stage_two_variance(
        self, coefs: np.ndarray, sums: _CellSums, calib: list[np.ndarray] | None
    ) -> np.ndarray:
        """The second stage's term (SSUs within PSUs), times the first-stage fraction."""
        prep, s2 = self.prep, self.stage2
        assert s2 is not None and prep.n_ssu is not None and prep.fpc2_factor is not None
        assert sums.stage2 is not None
        totals2 = self._unit_totals(s2, sums.stage2, coefs, calib, 2)
        n_units2 = prep.n_ssu[s2["group_id"]][:, None]
        factor2 = prep.fpc2_factor[s2["group_id"]][:, None]
        contribution2 = self._between_units(s2, totals2, n_units2, factor2, None)
        fraction = prep.sampling_fraction[prep.psu_stratum[s2["group_id"]]][:, None]
        return s2["group_to_domain"].sum(np.nan_to_num(contribution2 * fraction))

    def plain_variance(self, z: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`variance` for linearised values given row by row (z: rows x columns)."""
        width = z.shape[1]
        sums = self.collect([self.reduce([np.ascontiguousarray(z[:, j])]) for j in range(width)])
        counts = np.column_stack([self.count(valid[:, j]) for j in range(width)])
        coefs = np.ones((1, self.domains.count, width))
        return self.variance(coefs, sums, counts)

    def _between_units(
        self,
        cells: dict,
        totals: np.ndarray,
        n_units: np.ndarray,
        factor: np.ndarray,
        present: np.ndarray | None,
    ) -> np.ndarray:
        """R's onestrat(): scaled sum of squares of unit totals around their group mean."""
        s1 = cells["cell_to_group"].sum(totals)
        s2 = cells["cell_to_group"].sum(totals**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = factor * n_units / (n_units - 1) * (s2 - s1**2 / n_units)
        lonely = self.prep.lonely_psu
        if lonely == "adjust":
            single = factor * s2
        elif lonely == "average" and present is not None:
            single = np.where(present, np.nan, 0.0)
        else:  # certainty, remove; "fail" was refused when the design was prepared
            single = np.zeros_like(s2)
        out = np.where(n_units > 1, spread, single)
        return np.where(factor < _SELF_REPRESENTING, 0.0, out)

    def covariance(self, coefs: np.ndarray, sums: _CellSums) -> np.ndarray:
        """Covariance matrices (domains x columns x columns) of the linearised totals."""
        prep = self.prep
        calib = self._calibration_coefficients(coefs, sums)
        s1 = self.stage1
        cov = self._grouped_covariance(
            s1,
            self._unit_totals(s1, sums.stage1, coefs, calib, 1),
            prep.n_psu[s1["group_id"]],
            prep.fpc_factor[s1["group_id"]],
            None,
            average=prep.lonely_psu == "average",
        )
        if self.stage2 is not None:
            s2 = self.stage2
            assert prep.n_ssu is not None and prep.fpc2_factor is not None
            assert sums.stage2 is not None
            cov = cov + self._grouped_covariance(
                s2,
                self._unit_totals(s2, sums.stage2, coefs, calib, 2),
                prep.n_ssu[s2["group_id"]],
                prep.fpc2_factor[s2["group_id"]],
                prep.sampling_fraction[prep.psu_stratum[s2["group_id"]]],
                average=False,
            )
        return cov

    def _grouped_covariance(
        self,
        cells: dict,
        totals: np.ndarray,
        n_units: np.ndarray,
        factor: np.ndarray,
        multiplier: np.ndarray | None,
        *,
        average: bool,
    ) -> np.ndarray:
        """R's onestrat() crossproducts, summed per domain: (domains, k, k)."""
        k = totals.shape[1]
        to_group = cells["cell_to_group"]
        group = to_group.codes
        means = to_group.sum(totals) / n_units[:, None]
        centred = totals - means[group]
        if self.prep.lonely_psu == "adjust":
            centred = np.where((n_units[group] == 1)[:, None], totals, centred)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_units > 1, factor * n_units / (n_units - 1), factor)
        scale = np.where(factor < _SELF_REPRESENTING, 0.0, scale)
        if multiplier is not None:
            scale = scale * multiplier
        outer = centred[:, :, None] * centred[:, None, :] * scale[group][:, None, None]
        cov = cells["cell_to_domain"].sum(outer.reshape(len(totals), k * k))
        # Units of the group that hold no row of the domain have zero totals.
        absent = n_units - np.bincount(group, minlength=len(n_units))
        padding = means[:, :, None] * means[:, None, :] * (absent * scale)[:, None, None]
        cov = cov + cells["group_to_domain"].sum(padding.reshape(len(n_units), k * k))
        if average:
            lonely = ((n_units == 1) & (factor >= _SELF_REPRESENTING)).astype(np.float64)
            n_groups = cells["group_to_domain"].sum(np.ones_like(lonely))
            n_lonely = cells["group_to_domain"].sum(lonely)
            with np.errstate(divide="ignore", invalid="ignore"):
                cov = cov * (n_groups / (n_groups - n_lonely))[:, None]
        return cov.reshape(-1, k, k)
