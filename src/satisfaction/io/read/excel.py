"""Excel .xlsx / .xlsm: the sheet's cells -> header, text frame and the codes Excel made dates.

The workbook itself is opened by `workbook` (openpyxl and lxml); everything here works on
the rows it returns, so another workbook reader can take its place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from satisfaction.errors import InputError, SatisfactionError
from satisfaction.io.read.cells import (
    _cell_text,
    _count,
    _is_empty,
    _list_rows,
    excel_column_letter,
)
from satisfaction.io.read.frame import _finish_text_table
from satisfaction.io.read.header import HEADER_SEARCH_ROWS, _locate_header, _validate_names
from satisfaction.io.read.responses import RawResponses, ReadNote
from satisfaction.io.read.workbook import _excel_sheet

__all__: list[str] = []

_SMALL_CODE = re.compile(r"^\d{1,3}$")


def _read_excel(
    source: Path, sheet: str | int | None, header_row: int | None, expected: Sequence[str]
) -> RawResponses:
    notes: list[ReadNote] = []
    try:
        book = _excel_sheet(source, sheet, max(HEADER_SEARCH_ROWS, header_row or 0) + 1)
    except SatisfactionError:
        raise
    except Exception as err:  # zipfile/openpyxl/lxml raise many types on broken files
        detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise InputError(
            f"cannot read as an Excel workbook ({type(err).__name__}"
            + (f": {detail}" if detail else "")
            + "); is it truncated or not really .xlsx?",
            file=source,
        ) from None
    rows = book.rows
    if not any(not _is_empty(v) for row in rows for v in row):
        raise InputError("sheet is empty", file=source, sheet=book.name)
    header = _locate_header(rows, header_row, expected, book.merges, source, book.name, excel=True)
    notes.extend(header.notes)
    _validate_names(header.names, source, book.name, header.row, excel=True)
    body = rows[header.row :]
    width = max(len(header.names), max((len(r) for r in body), default=0))
    names = [*header.names, *([""] * (width - len(header.names)))]
    typed_body = max(0, book.typed - header.row)
    padded = [
        [_cell_text(v) for v in r] + [None] * (width - len(r))
        if i < typed_body
        else r + [None] * (width - len(r))
        for i, r in enumerate(body)
    ]
    by_column = list(zip(*padded, strict=True)) if padded else [()] * width
    dates = {column: [r for r in found if r > header.row] for column, found in book.dates.items()}
    _note_codes_as_dates(dates, by_column, names, header.row + 1, notes)
    table = pa.table(
        [pa.array(values, type=pa.large_string()) for values in by_column],
        names=[f"c{i}" for i in range(width)],
    )
    frame, removed = _finish_text_table(
        table, names, header.row + 1, source, book.name, header.row, True, notes
    )
    return RawResponses(
        frame=frame,
        source=source,
        sheet=book.name,
        header_row=header.row,
        notes=notes,
        removed=removed,
        format="xlsx",
    )


def _note_codes_as_dates(
    dates: dict[int, list[int]],
    by_column: Sequence[Sequence[str | None]],
    names: Sequence[str],
    first_row: int,
    notes: list[ReadNote],
) -> None:
    """Note columns of small whole-number codes holding a few dates (codes Excel converted).

    Typing "1-2" or "3/4" into a code column makes Excel store a date; the value is kept
    (as ISO text) but the user should look at it.
    """
    for column, date_rows in sorted(dates.items()):
        if not date_rows or column > len(by_column):
            continue
        skip = {r - first_row for r in date_rows}
        others = [
            v
            for offset, v in enumerate(by_column[column - 1])
            if v is not None and v.strip() and offset not in skip
        ]
        small = sum(bool(_SMALL_CODE.match(v.strip())) for v in others)
        if len(others) >= len(date_rows) and small >= 0.9 * len(others):
            name = names[column - 1] or None
            letter = excel_column_letter(column)
            notes.append(
                ReadNote(
                    "code_as_date",
                    date_rows[0],
                    f"column {name or letter!r} ({letter}) holds "
                    f"{_count(len(date_rows), 'date')} among small whole-number codes (rows "
                    f"{_list_rows(date_rows)}): Excel probably turned typed codes into "
                    "dates; kept as ISO text",
                    column=name,
                )
            )
