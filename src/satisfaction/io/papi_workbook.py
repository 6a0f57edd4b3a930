"""Published PAPI-style index workbooks -> one tidy frame of scores (nothing recomputed).

The shape read is the one PAPI tables are published in (the real ``PAPI_2011-2016.xlsx``):
one sheet per year (the year is taken from the sheet name: "2016_PAPI"), one or two header
rows (English and Vietnamese, told apart by their diacritics), a province-code column
(``tinhid``: the official code as a number, 1 = Hà Nội), province names, then each dimension
followed by its sub-dimensions and the unweighted total (a header holding "PAPI"). Rows that
are not provinces ("999 / Highest / Điểm cao nhất", the column maxima) are excluded and
listed; blank rows are skipped; a province whose scores are all empty was not published that
year and keeps missing scores (a formula total of 0 over those empty cells is not a score).

Dimensions are recognised by name from a declared table (``data/papi_dimensions.csv``: the
eight PAPI dimensions with English and Vietnamese names and aliases); every other score
column is a sub-dimension of the dimension before it. Anything that does not fit (text in a
score cell, a code that is not one of the 63 provinces, a code whose name is another
province's, a sub-dimension before any dimension) raises one ``InputError`` naming the
file, sheet, row and column. Cells are read with pandas' calamine engine, which gives the
values Excel cached for formula cells.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from satisfaction.errors import InputError
from satisfaction.io.geography import province_table, standardise_province
from satisfaction.io.read import excel_column_letter
from satisfaction.io.text import ascii_key, clean_text

__all__ = [
    "TIDY_COLUMNS",
    "ExcludedRow",
    "PapiSheet",
    "PapiWorkbook",
    "ScoreColumn",
    "dimension_table",
    "read_papi_workbook",
    "tidy_scores",
]

Role = Literal["dimension", "sub_dimension", "total"]

TIDY_COLUMNS = [
    "year", "province_code", "province", "level", "dimension_id", "dimension",
    "sub_dimension", "sub_dimension_key", "sub_dimension_en", "score", "sheet", "row", "column",
]  # fmt: skip

_CODE_HEADERS = {"tinhid", "ma tinh", "matinh", "province code", "province id", "code", "ma"}
_NOT_PROVINCE = re.compile(
    r"^(highest|lowest|diem cao nhat|diem thap nhat|average|mean|median|national|"
    r"trung binh|toan quoc|ca nuoc)\b"
)
_NOT_PROVINCE_CODES = {0, 99, 999, 9999}
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_HEADER_SEARCH_ROWS = 10


@cache
def dimension_table() -> pd.DataFrame:
    """The declared PAPI dimensions: id, order, since (first year), en, vi, aliases."""
    text = resources.files("satisfaction").joinpath("data", "papi_dimensions.csv")
    rows = list(csv.DictReader(text.read_text(encoding="utf-8").splitlines()))
    frame = pd.DataFrame(rows)
    return frame.astype({"order": int, "since": int})


@cache
def _dimension_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for row in dimension_table().itertuples(index=False):
        for name in (row.en, row.vi, *filter(None, row.aliases.split("|"))):
            keys[ascii_key(name)] = row.id
    return keys


@dataclass(frozen=True)
class ScoreColumn:
    """One score column of a sheet: where it is, what it holds, its two headers."""

    position: int  # 0-based column position
    letter: str  # Excel column letter
    role: Role
    dimension_id: str
    header_en: str | None
    header_vi: str | None
    key: str = ""  # identity of a sub-dimension across years (see `_harmonise_keys`)


@dataclass(frozen=True)
class ExcludedRow:
    """A row with content that is not a province (e.g. "Highest"), and its values."""

    row: int
    code: object
    name: str
    reason: str
    values: tuple[float, ...]  # one per score column, NaN where empty


@dataclass(frozen=True)
class PapiSheet:
    """One year's table as read.

    scores: one row per province with ``row`` (Excel row), ``province_code`` ("01"),
    ``province`` (official name), ``name_as_written``, then one float column per score
    column, named by its position (``ScoreColumn.position``).
    """

    name: str
    year: int
    columns: tuple[ScoreColumn, ...]
    scores: pd.DataFrame
    excluded: tuple[ExcludedRow, ...]
    total_header: str | None
    zero_totals_over_empty: tuple[int, ...]  # Excel rows whose total 0 was not a score
    header_rows: tuple[int, ...]


@dataclass(frozen=True)
class PapiWorkbook:
    """Every year's table in a workbook, and the sheets that were not tables (with why)."""

    path: Path
    sheets: tuple[PapiSheet, ...]
    skipped: tuple[tuple[str, str], ...]

    def sheet(self, year: int) -> PapiSheet:
        for sheet in self.sheets:
            if sheet.year == year:
                return sheet
        raise KeyError(year)


# ------------------------------------------------------------------------------ reading
def read_papi_workbook(path: str | Path) -> PapiWorkbook:
    """Read every year's sheet of a published PAPI-style workbook (module docstring)."""
    source = Path(path)
    if not source.is_file():
        raise InputError("file not found", file=source)
    try:
        # keep_default_na=False: a cell reading "n/a" or "NA" is text to refuse, not missing
        raw = pd.read_excel(
            source,
            sheet_name=None,
            header=None,
            engine="calamine",
            dtype=object,
            keep_default_na=False,
        )
    except Exception as err:  # calamine raises several types on broken or foreign files
        raise InputError(f"cannot be read as a workbook ({err})", file=source) from None
    sheets: list[PapiSheet] = []
    skipped: list[tuple[str, str]] = []
    for name, frame in raw.items():
        year_found = _YEAR.search(str(name))
        header_at = _find_header(frame)
        if header_at is None:
            skipped.append((str(name), "no province-code header (tinhid / mã tỉnh) found"))
            continue
        if year_found is None:
            skipped.append((str(name), "the sheet name holds no year"))
            continue
        sheets.append(_read_sheet(source, str(name), int(year_found.group(1)), frame, header_at))
    years = [s.year for s in sheets]
    for year in set(years):
        if years.count(year) > 1:
            names = [s.name for s in sheets if s.year == year]
            raise InputError(f"sheets {names} are both year {year}", file=source)
    if not sheets:
        raise InputError("no sheet holds a PAPI-style table of provinces", file=source)
    sheets.sort(key=lambda s: s.year)
    return PapiWorkbook(source, _harmonise_keys(sheets), tuple(skipped))


def _harmonise_keys(sheets: list[PapiSheet]) -> tuple[PapiSheet, ...]:
    """A sub-dimension is identified by its English header; a sheet with Vietnamese headers
    only borrows the English key of the sub-dimension with the same Vietnamese header in
    another sheet of the same dimension (else its Vietnamese header is its key)."""
    english_of: dict[tuple[str, str], str] = {}
    for sheet in sheets:
        for c in sheet.columns:
            if c.header_en and c.header_vi:
                english_of.setdefault((c.dimension_id, ascii_key(c.header_vi)), c.key)
    out = []
    for sheet in sheets:
        columns = tuple(
            replace(c, key=english_of.get((c.dimension_id, ascii_key(c.header_vi)), c.key))
            if c.header_en is None and c.header_vi
            else c
            for c in sheet.columns
        )
        out.append(replace(sheet, columns=columns))
    return tuple(out)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return clean_text(str(value))


def _find_header(frame: pd.DataFrame) -> tuple[int, int] | None:
    """(row index, column index) of the province-code header, if any."""
    for i in range(min(_HEADER_SEARCH_ROWS, len(frame))):
        for j, value in enumerate(frame.iloc[i]):
            if ascii_key(_text(value)) in _CODE_HEADERS:
                return i, j
    return None


def _is_vietnamese(cells: list[str]) -> bool:
    return any(not cell.isascii() for cell in cells)


def _as_code(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if not math.isnan(value) and float(value).is_integer() else None
    text = _text(value)
    return int(text) if text.isdigit() else None


def _headers(
    frame: pd.DataFrame, at: tuple[int, int]
) -> tuple[list[str], list[str] | None, list[int]]:
    """(English or only header, Vietnamese header or None, Excel header rows)."""
    row, code_col = at
    first = [_text(v) for v in frame.iloc[row]]
    rows = [row + 1]
    second = None
    if row + 1 < len(frame) and _as_code(frame.iat[row + 1, code_col]) is None:
        candidate = [_text(v) for v in frame.iloc[row + 1]]
        if ascii_key(candidate[code_col]) in _CODE_HEADERS or _is_vietnamese(candidate):
            second = candidate
            rows.append(row + 2)
    if second is not None and _is_vietnamese(first) and not _is_vietnamese(second):
        first, second = second, first
    if second is None and _is_vietnamese(first):
        return [""] * len(first), first, rows
    return first, second, rows


def _classify(
    source: Path, sheet: str, english: list[str], vietnamese: list[str] | None, header_row: int
) -> tuple[list[ScoreColumn], int]:
    """Score columns from the first recognised dimension to the last non-empty header."""
    keys = _dimension_keys()

    def dimension_of(j: int) -> str | None:
        for cells in (english, vietnamese or []):
            found = keys.get(ascii_key(cells[j])) if j < len(cells) else None
            if found:
                return found
        return None

    first = next((j for j in range(len(english)) if dimension_of(j)), None)
    if first is None:
        raise InputError(
            "no column header names a PAPI dimension (e.g. 'Participation at Local Levels' / "
            "'Tham gia của người dân ở cấp cơ sở')",
            file=source,
            sheet=sheet,
            row=header_row,
        )
    last = max(j for j in range(len(english)) if english[j] or (vietnamese or [""])[j])
    columns: list[ScoreColumn] = []
    current: str | None = None
    for j in range(first, last + 1):
        en = english[j] or None
        vi = (vietnamese[j] or None) if vietnamese else None
        letter = excel_column_letter(j + 1)
        if en is None and vi is None:
            raise InputError("score column has no header", file=source, sheet=sheet, column=letter)
        found = dimension_of(j)
        if "papi" in ascii_key(f"{en or ''} {vi or ''}"):
            role: Role = "total"
            current = "total"
        elif found:
            role, current = "dimension", found
        else:
            role = "sub_dimension"
        if role == "sub_dimension" and current in (None, "total"):
            raise InputError(
                f"column {en or vi!r} follows no dimension: a sub-dimension must come after "
                "its dimension",
                file=source,
                sheet=sheet,
                row=header_row,
                column=letter,
            )
        key = ascii_key(en or vi or "")
        columns.append(ScoreColumn(j, letter, role, str(current), en, vi, key))
    return columns, first


def _score(value: object, source: Path, sheet: str, row: int, letter: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise InputError(
            f"score is {value!r}, not a number", file=source, sheet=sheet, row=row, column=letter
        )
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = _text(value)
    if not text:
        return math.nan
    raise InputError(
        f"score {text!r} is text, not a number", file=source, sheet=sheet, row=row, column=letter
    )


def _name_columns(
    english: list[str], vietnamese: list[str] | None, code_col: int, first_score: int
) -> tuple[int | None, int | None]:
    """(English-name column, Vietnamese-name column) between the code and the scores."""
    en_col = vi_col = None
    for j in range(code_col + 1, first_score):
        key = ascii_key(f"{english[j]} {(vietnamese or [''] * len(english))[j]}")
        if re.search(r"\b(vie|vn|viet)\b|_vie|tieng viet", key) or "tentinh vie" in key:
            vi_col = j
        elif en_col is None:
            en_col = j
    return en_col, vi_col


_PROVINCES_63 = {
    int(row["code"]): row["name"] for row in province_table("historical_63").to_dict("records")
}


def _province(
    code: int, names: list[str], source: Path, sheet: str, row: int, letter: str
) -> tuple[str, str]:
    official = _PROVINCES_63[code]
    for name in names:
        if not name:
            continue
        found = standardise_province(name)
        if found.matched and found.code_63 is not None and int(found.code_63) != code:
            raise InputError(
                f"code {code} is {official}, but the name reads {name!r} ({found.name}, code "
                f"{int(found.code_63)})",
                file=source,
                sheet=sheet,
                row=row,
                column=letter,
            )
    return f"{code:02d}", official


def _read_sheet(
    source: Path, sheet: str, year: int, frame: pd.DataFrame, at: tuple[int, int]
) -> PapiSheet:
    english, vietnamese, header_rows = _headers(frame, at)
    code_col = at[1]
    columns, first_score = _classify(source, sheet, english, vietnamese, header_rows[0])
    en_col, vi_col = _name_columns(english, vietnamese, code_col, first_score)
    code_letter = excel_column_letter(code_col + 1)
    records: list[dict[str, object]] = []
    excluded: list[ExcludedRow] = []
    zero_totals: list[int] = []
    seen: dict[int, int] = {}
    grid = frame.to_numpy(dtype=object)
    for i in range(at[0] + len(header_rows), len(grid)):
        cells = grid[i]
        row = i + 1
        if not any(_text(v) for v in cells):
            continue  # blank row: holds nothing
        names = [_text(cells[c]) for c in (vi_col, en_col) if c is not None]
        values = [_score(cells[c.position], source, sheet, row, c.letter) for c in columns]
        code = _as_code(cells[code_col])
        shown = " / ".join(n for n in reversed(names) if n) or _text(cells[code_col])
        if code not in _PROVINCES_63:
            if code in _NOT_PROVINCE_CODES or any(
                _NOT_PROVINCE.match(ascii_key(n)) for n in names
            ):
                reason = "not a province (a summary row such as the column maxima)"
                excluded.append(ExcludedRow(row, cells[code_col], shown, reason, tuple(values)))
                continue
            raise InputError(
                f"{_text(cells[code_col])!r} ({shown}) is not one of the 63 province codes",
                file=source,
                sheet=sheet,
                row=row,
                column=code_letter,
            )
        if code in seen:
            raise InputError(
                f"province code {code} appears twice (rows {seen[code]} and {row})",
                file=source,
                sheet=sheet,
                row=row,
                column=code_letter,
            )
        seen[code] = row
        name_letter = excel_column_letter((vi_col if vi_col is not None else en_col or 0) + 1)
        province_code, province = _province(code, names, source, sheet, row, name_letter)
        parts = [v for v, c in zip(values, columns, strict=True) if c.role != "total"]
        if all(math.isnan(v) for v in parts):
            for k, column in enumerate(columns):
                if column.role == "total" and values[k] == 0:
                    values[k] = math.nan  # a formula over empty cells, not a score
                    zero_totals.append(row)
        record: dict[str, object] = {
            "row": row,
            "province_code": province_code,
            "province": province,
            "name_as_written": shown,
        }
        record.update({c.position: v for c, v in zip(columns, values, strict=True)})
        records.append(record)
    total = next((c for c in columns if c.role == "total"), None)
    return PapiSheet(
        name=sheet,
        year=year,
        columns=tuple(columns),
        scores=pd.DataFrame(records),
        excluded=tuple(excluded),
        total_header=(total.header_en or total.header_vi) if total else None,
        zero_totals_over_empty=tuple(zero_totals),
        header_rows=tuple(header_rows),
    )


# ------------------------------------------------------------------------------ tidying
def tidy_scores(workbook: PapiWorkbook) -> pd.DataFrame:
    """One row per (year, province, score column), in `TIDY_COLUMNS`.

    level: "total", "dimension" or "sub_dimension"; dimension_id: the declared id (or
    "total"); dimension: its Vietnamese name; sub_dimension: the sub-dimension's Vietnamese
    header as written that year (English if none), sub_dimension_key: its identity across
    years; score: NaN where the province was not published. row/column locate the cell.
    """
    labels = dimension_table().set_index("id")["vi"].to_dict()
    labels["total"] = "Chỉ số PAPI (tổng, không trọng số)"
    frames = []
    for sheet in workbook.sheets:
        meta = pd.DataFrame(
            {
                "level": [c.role for c in sheet.columns],
                "dimension_id": [c.dimension_id for c in sheet.columns],
                "dimension": [labels[c.dimension_id] for c in sheet.columns],
                "sub_dimension": [_sub(c, c.header_vi or c.header_en) for c in sheet.columns],
                "sub_dimension_key": [_sub(c, c.key) for c in sheet.columns],
                "sub_dimension_en": [_sub(c, c.header_en) for c in sheet.columns],
                "column": [c.letter for c in sheet.columns],
            }
        )
        base = sheet.scores[["row", "province_code", "province"]]
        # column-major: every province for the first score column, then the next
        long = meta.loc[meta.index.repeat(len(base))].reset_index(drop=True)
        provinces = pd.concat([base] * len(meta), ignore_index=True)
        values = sheet.scores[[c.position for c in sheet.columns]].to_numpy(dtype=float)
        long = pd.concat([provinces, long], axis=1)
        long["score"] = values.ravel(order="F")
        long["year"] = sheet.year
        long["sheet"] = sheet.name
        frames.append(long)
    return pd.concat(frames, ignore_index=True)[TIDY_COLUMNS]


def _sub(column: ScoreColumn, value: str | None) -> str | None:
    return value if column.role == "sub_dimension" else None
