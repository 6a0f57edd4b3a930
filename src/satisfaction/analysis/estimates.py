"""Every estimate the reports need, computed once, up front, in one tidy shape.

`compute_estimates(clean, instrument)` returns an `Estimates`: named tidy frames (the
estimator shape plus `province`, `field` and, for breakdowns, `breakdown` / `category`
columns, with `ALL` where a dimension is aggregated) and the metadata every output states
(aggregation rules, confidence level, geography, design). Notebooks read these frames and
filter; they never estimate, so a batch over 34 provinces costs one estimation pass.

Domains always come from `by=` on the full sample (never filtered rows). Provinces are
reported in the instrument's geography: on `current_34`, a row keyed with a pre-2025 name
of a merged province is counted in the province it belongs to today (recomputed from
microdata, never by averaging published indices).

Reporting units: the `province` column of every frame holds the reporting unit chosen by
`AnalysisOptions.unit` (a respondent role: province, commune, district, agency or
respondent group; by default the first the instrument declares), `meta["study"]["unit"]`
says which. A survey with no unit column (one ward's own poll) has no per-unit rows, and one
with no field column no per-field rows: only the whole survey.

Kinds of sample (`studies.kinds`): the estimators are design-based; a quota sample gets its
cells as strata and, with declared margins, raked weights (`studies.quota`); then each frame
is reduced to what the kind may claim (`kinds.finish_estimates`): no intervals or tests for
a self-selected sample or a census, reference intervals and no tests for a quota sample,
pooled quota figures suppressed when no margins are declared.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.analysis.frame import AGE_BANDS, ALL, analysis_frame
from satisfaction.analysis.sampling import finish_frames, study_design
from satisfaction.errors import InputError
from satisfaction.io.instrument import Instrument
from satisfaction.io.write import make_folder, write_parquet, write_text
from satisfaction.stats import estimate
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.estimate import Reliability
from satisfaction.stats.replicate import ReplicateDesign
from satisfaction.studies.indices import (
    SAT_PREFIX,
    IndexRules,
    compare_to_overall,
    criterion_indices,
    element_indices,
    overall_index,
    overall_terms,
    sat_column,
)

__all__ = [
    "AGE_BANDS",
    "ALL",
    "ESTIMATES_FORMAT",
    "AnalysisOptions",
    "Estimates",
    "analysis_frame",
    "compute_estimates",
    "load_estimates",
    "variance_meta",
    "write_estimates",
]

#: The shape of the frames written by `write_estimates`: a new frame or column bumps it, so
#: estimates written by an older version are recomputed rather than read without it.
ESTIMATES_FORMAT = 3
BREAKDOWNS = ("sex", "age_band", "respondent_group", "urban_rural")
BREAKDOWN_LABELS = {
    "sex": ("Giới tính", "Sex"),
    "age_band": ("Nhóm tuổi", "Age band"),
    "respondent_group": ("Nhóm người trả lời", "Respondent group"),
    "urban_rural": ("Khu vực", "Urban or rural"),
}


@dataclass(frozen=True)
class AnalysisOptions:
    """What every estimate is computed with; written beside the estimates."""

    level: float = 0.95
    method: str = "logit"
    element_rule: str = "mean_of_criteria"
    overall_rule: str = "mean_of_elements"
    min_n: int = 30
    adjust: str = "holm"
    alpha: float = 0.05
    unit: str | None = None  # reporting-unit role; None: the first the instrument declares

    @property
    def rules(self) -> IndexRules:
        return IndexRules(element=self.element_rule, overall=self.overall_rule)

    @property
    def reliability(self) -> Reliability:
        return Reliability(min_n=self.min_n)


@dataclass
class Estimates:
    """Named tidy frames plus the metadata (rules, level, geography) they were made with."""

    frames: dict[str, pd.DataFrame]
    meta: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def for_province(self, name: str, province: str) -> pd.DataFrame:
        frame = self.frames[name]
        return frame[frame["province"] == province].reset_index(drop=True)

    @property
    def provinces(self) -> list[str]:
        return sorted(p for p in self.frames["sample"]["province"].unique() if p != ALL)

    @property
    def fields(self) -> list[str]:
        return sorted(f for f in self.frames["sample"]["field"].unique() if f != ALL)


# ----------------------------------------------------------------------------- estimation
def _levels(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """The domains of every frame: the whole survey, then per field, per unit, per both --
    a dimension the survey does not have (no unit or no field column) is left out."""
    has_unit = bool((frame["province"] != ALL).any())
    has_field = bool((frame["field"] != ALL).any())
    levels: list[tuple[str, ...]] = [()]
    if has_unit:
        levels.append(("province",))
    if has_field:
        levels.append(("field",))
    if has_unit and has_field:
        levels.append(("province", "field"))
    return levels


def _with_all(frame: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for column in ("province", "field"):
        if column not in by:
            out[column] = ALL
    return out


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True)
    front = [c for c in ("province", "field", "breakdown", "category") if c in out.columns]
    return out[front + [c for c in out.columns if c not in front]]


def _sample_table(frame: pd.DataFrame, design: Design) -> pd.DataFrame:
    """n (forms with a positive weight) and N (their weights) per province, field and both."""
    weight = pd.Series(analysis_weights(frame, design), index=frame.index)
    weight = weight.where(weight > 0)
    work = pd.DataFrame({"province": frame["province"], "field": frame["field"], "w": weight})
    rows = []
    for by in _levels(frame):
        if by:
            grouped = work.groupby(list(by), dropna=True)
            part = grouped.agg(n=("w", "count"), N=("w", "sum")).reset_index()
        else:
            part = pd.DataFrame({"n": [work["w"].count()], "N": [work["w"].sum()]})
        rows.append(_with_all(part, by))
    return _stack(rows)


def _design_note(instrument: Instrument, study: dict[str, Any]) -> str:
    """The design in the terms of meta.json (analysts read it; reports use `study`)."""
    if study["kind"] == "probability" and instrument.design:
        return ", ".join(f"{k}={v}" for k, v in instrument.design.items())
    if study["kind"] == "quota":
        how = "raked to the declared margins" if study["margins"] else "no margins: unweighted"
        return f"quota cells as strata ({', '.join(study['quota'])}); {how}"
    return "no design: every form counted once (descriptive)"


def compute_estimates(
    clean: pd.DataFrame,
    instrument: Instrument,
    options: AnalysisOptions | None = None,
    *,
    language: str = "vi",
) -> Estimates:
    """All report estimates of a cleaned survey (see the module docstring for the shape)."""
    options = options or AnalysisOptions()
    frame = analysis_frame(clean, instrument, unit=options.unit)
    if frame.empty:
        raise InputError("no clean rows to analyse")
    unit = frame.attrs.get("unit")
    frame, design, study = study_design(frame, instrument, unit)
    rules = options.rules
    kwargs = dict(level=options.level, method=options.method, reliability=options.reliability)
    levels = _levels(frame)

    criteria, elements, overall = [], [], []
    for by in levels:
        by_arg = list(by) or None
        criteria.append(
            _with_all(
                criterion_indices(frame, design, instrument, by_arg, language=language, **kwargs),
                by,
            )
        )
        elements.append(
            _with_all(
                element_indices(
                    frame, design, instrument, by_arg, rules=rules, language=language, **kwargs
                ),
                by,
            )
        )
        overall.append(
            _with_all(overall_index(frame, design, instrument, by_arg, rules=rules, **kwargs), by)
        )

    frames: dict[str, pd.DataFrame] = {
        "sample": _sample_table(frame, design),
        "criteria": _stack(criteria),
        "elements": _stack(elements),
        "overall": _stack(overall),
        "breakdowns": _breakdowns(frame, design, instrument, options, language),
    }
    frames.update(_distributions(frame, design, instrument, options, language))
    frames.update(_comparisons(frame, design, instrument, options, language))
    frames = finish_frames(frames, study, options.min_n)
    meta = {
        "survey": instrument.id,
        "title": instrument.title.vi,
        "title_en": instrument.title.get("en"),
        "year": instrument.year,
        "instrument_version": instrument.version,
        "geography": instrument.geography,
        "design": _design_note(instrument, study),
        "study_kind": study["kind"],
        "study": study,
        "design_roles": dict(instrument.design),
        **variance_meta(design, study["kind"]),
        "options": asdict(options),
        "element_rule": rules.element,
        "overall_rule": rules.overall,
        "n_respondents": len(frame),
        "provinces": sorted(p for p in frame["province"].dropna().unique() if p != ALL),
        "fields": sorted(f for f in frame["field"].dropna().unique() if f != ALL),
        "likert_labels": _likert_labels(instrument),
        # criterion id -> the few words charts show (the full text is in the tables)
        "short_labels": {
            item.id: {lang: item.short_text(lang) for lang in ("vi", "en")}
            for item in instrument.criteria
        },
    }
    return Estimates(frames=frames, meta=meta)


# How strata holding a single sampled cluster enter the standard errors, in words (vi, en).
LONELY_PSU_NOTES = {
    "fail": (
        "tầng chỉ có một cụm mẫu cấp 1 không được chấp nhận (quy tắc 'fail' của R survey)",
        "strata with a single sampled cluster are refused (R survey's 'fail' rule)",
    ),
    "remove": (
        "tầng chỉ có một cụm mẫu cấp 1 không tính vào sai số (quy tắc 'remove' của R survey)",
        "strata with a single sampled cluster add no variance (R survey's 'remove' rule)",
    ),
    "certainty": (
        "tầng chỉ có một cụm mẫu cấp 1 được coi là chọn chắc chắn, không tính vào sai số "
        "(quy tắc 'certainty' của R survey)",
        "strata with a single sampled cluster are taken as certain, adding no variance "
        "(R survey's 'certainty' rule)",
    ),
    "adjust": (
        "tầng chỉ có một cụm mẫu cấp 1: sai số tính quanh trung bình chung "
        "(quy tắc 'adjust' của R survey)",
        "strata with a single sampled cluster: variance around the overall mean "
        "(R survey's 'adjust' rule)",
    ),
    "average": (
        "tầng chỉ có một cụm mẫu cấp 1 nhận phương sai trung bình của các tầng khác "
        "(quy tắc 'average' của R survey)",
        "strata with a single sampled cluster take the average variance of the other strata "
        "(R survey's 'average' rule)",
    ),
}
DOMAIN_LONELY_NOTE = (
    "; áp dụng cả khi một nhóm phân tích chỉ có một cụm mẫu trong tầng",
    "; also where a breakdown holds a single cluster of a stratum",
)


def variance_meta(design: Design | ReplicateDesign, kind: str) -> dict[str, Any]:
    """What the metadata say about the variance rules of a probability sample: the
    lonely-PSU rule (or the replicate weights) and its wording for the method notes
    (`lonely_psu_note`: vi, en; empty for other kinds of sample)."""
    if kind != "probability":
        return {"lonely_psu": None, "lonely_psu_note": {"vi": "", "en": ""}}
    if isinstance(design, ReplicateDesign):
        count = len(design.replicates)
        notes = (
            f"sai số chuẩn từ {count} bộ trọng số lặp ({design.method})",
            f"standard errors from {count} replicate weights ({design.method})",
        )
        return {
            "lonely_psu": None,
            "replicates": design.method,
            "domain_df": design.domain_df,
            "lonely_psu_note": {"vi": notes[0], "en": notes[1]},
        }
    notes = LONELY_PSU_NOTES[design.lonely_psu]
    if design.adjust_domain_lonely:
        notes = (notes[0] + DOMAIN_LONELY_NOTE[0], notes[1] + DOMAIN_LONELY_NOTE[1])
    return {
        "lonely_psu": design.lonely_psu,
        "adjust_domain_lonely": design.adjust_domain_lonely,
        "domain_df": design.domain_df,
        "lonely_psu_note": {"vi": notes[0], "en": notes[1]},
    }


def _breakdowns(
    frame: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    options: AnalysisOptions,
    language: str,
) -> pd.DataFrame:
    """Overall and element indices by sex, age band, respondent group and urban/rural, for
    the whole survey and within each unit (a breakdown that is the unit itself is left out).
    """
    rules = options.rules
    kwargs = dict(level=options.level, method=options.method, reliability=options.reliability)
    unit = frame.attrs.get("unit")
    has_unit = ("province",) in _levels(frame)
    parts = []
    for breakdown in [b for b in BREAKDOWNS if b in frame.columns and b != unit]:
        for by in ((breakdown,), ("province", breakdown)) if has_unit else ((breakdown,),):
            part = overall_index(frame, design, instrument, list(by), rules=rules, **kwargs)
            part = _with_all(part.rename(columns={breakdown: "category"}), by)
            part["breakdown"] = breakdown
            parts.append(part)
            elem = element_indices(
                frame, design, instrument, list(by), rules=rules, language=language, **kwargs
            )
            elem = _with_all(elem.rename(columns={breakdown: "category"}), by)
            elem["breakdown"] = breakdown
            parts.append(elem)
    return _stack(parts) if parts else pd.DataFrame()


def _likert_labels(instrument: Instrument) -> dict[str, dict[str, str]]:
    """Code -> label of the overall question's scale, per language (for the figures)."""
    overall = instrument.items_with(role="overall") or instrument.criteria
    if not overall or overall[0].scale is None:
        return {}
    scale = instrument.scale_of(overall[0])
    return {
        lang: {str(c): label for c, label in scale.labels(lang).items()} for lang in ("vi", "en")
    }


def _distributions(
    frame: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    options: AnalysisOptions,
    language: str,
) -> dict[str, pd.DataFrame]:
    """Answer distributions (for the diverging bars) and expectation shares."""
    out: dict[str, pd.DataFrame] = {}
    overall_items = instrument.items_with(role="overall")
    kwargs = dict(level=options.level, method=options.method, reliability=options.reliability)
    levels = _levels(frame)
    unit_levels = [by for by in ((), ("province",)) if by in levels]
    if overall_items:
        item = overall_items[0]
        parts = []
        for by in [
            b for b in (("field",), ("province", "field"), ("province",), ()) if b in levels
        ]:
            part = estimate.proportion(frame, design, item.id, by=list(by) or None, **kwargs)
            parts.append(_with_all(part, by))
        likert = _stack(parts)
        likert["item"] = item.id
        out["likert_overall"] = likert
        if sat_column(item.id) in frame.columns:
            # the satisfied share of the overall question: the whisker on its diverging bar
            # (the overall index is another measure, made from the criteria)
            shares = []
            for by in (("field",), ("province", "field"), ("province",), ()):
                part = estimate.proportion(
                    frame, design, sat_column(item.id), by=list(by) or None, levels=[1], **kwargs
                )
                shares.append(_with_all(part, by))
            # a survey without a field column gives the same domains twice ("field" = ALL)
            question = _stack(shares).drop_duplicates(["province", "field", "variable"])
            question = question.reset_index(drop=True)
            question["item"] = item.id
            out["overall_question"] = question
    element_items = instrument.items_with(role="element_satisfaction")
    if element_items:
        parts = []
        for by in unit_levels:
            part = estimate.proportion(
                frame, design, [i.id for i in element_items], by=list(by) or None, **kwargs
            )
            parts.append(_with_all(part, by))
        likert = _stack(parts)
        groups = {i.id: i.group for i in element_items}
        likert["group"] = likert["variable"].map(groups)
        labels = {g.id: g.label.get(language) for g in instrument.groups}
        likert["label"] = likert["group"].map(labels)
        out["likert_elements"] = likert
        # the satisfied share of each element question, for the whisker on its bar
        shares = []
        for by in unit_levels:
            part = estimate.proportion(
                frame,
                design,
                [sat_column(i.id) for i in element_items],
                by=list(by) or None,
                levels=[1],
                **kwargs,
            )
            shares.append(_with_all(part, by))
        share = _stack(shares)
        share["group"] = share["variable"].map({sat_column(i.id): i.group for i in element_items})
        share["label"] = share["group"].map(labels)
        out["element_questions"] = share
    expectation_items = instrument.items_with(role="expectation")
    parts = []
    for item in expectation_items:
        if item.type != "multiple":
            continue
        scale = instrument.scale_of(item)
        columns = [f"{item.id}_{code}" for code in scale.codes if f"{item.id}_{code}" in frame]
        for by in [b for b in ((), ("province",), ("field",)) if b in levels]:
            part = estimate.proportion(
                frame, design, columns, by=list(by) or None, levels=[1], **kwargs
            )
            part = _with_all(part, by)
            codes = {f"{item.id}_{c}": c for c in scale.codes}
            part["item"] = item.id
            part["option"] = part["variable"].map(codes)
            part["label"] = part["option"].map(
                lambda c, s=scale: s.level(int(c)).label.get(language)
            )
            part["group"] = part["option"].map(lambda c, s=scale: s.level(int(c)).group)
            parts.append(part)
    if parts:
        out["expectations"] = _stack(parts)
    return out


def _comparisons(
    frame: pd.DataFrame,
    design: Design,
    instrument: Instrument,
    options: AnalysisOptions,
    language: str,
) -> dict[str, pd.DataFrame]:
    """Each province against the all-province value (overall, elements, criteria), and
    within each field; tests adjusted across the family (Holm by default)."""
    statistics: dict[str, dict[str, float]] = {"overall": overall_terms(instrument, options.rules)}
    for group in instrument.groups:
        items = instrument.items_with(role="criterion", group=group.id)
        if items:
            statistics[f"element:{group.id}"] = {sat_column(i.id): 1 / len(items) for i in items}
    for item in instrument.criteria:
        statistics[sat_column(item.id)] = {sat_column(item.id): 1.0}
    common = dict(adjust=options.adjust, alpha=options.alpha)
    # one family of tests per kind of statistic: overall, elements, criteria
    families = {
        "overall": {"overall": statistics["overall"]},
        "element": {k: v for k, v in statistics.items() if k.startswith("element:")},
        "criterion": {k: v for k, v in statistics.items() if k.startswith(SAT_PREFIX)},
    }
    out = {}
    if frame["province"].nunique() > 1:
        parts = []
        for family, stats in families.items():
            if stats:
                part = compare_to_overall(frame, design, stats, "province", **common)
                part["family"] = family
                parts.append(part)
        by_province = pd.concat(parts, ignore_index=True)
        by_province["field"] = ALL
        out["compare_province"] = by_province
        within_field = compare_to_overall(
            frame, design, families["overall"], "province", within="field", **common
        )
        within_field["family"] = "overall"
        out["compare_province_field"] = within_field
    if frame["field"].nunique() > 1:
        by_field = compare_to_overall(
            frame, design, {"overall": statistics["overall"]}, "field", **common
        )
        by_field["province"] = ALL
        out["compare_field"] = by_field
    return out


# ----------------------------------------------------------------------------- files
def write_estimates(estimates: Estimates, out_dir: str | Path) -> Path:
    """Write every frame as parquet plus `meta.json` into `out_dir`."""
    out_dir = make_folder(Path(out_dir))
    for name, frame in estimates.frames.items():
        clean = frame.copy()
        for column in clean.columns:
            if clean[column].dtype == object:
                clean[column] = _plain_column(clean[column])
        write_parquet(clean, out_dir / f"{name}.parquet")
    write_text(
        out_dir / "meta.json",
        json.dumps(estimates.meta, ensure_ascii=False, indent=2, default=str),
    )
    return out_dir


def _plain_column(values: pd.Series) -> pd.Series:
    """Mixed object columns as numbers when every value is a number, else as text."""
    present = values.dropna()
    if len(present) and all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in present
    ):
        return pd.to_numeric(values, errors="coerce").astype("Float64")
    return values.map(lambda v: None if pd.isna(v) else str(v)).astype("string")


def load_estimates(out_dir: str | Path) -> Estimates:
    """Read estimates written by `write_estimates`."""
    out_dir = Path(out_dir)
    meta_path = out_dir / "meta.json"
    if not meta_path.exists():
        raise InputError(
            "no estimates here; run the clean and estimate steps first", file=meta_path
        )
    frames = {p.stem: pd.read_parquet(p) for p in sorted(out_dir.glob("*.parquet"))}
    return Estimates(frames=frames, meta=json.loads(meta_path.read_text(encoding="utf-8")))
