"""The analysis frame: clean data plus satisfied indicators and the standard domain columns.

`analysis_frame(clean, instrument, unit=...)` adds `province` (the reporting unit: a
province in the instrument's geography, or the commune, district, agency or respondent
group column -- `resolve_unit`), `field`, and labelled `sex`, `age_band`,
`respondent_group`, `urban_rural` when the instrument declares them. `role_column` says
which analysis column holds a respondent role (quota variables are roles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io import geography
from satisfaction.io.instrument import Instrument
from satisfaction.io.instrument.model import UNIT_ROLES
from satisfaction.studies.indices import satisfied_indicators

__all__ = [
    "AGE_BANDS",
    "ALL",
    "LABELLED_ROLES",
    "analysis_frame",
    "resolve_unit",
    "role_aliases",
    "role_column",
]

ALL = "Tất cả"
AGE_BANDS = ((18, 29, "18-29"), (30, 44, "30-44"), (45, 59, "45-59"), (60, 200, "60+"))
#: Respondent roles whose codes are shown as their scale's labels in the analysis frame.
LABELLED_ROLES = ("sex", "respondent_group", "urban_rural")


def _labelled(series: pd.Series, instrument: Instrument, item_id: str) -> pd.Series:
    """Codes shown as the scale's Vietnamese labels (text kept as it is without a scale)."""
    try:
        labels = instrument.scale_of(item_id).labels("vi")
    except KeyError:
        return series.astype("string")
    # once per distinct code, not per row (40,000 rows of a national survey hold a few codes)
    lookup = {code: labels.get(int(code)) for code in series.dropna().unique()}
    return series.map(lookup).astype("string")


def _roles(instrument: Instrument) -> dict[str, str]:
    """Respondent roles by the column that holds them in clean data: an item read from a
    differently named column (`column:` "Câu 5", a Kobo "group/q") is kept under its id."""
    item_of = {item.source_column: item.id for item in instrument.items}
    return {role: item_of.get(column, column) for role, column in instrument.respondent.items()}


def resolve_unit(
    instrument: Instrument, columns: pd.Index | list[str], unit: str | None = None
) -> str | None:
    """The reporting-unit role: `unit` when given (it must be declared and in the data),
    else the first of `UNIT_ROLES` the instrument declares and the data hold; None when the
    survey has no unit column at all (then there is only the whole survey)."""
    roles = _roles(instrument)
    if unit is not None and unit not in ("", "default"):
        if unit not in UNIT_ROLES:
            raise ParameterError(
                f"{unit!r} is not a reporting unit; use one of {', '.join(UNIT_ROLES)}",
                key="parameter 'by'",
            )
        if roles.get(unit) not in columns:
            declared = [r for r in UNIT_ROLES if roles.get(r) in columns]
            raise ParameterError(
                f"the survey has no {unit} column (respondent.{unit} in the instrument); "
                f"reporting units it has: {', '.join(declared) or 'none (whole survey only)'}",
                key="parameter 'by'",
            )
        return unit
    for role in UNIT_ROLES:
        if roles.get(role) in columns:
            return role
    return None


def _with_item_ids(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Items read from a differently named column (`column:`) under their item id."""
    renames = {
        item.source_column: item.id
        for item in instrument.items
        if item.column
        and item.column != item.id
        and item.column in frame.columns
        and item.id not in frame.columns
    }
    return frame.rename(columns=renames) if renames else frame


def analysis_frame(
    clean: pd.DataFrame, instrument: Instrument, *, unit: str | None = None
) -> pd.DataFrame:
    """Clean data plus satisfied indicators and the standard domain columns (see module)."""
    frame = satisfied_indicators(_with_item_ids(clean, instrument), instrument)
    roles = _roles(instrument)
    for role in LABELLED_ROLES:
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
    elif roles.get("age_band") in frame.columns:  # age asked as bands: the bands' labels
        frame["age_band"] = _labelled(frame[roles["age_band"]], instrument, roles["age_band"])
    role = resolve_unit(instrument, frame.columns, unit)
    if role is None:
        frame["province"] = ALL
    elif role in LABELLED_ROLES:
        frame["province"] = frame[role]
    else:
        names = frame[roles[role]]
        if role == "province" and instrument.geography == "current_34":
            # once per distinct name, not per respondent (a national survey has 40,000+)
            codes, uniques = pd.factorize(names, use_na_sentinel=True)
            renamed = [geography.old_to_new(v) or v if isinstance(v, str) else v for v in uniques]
            names = pd.Series(np.array([*renamed, pd.NA], dtype=object)[codes], index=names.index)
        frame["province"] = names.astype("string")
    field_column = instrument.fields.column if instrument.fields else None
    frame["field"] = frame[field_column].astype("string") if field_column in frame.columns else ALL
    frame.attrs["unit"] = role
    return frame


def role_column(instrument: Instrument, role: str, unit: str | None) -> str:
    """The analysis-frame column holding a respondent role's values."""
    if role == unit:
        return "province"
    if role in LABELLED_ROLES:
        return role
    if role == "age":
        return "age_band"
    return _roles(instrument)[role]


def role_aliases(instrument: Instrument, role: str) -> dict[str, str]:
    """Other spellings of a labelled role's categories -> its Vietnamese label (codes,
    English labels, variants), so margins may be declared with any of them."""
    column = _roles(instrument).get(role)
    if role not in LABELLED_ROLES or column is None:
        return {}
    try:
        scale = instrument.scale_of(column)
    except KeyError:
        return {}
    aliases: dict[str, str] = {}
    for level in scale.levels:
        vi = level.label.vi
        for alias in (str(level.code), level.label.en, *level.variants):
            if alias:
                aliases[alias] = vi
    return aliases
