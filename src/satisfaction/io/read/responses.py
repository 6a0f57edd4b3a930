"""What a read returns: the frame with its provenance (`RawResponses`) and notes (`ReadNote`).

`_row` and `_reason` are the reader's own columns: every frame carries the source row number
of each response, and the rows removed at read time carry why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["REASON_COLUMN", "ROW_COLUMN", "RawResponses", "ReadNote"]

ROW_COLUMN = "_row"
REASON_COLUMN = "_reason"


@dataclass(frozen=True)
class ReadNote:
    """Something the reader did or noticed, located by source row (and column) if it can be.

    Kinds: ``encoding``, ``delimiter``, ``header_row_detected``, ``two_row_header``,
    ``blank_rows``, ``trailing_blank_rows``, ``totals_row``, ``code_as_date``,
    ``empty_columns``, ``not_nfc``, ``missing_expected_columns``, ``row_numbers_kept``,
    ``csv_fallback_parser``, ``merged_cells_filled``, ``legacy_font``.
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
        filled: cells the reader filled from a merged block above them (Excel shows the
            block's value on every row it covers): ``_row``, ``column``, ``value``.
        legacy_fonts: .xlsx columns whose text is in an 8-bit Vietnamese font, with the
            encoding that font implies (``tcvn3`` for .VnTime, ``vni`` for VNI-Times).
        value_labels: SPSS value labels, column -> {code: label}.
        missing_values: SPSS user-missing codes, column -> codes.
        column_labels: SPSS variable labels, column -> label.
        format: ``csv``, ``xlsx``, ``xlsm``, ``xls``, ``ods``, ``sav`` or ``parquet``.
    """

    frame: pd.DataFrame
    source: Path
    sheet: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    notes: list[ReadNote] = field(default_factory=list)
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    filled: pd.DataFrame = field(default_factory=pd.DataFrame)
    legacy_fonts: dict[str, str] = field(default_factory=dict)
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
