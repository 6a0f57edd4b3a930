"""Each domain's index minus the index over all rows, with a design-based test.

The difference theta_d - theta_all is linearised as z_d - z_all (`linearise`), so the
overlap of a domain with the whole is accounted for; replicate designs recompute the
difference in every replicate. `indices.compare_to_overall` is this module's function.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.stats import estimate
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.replicate import ReplicateDesign, prepare_replicates
from satisfaction.studies.linearise import _influence

__all__ = ["compare_to_overall", "mark_above_below"]


def mark_above_below(result: pd.DataFrame, *, adjust: str, alpha: float) -> pd.DataFrame:
    """Add t, p_value (t on the design df; none where the SE is not positive), p_adjusted
    across the whole family (`adjust`: "holm" or "fdr_bh") and sig ("above"/"below"/"")
    to a frame of differences from the overall with their se and df, in place."""
    with np.errstate(invalid="ignore", divide="ignore"):
        result["t"] = result["difference"] / result["se"]
    result["p_value"] = 2 * stats.t.sf(np.abs(result["t"]), result["df"])
    result.loc[~(result["se"] > 0), "p_value"] = np.nan
    result["p_adjusted"] = estimate.adjust_pvalues(result["p_value"], method=adjust)
    significant = result["p_adjusted"] < alpha
    result["sig"] = np.where(
        significant & (result["difference"] > 0),
        "above",
        np.where(significant & (result["difference"] < 0), "below", ""),
    )
    result["adjust"] = adjust
    return result


def compare_to_overall(
    df: pd.DataFrame,
    design: Design,
    statistics: Mapping[str, Mapping[str, float]],
    domain: str,
    *,
    within: str | None = None,
    adjust: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each domain's statistic minus the statistic over all rows, with a design-based test.

    `statistics` maps a name to its terms (variable -> coefficient; one variable with
    coefficient 1 is a plain share). For a domain d the difference theta_d - theta_all is
    linearised as z_d - z_all and its SE is that of the total of the difference (so the
    overlap of the domain with the whole is accounted for; overlapping CIs are not a test).
    With `within` (e.g. a field), the comparison is made inside each value of `within`.
    p-values use the t distribution on the design df and are adjusted across the whole
    family (Holm by default, or "fdr_bh"). Returns one row per (within, domain, statistic):
    estimate, overall, difference, se, t, df, p_value, p_adjusted, sig ("above"/"below"/"").
    """
    within_values = [None] if within is None else sorted(df[within].dropna().unique())
    if isinstance(design, ReplicateDesign):
        result = _replicate_comparisons(df, design, statistics, domain, within, within_values)
    else:
        result = _linearised_comparisons(df, design, statistics, domain, within, within_values)
    if result.empty:
        return result
    result = mark_above_below(result, adjust=adjust, alpha=alpha)
    if within is None:
        result = result.drop(columns="within")
    else:
        result = result.rename(columns={"within": within})
    return result


def _scope_mask(df: pd.DataFrame, within: str | None, scope: object) -> np.ndarray:
    if scope is None:
        return np.ones(len(df), dtype=bool)
    return (df[within] == scope).to_numpy(dtype=bool, na_value=False)


def _linearised_comparisons(
    df: pd.DataFrame,
    design: Design,
    statistics: Mapping[str, Mapping[str, float]],
    domain: str,
    within: str | None,
    within_values: list,
) -> pd.DataFrame:
    """Each (scope, domain, statistic): estimate, overall, difference and the SE and df of
    the total of z_d - z_all (the linearised difference).

    One pass per (scope, statistic) gives every domain's estimate and z (a row's z is that
    of its own domain; zero in the others), so the work grows with the statistics, not with
    the domains; the differences' totals are taken 64 at a time (bounded memory).
    """
    weights = analysis_weights(df, design)
    values: dict[str, np.ndarray] = {}
    rows = []
    # per (scope, statistic): the domain code of each row, every domain's z and z_all
    passes: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for scope in within_values:
        in_scope = _scope_mask(df, within, scope)
        scope_codes = np.where(in_scope, 0, -1)
        domain_values = sorted(df.loc[in_scope, domain].dropna().unique())
        position = pd.Series(range(len(domain_values)), index=domain_values, dtype="float64")
        found = df[domain].map(position).to_numpy(dtype=float, na_value=np.nan)
        codes = np.where(in_scope & ~np.isnan(found), np.nan_to_num(found, nan=-1), -1)
        codes = codes.astype(np.int64)
        for stat_name, terms in statistics.items():
            kwargs = {"weights": weights, "values": values}
            theta_all, z_all, _ = _influence(df, design, terms, scope_codes, 1, **kwargs)
            theta, z, _ = _influence(df, design, terms, codes, len(domain_values), **kwargs)
            passes.append((codes, z, z_all))
            for d, value in enumerate(domain_values):
                rows.append(
                    {
                        "within": scope,
                        domain: value,
                        "statistic": stat_name,
                        "estimate": theta[d],
                        "overall": theta_all[0],
                        "difference": theta[d] - theta_all[0],
                        "key": (len(passes) - 1, d),
                    }
                )
    result = pd.DataFrame(rows)
    if result.empty:
        return result
    ses: list[float] = []
    dfs: list[float] = []
    keys = list(result["key"])
    for start in range(0, len(keys), 64):  # bounded memory on large surveys
        chunk = keys[start : start + 64]
        names = [f"__d{start + k}" for k in range(len(chunk))]
        work = pd.DataFrame(
            {
                name: np.where(passes[p][0] == d, passes[p][1], 0.0) - passes[p][2]
                for name, (p, d) in zip(names, chunk, strict=True)
            },
            index=df.index,
        )
        for column in design.columns():
            work[column] = df[column]
        totals = estimate.total(work, design, names).set_index("variable")
        ses.extend(totals.loc[names, "se"].to_numpy(dtype=float))
        dfs.extend(totals.loc[names, "df"].to_numpy(dtype=float))
    result["se"] = ses
    result["df"] = dfs
    return result.drop(columns="key")


def _replicate_comparisons(
    df: pd.DataFrame,
    design: ReplicateDesign,
    statistics: Mapping[str, Mapping[str, float]],
    domain: str,
    within: str | None,
    within_values: list,
) -> pd.DataFrame:
    """As `_linearised_comparisons`, the difference recomputed in every replicate."""
    prep = prepare_replicates(df, design)
    design_df = prep.df if prep.df is not None else prep.rank_df(prep.index[prep.weights > 0])
    parts = []
    for scope in within_values:
        in_scope = _scope_mask(df, within, scope)
        domain_values = sorted(df.loc[in_scope, domain].dropna().unique())
        position = {value: k for k, value in enumerate(domain_values)}
        codes = df[domain].map(position).where(in_scope).fillna(-1).astype(np.int64).to_numpy()
        scope_codes = np.where(in_scope, 0, -1)
        for stat_name, terms in statistics.items():
            theta_all = estimate.combination_replicates(df, prep, terms, scope_codes, 1)[0]
            theta_d = estimate.combination_replicates(df, prep, terms, codes, len(domain_values))[
                0
            ]
            difference = theta_d - theta_all
            parts.append(
                pd.DataFrame(
                    {
                        "within": scope,
                        domain: domain_values,
                        "statistic": stat_name,
                        "estimate": theta_d[:, 0],
                        "overall": theta_all[0, 0],
                        "difference": difference[:, 0],
                        "se": np.sqrt(estimate.replicate_variance(prep, difference)),
                        "df": design_df,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
