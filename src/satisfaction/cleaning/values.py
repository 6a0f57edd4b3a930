"""Value rules: each column's distinct values -> clean values, every change logged.

Text columns: legacy encodings (TCVN3, VNI) to Unicode, NFC, whitespace. Coded items
(likert, single, multiple): labels typed instead of codes, missing codes, out-of-range codes.
Numbers, dates and weights: parsed, range-checked. Identifiers: leading zeros restored.
Fields through the instrument's vocabulary (synonyms); provinces standardised, a pre-2025
name of a merged province kept and flagged. Each function maps the `_Col`'s distinct values
once and logs one entry per row whose value got a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.log import _Log
from satisfaction.io import geography, text
from satisfaction.io.instrument import Instrument, Item, Scale

__all__: list[str] = []

_MISSING_RULE = {
    "dont_know": "missing_dont_know",
    "refused": "missing_refused",
    "not_applicable": "missing_not_applicable",
    "blank": "missing_blank",
    "other": "missing_other",
}
_CODE_PREFIX = re.compile(r"^\s*(\d+)\s*[-.:)]\s*(.+)$")


# ---------------------------------------------------------------------- text columns
def _clean_text_column(col: _Col, column: str, log: _Log, *, hide: bool) -> _Col:
    """Legacy encodings, NFC and whitespace, each logged as its own rule."""
    strings = [v for v in col.values if isinstance(v, str)]
    if not strings:
        return col
    distinct = pd.Series(col.values[:-1], dtype=object)
    converted, encoding, _ = text.convert_legacy(distinct)
    current = col
    if encoding is not None:
        legacy = np.empty(len(col.values), dtype=object)
        legacy[:-1] = [None if _isna(v) else v for v in converted.to_numpy(dtype=object)]
        legacy[-1] = None
        after = _Col(col.codes, legacy)
        log.add(current.changed(after), column, current, after, f"legacy_{encoding}", hide=hide)
        current = after
    composed = current.map(lambda v: text.nfc(v) if isinstance(v, str) else v)
    log.add(current.changed(composed), column, current, composed, "nfc", hide=hide)
    spaced = composed.map(
        lambda v: (text.normalise_whitespace(v) or None) if isinstance(v, str) else v
    )
    log.add(composed.changed(spaced), column, composed, spaced, "whitespace", hide=hide)
    return spaced


# ---------------------------------------------------------------------- coded items
@dataclass(frozen=True)
class _Decision:
    code: int | None
    rule: str | None


def _scale_lookup(scale: Scale) -> Callable[[Any], _Decision]:
    """Build the per-value decision for a scale: code, label, missing code or problem."""
    by_key: dict[str, int] = {}
    missing_by_key: dict[str, str] = {}
    for level in scale.levels:
        for spelling in (level.label.vi, level.label.en, *level.variants):
            if spelling:
                by_key.setdefault(text.ascii_key(spelling), level.code)
    for missing in scale.missing:
        for spelling in (missing.label.vi, missing.label.en, *missing.variants):
            if spelling:
                missing_by_key.setdefault(text.ascii_key(spelling), missing.reason)
    valid = set(scale.codes)
    missing_codes = {m.code: m.reason for m in scale.missing}

    def from_number(number: float) -> _Decision:
        if not float(number).is_integer():
            return _Decision(None, "out_of_range")
        code = int(number)
        if code in valid:
            return _Decision(code, None)
        if code in missing_codes:
            return _Decision(None, _MISSING_RULE[missing_codes[code]])
        return _Decision(None, "out_of_range")

    def decide(value: Any) -> _Decision:
        if _isna(value):
            return _Decision(None, "missing_blank")
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, bool
        ):
            return from_number(float(value))
        raw = str(value).strip()
        if raw == "":
            return _Decision(None, "missing_blank")
        try:
            return from_number(float(raw.replace(",", ".")))
        except ValueError:
            pass
        key = text.ascii_key(raw)
        if key in by_key:
            return _Decision(by_key[key], "label_to_code")
        if key in missing_by_key:
            return _Decision(None, _MISSING_RULE[missing_by_key[key]])
        prefixed = _CODE_PREFIX.match(raw)
        if prefixed:
            code = int(prefixed.group(1))
            label_key = text.ascii_key(prefixed.group(2))
            if by_key.get(label_key) == code:
                return _Decision(code, "label_to_code")
            if missing_by_key.get(label_key) and code in missing_codes:
                return _Decision(None, _MISSING_RULE[missing_codes[code]])
        return _Decision(None, "unknown_label")

    return decide


def _log_rules(col: _Col, rules: list[str | None], column: str, new: _Col, log: _Log) -> None:
    """One log entry per row whose distinct value got a rule."""
    for rule in dict.fromkeys(r for r in rules if r):
        log.add(col.where([r == rule for r in rules]), column, col, new, rule)


def _clean_coded(col: _Col, item: Item, scale: Scale, log: _Log, index: pd.Index) -> pd.Series:
    decide = _scale_lookup(scale)
    decisions = [decide(v) for v in col.values]
    codes = _Col(col.codes, np.array([d.code for d in decisions], dtype=object))
    _log_rules(col, [d.rule for d in decisions], item.source_column, codes, log)
    per_value = pd.array([d.code for d in decisions], dtype="Int16")
    return pd.Series(per_value.take(col.codes), index=index)


def _clean_multiple(
    col: _Col, item: Item, scale: Scale, log: _Log, index: pd.Index
) -> dict[str, pd.Series]:
    """One 0/1 column per option; an unrecognised token is logged and left out."""
    decide = _scale_lookup(scale)
    separators = re.compile(r"[" + re.escape(item.separator) + r",;/]")

    def parse(value: Any) -> tuple[tuple[int, ...] | None, str | None]:
        if _isna(value) or str(value).strip() == "":
            return None, "missing_blank"
        if isinstance(value, (int, np.integer)):
            tokens = [str(value)]
        else:
            tokens = [t for t in separators.split(str(value)) if t.strip()]
        codes = []
        problem = None
        for token in tokens:
            decision = decide(token)
            if decision.code is not None:
                codes.append(decision.code)
            else:
                problem = decision.rule
        if not codes:
            return None, problem or "missing_blank"
        return tuple(sorted(set(codes))), problem

    parsed = [parse(v) for v in col.values]
    canonical = _Col(
        col.codes,
        np.array(
            [None if c is None else item.separator.join(map(str, c)) for c, _ in parsed],
            dtype=object,
        ),
    )
    _log_rules(col, [p for _, p in parsed], item.source_column, canonical, log)
    out: dict[str, pd.Series] = {item.id: canonical.strings(index)}
    for code in scale.codes:
        per_value = pd.array(
            [None if c is None else int(code in c) for c, _ in parsed], dtype="Int8"
        )
        out[f"{item.id}_{code}"] = pd.Series(per_value.take(col.codes), index=index)
    return out


def _clean_numeric(col: _Col, item: Item, log: _Log, index: pd.Index) -> pd.Series:
    def parse(value: Any) -> tuple[float | None, str | None]:
        if _isna(value) or (isinstance(value, str) and value.strip() == ""):
            return None, "missing_blank"
        try:
            number = (
                float(str(value).strip().replace(",", "."))
                if isinstance(value, str)
                else float(value)
            )
        except ValueError:
            return None, "not_a_number"
        if (item.min is not None and number < item.min) or (
            item.max is not None and number > item.max
        ):
            return None, "out_of_range"
        return number, None

    parsed = [parse(v) for v in col.values]
    numbers = _Col(col.codes, np.array([n for n, _ in parsed], dtype=object))
    _log_rules(col, [r for _, r in parsed], item.source_column, numbers, log)
    per_value = pd.array([n for n, _ in parsed], dtype="Float64")
    return pd.Series(per_value.take(col.codes), index=index)


def _clean_date(col: _Col, item: Item, log: _Log, index: pd.Index) -> pd.Series:
    def parse(value: Any) -> tuple[Any, str | None]:
        if _isna(value):
            return pd.NaT, "missing_blank"
        if isinstance(value, pd.Timestamp):
            return value, None
        raw = str(value).strip()
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        if pd.isna(parsed):
            parsed = pd.to_datetime(raw, errors="coerce", dayfirst=True)
        return parsed, ("not_a_date" if pd.isna(parsed) else None)

    parsed = [parse(v) for v in col.values]
    dates = _Col(col.codes, np.array([d for d, _ in parsed], dtype=object))
    _log_rules(col, [r for _, r in parsed], item.source_column, dates, log)
    per_value = pd.to_datetime(pd.Series([d for d, _ in parsed], dtype=object), errors="coerce")
    return pd.Series(per_value.to_numpy()[col.codes], index=index)


def _restore_zeros(col: _Col, column: str, width: int, log: _Log) -> _Col:
    def pad(value: Any) -> Any:
        if _isna(value):
            return value
        raw = _fmt(value) if not isinstance(value, str) else value
        if raw.isdigit() and len(raw) < width:
            return raw.zfill(width)
        return raw

    padded = col.map(pad)
    flags = [not _isna(a) and _fmt(a) != b for a, b in zip(col.values, padded.values, strict=True)]
    log.add(col.where(flags), column, col, padded, "leading_zeros")
    return padded


# ---------------------------------------------------------------------- fields, places
def _clean_field(col: _Col, instrument: Instrument, log: _Log, index: pd.Index) -> pd.Series:
    vocabulary = instrument.fields
    assert vocabulary is not None
    by_key: dict[str, str] = {}
    for term in vocabulary.terms:
        for spelling in (term.label.vi, term.label.en, term.code, *term.synonyms):
            if spelling:
                by_key.setdefault(text.ascii_key(spelling), term.label.vi)
    mapped = col.map(lambda v: None if _isna(v) else by_key.get(text.ascii_key(str(v))))
    rules = []
    for before, after in zip(col.values, mapped.values, strict=True):
        if _isna(before):
            rules.append("missing_blank")
        elif after is None:
            rules.append("field_unmatched")
        elif before != after:
            rules.append("field_synonym")
        else:
            rules.append(None)
    _log_rules(col, rules, vocabulary.column, mapped, log)
    return mapped.strings(index)


def _clean_province(
    col: _Col, column: str, instrument: Instrument, log: _Log, index: pd.Index
) -> tuple[pd.Series, pd.Series]:
    """Standardise names; a pre-2025 name of a merged province is kept and flagged."""

    def decide(value: Any) -> tuple[Any, str]:
        if _isna(value):
            return None, ""
        match = geography.standardise_province(str(value))
        if not match.matched:
            return value, "unmatched"
        flag = "pre2025" if match.merged_pre2025 and instrument.geography == "current_34" else ""
        return match.name, flag

    decided = [decide(v) for v in col.values]
    names = _Col(col.codes, np.array([name for name, _ in decided], dtype=object))
    flags = [flag for _, flag in decided]
    log.add(col.changed(names), column, col, names, "province_standardised")
    log.add(col.where([f == "pre2025" for f in flags]), column, col, names, "province_pre2025")
    log.add(col.where([f == "unmatched" for f in flags]), column, col, names, "province_unmatched")
    flag_col = _Col(col.codes, np.array(flags, dtype=object))
    return names.strings(index), flag_col.strings(index)


# ---------------------------------------------------------------------- weights
def _clean_weight(col: _Col, column: str, log: _Log, index: pd.Index) -> pd.Series:
    def parse(value: Any) -> float | None:
        try:
            number = (
                float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
            )
        except (TypeError, ValueError):
            return None
        return number if number > 0 and np.isfinite(number) else None

    numbers = col.map(lambda v: None if _isna(v) else parse(v))
    log.add(col.where([v is None for v in numbers.values]), column, col, numbers, "invalid_weight")
    per_value = pd.array(list(numbers.values), dtype="Float64")
    return pd.Series(per_value.take(col.codes), index=index)
