"""Cells as text, and the small wording helpers every reader's notes and errors share.

Excel numbers become the text Excel shows ("4", "12.5"), Excel dates ISO text; header cells
become column names (NFC, stripped, inner whitespace as one space). Columns are named to a
user by their Excel letters (or their number in a CSV).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["excel_column_letter"]

_NUMBER_LIKE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|\d*[.,]\d+)(?:[eE][+-]?\d+)?%?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def excel_column_letter(position: int) -> str:
    """Excel letters of a 1-based column position: 1 -> A, 28 -> AB."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _number_text(value: float) -> str:
    """The text Excel shows for a number: 15 significant digits, no float noise."""
    if not math.isfinite(value):
        return str(value)
    rounded = float(f"{value:.15g}")
    if rounded.is_integer() and abs(rounded) < 1e16:
        return str(int(rounded))
    return np.format_float_positional(rounded, trim="-")


def _cell_text(value: Any) -> str | None:
    """A cell value as canonical text; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _clean_name(value: Any) -> str:
    """A header cell as a column name: text, NFC, stripped, inner whitespace as one space."""
    text = _cell_text(value)
    if text is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _is_header_text(value: Any) -> bool:
    """A non-empty text cell that does not look like a number or a date."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and not _NUMBER_LIKE.match(text) and not _DATE_LIKE.match(text)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _position_name(position: int, excel: bool) -> str:
    """How a user finds a column: Excel letters, or its number in a CSV."""
    return excel_column_letter(position) if excel else str(position)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _list_rows(rows: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f", ... ({len(rows)} in all)" if len(rows) > limit else "")
