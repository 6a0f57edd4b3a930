"""Satisfaction indices: criterion, element and overall, with design-based SEs.

A criterion index is the share of valid answers that are "satisfied" (the scale declares
which codes, and whether neutral answers count in the denominator). Element and overall
indices combine criterion indices by a DECLARED rule, because published SIPAS figures show
the overall is not always the mean of the elements (2023: elements average 82.89%, overall
82.66%):

element rules (`ELEMENT_RULES`)
    ``mean_of_criteria``  mean of the element's criterion indices (SIPAS method; default)
    ``pooled``            satisfied answers / valid answers over the element's criteria
    ``respondent_mean``   mean over respondents of each one's satisfied share
    ``element_question``  satisfied share on the element's own satisfaction question
overall rules (`OVERALL_RULES`)
    ``mean_of_elements``  mean of the element indices under the element rule (default)
    ``mean_of_criteria``  mean of all criterion indices
    ``respondent_mean``   mean over respondents of their satisfied share over all criteria
    ``overall_question``  satisfied share on the overall satisfaction question

Standard errors of a mean of criterion indices come from Taylor linearisation of the
linear combination of ratio estimators (each criterion has its own denominator of valid
answers): the influence value of respondent i is z_i = sum_k a_k d_ik (y_ik - p_k) / N_k,
and the design variance of the combination is that of the estimated total of z -- computed
by `estimate.total`, so strata, clusters, fpc and calibration are honoured. This matches
R's `svycontrast(svymean(~y1+y2, design, na.rm=TRUE), ...)` when no answer is missing and
the ratio version otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.errors import InstrumentError, ParameterError
from satisfaction.io.instrument import Instrument, Item
from satisfaction.stats import estimate
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights, design_of
from satisfaction.stats.estimate import ESTIMATE_COLUMNS, Reliability
from satisfaction.stats.replicate import ReplicateDesign, prepare_replicates

__all__ = [
    "ELEMENT_RULES",
    "OVERALL_RULES",
    "SAT_PREFIX",
    "IndexRules",
    "compare_to_overall",
    "criterion_indices",
    "design_of",
    "element_indices",
    "influence_values",
    "linear_combination",
    "overall_index",
    "sat_column",
    "satisfied_indicators",
]

SAT_PREFIX = "sat__"
ELEMENT_RULES = ("mean_of_criteria", "pooled", "respondent_mean", "element_question")
OVERALL_RULES = ("mean_of_elements", "mean_of_criteria", "respondent_mean", "overall_question")


@dataclass(frozen=True)
class IndexRules:
    """How element and overall indices are aggregated; every output states these."""

    element: str = "mean_of_criteria"
    overall: str = "mean_of_elements"

    def __post_init__(self) -> None:
        if self.element not in ELEMENT_RULES:
            raise ParameterError(f"element rule {self.element!r} is not one of {ELEMENT_RULES}")
        if self.overall not in OVERALL_RULES:
            raise ParameterError(f"overall rule {self.overall!r} is not one of {OVERALL_RULES}")


def sat_column(item_id: str) -> str:
    """Name of the 0/1 'satisfied' indicator of an item."""
    return f"{SAT_PREFIX}{item_id}"


def satisfied_indicators(data: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Add `sat__<item>` = 1 satisfied, 0 other valid answer, NA missing, per likert item.

    Neutral answers are 0 when the scale counts them in the denominator, NA otherwise.
    """
    out = data.copy()
    for item in instrument.items:
        if item.type != "likert" or item.id not in out.columns:
            continue
        scale = instrument.scale_of(item)
        codes = out[item.id].astype("Float64")
        indicator = codes.isin(list(scale.satisfied)).astype("Float64")
        indicator[codes.isna()] = pd.NA
        if not scale.neutral_in_denominator:
            indicator[codes.isin(list(scale.neutral)).fillna(False)] = pd.NA
        out[sat_column(item.id)] = indicator.astype("float64")
    return out


def _labels(instrument: Instrument, items: Sequence[Item], language: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": [sat_column(i.id) for i in items],
            "item": [i.id for i in items],
            "group": [i.group for i in items],
            "label": [i.text.get(language) for i in items],
        }
    )


def criterion_indices(
    df: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    by: str | Sequence[str] | None = None,
    *,
    level: float = 0.95,
    method: str = "logit",
    reliability: Reliability | None = None,
    language: str = "vi",
) -> pd.DataFrame:
    """Satisfied share of every criterion by domain (tidy; `item`, `group`, `label` added)."""
    items = instrument.criteria
    variables = [sat_column(i.id) for i in items]
    result = estimate.proportion(
        df,
        design,
        variables,
        by=by,
        method=method,
        level=level,
        levels=[1.0],
        reliability=reliability,
    )
    result = result.merge(_labels(instrument, items, language), on="variable", how="left")
    result["index"] = "criterion"
    return result


# ------------------------------------------------------------------ linear combinations
def _group_codes(df: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 where a `by` value is missing) and the domains, sorted."""
    if not by:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=[0])
    grouped = df.groupby(by, sort=True, dropna=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=float)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
    domains = grouped.size().reset_index()[by]
    return codes, domains


def _influence(
    df: pd.DataFrame,
    design: Design,
    terms: Mapping[str, float],
    codes: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate per group, influence values z, rows with any valid answer)."""
    w = analysis_weights(df, design)
    theta = np.zeros(n_groups)
    z = np.zeros(len(df))
    any_valid = np.zeros(len(df), dtype=bool)
    for variable, coefficient in terms.items():
        y = pd.to_numeric(df[variable], errors="coerce").to_numpy(dtype=float)
        valid = ~np.isnan(y) & (codes >= 0)
        y0 = np.where(valid, y, 0.0)
        wd = np.where(valid, w, 0.0)
        numerator = np.bincount(codes[valid], weights=(wd * y0)[valid], minlength=n_groups)
        denominator = np.bincount(codes[valid], weights=wd[valid], minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = numerator / denominator
        theta += coefficient * p
        safe = np.where(codes >= 0, codes, 0)
        contribution = np.where(valid, coefficient * (y0 - p[safe]) / denominator[safe], 0.0)
        z += contribution
        any_valid |= valid
    return theta, z, any_valid


def influence_values(
    df: pd.DataFrame,
    design: Design,
    terms: Mapping[str, float],
    codes: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sum_k a_k * mean(y_k) per group (codes 0..n_groups-1, -1 = outside every group), the
    linearised values z of each row (zero outside its group) and the rows with any valid
    answer: the pieces of `linear_combination`, for callers that need several combinations'
    joint uncertainty (e.g. ranks of provinces)."""
    return _influence(df, design, terms, codes, n_groups)


def linear_combination(
    df: pd.DataFrame,
    design: Design,
    terms: Mapping[str, float],
    by: str | Sequence[str] | None = None,
    *,
    level: float = 0.95,
    method: str = "logit",
    reliability: Reliability | None = None,
    name: str = "combination",
) -> pd.DataFrame:
    """sum_k a_k * mean(y_k) by domain, each mean over its own non-missing rows.

    Returns the tidy estimate shape (`variable` = `name`). SE by linearisation (module
    docstring); CI as for a proportion (`method`, logit by default) since every index is a
    share; `n` counts respondents with at least one valid answer among the terms.
    """
    if not terms:
        raise ParameterError("terms is empty: name at least one variable")
    by_list = [by] if isinstance(by, str) else list(by or [])
    codes, domains = _group_codes(df, by_list)
    if isinstance(design, ReplicateDesign):
        merged = _replicate_combination(df, design, terms, codes, domains)
        merged["variable"] = name
        return _finish_share(merged, by_list, level, method, reliability)
    theta, z, any_valid = _influence(df, design, terms, codes, len(domains))
    work = df.copy()
    work["__z"] = np.where(any_valid, z, np.nan)
    totals = estimate.total(work, design, "__z", by=by_list or None, level=level)
    if by_list:
        merged = domains.merge(totals, on=by_list, how="left")
    else:
        merged = totals.copy()
    merged["estimate"] = theta
    merged["variable"] = name
    return _finish_share(merged, by_list, level, method, reliability)


def _replicate_combination(
    df: pd.DataFrame,
    design: ReplicateDesign,
    terms: Mapping[str, float],
    codes: np.ndarray,
    domains: pd.DataFrame,
) -> pd.DataFrame:
    """The combination recomputed in every replicate (R's svycontrast of svymean on a
    replicate design): estimate, se, n, N and df per domain."""
    prep = prepare_replicates(df, design)
    theta, ddf, n, weight_sum = estimate.combination_replicates(
        df, prep, terms, codes, len(domains)
    )
    out = domains.copy() if len(domains.columns) else pd.DataFrame(index=[0])
    return out.assign(
        estimate=theta[:, 0],
        se=np.sqrt(estimate.replicate_variance(prep, theta)),
        deff=np.nan,
        n=n.astype(np.int64),
        N=weight_sum,
        df=ddf.astype(np.int64),
    )


def _finish_share(
    frame: pd.DataFrame,
    by: list[str],
    level: float,
    method: str,
    reliability: Reliability | None,
) -> pd.DataFrame:
    p = frame["estimate"].to_numpy(dtype=float)
    se = frame["se"].to_numpy(dtype=float)
    n = frame["n"].to_numpy(dtype=float)
    df_ = frame["df"].to_numpy(dtype=float)
    low, high = estimate.proportion_interval(p, se, n, df_, level, method)
    frame["ci_low"] = low
    frame["ci_high"] = high
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["cv"] = se / np.abs(p)
    frame["level"] = pd.NA
    frame = estimate.flag_reliability(frame, kind="proportion", rules=reliability)
    return frame[[*by, *ESTIMATE_COLUMNS]].reset_index(drop=True)


def _element_terms(instrument: Instrument, group: str, rule: str) -> dict[str, float]:
    items = instrument.items_with(role="criterion", group=group)
    if rule == "mean_of_criteria":
        return {sat_column(i.id): 1.0 / len(items) for i in items}
    if rule == "element_question":
        questions = instrument.items_with(role="element_satisfaction", group=group)
        if not questions:
            raise ParameterError(f"element {group!r} has no satisfaction question")
        return {sat_column(questions[0].id): 1.0}
    raise AssertionError(rule)  # pragma: no cover


def _respondent_share(df: pd.DataFrame, columns: list[str], satisfied: bool) -> pd.Series:
    values = df[columns].astype(float)
    if satisfied:
        return values.sum(axis=1, min_count=1) / values.notna().sum(axis=1)
    return values.notna().sum(axis=1).astype(float)


def _index_by_rule(
    df: pd.DataFrame,
    design: Design,
    columns: list[str],
    terms: Mapping[str, float] | None,
    rule: str,
    by: list[str],
    name: str,
    level: float,
    method: str,
    reliability: Reliability | None,
) -> pd.DataFrame:
    if rule == "pooled":
        work = df.copy()
        work["__num"] = df[columns].astype(float).sum(axis=1, min_count=1)
        work["__den"] = df[columns].notna().sum(axis=1).astype(float).where(work["__num"].notna())
        result = estimate.ratio(work, design, "__num", "__den", by=by or None, level=level)
        result["variable"] = name
        return _finish_share(result, by, level, method, reliability)
    if rule == "respondent_mean":
        work = df.copy()
        work["__share"] = _respondent_share(df, columns, satisfied=True)
        result = estimate.mean(work, design, "__share", by=by or None, level=level)
        result["variable"] = name
        return _finish_share(result, by, level, method, reliability)
    assert terms is not None
    return linear_combination(
        df,
        design,
        terms,
        by or None,
        level=level,
        method=method,
        reliability=reliability,
        name=name,
    )


def element_indices(
    df: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    by: str | Sequence[str] | None = None,
    *,
    rules: IndexRules | None = None,
    level: float = 0.95,
    method: str = "logit",
    reliability: Reliability | None = None,
    language: str = "vi",
) -> pd.DataFrame:
    """Index of every element (group of criteria) by domain, under `rules.element`."""
    rules = rules or IndexRules()
    by_list = [by] if isinstance(by, str) else list(by or [])
    frames = []
    for group in instrument.groups:
        items = instrument.items_with(role="criterion", group=group.id)
        if not items:
            continue
        columns = [sat_column(i.id) for i in items]
        terms = (
            _element_terms(instrument, group.id, rules.element)
            if rules.element in ("mean_of_criteria", "element_question")
            else None
        )
        result = _index_by_rule(
            df,
            design,
            columns,
            terms,
            rules.element,
            by_list,
            f"element:{group.id}",
            level,
            method,
            reliability,
        )
        result["group"] = group.id
        result["label"] = group.label.get(language)
        frames.append(result)
    if not frames:
        raise InstrumentError(
            "no group holds criteria, so no element index can be computed: give the "
            "criteria a `group:` and declare it under `groups:` (kind: element)",
            file=instrument.source,
            key="groups",
        )
    out = pd.concat(frames, ignore_index=True)
    out["index"] = "element"
    out["rule"] = rules.element
    return out


def overall_terms(instrument: Instrument, rules: IndexRules) -> dict[str, float]:
    """Coefficients of the criterion indicators in the overall index (linear rules only)."""
    groups = [
        g.id for g in instrument.groups if instrument.items_with(role="criterion", group=g.id)
    ]
    if rules.overall == "overall_question":
        overall = instrument.items_with(role="overall")
        if not overall:
            raise ParameterError("the instrument has no item with role 'overall'")
        return {sat_column(overall[0].id): 1.0}
    if rules.overall == "mean_of_criteria":
        items = instrument.criteria
        return {sat_column(i.id): 1.0 / len(items) for i in items}
    if rules.overall == "mean_of_elements" and rules.element in (
        "mean_of_criteria",
        "element_question",
    ):
        terms: dict[str, float] = {}
        for group in groups:
            for variable, coefficient in _element_terms(instrument, group, rules.element).items():
                terms[variable] = terms.get(variable, 0.0) + coefficient / len(groups)
        return terms
    raise ParameterError(
        f"overall rule {rules.overall!r} with element rule {rules.element!r} is not a linear "
        "combination of criterion indices; use element rule mean_of_criteria or "
        "element_question, or another overall rule"
    )


def overall_index(
    df: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    by: str | Sequence[str] | None = None,
    *,
    rules: IndexRules | None = None,
    level: float = 0.95,
    method: str = "logit",
    reliability: Reliability | None = None,
) -> pd.DataFrame:
    """The overall satisfaction index by domain, under `rules.overall`."""
    rules = rules or IndexRules()
    by_list = [by] if isinstance(by, str) else list(by or [])
    columns = [sat_column(i.id) for i in instrument.criteria]
    terms = None
    if rules.overall != "respondent_mean":
        terms = overall_terms(instrument, rules)
    rule = "respondent_mean" if rules.overall == "respondent_mean" else "linear"
    result = _index_by_rule(
        df, design, columns, terms, rule, by_list, "overall", level, method, reliability
    )
    result["index"] = "overall"
    result["rule"] = f"{rules.overall} ({rules.element})"
    return result


# ---------------------------------------------------------------------- comparisons
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
    with np.errstate(invalid="ignore", divide="ignore"):
        result["t"] = result["difference"] / result["se"]
    result["p_value"] = 2 * stats.t.sf(np.abs(result["t"]), result["df"])
    result.loc[result["se"] <= 0, "p_value"] = np.nan
    result["p_adjusted"] = estimate.adjust_pvalues(result["p_value"], method=adjust)
    significant = result["p_adjusted"] < alpha
    result["sig"] = np.where(
        significant & (result["difference"] > 0),
        "above",
        np.where(significant & (result["difference"] < 0), "below", ""),
    )
    result["adjust"] = adjust
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
    the total of z_d - z_all (the linearised difference)."""
    rows = []
    z_columns: dict[str, np.ndarray] = {}
    for scope in within_values:
        in_scope = _scope_mask(df, within, scope)
        scope_codes = np.where(in_scope, 0, -1)
        domain_values = sorted(df.loc[in_scope, domain].dropna().unique())
        for stat_name, terms in statistics.items():
            theta_all, z_all, _ = _influence(df, design, terms, scope_codes, 1)
            for value in domain_values:
                mask = in_scope & (df[domain] == value).to_numpy(dtype=bool, na_value=False)
                codes = np.where(mask, 0, -1)
                theta_d, z_d, _ = _influence(df, design, terms, codes, 1)
                key = f"__d{len(z_columns)}"
                z_columns[key] = z_d - z_all
                rows.append(
                    {
                        "within": scope,
                        domain: value,
                        "statistic": stat_name,
                        "estimate": theta_d[0],
                        "overall": theta_all[0],
                        "difference": theta_d[0] - theta_all[0],
                        "key": key,
                    }
                )
    result = pd.DataFrame(rows)
    if result.empty:
        return result
    ses = []
    dfs = []
    keys = list(z_columns)
    for start in range(0, len(keys), 64):  # bounded memory on large surveys
        chunk = keys[start : start + 64]
        work = pd.DataFrame({k: z_columns[k] for k in chunk}, index=df.index)
        for column in design.columns():
            work[column] = df[column]
        totals = estimate.total(work, design, chunk)
        ses.append(totals.set_index("variable")["se"])
        dfs.append(totals.set_index("variable")["df"])
    result["se"] = result["key"].map(pd.concat(ses)).to_numpy(dtype=float)
    result["df"] = result["key"].map(pd.concat(dfs)).to_numpy(dtype=float)
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
