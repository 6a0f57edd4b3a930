"""Raw responses + instrument -> clean frame, cleaning log and quarantine.

Cleaning never edits the raw input: it returns a new frame, a log with one row per changed,
coded-missing, flagged or rejected value (row id, column, old value, new value, rule), and
the rejected forms in a quarantine frame. Every rule is named in `RULES` with a Vietnamese
and an English description, so the log reads the same in every report.

Work is done per column on the column's UNIQUE values and mapped back, so a file of a
million rows costs about as much as its distinct spellings.

Thresholds of the quality flags come from the instrument (`quality:`):

- straight-lining: a form whose answered criteria (items with role ``criterion``) are all
  the same code, with at least `straightlining_min_answered` (default 10) answered. Whole-
  grid only: within one element of 3-6 criteria identical answers are ordinary.
- near-duplicate: two forms with different ids, in the same commune, that agree on every
  compared answer but at most `near_duplicate_max_differences` (default 1), with at least
  `near_duplicate_min_compared` (default 20) answers present on both. Fixed percentage rules
  (e.g. 85% identical) give false alarms on short scales, so the rule counts differences.
  Candidates are found by the pigeonhole principle: split the compared columns into k+1
  bands; two forms with at most k differences agree exactly on one band.
Flagged forms stay in the data (a column says why); only exact duplicates and conflicting
forms (same id, different answers) are moved to quarantine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, Problem
from satisfaction.io import geography, text
from satisfaction.io.instrument import Instrument, Item, Scale
from satisfaction.io.read import RawResponses

__all__ = [
    "LOG_COLUMNS",
    "RULES",
    "CleanResult",
    "clean",
    "log_summary",
]

LOG_COLUMNS = ["row_id", "form_id", "column", "old_value", "new_value", "rule"]
HIDDEN = "[ẩn]"
SCRUBBED = "[đã ẩn]"


@dataclass(frozen=True)
class Rule:
    """A cleaning rule: what kind of entry it makes and what it means, in vi and en."""

    kind: str  # changed | missing | flagged | rejected
    vi: str
    en: str


RULES: dict[str, Rule] = {
    "legacy_tcvn3": Rule(
        "changed", "Chuyển mã TCVN3 (ABC) sang Unicode", "TCVN3 (ABC) text converted to Unicode"
    ),
    "legacy_vni": Rule("changed", "Chuyển mã VNI sang Unicode", "VNI text converted to Unicode"),
    "nfc": Rule("changed", "Chuẩn hoá Unicode dựng sẵn (NFC)", "Unicode normalised to NFC"),
    "whitespace": Rule("changed", "Bỏ khoảng trắng thừa", "Stray whitespace removed"),
    "label_to_code": Rule("changed", "Nhãn được gõ thay cho mã", "Label typed instead of a code"),
    "leading_zeros": Rule("changed", "Khôi phục số 0 đầu mã", "Leading zeros restored"),
    "field_synonym": Rule(
        "changed", "Lĩnh vực chuẩn hoá theo từ điển", "Field mapped through the vocabulary"
    ),
    "province_standardised": Rule("changed", "Tên tỉnh chuẩn hoá", "Province name standardised"),
    "personal_scrubbed": Rule(
        "changed",
        "Ẩn số điện thoại, thư điện tử trong văn bản",
        "Phone numbers or e-mails removed from free text",
    ),
    "personal_hashed": Rule(
        "changed", "Dữ liệu cá nhân thay bằng mã băm", "Personal data replaced by salted hashes"
    ),
    "personal_dropped": Rule(
        "changed", "Dữ liệu cá nhân bị loại bỏ", "Personal data column dropped"
    ),
    "missing_dont_know": Rule("missing", "Không biết", "Don't know"),
    "missing_refused": Rule("missing", "Không trả lời", "Refused / no answer"),
    "missing_not_applicable": Rule("missing", "Không áp dụng", "Not applicable"),
    "missing_other": Rule("missing", "Mã thiếu khác", "Other missing code"),
    "missing_blank": Rule("missing", "Để trống", "Blank"),
    "out_of_range": Rule("missing", "Giá trị ngoài thang đo", "Value outside the scale or range"),
    "unknown_label": Rule("missing", "Nhãn không nhận ra", "Label not recognised"),
    "not_a_number": Rule("missing", "Không phải số", "Not a number"),
    "not_a_date": Rule("missing", "Không phải ngày", "Not a date"),
    "field_unmatched": Rule(
        "missing", "Lĩnh vực không có trong từ điển", "Field not in the vocabulary"
    ),
    "invalid_weight": Rule("missing", "Trọng số không hợp lệ", "Invalid weight"),
    "province_pre2025": Rule(
        "flagged",
        "Tên tỉnh trước sáp nhập 2025 (giữ nguyên, gắn cờ)",
        "Pre-2025 province name (kept and flagged)",
    ),
    "province_unmatched": Rule(
        "flagged", "Tên tỉnh không nhận ra", "Province name not recognised"
    ),
    "straightlining": Rule(
        "flagged", "Trả lời một mức cho mọi tiêu chí", "Same answer on every criterion"
    ),
    "near_duplicate": Rule(
        "flagged", "Phiếu gần trùng với phiếu khác", "Near-duplicate of another form"
    ),
    "missing_id": Rule("flagged", "Thiếu mã phiếu", "Form id missing"),
    "duplicate_exact": Rule(
        "rejected", "Phiếu nhập trùng (bản sao bị cách ly)", "Form keyed twice (copy quarantined)"
    ),
    "duplicate_conflict": Rule(
        "rejected", "Trùng mã phiếu nhưng khác câu trả lời", "Same form id, different answers"
    ),
    "blank_row": Rule("rejected", "Dòng trống", "Blank row"),
    "totals_row": Rule("rejected", "Dòng tổng cộng", "Totals row"),
}

_MISSING_RULE = {
    "dont_know": "missing_dont_know",
    "refused": "missing_refused",
    "not_applicable": "missing_not_applicable",
    "blank": "missing_blank",
    "other": "missing_other",
}
_CODE_PREFIX = re.compile(r"^\s*(\d+)\s*[-.:)]\s*(.+)$")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class CleanResult:
    """The clean frame, the cleaning log and the quarantined rows.

    `data` keeps `_row` (the row number in the raw file) as the row id; likert and single
    items are nullable integer codes, multiple-choice items add one 0/1 column per option
    (`<item>_<code>`), flags are `flag_straightlining`, `flag_near_duplicate` (with
    `near_duplicate_of`) and `flag_province`.
    """

    data: pd.DataFrame
    log: pd.DataFrame
    quarantine: pd.DataFrame
    instrument: Instrument
    source: str | None = None
    read_notes: tuple[Any, ...] = field(default=())

    def summary(self) -> pd.DataFrame:
        """Counts per rule and column, with the rule's kind and descriptions."""
        return log_summary(self.log)

    def count(self, rule: str, column: str | None = None) -> int:
        """How many log entries a rule made (in one column, if given)."""
        mask = self.log["rule"] == rule
        if column is not None:
            mask &= self.log["column"] == column
        return int(mask.sum())


def log_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Count log entries per rule and column, with what each rule means."""
    if log.empty:
        return pd.DataFrame(columns=["rule", "column", "count", "kind", "vi", "en"])
    counts = log.groupby(["rule", "column"], dropna=False).size().rename("count").reset_index()
    counts["kind"] = counts["rule"].map(lambda r: RULES[r].kind)
    counts["vi"] = counts["rule"].map(lambda r: RULES[r].vi)
    counts["en"] = counts["rule"].map(lambda r: RULES[r].en)
    order = {k: i for i, k in enumerate(RULES)}
    counts["_order"] = counts["rule"].map(order)
    return counts.sort_values(["_order", "column"]).drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------- columns
def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (4 and "4" differ: the value changed), or both missing."""
    if _isna(a) or _isna(b):
        return _isna(a) and _isna(b)
    return type(a) is type(b) and bool(a == b)


@dataclass(frozen=True)
class _Col:
    """A column as distinct values plus, per row, which one (factorized once).

    `values[-1]` is the missing value, so `values[codes]` is the column. Every cleaning
    step maps the distinct values only; a million rows cost as much as their spellings.
    """

    codes: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, series: pd.Series) -> _Col:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        values = np.empty(len(uniques) + 1, dtype=object)
        values[:-1] = [None if _isna(v) else v for v in np.asarray(uniques, dtype=object)]
        values[-1] = None
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
        return cls(codes, values)

    def map(self, func: Callable[[Any], Any]) -> _Col:
        mapped = np.empty(len(self.values), dtype=object)
        mapped[:] = [func(v) for v in self.values]
        return _Col(self.codes, mapped)

    def where(self, flags: np.ndarray | list[bool]) -> np.ndarray:
        """Row mask from one flag per distinct value."""
        return np.asarray(flags, dtype=bool)[self.codes]

    def changed(self, other: _Col) -> np.ndarray:
        return self.where(
            [not _same(a, b) for a, b in zip(self.values, other.values, strict=True)]
        )

    def rows(self) -> np.ndarray:
        return self.values[self.codes]

    def strings(self, index: pd.Index) -> pd.Series:
        text_values = np.empty(len(self.values), dtype=object)
        text_values[:] = [None if _isna(v) else _fmt(v) for v in self.values]
        return pd.Series(text_values[self.codes], index=index, dtype="string")


# --------------------------------------------------------------------------- the log
class _Log:
    """Accumulates log entries column-wise (vectorised), then builds one frame."""

    def __init__(self, row_ids: pd.Series, form_ids: np.ndarray) -> None:
        self.row_ids = np.asarray(row_ids)
        self.form_ids = np.asarray(form_ids, dtype=object)
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: np.ndarray | pd.Series,
        column: str,
        old: _Col | pd.Series | str,
        new: _Col | pd.Series | str,
        rule: str,
        *,
        hide: bool = False,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        count = int(mask.sum())
        self.parts.append(
            pd.DataFrame(
                {
                    "row_id": self.row_ids[mask],
                    "form_id": self.form_ids[mask],
                    "column": column,
                    "old_value": [HIDDEN] * count if hide else _as_text(old, mask),
                    "new_value": [HIDDEN] * count if hide else _as_text(new, mask),
                    "rule": rule,
                }
            )
        )

    def add_rows(
        self,
        row_ids: Iterable[Any],
        column: str,
        rule: str,
        old: str = "",
        new: str = "",
        form_ids: Iterable[Any] | None = None,
    ) -> None:
        row_ids = list(row_ids)
        if not row_ids:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row_id": row_ids,
                    "form_id": list(form_ids) if form_ids is not None else [None] * len(row_ids),
                    "column": column,
                    "old_value": old,
                    "new_value": new,
                    "rule": rule,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in LOG_COLUMNS})
        log = pd.concat(self.parts, ignore_index=True)[LOG_COLUMNS]
        log["row_id"] = pd.array(log["row_id"], dtype="Int64")
        for column in ("form_id", "column", "old_value", "new_value", "rule"):
            log[column] = log[column].astype("string")
        return log


def _as_text(values: _Col | pd.Series | str, mask: np.ndarray) -> list[str]:
    if isinstance(values, str):
        return [values] * int(mask.sum())
    if isinstance(values, _Col):
        selected = values.values[values.codes[mask]]
    else:
        selected = values.to_numpy(dtype=object)[mask]
    return ["" if _isna(v) else _fmt(v) for v in selected]


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def _isna(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


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


# ---------------------------------------------------------------------- personal data
def _scrub(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _EMAIL.sub(SCRUBBED, _PHONE.sub(SCRUBBED, value))


# ---------------------------------------------------------------------- main entry
def clean(
    raw: RawResponses | pd.DataFrame,
    instrument: Instrument,
    *,
    source: str | Path | None = None,
) -> CleanResult:
    """Clean raw responses as the instrument declares; the raw frame is left untouched.

    Returns a `CleanResult` (data, log, quarantine). Raises `InputError` naming the file and
    the columns when columns the instrument needs are missing.
    """
    notes: tuple[Any, ...] = ()
    removed: pd.DataFrame | None = None
    if isinstance(raw, RawResponses):
        source = source or raw.source
        notes = tuple(raw.notes)
        removed = raw.removed
        frame = raw.frame.copy()
    else:
        frame = raw.copy()
    if "_row" not in frame.columns:
        frame.insert(0, "_row", np.arange(1, len(frame) + 1))
    source_text = str(source) if source is not None else None
    _check_columns(frame, instrument, source_text)

    id_column = instrument.id_column
    ids = _Col.of(frame[id_column]).map(lambda v: None if _isna(v) else _fmt(v).strip() or None)
    log = _Log(frame["_row"], ids.rows())
    out = pd.DataFrame({"_row": frame["_row"].to_numpy()}, index=frame.index)
    index = frame.index

    if removed is not None and len(removed):
        for reason in ("blank_row", "totals_row"):
            rows = removed.loc[removed["_reason"] == reason, "_row"]
            log.add_rows(rows, "", reason)

    # personal data first, so no personal value ever reaches the log or the outputs
    personal = {p.column: p.action for p in instrument.personal_data}
    for column, action in personal.items():
        if column not in frame.columns:
            continue
        if action == "drop":
            log.add_rows([pd.NA], column, "personal_dropped", old=HIDDEN, new="")
        elif action == "hash":
            values = _Col.of(frame[column]).map(
                lambda v: None if _isna(v) else text.nfc(_fmt(v).strip())
            )
            hashed = text.salted_hash(values.strings(index), instrument.salt or instrument.id)
            out[column] = hashed
            log.add_rows([pd.NA], column, "personal_hashed", old=HIDDEN, new="sha256")

    handled: set[str] = {"_row", *(c for c, a in personal.items() if a != "scrub")}
    items_by_column = {item.source_column: item for item in instrument.items}
    province_column = instrument.respondent.get("province")
    field_column = instrument.fields.column if instrument.fields else None
    flag_province = None

    for column in frame.columns:
        if column in handled:
            continue
        col = _Col.of(frame[column])
        item = items_by_column.get(column)
        hide = personal.get(column) == "scrub"
        coded = item is not None and item.type in ("likert", "single")
        if not coded:  # coded items: NFC and spaces are part of matching their labels
            col = _clean_text_column(col, column, log, hide=hide)
        if hide:
            scrubbed = col.map(_scrub)
            log.add(col.changed(scrubbed), column, col, scrubbed, "personal_scrubbed", hide=True)
            col = scrubbed
        if column == field_column:
            out[column] = _clean_field(col, instrument, log, index)
        elif column == province_column:
            out[column], flag_province = _clean_province(col, column, instrument, log, index)
        elif coded:
            out[column] = _clean_coded(col, item, instrument.scale_of(item), log, index)
        elif item is not None and item.type == "multiple":
            for name, values in _clean_multiple(
                col, item, instrument.scale_of(item), log, index
            ).items():
                out[name] = values
        elif item is not None and item.type == "numeric":
            out[column] = _clean_numeric(col, item, log, index)
        elif item is not None and item.type == "date":
            out[column] = _clean_date(col, item, log, index)
        elif column == instrument.design.get("weight"):
            out[column] = _clean_weight(col, column, log, index)
        else:
            if item is not None and item.width:
                col = _restore_zeros(col, column, item.width, log)
            out[column] = col.strings(index)
        handled.add(column)

    if flag_province is not None:
        out["flag_province"] = flag_province.fillna("")
    out[id_column] = ids.strings(index)
    log.add(ids.where([v is None for v in ids.values]), id_column, ids, ids, "missing_id")

    out, quarantine = _quarantine_duplicates(out, instrument, log)
    _flag_straightlining(out, instrument, log)
    _flag_near_duplicates(out, instrument, log)
    if removed is not None and len(removed):
        totals = removed.loc[removed["_reason"] == "totals_row"]
        if len(totals):
            kept = [c for c in totals.columns if c not in personal or personal[c] == "scrub"]
            extra = totals[kept].copy()
            extra["quarantine_reason"] = "totals_row"
            quarantine = pd.concat([quarantine, extra.astype(object)], ignore_index=True)
    return CleanResult(
        data=out.reset_index(drop=True),
        log=log.frame(),
        quarantine=quarantine.reset_index(drop=True),
        instrument=instrument,
        source=source_text,
        read_notes=notes,
    )


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


def _check_columns(frame: pd.DataFrame, instrument: Instrument, source: str | None) -> None:
    personal = set(instrument.personal_columns)
    missing = [
        c for c in instrument.expected_columns() if c not in frame.columns and c not in personal
    ]
    if missing:
        problems = [
            Problem(
                "column named by the instrument is missing from the data", file=source, column=c
            )
            for c in missing
        ]
        raise InputError(problems=problems)


def _answer_columns(data: pd.DataFrame, instrument: Instrument) -> list[str]:
    """Columns that carry answers: every item column present in the clean frame."""
    columns = []
    for item in instrument.items:
        if item.type == "multiple":
            continue
        if item.id in data.columns and item.type != "text":
            columns.append(item.id)
    return columns


def _quarantine_duplicates(
    data: pd.DataFrame, instrument: Instrument, log: _Log
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact copies: keep the first, quarantine the rest; same id, other answers: all out."""
    id_column = instrument.id_column
    compare = [c for c in data.columns if c not in ("_row",)]
    hashes = pd.util.hash_pandas_object(data[compare].astype("string"), index=False)
    exact_copy = hashes.duplicated(keep="first").to_numpy()
    has_id = data[id_column].notna().to_numpy()
    remaining = data[~exact_copy]
    id_counts = remaining.loc[remaining[id_column].notna(), id_column].value_counts()
    conflict_ids = set(id_counts[id_counts > 1].index)
    conflict = has_id & data[id_column].isin(conflict_ids).to_numpy()
    exact_only = exact_copy & ~conflict
    log.add(exact_only, id_column, data[id_column], "", "duplicate_exact")
    log.add(conflict, id_column, data[id_column], "", "duplicate_conflict")
    quarantine = data[exact_only | conflict].copy()
    quarantine["quarantine_reason"] = np.where(
        conflict[exact_only | conflict], "duplicate_conflict", "duplicate_exact"
    )
    return data[~(exact_only | conflict)].copy(), quarantine


def _flag_straightlining(data: pd.DataFrame, instrument: Instrument, log: _Log) -> None:
    rules = instrument.quality
    columns = [
        i.id
        for i in instrument.items_with(role=rules.straightlining_group_role)
        if i.id in data.columns
    ]
    data["flag_straightlining"] = False
    if not columns:
        return
    grid = data[columns].astype("float64").to_numpy()
    answered = ~np.isnan(grid)
    n_answered = answered.sum(axis=1)
    lo = np.nanmin(np.where(answered, grid, np.inf), axis=1)
    hi = np.nanmax(np.where(answered, grid, -np.inf), axis=1)
    flag = (n_answered >= rules.straightlining_min_answered) & (lo == hi)
    data["flag_straightlining"] = flag
    row_ids = data["_row"]
    log.add_rows(
        row_ids[flag],
        "criteria",
        "straightlining",
        old=f"{len(columns)} criteria",
        new="flag",
        form_ids=data.loc[flag, instrument.id_column],
    )


def _flag_near_duplicates(data: pd.DataFrame, instrument: Instrument, log: _Log) -> None:
    rules = instrument.quality
    k = rules.near_duplicate_max_differences
    columns = _answer_columns(data, instrument)
    field_column = instrument.fields.column if instrument.fields else None
    if field_column:
        columns.append(field_column)
    block_column = instrument.respondent.get("commune") or instrument.respondent.get("province")
    data["flag_near_duplicate"] = False
    data["near_duplicate_of"] = pd.Series(pd.NA, index=data.index, dtype="string")
    if len(columns) < rules.near_duplicate_min_compared:
        return
    codes = np.column_stack(
        [pd.factorize(data[c], use_na_sentinel=True)[0] for c in columns]
    ).astype(np.int64)
    block = (
        pd.factorize(data[block_column])[0]
        if block_column in data.columns
        else np.zeros(len(data), dtype=np.int64)
    )
    bands = np.array_split(np.arange(len(columns)), k + 1)
    pairs: set[tuple[int, int]] = set()
    for band in bands:
        keys = pd.DataFrame(codes[:, band])
        keys["_block"] = block
        group_ids = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
        order = np.argsort(group_ids, kind="stable")
        sorted_ids = group_ids[order]
        starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts, ends, strict=True):
            if end - start < 2:
                continue
            members = order[start:end]
            for a_pos in range(len(members)):
                for b_pos in range(a_pos + 1, len(members)):
                    a, b = int(members[a_pos]), int(members[b_pos])
                    pairs.add((min(a, b), max(a, b)))
    ids = data[instrument.id_column].to_numpy(dtype=object)
    flagged: dict[int, str] = {}
    for a, b in sorted(pairs):
        if ids[a] is not None and ids[a] == ids[b]:
            continue
        both = (codes[a] >= 0) & (codes[b] >= 0)
        compared = int(both.sum())
        differences = int((codes[a][both] != codes[b][both]).sum())
        if compared >= rules.near_duplicate_min_compared and differences <= k:
            flagged.setdefault(a, str(ids[b]))
            flagged.setdefault(b, str(ids[a]))
    if not flagged:
        return
    positions = np.array(sorted(flagged))
    index = data.index[positions]
    data.loc[index, "flag_near_duplicate"] = True
    data.loc[index, "near_duplicate_of"] = [flagged[p] for p in positions]
    for position, row in zip(index, data.loc[index, "_row"], strict=True):
        log.add_rows(
            [row],
            "form",
            "near_duplicate",
            new=str(data.at[position, "near_duplicate_of"]),
            form_ids=[data.at[position, instrument.id_column]],
        )
