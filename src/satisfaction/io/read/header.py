"""Finding the header row and naming the columns: title rows, two-row merged headers.

A header is the row that holds the most of the instrument's expected columns or, without
them, the first row whose non-empty cells are all distinct text spanning most of the table.
A row of group labels above it (merged in Excel, or sparse in a CSV) is noted, and an empty
cell of the header inside a vertical merge takes the merged label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _clean_name, _is_empty, _is_header_text, _position_name
from satisfaction.io.read.responses import REASON_COLUMN, ROW_COLUMN, ReadNote

__all__ = ["HEADER_SEARCH_ROWS"]

HEADER_SEARCH_ROWS = 20


@dataclass
class _Header:
    row: int  # 1-based row number in the source
    names: list[str]  # one per position; "" where the header cell is empty
    notes: list[ReadNote]


def _locate_header(
    head: Sequence[Sequence[Any]],
    header_row: int | None,
    expected: Sequence[str],
    merges: Sequence[tuple[int, int, int, int]],
    source: Path,
    sheet: str | None,
    excel: bool,
) -> _Header:
    """Find the header row in the first rows of a sheet or CSV and name the columns.

    `head` holds the first rows (index 0 = row 1) as raw cell values; `merges` are Excel
    merged ranges as (min_col, min_row, max_col, max_row), 1-based.
    """
    notes: list[ReadNote] = []
    if header_row is None:
        row, how = _detect_header_row(head, expected, merges)
        notes.append(ReadNote("header_row_detected", row, how))
    else:
        row = header_row
    if row > len(head):
        raise InputError(
            f"header row {row} is beyond the last row ({len(head)}) of the file",
            file=source,
            sheet=sheet,
        )
    names = _header_cells(head, row, merges)
    if row > 1:
        group_note = _group_labels(head, row, merges, names, excel)
        if group_note is not None:
            notes.append(group_note)
    return _Header(row=row, names=names, notes=notes)


def _header_cells(
    head: Sequence[Sequence[Any]], row: int, merges: Sequence[tuple[int, int, int, int]]
) -> list[str]:
    """Names in header `row`; an empty cell inside a vertical merge takes the merged label.

    Field teams merge "STT" or "Mã phiếu" over both rows of a two-row header: the name sits
    in the upper row while the lower row is the header for every other column.
    """
    names = [_clean_name(v) for v in head[row - 1]]
    for min_col, min_row, _max_col, max_row in merges:
        if min_row < row <= max_row and min_col <= len(names) and not names[min_col - 1]:
            top = head[min_row - 1]
            if min_col <= len(top):
                names[min_col - 1] = _clean_name(top[min_col - 1])
    while names and not names[-1]:
        names.pop()
    return names


def _detect_header_row(
    head: Sequence[Sequence[Any]],
    expected: Sequence[str],
    merges: Sequence[tuple[int, int, int, int]],
) -> tuple[int, str]:
    window = list(head[:HEADER_SEARCH_ROWS])
    if expected:
        wanted = {name.casefold() for name in expected}
        best_row, best_score = 0, 0
        for index in range(len(window)):
            cells = _header_cells(window, index + 1, merges)
            score = len({c.casefold() for c in cells if c} & wanted)
            if score > best_score:
                best_row, best_score = index + 1, score
        if best_score:
            return best_row, (
                f"header found in row {best_row}: it holds {best_score} of the "
                f"{len(wanted)} expected columns"
            )
    widest = max((sum(not _is_empty(v) for v in r) for r in window), default=0)
    needed = max(min(2, widest), math.ceil(widest / 2))
    for index, cells in enumerate(window):
        filled = [v for v in cells if not _is_empty(v)]
        names = [_clean_name(v) for v in filled]
        if (
            filled
            and len(filled) >= needed
            and all(_is_header_text(v) for v in filled)
            and len(set(names)) == len(names)
        ):
            return index + 1, (
                f"header found in row {index + 1}: the first row whose {len(filled)} "
                "non-empty cells are all distinct text"
            )
    return 1, "no row among the first 20 looks like a header; row 1 is used"


def _group_labels(
    head: Sequence[Sequence[Any]],
    row: int,
    merges: Sequence[tuple[int, int, int, int]],
    names: Sequence[str],
    excel: bool,
) -> ReadNote | None:
    """A note when the row above the header holds group labels (a two-row header)."""
    above = list(head[row - 2])
    spans: list[tuple[str, int, int]] = []
    horizontal = [m for m in merges if m[1] <= row - 1 <= m[3] and m[3] < row and m[2] > m[0]]
    if horizontal:
        for min_col, min_row, max_col, _ in sorted(horizontal):
            top = head[min_row - 1]
            label = _clean_name(top[min_col - 1]) if min_col <= len(top) else ""
            if label:
                spans.append((label, min_col, max_col))
    else:
        # Without merge information (CSV), a label stands over the columns up to the next.
        filled = [(i + 1, _clean_name(v)) for i, v in enumerate(above) if not _is_empty(v)]
        header_count = sum(1 for n in names if n)
        if len(filled) < 2 or len(filled) >= header_count:
            return None
        for k, (col, label) in enumerate(filled):
            end = filled[k + 1][0] - 1 if k + 1 < len(filled) else len(names)
            spans.append((label, col, end))
    if not spans or (len(spans) == 1 and spans[0][1] == 1 and spans[0][2] >= len(names)):
        return None  # a title merged across the whole table is not a group label
    parts = []
    for label, first, last in spans:
        covered = [n for n in names[first - 1 : last] if n]
        where = (
            f"{_position_name(first, excel)}:{_position_name(last, excel)}"
            if last > first
            else _position_name(first, excel)
        )
        parts.append(f"{label!r} over {where} ({', '.join(covered)})")
    return ReadNote(
        "two_row_header",
        row - 1,
        f"row {row - 1} holds group labels above the header: " + "; ".join(parts),
    )


def _validate_names(
    names: Sequence[str], source: Path, sheet: str | None, header_row: int, excel: bool
) -> None:
    """Duplicate or reserved names are errors; empty names are checked against the data."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        if name:
            positions.setdefault(name, []).append(position)
    problems = []
    for name, where in positions.items():
        if len(where) > 1:
            cols = " and ".join(_position_name(p, excel) for p in where)
            problems.append(f"duplicate column name {name!r} in columns {cols}")
        if name in (ROW_COLUMN, REASON_COLUMN):
            problems.append(f"column name {name!r} is reserved for the reader")
    if problems:
        raise InputError(
            "header: " + "; ".join(problems), file=source, sheet=sheet, row=header_row
        )
