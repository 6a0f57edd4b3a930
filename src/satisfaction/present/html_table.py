"""Tables as a reader sees them in the HTML reports: pandas Styler, the report's language.

A section returns a :class:`ShownTable`: the presentation frame itself (numbers stay
numbers, so the workbook and tests read it as any DataFrame) whose notebook display is
rendered by :func:`table_html` through pandas ``Styler``:

* no index column; every row (a long table scrolls inside its box, never cut with "...");
* shares (``attrs["percent_columns"]``) as "85,4%", one decimal, the language's separators;
  changes and gaps in percentage points (``attrs["points_columns"]``) as "+5,5";
  p-values (``attrs["p_columns"]``) with 3 significant digits;
* an interval's two columns ("KTC 95% dưới" / "KTC 95% trên") shown as one, "81,6–88,4";
  an interval of scores (``attrs["number_columns"]``, e.g. a 1-10 index) as "3,20–3,64";
* columns meant for the workbook only (``attrs["hidden_columns"]``, e.g. standard errors)
  left out, with a line saying where the full table is (``attrs["more"]``);
* every value and header HTML-escaped: data never become markup.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.present.formatting import (
    Language,
    _is_missing,
    _is_whole_column,
    _nfc,
    format_number,
    format_percent,
)

__all__ = ["ShownTable", "show", "table_html"]

_MISSING = "–"
# (lower, upper) header pairs shown as one interval column, and the joined header
_INTERVAL = re.compile(r"^(?P<head>.*?)\s*(?P<end>dưới|trên|lower|upper)(?P<tail>.*)$")


class ShownTable(pd.DataFrame):
    """A presentation table whose notebook display is the formatted HTML of `table_html`.

    Operations on it give plain DataFrames (``_constructor``), so it behaves as the frame
    it holds everywhere but in a notebook's display.
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str:  # type: ignore[override]
        return table_html(self)


def show(
    frame: pd.DataFrame,
    *,
    language: Language,
    caption: str | None = None,
    points_columns: Iterable[str] = (),
    p_columns: Iterable[str] = (),
    hidden_columns: Iterable[str] = (),
    number_columns: Iterable[str] = (),
    more: str | None = None,
) -> ShownTable:
    """``frame`` as a :class:`ShownTable` with how to show it recorded in its ``attrs``."""
    shown = ShownTable(frame.copy())
    shown.attrs = {
        **frame.attrs,
        "language": language,
        "caption": caption,
        "points_columns": [*frame.attrs.get("points_columns", ()), *points_columns],
        "p_columns": [*frame.attrs.get("p_columns", ()), *p_columns],
        "hidden_columns": [*frame.attrs.get("hidden_columns", ()), *hidden_columns],
        "number_columns": [*frame.attrs.get("number_columns", ()), *number_columns],
        "more": more,
    }
    return shown


# --------------------------------------------------------------------------------------
# Cell texts
# --------------------------------------------------------------------------------------


def p_text(value: object, language: Language = "vi") -> str:
    """A p-value with 3 significant digits ("0,0195", "< 0,001")."""
    if _is_missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return _MISSING
    number = float(value)  # type: ignore[arg-type]
    if number < 0.001:
        text = "< 0.001"
    elif number >= 0.9995:
        text = "1"
    else:
        text = f"{number:.3g}"
    return text.replace(".", ",") if language == "vi" else text


def _points(value: object, language: Language) -> str:
    if _is_missing(value):
        return _MISSING
    text = format_number(100 * float(value), digits=1, language=language)  # type: ignore[arg-type]
    return text if text.startswith("-") or text.strip("0,.") == "" else "+" + text


def _interval(low: object, high: object, language: Language, points: bool | None) -> str:
    if _is_missing(low) or _is_missing(high):
        return _MISSING
    if points is None:  # scores, not shares: the numbers as they are
        lo = format_number(float(low), digits=2, language=language)  # type: ignore[arg-type]
        hi = format_number(float(high), digits=2, language=language)  # type: ignore[arg-type]
        return f"{lo}–{hi}"
    if points:
        return (
            f"{_points(low, language)} đến {_points(high, language)}"
            if language == "vi"
            else (f"{_points(low, language)} to {_points(high, language)}")
        )
    lo = format_number(100 * float(low), digits=1, language=language)  # type: ignore[arg-type]
    hi = format_number(100 * float(high), digits=1, language=language)  # type: ignore[arg-type]
    return f"{lo}–{hi}"


def _cell(value: Any, kind: str, language: Language, whole: bool) -> str:
    if _is_missing(value):
        return _MISSING
    if kind == "percent":
        return format_percent(float(value), digits=1, language=language)
    if kind == "points":
        return _points(value, language)
    if kind == "p":
        return p_text(value, language)
    if isinstance(value, bool | np.bool_):
        return ("Có" if value else "Không") if language == "vi" else ("Yes" if value else "No")
    if isinstance(value, int | np.integer):
        return format_number(int(value), digits=0, language=language)
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            return _MISSING
        digits = 0 if whole else 2
        return format_number(float(value), digits=digits, language=language)
    return _nfc(value)


# --------------------------------------------------------------------------------------
# The displayed frame
# --------------------------------------------------------------------------------------


def _interval_pairs(columns: Sequence[str]) -> list[tuple[str, str, str]]:
    """(lower, upper, joined header) of columns that hold the two ends of an interval."""
    pairs = []
    for low in columns:
        found = _INTERVAL.match(str(low))
        if not found or found["end"] not in ("dưới", "lower"):
            continue
        other = "trên" if found["end"] == "dưới" else "upper"
        high = f"{found['head']} {other}{found['tail']}".strip()
        if high in columns:
            head = found["head"].strip() or ("KTC" if other == "trên" else "CI")
            pairs.append((low, high, f"{head}{found['tail']}".strip()))
    return pairs


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``frame`` as the text a reader sees (columns as shown)."""
    attrs = frame.attrs
    language: Language = attrs.get("language", "vi")
    percent = set(attrs.get("percent_columns", ()))
    points = set(attrs.get("points_columns", ()))
    p_cols = set(attrs.get("p_columns", ()))
    hidden = set(attrs.get("hidden_columns", ()))
    numbers = set(attrs.get("number_columns", ()))
    columns = [c for c in frame.columns if c not in hidden]
    pairs = {low: (high, name) for low, high, name in _interval_pairs(columns)}
    uppers = {high for high, _ in pairs.values()}
    out: dict[str, list[str]] = {}
    for column in columns:
        if column in uppers:
            continue
        values = frame[column]
        if column in pairs:
            high, name = pairs[column]
            if column in numbers or high in numbers:
                out[name] = [
                    _interval(a, b, language, None)
                    for a, b in zip(values, frame[high], strict=True)
                ]
                continue
            in_points = column in points or high in points
            unit = " (điểm %)" if language == "vi" else " (points)"
            header = name if in_points or "%" in name else f"{name} (%)"
            header = (
                header
                if not in_points or "điểm" in header or "point" in header
                else (header + unit)
            )
            out[header] = [
                _interval(a, b, language, in_points)
                for a, b in zip(values, frame[high], strict=True)
            ]
            continue
        kind = (
            "percent"
            if column in percent and column not in points
            else "points"
            if column in points
            else "p"
            if column in p_cols
            else "other"
        )
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        whole = bool(numeric and _is_whole_column(values.astype(float)))
        out[_nfc(column)] = [_cell(v, kind, language, whole) for v in values]
    shown = pd.DataFrame(out, index=range(len(frame)), dtype=object)
    empty = [c for c in shown.columns if len(shown) and shown[c].isin(["", _MISSING]).all()]
    return shown.drop(columns=empty)  # a column with nothing in it says nothing


def table_html(frame: pd.DataFrame) -> str:
    """The table as HTML through pandas Styler: escaped, no index, every row, in its box."""
    shown = display_frame(frame)
    styler = (
        shown.style.hide(axis="index")
        .format(escape="html", na_rep=_MISSING)
        .format_index(escape="html", axis=1)
        .set_table_attributes('class="report-table"')
    )
    numeric = [
        c for c in shown.columns if shown[c].map(lambda v: bool(_NUMBER.match(str(v)))).all()
    ]
    if numeric:
        styler = styler.set_properties(
            subset=numeric, **{"text-align": "right", "white-space": "nowrap"}
        )
    caption = frame.attrs.get("caption")
    if caption:
        styler = styler.set_caption(html.escape(_nfc(caption)))
    more = frame.attrs.get("more")
    tail = f'<p class="table-more">{html.escape(_nfc(more))}</p>' if more else ""
    return f'<div class="table-box">{styler.to_html()}</div>{tail}'


_NUMBER = re.compile(r"^(–|[+-]?[\d.,]+%?|[+-]?[\d.,]+–[\d.,]+|< ?[\d.,]+)$")
