"""Design-based estimates for every domain at once, matching R's `survey` package.

Every estimator takes `(df, design, variables, by=...)` and returns one tidy DataFrame with
the columns `ESTIMATE_COLUMNS` preceded by the `by` columns:

- `variable`, `level` (the category for proportions, missing otherwise);
- `estimate`, `se`, `ci_low`, `ci_high`, `cv` (se / estimate), `deff` (R's `deff=TRUE`);
- `n`: unweighted rows with a non-missing value in the domain; `N`: their sum of weights;
- `df`: domain degrees of freedom, R's `degf()` on the domain of non-missing values
  (PSUs minus strata that hold such rows);
- `reliable` and `reliability_note` (see `Reliability`).

Semantics (as R): domains come from `by=` on the full sample, never from filtering rows
(the SE changes; R's `svyby`); missing values of an analysis variable are dropped as R's
`na.rm=TRUE` does (a domain of non-missing rows, each variable with its own pattern); the
variance is Taylor linearisation, with-replacement at the first stage unless `fpc` is given,
with the second stage added when `fpc2` is given (R's `svyrecvar`); post-stratified and
raked designs (see `satisfaction.stats.weighting`) have the linearised values replaced by their
residuals within the calibration cells, as R's `svyrecvar(postStrata=)` does.

Speed: one pass of grouped sums (`np.bincount`) per variable takes the rows to domain x PSU
cells; everything after that (estimates, linearised totals per cell, variances, intervals,
flags) is computed on arrays holding every domain and every variable at once. There is no
Python loop over domains. For many 0/1 "satisfied" columns use
`proportion(df, design, columns, by=..., levels=[1])`: one row per domain x column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from satisfaction.errors import InputError, ParameterError
from satisfaction.stats.design import (
    Design,
    PreparedDesign,
    factorize_sorted,
    group_codes,
    prepare,
)

__all__ = [
    "CHISQ_COLUMNS",
    "DIFFERENCE_COLUMNS",
    "ESTIMATE_COLUMNS",
    "PROPORTION_METHODS",
    "Reliability",
    "adjust_pvalues",
    "chisq",
    "difference",
    "difference_independent",
    "flag_reliability",
    "mean",
    "proportion",
    "proportion_interval",
    "ratio",
    "total",
]

ESTIMATE_COLUMNS = [
    "variable",
    "level",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "cv",
    "deff",
    "n",
    "N",
    "df",
    "reliable",
    "reliability_note",
]
PROPORTION_METHODS = ("logit", "beta", "wilson", "wald")

# R's onestrat(): a stratum whose finite population correction is below this is taken whole.
_SELF_REPRESENTING = 1e-7
# R's svyrecvar() residualises raked designs with exactly ten sweeps over the margins.
_RAKE_VARIANCE_SWEEPS = 10


# --------------------------------------------------------------------------------------------
# Reliability rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reliability:
    """Thresholds deciding whether an estimate is reliable enough to publish.

    Proportions follow the NCHS Data Presentation Standards for Proportions (Parker et al.
    2017, Vital Health Stat 2(175)), using a 95% Korn-Graubard interval whatever `level` the
    estimate was asked with:

    - `min_n`: unweighted denominator n below this -> not reliable ("n < 30");
    - `min_effective_n`: effective n = p(1-p)/se^2, capped at n (so deff < 1 counts as 1;
      n when p is 0 or 1), below this -> not reliable;
    - `max_ci_width`: Korn-Graubard CI width at or above this -> not reliable;
    - `max_relative_ci_width`: CI width / p above this, when the width exceeds
      `relative_width_floor` -> not reliable;
    - `min_df`: design df below this -> reliable stays as the other rules say, but the note
      says "review: df < 8" (NCHS: flag for statistical review); the complement rule (the
      relative width of 1 - p above `max_relative_ci_width`) is a review note too.

    Means, totals and ratios: `min_n`, `max_cv` (se / |estimate| above this -> not reliable)
    and the same `min_df` review note. For every kind, a domain whose rows sit in a single
    PSU (df < 1) is not reliable: its standard error cannot be estimated from the design.

    `reliability_note` is empty when no rule fired; it lists every rule that fired, joined
    by "; ". A note that only holds "review: ..." items goes with `reliable=True`.
    """

    min_n: int = 30
    min_effective_n: float = 30.0
    max_ci_width: float = 0.30
    max_relative_ci_width: float = 1.30
    relative_width_floor: float = 0.05
    max_cv: float = 0.30
    min_df: int = 8


def _t_quantile(q: float, df: np.ndarray) -> np.ndarray:
    """Student t quantile for many df at once; NaN where df < 1.

    Design df are integers that repeat across domains, so each distinct value is looked up
    once (the quantile function is the slow part for 100,000+ estimates).
    """
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    ok = np.isfinite(df) & (df >= 1)
    if ok.any():
        values, inverse = np.unique(df[ok], return_inverse=True)
        out[ok] = special.stdtrit(values, q)[inverse]
    return out


def _korn_graubard(
    p: np.ndarray, se: np.ndarray, n: np.ndarray, df: np.ndarray, level: float, *, cap: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Korn-Graubard (1998) interval: Clopper-Pearson on the df-adjusted effective n.

    As R's `svyciprop(method="beta")`: n_eff = p(1-p)/var times (t_{n-1}/t_df)^2. Where the
    variance is zero (p = 0 or 1) n_eff is the unweighted n. With `cap` (the NCHS rule)
    n_eff is also capped at n before and after the df adjustment.
    """
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1.0 - p) / se**2, n)
        if cap:
            n_eff = np.minimum(n_eff, n)
        n_eff = n_eff * (_t_quantile(alpha / 2, n - 1) / _t_quantile(alpha / 2, df)) ** 2
        if cap:
            n_eff = np.minimum(n_eff, n)
        bad = ~np.isfinite(n_eff) | (n_eff <= 0) | np.isnan(p)
        n_eff = np.where(bad, 1.0, n_eff)
        x = np.where(bad, 0.5, p) * n_eff
        low = np.where(x > 0, special.betaincinv(x, n_eff - x + 1, alpha / 2), 0.0)
        high = np.where(x < n_eff, special.betaincinv(x + 1, n_eff - x, 1 - alpha / 2), 1.0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def _notes(rules: list[tuple[np.ndarray, str]], size: int) -> np.ndarray:
    """Join the texts of the rules that fired, row by row, without a Python loop over rows."""
    if not rules:
        return np.full(size, "", dtype=object)
    fired = np.column_stack([mask for mask, _ in rules]).astype(np.int64)
    pattern = fired @ (1 << np.arange(len(rules), dtype=np.int64))
    unique, inverse = np.unique(pattern, return_inverse=True)
    texts = np.array(
        ["; ".join(t for bit, (_, t) in enumerate(rules) if code >> bit & 1) for code in unique],
        dtype=object,
    )
    return texts[inverse]


def _reliability(
    kind: str,
    estimate: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    rules: Reliability,
) -> tuple[np.ndarray, np.ndarray]:
    n = n.astype(np.float64)
    df = df.astype(np.float64)
    suppress: list[tuple[np.ndarray, str]] = []
    review: list[tuple[np.ndarray, str]] = []
    missing = np.isnan(estimate) | np.isnan(se)
    suppress.append((missing, "no estimate"))
    suppress.append((~missing & (n < rules.min_n), f"n < {rules.min_n}"))
    # One PSU (or none) holds the domain: its variance is not estimable from the design.
    suppress.append((~missing & (df < 1), "df < 1"))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            p = estimate
            n_eff = np.minimum(np.where(se > 0, p * (1 - p) / se**2, n), n)
            suppress.append(
                (
                    ~missing & (n_eff < rules.min_effective_n),
                    f"effective n < {rules.min_effective_n:g}",
                )
            )
            low, high = _korn_graubard(p, se, n, df, 0.95, cap=True)
            width = high - low
            no_ci = ~missing & np.isnan(width) & (df >= 1)
            suppress.append((no_ci, "no Korn-Graubard CI"))
            suppress.append(
                (~missing & (width >= rules.max_ci_width), f"CI width >= {rules.max_ci_width:g}")
            )
            relative = width / p
            suppress.append(
                (
                    ~missing
                    & (width > rules.relative_width_floor)
                    & (width < rules.max_ci_width)
                    & (relative > rules.max_relative_ci_width),
                    f"relative CI width > {rules.max_relative_ci_width:.0%}",
                )
            )
            complement = width / (1 - p)
            review.append(
                (
                    ~missing
                    & (width > rules.relative_width_floor)
                    & (width < rules.max_ci_width)
                    & (complement > rules.max_relative_ci_width),
                    f"review: complement relative CI width > {rules.max_relative_ci_width:.0%}",
                )
            )
        else:
            cv = se / np.abs(estimate)
            suppress.append((~missing & (cv > rules.max_cv), f"CV > {rules.max_cv:g}"))
    review.append((~missing & (df < rules.min_df), f"review: df < {rules.min_df}"))
    reliable = ~np.any(np.column_stack([m for m, _ in suppress]), axis=1)
    return reliable, _notes(suppress + review, len(estimate))


def flag_reliability(
    result: pd.DataFrame, kind: str = "proportion", rules: Reliability | None = None
) -> pd.DataFrame:
    """Recompute `reliable` and `reliability_note` of a result frame under `rules`.

    `kind` is "proportion" (NCHS rules; `estimate` must be a share in [0, 1]) or "mean"
    (min_n and CV). Returns a copy; useful after combining or re-thresholding results.
    """
    if kind not in ("proportion", "mean"):
        raise ParameterError(f"kind={kind!r} must be 'proportion' or 'mean'")
    needed = {"estimate", "se", "n", "df"}
    if not needed <= set(result.columns):
        raise ParameterError(f"result lacks columns {sorted(needed - set(result.columns))}")
    out = result.copy()
    reliable, note = _reliability(
        kind,
        out["estimate"].to_numpy(np.float64),
        out["se"].to_numpy(np.float64),
        out["n"].to_numpy(np.float64),
        out["df"].to_numpy(np.float64),
        rules or Reliability(),
    )
    out["reliable"] = reliable
    out["reliability_note"] = note
    return out


# --------------------------------------------------------------------------------------------
# Grouped sums and domains
# --------------------------------------------------------------------------------------------


class _Grouper:
    """Sums rows into groups; rows coded -1 belong to no group.

    Rows in group order (cells sorted by domain, then stratum) are summed by `np.add.reduceat`
    over all columns at once; other rows with one `np.bincount` per column, which keeps every
    temporary at one column's size: on large frames this is faster than one product over an
    n x k block, whose fresh allocation costs more in page faults than the arithmetic.
    """

    def __init__(self, codes: np.ndarray, n_groups: int) -> None:
        codes = np.asarray(codes, dtype=np.int64)
        self.n_groups = n_groups
        self.codes = np.where(codes < 0, n_groups, codes) if (codes < 0).any() else codes
        self.starts = None
        if len(codes) and codes[0] == 0 and (np.diff(codes) >= 0).all():
            sizes = np.bincount(codes, minlength=n_groups)
            if len(sizes) == n_groups and (sizes > 0).all():
                self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def sum(self, values: np.ndarray) -> np.ndarray:
        if self.starts is not None:
            return np.add.reduceat(values, self.starts, axis=0)
        if values.ndim == 1:
            return np.bincount(self.codes, weights=values, minlength=self.n_groups + 1)[
                : self.n_groups
            ]
        values = np.asfortranarray(values)  # contiguous columns for bincount
        out = np.empty((self.n_groups, values.shape[1]))
        for j in range(values.shape[1]):
            out[:, j] = self.sum(values[:, j])
        return out


def _factorize(keys: np.ndarray, upper: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct non-negative keys (< upper) and each key's position among them.

    Counting instead of sorting when the key range is small enough: O(rows), not a sort.
    """
    if upper <= 1 << 26:
        seen = np.bincount(keys, minlength=upper) > 0
        present = np.flatnonzero(seen)
        lookup = np.cumsum(seen) - 1
        return present, lookup[keys]
    present, inverse = np.unique(keys, return_inverse=True)
    return present, inverse.astype(np.int64)


@dataclass
class _Domains:
    codes: np.ndarray  # one per row; -1 = in no domain (a missing `by` value)
    count: int
    keys: pd.DataFrame  # one row per domain: the by columns


def _as_list(value: str | Sequence[str] | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise ParameterError(f"{name} must be a column name or a list of column names")
    return items


def _check_columns(df: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise InputError(f"{role} column not in the data", column=", ".join(absent))


def _make_domains(df: pd.DataFrame, by: list[str]) -> _Domains:
    n = len(df)
    if not by:
        return _Domains(np.zeros(n, dtype=np.int64), 1, pd.DataFrame(index=range(1)))
    _check_columns(df, by, "by")
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques_per_column = []
    upper = 1
    for col in by:
        codes, uniques = factorize_sorted(df[col])
        missing |= codes < 0
        radix = len(uniques) + 1
        combined = combined * radix + codes
        upper *= radix
        uniques_per_column.append((col, uniques, radix))
    codes = np.full(n, -1, dtype=np.int64)
    keep = ~missing
    present, codes[keep] = _factorize(combined[keep], upper)
    keys = {}
    remainder = present.copy()
    for col, uniques, radix in reversed(uniques_per_column):
        keys[col] = uniques.take(remainder % radix)
        remainder = remainder // radix
    frame = pd.DataFrame({col: keys[col] for col in by})
    for col in by:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            frame[col] = pd.Categorical(frame[col], dtype=df[col].dtype)
    return _Domains(codes, len(present), frame)


# --------------------------------------------------------------------------------------------
# The variance engine
# --------------------------------------------------------------------------------------------


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
        self.terms: list[_CalibrationTerm] = []
        if self.calibrated:
            self.terms, self.steps = _calibration_terms(df, prep)
            self._setup_calibration(codes)
        self.stage1 = self._cells(codes, prep.psu, prep.n_psus, prep.psu_stratum, prep.n_strata)
        self.stage2 = None
        if prep.two_stage:
            assert prep.ssu is not None and prep.ssu_psu is not None
            self.stage2 = self._cells(codes, prep.ssu, prep.n_ssus, prep.ssu_psu, prep.n_psus)

    def _cells(
        self,
        codes: np.ndarray,
        unit: np.ndarray,
        n_units: int,
        unit_group: np.ndarray,
        n_groups: int,
    ) -> dict:
        d_count = self.domains.count
        rows = np.flatnonzero(codes >= 0)
        cell_codes = np.full(len(codes), -1, dtype=np.int64)
        if self.calibrated:
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

    def _setup_calibration(self, codes: np.ndarray) -> None:
        prep, d_count = self.prep, self.domains.count
        self.term_groupers = []
        self.unit_weight_sums = []  # per term: (n_psus, L) and (n_ssus, L) sums of u
        for term in self.terms:
            grp_codes = np.where(codes >= 0, codes * term.n_levels + term.level, -1)
            self.term_groupers.append(_Grouper(grp_codes, d_count * term.n_levels))
            psu_level = prep.psu * term.n_levels + term.level
            w1 = np.bincount(psu_level, weights=term.u, minlength=prep.n_psus * term.n_levels)
            w2 = None
            if prep.two_stage:
                assert prep.ssu is not None
                ssu_level = prep.ssu * term.n_levels + term.level
                w2 = np.bincount(
                    ssu_level, weights=term.u, minlength=prep.n_ssus * term.n_levels
                ).reshape(prep.n_ssus, term.n_levels)
            self.unit_weight_sums.append((w1.reshape(prep.n_psus, term.n_levels), w2))
        # cross[k][j][l, m] = sum over rows in cell l of term k and cell m of term j of a_k u_j
        self.cross = []
        for tk in self.terms:
            row = []
            for tj in self.terms:
                key = tk.level * tj.n_levels + tj.level
                row.append(
                    np.bincount(
                        key, weights=tk.a * tj.u, minlength=tk.n_levels * tj.n_levels
                    ).reshape(tk.n_levels, tj.n_levels)
                )
            self.cross.append(row)

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
        terms = (
            [
                np.column_stack([g.sum(t.a * p) for p in parts])
                for g, t in zip(self.term_groupers, self.terms, strict=True)
            ]
            if self.calibrated
            else []
        )
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

    def _calibration_coefficients(self, coefs: np.ndarray, sums: _CellSums) -> list[np.ndarray]:
        d_count, width = self.domains.count, coefs.shape[2]
        cell_sums = []
        for term, grouped in zip(self.terms, sums.terms, strict=True):
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

    def _unit_totals(self, cells: dict, grouped: np.ndarray, coefs: np.ndarray, calib, stage):
        """Totals of the linearised values per cell, less the calibration residual terms."""
        totals = np.einsum("ncj,jnc->nc", grouped, coefs[:, cells["cell_domain"], :])
        if calib is not None:
            d_count, width = self.domains.count, coefs.shape[2]
            correction = np.zeros((d_count, cells["n_units"], width))
            for k, c in enumerate(calib):
                weight_sums = self.unit_weight_sums[k][stage - 1]
                correction += np.einsum("pl,dlv->dpv", weight_sums, c)
            totals = totals - correction.reshape(d_count * cells["n_units"], width)
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
        calib = self._calibration_coefficients(coefs, sums) if self.calibrated else None
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
            s2 = self.stage2
            assert prep.n_ssu is not None and prep.fpc2_factor is not None
            assert sums.stage2 is not None
            totals2 = self._unit_totals(s2, sums.stage2, coefs, calib, 2)
            n_units2 = prep.n_ssu[s2["group_id"]][:, None]
            factor2 = prep.fpc2_factor[s2["group_id"]][:, None]
            contribution2 = self._between_units(s2, totals2, n_units2, factor2, None)
            fraction = prep.sampling_fraction[prep.psu_stratum[s2["group_id"]]][:, None]
            var = var + s2["group_to_domain"].sum(np.nan_to_num(contribution2 * fraction))
        return np.maximum(var, 0.0), df

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
        calib = self._calibration_coefficients(coefs, sums) if self.calibrated else None
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


# --------------------------------------------------------------------------------------------
# Shared pieces of the estimators
# --------------------------------------------------------------------------------------------


def _numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    series = df[col]
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(np.float64).to_numpy()
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(
            "variable is not numeric; use proportion() for a categorical variable", column=col
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass
class _Stats:
    """Per domain x column results of one estimator, before CIs and flags."""

    estimate: np.ndarray
    variance: np.ndarray
    deff: np.ndarray
    n: np.ndarray
    weight_sum: np.ndarray
    df: np.ndarray


# A column provider returns y (float, NaN = missing) or, for 0/1 indicators, the pair
# (non-missing mask, indicator mask).
_Column = Callable[[], "np.ndarray | tuple[np.ndarray, np.ndarray]"]


def _mean_stats(engine: _Engine, columns: Sequence[_Column], statistic: str) -> _Stats:
    """Means (or totals) of many columns in every domain, as R's svymean / svytotal.

    Per column, one pass of grouped sums over the rows: the cell (domain x PSU) sums of the
    validity mask, w, w*y (and w*y^2 unless the column is 0/1). Everything after that (the
    estimates, the deff, the linearised values z = w (y - mean) / W for means or w y for
    totals, and their variance) works on cells x columns arrays for all columns at once.
    """
    w = engine.prep.weights
    in_domain = engine.in_domain
    reduced, counts, squares = [], [], []
    for provide in columns:
        column = provide()
        if isinstance(column, tuple):
            valid, hit = column
            valid = valid & in_domain
            wv = w * valid
            wy = w * (hit & valid)
            wyy = None
        else:
            valid = ~np.isnan(column)
            valid &= in_domain
            y = np.where(valid, column, 0.0)
            wv = w * valid
            wy = wv * y
            wyy = wy * y
        counts.append(engine.count(valid))
        reduced.append(engine.reduce([wy, wv]))
        squares.append(wyy)
    sums = engine.collect(reduced)
    counts_cells = np.column_stack(counts)
    n = engine.domain_sums(counts_cells)
    domain = engine.domain_sums(sums.stage1)  # (domains, columns, [wy, wv])
    wy_sum, weight_sum = domain[:, :, 0], domain[:, :, 1]
    wyy_sum = np.column_stack(
        [wy_sum[:, k] if sq is None else engine.to_domain_sum(sq) for k, sq in enumerate(squares)]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = wy_sum / weight_sum
    if statistic == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(weight_sum > 0, 1.0 / weight_sum, 0.0)
            beta = np.where(weight_sum > 0, -mean / weight_sum, 0.0)
        coefs = np.stack([alpha, beta])
        estimate = mean
    else:
        coefs = np.stack([np.ones_like(wy_sum), np.zeros_like(wy_sum)])
        estimate = wy_sum
    variance, df = engine.variance(coefs, sums, counts_cells)
    # R's deff=TRUE: against SRS without replacement of n from a population of sum(w).
    with np.errstate(divide="ignore", invalid="ignore"):
        ss = np.maximum(wyy_sum - weight_sum * mean**2, 0.0)
        s2 = ss / weight_sum * n / (n - 1)
        srs = s2 * (weight_sum - n) / (weight_sum * n)
        if statistic == "total":
            srs = srs * weight_sum**2
        deff = np.where(weight_sum >= n, variance / srs, np.nan)
    estimate = np.where(n > 0, estimate, np.nan)
    return _Stats(estimate, variance, deff, n, weight_sum, df)


def _t_interval(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore"):
        t = _t_quantile(1 - (1 - level) / 2, df)
    return estimate - t * se, estimate + t * se


def _check_level(level: float) -> None:
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise ParameterError(f"level={level!r} must be a confidence level between 0 and 1")


def _frame(
    domains: _Domains,
    variable_names: Sequence[str],
    level_values: Sequence[object] | None,
    st: _Stats,
    ci: tuple[np.ndarray, np.ndarray],
    kind: str,
    rules: Reliability,
) -> pd.DataFrame:
    """Lay out (domains x columns) arrays as the tidy shape: column-major, domains inside."""
    d_count, c_count = st.estimate.shape
    flat = lambda a: np.asarray(a).reshape(-1, order="F")  # noqa: E731
    keys = domains.keys.iloc[np.tile(np.arange(d_count), c_count)].reset_index(drop=True)
    estimate = flat(st.estimate)
    se = np.sqrt(flat(st.variance))
    se = np.where(np.isnan(estimate), np.nan, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(estimate)
    n = flat(st.n).astype(np.int64)
    df = flat(st.df).astype(np.int64)
    reliable, note = _reliability(kind, estimate, se, n, df, rules)
    out = keys.assign(
        variable=np.repeat(np.asarray(variable_names, dtype=object), d_count),
        level=(
            np.repeat(np.asarray(level_values, dtype=object), d_count)
            if level_values is not None
            else pd.NA
        ),
        estimate=estimate,
        se=se,
        ci_low=flat(ci[0]),
        ci_high=flat(ci[1]),
        cv=cv,
        deff=flat(st.deff),
        n=n,
        N=flat(st.weight_sum),
        df=df,
        reliable=reliable,
        reliability_note=note,
    )
    return out


def _setup(
    df: pd.DataFrame, design: Design, by: str | Sequence[str] | None
) -> tuple[PreparedDesign, _Domains, _Engine]:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    prep = prepare(df, design)
    domains = _make_domains(df, _as_list(by, "by"))
    return prep, domains, _Engine(df, prep, domains)


# --------------------------------------------------------------------------------------------
# Public estimators
# --------------------------------------------------------------------------------------------


def mean(
    df: pd.DataFrame,
    design: Design,
    variables: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    *,
    reliability: Reliability | None = None,
) -> pd.DataFrame:
    """Weighted means with design-based SEs, by domain. R: `svyby(~y, ~by, design, svymean,
    deff=TRUE, na.rm=TRUE)` (or `svymean(~y, design, deff=TRUE, na.rm=TRUE)` with no `by`).

    CIs are t intervals on the domain df (R: `confint(..., df=degf(subset(design, domain)))`).
    For a 0/1 variable whose share is to be published use `proportion(...)`, which gives the
    same estimate and SE with a proportion CI (logit by default) and the NCHS rules.

    Returns the `by` columns then `ESTIMATE_COLUMNS` (one row per domain x variable; `level`
    is missing); `reliable` uses `min_n` and `max_cv` of `reliability`.
    """
    return _mean_or_total(df, design, variables, by, level, "mean", reliability)


def total(
    df: pd.DataFrame,
    design: Design,
    variables: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    *,
    reliability: Reliability | None = None,
) -> pd.DataFrame:
    """Weighted totals with design-based SEs, by domain. R: `svyby(~y, ~by, design, svytotal,
    deff=TRUE, na.rm=TRUE)`. Same output shape and rules as `mean`."""
    return _mean_or_total(df, design, variables, by, level, "total", reliability)


def _mean_or_total(
    df: pd.DataFrame,
    design: Design,
    variables: str | Sequence[str],
    by: str | Sequence[str] | None,
    level: float,
    statistic: str,
    reliability: Reliability | None,
) -> pd.DataFrame:
    _check_level(level)
    names = _as_list(variables, "variables")
    if not names:
        raise ParameterError("variables is empty: name at least one column")
    _check_columns(df, names, "variable")
    _, domains, engine = _setup(df, design, by)
    columns = [lambda c=c: _numeric_column(df, c) for c in names]
    for c in names:  # fail early, before any work, on a non-numeric column
        if not (
            pd.api.types.is_numeric_dtype(df[c].dtype) or pd.api.types.is_bool_dtype(df[c].dtype)
        ):
            _numeric_column(df, c)
    st = _mean_stats(engine, columns, statistic)
    ci = _t_interval(st.estimate, np.sqrt(st.variance), st.df, level)
    return _frame(domains, names, None, st, ci, "mean", reliability or Reliability())


def _levels_of(series: pd.Series) -> list[object]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in used]
    values = series.dropna().unique()
    try:
        return sorted(values.tolist())
    except TypeError:
        return list(values)


def _indicator(series: pd.Series, value: object) -> _Column:
    """The (non-missing, equals value) masks of a column, for a 0/1 indicator."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        if pd.api.types.is_float_dtype(series.dtype):
            values = series.to_numpy()
            return ~np.isnan(values), values == value
        missing = series.isna().to_numpy()
        hit = (series == value).to_numpy(dtype=bool, na_value=False)
        return ~missing, hit

    return make


def proportion_interval(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    level: float = 0.95,
    method: str = "logit",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of shares from their estimate, SE, unweighted n and design df.

    The intervals of `proportion` (see there for the methods; R's `svyciprop`), for shares
    computed elsewhere, e.g. composite indices whose SE comes from a linearised total.
    """
    if method not in PROPORTION_METHODS:
        raise ParameterError(f"method={method!r} is not one of {', '.join(PROPORTION_METHODS)}")
    p, se, n, df = (np.asarray(a, dtype=np.float64) for a in (p, se, n, df))
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _t_quantile(1 - alpha / 2, df)
        if method == "wald":
            low, high = p - t * se, p + t * se
        elif method == "logit":
            eta = np.log(p / (1 - p))
            half = t * se / (p * (1 - p))
            low, high = _expit(eta - half), _expit(eta + half)
        elif method == "wilson":
            n_eff = p * (1 - p) / se**2
            centre = (p + t**2 / (2 * n_eff)) / (1 + t**2 / n_eff)
            half = t / (1 + t**2 / n_eff) * np.sqrt(p * (1 - p) / n_eff + t**2 / (4 * n_eff**2))
            low, high = centre - half, centre + half
        else:
            low, high = _korn_graubard(p, se, n, df, level, cap=False)
    # Zero variance (p is 0 or 1): every Wald-type interval collapses to a point, so give the
    # Clopper-Pearson interval on the unweighted n (the NCHS convention) instead.
    degenerate = (se == 0) & ~np.isnan(p)
    if degenerate.any():
        low, high = low.copy(), high.copy()
        low[degenerate], high[degenerate] = _korn_graubard(
            p[degenerate], se[degenerate], n[degenerate], df[degenerate], level, cap=True
        )
    return low, high


_proportion_interval = proportion_interval  # the name other modules first used


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def proportion(
    df: pd.DataFrame,
    design: Design,
    variable: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    method: str = "logit",
    level: float = 0.95,
    *,
    levels: Sequence[object] | None = None,
    reliability: Reliability | None = None,
) -> pd.DataFrame:
    """Share of each level of one or more variables, by domain, with proportion CIs.

    R: `svyby(~I(y == level), ~by, design, svyciprop, method=, vartype="ci")` for each level;
    the estimate, SE and deff are those of `svymean` of the level's 0/1 indicator.
    `method`: "logit" (R's default), "beta" (Korn-Graubard), "wald" (R's method="mean": a t
    interval), "wilson" (score interval on the effective n p(1-p)/se^2 with the t quantile on
    the design df; R 4.1 has no such method). All use the domain df, as R's `svyciprop` on a
    domain does. Where the SE is zero (p = 0 or 1) the CI is Clopper-Pearson on the
    unweighted n for every method. For "beta", n (in the df adjustment t_{n-1}/t_df) counts
    the domain's non-missing rows; R counts every row of the subset design, which differs
    when there are missing values and on calibrated designs (whose subsets keep all rows).

    `levels` keeps only those levels (e.g. `levels=[1]` on 0/1 "satisfied" columns gives one
    row per domain x variable: the fast way to get many satisfied shares at once). Rows with
    a missing value are left out of the denominator; `n` counts the rest.

    Returns the `by` columns then `ESTIMATE_COLUMNS`, one row per domain x variable x level;
    `reliable` applies the NCHS proportion rules of `reliability`.
    """
    _check_level(level)
    if method not in PROPORTION_METHODS:
        raise ParameterError(f"method={method!r} is not one of {', '.join(PROPORTION_METHODS)}")
    names = _as_list(variable, "variable")
    if not names:
        raise ParameterError("variable is empty: name at least one column")
    _check_columns(df, names, "variable")
    _, domains, engine = _setup(df, design, by)
    columns, column_variables, column_levels = [], [], []
    for name in names:
        series = df[name]
        # Requested levels are reported even when never observed (a share of zero).
        chosen = _levels_of(series) if levels is None else list(levels)
        for value in chosen:
            columns.append(_indicator(series, value))
            column_variables.append(name)
            column_levels.append(value)
    if not columns:
        raise InputError("variable has no non-missing values", column=", ".join(names))
    st = _mean_stats(engine, columns, "mean")
    se = np.sqrt(st.variance)
    ci = proportion_interval(st.estimate, se, st.n, st.df, level, method)
    return _frame(
        domains,
        column_variables,
        column_levels,
        st,
        ci,
        "proportion",
        reliability or Reliability(),
    )


def ratio(
    df: pd.DataFrame,
    design: Design,
    numerator: str | Sequence[str],
    denominator: str,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    *,
    reliability: Reliability | None = None,
) -> pd.DataFrame:
    """Ratio of weighted totals sum(w y) / sum(w x), by domain. R: `svyby(~y, ~by,
    denominator=~x, design=design, FUN=svyratio, na.rm=TRUE)` (`svyratio(~y, ~x, design)`).

    Rows where the numerator or the denominator is missing are dropped for that ratio (R's
    na.rm=TRUE). `deff` follows R's `svyratio(deff=TRUE)`. `variable` reads "y/x".
    """
    _check_level(level)
    names = _as_list(numerator, "numerator")
    if not names or not isinstance(denominator, str):
        raise ParameterError("ratio needs numerator column(s) and one denominator column")
    _check_columns(df, [*names, denominator], "ratio")
    prep, domains, engine = _setup(df, design, by)
    x_all = _numeric_column(df, denominator)
    w = prep.weights
    codes = domains.codes
    safe = np.where(codes >= 0, codes, 0)
    y = np.column_stack([_numeric_column(df, c) for c in names])
    valid = ~np.isnan(y) & ~np.isnan(x_all)[:, None] & engine.in_domain[:, None]
    y = np.where(valid, y, 0.0)
    x = np.where(valid, x_all[:, None], 0.0)
    wv = np.where(valid, w[:, None], 0.0)
    y_sum = engine.to_domain_sum(wv * y)
    x_sum = engine.to_domain_sum(wv * x)
    n = engine.to_domain_sum(valid.astype(np.float64))
    weight_sum = engine.to_domain_sum(wv)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = y_sum / x_sum
        r = np.where(valid, (y - estimate[safe] * x) / x_sum[safe], 0.0)
    r = np.nan_to_num(r)
    variance, ddf = engine.plain_variance(wv * r, valid)
    # R: deff(svytotal(r, design, deff=TRUE)) with r = (y - R x) / X.
    r_mean = engine.to_domain_sum(wv * r) / weight_sum
    ss = engine.to_domain_sum(wv * (r - np.where(valid, r_mean[safe], 0.0)) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = ss / weight_sum * n / (n - 1) * weight_sum**2 * (weight_sum - n) / (weight_sum * n)
        deff = variance / srs
    estimate = np.where(n > 0, estimate, np.nan)
    st = _Stats(estimate, variance, deff, n, weight_sum, ddf)
    ci = _t_interval(st.estimate, np.sqrt(st.variance), st.df, level)
    labels = [f"{c}/{denominator}" for c in names]
    return _frame(domains, labels, None, st, ci, "mean", reliability or Reliability())


# --------------------------------------------------------------------------------------------
# Differences and tests
# --------------------------------------------------------------------------------------------


DIFFERENCE_COLUMNS = [
    "variable",
    "a",
    "b",
    "estimate_a",
    "estimate_b",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
]


def difference(
    df: pd.DataFrame,
    design: Design,
    variables: str | Sequence[str],
    between: str,
    a: object,
    b: object,
    by: str | Sequence[str] | None = None,
    statistic: str = "mean",
    level: float = 0.95,
) -> pd.DataFrame:
    """Difference a - b between two domains of one design, with a design-based Wald t test.

    The two domains are the rows with `between == a` and `between == b`, within each domain
    of `by` (e.g. `between="field", a="đất đai", b="hộ tịch", by="province"`). Their estimates
    are correlated through shared PSUs, strata and calibration cells, so the SE is that of
    the difference of their linearised values, not sqrt(se_a^2 + se_b^2). R:
    `svycontrast(svyby(~y, ~between, design, svymean, covmat=TRUE), c(a=1, b=-1))`.
    `statistic` is "mean" (also a share for 0/1 columns) or "total".

    Two waves in one frame (strata nested in wave) are two domains of one stacked design
    and can use this function; results of two separate designs go to
    `difference_independent`.

    Returns the `by` columns then `DIFFERENCE_COLUMNS`: `statistic` is estimate / se, and
    `df` and `p_value` use a t distribution on the df of the two domains together
    (PSUs minus strata holding rows of either); `p_value` is two-sided.
    """
    _check_level(level)
    if statistic not in ("mean", "total"):
        raise ParameterError(f"statistic={statistic!r} must be 'mean' or 'total'")
    names = _as_list(variables, "variables")
    by_cols = _as_list(by, "by")
    _check_columns(df, [*names, between, *by_cols], "difference")
    if between in by_cols:
        raise ParameterError(f"between={between!r} cannot also be a by column")
    prep = prepare(df, design)
    side = np.where(
        df[between].eq(a).to_numpy(dtype=bool, na_value=False),
        0,
        np.where(df[between].eq(b).to_numpy(dtype=bool, na_value=False), 1, -1),
    )
    for value, k in ((a, 0), (b, 1)):
        if not (side == k).any():
            raise InputError(f"no rows with {between} == {value!r}", column=between)
    coarse = _make_domains(df, by_cols)
    fine_codes = np.where((coarse.codes >= 0) & (side >= 0), coarse.codes * 2 + side, -1)
    to_fine = _Grouper(fine_codes, coarse.count * 2)
    coarse_codes = np.where(fine_codes >= 0, coarse.codes, -1)
    coarse_in = _Domains(coarse_codes, coarse.count, coarse.keys)
    engine = _Engine(df, prep, coarse_in)
    w = prep.weights
    safe = np.where(fine_codes >= 0, fine_codes, 0)
    sign = np.where(side == 1, -1.0, 1.0)
    y = np.column_stack([_numeric_column(df, c) for c in names])
    valid = ~np.isnan(y) & (fine_codes >= 0)[:, None]
    y = np.where(valid, y, 0.0)
    wv = np.where(valid, w[:, None], 0.0)
    weight_sum = to_fine.sum(wv)
    wy_sum = to_fine.sum(wv * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "mean":
            est = wy_sum / weight_sum
            z = wv * np.where(valid, y - est[safe], 0.0) / weight_sum[safe]
        else:
            est = wy_sum
            z = wv * y
    z = np.nan_to_num(z) * sign[:, None]
    variance, ddf = engine.plain_variance(z, valid)
    est_a, est_b = est[0::2], est[1::2]
    diff = est_a - est_b
    se = np.sqrt(variance)
    low, high = _t_interval(diff, se, ddf, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = diff / se
        p_value = 2 * stats.t.sf(np.abs(t_stat), np.where(ddf > 0, ddf, np.nan))
    d_count = coarse.count
    flat = lambda arr: np.asarray(arr).reshape(-1, order="F")  # noqa: E731
    keys = coarse.keys.iloc[np.tile(np.arange(d_count), len(names))].reset_index(drop=True)
    return keys.assign(
        variable=np.repeat(np.asarray(names, dtype=object), d_count),
        a=a,
        b=b,
        estimate_a=flat(est_a),
        estimate_b=flat(est_b),
        estimate=flat(diff),
        se=flat(se),
        ci_low=flat(low),
        ci_high=flat(high),
        statistic=flat(t_stat),
        df=flat(ddf).astype(np.int64),
        p_value=flat(p_value),
    )


def difference_independent(
    first: pd.DataFrame,
    second: pd.DataFrame,
    on: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Difference second - first between two independent samples (e.g. two survey waves).

    `first` and `second` are result frames of this module (e.g. `proportion(...)` on each
    wave). Rows are matched on `on` (default: the by columns plus `variable` and `level`).
    With independent samples the covariance is zero: se = sqrt(se_1^2 + se_2^2). The df is
    the smaller of the two (a conservative choice; Satterthwaite needs per-stratum terms that
    result frames do not keep) and the test is a two-sided t test.

    Returns the match columns, then `estimate_first`, `estimate_second`, `estimate`
    (second - first), `se`, `ci_low`, `ci_high`, `statistic`, `df`, `p_value`.
    """
    _check_level(level)
    if on is None:
        keys = [c for c in first.columns if c not in ESTIMATE_COLUMNS] + ["variable", "level"]
    else:
        keys = _as_list(on, "on")
    for frame, name in ((first, "first"), (second, "second")):
        absent = [c for c in [*keys, "estimate", "se", "df"] if c not in frame.columns]
        if absent:
            raise ParameterError(f"{name} lacks columns {absent}")
    left = first[[*keys, "estimate", "se", "df"]].copy()
    right = second[[*keys, "estimate", "se", "df"]].copy()
    for frame in (left, right):
        if "level" in keys:
            frame["level"] = frame["level"].astype(object).where(frame["level"].notna(), "")
    merged = left.merge(right, on=keys, suffixes=("_first", "_second"), how="inner")
    est = merged["estimate_second"] - merged["estimate_first"]
    se = np.sqrt(merged["se_first"] ** 2 + merged["se_second"] ** 2)
    ddf = np.minimum(merged["df_first"], merged["df_second"]).to_numpy()
    low, high = _t_interval(est.to_numpy(), se.to_numpy(), ddf, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = est / se
        p_value = 2 * stats.t.sf(np.abs(t_stat), np.where(ddf > 0, ddf, np.nan))
    out = merged[keys].copy()
    if "level" in keys:
        out["level"] = out["level"].where(out["level"] != "", pd.NA)
    return out.assign(
        estimate_first=merged["estimate_first"],
        estimate_second=merged["estimate_second"],
        estimate=est,
        se=se,
        ci_low=low,
        ci_high=high,
        statistic=t_stat,
        df=ddf,
        p_value=p_value,
    )


def adjust_pvalues(pvalues: Sequence[float] | np.ndarray | pd.Series, method: str = "holm"):
    """Multiple-testing adjustment: "holm" (family-wise) or "fdr_bh" (Benjamini-Hochberg).

    Missing p-values stay missing and are not counted as tests. Returns the same kind of
    object (a Series keeps its index). R: `p.adjust(p, method="holm" / "BH")`.
    """
    from statsmodels.stats.multitest import multipletests

    if method not in ("holm", "fdr_bh"):
        raise ParameterError(f"method={method!r} must be 'holm' or 'fdr_bh'")
    values = np.asarray(pvalues, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    if ok.any():
        out[ok] = multipletests(values[ok], method=method)[1]
    if isinstance(pvalues, pd.Series):
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out


CHISQ_COLUMNS = ["test", "statistic", "ndf", "ddf", "p_value", "pearson", "n"]


def chisq(
    df: pd.DataFrame,
    design: Design,
    row: str,
    col: str,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Design-based test of independence of two categorical variables. R: `svychisq(~row +
    col, design)` (statistic="F", the default) and `svychisq(..., statistic="Chisq")`; with
    `by`, the same on `subset(design, domain)` for every domain.

    Pearson's X^2 is computed on the weighted table rescaled to the number of rows (as R),
    then corrected with the eigenvalues of the design-effect matrix Delta (Rao & Scott 1984):
    "F" is the second-order correction X^2 / tr(Delta) on F(d, d * df) with
    d = tr(Delta)^2 / tr(Delta^2) and df the (domain) design df; "Chisq" is the first-order
    correction, X^2 / mean eigenvalue on chi^2((r-1)(c-1)). Rows with a missing `row` or
    `col` are left out of the cell shares (R's na.rm=TRUE); the levels are those present in
    the domain. (R's subset of a calibrated design keeps every row, so R rescales its table
    to the whole sample; here a domain's table is rescaled to the domain's rows.)

    Returns the `by` columns then `CHISQ_COLUMNS`, two rows per domain: `test` ("F",
    "Chisq"), `statistic` (F for "F", Pearson's X^2 for "Chisq", as R prints them), `ndf`,
    `ddf` (missing for "Chisq"), `p_value`, `pearson` (the uncorrected X^2), `n` (rows
    with both values).
    """
    by_cols = _as_list(by, "by")
    _check_columns(df, [row, col], "chisq")
    if row in by_cols or col in by_cols:
        raise ParameterError("chisq: row and col cannot also be by columns")
    prep = prepare(df, design)
    domains = _make_domains(df, by_cols)
    r_levels, c_levels = _levels_of(df[row]), _levels_of(df[col])
    if len(r_levels) < 2 or len(c_levels) < 2:
        raise InputError(
            "chisq needs at least two levels in each variable", column=f"{row}, {col}"
        )
    nr, nc = len(r_levels), len(c_levels)
    r_code = pd.Categorical(df[row], categories=r_levels).codes.astype(np.int64)
    c_code = pd.Categorical(df[col], categories=c_levels).codes.astype(np.int64)
    complete = (r_code >= 0) & (c_code >= 0) & (domains.codes >= 0)
    cell = np.where(complete, r_code + nr * c_code, -1)  # rows vary fastest, as R's interaction
    k = nr * nc
    inner = _Domains(np.where(complete, domains.codes, -1), domains.count, domains.keys)
    engine = _Engine(df, prep, inner)
    w = np.where(complete, prep.weights, 0.0)
    sums = engine.collect([engine.reduce([w * (cell == j), w]) for j in range(k)])
    totals = engine.domain_sums(sums.stage1)  # (domains, k, [w I, w])
    weight_sum = totals[:, :, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = totals[:, :, 0] / weight_sum
        coefs = np.stack([1.0 / weight_sum, -shares / weight_sum])
    cov = engine.covariance(np.nan_to_num(coefs), sums)

    d_count = domains.count
    in_domain = domains.codes >= 0
    n_rows = np.bincount(domains.codes[in_domain], minlength=d_count)  # R: nrow(subset)
    n_complete = np.bincount(inner.codes[complete], minlength=d_count)
    keys = domains.codes[in_domain] * prep.n_psus + prep.psu[in_domain]
    cells, _ = _factorize(keys, d_count * prep.n_psus)
    psus = np.bincount(cells // prep.n_psus, minlength=d_count)
    keys = domains.codes[in_domain] * prep.n_strata + prep.stratum[in_domain]
    groups, _ = _factorize(keys, d_count * prep.n_strata)
    strata = np.bincount(groups // prep.n_strata, minlength=d_count)
    nu = psus - strata

    records = []
    grid_r, grid_c = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    for d in range(d_count):  # r x c algebra per domain; the variance work is done above
        stats_d = _rao_scott(shares[d], cov[d], grid_r, grid_c, int(n_rows[d]), int(nu[d]))
        records.append([*stats_d, int(n_complete[d])])
    values = np.array(records, dtype=np.float64)  # one row of 8 statistics per domain
    out = domains.keys.iloc[np.repeat(np.arange(d_count), 2)].reset_index(drop=True)
    f_stat, d0, ddf, f_p, pearson, chi_df, chi_p, n = values.T
    return out.assign(
        test=np.tile(["F", "Chisq"], d_count),
        statistic=np.column_stack([f_stat, pearson]).ravel(),
        ndf=np.column_stack([d0, chi_df]).ravel(),
        ddf=np.column_stack([ddf, np.full(d_count, np.nan)]).ravel(),
        p_value=np.column_stack([f_p, chi_p]).ravel(),
        pearson=np.repeat(pearson, 2),
        n=np.repeat(n, 2).astype(np.int64),
    )


def _rao_scott(
    shares: np.ndarray,
    v: np.ndarray,
    grid_r: np.ndarray,
    grid_c: np.ndarray,
    n_total: int,
    nu: int,
) -> list[float]:
    """R's svychisq() statistics for one table of cell shares with covariance v."""
    nan = [np.nan] * 7
    if not np.isfinite(shares).all():
        return nan
    rows = [i for i in np.unique(grid_r) if shares[grid_r == i].sum() > 0]
    cols = [j for j in np.unique(grid_c) if shares[grid_c == j].sum() > 0]
    if len(rows) < 2 or len(cols) < 2:
        return nan
    keep = np.isin(grid_r, rows) & np.isin(grid_c, cols)
    p, v = shares[keep], v[np.ix_(keep, keep)]
    gr = np.searchsorted(rows, grid_r[keep])
    gc = np.searchsorted(cols, grid_c[keep])
    nr, nc, k = len(rows), len(cols), int(keep.sum())

    table = np.zeros((nr, nc))
    table[gr, gc] = p * n_total
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    pearson = float(((table - expected) ** 2 / expected).sum())

    x1 = np.column_stack(
        [np.ones(k)]
        + [(gr == i).astype(float) for i in range(1, nr)]
        + [(gc == j).astype(float) for j in range(1, nc)]
    )
    x12 = np.column_stack(
        [((gr == i) & (gc == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    q, _ = np.linalg.qr(x1)
    cmat = x12 - q @ (q.T @ x12)
    with np.errstate(divide="ignore"):
        inv_share = np.where(p == 0, 0.0, 1.0 / p)
    denom = cmat.T @ (np.diag(inv_share) / n_total) @ cmat
    numer = cmat.T @ np.diag(inv_share) @ v @ np.diag(inv_share) @ cmat
    try:
        delta = np.linalg.solve(denom, numer)
    except np.linalg.LinAlgError:
        return nan
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    f_stat = pearson / trace
    chisq_df = (nr - 1) * (nc - 1)
    with np.errstate(invalid="ignore"):
        f_p = float(stats.f.sf(f_stat, d0, d0 * nu)) if nu > 0 else np.nan
        chisq_p = float(stats.chi2.sf(pearson / (trace / delta.shape[0]), chisq_df))
    return [f_stat, d0, d0 * nu, f_p, pearson, float(chisq_df), chisq_p]
