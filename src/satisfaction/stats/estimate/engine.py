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
class _Counts:
    """Rows per stage-1 (and stage-2) cell and column, as the variance needs them.

    `stage1` / `stage2` count the rows of each column's domain of non-missing values,
    zero-weight rows included (R keeps them in a subset: they decide which PSUs are present);
    `df` counts what the domain df counts (see `Design.domain_df`), without zero weights.
    """

    stage1: np.ndarray
    stage2: np.ndarray | None
    df: np.ndarray


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
        self.positive = prep.weights > 0
        self.has_zero_weights = not self.positive.all()
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

        self._domain_rows: np.ndarray | None = None

    # ---- per column --------------------------------------------------------------------

    def count(self, valid: np.ndarray) -> np.ndarray:
        """Rows per stage-1 cell of one column's domain of non-missing values."""
        return self.stage1["rows_to_cell"].sum(valid)

    def domain_rows(self) -> np.ndarray:
        """Rows with a positive weight per stage-1 cell, whatever the columns hold."""
        if self._domain_rows is None:
            self._domain_rows = self.count(self.in_domain & self.positive)
        return self._domain_rows

    def counts(self, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """One column's cell counts: stage 1, stage 2 and the rows its n counts (positive
        weights). `valid` marks the column's non-missing rows in a domain."""
        stage1 = self.count(valid)
        stage2 = None if self.stage2 is None else self.stage2["rows_to_cell"].sum(valid)
        scoped = self.count(valid & self.positive) if self.has_zero_weights else stage1
        return stage1, stage2, scoped

    def collect_counts(self, columns: list[tuple]) -> tuple[_Counts, np.ndarray]:
        """Stack the `counts` of several columns: the `_Counts` the variance needs and the
        cells x columns counts of the rows each column's n counts."""
        stage1 = np.column_stack([c[0] for c in columns])
        stage2 = None if columns[0][1] is None else np.column_stack([c[1] for c in columns])
        scoped = np.column_stack([c[2] for c in columns])
        if self.prep.design.domain_df == "answered":
            df = scoped
        else:
            df = np.repeat(self.domain_rows()[:, None], len(columns), axis=1)
        return _Counts(stage1, stage2, df), scoped

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
        self, coefs: np.ndarray, sums: _CellSums, counts: _Counts
    ) -> tuple[np.ndarray, np.ndarray]:
        """Variance (domains x columns) of the totals of the linearised values, and the df.

        `coefs` (parts x domains x columns) are the per-domain constants of the parts;
        `counts` the rows of each column's domain per cell (`_Counts`), from which the
        present PSUs and the domain df (PSUs minus strata, R's `degf`) are counted.
        """
        prep = self.prep
        calib = self._calibration_coefficients(coefs, sums)
        s1 = self.stage1
        df_groups = s1["cell_to_group"].sum(counts.df)
        psu_present = s1["cell_to_domain"].sum((counts.df > 0).astype(np.float64))
        strata_present = s1["group_to_domain"].sum((df_groups > 0).astype(np.float64))
        df = psu_present - strata_present

        totals = self._unit_totals(s1, sums.stage1, coefs, calib, 1)
        n_units = prep.n_psu[s1["group_id"]][:, None]
        factor = prep.fpc_factor[s1["group_id"]][:, None]
        present, n_present = self._presence(s1, counts.stage1)
        contribution = self._between_units(s1, totals, n_units, factor, present, n_present)
        var = s1["group_to_domain"].sum(np.nan_to_num(contribution))
        if prep.lonely_psu == "average":
            lonely = s1["group_to_domain"].sum(np.isnan(contribution).astype(np.float64))
            n_groups = s1["group_to_domain"].sum(present.astype(np.float64))
            with np.errstate(divide="ignore", invalid="ignore"):
                var = var * n_groups / (n_groups - lonely)

        if self.stage2 is not None:
            var = var + self._stage_two_variance(coefs, sums, calib, counts.stage2)
        return np.maximum(var, 0.0), df

    def _presence(
        self, cells: dict, counts: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Which (domain, group) x column hold rows, and how many of the group's units do.

        A calibrated design keeps every row in every domain (R's subset of a calibrated
        design zeroes weights), so every group is present with all its units.
        """
        n_groups = len(cells["group_id"])
        if self.calibrated or counts is None:
            width = 1 if counts is None else counts.shape[1]
            return np.ones((n_groups, width), dtype=bool), None
        group_counts = cells["cell_to_group"].sum(counts)
        n_present = cells["cell_to_group"].sum((counts > 0).astype(np.float64))
        return group_counts > 0, n_present

    def _stage_two_variance(
        self,
        coefs: np.ndarray,
        sums: _CellSums,
        calib: list[np.ndarray] | None,
        counts: np.ndarray | None,
    ) -> np.ndarray:
        """The second stage's term (SSUs within PSUs), times the first-stage fraction.

        Each PSU is one stratum of its SSUs (R's `multistage`), so "average" has nothing to
        average over: a PSU of the domain with one sampled SSU (of several) makes the
        variance NaN, as in R.
        """
        prep, s2 = self.prep, self.stage2
        assert s2 is not None and prep.n_ssu is not None and prep.fpc2_factor is not None
        assert sums.stage2 is not None
        totals2 = self._unit_totals(s2, sums.stage2, coefs, calib, 2)
        n_units2 = prep.n_ssu[s2["group_id"]][:, None]
        factor2 = prep.fpc2_factor[s2["group_id"]][:, None]
        present, n_present = self._presence(s2, counts)
        contribution2 = self._between_units(s2, totals2, n_units2, factor2, present, n_present)
        contribution2 = np.where(present, contribution2, 0.0)
        fraction = prep.sampling_fraction[prep.psu_stratum[s2["group_id"]]][:, None]
        return s2["group_to_domain"].sum(contribution2 * fraction)

    def plain_variance(self, z: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`variance` for linearised values given row by row (z: rows x columns); `valid`
        marks each column's non-missing rows in a domain."""
        width = z.shape[1]
        sums = self.collect([self.reduce([np.ascontiguousarray(z[:, j])]) for j in range(width)])
        counts, _ = self.collect_counts([self.counts(valid[:, j]) for j in range(width)])
        coefs = np.ones((1, self.domains.count, width))
        return self.variance(coefs, sums, counts)

    def _between_units(
        self,
        cells: dict,
        totals: np.ndarray,
        n_units: np.ndarray,
        factor: np.ndarray,
        present: np.ndarray,
        n_present: np.ndarray | None,
    ) -> np.ndarray:
        """R's onestrat(): scaled sum of squares of unit totals around their group mean.

        Units of the group without rows of the domain count as zero totals. NaN marks a
        group the "average" rule replaces by the mean of the others. `n_present` (units
        holding rows, None when all do) drives R's `survey.adjust.domain.lonely`.
        """
        s1 = cells["cell_to_group"].sum(totals)
        s2 = cells["cell_to_group"].sum(totals**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            inflate = n_units / (n_units - 1)
            spread = factor * inflate * (s2 - s1**2 / n_units)
        lonely = self.prep.lonely_psu
        if lonely == "adjust":
            single = factor * s2
        elif lonely == "average":
            single = np.where(present, np.nan, 0.0)
        else:  # certainty, remove; "fail" was refused when the design was prepared
            single = np.zeros_like(s2)
        out = np.where(n_units > 1, spread, single)
        if self.prep.design.adjust_domain_lonely and n_present is not None:
            alone = (n_units > 1) & (n_present == 1)
            if lonely == "adjust":  # not centred: the absent units' zeros stay as they are
                out = np.where(alone, factor * inflate * s2, out)
            elif lonely == "average":
                out = np.where(alone, np.nan, out)
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
            )
        return cov

    def _grouped_covariance(
        self,
        cells: dict,
        totals: np.ndarray,
        n_units: np.ndarray,
        factor: np.ndarray,
        multiplier: np.ndarray | None,
    ) -> np.ndarray:
        """R's onestrat() crossproducts, summed per domain: (domains, k, k).

        `multiplier` (the first-stage sampling fraction) marks stage 2, where "average"
        has no other group to average over (NaN, as `_stage_two_variance`).
        """
        k = totals.shape[1]
        rule = self.prep.lonely_psu
        to_group = cells["cell_to_group"]
        group = to_group.codes
        n_present = np.bincount(group, minlength=len(n_units))
        alone = np.zeros(len(n_units), dtype=bool)
        if self.prep.design.adjust_domain_lonely and not self.calibrated:
            alone = (n_units > 1) & (n_present == 1)
        lonely = (n_units == 1) & (factor >= _SELF_REPRESENTING)
        uncentred = (rule == "adjust") & ((n_units == 1) | alone)
        averaged = (rule == "average") & (lonely | alone)
        means = to_group.sum(totals) / n_units[:, None]
        centred = np.where(uncentred[group][:, None], totals, totals - means[group])
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_units > 1, factor * n_units / (n_units - 1), factor)
        scale = np.where((factor < _SELF_REPRESENTING) | averaged, 0.0, scale)
        if multiplier is not None:
            scale = scale * multiplier
        outer = centred[:, :, None] * centred[:, None, :] * scale[group][:, None, None]
        cov = cells["cell_to_domain"].sum(outer.reshape(len(totals), k * k))
        # Units of the group that hold no row of the domain have zero totals.
        absent = np.where(uncentred, 0, n_units - n_present)
        padding = means[:, :, None] * means[:, None, :] * (absent * scale)[:, None, None]
        cov = cov + cells["group_to_domain"].sum(padding.reshape(len(n_units), k * k))
        if rule == "average":
            n_groups = cells["group_to_domain"].sum(np.ones(len(n_units)))
            n_averaged = cells["group_to_domain"].sum(averaged.astype(np.float64))
            with np.errstate(divide="ignore", invalid="ignore"):
                if multiplier is None:
                    cov = cov * (n_groups / (n_groups - n_averaged))[:, None]
                else:
                    cov = np.where((n_averaged > 0)[:, None], np.nan, cov)
        return cov.reshape(-1, k, k)


def score_covariance(
    df: pd.DataFrame, prep: PreparedDesign, values: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Covariance matrix (p x p) of the estimated totals of `values` (rows x p), R's
    `svyrecvar`: strata, clusters, fpc, both stages, the lonely-PSU rules and calibration.

    `rows` marks the domain (e.g. a model's complete cases): the other rows hold no value,
    but their PSUs still count in their strata, as in R's subset of a design. This is the
    "meat" of a model's sandwich variance (`values` are weighted per-row scores).
    """
    codes = np.where(rows, 0, -1).astype(np.int64)
    domains = _Domains(codes, 1, pd.DataFrame(index=range(1)))
    engine = _Engine(df, prep, domains)
    values = np.where(rows[:, None], values, 0.0)
    width = values.shape[1]
    sums = engine.collect(
        [engine.reduce([np.ascontiguousarray(values[:, j])]) for j in range(width)]
    )
    return engine.covariance(np.ones((1, 1, width)), sums)[0]


def domain_df(prep: PreparedDesign, rows: np.ndarray) -> int:
    """Design df of a domain: PSUs minus strata holding its rows with a positive weight
    (R's `degf(subset(design, rows))`)."""
    inset = rows & (prep.weights > 0)
    return int(len(np.unique(prep.psu[inset])) - len(np.unique(prep.stratum[inset])))
