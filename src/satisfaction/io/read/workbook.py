"""Opening a workbook: openpyxl for the sheet list, shared strings and date styles; lxml for
the sheet's XML (rows, merged ranges, which cells hold dates).

This is the only module that knows how an .xlsx file is laid out; `excel` works on the
`_Sheet` it returns.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _cell_text, _column_number, _number_text

__all__: list[str] = []

_MERGE_REF = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")


@dataclass
class _Sheet:
    """The cells of one worksheet, as `_excel_sheet` returns them."""

    name: str
    rows: list[list[Any]]  # index 0 = row 1; typed values up to row `typed`, text below
    typed: int
    merges: list[tuple[int, int, int, int]]  # (min_col, min_row, max_col, max_row)
    dates: dict[int, list[int]]  # column position -> row numbers of cells holding a date


def _excel_sheet(source: Path, sheet: str | int | None, typed: int) -> _Sheet:
    """Open the workbook with openpyxl (read-only) and parse the sheet's XML with lxml.

    openpyxl gives the sheet list, shared strings and which cell styles are dates; the sheet
    XML itself is streamed with lxml, which is several times faster than openpyxl's own
    row parser and also yields the merged ranges (read-only worksheets hide them) -- and
    the sheet's stated dimensions, often wrong in files written by other tools, are not
    trusted.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    try:
        sheet_name = _sheet_name(workbook.sheetnames, sheet, source)
        worksheet = workbook[sheet_name]
        sheet_path = getattr(worksheet, "_worksheet_path", None)
        if sheet_path is None:
            raise InputError("is a chart sheet, not a worksheet", file=source, sheet=sheet_name)
        with workbook._archive.open(sheet_path) as stream:
            rows, merges, dates = _parse_sheet_xml(
                stream,
                shared=getattr(worksheet, "_shared_strings", None) or workbook.shared_strings,
                date_styles=workbook._date_formats,
                timedelta_styles=workbook._timedelta_formats,
                epoch=workbook.epoch,
                typed=typed,
            )
    finally:
        workbook.close()
    return _Sheet(sheet_name, rows, typed, merges, dates)


def _sheet_name(names: Sequence[str], sheet: str | int | None, source: Path) -> str:
    """The sheet asked for: the first, a 0-based number, or a name (compared in NFC)."""
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise InputError(
                f"no sheet number {sheet} (counting from 0); the workbook has "
                f"{len(names)}: " + ", ".join(repr(n) for n in names),
                file=source,
            )
        return names[sheet]
    wanted = unicodedata.normalize("NFC", str(sheet)).strip()
    matches = [n for n in names if unicodedata.normalize("NFC", n).strip() == wanted]
    if not matches:
        raise InputError(
            f"no sheet named {sheet!r}; sheets: " + ", ".join(repr(n) for n in names),
            file=source,
        )
    return matches[0]


def _parse_sheet_xml(
    stream: Any,
    *,
    shared: Sequence[str],
    date_styles: set[int],
    timedelta_styles: set[int],
    epoch: dt.datetime,
    typed: int,
) -> tuple[list[list[Any]], list[tuple[int, int, int, int]], dict[int, list[int]]]:
    """Rows of a worksheet XML (gaps filled with empty rows), merged ranges, date cells.

    Rows up to `typed` keep Python types (str, int, float, bool, datetime) for header
    detection; later rows are converted straight to canonical text.
    """
    from lxml import etree
    from openpyxl.utils.datetime import from_excel

    formats = _CellFormats(shared, date_styles, timedelta_styles, epoch, from_excel)
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []
    dates: dict[int, list[int]] = {}
    column_of: dict[str, int] = {}
    row_number = 0
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=("{*}row", "{*}mergeCell"),
        resolve_entities=False,
        no_network=True,
    )
    tags: dict[str, str] = {}
    for _, element in parser:
        tag = element.tag
        if tag.endswith("mergeCell"):
            match = _MERGE_REF.match(element.get("ref", ""))
            if match:
                merges.append(
                    (
                        _column_number(match[1]),
                        int(match[2]),
                        _column_number(match[3]),
                        int(match[4]),
                    )
                )
            continue
        if not tags:  # exact tags are much faster than "{*}" look-ups in `_row_values`
            namespace = tag[: -len("row")]
            tags = {name: namespace + name for name in ("c", "v", "is", "t")}
        stated = element.get("r")
        row_number = int(stated) if stated else row_number + 1
        while len(rows) < row_number - 1:
            rows.append([])
        rows.append(
            _row_values(element, row_number, row_number <= typed, tags, column_of, dates, formats)
        )
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return rows, merges, dates


@dataclass(frozen=True)
class _CellFormats:
    """What a cell's stored text needs to become a value: the workbook's shared strings,
    its date and duration styles, its date epoch, and openpyxl's serial-date converter."""

    shared: Sequence[str]
    date_styles: set[int]
    timedelta_styles: set[int]
    epoch: dt.datetime
    from_excel: Callable[..., Any]


def _row_values(
    element: Any,
    row_number: int,
    is_typed: bool,
    tags: dict[str, str],
    column_of: dict[str, int],
    dates: dict[int, list[int]],
    formats: _CellFormats,
) -> list[Any]:
    """The values of one <row> element by column position (None in the gaps).

    Typed values when `is_typed`, else canonical text; the rows of date cells are added
    to `dates`. One call per row: the loop over cells stays inline, as it is the hot path.
    """
    cell_tag, value_tag, inline_tag, text_tag = tags["c"], tags["v"], tags["is"], tags["t"]
    shared, date_styles, timedelta_styles = (
        formats.shared,
        formats.date_styles,
        formats.timedelta_styles,
    )
    epoch, from_excel = formats.epoch, formats.from_excel
    values: list[Any] = []
    column = 0
    for cell in element:
        if cell.tag != cell_tag:
            continue
        reference = cell.get("r")
        if reference:
            letters = reference.rstrip("0123456789")
            column = column_of.get(letters) or column_of.setdefault(
                letters, _column_number(letters)
            )
        else:
            column += 1
        raw = None
        for child in cell:
            if child.tag == value_tag:
                raw = child.text
                break
            if child.tag == inline_tag:
                raw = "".join(t.text or "" for t in child.iter(text_tag))
                break
        if raw is None:
            continue
        kind = cell.get("t")
        value: Any
        if kind is None or kind == "n":
            style = cell.get("s")
            if style is not None and int(style) in date_styles:
                value = from_excel(float(raw), epoch, timedelta=int(style) in timedelta_styles)
                if isinstance(value, dt.date):
                    dates.setdefault(column, []).append(row_number)
                if not is_typed:
                    value = _cell_text(value)
            elif raw.isdigit() and raw.isascii() and len(raw) <= 15:
                value = int(raw) if is_typed else raw
            else:
                value = float(raw) if is_typed else _number_text(float(raw))
        elif kind == "s":
            value = shared[int(raw)]
        elif kind == "b":
            value = raw.strip() == "1"
            if not is_typed:
                value = _cell_text(value)
        elif kind == "d":
            value = dt.datetime.fromisoformat(raw.strip().removesuffix("Z"))
            dates.setdefault(column, []).append(row_number)
            if not is_typed:
                value = _cell_text(value)
        else:  # inlineStr, "str" (text result of a formula), "e" (an error such as #N/A)
            value = raw
        if len(values) == column - 1:
            values.append(value)
        else:
            if len(values) < column:
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
    return values
