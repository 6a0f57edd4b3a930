"""Checks and summaries of the tidy frames the charts take, shared by every drawer.

A chart refuses a frame it would draw misleadingly (missing columns, shares given as
percentages, duplicated rows) with an ``InputError`` naming the drawer; the footer's n comes
from :func:`_n_summary` when the caller gives none.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures.theme import _fmt_n, _labels

__all__: list[str] = []

_SHARE_TOL = 1e-9


def _check_frame(data: object, columns: Iterable[str | None], func: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{func}: data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise InputError(
            f"{func}: data has no column {missing[0]!r} (columns: {list(data.columns)})",
            column=str(missing[0]),
        )
    if data.empty:
        raise InputError(f"{func}: data has no rows")
    return data


def _check_shares(
    data: pd.DataFrame, columns: Iterable[str], func: str, raw_option: bool = True
) -> None:
    """Shares must be proportions: figures show them as % and would mislead otherwise."""
    hint = "divide percentages by 100" + (", or pass percent=False" if raw_option else "")
    for col in columns:
        values = pd.to_numeric(data[col], errors="coerce")
        bad = data.index[(values < -_SHARE_TOL) | (values > 1 + _SHARE_TOL)]
        if len(bad):
            raise InputError(
                f"{func}: column {col!r} holds {values[bad[0]]!r}, outside [0, 1]; figures "
                f"expect proportions ({hint})",
                column=col,
                row=str(bad[0]),
            )


def _check_unique(data: pd.DataFrame, keys: list[str], func: str) -> None:
    dup = data.duplicated(subset=keys, keep=False)
    if dup.any():
        first = data.loc[dup, keys].iloc[0].to_dict()
        where = ", ".join(f"{k}={v!r}" for k, v in first.items())
        hint = ""
        if "variable" in data.columns and "variable" not in keys:
            hint = "; filter the frame to one variable first"
        raise InputError(f"{func}: more than one row for {where}{hint}")


def _reliable_mask(data: pd.DataFrame, reliable: str | None) -> pd.Series:
    if reliable is None or reliable not in data.columns:
        return pd.Series(True, index=data.index)
    return data[reliable].fillna(False).astype(bool)


def _category_order(values: pd.Series, order: Sequence[Hashable] | None, func: str) -> list:
    present = list(pd.unique(values.dropna()))
    if order is None:
        return present
    order = list(order)
    absent = [c for c in order if c not in set(present)]
    if absent:
        raise ParameterError(f"{func}: order names {absent[0]!r}, which is not in the data")
    return order


def _n_summary(
    data: pd.DataFrame | pd.Series, n_col: str | None, unit: str, language: str
) -> int | str | None:
    """The n for the footer when the caller gave none: one value, or the range per unit.

    Totals are not summed: rows may be overlapping domains (criteria answered by the same
    respondents), so only the caller knows the number of respondents.
    """
    if isinstance(data, pd.Series):
        values = pd.to_numeric(data, errors="coerce").dropna()
    elif n_col is None or n_col not in data.columns:
        return None
    else:
        values = pd.to_numeric(data[n_col], errors="coerce").dropna()
    if values.empty:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo == hi:
        return lo
    words = _labels(language)
    return words["n_range"].format(
        lo=_fmt_n(lo, language), hi=_fmt_n(hi, language), unit=words["unit"][unit]
    )


#: What a drawn interval is: a design-based confidence interval, a reference interval of a
#: quota sample (random selection inside each cell assumed), or nothing (no interval shown).
INTERVALS = ("confidence", "reference", None)


def _interval_words(
    interval: str | None, low: Sequence[float], high: Sequence[float], func: str
) -> str | None:
    """The kind of interval to name in the legend and notes: None when nothing is drawn."""
    if interval not in INTERVALS:
        raise ParameterError(f"{func}: interval={interval!r} is not one of {INTERVALS}")
    drawn = (
        pd.notna(pd.Series(list(low), dtype="float64")).any()
        and pd.notna(pd.Series(list(high), dtype="float64")).any()
    )
    return interval if drawn else None
