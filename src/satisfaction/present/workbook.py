"""Formatted Excel workbooks: one sheet per DataFrame, numbers stored as numbers.

:func:`write_workbook` writes xlsx sheets: shares stored as numbers 0..1 with the ``0.0%``
format, counts with ``#,##0``, a bold wrapped frozen header, autofilter, fitted column
widths, an optional title row and a notes row (source, method, date).
:func:`sanitise_sheet_name` makes any name a valid, unique Excel sheet name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.write import replace_control
from satisfaction.present.files import _atomic_paths, _output_file
from satisfaction.present.formatting import (
    _SHARE_TOL,
    _display_width,
    _flatten_columns,
    _is_missing,
    _is_whole_column,
    _nfc,
    _percent_columns_of,
)

__all__ = ["P_FORMAT", "sanitise_sheet_name", "write_workbook"]

# Excel forbids [ ] : * ? / \ in sheet names: keep the meaning where a look-alike exists.
_SHEET_REPLACE = str.maketrans(
    {"[": "(", "]": ")", ":": " -", "/": "-", "\\": "-", "*": "", "?": ""}
)
_SHEET_MAX = 31
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384
_EXCEL_MAX_TEXT = 32_767
_PERCENT_FORMAT = "0.0%"
_INTEGER_FORMAT = "#,##0"
_FLOAT_FORMAT = "#,##0.00"
_DATE_FORMAT = "dd/mm/yyyy"
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_WIDTH_MIN, _WIDTH_MAX = 6.0, 60.0


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_utf16(text: str, limit: int) -> str:
    out = ""
    for ch in text:
        if _utf16_len(out + ch) > limit:
            break
        out += ch
    return out


def _trim_sheet(text: str) -> str:
    """No dangling separator or apostrophe where a name was cut."""
    return text.rstrip(" -'") or "Sheet"


def sanitise_sheet_name(name: object, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts, unique (case-insensitively) among ``taken``.

    NFC; ``[ ] : * ? / \\`` become ``-``; control characters and leading/trailing
    apostrophes and spaces go; at most 31 characters (UTF-16 units, as Excel counts);
    "History" (reserved by Excel) and blank names are changed; a clash gets " (2)", " (3)"...
    Vietnamese letters are kept.
    """
    text = _nfc(name).translate(_SHEET_REPLACE)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    text = re.sub(r"\s+", " ", text).strip().strip("'").strip()
    if not text:
        text = "Sheet"
    if text.casefold() == "history":
        text = "History (1)"
    text = _trim_sheet(_cut_utf16(text, _SHEET_MAX))
    used = {t.casefold() for t in taken}
    if text.casefold() not in used:
        return text
    k = 2
    while True:
        tail = f" ({k})"
        head = _trim_sheet(_cut_utf16(text, _SHEET_MAX - len(tail)))
        candidate = head + tail
        if candidate.casefold() not in used:
            return candidate
        k += 1


def _header_width(text: str) -> float:
    """Headers wrap: fit the longest word, and up to 18 characters on one line."""
    words = text.split()
    longest = max((_display_width(w) for w in words), default=0.0)
    return max(longest, min(_display_width(text), 18.0)) * 1.1  # bold is wider


def _per_sheet(
    value: object, keys: Sequence[str], what: str, kinds: tuple[type, ...]
) -> dict[str, Any]:
    """Expand a per-workbook value or a per-sheet mapping to a value for each sheet key."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise ParameterError(
                f"write_workbook: {what} names sheet {unknown[0]!r}, which is not among "
                f"{list(keys)}",
                key=what,
            )
        return dict(value)
    if isinstance(value, kinds):
        return dict.fromkeys(keys, value)
    raise ParameterError(
        f"write_workbook: {what} must be text or a mapping of sheet to text, "
        f"got {type(value).__name__}",
        key=what,
    )


def _excel_value(value: Any) -> tuple[Any, str | None]:
    """A cell value openpyxl stores natively, and its kind (number/int/date/bool/text)."""
    if _is_missing(value):
        return None, None
    if isinstance(value, bool | np.bool_):
        return bool(value), "bool"
    if isinstance(value, int | np.integer):
        return int(value), "int"
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None, None  # Excel has no infinity
        return number, "float"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.to_pydatetime(), "date" if stamp == stamp.normalize() else "datetime"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "date"
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return str(value), "text"
    return _nfc(value), "text"


def _no_control(text: str) -> str:
    """Control characters Excel rejects become U+FFFD (visible, not silently dropped)."""
    return replace_control(text)


#: p-values: "< 0,001" below 0.001, else the value (rounded to 3 significant digits) as is.
P_FORMAT = '[<0.001]"< 0,001";General'


def _p_values_rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """The p-value columns (``attrs["p_columns"]``) rounded to 3 significant digits."""
    columns = [c for c in frame.attrs.get("p_columns", ()) if c in frame.columns]
    if not columns:
        return frame
    out = frame.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce")
        out[column] = values.map(lambda v: float(f"{v:.3g}") if pd.notna(v) else v)
    out.attrs = dict(frame.attrs)
    return out


def write_workbook(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    notes: str | Mapping[str, str] | None = None,
    percent_columns: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    title: str | Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    """Write DataFrames as formatted sheets of one xlsx workbook; returns the path.

    Each sheet: an optional bold title row (``title``: one text for every sheet or a mapping
    by sheet key), an optional grey notes row (``notes``, e.g. from :func:`note_line`:
    source, method, date), then a bold wrapped header row that is frozen and carries an
    autofilter, then the data. Numbers are stored as numbers: share columns
    (``percent_columns``: a list for every sheet or a mapping by sheet key; by default each
    frame's ``attrs["percent_columns"]``, which :func:`estimates_table` sets) hold 0..1
    with the format ``0.0%``; whole-number columns ``#,##0``; other numbers ``#,##0.00``;
    dates ``dd/mm/yyyy``; p-values (``attrs["p_columns"]``) rounded to 3 significant digits
    (``P_FORMAT``). ``number_formats`` overrides the format of named columns. Column widths
    fit the content (Vietnamese and wide characters measured as displayed). The leading
    name columns are frozen with the header; sheets print A4 landscape, one page wide, the
    header repeated on every page.

    Sheet names are made valid and unique (:func:`sanitise_sheet_name`). Text starting with
    "=" is stored as text, never as a formula; control characters Excel rejects become U+FFFD.
    """
    func = "write_workbook"
    target = Path(path)
    if not isinstance(sheets, Mapping) or not sheets:
        raise ParameterError(f"{func}: sheets must be a non-empty mapping of name to DataFrame")
    keys = list(sheets)
    for key in keys:
        if not isinstance(sheets[key], pd.DataFrame):
            raise InputError(
                f"{func}: sheet {key!r} is a {type(sheets[key]).__name__}, not a DataFrame",
                sheet=str(key),
            )
    titles = _per_sheet(title, keys, "title", (str,))
    note_texts = _per_sheet(notes, keys, "notes", (str,))
    shares_by_sheet = _shares_by_sheet(percent_columns, keys, func)
    frames = {key: _flatten_columns(sheets[key]) for key in keys}
    if isinstance(percent_columns, Sequence) and not isinstance(percent_columns, str):
        everywhere = {_nfc(c) for f in frames.values() for c in f.columns}
        lost = [c for c in percent_columns if _nfc(c) not in everywhere]
        if lost:
            raise ParameterError(
                f"{func}: percent column {lost[0]!r} is in no sheet", key="percent_columns"
            )
    formats = {_nfc(k): v for k, v in (number_formats or {}).items()}
    frames = {key: _p_values_rounded(frame) for key, frame in frames.items()}
    for frame in frames.values():
        formats.update(dict.fromkeys(frame.attrs.get("p_columns", ()), P_FORMAT))
    plans = _plan_sheets(frames, titles, note_texts, shares_by_sheet, percent_columns, func)

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, sheet_name, frame, header_row, shares in plans:
        sheet = workbook.create_sheet(sheet_name)
        _fill_sheet(
            sheet, frame, key, header_row, shares, formats, titles.get(key), note_texts.get(key)
        )
    target = _output_file(target, ".xlsx", func)
    with _atomic_paths([target]) as (temp,):
        workbook.save(temp)
    return target


def _shares_by_sheet(
    percent_columns: Sequence[str] | Mapping[str, Sequence[str]] | None,
    keys: Sequence[str],
    func: str,
) -> dict[str, Any]:
    """The share columns given for each sheet key (none given: an empty mapping)."""
    if isinstance(percent_columns, Mapping):
        return _per_sheet(percent_columns, keys, "percent_columns", (list, tuple))
    if percent_columns is None:
        return {}
    if isinstance(percent_columns, str):
        raise ParameterError(f"{func}: percent_columns must be a list of column names")
    return {key: tuple(percent_columns) for key in keys}


_SheetPlan = tuple[str, str, pd.DataFrame, int, set[str]]


def _plan_sheets(
    frames: Mapping[str, pd.DataFrame],
    titles: Mapping[str, str],
    note_texts: Mapping[str, str],
    shares_by_sheet: Mapping[str, Any],
    percent_columns: object,
    func: str,
) -> list[_SheetPlan]:
    """Check every sheet before any is written: (key, sheet name, frame, header row, shares)."""
    plans = []
    taken: list[str] = []
    for key, frame in frames.items():
        sheet_name = sanitise_sheet_name(key, taken)
        taken.append(sheet_name)
        header_row = 1 + int(key in titles) + int(key in note_texts)
        if header_row + len(frame) > _EXCEL_MAX_ROWS or frame.shape[1] > _EXCEL_MAX_COLS:
            raise InputError(
                f"{func}: {frame.shape[0]} rows x {frame.shape[1]} columns exceed an Excel sheet",
                sheet=str(key),
            )
        given = shares_by_sheet.get(key)
        if given is not None:
            missing = [c for c in given if c not in frame.columns]
            if isinstance(percent_columns, Mapping) and missing:
                raise ParameterError(
                    f"{func}: percent column {missing[0]!r} is not in sheet {key!r}",
                    key="percent_columns",
                )
        shares = _percent_columns_of(frame, given)
        for col in shares:
            _check_share_column(frame[col], key, col, func)
        plans.append((key, sheet_name, frame, header_row, set(shares)))
    return plans


def _check_share_column(values: pd.Series, sheet: str, column: str, func: str) -> None:
    if pd.api.types.is_bool_dtype(values):
        raise InputError(f"{func}: percent column holds booleans", sheet=sheet, column=column)
    numeric = pd.to_numeric(values, errors="coerce")
    text = values[numeric.isna() & values.notna()]
    if len(text):
        raise InputError(
            f"{func}: percent column holds text {text.iloc[0]!r}; shares must be numbers",
            sheet=sheet,
            column=str(column),
            row=str(text.index[0]),
        )
    # Changes and differences may be negative; anything beyond 1 in size is a percentage.
    outside = numeric.index[numeric.abs() > 1 + _SHARE_TOL]
    if len(outside):
        raise InputError(
            f"{func}: percent column holds {numeric[outside[0]]!r}, outside [-1, 1]; store "
            "shares as proportions (divide percentages by 100)",
            sheet=sheet,
            column=str(column),
            row=str(outside[0]),
        )


def _fill_sheet(
    sheet: Any,
    frame: pd.DataFrame,
    key: str,
    header_row: int,
    shares: set[str],
    formats: Mapping[str, str],
    title: str | None,
    note: str | None,
) -> None:
    from openpyxl.utils import get_column_letter

    row = _write_title_rows(sheet, title, note)
    assert row == header_row

    headers = [_nfc(c) for c in frame.columns]
    _write_header(sheet, headers, header_row)
    for pos, header in enumerate(headers, start=1):
        width = _write_column(
            sheet,
            frame.iloc[:, pos - 1],
            key,
            header,
            pos,
            header_row,
            is_share=header in shares,
            number_format=formats.get(header),
        )
        letter = get_column_letter(pos)
        sheet.column_dimensions[letter].width = min(max(width + 2, _WIDTH_MIN), _WIDTH_MAX)
    if headers:
        last = get_column_letter(len(headers))
        names = _name_columns(frame)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=names + 1)
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(frame), 1)}"
        sheet.row_dimensions[header_row].height = None
        sheet.print_title_rows = f"{header_row}:{header_row}"
    _print_setup(sheet)
    sheet.sheet_view.zoomScale = 100


def _name_columns(frame: pd.DataFrame, most: int = 4) -> int:
    """How many leading columns name the row (text; a leading rank may come first): they
    stay in view when the sheet scrolls right."""
    count = 0
    for position in range(min(most, frame.shape[1])):
        values = frame.iloc[:, position]
        numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        if numeric and position > 0:
            break
        count += 1
    return count if count > 1 or not frame.shape[1] or not _is_number(frame.iloc[:, 0]) else 0


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _print_setup(sheet: Any) -> None:
    """A4 landscape, every column on one page width (as many pages down as needed)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def _write_title_rows(sheet: Any, title: str | None, note: str | None) -> int:
    """The optional bold title and grey notes rows; returns the row the header goes on."""
    from openpyxl.styles import Font

    row = 1
    if title is not None:
        cell = sheet.cell(row=row, column=1, value=_no_control(_nfc(title)))
        cell.font = Font(bold=True, size=14)
        cell.data_type = "s"
        row += 1
    if note is not None:
        cell = sheet.cell(row=row, column=1, value=_no_control(_nfc(note)))
        cell.font = Font(italic=True, color="595959")
        cell.data_type = "s"
        row += 1
    return row


def _write_header(sheet: Any, headers: Sequence[str], header_row: int) -> None:
    """The header row: bold, wrapped, centred, on a light fill with a rule below."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E7EEF7")
    header_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_border = Border(bottom=Side(style="thin", color="7F7F7F"))
    for pos, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=pos, value=_no_control(header))
        cell.data_type = "s"
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_align
        cell.border = header_border


def _write_column(
    sheet: Any,
    values: pd.Series,
    key: str,
    header: str,
    pos: int,
    header_row: int,
    *,
    is_share: bool,
    number_format: str | None,
) -> float:
    """One column's cells below the header; returns the width its header and cells need."""
    width = _header_width(header)
    whole = (
        not is_share
        and pd.api.types.is_numeric_dtype(values)
        and not pd.api.types.is_bool_dtype(values)
        and _is_whole_column(values.astype(float))
    )
    for offset, raw in enumerate(values.tolist(), start=1):
        value, kind = _excel_value(raw)
        if value is None:
            continue
        if kind == "text":
            if len(value) > _EXCEL_MAX_TEXT:
                raise InputError(
                    f"write_workbook: text of {len(value)} characters exceeds Excel's "
                    f"{_EXCEL_MAX_TEXT}",
                    sheet=str(key),
                    row=offset,
                    column=header,
                )
            value = _no_control(value)
        cell = sheet.cell(row=header_row + offset, column=pos, value=value)
        if kind == "text":
            cell.data_type = "s"  # "=..." stays text: never a formula
        elif kind in ("int", "float"):
            if number_format is not None:
                cell.number_format = number_format
            elif is_share:
                cell.number_format = _PERCENT_FORMAT
            elif kind == "int" or whole:
                cell.number_format = _INTEGER_FORMAT
            else:
                cell.number_format = _FLOAT_FORMAT
        elif kind in ("date", "datetime"):
            default = _DATE_FORMAT if kind == "date" else _DATETIME_FORMAT
            cell.number_format = number_format or default
        width = max(width, _shown_width(value, kind, cell.number_format))
    return width


def _shown_width(value: Any, kind: str | None, number_format: str) -> float:
    """How wide a cell looks in Excel under its number format (for column widths)."""
    if kind in ("int", "float"):
        decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
        if number_format.endswith("%"):
            return len(f"{100 * value:,.{decimals}f}%")
        return len(f"{value:,.{decimals}f}")
    if kind in ("date", "datetime"):
        return len(number_format)
    if kind == "bool":
        return len("FALSE")
    return _display_width(str(value))
