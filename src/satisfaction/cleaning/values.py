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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.log import _Log
from satisfaction.io import geography, text
from satisfaction.io.instrument import Instrument, Item, Scale
from satisfaction.io.write import replace_control

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
def _clean_text_column(
    col: _Col, column: str, log: _Log, *, hide: bool, encoding: str | None = None
) -> _Col:
    """Legacy encodings, control characters, NFC and whitespace, each logged as its own rule.

    `encoding` ("tcvn3" / "vni"), when the workbook's font says so, replaces detection.
    """
    strings = [v for v in col.values if isinstance(v, str)]
    if not strings:
        return col
    distinct = pd.Series(col.values[:-1], dtype=object)
    converted, encoding, _ = text.convert_legacy(distinct, encoding=encoding or "auto")
    current = col
    if encoding is not None:
        legacy = np.empty(len(col.values), dtype=object)
        legacy[:-1] = [None if _isna(v) else v for v in converted.to_numpy(dtype=object)]
        legacy[-1] = None
        after = _Col(col.codes, legacy)
        log.add(current.changed(after), column, current, after, f"legacy_{encoding}", hide=hide)
        current = after
    controlled = current.map(lambda v: replace_control(v) if isinstance(v, str) else v)
    log.add(
        current.changed(controlled), column, current, controlled, "control_characters", hide=hide
    )
    current = controlled
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
            number, spelling = _number_text(raw)
        except ValueError:
            pass
        else:
            decision = from_number(number)
            return _Decision(decision.code, decision.rule or spelling)
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


def _label_aware_split(
    value: str, separators: re.Pattern[str], decide: Callable[[Any], Any]
) -> list[Any]:
    """Decisions for the answers in one multiple-choice cell.

    Google Forms joins checkbox answers with ", ", and a label may itself hold a comma
    ("Công khai thủ tục đầy đủ, rõ ràng hơn"): the longest run of pieces that is a known
    label or code wins, so such a label is never cut in two.
    """
    parts = separators.split(value)
    pieces = re.split(f"({separators.pattern})", value)
    decisions: list[Any] = []
    start = 0
    while start < len(parts):
        if not parts[start].strip():
            start += 1
            continue
        for end in range(len(parts), start, -1):
            decision = decide("".join(pieces[2 * start : 2 * end - 1]).strip())
            if decision.code is not None or end == start + 1:
                decisions.append(decision)
                start = end
                break
    return decisions


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
            decisions = [decide(str(value))]
        else:
            decisions = _label_aware_split(str(value), separators, decide)
        codes = [d.code for d in decisions if d.code is not None]
        problems = [d.rule for d in decisions if d.code is None]
        if not codes:
            return None, (problems[0] if problems else "missing_blank")
        return tuple(sorted(set(codes))), (problems[0] if problems else None)

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


def _number_text(raw: str) -> tuple[float, str | None]:
    """A number typed as text, and the rule its spelling needs logged: a decimal comma
    ("3,5") or digits of another script ("４", "٣"), which `float` reads silently."""
    text = raw.strip()
    rule = None
    if any(c.isdigit() and not c.isascii() for c in text):
        text = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
        rule = "unicode_digits"
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
        rule = rule or "decimal_comma"
    number = float(text)  # raises ValueError on text that is not a number
    if not np.isfinite(number):
        raise ValueError(raw)
    return number, rule


def _clean_numeric(col: _Col, item: Item, log: _Log, index: pd.Index) -> pd.Series:
    def parse(value: Any) -> tuple[float | None, str | None]:
        if _isna(value) or (isinstance(value, str) and value.strip() == ""):
            return None, "missing_blank"
        rule = None
        try:
            if isinstance(value, str):
                number, rule = _number_text(value)
            else:
                number = float(value)
        except (TypeError, ValueError):
            return None, "not_a_number"
        if not np.isfinite(number) or (
            (item.min is not None and number < item.min)
            or (item.max is not None and number > item.max)
        ):
            return None, "out_of_range"
        return number, rule

    parsed = [parse(v) for v in col.values]
    numbers = _Col(col.codes, np.array([n for n, _ in parsed], dtype=object))
    _log_rules(col, [r for _, r in parsed], item.source_column, numbers, log)
    per_value = pd.array([n for n, _ in parsed], dtype="Float64")
    return pd.Series(per_value.take(col.codes), index=index)


_SLASHED = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\s*$")


def _date_order(values: np.ndarray) -> str:
    """How the column writes its dates: "day" first (the Vietnamese way), "month" first, or
    "mixed" when some values can only be dd/mm and others only mm/dd."""
    day_first = month_first = False
    for value in values:
        found = _SLASHED.match(value) if isinstance(value, str) else None
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            day_first |= first > 12 >= second
            month_first |= second > 12 >= first
    if day_first and month_first:
        return "mixed"
    return "month" if month_first else "day"


def _clean_date(col: _Col, item: Item, log: _Log, index: pd.Index) -> pd.Series:
    """Dates; dd/mm is assumed unless the column shows mm/dd (a second part above 12), and a
    column mixing both keeps only the dates that can be read one way (logged)."""
    order = _date_order(col.values)

    def parse(value: Any) -> tuple[Any, str | None]:
        if _isna(value):
            return pd.NaT, "missing_blank"
        if isinstance(value, pd.Timestamp):
            return value, None
        raw = str(value).strip()
        found = _SLASHED.match(raw)
        if found and order != "day":
            first, second = int(found.group(1)), int(found.group(2))
            if order == "mixed" and first <= 12 and second <= 12 and first != second:
                return pd.NaT, "date_ambiguous"
            month_first = order == "month" or second > 12
            parsed = pd.to_datetime(raw, errors="coerce", dayfirst=not month_first)
            rule = "date_month_first" if month_first and not pd.isna(parsed) else None
            return parsed, rule or ("not_a_date" if pd.isna(parsed) else None)
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        if pd.isna(parsed):
            parsed = pd.to_datetime(raw, errors="coerce", dayfirst=True)
        return parsed, ("not_a_date" if pd.isna(parsed) else None)

    parsed = [parse(v) for v in col.values]
    dates = _Col(col.codes, np.array([d for d, _ in parsed], dtype=object))
    _log_rules(col, [r for _, r in parsed], item.source_column, dates, log)
    per_value = pd.to_datetime(pd.Series([d for d, _ in parsed], dtype=object), errors="coerce")
    return pd.Series(per_value.to_numpy()[col.codes], index=index)


_DECIMAL_CODE = re.compile(r"\+?\d+(?:[.,]0+)?|\d(?:[.,]\d+)?[eE]\+?\d{1,2}")


def _normalise_codes(col: _Col, column: str, log: _Log) -> _Col:
    """A place or design code typed as a decimal number ("189.0", "1.89e2", "189,0") is the
    code 189: one PSU, not three. Digit-only codes keep their leading zeros."""

    def canonical(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        raw = value.strip()
        if raw.isdigit() or not _DECIMAL_CODE.fullmatch(raw):
            return value
        number = float(raw.replace(",", "."))
        return str(int(number)) if number.is_integer() and number < 1e15 else value

    normalised = col.map(canonical)
    log.add(col.changed(normalised), column, col, normalised, "code_normalised")
    return normalised


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
    # what the user sees: an SPSS code 1.0 is "1", as is the synonym "1" in the YAML
    mapped = col.map(lambda v: None if _isna(v) else by_key.get(text.ascii_key(_fmt(v))))
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
        codes = "historical_63" if instrument.geography == "historical_63" else "current_34"
        match = geography.standardise_province(_fmt(value), codes)  # 1.0 -> "1": a code
        if not match.matched:
            return value, "unmatched"
        flag = "pre2025" if match.merged_pre2025 and instrument.geography == "current_34" else ""
        return match.name, flag or ("code" if match.match == "code" else "")

    decided = [decide(v) for v in col.values]
    names = _Col(col.codes, np.array([name for name, _ in decided], dtype=object))
    flags = [flag for _, flag in decided]
    by_code = col.where([f == "code" for f in flags])
    log.add(col.changed(names) & ~by_code, column, col, names, "province_standardised")
    log.add(by_code, column, col, names, "province_code")
    log.add(col.where([f == "pre2025" for f in flags]), column, col, names, "province_pre2025")
    log.add(col.where([f == "unmatched" for f in flags]), column, col, names, "province_unmatched")
    flag_col = _Col(col.codes, np.array([f if f != "code" else "" for f in flags], dtype=object))
    return names.strings(index), flag_col.strings(index)


# ---------------------------------------------------------------------- weights
MAX_WEIGHT = 1e9  # one respondent standing for more people than Vietnam has: a typo


def _clean_weight(col: _Col, column: str, log: _Log, index: pd.Index) -> pd.Series:
    """Finite weights from 0 (an out-of-scope form: R accepts zero weights) up to
    `MAX_WEIGHT` (1e308 would overflow every total); negative ones are invalid."""

    def parse(value: Any) -> tuple[float | None, str | None]:
        try:
            number, rule = _number_text(value) if isinstance(value, str) else (float(value), None)
        except (TypeError, ValueError):
            return None, "invalid_weight"
        if not (np.isfinite(number) and 0 <= number <= MAX_WEIGHT):
            return None, "invalid_weight"
        return number, rule

    parsed = [(None, None) if _isna(v) else parse(v) for v in col.values]
    numbers = _Col(col.codes, np.array([n for n, _ in parsed], dtype=object))
    _log_rules(col, [r for _, r in parsed], column, numbers, log)
    per_value = pd.array(list(numbers.values), dtype="Float64")
    return pd.Series(per_value.take(col.codes), index=index)
