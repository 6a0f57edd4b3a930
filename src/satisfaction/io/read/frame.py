"""A table of text cells -> the frame CSV and Excel readers return, with the rows removed.

Shared by both text readers: whitespace-only cells become missing, cells not in NFC are
counted, `_row` is added, blank and totals rows are removed, and columns without a header
name are dropped (no data) or refused (data).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _count, _position_name
from satisfaction.io.read.responses import REASON_COLUMN, ROW_COLUMN, ReadNote
from satisfaction.io.read.rows import _removable_rows

__all__: list[str] = []


def _finish_text_table(
    table: pa.Table,
    names: Sequence[str],
    first_row: int,
    source: Path,
    sheet: str | None,
    header_row: int,
    excel: bool,
    notes: list[ReadNote],
    compose: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Blank-to-missing, NFC count, `_row`, blank/totals removal and empty-header checks.

    With `compose` (cp1258, which writes Vietnamese tones as combining marks by design)
    composing to NFC is part of decoding and is done here; otherwise cells are left as they
    are and only counted.

    `table` holds one string column per header position (placeholder names); `first_row`
    is the source row number of its first row.
    """
    columns, changed = _blank_and_nfc(table, names, compose)
    placeholders = [f"\x00{i}" for i in range(len(columns))]
    frame = pa.table(columns, names=placeholders).to_pandas()
    frame.insert(0, ROW_COLUMN, np.arange(first_row, first_row + len(frame), dtype="int64"))
    if changed:
        notes.append(_not_nfc_note(changed, compose))

    reasons, trailing = _removable_rows(frame, placeholders, notes)
    removed = frame.loc[sorted(reasons)].copy()
    removed[REASON_COLUMN] = pd.array([reasons[i] for i in removed.index], dtype="str")
    if reasons or trailing:
        frame = frame.drop(index=[*reasons, *trailing]).reset_index(drop=True)

    frame, removed = _name_columns(
        frame, removed, placeholders, names, source, sheet, header_row, excel, notes
    )
    if frame.empty:
        raise InputError(
            f"no data rows below the header (row {header_row})", file=source, sheet=sheet
        )
    return frame, removed


def _blank_and_nfc(
    table: pa.Table, names: Sequence[str], compose: bool
) -> tuple[list[pa.ChunkedArray], dict[str, int]]:
    """Columns as large strings with whitespace-only cells missing, and the count of cells
    not in NFC by column name (composed with `compose`, else left as they are)."""
    columns = []
    changed: dict[str, int] = {}
    for position, column in enumerate(table.columns):
        name = names[position] if position < len(names) else ""
        if column.type != pa.large_string():
            column = column.cast(pa.large_string())  # pandas' str dtype holds large strings
        blank = pc.utf8_is_space(column)  # non-empty and only whitespace
        if pc.any(blank).as_py():
            column = pc.if_else(blank, pa.scalar(None, pa.large_string()), column)
        if pc.all(pc.string_is_ascii(column), skip_nulls=True).as_py() is False:
            # counted, not changed: cleaning normalises these and logs every cell
            normalised = pc.utf8_normalize(column, form="NFC")
            count = pc.sum(pc.not_equal(normalised, column)).as_py() or 0
            if count:
                changed[name or f"#{position + 1}"] = count
                if compose:
                    column = normalised
        columns.append(column)
    return columns, changed


def _not_nfc_note(changed: dict[str, int], compose: bool) -> ReadNote:
    total = sum(changed.values())
    action = (
        "composed to NFC as part of cp1258 decoding"
        if compose
        else "left for cleaning to normalise"
    )
    return ReadNote(
        "not_nfc",
        None,
        f"{_count(total, 'cell')} not in Unicode NFC, {action} ("
        + ", ".join(f"{k}: {v}" for k, v in changed.items())
        + ")",
    )


def _name_columns(
    frame: pd.DataFrame,
    removed: pd.DataFrame,
    placeholders: Sequence[str],
    names: Sequence[str],
    source: Path,
    sheet: str | None,
    header_row: int,
    excel: bool,
    notes: list[ReadNote],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Placeholder columns renamed to their header names; columns without a name dropped.

    Empty header names: a column with no data at all is an Excel ghost column and is
    dropped with a note; one with data cannot be named, so the user must fix the header.
    """
    rename: dict[str, str] = {}
    ghosts: list[str] = []
    unnamed_with_data: list[str] = []
    for position, placeholder in enumerate(placeholders, start=1):
        name = names[position - 1] if position <= len(names) else ""
        if name:
            rename[placeholder] = name
        elif frame[placeholder].notna().any():
            unnamed_with_data.append(_position_name(position, excel))
        else:
            ghosts.append(placeholder)
    if unnamed_with_data:
        plural = "s" if len(unnamed_with_data) > 1 else ""
        raise InputError(
            f"header: empty column name above data in column{plural} "
            + ", ".join(unnamed_with_data),
            file=source,
            sheet=sheet,
            row=header_row,
        )
    if ghosts:
        where = [_position_name(int(p[1:]) + 1, excel) for p in ghosts]
        notes.append(
            ReadNote(
                "empty_columns",
                header_row,
                f"ignored {_count(len(ghosts), 'column')} with no name and no data: "
                + ", ".join(where),
            )
        )
    frame = frame.drop(columns=ghosts).rename(columns=rename)
    removed = removed.drop(columns=ghosts).rename(columns=rename).reset_index(drop=True)
    return frame, removed
