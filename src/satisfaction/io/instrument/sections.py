"""The smaller sections: `fields:`, `respondent:` / `design:`, `personal_data:`, `quality:`,
`data:` -- each checked by one function that returns its part of the `Instrument`.
"""

from __future__ import annotations

from typing import Any

from satisfaction.io.instrument.checks import _Checker, _short
from satisfaction.io.instrument.model import (
    ITEM_ROLES,
    PERSONAL_ACTIONS,
    DataSource,
    FieldTerm,
    FieldVocabulary,
    PersonalColumn,
    QualityRules,
)

__all__: list[str] = []


def _fields(check: _Checker, value: Any) -> FieldVocabulary | None:
    if value is None:
        return None
    spec = check.mapping(value, "fields")
    check.unknown_keys(spec, ("column", "vocabulary", "other"), "fields")
    terms = []
    seen_codes: set[str] = set()
    for i, t_spec in enumerate(check.sequence(spec.get("vocabulary"), "fields.vocabulary")):
        key = f"fields.vocabulary[{i}]"
        t_spec = check.mapping(t_spec, key)
        check.unknown_keys(t_spec, ("code", "label", "synonyms"), key)
        code = check.text(t_spec.get("code"), f"{key}.code")
        if code in seen_codes:
            check.fail(f"{key}.code", f"duplicate field code {code!r}")
        seen_codes.add(code)
        terms.append(
            FieldTerm(
                code=code,
                label=check.label(t_spec.get("label"), f"{key}.label"),
                synonyms=check.variants(t_spec.get("synonyms"), f"{key}.synonyms"),
            )
        )
    other = check.mapping(spec.get("other"), "fields.other", required=False)
    check.unknown_keys(other, ("code", "column"), "fields.other")
    return FieldVocabulary(
        column=check.text(spec.get("column"), "fields.column"),
        terms=tuple(terms),
        other_code=check.text(other.get("code"), "fields.other.code", required=bool(other))
        or None,
        other_column=check.text(other.get("column"), "fields.other.column", required=bool(other))
        or None,
    )


def _value_labels(check: _Checker, value: Any) -> dict[str, dict[str, str]]:
    """`value_labels: {column: {code: label}}`: what the codes of a column that is not a
    scale item mean (a Kobo choice list on the province column, say)."""
    spec = check.mapping(value, "value_labels", required=False)
    labels: dict[str, dict[str, str]] = {}
    for column, codes in spec.items():
        key = f"value_labels.{column}"
        mapping = check.mapping(codes, key)
        labels[str(column)] = {
            str(code): check.text(label, f"{key}.{code}") for code, label in mapping.items()
        }
    return labels


def _roles(check: _Checker, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, str]:
    spec = check.mapping(value, key, required=False)
    roles = {}
    for role, column in spec.items():
        if role not in allowed:
            check.fail(f"{key}.{role}", f"unknown role; use one of {allowed}")
            continue
        if column is None:
            continue
        roles[role] = check.text(column, f"{key}.{role}")
    return roles


def _personal(check: _Checker, value: Any) -> tuple[PersonalColumn, ...]:
    columns = []
    for i, spec in enumerate(check.sequence(value, "personal_data", required=False)):
        key = f"personal_data[{i}]"
        if isinstance(spec, str):
            spec = {"column": spec}
        spec = check.mapping(spec, key)
        check.unknown_keys(spec, ("column", "action"), key)
        action = check.text(spec.get("action"), f"{key}.action", required=False) or "drop"
        if action not in PERSONAL_ACTIONS:
            check.fail(f"{key}.action", f"unknown action {action!r}; use {PERSONAL_ACTIONS}")
        columns.append(PersonalColumn(check.text(spec.get("column"), f"{key}.column"), action))
    return tuple(columns)


# The range each quality threshold may take: outside it a flag means nothing (or crashes).
_QUALITY_RANGES = {
    "straightlining_min_answered": (2, 1000),
    "near_duplicate_max_differences": (0, 100),
    "near_duplicate_min_compared": (1, 1000),
}


def _quality(check: _Checker, value: Any) -> QualityRules:
    spec = check.mapping(value, "quality", required=False)
    allowed = set(QualityRules.__dataclass_fields__)
    check.unknown_keys(spec, allowed, "quality")
    values: dict[str, Any] = {}
    for name in sorted(allowed & set(spec)):
        raw = spec[name]
        if name == "straightlining_group_role":
            if raw not in ITEM_ROLES:
                check.fail(f"quality.{name}", f"must be an item role, one of {ITEM_ROLES}")
                continue
        elif isinstance(raw, bool) or not isinstance(raw, int):
            check.fail(f"quality.{name}", f"must be a whole number, got {_short(raw)}")
            continue
        elif not _QUALITY_RANGES[name][0] <= raw <= _QUALITY_RANGES[name][1]:
            low, high = _QUALITY_RANGES[name]
            check.fail(f"quality.{name}", f"must be between {low} and {high}, got {raw}")
            continue
        values[name] = raw
    rules = QualityRules(**values)
    if rules.near_duplicate_max_differences >= rules.near_duplicate_min_compared:
        check.fail(
            "quality.near_duplicate_max_differences",
            "must be smaller than quality.near_duplicate_min_compared",
        )
        return QualityRules()
    return rules


def _data(check: _Checker, value: Any) -> DataSource | None:
    if value is None:
        return None
    spec = check.mapping(value, "data")
    check.unknown_keys(spec, ("file", "sheet", "header_row", "encoding"), "data")
    header_row = spec.get("header_row")
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        check.fail("data.header_row", f"must be a row number from 1, got {header_row!r}")
        header_row = None
    return DataSource(
        file=check.text(spec.get("file"), "data.file"),
        sheet=check.text(spec.get("sheet"), "data.sheet", required=False) or None,
        header_row=header_row,
        encoding=check.text(spec.get("encoding"), "data.encoding", required=False) or None,
    )
