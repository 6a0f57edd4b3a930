"""The estimators: weighted means, totals, ratios and proportions by domain, as R's `survey`.

Each takes `(df, design, variables, by=...)` and returns the `by` columns then
`ESTIMATE_COLUMNS`, one row per domain x variable (x level for proportions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.stats.design import Design, PreparedDesign, prepare
from satisfaction.stats.estimate.domains import (
    _as_list,
    _check_columns,
    _Domains,
    _make_domains,
)
from satisfaction.stats.estimate.engine import _Engine
from satisfaction.stats.estimate.flags import Reliability, _reliability
from satisfaction.stats.estimate.intervals import (
    PROPORTION_METHODS,
    _check_level,
    _t_interval,
    proportion_interval,
)
from satisfaction.stats.estimate.replicates import _ReplicateEngine
from satisfaction.stats.replicate import PreparedReplicates, ReplicateDesign, prepare_replicates

__all__ = ["ESTIMATE_COLUMNS", "mean", "proportion", "ratio", "total"]

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
    rows: np.ndarray | None = None  # the n of Korn-Graubard intervals (Design.domain_df)
    logit_variance: np.ndarray | None = None  # replicate designs: variance of logit(p_r)


# A column provider returns y (float, NaN = missing) or, for 0/1 indicators, the pair
# (non-missing mask, indicator mask).
_Column = Callable[[], "np.ndarray | tuple[np.ndarray, np.ndarray]"]


def _srs_deff(variance, weight_sum, wyy_sum, mean, n, statistic: str) -> np.ndarray:
    """R's deff=TRUE: against SRS without replacement of n from a population of sum(w)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ss = np.maximum(wyy_sum - weight_sum * mean**2, 0.0)
        s2 = ss / weight_sum * n / (n - 1)
        srs = s2 * (weight_sum - n) / (weight_sum * n)
        if statistic == "total":
            srs = srs * weight_sum**2
        return np.where(weight_sum >= n, variance / srs, np.nan)


def _replicate_mean_stats(
    engine: _ReplicateEngine, columns: Sequence[_Column], statistic: str
) -> _Stats:
    """Means (or totals) of many columns in every domain and replicate, R's svymean /
    svytotal on a replicate design (each replicate's estimate recomputed, then svrVar)."""
    prep, w = engine.prep, engine.prep.weights
    thetas, counts, sums, squares, dfs = [], [], [], [], []
    domain_df = None if prep.design.domain_df == "answered" else engine.domain_df()
    for provide in columns:
        column = provide()
        if isinstance(column, tuple):
            valid = column[0] & engine.in_domain
            y = (column[1] & valid).astype(np.float64)
        else:
            valid = ~np.isnan(column) & engine.in_domain
            y = np.where(valid, column, 0.0)
        totals = engine.totals([y, valid.astype(np.float64)])
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = totals[:, 0] / totals[:, 1] if statistic == "mean" else totals[:, 0]
        thetas.append(theta)
        counts.append(engine.to_domain.sum((valid & engine.positive).astype(np.float64)))
        sums.append(totals[:, 1, 0])
        squares.append(engine.to_domain.sum(w * y * y))
        dfs.append(engine.domain_df(valid) if domain_df is None else domain_df)
    theta = np.stack(thetas, axis=1)  # (domains, columns, 1 + replicates)
    n, weight_sum = np.column_stack(counts), np.column_stack(sums)
    variance = engine.variance(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        logits = np.log(theta / (1.0 - theta))
        logit_variance = engine.variance(logits)
        mean = theta[..., 0] if statistic == "mean" else theta[..., 0] / weight_sum
    # a replicate whose share is 0 or 1 has an infinite logit: the logit interval is [0, 1]
    # (R's svyglm stops short of infinity there and gives nearly that)
    logit_variance = np.where(np.isinf(logits[..., 1:]).any(axis=-1), np.inf, logit_variance)
    deff = _srs_deff(variance, weight_sum, np.column_stack(squares), mean, n, statistic)
    estimate = np.where(n > 0, theta[..., 0], np.nan)
    rows = n
    if prep.design.domain_df == "rows":
        in_scope = (engine.in_domain & engine.positive).astype(np.float64)
        rows = np.repeat(engine.to_domain.sum(in_scope)[:, None], n.shape[1], axis=1)
    df = np.column_stack(dfs)
    return _Stats(estimate, variance, deff, n, weight_sum, df, rows, logit_variance)


def _mean_stats(engine, columns: Sequence[_Column], statistic: str) -> _Stats:
    """Means (or totals) of many columns in every domain, as R's svymean / svytotal.

    Per column, one pass of grouped sums over the rows: the cell (domain x PSU) sums of the
    validity mask, w, w*y (and w*y^2 unless the column is 0/1). Everything after that (the
    estimates, the deff, the linearised values z = w (y - mean) / W for means or w y for
    totals, and their variance) works on cells x columns arrays for all columns at once.
    """
    if isinstance(engine, _ReplicateEngine):
        return _replicate_mean_stats(engine, columns, statistic)
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
        counts.append(engine.counts(valid))
        reduced.append(engine.reduce([wy, wv]))
        squares.append(wyy)
    sums = engine.collect(reduced)
    cell_counts, counted = engine.collect_counts(counts)
    n = engine.domain_sums(counted)
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
    variance, df = engine.variance(coefs, sums, cell_counts)
    deff = _srs_deff(variance, weight_sum, wyy_sum, mean, n, statistic)
    estimate = np.where(n > 0, estimate, np.nan)
    rows = n
    if engine.prep.design.domain_df == "rows":
        rows = np.repeat(engine.domain_sums(engine.domain_rows())[:, None], n.shape[1], axis=1)
    return _Stats(estimate, variance, deff, n, weight_sum, df, rows)


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
    df: pd.DataFrame, design: Design | ReplicateDesign, by: str | Sequence[str] | None
) -> tuple[PreparedDesign | PreparedReplicates, _Domains, _Engine | _ReplicateEngine]:
    """The checked design, the domains of `by` and the engine (Taylor or replicates)."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    domains = _make_domains(df, _as_list(by, "by"))
    if isinstance(design, ReplicateDesign):
        replicated = prepare_replicates(df, design)
        return replicated, domains, _ReplicateEngine(df, replicated, domains)
    prep = prepare(df, design)
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
    logit_se = None if st.logit_variance is None else np.sqrt(st.logit_variance)
    ci = proportion_interval(
        st.estimate, se, st.n, st.df, level, method, rows=st.rows, logit_se=logit_se
    )
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
    n = engine.to_domain_sum((valid & engine.positive[:, None]).astype(np.float64))
    weight_sum = engine.to_domain_sum(wv)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = y_sum / x_sum
        r = np.where(valid, (y - estimate[safe] * x) / x_sum[safe], 0.0)
    r = np.nan_to_num(r)
    if isinstance(engine, _ReplicateEngine):
        variance, ddf = _replicate_ratio(engine, y, x, valid)
    else:
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


def _replicate_ratio(
    engine: _ReplicateEngine, y: np.ndarray, x: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Replicate variance and df of the ratios of y's columns to x (R's svyratio on a
    replicate design: the ratio recomputed in every replicate)."""
    variances, dfs = [], []
    for j in range(y.shape[1]):
        totals = engine.totals([y[:, j], x[:, j]])
        with np.errstate(divide="ignore", invalid="ignore"):
            variances.append(engine.variance(totals[:, 0] / totals[:, 1]))
        dfs.append(engine.domain_df(valid[:, j]))
    return np.column_stack(variances), np.column_stack(dfs)
