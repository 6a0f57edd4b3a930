"""Comparisons and tests: differences of domains or of waves, p-value adjustment, chisq.

`difference` works within one design (correlated domains); `difference_independent`
combines result frames of independent samples; `chisq` is R's `svychisq` (Rao-Scott).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.errors import InputError, ParameterError
from satisfaction.stats.design import Design, PreparedDesign, prepare
from satisfaction.stats.estimate.domains import (
    _as_list,
    _check_columns,
    _Domains,
    _factorize,
    _Grouper,
    _make_domains,
)
from satisfaction.stats.estimate.engine import _Engine
from satisfaction.stats.estimate.estimators import (
    ESTIMATE_COLUMNS,
    _levels_of,
    _numeric_column,
)
from satisfaction.stats.estimate.intervals import _check_level, _t_interval
from satisfaction.stats.estimate.replicates import _ReplicateEngine
from satisfaction.stats.replicate import ReplicateDesign, prepare_replicates

__all__ = [
    "CHISQ_COLUMNS",
    "DIFFERENCE_COLUMNS",
    "adjust_pvalues",
    "chisq",
    "difference",
    "difference_independent",
]


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
    design: Design | ReplicateDesign,
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
    side = _sides(df, between, a, b)
    coarse = _make_domains(df, by_cols)
    fine_codes = np.where((coarse.codes >= 0) & (side >= 0), coarse.codes * 2 + side, -1)
    coarse_codes = np.where(fine_codes >= 0, coarse.codes, -1)
    coarse_in = _Domains(coarse_codes, coarse.count, coarse.keys)
    if isinstance(design, ReplicateDesign):
        est, variance, ddf = _replicate_difference(
            df, design, names, fine_codes, coarse_in, statistic
        )
        return _difference_frame(coarse, names, a, b, est, variance, ddf, level)
    prep = prepare(df, design)
    to_fine = _Grouper(fine_codes, coarse.count * 2)
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
    return _difference_frame(coarse, names, a, b, est, variance, ddf, level)


def _replicate_difference(
    df: pd.DataFrame,
    design: ReplicateDesign,
    names: list[str],
    fine_codes: np.ndarray,
    coarse: _Domains,
    statistic: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates of both sides (a, b of each domain in turn), and the replicate variance
    and df of their difference: the difference recomputed in every replicate."""
    prep = prepare_replicates(df, design)
    fine = _Domains(fine_codes, coarse.count * 2, coarse.keys)
    engine = _ReplicateEngine(df, prep, fine)
    whole = _ReplicateEngine(df, prep, coarse)
    estimates, variances, dfs = [], [], []
    for name in names:
        y = _numeric_column(df, name)
        valid = ~np.isnan(y) & (fine_codes >= 0)
        totals = engine.totals([np.where(valid, y, 0.0), valid.astype(np.float64)])
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = totals[:, 0] / totals[:, 1] if statistic == "mean" else totals[:, 0]
        estimates.append(theta[:, 0])
        variances.append(whole.variance(theta[0::2] - theta[1::2]))
        dfs.append(whole.domain_df(valid))
    return np.column_stack(estimates), np.column_stack(variances), np.column_stack(dfs)


def _difference_frame(
    coarse: _Domains,
    names: list[str],
    a: object,
    b: object,
    est: np.ndarray,
    variance: np.ndarray,
    ddf: np.ndarray,
    level: float,
) -> pd.DataFrame:
    """The t test of each difference (`est` holds a and b of each domain in turn), laid out
    as the `by` columns then `DIFFERENCE_COLUMNS`: column-major, domains inside."""
    est_a, est_b = est[0::2], est[1::2]
    diff = est_a - est_b
    # a side without rows has no estimate: then the difference has no SE either
    se = np.where(np.isnan(diff), np.nan, np.sqrt(variance))
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


def _sides(df: pd.DataFrame, between: str, a: object, b: object) -> np.ndarray:
    """0 for the rows of `a`, 1 for those of `b`, -1 for the others; InputError if a side
    has no rows."""
    side = np.where(
        df[between].eq(a).to_numpy(dtype=bool, na_value=False),
        0,
        np.where(df[between].eq(b).to_numpy(dtype=bool, na_value=False), 1, -1),
    )
    for value, k in ((a, 0), (b, 1)):
        if not (side == k).any():
            raise InputError(f"no rows with {between} == {value!r}", column=between)
    return side


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
    Satterthwaite's (v_1 + v_2)^2 / (v_1^2 / df_1 + v_2^2 / df_2), v_k = se_k^2 (the
    smaller df when both SEs are 0), and the test is a two-sided t test.

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
    ddf = _satterthwaite(
        merged["se_first"].to_numpy(np.float64) ** 2,
        merged["se_second"].to_numpy(np.float64) ** 2,
        merged["df_first"].to_numpy(np.float64),
        merged["df_second"].to_numpy(np.float64),
    )
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


def _satterthwaite(v1: np.ndarray, v2: np.ndarray, df1: np.ndarray, df2: np.ndarray) -> np.ndarray:
    """Welch-Satterthwaite df of a sum of two independent variance estimates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ddf = (v1 + v2) ** 2 / (v1**2 / df1 + v2**2 / df2)
    ddf = np.where((v1 + v2) > 0, ddf, np.minimum(df1, df2))
    return np.where((df1 > 0) & (df2 > 0), ddf, np.nan)


def adjust_pvalues(pvalues: Sequence[float] | np.ndarray | pd.Series, method: str = "holm"):
    """Multiple-testing adjustment: "holm" (family-wise) or "fdr_bh" (Benjamini-Hochberg).

    Missing p-values stay missing and are not counted as tests. Returns the same kind of
    object (a Series keeps its index). R: `p.adjust(p, method="holm" / "BH")`.
    Holm is R's formula itself: statsmodels' `multipletests` gives the same numbers but runs
    a full garbage collection on every Holm call (0.1-0.2 s in a notebook kernel).
    """
    from statsmodels.stats.multitest import multipletests

    if method not in ("holm", "fdr_bh"):
        raise ParameterError(f"method={method!r} must be 'holm' or 'fdr_bh'")
    values = np.asarray(pvalues, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    if ok.any() and method == "holm":
        out[ok] = _holm(values[ok])
    elif ok.any():
        out[ok] = multipletests(values[ok], method=method)[1]
    if isinstance(pvalues, pd.Series):
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, R's `p.adjust`: pmin(1, cummax((n - i + 1) * p[o]))[ro]."""
    order = np.argsort(p, kind="stable")
    steps = np.arange(len(p), 0, -1, dtype=np.float64)
    adjusted = np.empty(len(p))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps * p[order]))
    return adjusted


CHISQ_COLUMNS = ["test", "statistic", "ndf", "ddf", "p_value", "pearson", "n"]


def chisq(
    df: pd.DataFrame,
    design: Design | ReplicateDesign,
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
    if isinstance(design, ReplicateDesign):
        shares, cov, n_rows, nu = _replicate_shares(df, design, domains, inner, cell, k)
    else:
        shares, cov, n_rows, nu = _shares(df, design, domains, inner, cell, complete, k)

    d_count = domains.count
    n_complete = np.bincount(inner.codes[complete], minlength=d_count)
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


def _shares(
    df: pd.DataFrame,
    design: Design,
    domains: _Domains,
    inner: _Domains,
    cell: np.ndarray,
    complete: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cell shares (domains x k), their linearised covariance, each domain's rows and df."""
    prep = prepare(df, design)
    engine = _Engine(df, prep, inner)
    w = np.where(complete, prep.weights, 0.0)
    sums = engine.collect([engine.reduce([w * (cell == j), w]) for j in range(k)])
    totals = engine.domain_sums(sums.stage1)  # (domains, k, [w I, w])
    weight_sum = totals[:, :, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = totals[:, :, 0] / weight_sum
        coefs = np.stack([1.0 / weight_sum, -shares / weight_sum])
    cov = engine.covariance(np.nan_to_num(coefs), sums)
    n_rows, nu = _domain_rows_and_df(domains, prep)
    return shares, cov, n_rows, nu


def _replicate_shares(
    df: pd.DataFrame,
    design: ReplicateDesign,
    domains: _Domains,
    inner: _Domains,
    cell: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cell shares, their replicate covariance (R's svychisq of a svyrep.design), each
    domain's rows and df (R's degf of the domain's replicate weights)."""
    prep = prepare_replicates(df, design)
    engine = _ReplicateEngine(df, prep, inner)
    values = [(cell == j).astype(np.float64) for j in range(k)]
    totals = engine.totals([*values, (cell >= 0).astype(np.float64)])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = totals[:, :k] / totals[:, k : k + 1]
    cov = engine.covariance(shares)
    n_rows = np.bincount(domains.codes[domains.codes >= 0], minlength=domains.count)
    return shares[..., 0], cov, n_rows, _ReplicateEngine(df, prep, domains).domain_df()


def _domain_rows_and_df(domains: _Domains, prep: PreparedDesign) -> tuple[np.ndarray, np.ndarray]:
    """Rows of each domain (R's nrow(subset)) and its design df: PSUs minus strata holding
    any of its rows (R's degf(subset))."""
    d_count = domains.count
    in_domain = domains.codes >= 0
    n_rows = np.bincount(domains.codes[in_domain], minlength=d_count)  # R: nrow(subset)
    keys = domains.codes[in_domain] * prep.n_psus + prep.psu[in_domain]
    cells, _ = _factorize(keys, d_count * prep.n_psus)
    psus = np.bincount(cells // prep.n_psus, minlength=d_count)
    keys = domains.codes[in_domain] * prep.n_strata + prep.stratum[in_domain]
    groups, _ = _factorize(keys, d_count * prep.n_strata)
    strata = np.bincount(groups // prep.n_strata, minlength=d_count)
    return n_rows, psus - strata


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
