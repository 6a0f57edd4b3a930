"""Survey design: which columns hold the weights, strata, clusters and population sizes.

`Design` mirrors R's `svydesign(ids=~psu+ssu, strata=~strata, weights=~weight,
fpc=~fpc+fpc2, nest=)`: a frozen value holding column roles only, never data. Every
estimator in `satisfaction.stats.estimate` takes `(df, design, ...)`. `prepare(df, design)`
checks the design against a frame (one `DesignError` listing every problem) and turns the
roles into the integer codes and per-stratum constants that the variance code uses;
`validate` is the same check without the result.

What follows R (survey 4.1):
- `fpc` holds population sizes (all values >= 1) or sampling fractions (all values <= 1),
  constant within a stratum (`fpc2`: within a PSU); with no weight column the weights are the
  product over stages of N/n, as `svydesign` computes them from `fpc`.
- With no `fpc` the first stage is taken with replacement (Taylor "ultimate cluster"
  variance); with `fpc` and `fpc2` the second stage is added, as R's `svyrecvar` does.
- `lonely_psu` is R's `options(survey.lonely.psu=)`: "fail" (an error at validation),
  "remove" and "certainty" (no contribution), "adjust" (centred at zero, i.e. at the grand
  mean of the linearised variable), "average" (the mean variance of the other strata). At
  stage 2 (a PSU with one sampled SSU) the rule applies within the PSU as in R's
  `svyrecvar`: "average" has no other stratum to average over there, so R gives no
  standard error (NaN), and so does this package.
- `adjust_domain_lonely` is R's `options(survey.adjust.domain.lonely=)`: a stratum with
  several PSUs of which a domain touches only one is treated with the lonely-PSU rule
  ("adjust": centred at zero; "average": the stratum takes the mean of the others) instead
  of the default (centred at the stratum mean of its PSU totals, absent PSUs counting 0).
- Zero weights are accepted as R accepts them: such rows (e.g. out-of-scope forms) are in
  no domain (no n, N, df or deff counts them, as R's `weights != 0` rules), but their PSU
  still counts among the PSUs of its stratum.
- `domain_df` is the convention for a domain's degrees of freedom and the n of
  Korn-Graubard ("beta") intervals: "rows" (R: `degf(subset(design, domain))` and
  `nrow(subset(design, domain))`: PSUs and rows holding any row of the domain, whether or
  not it answered the item) or "answered" (PSUs and rows holding an answer to the item).
- PSU ids must be nested in strata (each PSU id in one stratum) unless `nest=True`, which
  makes ids unique within strata as R's `nest=TRUE` does. SSU ids are always read within
  their PSU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from satisfaction.errors import DesignError, ParameterError, ProblemCollector
from satisfaction.io.instrument.model import DOMAIN_DF_RULES, LONELY_PSU_RULES

__all__ = [
    "DOMAIN_DF_RULES",
    "LONELY_PSU_RULES",
    "CalibrationStep",
    "Design",
    "PreparedDesign",
    "degrees_of_freedom",
    "factorize_sorted",
    "group_codes",
    "prepare",
    "validate",
]


# R's onestrat() treats a stratum whose finite population correction (1 - n/N) is below this
# as self-representing (all units taken): it contributes no variance and is never "lonely".
_SELF_REPRESENTING = 1e-7


@dataclass(frozen=True)
class CalibrationStep:
    """One post-stratification or raking step that a design remembers (R's `postStrata`).

    `margins` holds the calibration variables: one tuple of columns for post-stratification,
    one tuple per margin for raking. `weights` names, per margin, the frame column that holds
    the weights right after that margin was matched (R's `attr(, "weights")`); `old_weights`
    names the column of weights before post-stratification (R's `attr(, "oldweights")`).
    The variance code uses these to take residuals of the linearised variable within the
    calibration cells, so standard errors count the calibration as R's `svyrecvar` does.
    """

    kind: Literal["poststratify", "rake"]
    margins: tuple[tuple[str, ...], ...]
    weights: tuple[str, ...]
    old_weights: str | None = None

    def columns(self) -> list[str]:
        cols = [c for margin in self.margins for c in margin] + list(self.weights)
        if self.old_weights is not None:
            cols.append(self.old_weights)
        return cols


def _as_columns(value: str | Sequence[str] | None, name: str) -> str | tuple[str, ...] | None:
    if value is None or isinstance(value, str):
        return value
    cols = tuple(value)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ParameterError(f"{name} must be a column name or a list of column names")
    return cols if len(cols) > 1 else cols[0]


@dataclass(frozen=True)
class Design:
    """Column roles of a survey design, as R's `svydesign()` declares them.

    Parameters
    ----------
    weight : sampling weight column; None takes weights from `fpc` (and `fpc2`) as
        R does, or 1 for every row when there is no `fpc` either.
    strata : stratum column (or a list of columns, crossed).
    psu : first-stage cluster column; None means each row is its own PSU (R's `ids=~1`).
    ssu : second-stage cluster column (needs `psu`); used for variance only with `fpc2`.
    fpc, fpc2 : population sizes or sampling fractions for stage 1 and stage 2.
    lonely_psu : one of `LONELY_PSU_RULES`, R's `survey.lonely.psu` option.
    adjust_domain_lonely : R's `survey.adjust.domain.lonely` option (module docstring).
    nest : PSU ids are numbered within strata (R's `nest=TRUE`).
    domain_df : "rows" (R's convention) or "answered" (module docstring).
    calibration : calibration steps, filled in by `satisfaction.stats.weighting`.
    """

    weight: str | None = None
    strata: str | tuple[str, ...] | None = None
    psu: str | None = None
    ssu: str | None = None
    fpc: str | None = None
    fpc2: str | None = None
    lonely_psu: str = "fail"
    nest: bool = False
    calibration: tuple[CalibrationStep, ...] = field(default=())
    adjust_domain_lonely: bool = False
    domain_df: str = "rows"

    def __post_init__(self) -> None:
        object.__setattr__(self, "strata", _as_columns(self.strata, "strata"))
        for role in ("weight", "psu", "ssu", "fpc", "fpc2"):
            value = getattr(self, role)
            if value is not None and not isinstance(value, str):
                raise ParameterError(f"Design({role}=...) must be a column name, got {value!r}")
        if self.lonely_psu not in LONELY_PSU_RULES:
            raise ParameterError(
                f"lonely_psu={self.lonely_psu!r} is not one of {', '.join(LONELY_PSU_RULES)}"
            )
        if self.domain_df not in DOMAIN_DF_RULES:
            raise ParameterError(
                f"domain_df={self.domain_df!r} is not one of {', '.join(DOMAIN_DF_RULES)}"
            )
        if not isinstance(self.adjust_domain_lonely, bool):
            raise ParameterError("adjust_domain_lonely must be True or False")
        if self.ssu is not None and self.psu is None:
            raise ParameterError("Design(ssu=...) needs psu= (the first-stage clusters)")
        if self.fpc2 is not None and (self.fpc is None or self.ssu is None):
            raise ParameterError("Design(fpc2=...) needs fpc= and ssu= (a two-stage design)")
        object.__setattr__(self, "calibration", tuple(self.calibration))

    @property
    def strata_columns(self) -> tuple[str, ...]:
        if self.strata is None:
            return ()
        return (self.strata,) if isinstance(self.strata, str) else tuple(self.strata)

    def columns(self) -> list[str]:
        """Every frame column the design reads (design roles and calibration columns)."""
        cols = [self.weight, *self.strata_columns, self.psu, self.ssu, self.fpc, self.fpc2]
        cols += [c for step in self.calibration for c in step.columns()]
        return list(dict.fromkeys(c for c in cols if c is not None))


@dataclass(frozen=True, eq=False)
class PreparedDesign:
    """A design checked against one frame: integer codes and per-stratum constants.

    Row arrays have one entry per frame row; `psu` codes are unique across strata and
    numbered stratum by stratum (`psu_stratum` is sorted); `ssu` codes PSU by PSU. Stage-1
    constants are per stratum (`n_psu`, `fpc_factor` = 1 - n/N, `sampling_fraction` = n/N);
    stage-2 constants are per PSU and exist only when `two_stage` (ssu with fpc2).
    """

    design: Design
    n: int
    weights: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    fpc_factor: np.ndarray
    sampling_fraction: np.ndarray
    two_stage: bool
    ssu: np.ndarray | None = None
    ssu_psu: np.ndarray | None = None
    n_ssu: np.ndarray | None = None
    fpc2_factor: np.ndarray | None = None

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)

    @property
    def n_psus(self) -> int:
        return len(self.psu_stratum)

    @property
    def n_ssus(self) -> int:
        return 0 if self.ssu_psu is None else len(self.ssu_psu)

    @property
    def calibrated(self) -> bool:
        return bool(self.design.calibration)

    @property
    def lonely_psu(self) -> str:
        return self.design.lonely_psu


def factorize_sorted(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..k-1 of the distinct values in sorted order (-1 where missing), and the values.

    Small-range integer columns (provinces, communes, fields) are counted, not hashed.
    """
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        array = values.to_numpy()
        if len(array) and not (values.dtype.kind == "u" and array.max() > 1 << 62):
            low, high = int(array.min()), int(array.max())
            if high - low < 1 << 24:
                shifted = array.astype(np.int64) - low
                seen = np.bincount(shifted, minlength=high - low + 1) > 0
                lookup = np.cumsum(seen) - 1
                uniques = pd.Index(np.flatnonzero(seen) + low).astype(values.dtype)
                return lookup[shifted], uniques
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


def group_codes(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Integer codes 0..k-1 of the (crossed) columns, in sorted order; -1 where missing."""
    if len(columns) == 1:
        return factorize_sorted(df[columns[0]])[0]
    combined = np.zeros(len(df), dtype=np.int64)
    missing = np.zeros(len(df), dtype=bool)
    for col in columns:
        codes, uniques = factorize_sorted(df[col])
        missing |= codes < 0
        combined = combined * (len(uniques) + 1) + codes
    codes, _ = pd.factorize(np.where(missing, -1, combined), sort=True)
    if missing.any():
        codes = codes - 1  # the -1 sentinel sorts first
    return np.where(missing, -1, codes).astype(np.int64)


def _check_numeric(
    df: pd.DataFrame, col: str, role: str, problems: ProblemCollector, *, zero_ok: bool = False
) -> np.ndarray | None:
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
    bad_type = df[col].notna().to_numpy() & np.isnan(values)
    if bad_type.any():
        row = int(np.flatnonzero(bad_type)[0])
        problems.add(
            f"{role} must be numeric; {int(bad_type.sum())} values are not "
            f"(first at row {row}: {str(df[col].iloc[row])!r})",
            column=col,
        )
        return None
    missing = np.isnan(values)
    if missing.any():
        problems.add(
            f"{role} is missing in {int(missing.sum())} rows (first at row "
            f"{int(np.flatnonzero(missing)[0])})",
            column=col,
        )
        return None
    bad = values < 0 if zero_ok else values <= 0
    if bad.any():
        kind = "zero or negative" if (values < 0).any() else "zero"
        problems.add(
            f"{role} must be {'>= 0' if zero_ok else '> 0'}; {int(bad.sum())} values are "
            f"{kind} (first at row {int(np.flatnonzero(bad)[0])}: {values[bad][0]:g})",
            column=col,
        )
        return None
    if zero_ok and not (values > 0).any():
        problems.add(f"every {role} is zero: nothing to estimate", column=col)
        return None
    return values


def _population_sizes(
    values: np.ndarray, sample_sizes: np.ndarray, col: str, problems: ProblemCollector
) -> np.ndarray | None:
    """R's as.fpc(): all >= 1 are population sizes, all <= 1 are sampling fractions."""
    if (values > 1).any() and (values < 1).any():
        problems.add(
            "fpc mixes population sizes (> 1) and sampling fractions (< 1); use one kind",
            column=col,
        )
        return None
    popsize = values if (values > 1).any() else sample_sizes / values
    too_big = popsize < sample_sizes - 1e-9
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        problems.add(
            f"fpc implies more than 100% sampling: population {popsize[i]:g} but "
            f"{int(sample_sizes[i])} units sampled (row {i})",
            column=col,
        )
        return None
    return popsize


def _constant_within(
    values: np.ndarray, groups: np.ndarray, n_groups: int, col: str, unit: str, p: ProblemCollector
) -> np.ndarray | None:
    first = np.full(n_groups, np.nan)
    first[groups[::-1]] = values[::-1]
    varies = values != first[groups]
    if varies.any():
        row = int(np.flatnonzero(varies)[0])
        p.add(f"fpc varies within a {unit} (first at row {row})", column=col)
        return None
    return first


def prepare(df: pd.DataFrame, design: Design, *, check_lonely: bool = True) -> PreparedDesign:
    """Check `design` against `df` and return the codes the estimators need.

    Raises one `DesignError` listing every problem: a missing column; missing or negative
    weights (or all zero); missing strata, PSU or fpc values; PSUs found in more than one
    stratum; an inconsistent fpc; strata with a single PSU when `lonely_psu="fail"` (unless
    `check_lonely` is False: the weights do not depend on it).
    """
    if not isinstance(design, Design):
        raise ParameterError(f"design must be a satisfaction.Design, got {type(design).__name__}")
    problems = ProblemCollector()
    weights, fpc_values, fpc2_values = _read_values(df, design, problems)
    n = len(df)

    stratum = np.zeros(n, dtype=np.int64)
    if design.strata_columns:
        stratum = group_codes(df, design.strata_columns)
    n_strata = int(stratum.max()) + 1
    psu, psu_stratum = _psu_codes(df, design, stratum, problems)
    n_psus = len(psu_stratum)
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    if n_psus == 1:
        raise DesignError("the design has only one primary sampling unit", column=design.psu)

    fpc_factor = np.ones(n_strata)
    sampling_fraction = np.zeros(n_strata)
    stage1_popsize = None
    if fpc_values is not None:
        per_stratum = _constant_within(
            fpc_values, stratum, n_strata, design.fpc, "stratum", problems
        )
        if per_stratum is not None:
            stage1_popsize = _population_sizes(per_stratum, n_psu, design.fpc, problems)
        if stage1_popsize is not None:
            sampling_fraction = n_psu / stage1_popsize
            fpc_factor = 1.0 - sampling_fraction

    two_stage = design.ssu is not None and design.fpc2 is not None
    stage2 = _StageTwo(None, None, None, None, np.ones(n))
    if design.ssu is not None:
        stage2 = _stage_two(df, design, psu, n_psus, fpc2_values, problems)
    problems.raise_if_any(DesignError)

    if weights is None:
        if stage1_popsize is not None:
            weights = (stage1_popsize / n_psu)[stratum] * stage2.weight
        else:
            weights = np.ones(n)

    if design.lonely_psu == "fail" and check_lonely:
        _check_lonely(df, design, stratum, n_psu, fpc_factor, two_stage, stage2, problems)
    problems.raise_if_any(DesignError)

    return PreparedDesign(
        design=design,
        n=n,
        weights=np.ascontiguousarray(weights, dtype=np.float64),
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        n_psu=n_psu,
        fpc_factor=fpc_factor,
        sampling_fraction=sampling_fraction,
        two_stage=two_stage,
        ssu=stage2.ssu,
        ssu_psu=stage2.ssu_psu,
        n_ssu=stage2.n_ssu,
        fpc2_factor=stage2.fpc2_factor if two_stage else None,
    )


def _read_values(
    df: pd.DataFrame, design: Design, problems: ProblemCollector
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """The weight, fpc and fpc2 values, after checking every design column is there, has
    no missing values and holds numbers: weights >= 0 (not all zero), fpc > 0."""
    absent = [c for c in design.columns() if c not in df.columns]
    for col in absent:
        problems.add("column named in the design is not in the data", column=col)
    problems.raise_if_any(DesignError)
    if len(df) == 0:
        raise DesignError("the data have no rows")

    for col in (*design.strata_columns, design.psu, design.ssu):
        if col is not None and df[col].isna().any():
            miss = df[col].isna().to_numpy()
            problems.add(
                f"design column is missing in {int(miss.sum())} rows (first at row "
                f"{int(np.flatnonzero(miss)[0])})",
                column=col,
            )
    weights = None
    if design.weight is not None:
        weights = _check_numeric(df, design.weight, "weight", problems, zero_ok=True)
    fpc_values = fpc2_values = None
    if design.fpc is not None:
        fpc_values = _check_numeric(df, design.fpc, "fpc", problems)
    if design.fpc2 is not None:
        fpc2_values = _check_numeric(df, design.fpc2, "fpc2", problems)
    problems.raise_if_any(DesignError)
    return weights, fpc_values, fpc2_values


def _psu_codes(
    df: pd.DataFrame, design: Design, stratum: np.ndarray, problems: ProblemCollector
) -> tuple[np.ndarray, np.ndarray]:
    """PSU codes numbered stratum by stratum, and the stratum of each PSU (sorted)."""
    if design.psu is None:
        psu = np.arange(len(df), dtype=np.int64)
        psu_stratum = stratum.copy()
    else:
        if design.nest:
            psu = group_codes(df.assign(_stratum_code=stratum), ["_stratum_code", design.psu])
        else:
            psu = group_codes(df, [design.psu])
        psu_stratum = np.full(int(psu.max()) + 1, -1, dtype=np.int64)
        psu_stratum[psu] = stratum
        crossing = psu_stratum[psu] != stratum
        if crossing.any():
            row = int(np.flatnonzero(crossing)[0])
            problems.add(
                f"PSUs are not nested in strata: PSU {str(df[design.psu].iloc[row])!r} appears in "
                f"more than one stratum (row {row}); number PSUs uniquely or use nest=True",
                column=design.psu,
            )
            problems.raise_if_any(DesignError)
    # Number PSUs stratum by stratum, so that the PSUs of a stratum are consecutive codes.
    order = np.argsort(psu_stratum, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    return renumber[psu], psu_stratum[order]


@dataclass(frozen=True)
class _StageTwo:
    """SSU codes (within PSUs) and the stage-2 constants; `weight` is N/n of each row's PSU."""

    ssu: np.ndarray | None
    ssu_psu: np.ndarray | None
    n_ssu: np.ndarray | None
    fpc2_factor: np.ndarray | None
    weight: np.ndarray


def _stage_two(
    df: pd.DataFrame,
    design: Design,
    psu: np.ndarray,
    n_psus: int,
    fpc2_values: np.ndarray | None,
    problems: ProblemCollector,
) -> _StageTwo:
    assert design.ssu is not None
    fpc2_factor = None
    stage2_weight = np.ones(len(df))
    ssu = group_codes(df.assign(_psu_code=psu), ["_psu_code", design.ssu])
    ssu_psu = np.full(int(ssu.max()) + 1, -1, dtype=np.int64)
    ssu_psu[ssu] = psu
    n_ssu = np.bincount(ssu_psu, minlength=n_psus).astype(np.float64)
    if design.fpc is not None and design.fpc2 is None:
        problems.add(
            "a two-stage design with fpc needs fpc2 (second-stage population sizes); "
            "or drop ssu for a with-replacement first stage",
            column=design.ssu,
        )
    if fpc2_values is not None:
        per_psu = _constant_within(fpc2_values, psu, n_psus, design.fpc2, "PSU", problems)
        popsize2 = (
            None if per_psu is None else _population_sizes(per_psu, n_ssu, design.fpc2, problems)
        )
        if popsize2 is not None:
            fpc2_factor = 1.0 - n_ssu / popsize2
            stage2_weight = (popsize2 / n_ssu)[psu]
    return _StageTwo(ssu, ssu_psu, n_ssu, fpc2_factor, stage2_weight)


def _check_lonely(
    df: pd.DataFrame,
    design: Design,
    stratum: np.ndarray,
    n_psu: np.ndarray,
    fpc_factor: np.ndarray,
    two_stage: bool,
    stage2: _StageTwo,
    problems: ProblemCollector,
) -> None:
    """lonely_psu="fail": a problem for strata with a single PSU (and, at stage 2, PSUs
    with a single SSU where fpc2 says more exist)."""
    lonely = np.flatnonzero((n_psu == 1) & (fpc_factor >= _SELF_REPRESENTING))
    if len(lonely):
        labels = _stratum_labels(df, design, stratum, lonely)
        problems.add(
            f"{len(lonely)} strata have a single PSU ({labels}); merge them with a "
            "neighbour or choose lonely_psu= remove / certainty / adjust / average",
            column=", ".join(design.strata_columns) or None,
        )
    n_ssu, fpc2_factor = stage2.n_ssu, stage2.fpc2_factor
    if two_stage and n_ssu is not None and fpc2_factor is not None:
        lonely2 = np.flatnonzero((n_ssu == 1) & (fpc2_factor >= _SELF_REPRESENTING))
        if len(lonely2):
            problems.add(
                f"{len(lonely2)} PSUs have a single sampled SSU at stage 2 but fpc2 says "
                "more exist; choose another lonely_psu rule",
                column=design.ssu,
            )


def _stratum_labels(
    df: pd.DataFrame, design: Design, stratum: np.ndarray, codes: np.ndarray
) -> str:
    if not design.strata_columns:
        return "the only stratum"
    first_rows = pd.Series(np.arange(len(stratum))).groupby(stratum).first()
    shown = []
    for code in codes[:5]:
        row = int(first_rows.loc[code])
        shown.append("/".join(str(df[c].iloc[row]) for c in design.strata_columns))
    more = f" and {len(codes) - 5} more" if len(codes) > 5 else ""
    return ", ".join(shown) + more


def validate(df: pd.DataFrame, design: Design) -> None:
    """Raise one `DesignError` listing every problem of `design` on `df` (see `prepare`)."""
    prepare(df, design)


def degrees_of_freedom(df: pd.DataFrame, design: Design) -> int:
    """Design degrees of freedom: PSUs minus strata, as R's `degf(design)`."""
    prepared = prepare(df, design)
    return prepared.n_psus - prepared.n_strata
