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
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import InputError
from satisfaction.io import geography
from satisfaction.io.instrument import Instrument
from satisfaction.io.write import make_folder, write_parquet, write_text
from satisfaction.stats import estimate
from satisfaction.stats.design import Design
from satisfaction.stats.estimate import Reliability
from satisfaction.studies.indices import (
    SAT_PREFIX,
    IndexRules,
    compare_to_overall,
    criterion_indices,
    design_of,
    element_indices,
    overall_index,
    overall_terms,
    sat_column,
    satisfied_indicators,
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
    "write_estimates",
]

ALL = "Tất cả"
#: The shape of the frames written by `write_estimates`: a new frame or column bumps it, so
#: estimates written by an older version are recomputed rather than read without it.
ESTIMATES_FORMAT = 2
AGE_BANDS = ((18, 29, "18-29"), (30, 44, "30-44"), (45, 59, "45-59"), (60, 200, "60+"))
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


# ----------------------------------------------------------------------------- frame
def _labelled(series: pd.Series, instrument: Instrument, item_id: str) -> pd.Series:
    """Codes shown as the scale's Vietnamese labels (text kept as it is without a scale)."""
    try:
        labels = instrument.scale_of(item_id).labels("vi")
    except KeyError:
        return series.astype("string")
    return series.map(lambda v: labels.get(int(v)) if pd.notna(v) else None).astype("string")


def analysis_frame(clean: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Clean data plus satisfied indicators and the standard domain columns.

    Adds `province` (in the instrument's geography), `field`, and labelled `sex`,
    `age_band`, `respondent_group`, `urban_rural` when the instrument declares them.
    """
    frame = satisfied_indicators(clean, instrument)
    roles = dict(instrument.respondent)
    province_column = roles.get("province")
    if province_column in frame.columns:
        names = frame[province_column]
        if instrument.geography == "current_34":
            names = names.map(lambda v: geography.old_to_new(v) or v if isinstance(v, str) else v)
        frame["province"] = names.astype("string")
    else:
        frame["province"] = ALL
    field_column = instrument.fields.column if instrument.fields else None
    frame["field"] = frame[field_column].astype("string") if field_column in frame.columns else ALL
    for role in ("sex", "respondent_group", "urban_rural"):
        column = roles.get(role)
        if column in frame.columns:
            frame[role] = _labelled(frame[column], instrument, column)
    age_column = roles.get("age")
    if age_column in frame.columns:
        age = pd.to_numeric(frame[age_column], errors="coerce")
        band = pd.Series(pd.NA, index=frame.index, dtype="string")
        for low, high, label in AGE_BANDS:
            band[(age >= low) & (age <= high)] = label
        frame["age_band"] = band
    return frame


# ----------------------------------------------------------------------------- estimation
_LEVELS = (
    ((), {}),
    (("province",), {}),
    (("field",), {}),
    (("province", "field"), {}),
)


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


def _sample_table(frame: pd.DataFrame, design: Design | None) -> pd.DataFrame:
    weight = (
        pd.to_numeric(frame[design.weight], errors="coerce")
        if design is not None and design.weight
        else pd.Series(1.0, index=frame.index)
    )
    work = pd.DataFrame({"province": frame["province"], "field": frame["field"], "w": weight})
    rows = []
    for by in ((), ("province",), ("field",), ("province", "field")):
        if by:
            grouped = work.groupby(list(by), dropna=True)
            part = grouped.agg(n=("w", "size"), N=("w", "sum")).reset_index()
        else:
            part = pd.DataFrame({"n": [len(work)], "N": [work["w"].sum()]})
        rows.append(_with_all(part, by))
    return _stack(rows)


def compute_estimates(
    clean: pd.DataFrame,
    instrument: Instrument,
    options: AnalysisOptions | None = None,
    *,
    language: str = "vi",
) -> Estimates:
    """All report estimates of a cleaned survey (see the module docstring for the shape)."""
    options = options or AnalysisOptions()
    design = design_of(instrument)
    if design is None:
        design = Design()
        design_note = "no design declared: unweighted, each respondent its own PSU (descriptive)"
    else:
        design_note = ", ".join(f"{k}={v}" for k, v in instrument.design.items())
    frame = analysis_frame(clean, instrument)
    if frame.empty:
        raise InputError("no clean rows to analyse")
    rules = options.rules
    kwargs = dict(level=options.level, method=options.method, reliability=options.reliability)

    criteria, elements, overall = [], [], []
    for by, _ in _LEVELS:
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

    breakdowns = []
    present = [b for b in BREAKDOWNS if b in frame.columns]
    for breakdown in present:
        for by in ((breakdown,), ("province", breakdown)):
            part = overall_index(frame, design, instrument, list(by), rules=rules, **kwargs)
            part = _with_all(part.rename(columns={breakdown: "category"}), by)
            part["breakdown"] = breakdown
            breakdowns.append(part)
            elem = element_indices(
                frame, design, instrument, list(by), rules=rules, language=language, **kwargs
            )
            elem = _with_all(elem.rename(columns={breakdown: "category"}), by)
            elem["breakdown"] = breakdown
            breakdowns.append(elem)

    frames: dict[str, pd.DataFrame] = {
        "sample": _sample_table(frame, design),
        "criteria": _stack(criteria),
        "elements": _stack(elements),
        "overall": _stack(overall),
        "breakdowns": _stack(breakdowns) if breakdowns else pd.DataFrame(),
    }
    frames.update(_distributions(frame, design, instrument, options, language))
    frames.update(_comparisons(frame, design, instrument, options, language))
    meta = {
        "survey": instrument.id,
        "title": instrument.title.vi,
        "year": instrument.year,
        "instrument_version": instrument.version,
        "geography": instrument.geography,
        "design": design_note,
        "design_roles": dict(instrument.design),
        "lonely_psu": design.lonely_psu if instrument.design else None,
        "options": asdict(options),
        "element_rule": rules.element,
        "overall_rule": rules.overall,
        "n_respondents": len(frame),
        "provinces": sorted(p for p in frame["province"].dropna().unique()),
        "fields": sorted(f for f in frame["field"].dropna().unique()),
        "likert_labels": _likert_labels(instrument),
        # criterion id -> the few words charts show (the full text is in the tables)
        "short_labels": {
            item.id: {lang: item.short_text(lang) for lang in ("vi", "en")}
            for item in instrument.criteria
        },
    }
    return Estimates(frames=frames, meta=meta)


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
    if overall_items:
        item = overall_items[0]
        parts = []
        for by in (("field",), ("province", "field"), ("province",), ()):
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
            question = _stack(shares)
            question["item"] = item.id
            out["overall_question"] = question
    element_items = instrument.items_with(role="element_satisfaction")
    if element_items:
        parts = []
        for by in ((), ("province",)):
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
        for by in ((), ("province",)):
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
        for by in ((), ("province",), ("field",)):
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
