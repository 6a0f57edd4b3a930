"""Opening a workbook (.xlsx, .xlsm, .xls, .ods) with python-calamine, after `guard` checks it.

calamine (Rust) reads the cell values of every format; `guard` has already refused what it
must not be given (a file that is not the workbook its name says, an encrypted workbook, a
zip bomb, a reference far beyond the data) and found what calamine would read as empty
(formulas without a cached value: refused; error cells such as #N/A: their text is put
back). The first rows keep their types for header detection; the rest are turned into text
columns chunk by chunk, so the Python objects of a million-row sheet never all exist at
once.

This is the only module that calls calamine; `excel` works on the `_Sheet` it returns.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _cell_text
from satisfaction.io.read.guard import _check_workbook

__all__: list[str] = []

_CHUNK_ROWS = 50_000


@dataclass
class _Sheet:
    """The cells of one worksheet, as `_excel_sheet` returns them.

    `head` holds the first rows with their types (index 0 = row 1, empty cells None); `tail`
    the text columns of every later row (one large-string array per column position, or
    None when the sheet ends within `head`).
    """

    name: str
    head: list[list[Any]]
    tail: list[pa.ChunkedArray] | None
    width: int
    merges: list[tuple[int, int, int, int]]  # (min_col, min_row, max_col, max_row), 1-based
    dates: dict[int, list[int]] = field(default_factory=dict)  # column -> rows holding dates
    legacy_fonts: dict[int, str] = field(default_factory=dict)  # column -> tcvn3 | vni


def _excel_sheet(source: Path, sheet: str | int | None, typed: int) -> _Sheet:
    """Read one sheet: its first `typed` rows typed, the rest as text columns."""
    import python_calamine

    checked = _check_workbook(source)
    workbook = None
    try:
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        except python_calamine.PasswordError:
            raise InputError(
                "the workbook is password-protected (encrypted); remove the password in Excel "
                "(File > Info > Protect Workbook) and save it again",
                file=source,
            ) from None
        names = list(workbook.sheet_names)
        sheet_name = _sheet_name(names, sheet, source)
        kind = str(workbook.sheets_metadata[names.index(sheet_name)].typ)
        if "Chart" in kind:
            raise InputError("is a chart sheet, not a worksheet", file=source, sheet=sheet_name)
        guarded = checked.sheet(names.index(sheet_name), sheet_name)
        calamine_sheet = workbook.get_sheet_by_name(sheet_name)
        left = (calamine_sheet.start or (0, 0))[1]
        merges = [
            (first[1] + 1, first[0] + 1, last[1] + 1, last[0] + 1)
            for first, last in (calamine_sheet.merged_cell_ranges or [])
        ]
        if not merges and source.suffix.lower() == ".ods":  # calamine gives none for .ods
            merges = _ods_merges(source, names.index(sheet_name))
        width = left + (calamine_sheet.width or 0)
        rows = _rows_from_a1(calamine_sheet.iter_rows(), left, guarded.errors)
        head, tail, dates = _split_typed(rows, typed, width)
    finally:
        checked.close()
        if workbook is not None:
            workbook.close()
    return _Sheet(sheet_name, head, tail, width, merges, dates, guarded.legacy_fonts)


def _ods_merges(source: Path, index: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges of the index-th table of an .ods: cells spanning rows or columns
    (``table:number-rows-spanned``), located through the row and column repeats."""
    import zipfile

    from lxml import etree

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    repeated_rows = f"{{{table_ns}}}number-rows-repeated"
    repeated_columns = f"{{{table_ns}}}number-columns-repeated"
    rows_spanned = f"{{{table_ns}}}number-rows-spanned"
    columns_spanned = f"{{{table_ns}}}number-columns-spanned"
    merges: list[tuple[int, int, int, int]] = []
    table = -1
    row = 0
    column = 0
    with zipfile.ZipFile(source) as archive, archive.open("content.xml") as stream:
        for event, element in etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True
        ):
            name = etree.QName(element).localname
            if event == "start":
                if name == "table":
                    table, row = table + 1, 0
                elif name == "table-row":
                    column = 0
                elif name in ("table-cell", "covered-table-cell") and table == index:
                    down = int(element.get(rows_spanned, "1"))
                    across = int(element.get(columns_spanned, "1"))
                    if down > 1 or across > 1:
                        merges.append((column + 1, row + 1, column + across, row + down))
                continue
            if name in ("table-cell", "covered-table-cell"):
                column += int(element.get(repeated_columns, "1"))
                element.clear(keep_tail=True)
            elif name == "table-row":
                row += int(element.get(repeated_rows, "1"))
                element.clear(keep_tail=True)
            elif name == "table" and table == index:
                break
    return merges


def _sheet_name(names: Sequence[str], sheet: str | int | None, source: Path) -> str:
    """The sheet asked for: the first, a 0-based number, or a name (compared in NFC)."""
    if not names:
        raise InputError("the workbook has no sheets", file=source)
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


def _rows_from_a1(
    rows: Iterator[list[Any]], left: int, errors: dict[int, list[tuple[int, str]]]
) -> Iterator[list[Any]]:
    """calamine's rows as lists from column A (it starts at the first used column), with
    error cells (which calamine reads as empty) given back their text, e.g. "#N/A".

    Rows are counted from row 1 already: calamine yields the empty rows above the data.
    """
    padding = [""] * left
    for index, row in enumerate(rows):
        if left:
            row = padding + row
        for column, text in errors.get(index + 1, ()):
            if column <= len(row):
                row[column - 1] = text
        yield row


class _TextMemo(dict):
    """Cell value -> its text, computed once per distinct value: `map(memo.__getitem__, ...)`
    stays in C for every repeated code or label, which is most cells of a survey sheet.

    Booleans are not memoised here (True == 1.0 as a key); columns holding them take the
    slow path in `_column_texts`.
    """

    def __missing__(self, value: Any) -> str | None:
        text = (value or None) if type(value) is str else _cell_text(value)
        self[value] = text
        return text


def _column_texts(column: Sequence[Any], kinds: set[type]) -> pa.Array:
    """One column of cells as a large-string array (empty cells null)."""
    if bool in kinds:
        texts = [(v or None) if type(v) is str else _cell_text(v) for v in column]
    else:
        texts = list(map(_TextMemo().__getitem__, column))
    return pa.array(texts, type=pa.large_string())


def _split_typed(
    rows: Iterator[list[Any]], typed: int, width: int
) -> tuple[list[list[Any]], list[pa.ChunkedArray] | None, dict[int, list[int]]]:
    """The first `typed` rows as values (None for empty), the rest as text columns."""
    head: list[list[Any]] = []
    dates: dict[int, list[int]] = {}
    for row in rows:
        values = [None if v == "" else v for v in row]
        _note_dates(values, len(head) + 1, dates)
        head.append(values)
        if len(head) >= typed:
            break
    if len(head) < typed:
        return head, None, dates
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    row_number = typed
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK_ROWS:
            _append_text_chunk(batch, row_number, width, chunks, dates)
            row_number += len(batch)
            batch = []
    if batch:
        _append_text_chunk(batch, row_number, width, chunks, dates)
    if not chunks or not chunks[0]:
        return head, None, dates
    return head, [pa.chunked_array(parts, type=pa.large_string()) for parts in chunks], dates


def _note_dates(values: Sequence[Any], row_number: int, dates: dict[int, list[int]]) -> None:
    for column, value in enumerate(values, start=1):
        if isinstance(value, dt.date):
            dates.setdefault(column, []).append(row_number)


def _append_text_chunk(
    batch: list[list[Any]],
    rows_before: int,
    width: int,
    chunks: list[list[pa.Array]],
    dates: dict[int, list[int]],
) -> None:
    """Turn a batch of rows into one text array per column; note the rows holding dates."""
    for position, column in enumerate(zip(*batch, strict=False)):
        if position >= width:
            break
        kinds = set(map(type, column))
        chunks[position].append(_column_texts(column, kinds))
        if any(issubclass(kind, dt.date) for kind in kinds):
            for offset, value in enumerate(column):
                if isinstance(value, dt.date):
                    dates.setdefault(position + 1, []).append(rows_before + offset + 1)
    for position in range(len(batch[0]) if batch else 0, width):
        chunks[position].append(pa.nulls(len(batch), type=pa.large_string()))
