"""`instrument_from_dict`: a parsed mapping checked section by section into an `Instrument`.

Every problem is collected with its key path and reported at once in one
`InstrumentError`; the sections are checked in `scales`, `items` and `sections`.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.design_block import _design
from satisfaction.io.instrument.items import _groups, _items
from satisfaction.io.instrument.model import (
    GEOGRAPHIES,
    RESPONDENT_ROLES,
    Instrument,
)
from satisfaction.io.instrument.sample import _sample
from satisfaction.io.instrument.scales import _scales
from satisfaction.io.instrument.sections import (
    _data,
    _fields,
    _personal,
    _quality,
    _roles,
    _value_labels,
)

__all__ = ["instrument_from_dict"]

# An instrument id names the survey in outputs: a slug, never a path ("../x", "/etc").
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")

_TOP_KEYS = (
    "id",
    "title",
    "version",
    "year",
    "geography",
    "legal_basis",
    "id_column",
    "scales",
    "items",
    "groups",
    "fields",
    "respondent",
    "design",
    "personal_data",
    "quality",
    "data",
    "salt",
    "value_labels",
    "sample",
)


def instrument_from_dict(spec: Any, *, source: str | Path | None = None) -> Instrument:
    """Validate a parsed instrument mapping and build the `Instrument`."""
    check = _Checker(source)
    instrument = _build(check, spec)
    if check.problems:
        raise InstrumentError(problems=check.problems)
    assert instrument is not None
    return instrument


def _build(check: _Checker, spec: Any) -> Instrument | None:
    top = check.mapping(spec, "(top level)")
    if not top:
        return None
    check.unknown_keys(top, _TOP_KEYS, "")
    scales = _scales(check, top.get("scales"))
    groups = _groups(check, top.get("groups"))
    items = _items(check, top.get("items"), scales, groups)
    item_ids = {item.id for item in items}
    for i, group in enumerate(groups):
        if group.id in item_ids:  # estimates key groups and items alike: one would vanish
            check.fail(
                f"groups[{i}].id",
                f"group id {group.id!r} is also an item id; rename the group (e.g. "
                f"{group.id + '_nhom'!r}) and the items' `group:`",
            )
    geography = check.text(top.get("geography"), "geography")
    if geography and geography not in GEOGRAPHIES:
        check.fail("geography", f"unknown geography {geography!r}; use one of {GEOGRAPHIES}")
    year = top.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        check.fail("year", f"must be a year such as 2025, got {year!r}")
        year = None
    respondent = _roles(check, top.get("respondent"), "respondent", RESPONDENT_ROLES)
    design, design_rules = _design(check, top.get("design"))
    instrument_id = check.text(top.get("id"), "id")
    if instrument_id and not _ID.fullmatch(instrument_id):
        check.fail(
            "id",
            f"{instrument_id[:60]!r} is not a short name: use letters, digits, '-', '_' "
            "(such as 'quang-ninh-2025'); it names the survey in outputs",
        )
    id_column = check.text(top.get("id_column"), "id_column")
    personal_data = _personal(check, top.get("personal_data"))
    for i, declared in enumerate(personal_data):
        if declared.column == id_column and declared.action in ("drop", "scrub"):
            check.fail(
                f"personal_data[{i}].action",
                f"the form id column {id_column!r} cannot be {declared.action}: use hash "
                "(ids stay distinct, the raw values never reach an output) or keep",
            )
    return Instrument(
        id=instrument_id,
        title=check.label(top.get("title"), "title"),
        version=check.text(top.get("version"), "version"),
        year=year,
        geography=geography,
        legal_basis=check.text(top.get("legal_basis"), "legal_basis", required=False),
        id_column=id_column,
        scales=MappingProxyType(scales),
        items=tuple(items),
        groups=tuple(groups),
        fields=_fields(check, top.get("fields")),
        respondent=MappingProxyType(respondent),
        design=MappingProxyType(design),
        design_rules=design_rules,
        personal_data=personal_data,
        quality=_quality(check, top.get("quality")),
        data=_data(check, top.get("data")),
        salt=check.text(top.get("salt"), "salt", required=False),
        value_labels=_value_labels(check, top.get("value_labels")),
        source=check.source,
        sample=_sample(check, top.get("sample"), respondent, design),
    )
