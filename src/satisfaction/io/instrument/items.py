"""The `groups:` and `items:` sections: the questionnaire's questions and how they are grouped.

An item names a known type and role, a declared scale (for likert, single and multiple
items) and a declared group; item ids and response-file columns are unique.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.model import ITEM_ROLES, ITEM_TYPES, Group, Item, Scale

__all__: list[str] = []

_ITEM_KEYS = (
    "id",
    "text",
    "short",
    "type",
    "scale",
    "group",
    "role",
    "column",
    "separator",
    "min",
    "max",
    "width",
)


def _groups(check: _Checker, value: Any) -> list[Group]:
    groups = []
    seen: set[str] = set()
    for i, spec in enumerate(check.sequence(value, "groups", required=False)):
        key = f"groups[{i}]"
        spec = check.mapping(spec, key)
        check.unknown_keys(spec, ("id", "label", "kind"), key)
        group_id = check.text(spec.get("id"), f"{key}.id")
        if group_id in seen:
            check.fail(f"{key}.id", f"duplicate group id {group_id!r}")
        seen.add(group_id)
        groups.append(
            Group(
                id=group_id,
                label=check.label(spec.get("label"), f"{key}.label"),
                kind=check.text(spec.get("kind"), f"{key}.kind", required=False) or "element",
            )
        )
    return groups


def _items(
    check: _Checker, value: Any, scales: Mapping[str, Scale], groups: list[Group]
) -> list[Item]:
    items = []
    seen: set[str] = set()
    group_ids = {g.id for g in groups}
    for i, spec in enumerate(check.sequence(value, "items")):
        key = f"items[{i}]"
        items.append(_item(check, key, check.mapping(spec, key), scales, group_ids, seen))
    columns = [item.column or item.id for item in items]
    for column in {c for c in columns if columns.count(c) > 1}:
        check.fail("items", f"column {column!r} is used by more than one item")
    return items


def _item(
    check: _Checker,
    key: str,
    spec: dict[str, Any],
    scales: Mapping[str, Scale],
    group_ids: set[str],
    seen: set[str],
) -> Item:
    """One item: a unique id, a known type, role, scale and group, numeric bounds."""
    check.unknown_keys(spec, _ITEM_KEYS, key)
    item_id = check.text(spec.get("id"), f"{key}.id")
    if item_id in seen:
        check.fail(f"{key}.id", f"duplicate item id {item_id!r}")
    seen.add(item_id)
    item_type = check.text(spec.get("type"), f"{key}.type")
    if item_type and item_type not in ITEM_TYPES:
        check.fail(f"{key}.type", f"unknown type {item_type!r}; use one of {ITEM_TYPES}")
    scale = check.text(spec.get("scale"), f"{key}.scale", required=False) or None
    if item_type in ("likert", "single", "multiple") and scale is None:
        check.fail(f"{key}.scale", f"a {item_type} item needs a scale")
    if scale is not None and scale not in scales:
        known = ", ".join(sorted(scales)) or "none declared"
        check.fail(f"{key}.scale", f"unknown scale {scale!r} (known: {known})")
    group = check.text(spec.get("group"), f"{key}.group", required=False) or None
    if group is not None and group not in group_ids:
        check.fail(f"{key}.group", f"unknown group {group!r}")
    role = check.text(spec.get("role"), f"{key}.role", required=False) or "other"
    if role not in ITEM_ROLES:
        check.fail(f"{key}.role", f"unknown role {role!r}; use one of {ITEM_ROLES}")
    bounds = {}
    for bound in ("min", "max"):
        raw = spec.get(bound)
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, (int, float))):
            check.fail(f"{key}.{bound}", f"must be a number, got {raw!r}")
            raw = None
        bounds[bound] = raw
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        check.fail(f"{key}.min", f"min {bounds['min']!r} is larger than max {bounds['max']!r}")
    width = spec.get("width")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
        check.fail(f"{key}.width", f"must be a whole number, got {width!r}")
        width = None
    return Item(
        id=item_id,
        text=check.label(spec.get("text"), f"{key}.text", required=False),
        short=(
            check.label(spec.get("short"), f"{key}.short", required=False)
            if spec.get("short") is not None
            else None
        ),
        type=item_type,
        scale=scale,
        group=group,
        role=role,
        column=check.text(spec.get("column"), f"{key}.column", required=False) or None,
        separator=str(spec.get("separator", ";")),
        min=bounds["min"],
        max=bounds["max"],
        width=width,
    )
