"""Rows removed at read time: blank rows, and totals rows found by their label or their sums.

Blank rows inside the data are removed and listed; blank rows after the last row with data
(Excel keeps formatted empty rows) are only counted. A totals row is removed when its first
cell says "Tổng cộng", "Cộng", "Total"..., or when, at the bottom, its id is empty and its
numbers are the column sums.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from satisfaction.io.read.cells import _count, _list_rows
from satisfaction.io.read.responses import ROW_COLUMN, ReadNote

__all__: list[str] = []

_TOTALS_LABEL = re.compile(
    r"^(?:tổng cộng|tổng số|tổng|cộng|grand total|total|tong cong|tong so)"
    r"(?:\s*[:.\-–(]|\s+\d|\s*$)"
)


def _removable_rows(
    frame: pd.DataFrame, data: Sequence[str], notes: list[ReadNote]
) -> tuple[dict[int, str], list[int]]:
    """Blank rows and totals rows to remove: (reason by frame index, trailing blank rows).

    Blank rows after the last row with data are not data rows at all (Excel keeps
    formatted empty rows); they are counted in a note, not listed in `removed`.
    """
    reasons: dict[int, str] = {}
    rows = frame[ROW_COLUMN].to_numpy()
    last = _blank_rows(frame, data, rows, reasons, notes)
    _totals_by_label(frame, data, rows, reasons, notes)
    _totals_by_value(frame, data, rows, last, reasons, notes)
    return reasons, list(frame.index[last + 1 :])


def _blank_rows(
    frame: pd.DataFrame,
    data: Sequence[str],
    rows: np.ndarray,
    reasons: dict[int, str],
    notes: list[ReadNote],
) -> int:
    """Mark blank rows before the last row with data and note the trailing ones; returns
    the position of the last row with data (-1 if none)."""
    present = np.zeros(len(frame), dtype=bool)
    for column in data:
        present |= frame[column].notna().to_numpy()
    blank = ~present
    nonblank_index = np.flatnonzero(present)
    last = int(nonblank_index[-1]) if len(nonblank_index) else -1
    trailing = len(frame) - 1 - last
    if trailing:
        notes.append(
            ReadNote(
                "trailing_blank_rows",
                int(rows[last + 1]),
                f"ignored {_count(trailing, 'blank row')} after the last row with data",
            )
        )
    mid_blank = np.flatnonzero(blank[: last + 1])
    for index in mid_blank:
        reasons[int(index)] = "blank_row"
    if len(mid_blank):
        blank_rows = [int(rows[i]) for i in mid_blank]
        notes.append(
            ReadNote(
                "blank_rows",
                blank_rows[0],
                f"removed {_count(len(blank_rows), 'blank row')}: {_list_rows(blank_rows)}",
            )
        )
    return last


def _totals_by_label(
    frame: pd.DataFrame,
    data: Sequence[str],
    rows: np.ndarray,
    reasons: dict[int, str],
    notes: list[ReadNote],
) -> None:
    """Totals rows by label: the first non-empty cell says "Tổng cộng", "Cộng", "Total"..."""
    first_cell = frame[data[0]].copy()
    for column in data[1:]:
        if not first_cell.isna().any():
            break
        first_cell = first_cell.fillna(frame[column])
    lowered = first_cell.str.strip().str.lower()
    candidates = lowered[lowered.str.startswith(("tổng", "cộng", "total", "tong", "grand"))]
    for index, text in candidates.items():
        label = unicodedata.normalize("NFC", text)
        id_like = re.fullmatch(r"\S*\d\S*", label.strip()) is not None  # "total-2025-07"
        if _TOTALS_LABEL.match(label) and not (
            id_like and _holds_answers(frame.loc[index, list(data)], first_cell[index])
        ):
            reasons[int(index)] = "totals_row"
            notes.append(
                ReadNote(
                    "totals_row",
                    int(rows[index]),
                    f"totals row removed (first cell {first_cell[index]!r})",
                )
            )


def _holds_answers(row: pd.Series, label: object) -> bool:
    """A row whose id-like label ("Total-2025-07") comes with text answers ("Hà Nội",
    "Đất đai") is a respondent, not a totals row (which holds numbers)."""
    for value in row.dropna():
        if value == label or not isinstance(value, str) or not value.strip():
            continue
        try:
            float(value.strip().replace(",", "."))
        except ValueError:
            return True
    return False


def _totals_by_value(
    frame: pd.DataFrame,
    data: Sequence[str],
    rows: np.ndarray,
    last: int,
    reasons: dict[int, str],
    notes: list[ReadNote],
) -> None:
    """Totals rows by value: at the bottom, an empty id and numbers that are column sums."""
    position = last
    checked = 0
    while position >= 0 and checked < 3:
        index = int(frame.index[position])
        position -= 1
        if index in reasons:
            continue
        checked += 1
        if not _is_sum_row(frame, data, index, reasons):
            break
        reasons[index] = "totals_row"
        notes.append(
            ReadNote(
                "totals_row",
                int(rows[index]),
                "totals row removed (empty first column; its numbers are the column sums)",
            )
        )


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_sum_row(
    frame: pd.DataFrame, data: Sequence[str], index: int, reasons: dict[int, str]
) -> bool:
    row = frame.loc[index, list(data)]
    if pd.notna(row.iloc[0]):
        return False
    filled = row.dropna()
    numbers = {col: _as_number(str(v)) for col, v in filled.items()}
    numbers = {col: v for col, v in numbers.items() if v is not None}
    if len(numbers) < 2 or len(numbers) < 0.6 * len(filled):
        return False
    above = frame.loc[: index - 1]
    above = above.drop(index=[i for i in reasons if i < index], errors="ignore")
    if above.empty:
        return False
    matches = 0
    for col, value in numbers.items():
        total = pd.to_numeric(above[col], errors="coerce").sum()
        if math.isclose(value, total, rel_tol=1e-9, abs_tol=1e-6):
            matches += 1
    return matches >= max(2, math.ceil(len(numbers) / 2))
