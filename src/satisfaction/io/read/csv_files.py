"""CSV / TXT / TSV files: the encoding (UTF-8, cp1258, UTF-16), the delimiter, the parse.

The encoding is checked over the whole file, never guessed from a sample; records below the
header are parsed by pyarrow as text, or by pandas' parser (padding short rows) when the
rows are of uneven length.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.read.frame import _finish_text_table
from satisfaction.io.read.header import HEADER_SEARCH_ROWS, _locate_header, _validate_names
from satisfaction.io.read.responses import RawResponses, ReadNote

__all__: list[str] = []


def _read_csv(
    source: Path, header_row: int | None, encoding: str | None, expected: Sequence[str]
) -> RawResponses:
    notes: list[ReadNote] = []
    encoding = _choose_encoding(source, encoding, notes)
    _refuse_bare_carriage_returns(source)
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
        if name in _SINGLE_BYTE_WESTERN and _is_non_ascii_utf8(source):
            raise InputError(
                f"declared {declared}, but the file is valid UTF-8 with letters beyond ASCII: "
                f"read as {declared} every Vietnamese letter would be garbled (Hà Nội -> "
                "HÃ  Ná»™i); declare utf-8, or leave the encoding out to have it detected",
                file=source,
            )
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


_SINGLE_BYTE_WESTERN = {"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"}


def _is_non_ascii_utf8(source: Path) -> bool:
    """Valid UTF-8 holding at least one multi-byte letter (so not plain ASCII)."""
    with open(source, "rb") as handle:
        data = handle.read(1 << 22)
    if data.isascii():
        return False
    return _decode_problem(source, "utf-8-sig") is None


def _refuse_bare_carriage_returns(source: Path) -> None:
    """A carriage return not followed by a line feed, in a file whose lines end in LF or
    CRLF, is inside a value (pasted from a form field): every parser would split the record
    there and shift the rest of the row into the wrong columns. Refuse, naming the lines.

    UTF-16 files are checked by their code units; files that end lines with CR alone
    (classic Mac) are left to the parser.
    """
    with open(source, "rb") as handle:
        head = handle.read(2)
    wide = head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    carriage, feed = (b"\r\x00", b"\n\x00") if head == codecs.BOM_UTF16_LE else (b"\r", b"\n")
    if head == codecs.BOM_UTF16_BE:
        carriage, feed = b"\x00\r", b"\x00\n"
    quote = b'"\x00' if head == codecs.BOM_UTF16_LE else b'\x00"' if wide else b'"'
    lines: list[int] = []
    line = 1
    tail = b""
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 22):
            body = tail + chunk
            tail = b""
            if body.endswith(carriage):  # its line feed may start the next chunk
                body, tail = body[: -len(carriage)], carriage
            if body.count(carriage) != body.count(carriage + feed):
                lines += _bare_carriage_lines(body, carriage, feed, quote, line)
            line += body.count(feed)
            if len(lines) >= 5:
                break
    if lines and line > 1:
        raise InputError(
            "a carriage return (CR) without a line feed sits inside a value on line"
            + ("s " if len(lines) > 1 else " ")
            + ", ".join(str(n) for n in lines)
            + "; it would split the record there and shift the rest of the row into the "
            "wrong columns. Put such values in quotes, or replace the CR in the file",
            file=source,
        )


def _bare_carriage_lines(
    body: bytes, carriage: bytes, feed: bytes, quote: bytes, first_line: int
) -> list[int]:
    """Lines (from `first_line`) holding a CR without LF outside quotes (an odd number of
    quote marks before it on its line means it is inside a quoted value, which is fine)."""
    lines: list[int] = []
    start = 0
    while (found := body.find(carriage, start)) >= 0 and len(lines) < 5:
        start = found + len(carriage)
        if body.startswith(feed, start):
            continue
        line_start = body.rfind(feed, 0, found) + 1
        if body.count(quote, line_start, found) % 2 == 0:
            lines.append(first_line + body.count(feed, 0, found))
    return lines


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
