"""`read_responses`: the options checked, the file sent to the reader of its type.

Expected columns (from the instrument) that the file lacks are noted here, whatever the
format; their absence is reported by cleaning, not raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.read.cells import _clean_name, _count
from satisfaction.io.read.csv_files import _read_csv
from satisfaction.io.read.excel import _read_excel
from satisfaction.io.read.responses import RawResponses, ReadNote
from satisfaction.io.read.spss_parquet import _read_parquet, _read_sav

__all__ = [
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SPSS_SUFFIXES",
    "TEXT_SUFFIXES",
    "read_responses",
]

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SPSS_SUFFIXES = (".sav", ".zsav")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_responses(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    expected_columns: Iterable[str] | None = None,
) -> RawResponses:
    """Read raw responses from .csv/.txt/.tsv, .xlsx/.xlsm/.xls/.ods, .sav/.zsav or .parquet.

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
    if suffix == ".xlsb":
        raise InputError(
            ".xlsb (binary) workbooks are not supported; open the file in Excel and save it "
            "as .xlsx",
            file=source,
        )
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES + SPSS_SUFFIXES + PARQUET_SUFFIXES:
        raise InputError(
            f"unsupported file type {suffix or '(no extension)'!r}; use .csv, .txt, .xlsx, "
            ".xlsm, .xls, .ods, .sav or .parquet",
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
