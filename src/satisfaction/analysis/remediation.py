"""Remediation plans: priorities, drivers, scale reliability and change since the last wave.

What analysts hand to leadership is a remediation plan (kế hoạch khắc phục): which field,
which criterion is weakest, how sure we are, what changed since the last wave and what to fix
first. This module computes it; `satisfaction.present.plan` presents it (tables, figures, xlsx,
docx). Nothing here draws or writes files.

Cells
-----
A cell is one criterion in one field (and, for a whole-survey plan, optionally one province):
its satisfied share, SE, 95% CI, n, weighted N, design df and reliability flag, read from the
up-front estimates (`analysis.compute_estimates`). Its volume is the number of dossiers of the
field when the analyst gives them (`dossiers`), else the weighted number of respondents of
the field (the sample's N), which estimates the number of service users.

Priority rule (`PriorityRule`; every threshold is a parameter)
--------------------------------------------------------------
* target: a fixed share (default 0.80; 0.90 is common) or ``"overall"``, the value of the same
  criterion in the reference population (all provinces for a province plan, all fields for
  the whole-survey plan);
* gap = target - share (positive: below target);
* significant: a one-sided design-based test that the share is below the target, t on the
  design df. For a fixed target t = (share - target) / se (R: ``svycontrast`` of the
  ``svymean``); for ``"overall"`` t is the domain-minus-all difference over its linearised
  SE (`indices.compare_to_overall`, which accounts for the domain being part of the whole).
  The p-values are adjusted across the family of all cells of the plan (Holm by default,
  or Benjamini-Hochberg ``"fdr_bh"``) and compared with ``alpha`` (0.05);
* Ưu tiên 1: reliable AND significantly below target AND (gap >= ``tier1_gap``, 10 points,
  OR the field's volume in the top ``tier1_volume`` (a third, rounded up) of the fields);
* Ưu tiên 2: reliable AND below target AND (significant OR gap >= ``tier2_gap``, 5 points),
  and not tier 1;
* Ưu tiên 3: every other cell below target, including every unreliable cell (small n, wide
  CI): an unreliable cell is never tier 1 or 2, however low its estimate;
* cells at or above target are not priorities.
Within a tier, cells are ranked by gap x volume share (the field's share of the volume of
all fields of the plan): a large shortfall where many people are served comes first.

Drivers and quadrants: `satisfaction.stats.drivers` (weighted ordinal logit of the overall item on
the criteria, correlation fallback) crossed with the satisfied share of each criterion into
the importance-performance quadrants. Scale reliability: `satisfaction.stats.reliability`
(Cronbach's alpha, item-rest). Comments: `satisfaction.analysis.comments.top_phrases`
(personal data never shown). For one province these run on the province's forms; where
provinces are strata (as in SIPAS designs and the demo) that subset is itself a valid
design.

Change since the last wave (`change_since`): two independent samples of the SAME instrument
version: second - first per cell, se = sqrt(se1^2 + se2^2), t on the smaller df, adjusted
across the family (`estimate.difference_independent`; R: ``svycontrast`` on two
``svyby`` results). Waves of different instrument versions, criteria or scale definitions
are a method break: `MethodBreakError` refuses the comparison and says why. Both waves must
be in the same geography (the previous wave recomputed from its microdata in the current
provinces, never by averaging published indices of merged provinces).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.analysis.comments import top_phrases
from satisfaction.analysis.estimates import ALL, Estimates, analysis_frame
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats.design import Design
from satisfaction.stats.drivers import drivers, importance_performance
from satisfaction.stats.estimate import adjust_pvalues, difference_independent
from satisfaction.stats.reliability import element_reliability
from satisfaction.studies.indices import compare_to_overall, design_of, sat_column

__all__ = [
    "NOT_PRIORITY",
    "TIERS",
    "MethodBreakError",
    "PlanAnalysis",
    "PriorityRule",
    "change_since",
    "check_comparable",
    "criterion_cells",
    "priorities",
    "remediation_analysis",
    "target_comparison",
]

TIERS: dict[int, str] = {1: "Ưu tiên 1", 2: "Ưu tiên 2", 3: "Ưu tiên 3"}
NOT_PRIORITY = "Đạt mục tiêu"
_TOL = 1e-12


class MethodBreakError(ParameterError):
    """Two waves measured differently (instrument version, criteria, scale): not comparable."""


@dataclass(frozen=True)
class PriorityRule:
    """The thresholds of the priority rule (see the module docstring)."""

    target: float | str = 0.80
    alpha: float = 0.05
    adjust: str = "holm"
    tier1_gap: float = 0.10
    tier1_volume: float = 1 / 3
    tier2_gap: float = 0.05

    def __post_init__(self) -> None:
        target = self.target
        if isinstance(target, str):
            if target != "overall":
                try:
                    target = float(target)
                except ValueError:
                    raise ParameterError(
                        f"target must be a share such as 0.8 or 'overall', got {target!r}",
                        key="parameter 'target'",
                    ) from None
                object.__setattr__(self, "target", target)
        if isinstance(target, bool) or (
            not isinstance(target, str) and not (0 < float(target) < 1)
        ):
            raise ParameterError(
                f"target must be a share in (0, 1) such as 0.8, or 'overall'; got {target!r}"
                + (" (a percentage? divide by 100)" if not isinstance(target, str) else ""),
                key="parameter 'target'",
            )
        if self.adjust not in ("holm", "fdr_bh"):
            raise ParameterError(f"adjust must be 'holm' or 'fdr_bh', got {self.adjust!r}")
        for name in ("alpha", "tier1_volume"):
            if not 0 < getattr(self, name) < 1:
                raise ParameterError(f"{name} must be in (0, 1), got {getattr(self, name)!r}")
        if not 0 <= self.tier2_gap <= self.tier1_gap < 1:
            raise ParameterError(
                f"gaps must satisfy 0 <= tier2_gap <= tier1_gap < 1, got {self.tier2_gap!r} "
                f"and {self.tier1_gap!r}"
            )

    @property
    def fixed_target(self) -> float | None:
        return None if self.target == "overall" else float(self.target)


# ------------------------------------------------------------------------------ cells
def _unit_keys(cells: pd.DataFrame) -> list[str]:
    return [c for c in ("province", "field") if c in cells.columns]


def criterion_cells(
    estimates: Estimates,
    *,
    province: str = ALL,
    by_province: bool = False,
    dossiers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The cells of a plan: every field x criterion of `province` (tidy, one row per cell).

    With `by_province` (whole-survey plans) the cells are province x field x criterion.
    Adds ``volume`` and ``volume_source``: the field's dossiers when `dossiers` is given (a
    frame with ``field``, optionally ``province``, and ``dossiers``), else the field's
    weighted respondents (``N`` of the sample table) -- "dossiers" or "weighted respondents".
    """
    criteria = estimates["criteria"]
    if by_province:
        rows = (criteria["province"] != ALL) & (criteria["field"] != ALL)
    else:
        if province != ALL and province not in set(criteria["province"]):
            raise ParameterError(
                f"{province!r} is not in the survey; valid: {', '.join(estimates.provinces)}",
                key="parameter 'province'",
            )
        rows = (criteria["province"] == province) & (criteria["field"] != ALL)
    cells = criteria.loc[rows].reset_index(drop=True)
    if cells.empty:
        raise InputError("the estimates hold no field x criterion cell for this plan")
    keys = ["province", "field"]
    sample = estimates["sample"][[*keys, "N"]].rename(columns={"N": "volume"})
    cells = cells.merge(sample, on=keys, how="left")
    cells["volume_source"] = "weighted respondents"
    if dossiers is not None:
        cells = _with_dossiers(cells, dossiers)
    return cells


def _with_dossiers(cells: pd.DataFrame, dossiers: pd.DataFrame) -> pd.DataFrame:
    needed = [c for c in ("field", "dossiers") if c not in dossiers.columns]
    if needed:
        raise InputError("the dossier counts have no column", column=needed[0])
    keys = ["province", "field"] if "province" in dossiers.columns else ["field"]
    counts = dossiers[[*keys, "dossiers"]].copy()
    counts["dossiers"] = pd.to_numeric(counts["dossiers"], errors="coerce")
    if counts.duplicated(keys).any():
        row = counts.index[counts.duplicated(keys)][0]
        raise InputError("the dossier counts repeat a field", row=str(row), column="field")
    if (counts["dossiers"] < 0).any() or counts["dossiers"].isna().any():
        raise InputError("dossier counts must be numbers >= 0", column="dossiers")
    merged = cells.merge(counts, on=keys, how="left")
    lacking = sorted(set(merged.loc[merged["dossiers"].isna(), "field"]))
    if lacking:
        raise InputError(
            f"no dossier count for field(s) {', '.join(lacking)}: give every field of the plan",
            column="dossiers",
        )
    merged["volume"] = merged.pop("dossiers").astype(float)
    merged["volume_source"] = "dossiers"
    return merged


def target_comparison(
    data: pd.DataFrame, instrument: Instrument, *, by_field_only: bool = False
) -> pd.DataFrame:
    """Every cell's satisfied share minus that of its reference population, design-based.

    The reference of (province, field) is the field over all provinces; with
    `by_field_only` (whole-survey plans) the reference of a field is all fields. `data` is
    the clean frame or its `analysis_frame`. Returns ``province`` (``ALL`` with
    `by_field_only`), ``field``, ``variable``, ``overall`` (the reference value),
    ``difference``, ``se``, ``df`` (see `indices.compare_to_overall`).
    """
    frame = _analysis(data, instrument)
    design = design_of(instrument) or Design()
    statistics = {sat_column(i.id): {sat_column(i.id): 1.0} for i in instrument.criteria}
    if by_field_only:
        result = compare_to_overall(frame, design, statistics, "field")
        result["province"] = ALL
    else:
        result = compare_to_overall(frame, design, statistics, "province", within="field")
    result = result.rename(columns={"statistic": "variable"})
    return result[["province", "field", "variable", "overall", "difference", "se", "df"]]


def priorities(
    cells: pd.DataFrame,
    *,
    rule: PriorityRule | None = None,
    comparison: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Gap to target, one-sided design-based test, tier and rank of every cell.

    `cells` come from `criterion_cells` (or any tidy frame with ``estimate``, ``se``,
    ``df``, ``reliable``, ``volume`` and the unit columns ``field`` / ``province``). With
    ``rule.target == "overall"``, `comparison` must be `target_comparison` of the same data.

    Adds: ``target``, ``gap`` (target - share), ``t``, ``p_value`` (one-sided, share below
    target), ``p_adjusted`` (across all cells: the family), ``significant``, ``below_target``,
    ``large_gap`` (gap >= tier1_gap), ``volume_share``, ``top_volume``, ``tier`` (1/2/3 or
    missing), ``priority`` ("Ưu tiên 1".. or "Đạt mục tiêu"), ``score`` (gap x volume share)
    and ``rank`` (1 = first to fix; missing at or above target). Sorted by tier then score.
    """
    rule = rule or PriorityRule()
    needed = ["estimate", "se", "df", "reliable", "volume", "variable"]
    missing = [c for c in needed if c not in cells.columns]
    if missing:
        raise InputError("the cells have no column", column=missing[0])
    out = cells.copy()
    units = _unit_keys(out)
    estimate = out["estimate"].to_numpy(dtype=float)
    if rule.fixed_target is not None:
        out["target"] = rule.fixed_target
        difference = estimate - rule.fixed_target
        se = out["se"].to_numpy(dtype=float)
        ddf = out["df"].to_numpy(dtype=float)
    else:
        if comparison is None:
            raise ParameterError(
                "target 'overall' needs the design-based comparison of each cell with its "
                "reference (target_comparison)",
                key="parameter 'target'",
            )
        keys = [*units, "variable"]
        merged = out[keys].merge(
            comparison[[*keys, "overall", "difference", "se", "df"]],
            on=keys,
            how="left",
            suffixes=("", "_cmp"),
        )
        out["target"] = merged["overall"].to_numpy(dtype=float)
        difference = merged["difference"].to_numpy(dtype=float)
        se = merged["se"].to_numpy(dtype=float)
        ddf = merged["df"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stat = difference / se
        p_one = stats.t.cdf(t_stat, np.where(ddf > 0, ddf, np.nan))
    p_one = np.where((se > 0) & np.isfinite(t_stat), p_one, np.nan)
    out["gap"] = out["target"] - estimate
    out["t"] = t_stat
    out["p_value"] = p_one
    out["p_adjusted"] = adjust_pvalues(p_one, method=rule.adjust)
    gap = out["gap"].to_numpy(dtype=float)
    below = gap > _TOL
    significant = below & (out["p_adjusted"].to_numpy(dtype=float) < rule.alpha)
    reliable = out["reliable"].fillna(False).to_numpy(dtype=bool)
    large = gap >= rule.tier1_gap - _TOL
    medium = gap >= rule.tier2_gap - _TOL

    volume = out.groupby(units, sort=False)["volume"].first() if units else out["volume"][:1]
    total = float(volume.sum())
    out["volume_share"] = out["volume"].astype(float) / total if total > 0 else np.nan
    top_count = math.ceil(len(volume) * rule.tier1_volume - _TOL)
    top_units = volume.sort_values(ascending=False, kind="stable").index[:top_count]
    if units:
        unit_index = pd.MultiIndex.from_frame(out[units]) if len(units) > 1 else out[units[0]]
        top = np.asarray(unit_index.isin(top_units), dtype=bool)
    else:
        top = np.ones(len(out), dtype=bool)

    tier1 = reliable & significant & (large | top)
    tier2 = reliable & below & ~tier1 & (significant | medium)
    tier3 = below & ~tier1 & ~tier2
    tier = np.select([tier1, tier2, tier3], [1, 2, 3], default=0)
    out["significant"] = significant
    out["below_target"] = below
    out["large_gap"] = large & below
    out["top_volume"] = top
    out["tier"] = pd.array(np.where(tier > 0, tier, None), dtype="Int64")
    out["priority"] = [TIERS.get(int(k), NOT_PRIORITY) for k in tier]
    out["score"] = np.where(below, gap * out["volume_share"].to_numpy(dtype=float), np.nan)
    order = np.lexsort(
        (-np.nan_to_num(out["score"].to_numpy(dtype=float)), np.where(tier > 0, tier, 9))
    )
    out = out.iloc[order].reset_index(drop=True)
    ranked = out["tier"].notna().to_numpy()
    out["rank"] = pd.array(np.where(ranked, np.cumsum(ranked), None), dtype="Int64")
    out.attrs["rule"] = rule
    return out


# ------------------------------------------------------------------------------ change
def _criterion_scales(instrument: Instrument) -> dict[str, tuple[Any, ...]]:
    out = {}
    for item in instrument.criteria:
        scale = instrument.scale_of(item)
        out[item.id] = (
            item.group,
            scale.codes,
            tuple(sorted(scale.satisfied)),
            tuple(sorted(scale.neutral)),
            scale.neutral_in_denominator,
        )
    return out


def check_comparable(
    current: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    current_instrument: Instrument | None = None,
    previous_instrument: Instrument | None = None,
) -> None:
    """Refuse a naive comparison of two waves measured differently.

    `current` / `previous` are the estimates' ``meta``. Raises `MethodBreakError` when the
    instrument versions differ (a method break: SIPAS 2021 -> 2022 moved from people who had
    just used a service to a household sample, so the published fall from 85.5% to 80.1% mixes
    a change of method with any change of service), or when the instruments (if given) differ
    in their criteria or in the scales and satisfied codes of their criteria. Raises
    `ParameterError` when the geographies or the aggregation rules differ, or when both are
    the same wave.
    """
    name_now = f"{current.get('survey')} ({current.get('year')})"
    name_before = f"{previous.get('survey')} ({previous.get('year')})"
    if current.get("survey") == previous.get("survey") and current.get("year") == previous.get(
        "year"
    ):
        raise ParameterError(
            f"the previous wave {name_before} is the current survey itself",
            key="parameter 'previous_wave'",
        )
    version_now, version_before = (
        current.get("instrument_version"),
        previous.get("instrument_version"),
    )
    if version_now != version_before:
        raise MethodBreakError(
            f"method break: {name_before} uses instrument version {version_before!r} and "
            f"{name_now} version {version_now!r}; a naive change between them would mix a "
            "change of method (sample, questions, scale) with a change of satisfaction -- as "
            "SIPAS 2021 -> 2022, which moved from service users to a household sample. "
            "Compare waves of one version, or re-estimate both under one method",
            key="parameter 'previous_wave'",
        )
    if current_instrument is not None and previous_instrument is not None:
        scales_now = _criterion_scales(current_instrument)
        scales_before = _criterion_scales(previous_instrument)
        if set(scales_now) != set(scales_before):
            only = sorted(set(scales_now) ^ set(scales_before))
            raise MethodBreakError(
                f"method break: {name_before} and {name_now} do not ask the same criteria "
                f"({', '.join(only[:5])} in one only) although both claim version "
                f"{version_now!r}; their indices are not comparable",
                key="parameter 'previous_wave'",
            )
        changed = sorted(k for k in scales_now if scales_now[k] != scales_before[k])
        if changed:
            raise MethodBreakError(
                f"method break: the scale, satisfied codes or element of criterion "
                f"{changed[0]} differ between {name_before} and {name_now}; a satisfied share "
                "counted differently is not comparable",
                key="parameter 'previous_wave'",
            )
    if current.get("geography") != previous.get("geography"):
        raise ParameterError(
            f"{name_before} is in geography {previous.get('geography')!r} and {name_now} in "
            f"{current.get('geography')!r}: recompute the previous wave from its microdata "
            "in the current provinces (never average published indices of merged provinces)",
            key="parameter 'previous_wave'",
        )
    for key in ("element_rule", "overall_rule"):
        if current.get(key) != previous.get(key):
            raise ParameterError(
                f"{name_before} was estimated with {key} {previous.get(key)!r} and {name_now} "
                f"with {current.get(key)!r}: estimate both with one rule",
                key="parameter 'previous_wave'",
            )


def change_since(
    current: Estimates,
    previous: Estimates,
    *,
    frame: str = "criteria",
    province: str | None = None,
    current_instrument: Instrument | None = None,
    previous_instrument: Instrument | None = None,
    adjust: str = "holm",
    alpha: float = 0.05,
    level: float = 0.95,
) -> pd.DataFrame:
    """Change of every cell of `frame` ("criteria", "elements" or "overall") between waves.

    Checks the waves are comparable first (`check_comparable`). Cells are matched on
    province, field and variable (a cell found in one wave only is left out); `province`
    keeps one province (with all its fields, and ``ALL``). p-values are adjusted across the
    rows returned (one family). Returns ``province``, ``field``, ``variable`` (then ``item``,
    ``group``, ``label`` when the frame has them), ``previous``, ``current``, ``change``,
    ``se``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p_value``, ``p_adjusted``, ``sig``
    ("up", "down" or ""), ``reliable`` (both waves' estimates reliable) and ``suppressed``
    (fewer than `min_n` respondents in a wave: no interval, no test; see `_suppress_tiny`).
    """
    check_comparable(
        current.meta,
        previous.meta,
        current_instrument=current_instrument,
        previous_instrument=previous_instrument,
    )
    keys = ["province", "field", "variable"]
    now, before = current[frame], previous[frame]
    if province is not None:
        now = now[now["province"] == province]
        before = before[before["province"] == province]
    diff = difference_independent(before, now, on=keys, level=level)
    diff = diff.rename(
        columns={
            "estimate_first": "previous",
            "estimate_second": "current",
            "estimate": "change",
            "statistic": "t",
        }
    )
    labels = [c for c in ("item", "group", "label") if c in now.columns]
    flags = now[[*keys, "reliable", "n", *labels]].merge(
        before[[*keys, "reliable", "n"]], on=keys, suffixes=("", "_previous")
    )
    diff = diff.merge(flags, on=keys, how="left")
    diff["reliable"] = diff["reliable"].fillna(False).astype(bool) & diff[
        "reliable_previous"
    ].fillna(False).astype(bool)
    diff = _suppress_tiny(diff, _min_n(current, previous))
    diff["p_adjusted"] = adjust_pvalues(diff["p_value"], method=adjust)
    significant = diff["p_adjusted"] < alpha
    diff["sig"] = np.where(
        significant & (diff["change"] > 0),
        "up",
        np.where(significant & (diff["change"] < 0), "down", ""),
    )
    columns = [
        *keys,
        *labels,
        "previous",
        "current",
        "change",
        "se",
        "ci_low",
        "ci_high",
        "t",
        "df",
        "p_value",
        "p_adjusted",
        "sig",
        "reliable",
        "suppressed",
    ]
    out = diff[columns].reset_index(drop=True)
    out.attrs["previous_year"] = previous.meta.get("year")
    out.attrs["current_year"] = current.meta.get("year")
    return out


def _min_n(current: Estimates, previous: Estimates) -> int:
    """The smallest n either wave publishes (its `min_n` option; 30 when not recorded)."""
    values = [(wave.meta.get("options") or {}).get("min_n") for wave in (current, previous)]
    known = [int(v) for v in values if v is not None]
    return max(known) if known else 30


def _suppress_tiny(diff: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """A cell with fewer than `min_n` respondents in either wave has no interval and no test
    (`suppressed`; its p-value is not counted in the family), and every interval stays within
    the range a change of shares can take, [-1, 1]: a domain of 2-4 respondents has a design
    df of 1 or 2 and a t interval of several hundred points, which must never reach a reader.
    """
    out = diff.copy()
    tiny = (out["n"].fillna(0) < min_n) | (out["n_previous"].fillna(0) < min_n)
    out["suppressed"] = tiny.to_numpy()
    for column in ("ci_low", "ci_high", "t", "p_value"):
        out[column] = out[column].where(~tiny)
    out["reliable"] = out["reliable"] & ~tiny
    out["ci_low"] = out["ci_low"].clip(lower=-1.0, upper=1.0)
    out["ci_high"] = out["ci_high"].clip(lower=-1.0, upper=1.0)
    return out


def _primary_comparison(change: pd.DataFrame, rule: PriorityRule) -> pd.DataFrame:
    """The change of the overall index over all fields is the plan's one primary comparison:
    its p-value is not adjusted (so it agrees with its interval), and the fields' changes of
    the overall index form their own family. Adds ``primary``."""
    out = change.copy()
    primary = (out["field"] == ALL).to_numpy()
    out["primary"] = primary
    out.loc[primary, "p_adjusted"] = out.loc[primary, "p_value"]
    if (~primary).any():
        out.loc[~primary, "p_adjusted"] = adjust_pvalues(
            out.loc[~primary, "p_value"].to_numpy(dtype=float), method=rule.adjust
        )
    significant = out["p_adjusted"] < rule.alpha
    out["sig"] = np.where(
        significant & (out["change"] > 0),
        "up",
        np.where(significant & (out["change"] < 0), "down", ""),
    )
    return out


# ------------------------------------------------------------------------------ all of it
@dataclass
class PlanAnalysis:
    """Everything a remediation plan shows, for one province (or ``ALL``).

    ``cells``: every field x criterion cell with its priority (`priorities`) and, when a
    previous wave is compared, ``previous``, ``change``, ``change_ci_low``,
    ``change_ci_high``, ``change_p_adjusted``, ``change_sig``; ``plan``: the cells below
    target, first to fix first; ``by_province``: the same over province x field x criterion
    (whole-survey plans only); ``change_overall``: change of the overall and element indices
    by field; ``change_refused``: why the waves were not compared (a method break), else
    None; ``drivers`` (criteria) and ``element_drivers``; ``quadrants`` (importance x
    performance); ``reliability``; ``comments`` (top phrases per field).
    """

    province: str
    rule: PriorityRule
    cells: pd.DataFrame
    plan: pd.DataFrame
    by_province: pd.DataFrame | None = None
    change_overall: pd.DataFrame | None = None
    change_refused: str | None = None
    drivers: pd.DataFrame | None = None
    element_drivers: pd.DataFrame | None = None
    quadrants: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    comments: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _analysis(data: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    has_all = "province" in data.columns and "field" in data.columns
    if has_all and all(sat_column(i.id) in data.columns for i in instrument.criteria):
        return data
    return analysis_frame(data, instrument)


def _with_change(cells: pd.DataFrame, change: pd.DataFrame) -> pd.DataFrame:
    keys = ["province", "field", "variable"]
    picked = change[[*keys, "previous", "change", "ci_low", "ci_high", "p_adjusted", "sig"]]
    picked = picked.rename(
        columns={
            "ci_low": "change_ci_low",
            "ci_high": "change_ci_high",
            "p_adjusted": "change_p_adjusted",
            "sig": "change_sig",
        }
    )
    return cells.merge(picked, on=keys, how="left")


def remediation_analysis(
    data: pd.DataFrame,
    instrument: Instrument,
    estimates: Estimates,
    *,
    province: str = ALL,
    previous: Estimates | None = None,
    previous_instrument: Instrument | None = None,
    rule: PriorityRule | None = None,
    dossiers: pd.DataFrame | None = None,
    comment_phrases: int = 5,
    predictors: Sequence[str] | str = "criteria",
) -> PlanAnalysis:
    """Priorities, change, drivers, quadrants, scale reliability and comments of one plan.

    `data` is the survey's clean frame (the same the `estimates` were computed from),
    `province` a province of the survey or ``ALL``; `previous` the estimates of the previous
    wave (same instrument version, else the change is refused and `change_refused` says
    why). See the module docstring for the rules.
    """
    rule = rule or PriorityRule()
    frame = _analysis(data, instrument)
    whole = province == ALL
    cells = criterion_cells(estimates, province=province, dossiers=dossiers)
    comparison = None
    if rule.fixed_target is None:
        comparison = target_comparison(frame, instrument, by_field_only=whole)
    cells = priorities(cells, rule=rule, comparison=comparison)
    by_province = None
    if whole and len(estimates.provinces) > 1:
        wide = criterion_cells(estimates, by_province=True, dossiers=dossiers)
        wide_comparison = (
            None if rule.fixed_target is not None else target_comparison(frame, instrument)
        )
        by_province = priorities(wide, rule=rule, comparison=wide_comparison)

    change_overall = None
    refused = None
    if previous is not None:
        common = dict(
            province=province,
            current_instrument=instrument,
            previous_instrument=previous_instrument,
            adjust=rule.adjust,
            alpha=rule.alpha,
        )
        try:
            change = change_since(estimates, previous, frame="criteria", **common)
        except MethodBreakError as error:
            refused = str(error)
        else:
            cells = _with_change(cells, change[change["field"] != ALL])
            parts = [
                change_since(estimates, previous, frame=name, **common)
                for name in ("overall", "elements")
            ]
            parts[0] = _primary_comparison(parts[0], rule)
            change_overall = pd.concat(parts, ignore_index=True)
            if by_province is not None:
                wide_change = change_since(
                    estimates, previous, frame="criteria", **{**common, "province": None}
                )
                wide_change = wide_change[
                    (wide_change["province"] != ALL) & (wide_change["field"] != ALL)
                ]
                by_province = _with_change(by_province, wide_change)

    mine = frame if whole else frame[frame["province"] == province]
    criteria_drivers = element_drivers = quadrants = None
    overall_items = instrument.items_with(role="overall")
    if overall_items and len(mine):
        criteria_drivers = drivers(mine, instrument, predictors=predictors)  # type: ignore[arg-type]
        element_drivers = drivers(mine, instrument, predictors="elements")
        performance = estimates["criteria"]
        performance = performance[
            (performance["province"] == province) & (performance["field"] == ALL)
        ]
        quadrants = importance_performance(
            criteria_drivers, performance, key="predictor", variable="item"
        )
    reliability = element_reliability(mine, instrument, weight=instrument.design.get("weight"))
    comments = None
    comment_items = instrument.items_with(role="comment")
    if comment_items and comment_items[0].id in mine.columns:
        comments = top_phrases(mine, comment_items[0].id, by="field", n=comment_phrases)
    plan = cells[cells["tier"].notna()].reset_index(drop=True)
    meta = {
        **estimates.meta,
        "province": province,
        "previous": None if previous is None else previous.meta,
        "volume_source": str(cells["volume_source"].iloc[0]),
    }
    return PlanAnalysis(
        province=province,
        rule=rule,
        cells=cells,
        plan=plan,
        by_province=by_province,
        change_overall=change_overall,
        change_refused=refused,
        drivers=criteria_drivers,
        element_drivers=element_drivers,
        quadrants=quadrants,
        reliability=reliability,
        comments=comments,
        meta=meta,
    )
