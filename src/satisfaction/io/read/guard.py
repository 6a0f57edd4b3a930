"""Before a workbook is expanded: is it what its name says, and is it safe to read?

calamine allocates a sheet as one dense block from its first to its last cell reference, and
reads a formula without a cached value or an error cell as an empty cell. So, before it
sees the file, this module checks:

* the bytes: a zip for .xlsx/.xlsm/.ods, an OLE2 container for .xls; an encrypted workbook
  (an OLE2 container holding an ``EncryptedPackage``), an HTML page, a CSV file or another
  format under a workbook's name are refused with what the file really is;
* the zip: every part's uncompressed size and compression ratio (zip bombs);
* for .xlsx/.xlsm, the sheet's XML, streamed once: its real uncompressed size, its highest
  row and column reference (a single cell at row 200,000,000 or column ZZZZZZ would make
  calamine allocate gigabytes), and whether it holds formulas or error cells; only then is
  it parsed cell by cell (lxml) to name the formulas that have no cached value (refused: a
  blank there would be a silent loss) and to give back the text of error cells.

Limits are module constants named in every error they raise.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import numpy as np

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _column_number, excel_column_letter
from satisfaction.io.read.fonts import legacy_font_columns

__all__ = ["MAX_CELLS", "MAX_COLUMNS", "MAX_PART_BYTES", "MAX_RATIO", "MAX_ROWS"]

MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384
MAX_CELLS = 60_000_000  # the dense block calamine allocates: about 2 GB at this size
MAX_PART_BYTES = 3 * 1024**3  # uncompressed size of one part of the zip
MAX_RATIO = 250  # uncompressed / compressed, for parts over RATIO_FROM bytes
RATIO_FROM = 64 * 1024**2

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 24
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass
class _CheckedSheet:
    """What the scan of one sheet found: error cells' text by row, as (column, text)."""

    errors: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    legacy_fonts: dict[int, str] = field(default_factory=dict)  # column -> tcvn3 | vni


@dataclass
class _CheckedWorkbook:
    """A workbook that passed the file checks; `sheet` checks one sheet before it is read."""

    source: Path
    archive: zipfile.ZipFile | None = None

    def sheet(self, index: int, name: str) -> _CheckedSheet:
        if self.archive is None:  # .xls and .ods: nothing more to scan
            return _CheckedSheet()
        part = _sheet_part(self.archive, index)
        if part is None:
            return _CheckedSheet()
        checked = _scan_sheet(self.archive, part, self.source, name)
        checked.legacy_fonts = legacy_font_columns(self.archive, part)
        return checked

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _check_workbook(source: Path) -> _CheckedWorkbook:
    """Refuse a file that is not the workbook its suffix says, or that is unsafe to expand."""
    suffix = source.suffix.lower()
    with open(source, "rb") as handle:
        start = handle.read(4096)
    if start.startswith(_OLE2):
        if _is_encrypted_ole(source):
            raise InputError(
                "the workbook is password-protected (encrypted); remove the password in "
                "Excel (File > Info > Protect Workbook) and save it again",
                file=source,
            )
        if suffix == ".xls":
            return _CheckedWorkbook(source)
        raise InputError(
            f"is an Excel 97-2003 workbook (.xls) named {suffix}; rename it to .xls",
            file=source,
        )
    if start.startswith(_ZIP):
        archive = _open_zip(source)
        names = set(archive.namelist())
        if "content.xml" in names and "xl/workbook.xml" not in names:
            archive.close()
            if suffix != ".ods":
                raise InputError(
                    f"is an OpenDocument spreadsheet (.ods) named {suffix}; rename it to .ods",
                    file=source,
                )
            return _CheckedWorkbook(source)
        if "xl/workbook.xml" not in names:
            archive.close()
            raise InputError(
                "is a zip file but not an Excel workbook (no xl/workbook.xml inside)",
                file=source,
            )
        if suffix in (".xls", ".ods"):
            archive.close()
            raise InputError(
                f"is an .xlsx workbook named {suffix}; rename it to .xlsx", file=source
            )
        return _CheckedWorkbook(source, archive)
    raise InputError(_what_it_is(start, suffix), file=source)


def _what_it_is(start: bytes, suffix: str) -> str:
    """Name what a file that is neither a zip nor an OLE2 container really holds."""
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return (
            f"is a web page (HTML) saved with the name {suffix}, as many web systems export "
            "tables; open it in Excel and save it as .xlsx, or export it as CSV"
        )
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in start:
        return (
            f"is an Excel 2003 XML spreadsheet saved with the name {suffix}; open it in Excel "
            "and save it as .xlsx"
        )
    if text.startswith(b"<"):
        return f"is an XML or HTML file, not an Excel workbook ({suffix})"
    if start and b"\x00" not in start:
        try:
            start.decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(start) - 4:  # a cut multi-byte letter at the end is fine
                return f"is not an Excel workbook (neither a zip nor an OLE2 file) ({suffix})"
        if any(sep in start for sep in (b",", b";", b"\t")):
            return f"is a text (CSV) file saved with the name {suffix}; rename it to .csv"
        return f"is a text file, not an Excel workbook ({suffix})"
    return (
        f"is not an Excel workbook (neither a zip nor an OLE2 file); is it truncated or not "
        f"really {suffix}?"
    )


def _is_encrypted_ole(source: Path) -> bool:
    """An encrypted .xlsx is an OLE2 container with an EncryptedPackage stream (MS-OFFCRYPTO);
    an encrypted .xls has a FILEPASS record, which calamine reports itself."""
    marker = "EncryptedPackage".encode("utf-16-le")
    with open(source, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            if marker in chunk:
                return True
    return False


def _open_zip(source: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(
            f"cannot read as a workbook ({err}); is it truncated or not really "
            f"{source.suffix.lower()}?",
            file=source,
        ) from None
    for info in archive.infolist():
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
            archive.close()
            raise InputError(
                f"part {info.filename!r} would expand to {info.file_size:,} bytes "
                f"({ratio:,.0f} times its compressed size); the limits are "
                f"{MAX_PART_BYTES:,} bytes and {MAX_RATIO} times: a damaged file or a zip "
                "bomb",
                file=source,
            )
    return archive


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The zip path of the index-th sheet, from xl/workbook.xml and its relationships."""
    from lxml import etree

    try:
        book = etree.fromstring(archive.read("xl/workbook.xml"), _safe_parser())
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _safe_parser())
    except (KeyError, etree.XMLSyntaxError):
        return None
    sheets = [s for s in book.iter() if etree.QName(s).localname == "sheet"]
    if index >= len(sheets):
        return None
    wanted = next((v for k, v in sheets[index].attrib.items() if k.endswith("}id")), None)
    for rel in rels:
        if rel.get("Id") == wanted:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return str(PurePosixPath(path))
    return None


def _safe_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


# --------------------------------------------------------------------------- the sheet scan
def _scan_sheet(archive: zipfile.ZipFile, part: str, source: Path, sheet: str) -> _CheckedSheet:
    """Stream the sheet XML once: size, highest reference, formulas and error cells."""
    try:
        stream = archive.open(part)
    except KeyError:
        return _CheckedSheet()
    max_row = max_column = 0
    size = 0
    has_formula = has_error = False
    tail = b""
    try:
        with stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_PART_BYTES:
                    raise InputError(
                        f"the sheet's XML expands beyond {MAX_PART_BYTES:,} bytes (the limit)",
                        file=source,
                        sheet=sheet,
                    )
                buffer = tail + chunk
                rows, columns = _highest_reference(buffer, len(buffer) - 24)
                max_row, max_column = max(max_row, rows), max(max_column, columns)
                has_formula = has_formula or _holds_formula(buffer)
                has_error = has_error or b't="e"' in buffer
                tail = buffer[-32:]
            rows, columns = _highest_reference(tail + b" " * 32, len(tail))
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise InputError(
            f"cannot read the sheet ({err}); is the file truncated?", file=source, sheet=sheet
        ) from None
    max_row, max_column = max(max_row, rows), max(max_column, columns)
    _check_extent(max_row, max_column, source, sheet)
    if not (has_formula or has_error):
        return _CheckedSheet()
    with archive.open(part) as stream:
        return _formulas_and_errors(stream, source, sheet)


def _holds_formula(buffer: bytes) -> bool:
    """Any formula: "f>" ends every <f>...</f> (or <x:f>...</x:f>); a shared formula's
    children (<f t="shared" si="0"/>) always come with the master cell that holds its text."""
    return b"f>" in buffer


def _highest_reference(buffer: bytes, stop: int) -> tuple[int, int]:
    """The highest row and column among the ``r="A1"`` references starting before `stop`.

    Vectorised over the buffer (numpy): a Python loop over forty million cells would cost
    more than reading them. Column letters beyond four and row digits beyond nine are
    counted as infinitely far (the limits refuse them).
    """
    data = np.frombuffer(buffer, dtype=np.uint8)
    if len(data) < 16 or stop <= 2:
        return 0, 0
    equals = np.flatnonzero(data[2:stop] == ord("=")) + 2
    keep = (
        (data[equals - 1] == ord("r")) & (data[equals - 2] <= ord(" ")) & (data[equals + 1] == 34)
    )
    position = equals[keep] + 2
    if not len(position):
        return 0, 0
    column = np.zeros(len(position), dtype=np.int64)
    going = np.ones(len(position), dtype=bool)
    for _ in range(4):
        char = data[position]
        letter = going & (char >= ord("A")) & (char <= ord("Z"))
        column = np.where(letter, column * 26 + (char.astype(np.int64) - 64), column)
        position = position + letter
        going &= letter
    column[going & (data[position] >= ord("A")) & (data[position] <= ord("Z"))] = 1 << 40
    row = np.zeros(len(position), dtype=np.int64)
    going = np.ones(len(position), dtype=bool)
    for _ in range(10):
        char = data[position]
        digit = going & (char >= ord("0")) & (char <= ord("9"))
        row = np.where(digit, row * 10 + (char.astype(np.int64) - 48), row)
        position = position + digit
        going &= digit
    row[going] = 1 << 40
    return int(row.max()), int(column.max())


def _check_extent(max_row: int, max_column: int, source: Path, sheet: str) -> None:
    where = ""
    if max_row > MAX_ROWS:
        where = (
            f"a cell reference reaches row {max_row:,}"
            if max_row < 1 << 40
            else ("a cell reference has a row number of ten digits or more")
        )
    elif max_column > MAX_COLUMNS:
        where = (
            f"a cell reference reaches column {excel_column_letter(max_column)}"
            if max_column < 1 << 40
            else "a cell reference has a column of five letters or more"
        )
    if where:
        raise InputError(
            f"{where}, beyond Excel's {MAX_ROWS:,} rows x {MAX_COLUMNS:,} columns: a damaged "
            "or hostile file; nothing was read",
            file=source,
            sheet=sheet,
        )
    if max_row * max_column > MAX_CELLS:
        raise InputError(
            f"the sheet spans {max_row:,} rows x {max_column:,} columns "
            f"({max_row * max_column:,} cells), more than the {MAX_CELLS:,} cells the reader "
            "takes; delete the far-away cells (Ctrl+End shows the last one) or split the file",
            file=source,
            sheet=sheet,
        )


def _formulas_and_errors(stream: IO[bytes], source: Path, sheet: str) -> _CheckedSheet:
    """Parse the sheet cell by cell: refuse formulas without a cached value, keep errors."""
    from lxml import etree

    errors: dict[int, list[tuple[int, str]]] = {}
    uncached: list[str] = []
    row_number = column = 0
    for event, element in etree.iterparse(
        stream,
        events=("start", "end"),
        tag=("{*}c", "{*}row"),
        resolve_entities=False,
        no_network=True,
    ):
        if etree.QName(element).localname == "row":
            if event == "start":  # rows without "r" follow the previous one
                stated = element.get("r")
                row_number = int(stated) if stated and stated.isdigit() else row_number + 1
                column = 0
            else:
                element.clear()
            continue
        if event == "start":
            continue
        reference = element.get("r") or ""
        match = _CELL_REF.match(reference)
        if match:
            column, row_number = _column_number(match[1]), int(match[2])
        else:
            column += 1
        children = {etree.QName(child).localname: child for child in element}
        value = children.get("v")
        if "f" in children and (value is None or not (value.text or "")) and "is" not in children:
            uncached.append(reference or f"{excel_column_letter(column)}{row_number}")
        elif element.get("t") == "e" and value is not None and value.text:
            errors.setdefault(row_number, []).append((column, value.text.strip()))
        element.clear(keep_tail=True)
    if uncached:
        shown = ", ".join(uncached[:10]) + (
            f" ... ({len(uncached)} in all)" if len(uncached) > 10 else ""
        )
        raise InputError(
            f"{len(uncached)} formula cell(s) were saved without their values ({shown}); "
            "reading them as blanks would lose answers. Open the file in Excel or LibreOffice, "
            "let it recalculate, and save it again (or paste the cells as values)",
            file=source,
            sheet=sheet,
            column=None,
        )
    return _CheckedSheet(errors)
