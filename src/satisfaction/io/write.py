"""The one safe way the toolkit writes a file: in its folder, atomically, with data kept data.

Every CSV, Excel workbook, parquet and text file the toolkit produces goes through here:

- *Inside outputs/.* With a ``root``, the target's folder must resolve inside it (a link
  planted in outputs/ that leads elsewhere is refused), and a target that is itself a
  symbolic link is refused: nothing is written through a link.
- *Atomic.* Each file is written to a temporary file in the target folder and renamed onto
  the target only when complete (:func:`atomic_paths`); a set of files that belong together
  (the clean files of a survey) is written into a temporary folder swapped in at the end
  (:func:`atomic_folder`), so a failure leaves the old complete set or the new complete set.
- *Data stay data* (OWASP CSV injection): a text cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is written as text -- in Excel as a text cell, in CSV
  prefixed with ``'``. Text that is just a number ("-5", "+84") is left alone, and numeric
  columns are numbers. Control characters (other than tab and line breaks inside text)
  become U+FFFD; cleaning logs them (rule ``control_characters``) before anything is written.
- *One clear line.* A folder that cannot be written (read-only, full, a file in the way)
  raises `OutputError` naming the path.
"""

from __future__ import annotations

import datetime
import errno
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import OutputError
from satisfaction.io.paths import _current_umask, file_mode

__all__ = [
    "FORMULA_TRIGGERS",
    "REPLACEMENT",
    "atomic_folder",
    "atomic_paths",
    "csv_into",
    "make_folder",
    "neutralise_cell",
    "replace_control",
    "safe_frame",
    "write_csv",
    "write_parquet",
    "write_text",
    "write_xlsx",
]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A cell that needs a look: a trigger first (after spaces) or a control character anywhere.
_SUSPECT = re.compile(r"^[ \u00a0]*[=+\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?")
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a file stands where a folder should be",
    errno.EEXIST: "a file stands where a folder should be",
    errno.EISDIR: "a folder stands where the file should be",
    errno.ENAMETOOLONG: "the name is too long",
}


# --------------------------------------------------------------------------- cell values
def replace_control(text: str) -> str:
    """Control characters (not tab, CR, LF) replaced by U+FFFD; Excel refuses them."""
    return _CONTROL.sub(REPLACEMENT, text)


def _is_formula_like(text: str) -> bool:
    stripped = text.lstrip(" \u00a0")
    if text[:1] in ("\t", "\r") or stripped[:1] in FORMULA_TRIGGERS[:4]:
        return _PLAIN_NUMBER.fullmatch(text.strip()) is None
    return False


def neutralise_cell(value: Any, *, quote: bool = True) -> Any:
    """A data value made safe for a spreadsheet cell; non-text values pass through.

    Control characters become U+FFFD; text that a spreadsheet would run as a formula gets a
    leading ``'`` when ``quote`` (CSV); Excel writers pass ``quote=False`` and store the
    text as a text cell instead.
    """
    if not isinstance(value, str):
        return value
    text = replace_control(value)
    if quote and _is_formula_like(text):
        return "'" + text
    return text


def _neutralise_series(values: pd.Series, *, quote: bool) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    texts = values.astype(object)
    is_text = texts.map(lambda v: isinstance(v, str))
    if not is_text.any():
        return values
    suspect = texts[is_text].astype(str).str.contains(_SUSPECT, regex=True)
    if not suspect.any():
        return values
    out = texts.copy()
    index = suspect.index[suspect.to_numpy()]
    out.loc[index] = [neutralise_cell(v, quote=quote) for v in texts.loc[index]]
    return out


def safe_frame(frame: pd.DataFrame, *, quote: bool) -> pd.DataFrame:
    """Every text cell and column name of `frame` neutralised (a copy when needed)."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c), quote=quote) for c in frame.columns]
    for position in range(out.shape[1]):
        out.isetitem(position, _neutralise_series(out.iloc[:, position], quote=quote))
    return out


# --------------------------------------------------------------------------- places
def _os_error(err: OSError, path: Path) -> OutputError:
    reason = _REASONS.get(err.errno or 0, err.strerror or type(err).__name__)
    return OutputError(f"cannot write: {reason}", file=path)


def _check_place(target: Path, root: Path | None) -> None:
    if "\x00" in str(target):
        raise OutputError("the path holds a NUL character", file=repr(str(target)))
    if target.is_symlink():
        raise OutputError("is a symbolic link; refusing to write through it", file=target)
    if root is not None:
        base = Path(root).resolve()
        if not target.parent.resolve().is_relative_to(base):
            raise OutputError(f"leads outside {base}; refusing to write there", file=target)


def make_folder(folder: Path, root: Path | None = None) -> Path:
    """Create `folder` (and parents), inside `root` when given; one clear line if it can't."""
    folder = Path(folder)
    if "\x00" in str(folder):
        raise OutputError("the path holds a NUL character", file=repr(str(folder)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _os_error(err, folder) from None
    if not folder.is_dir():
        raise OutputError("a file stands where a folder should be", file=folder)
    if root is not None and not folder.resolve().is_relative_to(Path(root).resolve()):
        raise OutputError(f"leads outside {Path(root).resolve()}", file=folder)
    return folder


@contextmanager
def atomic_paths(targets: Sequence[Path], root: Path | None = None) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``; renamed onto them only if the block succeeds."""
    targets = [Path(t) for t in targets]
    for target in targets:
        _check_place(target, root)
    temps: list[Path] = []
    try:
        for target in targets:
            try:
                handle, name = tempfile.mkstemp(
                    prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
                )
            except OSError as err:
                raise _os_error(err, target) from None
            os.close(handle)
            os.chmod(name, file_mode())  # mkstemp makes 0600: give the umask's default
            temps.append(Path(name))
        try:
            yield temps
            for temp, target in zip(temps, targets, strict=True):
                os.replace(temp, target)
        except OSError as err:
            raise _os_error(err, targets[0]) from None
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


@contextmanager
def atomic_folder(target: Path, root: Path | None = None) -> Iterator[Path]:
    """A temporary folder beside `target`, swapped in for it only if the block succeeds.

    The old folder is renamed aside, the new one renamed into place, then the old one is
    removed: at every moment one complete set exists (the old one, aside, for an instant).
    """
    target = Path(target)
    make_folder(target.parent, root)
    _check_place(target, root)
    try:
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        os.chmod(temp, 0o777 & ~_current_umask())  # mkdtemp makes 0700: colleagues read it
    except OSError as err:
        raise _os_error(err, target) from None
    try:
        yield temp
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(temp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        raise _os_error(err, target) from None
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)


def _write_one(path: Path, root: Path | None, write: Callable[[Path], None]) -> Path:
    path = Path(path)
    make_folder(path.parent, root)
    with atomic_paths([path], root) as (temp,):
        write(temp)
    return path


# --------------------------------------------------------------------------- writers
def csv_into(frame: pd.DataFrame, path: Path) -> None:
    """The CSV bytes of `write_csv` into `path` (for a caller already holding a temp file).

    Records end in CRLF (RFC 4180), so a value holding a bare CR or LF is quoted and never
    splits a record.
    """
    safe = safe_frame(frame, quote=True)
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def write_csv(frame: pd.DataFrame, path: Path, *, root: Path | None = None) -> Path:
    """`frame` as UTF-8 CSV with a BOM (Excel shows Vietnamese), formula-like text quoted."""
    return _write_one(path, root, lambda temp: csv_into(frame, temp))


def write_parquet(frame: pd.DataFrame, path: Path, *, root: Path | None = None) -> Path:
    """`frame` as parquet (typed columns: no spreadsheet evaluates it)."""
    return _write_one(path, root, lambda temp: frame.to_parquet(temp, index=False))


def write_text(path: Path, text: str, *, root: Path | None = None) -> Path:
    """A small text file (stamps, JSON), written atomically."""
    return _write_one(path, root, lambda temp: temp.write_text(text, encoding="utf-8"))


_EXCEL_MAX_TEXT = 32_767  # UTF-16 units in one cell
_EXACT_INTEGER = 2**53  # beyond it a double (what Excel stores) changes the number
_CUT_MARK = " … [cắt bớt: một ô Excel chứa tối đa 32.767 ký tự; tệp CSV giữ đủ]"


def _write_excel_cell(sheet: Any, row: int, column: int, value: Any) -> int:
    """One value as a typed cell (xlsxwriter's return code); text is always a text cell,
    never a formula, a link or a number; an empty value leaves the cell empty. Text and
    floats are tested first: a log is mostly those, and a million rows make it count."""
    if isinstance(value, str):
        text = value if value.isprintable() else replace_control(value)
        return sheet.write_string(row, column, _fit_cell(text))
    if isinstance(value, float):  # np.float64 too
        return sheet.write_number(row, column, value) if math.isfinite(value) else 0
    if value is None or value is pd.NA or value is pd.NaT:
        return 0
    if isinstance(value, bool | np.bool_):
        return sheet.write_boolean(row, column, bool(value))
    if isinstance(value, int | np.integer) and abs(int(value)) < _EXACT_INTEGER:
        return sheet.write_number(row, column, int(value))
    if isinstance(value, np.floating):
        return sheet.write_number(row, column, float(value)) if np.isfinite(value) else 0
    if isinstance(value, pd.Timestamp):
        value = value.tz_localize(None) if value.tzinfo else value
        return sheet.write_datetime(row, column, value.to_pydatetime())
    if isinstance(value, datetime.datetime):
        return sheet.write_datetime(row, column, value.replace(tzinfo=None))
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return sheet.write_datetime(row, column, value)
    return sheet.write_string(row, column, _fit_cell(replace_control(str(value))))


def _fit_cell(text: str) -> str:
    """Text an Excel cell holds: past 32,767 UTF-16 units, cut and marked as cut (the CSV
    written beside every workbook keeps it whole)."""
    if len(text) <= _EXCEL_MAX_TEXT // 2 or len(text.encode("utf-16-le")) <= 2 * _EXCEL_MAX_TEXT:
        return text
    room = 2 * (_EXCEL_MAX_TEXT - len(_CUT_MARK))
    kept = text.encode("utf-16-le")[:room].decode("utf-16-le", errors="ignore")
    return kept + _CUT_MARK


def write_xlsx(
    path: Path, sheets: Mapping[str, pd.DataFrame], *, root: Path | None = None
) -> Path:
    """Plain sheets of data (header + rows), every text cell stored as text.

    Written by xlsxwriter in ``constant_memory`` mode: each row goes to disk as the next
    begins, so a million-row cleaning log costs little memory (and a fraction of openpyxl's
    time: 6 s per 100,000 rows there). Text longer than a cell holds (32,767 characters) is
    cut and says so in the cell; an integer past 2^53 is written as its digits (text),
    which Excel's double would change.
    """
    import xlsxwriter
    import xlsxwriter.exceptions

    def write(temp: Path) -> None:
        workbook = xlsxwriter.Workbook(
            str(temp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd hh:mm:ss",
            },
        )
        try:
            for name, frame in sheets.items():
                sheet = workbook.add_worksheet(name)
                header = [str(c) for c in frame.columns]
                for column, title in enumerate(header):
                    _checked(_write_excel_cell(sheet, 0, column, title), path, name, 1, title)
                columns = [frame.iloc[:, i].astype(object).tolist() for i in range(frame.shape[1])]
                for row, values in enumerate(zip(*columns, strict=True), start=1):
                    for column, value in enumerate(values):
                        code = _write_excel_cell(sheet, row, column, value)
                        if code:
                            _checked(code, path, name, row + 1, header[column])
        finally:
            try:
                workbook.close()
            except xlsxwriter.exceptions.FileCreateError as err:  # wraps the OSError
                cause = err.args[0] if err.args else None
                raise cause if isinstance(cause, OSError) else OSError(str(err)) from None

    return _write_one(path, root, write)


def _checked(code: int, path: Path, sheet: str, row: int, column: str) -> None:
    """xlsxwriter's return code of a cell as one clear error (never a cell silently lost)."""
    if code:
        raise OutputError(
            f"the workbook writer refused a cell (code {code})",
            file=path,
            sheet=sheet,
            row=row,
            column=column,
        )
