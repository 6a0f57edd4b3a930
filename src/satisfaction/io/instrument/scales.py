"""The `scales:` section: levels, the satisfied / neutral / dissatisfied partition, missing codes.

Each part of a scale is checked on its own (`_levels`, `_partition`, `_missing_codes`); the
partition and the missing codes are checked against the scale's level codes.
"""

from __future__ import annotations

from typing import Any

from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.model import MISSING_REASONS, MissingCode, Scale, ScaleLevel

__all__: list[str] = []

_SCALE_KEYS = (
    "levels",
    "satisfied",
    "neutral",
    "dissatisfied",
    "missing",
    "ordered",
    "neutral_in_denominator",
)


def _scales(check: _Checker, value: Any) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    for scale_id, spec in check.mapping(value, "scales").items():
        key = f"scales.{scale_id}"
        spec = check.mapping(spec, key)
        check.unknown_keys(spec, _SCALE_KEYS, key)
        levels = _levels(check, spec, key)
        codes = [level.code for level in levels]
        for code in {c for c in codes if codes.count(c) > 1}:
            check.fail(f"{key}.levels", f"code {code} appears more than once")
        if spec.get("levels") is not None and not 2 <= len(levels) <= 11:
            check.fail(f"{key}.levels", f"a scale needs 2 to 11 levels, got {len(levels)}")
        partition = _partition(check, spec, key, codes)
        missing = _missing_codes(check, spec, key, codes)
        scales[scale_id] = Scale(
            id=scale_id,
            levels=tuple(levels),
            satisfied=partition["satisfied"],
            neutral=partition["neutral"],
            dissatisfied=partition["dissatisfied"],
            missing=tuple(missing),
            ordered=check.flag(spec.get("ordered"), f"{key}.ordered", default=True),
            neutral_in_denominator=check.flag(
                spec.get("neutral_in_denominator"), f"{key}.neutral_in_denominator", default=True
            ),
        )
    return scales


def _levels(check: _Checker, spec: dict[str, Any], key: str) -> list[ScaleLevel]:
    levels = []
    for i, level_spec in enumerate(check.sequence(spec.get("levels"), f"{key}.levels")):
        lkey = f"{key}.levels[{i}]"
        level_spec = check.mapping(level_spec, lkey)
        code = check.code(level_spec.get("code"), f"{lkey}.code")
        if code is None:
            continue
        levels.append(
            ScaleLevel(
                code=code,
                label=check.label(level_spec.get("label"), f"{lkey}.label"),
                variants=check.variants(level_spec.get("variants"), f"{lkey}.variants"),
                group=check.text(level_spec.get("group"), f"{lkey}.group", required=False) or None,
            )
        )
    return levels


def _partition(
    check: _Checker, spec: dict[str, Any], key: str, codes: list[int]
) -> dict[str, frozenset[int]]:
    """The satisfied / neutral / dissatisfied codes: levels of the scale, in one part each."""
    partition: dict[str, frozenset[int]] = {}
    for part in ("satisfied", "neutral", "dissatisfied"):
        members = []
        for j, raw in enumerate(check.sequence(spec.get(part), f"{key}.{part}", required=False)):
            code = check.code(raw, f"{key}.{part}[{j}]")
            if code is None:
                continue
            if code not in codes:
                check.fail(
                    f"{key}.{part}[{j}]",
                    f"{part} code {code} is not a level of the scale {codes}",
                )
            members.append(code)
        partition[part] = frozenset(members)
    overlap = (
        (partition["satisfied"] & partition["neutral"])
        | (partition["satisfied"] & partition["dissatisfied"])
        | (partition["neutral"] & partition["dissatisfied"])
    )
    if overlap:
        check.fail(
            key,
            f"codes {sorted(overlap)} are in more than one of satisfied / neutral / dissatisfied",
        )
    return partition


def _missing_codes(
    check: _Checker, spec: dict[str, Any], key: str, codes: list[int]
) -> list[MissingCode]:
    """Codes meaning 'no valid answer', each with a known reason and not a valid level."""
    missing = []
    for j, m_spec in enumerate(
        check.sequence(spec.get("missing"), f"{key}.missing", required=False)
    ):
        mkey = f"{key}.missing[{j}]"
        m_spec = check.mapping(m_spec, mkey)
        code = check.code(m_spec.get("code"), f"{mkey}.code")
        reason = check.text(m_spec.get("reason"), f"{mkey}.reason")
        if reason and reason not in MISSING_REASONS:
            check.fail(f"{mkey}.reason", f"unknown reason {reason!r}; use {MISSING_REASONS}")
        if code is None:
            continue
        if code in codes:
            check.fail(f"{mkey}.code", f"missing code {code} is also a valid level")
        missing.append(
            MissingCode(
                code=code,
                label=check.label(m_spec.get("label"), f"{mkey}.label"),
                reason=reason,
                variants=check.variants(m_spec.get("variants"), f"{mkey}.variants"),
            )
        )
    return missing
