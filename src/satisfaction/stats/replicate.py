"""Replicate-weight designs: `ReplicateDesign` and `make_replicate_weights`, as R's
`svrepdesign` and `as.svrepdesign`.

A `ReplicateDesign` is accepted by every estimator and consumer exactly like a `Design`.
Its replicate weights are either columns of the frame (`replicates=`: delivered with the
data, or written by `make_replicate_weights(..., compress=False)`), or built from the PSUs
of the `source` design each time they are needed (`compress=True`, R's compressed
`repweights`: a PSUs x replicates matrix of factors, never an n x R one in memory).

Variance (R's `svrVar`): v = scale * sum_r rscales_r (theta_r - centre)^2, the centre the
mean of the replicates with rscales_r > 0 (or the full-sample estimate with `mse=True`);
replicates whose estimate is missing (a domain without rows in that replicate) are left
out, as R's `na.action` does. Default constants by method, as R's `svrepdesign`: BRR 1/R,
Fay 1/(R (1-rho)^2), bootstrap 1/(R-1), JK1 (R-1)/R, successive-difference 4/R, JKn needs
`rscales`, "other" 1. The df of a domain is R's `degf`: the rank of the domain's replicate
weights minus one (or `df` when given).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import DesignError, ParameterError, ProblemCollector
from satisfaction.io.instrument.model import DOMAIN_DF_RULES, REPLICATE_METHODS
from satisfaction.stats import _replicate_factors as factors_of
from satisfaction.stats.design import Design, _check_numeric, prepare

__all__ = [
    "PreparedReplicates",
    "ReplicateDesign",
    "make_replicate_weights",
    "prepare_replicates",
]

GENERATED_METHODS = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "successive-difference")


@dataclass(frozen=True)
class ReplicateDesign:
    """Column roles and constants of a replicate-weight design (R's `svrepdesign`).

    Parameters
    ----------
    weight : full-sample weight column (with `source`: None takes the source's weights).
    replicates : replicate weight columns; empty with `source` (built from its PSUs).
    method : one of `REPLICATE_METHODS` (R's type=).
    scale, rscales : variance constants (module docstring for the defaults).
    rho : Fay's rho (method "Fay").
    mse : centre on the full-sample estimate (R's mse=TRUE) instead of the replicates' mean.
    combined_weights : the columns hold weights (True, R's default) or factors of `weight`.
    source : the design whose PSUs the replicates are built from (`make_replicate_weights`).
    n_replicates, seed : replicates and random seed of "bootstrap" / "successive-difference".
    df : the design df, when known (else R's rank rule); domain_df : as `Design.domain_df`.
    """

    weight: str | None = None
    replicates: tuple[str, ...] = ()
    method: str = "other"
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    rho: float | None = None
    mse: bool = False
    combined_weights: bool = True
    source: Design | None = None
    n_replicates: int | None = None
    seed: int | None = None
    df: int | None = None
    domain_df: str = "rows"

    def __post_init__(self) -> None:
        object.__setattr__(self, "replicates", tuple(self.replicates))
        if self.rscales is not None:
            object.__setattr__(self, "rscales", tuple(float(r) for r in self.rscales))
        if self.method not in REPLICATE_METHODS:
            raise ParameterError(f"method={self.method!r} is not one of {REPLICATE_METHODS}")
        if self.domain_df not in DOMAIN_DF_RULES:
            raise ParameterError(f"domain_df={self.domain_df!r} is not one of {DOMAIN_DF_RULES}")
        if self.source is None and len(self.replicates) < 2:
            raise ParameterError("a ReplicateDesign needs replicates= (two columns or more)")
        if self.source is not None:
            if self.replicates:
                raise ParameterError("give replicates= or source=, not both")
            if self.method not in GENERATED_METHODS:
                raise ParameterError(f"replicates cannot be built by method {self.method!r}")
        if self.method == "Fay" and self.rho is None:
            raise ParameterError("method='Fay' needs rho= (R: you must supply the correct rho)")
        if (
            self.rscales is not None
            and self.replicates
            and len(self.rscales) != len(self.replicates)
        ):
            raise ParameterError("rscales needs one value per replicate column")

    @property
    def lonely_psu(self) -> str:
        return "adjust" if self.source is None else self.source.lonely_psu

    def columns(self) -> list[str]:
        """Every frame column the design reads."""
        cols = [self.weight, *self.replicates]
        if self.source is not None:
            cols += self.source.columns()
        return list(dict.fromkeys(c for c in cols if c is not None))


@dataclass(frozen=True, eq=False)
class PreparedReplicates:
    """A replicate design checked against one frame.

    The weight of row i in replicate r is `base[i] * factors[index[i], r]`: supplied
    columns have `index` = row number and `factors` the columns; built replicates have
    `index` = the row's PSU and `factors` the PSU factors (R's compressed repweights).
    """

    design: ReplicateDesign
    n: int
    weights: np.ndarray
    base: np.ndarray
    index: np.ndarray
    factors: np.ndarray
    scale: float
    rscales: np.ndarray
    mse: bool
    df: int | None

    @property
    def n_replicates(self) -> int:
        return self.factors.shape[1]

    def replicate_weights(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The replicate weights (rows x replicates), of `rows` or of every row."""
        index = self.index if rows is None else self.index[rows]
        base = self.base if rows is None else self.base[rows]
        return base[:, None] * self.factors[index]

    def rank_df(self, factor_rows: np.ndarray) -> int:
        """R's degf of the rows whose factor rows are `factor_rows` (with a positive weight):
        the rank of their replicate weights minus one."""
        block = self.factors[np.unique(factor_rows)]
        if not len(block):
            return 0
        if block.shape[0] > block.shape[1]:
            values = np.sqrt(np.clip(np.linalg.eigvalsh(block.T @ block), 0, None))
        else:
            values = np.linalg.svd(block, compute_uv=False)
        if values.max() <= 0:
            return 0
        return int(np.sum(values > values.max() * 1e-5)) - 1  # R: qr(tol = 1e-5)


def _supplied(df: pd.DataFrame, design: ReplicateDesign, problems: ProblemCollector):
    """The weight and replicate columns of a design with supplied replicate weights."""
    absent = [c for c in design.columns() if c not in df.columns]
    for col in absent:
        problems.add("column named in the replicate design is not in the data", column=col)
    problems.raise_if_any(DesignError)
    weights = (
        np.ones(len(df))
        if design.weight is None
        else _check_numeric(df, design.weight, "weight", problems, zero_ok=True)
    )
    matrix = np.empty((len(df), len(design.replicates)))
    for j, col in enumerate(design.replicates):
        values = _check_numeric(df, col, "replicate weight", problems, zero_ok=True)
        if values is not None:
            matrix[:, j] = values
    problems.raise_if_any(DesignError)
    return weights, matrix


def _default_constants(design: ReplicateDesign, n_reps: int) -> tuple[float, np.ndarray]:
    """scale and rscales of supplied replicate weights, as R's `svrepdesign` sets them."""
    rscales = np.ones(n_reps) if design.rscales is None else np.asarray(design.rscales)
    method, scale = design.method, design.scale
    if method == "BRR":
        scale = 1.0 / n_reps
    elif method == "Fay":
        scale = 1.0 / (n_reps * (1.0 - float(design.rho or 0.0)) ** 2)
    elif method == "successive-difference":
        scale, rscales = 4.0 / n_reps, np.ones(n_reps)
    elif method == "bootstrap" and scale is None:
        scale = 1.0 / (n_reps - 1)
    elif method == "JK1" and scale is None:
        scale = (n_reps - 1) / n_reps
    elif method == "JKn" and design.rscales is None:
        raise ParameterError("method='JKn' needs rscales= ((n_h - 1) / n_h of each replicate)")
    return (1.0 if scale is None else float(scale)), rscales


def prepare_replicates(df: pd.DataFrame, design: ReplicateDesign) -> PreparedReplicates:
    """Check a replicate design against `df` (one `DesignError` listing every problem) and
    return its weights and replicate factors."""
    if not isinstance(design, ReplicateDesign):
        raise ParameterError(f"expected a ReplicateDesign, got {type(design).__name__}")
    if len(df) == 0:
        raise DesignError("the data have no rows")
    if design.source is not None:
        return _built(df, design)
    problems = ProblemCollector()
    weights, matrix = _supplied(df, design, problems)
    base = np.ones(len(df)) if design.combined_weights else weights
    scale, rscales = _default_constants(design, matrix.shape[1])
    return PreparedReplicates(
        design=design,
        n=len(df),
        weights=np.ascontiguousarray(weights, dtype=np.float64),
        base=base,
        index=np.arange(len(df)),
        factors=matrix,
        scale=scale,
        rscales=rscales,
        mse=design.mse,
        df=design.df,
    )


def _built(df: pd.DataFrame, design: ReplicateDesign) -> PreparedReplicates:
    """Replicates built from the PSUs of the source design (R's `as.svrepdesign`)."""
    source = design.source
    assert source is not None
    prep = prepare(df, source, check_lonely=design.method != "JKn")
    weights = prep.weights
    if design.weight is not None:
        problems = ProblemCollector()
        weights = _check_numeric(df, design.weight, "weight", problems, zero_ok=True)
        problems.raise_if_any(DesignError)
    method = design.method
    if method == "JK1":
        built = factors_of._jk1(prep)
    elif method == "JKn":
        built = factors_of._jkn(prep)
    elif method in ("BRR", "Fay"):
        built = factors_of._brr(prep, float(design.rho or 0.0), method)
    elif method == "bootstrap":
        built = factors_of._bootstrap(prep, design.n_replicates or 50, int(design.seed or 0))
    else:  # successive-difference: PSUs in the order they first appear in the frame
        first = pd.unique(prep.psu)
        built = factors_of._successive_difference(prep, first, design.n_replicates or 4)
    scale = built.scale if design.scale is None else float(design.scale)
    rscales = built.rscales if design.rscales is None else np.asarray(design.rscales)
    return PreparedReplicates(
        design=design,
        n=len(df),
        weights=np.ascontiguousarray(weights, dtype=np.float64),
        base=np.ascontiguousarray(weights, dtype=np.float64),
        index=prep.psu,
        factors=built.factors,
        scale=scale,
        rscales=rscales,
        mse=design.mse,
        df=design.df,
    )


def make_replicate_weights(
    df: pd.DataFrame,
    design: Design,
    method: str = "JKn",
    *,
    replicates: int | None = None,
    rho: float = 0.5,
    seed: int | None = None,
    mse: bool = False,
    compress: bool = True,
    prefix: str = "repw",
) -> tuple[pd.DataFrame, ReplicateDesign]:
    """Replicate weights from a design's PSUs. R: `as.svrepdesign(design, type=, ...)`.

    `method`: "JKn" (delete one PSU within its stratum; R's default for a stratified
    design), "JK1" (unstratified), "BRR" and "Fay" (`rho`, default 0.5; two PSUs per
    stratum), "bootstrap" (Rao-Wu; `replicates`, default 50, `seed`) or
    "successive-difference" (`replicates`, a power of two, default the smallest above the
    PSUs). The stage-1 fpc enters the jackknife's rscales; later stages are dropped, as R
    does. Calibrate after this (`satisfaction.stats.weighting` redoes it on every
    replicate), never before: a calibrated design is refused.

    With `compress` (R's default) the frame is returned unchanged and the design builds
    its replicates from the PSUs when used (a PSUs x replicates matrix, whatever the rows);
    otherwise the replicate weights are written as columns `<prefix>1`, ... (and, when the
    design has no weight column, its weights as `<prefix>0`) and the design names them.
    """
    if not isinstance(design, Design):
        raise ParameterError(f"design must be a satisfaction.Design, got {type(design).__name__}")
    if method not in GENERATED_METHODS:
        raise ParameterError(f"method={method!r} is not one of {GENERATED_METHODS}")
    if design.calibration:
        raise DesignError(
            "make replicate weights from the design before calibration, then calibrate the "
            "replicate design (each replicate is calibrated in turn)"
        )
    prep = prepare(df, design, check_lonely=method != "JKn")
    if method == "successive-difference" and replicates is None:
        replicates = 1 << int(np.ceil(np.log2(prep.n_psus + 2)))
    if seed is None and method == "bootstrap":
        seed = int(np.random.SeedSequence().entropy % (1 << 31))  # fixed once, reproducible
    built = ReplicateDesign(
        method=method,
        rho=rho if method == "Fay" else (0.0 if method == "BRR" else None),
        mse=mse,
        source=design,
        n_replicates=replicates,
        seed=seed,
    )
    prepared = prepare_replicates(df, built)  # checks the design can be replicated
    if compress:
        return df, built
    out = df.copy()
    weight = design.weight
    if weight is None:
        weight = f"{prefix}0"
        out[weight] = prepared.weights
    matrix = prepared.replicate_weights()
    names = [f"{prefix}{r + 1}" for r in range(matrix.shape[1])]
    out = pd.concat([out, pd.DataFrame(matrix, columns=names, index=df.index)], axis=1)
    written = ReplicateDesign(
        weight=weight,
        replicates=tuple(names),
        method=method,
        scale=prepared.scale,
        rscales=tuple(prepared.rscales),
        rho=built.rho,
        mse=mse,
    )
    return out, written


def with_replicate_weights(
    design: ReplicateDesign, weight: str, replicates: tuple[str, ...]
) -> ReplicateDesign:
    """The same design reading new full-sample and replicate weight columns (calibration)."""
    prepared_constants = {"source": None, "n_replicates": None, "seed": None}
    return dataclasses.replace(
        design, weight=weight, replicates=replicates, combined_weights=True, **prepared_constants
    )
