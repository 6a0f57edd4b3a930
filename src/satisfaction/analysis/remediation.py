"""Remediation plans: priorities, drivers, scale reliability and change since the last wave.

What analysts hand to leadership is a remediation plan (kế hoạch khắc phục): which field,
which criterion is weakest, how sure we are, what changed since the last wave and what to fix
first. This module computes it; `satisfaction.present.plan` presents it (tables, figures, xlsx,
docx). Nothing here draws or writes files.

Cells (`satisfaction.analysis.cells`): one criterion in one field (and, for a whole-survey
plan, optionally one province), with its estimate, reliability and volume.

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

Quota and self-selected samples, censuses (``PriorityRule.inference`` False, set from the
estimates' kind of sample): nothing is tested, so no cell is "significantly" below target.
Gaps are ranked by size and n: Ưu tiên 1 = enough answers (n >= the minimum) AND gap >=
``tier1_gap``; Ưu tiên 2 = enough answers AND gap >= ``tier2_gap``; Ưu tiên 3 = every other
cell below target (including cells with too few answers); ranked within a tier as above.

Drivers and quadrants: `satisfaction.stats.drivers` (weighted ordinal logit of the overall item on
the criteria, correlation fallback) crossed with the satisfied share of each criterion into
the importance-performance quadrants. Scale reliability: `satisfaction.stats.reliability`
(Cronbach's alpha, item-rest). Comments: `satisfaction.analysis.comments.top_phrases`
(personal data never shown). For one province these run on the province's forms as a
domain of the whole design (R's ``subset``), with its analysis weights and lonely-PSU rule.

Change since the last wave: `satisfaction.analysis.change` (`change_since`, and
`MethodBreakError` when the waves were measured differently); a plan adds it to its cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.analysis.cells import (
    _analysis,
    _unit_keys,
    criterion_cells,
    target_comparison,
)
from satisfaction.analysis.change import MethodBreakError, change_since, primary_comparison
from satisfaction.analysis.comments import top_phrases
from satisfaction.analysis.estimates import ALL, Estimates
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights, design_of
from satisfaction.stats.drivers import drivers, importance_performance
from satisfaction.stats.estimate import adjust_pvalues
from satisfaction.stats.reliability import element_reliability
from satisfaction.studies import kinds

__all__ = [
    "NOT_PRIORITY",
    "TIERS",
    "PlanAnalysis",
    "PriorityRule",
    "priorities",
    "remediation_analysis",
]

TIERS: dict[int, str] = {1: "Ưu tiên 1", 2: "Ưu tiên 2", 3: "Ưu tiên 3"}
NOT_PRIORITY = "Đạt mục tiêu"
_TOL = 1e-12


@dataclass(frozen=True)
class PriorityRule:
    """The thresholds of the priority rule (see the module docstring)."""

    target: float | str = 0.80
    alpha: float = 0.05
    adjust: str = "holm"
    tier1_gap: float = 0.10
    tier1_volume: float = 1 / 3
    tier2_gap: float = 0.05
    inference: bool = True  # False: a quota, self-selected or census study (no tests)

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
    difference, se, ddf = _difference_to_target(out, estimate, rule, comparison, units)
    if not rule.inference:  # no test of a sample that was not drawn at random
        se = np.full(len(out), np.nan)
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

    top = _top_volume(out, units, rule)

    if rule.inference:
        tier1 = reliable & significant & (large | top)
        tier2 = reliable & below & ~tier1 & (significant | medium)
    else:  # ranked by the size of the gap among cells with enough answers
        tier1 = reliable & below & large
        tier2 = reliable & below & ~tier1 & medium
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


def _difference_to_target(
    out: pd.DataFrame,
    estimate: np.ndarray,
    rule: PriorityRule,
    comparison: pd.DataFrame | None,
    units: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set ``target`` on `out`; return share - target, its SE and df (per cell)."""
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
    return difference, se, ddf


def _top_volume(out: pd.DataFrame, units: list[str], rule: PriorityRule) -> np.ndarray:
    """Set ``volume_share`` on `out`; return whether each cell's unit is a top-volume unit."""
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

    return top


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
    study = kinds.study_of_meta(estimates.meta)
    if not kinds.inference_allowed(study["kind"]):
        rule = replace(rule, inference=False)
    frame = _analysis(data, instrument, study.get("unit"))
    whole = province == ALL
    cells, by_province = _plan_cells(frame, instrument, estimates, province, rule, dossiers)

    change_overall = None
    refused = None
    if previous is not None:
        cells, by_province, change_overall, refused = _with_previous(
            cells,
            by_province,
            instrument,
            estimates,
            previous,
            previous_instrument,
            province,
            rule,
        )

    # the province's forms as a domain of the whole design (R's subset), never a new design
    in_plan = frame["province"].eq(province).to_numpy(dtype=bool, na_value=False) | whole
    mine = frame[in_plan]
    criteria_drivers, element_drivers, quadrants = _drivers_and_quadrants(
        frame, in_plan, instrument, estimates, province, predictors
    )
    weights = analysis_weights(frame, design_of(instrument) or Design())[in_plan]
    reliability = element_reliability(mine.assign(__w=weights), instrument, weight="__w")
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


def _plan_cells(
    frame: pd.DataFrame,
    instrument: Instrument,
    estimates: Estimates,
    province: str,
    rule: PriorityRule,
    dossiers: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The plan's cells with their priorities; for a whole survey also by province."""
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
    return cells, by_province


def _with_previous(
    cells: pd.DataFrame,
    by_province: pd.DataFrame | None,
    instrument: Instrument,
    estimates: Estimates,
    previous: Estimates,
    previous_instrument: Instrument | None,
    province: str,
    rule: PriorityRule,
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, str | None]:
    """Cells with their change since `previous`, the change of the indices, or the refusal.

    Returns (cells, by_province, change_overall, refused): on a method break the cells are
    unchanged, change_overall is None and refused says why.
    """
    change_overall = None
    refused = None
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
        parts[0] = primary_comparison(parts[0], adjust=rule.adjust, alpha=rule.alpha)
        change_overall = pd.concat(parts, ignore_index=True)
        if by_province is not None:
            wide_change = change_since(
                estimates, previous, frame="criteria", **{**common, "province": None}
            )
            wide_change = wide_change[
                (wide_change["province"] != ALL) & (wide_change["field"] != ALL)
            ]
            by_province = _with_change(by_province, wide_change)
    return cells, by_province, change_overall, refused


def _drivers_and_quadrants(
    frame: pd.DataFrame,
    in_plan: np.ndarray,
    instrument: Instrument,
    estimates: Estimates,
    province: str,
    predictors: Sequence[str] | str,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """Criteria and element drivers of the overall item on the plan's forms (a domain of
    the whole design), and the importance x performance."""
    criteria_drivers = element_drivers = quadrants = None
    overall_items = instrument.items_with(role="overall")
    if overall_items and in_plan.any():
        common = dict(instrument=instrument, where=in_plan)
        criteria_drivers = drivers(frame, predictors=predictors, **common)  # type: ignore[arg-type]
        element_drivers = drivers(frame, predictors="elements", **common)  # type: ignore[arg-type]
        performance = estimates["criteria"]
        performance = performance[
            (performance["province"] == province) & (performance["field"] == ALL)
        ]
        try:
            quadrants = importance_performance(
                criteria_drivers, performance, key="predictor", variable="item"
            )
        except InputError:  # no variance to explain (every answer one level): no quadrants
            quadrants = None
    return criteria_drivers, element_drivers, quadrants
