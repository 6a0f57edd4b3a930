"""Raw survey responses from CSV, Excel, SPSS or Parquet: nothing changed but types.

`read_responses` turns a file as delivered by a field team into a `RawResponses`: a frame
plus everything a user needs to trust it -- which encoding, sheet and header row were used,
which rows were removed at read time (blank rows, totals rows) and why, and notes about
anything odd (a two-row header, codes Excel turned into dates, expected columns not found).

Why text: CSV and Excel cells are read AS TEXT so identifier codes keep their leading zeros
("00123") and the instrument-driven cleaning step decides how each column is parsed. Excel
numbers become the text Excel shows ("4", "12.5"), Excel dates ISO text ("2025-03-14").
SPSS and Parquet keep their stored types (SPSS codes stay numeric; value labels and
user-missing codes are kept beside the frame). Every row carries its row number in the
source file in the column `_row`, so the cleaning log can send a user to the exact row.
Header names are normalised to Unicode NFC; text cells are NOT (cleaning normalises and logs
every changed cell), but cells not in NFC are counted in a note. Cells holding only spaces
count as blank.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from satisfaction.errors import InputError, ParameterError, SatisfactionError

__all__ = [
    "REASON_COLUMN",
    "ROW_COLUMN",
    "RawResponses",
    "ReadNote",
    "excel_column_letter",
    "read_responses",
]

ROW_COLUMN = "_row"
REASON_COLUMN = "_reason"

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SPSS_SUFFIXES = (".sav", ".zsav")
PARQUET_SUFFIXES = (".parquet", ".pq")

HEADER_SEARCH_ROWS = 20
# The first cell of a totals row as field teams type it (compared in NFC lower case).
_TOTALS_LABEL = re.compile(
    r"^(?:tổng cộng|tổng số|tổng|cộng|grand total|total|tong cong|tong so)"
    r"(?:\s*[:.\-–(]|\s+\d|\s*$)"
)
_NUMBER_LIKE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|\d*[.,]\d+)(?:[eE][+-]?\d+)?%?$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_SMALL_CODE = re.compile(r"^\d{1,3}$")
_MERGE_REF = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")


@dataclass(frozen=True)
class ReadNote:
    """Something the reader did or noticed, located by source row (and column) if it can be.

    Kinds: ``encoding``, ``delimiter``, ``header_row_detected``, ``two_row_header``,
    ``blank_rows``, ``trailing_blank_rows``, ``totals_row``, ``code_as_date``,
    ``empty_columns``, ``not_nfc``, ``missing_expected_columns``, ``row_numbers_kept``,
    ``csv_fallback_parser``.
    """

    kind: str
    row: int | None
    detail: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass(frozen=True)
class RawResponses:
    """Responses as read from one file, with the provenance the cleaning log needs.

    Attributes:
        frame: one row per response; CSV/Excel columns as text (pandas ``str`` dtype, blank
            cells missing), SPSS/Parquet columns in their stored types; plus ``_row``, the
            row number in the source: the Excel row; the CSV line, counting the file's first
            line as 1 (a quoted value spanning lines counts once); the SPSS case number; the
            Parquet row from 1 (or the ``_row`` already stored by an earlier read).
        source: the file read.
        sheet: the Excel sheet name used (None for other formats).
        encoding: the text encoding used for CSV/TXT (``utf-8``, ``utf-8-sig``, ``cp1258``..).
        header_row: the row number of the header in the source (None for SPSS/Parquet).
        notes: what was detected or done, in order.
        removed: rows removed at read time, with ``_row`` and ``_reason``
            (``blank_row`` or ``totals_row``).
        value_labels: SPSS value labels, column -> {code: label}.
        missing_values: SPSS user-missing codes, column -> codes.
        column_labels: SPSS variable labels, column -> label.
        format: ``csv``, ``xlsx``, ``sav`` or ``parquet``.
    """

    frame: pd.DataFrame
    source: Path
    sheet: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    notes: list[ReadNote] = field(default_factory=list)
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing_values: dict[str, list[Any]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    format: str = ""

    def notes_of(self, kind: str) -> list[ReadNote]:
        """The notes of one kind, in order."""
        return [note for note in self.notes if note.kind == kind]

    @property
    def columns(self) -> list[str]:
        """The data columns (without ``_row``)."""
        return [c for c in self.frame.columns if c != ROW_COLUMN]


# ---------------------------------------------------------------------------- entry point
def read_responses(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    expected_columns: Iterable[str] | None = None,
) -> RawResponses:
    """Read raw responses from .csv/.txt/.tsv, .xlsx/.xlsm, .sav/.zsav or .parquet.

    Args:
        path: the file as delivered.
        sheet: Excel sheet name or 0-based index (default: the first sheet).
        header_row: row number (from 1) of the header in CSV/Excel; None detects it among
            the first 20 rows (best match with `expected_columns`, else the first row whose
            non-empty cells are all distinct text and span most of the table).
        encoding: CSV/TXT encoding; None tries strict UTF-8 (with or without BOM), then
            cp1258 (Windows Vietnamese); a UTF-16 BOM is honoured.
        expected_columns: columns the instrument names; used to find the header and to note
            those absent (absence is reported by cleaning, not raised here).

    Raises:
        InputError: unreadable, truncated, empty or unsupported file, duplicate or empty
            header names -- naming the file (and sheet, row, column where known).
        ParameterError: an option that does not apply to the file type.
    """
    source = Path(path)
    expected = [_clean_name(c) for c in expected_columns] if expected_columns else []
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        raise ParameterError(f"header_row must be a row number from 1, got {header_row!r}")
    if not source.exists():
        raise InputError("file not found", file=source)
    if source.is_dir():
        raise InputError("is a folder, not a file", file=source)
    suffix = source.suffix.lower()
    if suffix in (".xls", ".xlsb", ".ods"):
        raise InputError(
            f"{suffix} workbooks are not supported; open the file in Excel and save it as .xlsx",
            file=source,
        )
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES + SPSS_SUFFIXES + PARQUET_SUFFIXES:
        raise InputError(
            f"unsupported file type {suffix or '(no extension)'!r}; use .csv, .txt, .xlsx, "
            ".xlsm, .sav or .parquet",
            file=source,
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise ParameterError(f"sheet={sheet!r} applies to Excel files only, not {source.name}")
    if encoding is not None and suffix not in TEXT_SUFFIXES:
        raise ParameterError(f"encoding applies to CSV/TXT files only, not {source.name}")
    if header_row is not None and suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        raise ParameterError(f"header_row applies to CSV and Excel only, not {source.name}")
    if source.stat().st_size == 0:
        raise InputError("file is empty (0 bytes)", file=source)

    if suffix in TEXT_SUFFIXES:
        raw = _read_csv(source, header_row, encoding, expected)
    elif suffix in EXCEL_SUFFIXES:
        raw = _read_excel(source, sheet, header_row, expected)
    elif suffix in SPSS_SUFFIXES:
        raw = _read_sav(source)
    else:
        raw = _read_parquet(source)
    if expected:
        _note_missing_expected(raw, expected)
    return raw


# ---------------------------------------------------------------------------- text helpers
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


# ---------------------------------------------------------------------------- header
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


# ---------------------------------------------------------------------------- text frames
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
    placeholders = [f"\x00{i}" for i in range(len(columns))]
    frame = pa.table(columns, names=placeholders).to_pandas()
    frame.insert(0, ROW_COLUMN, np.arange(first_row, first_row + len(frame), dtype="int64"))
    if changed:
        total = sum(changed.values())
        action = (
            "composed to NFC as part of cp1258 decoding"
            if compose
            else "left for cleaning to normalise"
        )
        notes.append(
            ReadNote(
                "not_nfc",
                None,
                f"{_count(total, 'cell')} not in Unicode NFC, {action} ("
                + ", ".join(f"{k}: {v}" for k, v in changed.items())
                + ")",
            )
        )

    reasons, trailing = _removable_rows(frame, placeholders, notes)
    removed = frame.loc[sorted(reasons)].copy()
    removed[REASON_COLUMN] = pd.array([reasons[i] for i in removed.index], dtype="str")
    if reasons or trailing:
        frame = frame.drop(index=[*reasons, *trailing]).reset_index(drop=True)

    # Empty header names: a column with no data at all is an Excel ghost column and is
    # dropped with a note; one with data cannot be named, so the user must fix the header.
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
    if frame.empty:
        raise InputError(
            f"no data rows below the header (row {header_row})", file=source, sheet=sheet
        )
    return frame, removed


def _removable_rows(
    frame: pd.DataFrame, data: Sequence[str], notes: list[ReadNote]
) -> tuple[dict[int, str], list[int]]:
    """Blank rows and totals rows to remove: (reason by frame index, trailing blank rows).

    Blank rows after the last row with data are not data rows at all (Excel keeps
    formatted empty rows); they are counted in a note, not listed in `removed`.
    """
    reasons: dict[int, str] = {}
    present = np.zeros(len(frame), dtype=bool)
    for column in data:
        present |= frame[column].notna().to_numpy()
    blank = ~present
    nonblank_index = np.flatnonzero(present)
    last = int(nonblank_index[-1]) if len(nonblank_index) else -1
    trailing = len(frame) - 1 - last
    rows = frame[ROW_COLUMN].to_numpy()
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

    # Totals rows by label: the first non-empty cell says "Tổng cộng", "Cộng", "Total"...
    first_cell = frame[data[0]].copy()
    for column in data[1:]:
        if not first_cell.isna().any():
            break
        first_cell = first_cell.fillna(frame[column])
    lowered = first_cell.str.strip().str.lower()
    candidates = lowered[lowered.str.startswith(("tổng", "cộng", "total", "tong", "grand"))]
    for index, text in candidates.items():
        if _TOTALS_LABEL.match(unicodedata.normalize("NFC", text)):
            reasons[int(index)] = "totals_row"
            notes.append(
                ReadNote(
                    "totals_row",
                    int(rows[index]),
                    f"totals row removed (first cell {first_cell[index]!r})",
                )
            )

    # Totals rows by value: at the bottom, an empty id and numbers that are column sums.
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
    return reasons, list(frame.index[last + 1 :])


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


# ---------------------------------------------------------------------------- CSV
def _read_csv(
    source: Path, header_row: int | None, encoding: str | None, expected: Sequence[str]
) -> RawResponses:
    notes: list[ReadNote] = []
    encoding = _choose_encoding(source, encoding, notes)
    try:
        with open(source, encoding=encoding, newline="") as handle:
            sample = handle.read(65536)
    except (UnicodeError, LookupError) as err:
        raise InputError(f"cannot decode as {encoding}: {err}", file=source) from None
    if not sample.strip():
        raise InputError("file holds no data (only blank lines)", file=source)
    delimiter = _sniff_delimiter(sample, source.suffix.lower())
    notes.append(ReadNote("delimiter", None, f"fields separated by {delimiter!r}"))

    wanted = max(HEADER_SEARCH_ROWS, header_row or 0)
    head: list[list[str]] = []
    try:
        with open(source, encoding=encoding, newline="") as handle:
            for record in csv.reader(handle, delimiter=delimiter):
                head.append(record)
                if len(head) >= wanted:
                    break
    except csv.Error as err:
        raise InputError(f"not a readable CSV file: {err}", file=source) from None
    header = _locate_header(head, header_row, expected, (), source, None, excel=False)
    notes.extend(header.notes)
    _validate_names(header.names, source, None, header.row, excel=False)
    width = len(head[header.row - 1])
    table = _csv_table(source, encoding, delimiter, header.row, width, notes)
    frame, removed = _finish_text_table(
        table,
        header.names,
        header.row + 1,
        source,
        None,
        header.row,
        False,
        notes,
        compose=encoding == "cp1258",
    )
    return RawResponses(
        frame=frame,
        source=source,
        encoding=encoding,
        header_row=header.row,
        notes=notes,
        removed=removed,
        format="csv",
    )


def _choose_encoding(source: Path, declared: str | None, notes: list[ReadNote]) -> str:
    """Strict UTF-8 (BOM or not), else cp1258; a declared encoding is checked, not trusted."""
    with open(source, "rb") as handle:
        start = handle.read(4)
    if declared is not None:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            raise ParameterError(f"unknown encoding {declared!r}") from None
        if name == "utf-8" and start.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        problem = _decode_problem(source, name)
        if problem:
            raise InputError(f"not valid {declared}: {problem}", file=source)
        notes.append(ReadNote("encoding", None, f"read as {name} (declared)"))
        return name
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _decode_problem(source, "utf-16"):
            raise InputError("has a UTF-16 byte-order mark but is not valid UTF-16", file=source)
        notes.append(ReadNote("encoding", None, "read as UTF-16 (byte-order mark)"))
        return "utf-16"
    has_bom = start.startswith(codecs.BOM_UTF8)
    utf8_problem = _decode_problem(source, "utf-8-sig")
    if utf8_problem is None:
        name = "utf-8-sig" if has_bom else "utf-8"
        detail = "UTF-8 with byte-order mark" if has_bom else "UTF-8"
        notes.append(ReadNote("encoding", None, f"read as {detail}"))
        return name
    if not has_bom and _decode_problem(source, "cp1258") is None:
        notes.append(
            ReadNote(
                "encoding",
                None,
                f"not valid UTF-8 ({utf8_problem}); read as cp1258 (Windows Vietnamese)",
            )
        )
        return "cp1258"
    raise InputError(
        f"not valid UTF-8 ({utf8_problem}) nor cp1258; save it as UTF-8 or pass encoding=",
        file=source,
    )


def _decode_problem(source: Path, encoding: str) -> str | None:
    """None if the whole file decodes strictly; else where it fails (byte and line)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    lines = 1
    with open(source, "rb") as handle:
        while True:
            chunk = handle.read(1 << 22)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                position = max(err.start, 0)
                line = lines + chunk[:position].count(b"\n")
                return f"byte {offset + position} on line {line}"
            if not chunk:
                return None
            offset += len(chunk)
            lines += chunk.count(b"\n")


def _has_quote(source: Path) -> bool:
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 22):
            if b'"' in chunk:
                return True
    return False


def _sniff_delimiter(sample: str, suffix: str) -> str:
    lines = [line for line in sample.splitlines()[: HEADER_SEARCH_ROWS + 5] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", ";", "\t", "|")}
    if suffix in (".tsv", ".txt") and counts["\t"]:
        return "\t"
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_table(
    source: Path,
    encoding: str,
    delimiter: str,
    header_row: int,
    width: int,
    notes: list[ReadNote],
) -> pa.Table:
    """All records below the header as string columns (pyarrow; pandas' parser if ragged)."""
    import pyarrow.csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    try:
        return pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(
                skip_rows=header_row,
                column_names=names,
                encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
                block_size=1 << 24,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                # allowing line breaks inside quoted values costs a quarter of the parse
                # time; without any quote in the file there can be none
                newlines_in_values=_has_quote(source),
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        first_error = str(err).splitlines()[0]
    try:
        frame = pd.read_csv(
            source,
            sep=delimiter,
            header=None,
            names=names,
            skiprows=header_row,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            encoding=encoding,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, UnicodeError) as err:
        raise InputError(
            f"not a regular CSV table: {str(err).strip().splitlines()[-1]}", file=source
        ) from None
    notes.append(
        ReadNote(
            "csv_fallback_parser",
            None,
            f"rows of uneven length ({first_error}); short rows were padded with blanks",
        )
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


# ---------------------------------------------------------------------------- Excel
@dataclass
class _Sheet:
    """The cells of one worksheet, as `_excel_sheet` returns them."""

    name: str
    rows: list[list[Any]]  # index 0 = row 1; typed values up to row `typed`, text below
    typed: int
    merges: list[tuple[int, int, int, int]]  # (min_col, min_row, max_col, max_row)
    dates: dict[int, list[int]]  # column position -> row numbers of cells holding a date


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
        names = workbook.sheetnames
        if sheet is None:
            sheet_name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise InputError(
                    f"no sheet number {sheet} (counting from 0); the workbook has "
                    f"{len(names)}: " + ", ".join(repr(n) for n in names),
                    file=source,
                )
            sheet_name = names[sheet]
        else:
            wanted = unicodedata.normalize("NFC", str(sheet)).strip()
            matches = [n for n in names if unicodedata.normalize("NFC", n).strip() == wanted]
            if not matches:
                raise InputError(
                    f"no sheet named {sheet!r}; sheets: " + ", ".join(repr(n) for n in names),
                    file=source,
                )
            sheet_name = matches[0]
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
        if not tags:  # exact tags are much faster than "{*}" look-ups in the loop below
            namespace = tag[: -len("row")]
            tags = {name: namespace + name for name in ("c", "v", "is", "t")}
            cell_tag, value_tag, inline_tag = tags["c"], tags["v"], tags["is"]
        stated = element.get("r")
        row_number = int(stated) if stated else row_number + 1
        while len(rows) < row_number - 1:
            rows.append([])
        is_typed = row_number <= typed
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
                    raw = "".join(t.text or "" for t in child.iter(tags["t"]))
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
        rows.append(values)
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return rows, merges, dates


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


# ---------------------------------------------------------------------------- SPSS
def _read_sav(source: Path) -> RawResponses:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(
            str(source), user_missing=True, apply_value_formats=False
        )
    except Exception as err:  # pyreadstat raises its own error types on broken files
        raise InputError(
            f"cannot read as an SPSS .sav file ({type(err).__name__}: {err})", file=source
        ) from None
    frame.columns = [_clean_name(c) for c in frame.columns]
    renamed = dict(zip(meta.column_names, frame.columns, strict=True))
    value_labels = {
        renamed[column]: {
            _plain_code(code): unicodedata.normalize("NFC", str(label)).strip()
            for code, label in labels.items()
        }
        for column, labels in meta.variable_value_labels.items()
        if column in renamed
    }
    column_labels = {
        renamed[column]: unicodedata.normalize("NFC", label).strip()
        for column, label in meta.column_names_to_labels.items()
        if label and column in renamed
    }
    missing: dict[str, list[Any]] = {}
    for column, ranges in (meta.missing_ranges or {}).items():
        name = renamed.get(column, column)
        codes = _user_missing_codes(ranges, value_labels.get(name, {}), frame.get(name))
        if codes:
            missing[name] = codes
    for column, values in (getattr(meta, "missing_user_values", None) or {}).items():
        name = renamed.get(column, column)
        codes = missing.setdefault(name, [])
        for value in values:
            if _plain_code(value) not in codes:
                codes.append(_plain_code(value))
    frame.insert(0, ROW_COLUMN, np.arange(1, len(frame) + 1, dtype="int64"))
    return RawResponses(
        frame=frame,
        source=source,
        value_labels=value_labels,
        missing_values=missing,
        column_labels=column_labels,
        format="sav",
    )


def _plain_code(code: Any) -> Any:
    """1.0 -> 1 so SPSS codes print and compare as the integers users typed."""
    if isinstance(code, float) and code.is_integer():
        return int(code)
    if isinstance(code, str):
        return unicodedata.normalize("NFC", code)
    return code


def _user_missing_codes(
    ranges: Sequence[dict[str, Any]], labels: dict[Any, str], values: pd.Series | None
) -> list[Any]:
    """User-missing codes from SPSS missing ranges.

    A discrete code is itself; a range lists its labelled codes, its observed values and,
    when it spans at most 100 whole numbers, every whole number in it.
    """
    codes: list[Any] = []

    def add(code: Any) -> None:
        code = _plain_code(code)
        if code not in codes:
            codes.append(code)

    for bounds in ranges:
        low, high = bounds.get("lo"), bounds.get("hi")
        if low == high:
            add(low)
            continue
        try:
            low_f, high_f = float(low), float(high)
        except (TypeError, ValueError):
            continue
        inside = {code for code in labels if isinstance(code, (int, float))}
        if values is not None and pd.api.types.is_numeric_dtype(values):
            observed = values[(values >= low_f) & (values <= high_f)].dropna().unique()
            inside |= {float(v) for v in observed}
        if low_f.is_integer() and high_f.is_integer() and high_f - low_f <= 100:
            inside |= set(range(int(low_f), int(high_f) + 1))
        for code in sorted(c for c in inside if low_f <= c <= high_f):
            add(code)
    return codes


# ---------------------------------------------------------------------------- Parquet
def _read_parquet(source: Path) -> RawResponses:
    notes: list[ReadNote] = []
    try:
        frame = pd.read_parquet(source, engine="pyarrow")
    except Exception as err:  # pyarrow raises several error types on broken files
        raise InputError(
            f"cannot read as a Parquet file ({type(err).__name__}: {err})", file=source
        ) from None
    frame = frame.reset_index(drop=True)
    names = [_clean_name(c) for c in frame.columns]
    _validate_names([n for n in names if n != ROW_COLUMN], source, None, 1, excel=False)
    frame.columns = names
    if ROW_COLUMN in frame.columns and pd.api.types.is_integer_dtype(frame[ROW_COLUMN]):
        notes.append(
            ReadNote(
                "row_numbers_kept",
                None,
                "the file already has a _row column (from an earlier read); it is kept",
            )
        )
        frame = frame[[ROW_COLUMN, *[c for c in frame.columns if c != ROW_COLUMN]]]
    elif ROW_COLUMN in frame.columns:
        raise InputError(f"column name {ROW_COLUMN!r} is reserved for the reader", file=source)
    else:
        frame.insert(0, ROW_COLUMN, np.arange(1, len(frame) + 1, dtype="int64"))
    return RawResponses(frame=frame, source=source, notes=notes, format="parquet")


# ---------------------------------------------------------------------------- expected
def _note_missing_expected(raw: RawResponses, expected: Sequence[str]) -> None:
    present = set(raw.columns)
    folded = {c.casefold(): c for c in raw.columns}
    missing = [c for c in dict.fromkeys(expected) if c and c not in present]
    if not missing:
        return
    described = []
    for name in missing:
        near = folded.get(name.casefold())
        described.append(f"{name!r} (found as {near!r})" if near else repr(name))
    raw.notes.append(
        ReadNote(
            "missing_expected_columns",
            raw.header_row,
            f"{_count(len(missing), 'expected column')} not in the file: " + ", ".join(described),
        )
    )
