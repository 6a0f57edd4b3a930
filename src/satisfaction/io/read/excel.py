"""Workbooks (.xlsx, .xlsm, .xls, .ods): the sheet's cells -> header, text frame, merged
blocks filled down, and the codes Excel made dates.

The workbook itself is opened by `workbook` (python-calamine, after `guard`); everything
here works on the `_Sheet` it returns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
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
from satisfaction.io.read.responses import ROW_COLUMN, RawResponses, ReadNote
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
    except Exception as err:  # calamine/zipfile/lxml raise many types on broken files
        detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
        hint = (
            "the sheet is larger than the reader takes (a damaged or hostile file?)"
            if "limit" in detail.lower()
            else f"is it truncated or not really {source.suffix.lower()}?"
        )
        raise InputError(
            f"cannot read as a workbook ({type(err).__name__}"
            + (f": {detail}" if detail else "")
            + f"); {hint}",
            file=source,
        ) from None
    head = book.head
    if not any(not _is_empty(v) for row in head for v in row) and book.tail is None:
        raise InputError("sheet is empty", file=source, sheet=book.name)
    header = _locate_header(head, header_row, expected, book.merges, source, book.name, excel=True)
    notes.extend(header.notes)
    _validate_names(header.names, source, book.name, header.row, excel=True)
    width = max(len(header.names), book.width, max((len(r) for r in head), default=0))
    names = [*header.names, *([""] * (width - len(header.names)))]
    columns = _body_columns(head[header.row :], book.tail, width)
    filled = _fill_merged(columns, book.merges, header.row, names, notes)
    dates = {column: [r for r in found if r > header.row] for column, found in book.dates.items()}
    _note_codes_as_dates(dates, columns, names, header.row + 1, notes)
    legacy_fonts = {
        names[position - 1]: encoding
        for position, encoding in book.legacy_fonts.items()
        if position <= len(names) and names[position - 1]
    }
    if legacy_fonts:
        notes.append(
            ReadNote(
                "legacy_font",
                None,
                "text typed in 8-bit Vietnamese fonts (.VnTime = TCVN3, VNI-Times = VNI): "
                + ", ".join(f"{name} ({encoding})" for name, encoding in legacy_fonts.items())
                + "; cleaning converts these columns with that encoding",
            )
        )
    table = pa.table(columns, names=[f"c{i}" for i in range(width)])
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
        filled=filled,
        legacy_fonts=legacy_fonts,
        format=source.suffix.lower().lstrip("."),
    )


def _body_columns(
    typed_rows: Sequence[Sequence[Any]], tail: list[pa.ChunkedArray] | None, width: int
) -> list[pa.ChunkedArray]:
    """One text column per position: the typed rows below the header, then the tail."""
    columns = []
    for position in range(width):
        texts = [_cell_text(r[position]) if position < len(r) else None for r in typed_rows]
        parts = [pa.array(texts, type=pa.large_string())]
        if tail is not None and position < len(tail):
            parts.extend(tail[position].chunks)
        elif tail is not None and len(tail):
            parts.append(pa.nulls(len(tail[0]), type=pa.large_string()))
        columns.append(pa.chunked_array(parts, type=pa.large_string()))
    return columns


def _fill_merged(
    columns: list[pa.ChunkedArray],
    merges: Sequence[tuple[int, int, int, int]],
    header_row: int,
    names: Sequence[str],
    notes: list[ReadNote],
) -> pd.DataFrame:
    """Fill merged blocks of data rows down their first column; return the cells filled.

    A field team types a province once and merges it over the rows of its communes: Excel
    shows it on every row, so every row gets it (each filled cell is returned, for the
    cleaning log, and noted). Only the first column of a block is filled: a block spanning
    columns (a label or a comment laid across them) does not say which column it belongs
    to, so the other columns stay as stored -- empty.
    """
    records: list[tuple[int, str, str]] = []
    for min_col, min_row, max_col, max_row in sorted(merges, key=lambda m: (m[0], m[1])):
        if min_row <= header_row or max_row == min_row or min_col > len(columns):
            continue
        first = min_row - header_row - 1
        last = min(max_row - header_row - 1, len(columns[min_col - 1]) - 1)
        values = columns[min_col - 1].to_pylist()
        value = values[first]
        if value is None or last <= first:
            continue
        empty = [offset for offset in range(first + 1, last + 1) if values[offset] is None]
        for offset in empty:
            values[offset] = value
        columns[min_col - 1] = pa.chunked_array([pa.array(values, type=pa.large_string())])
        name = names[min_col - 1] or excel_column_letter(min_col)
        filled_rows = [header_row + 1 + offset for offset in empty]
        records.extend((row, name, value) for row in filled_rows)
        letter = excel_column_letter(min_col)
        span = (
            f"{letter}{min_row}:{excel_column_letter(max_col)}{max_row}"
            if max_col > min_col
            else f"{letter}{min_row}:{letter}{max_row}"
        )
        notes.append(
            ReadNote(
                "merged_cells_filled",
                min_row,
                f"merged block {span}: {value!r} filled down column {name!r} into "
                f"{_count(len(empty), 'row')} ({_list_rows(filled_rows)})"
                + (
                    f"; columns {excel_column_letter(min_col + 1)}:"
                    f"{excel_column_letter(max_col)} of the block left empty"
                    if max_col > min_col
                    else ""
                ),
                column=names[min_col - 1] or None,
            )
        )
    return pd.DataFrame(records, columns=[ROW_COLUMN, "column", "value"])


def _note_codes_as_dates(
    dates: dict[int, list[int]],
    columns: Sequence[pa.ChunkedArray],
    names: Sequence[str],
    first_row: int,
    notes: list[ReadNote],
) -> None:
    """Note columns of small whole-number codes holding a few dates (codes Excel converted).

    Typing "1-2" or "3/4" into a code column makes Excel store a date; the value is kept
    (as ISO text) but the user should look at it.
    """
    for column, date_rows in sorted(dates.items()):
        if not date_rows or column > len(columns):
            continue
        skip = {r - first_row for r in date_rows}
        others = [
            v
            for offset, v in enumerate(columns[column - 1].to_pylist())
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
