"""Tests of `satisfaction.io.read`: files as teams deliver them, read as text with row numbers.

CSV files (three encodings of one file, title rows, two-row headers, ragged rows), the
options and broken files, SPSS and Parquet; Excel workbooks are in test_read_excel.py.
Fixtures are built in tmp_path so each one shows its trap.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.read import (
    REASON_COLUMN,
    ROW_COLUMN,
    read_responses,
)

# ---------------------------------------------------------------------------- fixtures
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: precomposed vowels, combining tone marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        tones = "".join(p for p in parts if p in TONE_MARKS)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


CSV_TEXT = (
    "ma_phieu,ho_ten,c1_1,linh_vuc\n"
    "00123,Nguyễn Văn Ánh,4,Đất đai\n"
    "00124,Trần Thị Bình,5,Hộ tịch\n"
    "\n"
    '00125,Lê Hoàng Yến,3,"Công chứng, chứng thực"\n'
    "NA,Đỗ Quốc Việt,,Cư trú\n"
    "Tổng cộng,,12,\n"
)


def values(series: pd.Series) -> list:
    """The column as a list, missing cells as None (NaN never equals itself)."""
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in series]


def as_lists(frame: pd.DataFrame) -> dict[str, list]:
    return {column: values(frame[column]) for column in frame.columns}


# ---------------------------------------------------------------------------- CSV
def test_three_encodings_give_identical_frames(tmp_path: Path) -> None:
    paths = {
        "utf-8": tmp_path / "utf8.csv",
        "utf-8-sig": tmp_path / "bom.csv",
        "cp1258": tmp_path / "cp1258.csv",
    }
    paths["utf-8"].write_bytes(CSV_TEXT.encode("utf-8"))
    paths["utf-8-sig"].write_bytes(CSV_TEXT.encode("utf-8-sig"))
    paths["cp1258"].write_bytes(to_cp1258(CSV_TEXT))
    assert paths["cp1258"].read_bytes() != CSV_TEXT.encode("utf-8")

    raws = {name: read_responses(path) for name, path in paths.items()}
    for name, raw in raws.items():
        assert raw.encoding == name
    base = raws["utf-8"]
    pd.testing.assert_frame_equal(base.frame, raws["utf-8-sig"].frame)
    pd.testing.assert_frame_equal(base.frame, raws["cp1258"].frame)
    pd.testing.assert_frame_equal(base.removed, raws["cp1258"].removed)
    assert as_lists(base.frame) == {
        "_row": [2, 3, 5, 6],
        "ma_phieu": ["00123", "00124", "00125", "NA"],  # "NA" is text, not missing
        "ho_ten": ["Nguyễn Văn Ánh", "Trần Thị Bình", "Lê Hoàng Yến", "Đỗ Quốc Việt"],
        "c1_1": ["4", "5", "3", None],
        "linh_vuc": ["Đất đai", "Hộ tịch", "Công chứng, chứng thực", "Cư trú"],
    }
    assert base.removed[ROW_COLUMN].tolist() == [4, 7]
    assert base.removed[REASON_COLUMN].tolist() == ["blank_row", "totals_row"]
    assert raws["cp1258"].notes_of("encoding")[0].detail == (
        "not valid UTF-8 (byte 40 on line 2); read as cp1258 (Windows Vietnamese)"
    )
    assert raws["utf-8-sig"].notes_of("encoding")[0].detail == (
        "read as UTF-8 with byte-order mark"
    )


def test_declared_encoding_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes(to_cp1258(CSV_TEXT))
    assert read_responses(path, encoding="cp1258").frame["ho_ten"].tolist()[0] == (
        "Nguyễn Văn Ánh"
    )
    with pytest.raises(InputError, match=r"cp\.csv: not valid utf-8: byte 40 on line 2"):
        read_responses(path, encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown encoding 'tcvn-9'"):
        read_responses(path, encoding="tcvn-9")


def test_utf8_declared_latin1_is_refused_not_garbled(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_text("id,tinh\n1,Hà Nội\n", encoding="utf-8")
    with pytest.raises(InputError, match="declared latin-1, but the file is valid UTF-8"):
        read_responses(path, encoding="latin-1")
    ascii_only = tmp_path / "ascii.csv"
    ascii_only.write_text("id,tinh\n1,Ha Noi\n", encoding="utf-8")
    assert read_responses(ascii_only, encoding="latin-1").frame["tinh"].tolist() == ["Ha Noi"]


def test_bare_carriage_return_inside_a_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes("id,ho_ten,linh_vuc\r\n1,Nguyễn\rVăn A,Đất đai\r\n2,B,Hộ tịch\r\n".encode())
    with pytest.raises(InputError) as caught:
        read_responses(path)
    assert str(caught.value).startswith(
        f"{path}: a carriage return (CR) without a line feed sits inside a value on line 2;"
    )
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(b'id,q\r\n1,"a\rb"\r\n2,c\r\n')
    assert read_responses(quoted).frame["q"].tolist() == ["a\rb", "c"]


def test_utf16_text_export_with_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab separated.
    path = tmp_path / "export.txt"
    path.write_bytes("ma\tý_kiến\n007\tTốt lắm\n".encode("utf-16"))
    raw = read_responses(path)
    assert raw.encoding == "utf-16"
    assert as_lists(raw.frame) == {"_row": [2], "ma": ["007"], "ý_kiến": ["Tốt lắm"]}


def test_csv_title_rows_semicolons_and_sum_row(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(
        "Kết quả khảo sát;;;\n;;;\nid;a;b;c\n1;2;3;x\n2;4;5;y\n;6;8;\n", encoding="utf-8"
    )
    raw = read_responses(path)
    assert raw.header_row == 3
    assert raw.notes_of("delimiter")[0].detail == "fields separated by ';'"
    assert as_lists(raw.frame) == {
        "_row": [4, 5],
        "id": ["1", "2"],
        "a": ["2", "4"],
        "b": ["3", "5"],
        "c": ["x", "y"],
    }
    assert raw.removed[ROW_COLUMN].tolist() == [6]
    assert raw.removed[REASON_COLUMN].tolist() == ["totals_row"]


def test_csv_two_row_header_without_merges(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(",Yếu tố 1,,Yếu tố 2,\nid,c1_1,c1_2,c2_1,c2_2\n1,4,5,3,2\n", encoding="utf-8")
    raw = read_responses(path, expected_columns=["id", "c1_1", "c1_2", "c2_1", "c2_2"])
    assert raw.header_row == 2
    (note,) = raw.notes_of("two_row_header")
    assert note.row == 1
    assert note.detail == (
        "row 1 holds group labels above the header: 'Yếu tố 1' over 2:3 (c1_1, c1_2); "
        "'Yếu tố 2' over 4:5 (c2_1, c2_2)"
    )


def test_csv_quoted_newline_and_whitespace_cells(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text('id,y_kien\n1,"dòng một\ndòng hai"\n2,   \n3, có khoảng trắng \n')
    frame = read_responses(path).frame
    assert values(frame["y_kien"]) == ["dòng một\ndòng hai", None, " có khoảng trắng "]
    assert frame[ROW_COLUMN].tolist() == [2, 3, 4]


def test_csv_ragged_rows_are_padded_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("id,q1,q2\n1,2,3\n4,5\n")
    raw = read_responses(path)
    assert values(raw.frame["q2"]) == ["3", None]
    assert raw.notes_of("csv_fallback_parser")


def test_csv_decomposed_unicode_is_kept_and_counted(tmp_path: Path) -> None:
    # reading changes nothing but types: cleaning normalises and logs each cell
    path = tmp_path / "nfd.csv"
    text = "id,tinh\n1,Hòa Bình\n2,Hà Nội\n3,Huế\n"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    raw = read_responses(path)
    assert raw.frame["tinh"].tolist() == [
        unicodedata.normalize("NFD", v) for v in ["Hòa Bình", "Hà Nội", "Huế"]
    ]
    assert raw.columns == ["id", "tinh"]
    assert raw.notes_of("not_nfc")[0].detail == (
        "3 cells not in Unicode NFC, left for cleaning to normalise (tinh: 3)"
    )


def test_no_header_like_row_falls_back_to_row_one(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("1,2\n3,4\n")
    raw = read_responses(path)
    assert raw.header_row == 1
    assert raw.columns == ["1", "2"]
    assert raw.notes_of("header_row_detected")[0].detail == (
        "no row among the first 20 looks like a header; row 1 is used"
    )


# ---------------------------------------------------------------------------- broken input
def _assert_names_file(error: InputError, path: Path) -> None:
    assert str(path) in str(error)


def test_empty_csv(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_responses(empty)
    assert str(caught.value) == f"{empty}: file is empty (0 bytes)"
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n")
    with pytest.raises(InputError, match="only blank lines"):
        read_responses(blank)
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("id,q1\n")
    with pytest.raises(InputError) as caught:
        read_responses(header_only)
    assert str(caught.value) == f"{header_only}: no data rows below the header (row 1)"


def test_duplicate_header_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,q1,q2, q1\n1,2,3,4\n")
    with pytest.raises(InputError) as caught:
        read_responses(path)
    assert str(caught.value) == (
        f"{path}: row 1: header: duplicate column name 'q1' in columns 2 and 4"
    )


def test_reserved_column_name(tmp_path: Path) -> None:
    path = tmp_path / "reserved.csv"
    path.write_text("id,_row\n1,2\n")
    with pytest.raises(InputError, match="'_row' is reserved"):
        read_responses(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("old.xls", "is a text file, not an Excel workbook"),
        ("binary.xlsb", "save it as .xlsx"),
        ("notes.docx", "unsupported file type '.docx'"),
        ("bad.sav", "cannot read as an SPSS .sav file"),
        ("bad.parquet", "cannot read as a Parquet file"),
    ],
)
def test_unsupported_or_broken_types(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"not really that format")
    with pytest.raises(InputError, match=message) as caught:
        read_responses(path)
    _assert_names_file(caught.value, path)


def test_missing_file_and_misplaced_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_responses(tmp_path / "nowhere.csv")
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n")
    with pytest.raises(ParameterError, match="sheet='x' applies to Excel files only"):
        read_responses(path, sheet="x")
    with pytest.raises(ParameterError, match="header_row must be a row number from 1"):
        read_responses(path, header_row=0)


# ---------------------------------------------------------------------------- SPSS, Parquet
def test_sav_keeps_codes_labels_and_user_missing(tmp_path: Path) -> None:
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame(
        {
            "ma": ["001", "002", "003"],
            "q1": [1.0, 5.0, 99.0],
            "tuoi": [30.0, 45.0, 99.0],
            "tinh": ["Hòa Bình", "Huế", "Hà Nội"],
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"q1": "Mức độ hài lòng chung", "tuoi": "Tuổi"},
        variable_value_labels={
            "q1": {1: "Rất không hài lòng", 5: "Rất hài lòng", 98: "Không biết", 99: "KTL"}
        },
        missing_ranges={"q1": [{"lo": 97, "hi": 99}], "tuoi": [99]},
    )
    raw = read_responses(path)
    assert raw.format == "sav"
    assert raw.frame[ROW_COLUMN].tolist() == [1, 2, 3]
    assert raw.frame["q1"].tolist() == [1.0, 5.0, 99.0]  # codes kept, user-missing too
    assert pd.api.types.is_float_dtype(raw.frame["q1"])
    assert raw.frame["ma"].tolist() == ["001", "002", "003"]
    assert raw.value_labels == {
        "q1": {1: "Rất không hài lòng", 5: "Rất hài lòng", 98: "Không biết", 99: "KTL"}
    }
    assert raw.missing_values == {"q1": [97, 98, 99], "tuoi": [99]}
    assert raw.column_labels == {"q1": "Mức độ hài lòng chung", "tuoi": "Tuổi"}


def test_parquet_round_trip_keeps_rows_and_types(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    csv_path.write_bytes(CSV_TEXT.encode("utf-8"))
    first = read_responses(csv_path)
    parquet_path = tmp_path / "a.parquet"
    first.frame.to_parquet(parquet_path)
    again = read_responses(parquet_path)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert again.notes_of("row_numbers_kept")

    typed = pd.DataFrame(
        {"n": [1, 2], "x": [0.5, 1.5], "d": pd.to_datetime(["2025-01-01", "2025-02-01"])}
    )
    typed.to_parquet(tmp_path / "typed.parquet")
    raw = read_responses(tmp_path / "typed.parquet")
    assert raw.frame[ROW_COLUMN].tolist() == [1, 2]
    assert raw.frame["n"].dtype == np.int64
    assert raw.frame["x"].tolist() == [0.5, 1.5]
    assert pd.api.types.is_datetime64_any_dtype(raw.frame["d"])


def test_header_row_beyond_the_file(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id,q1\n1,2\n")
    with pytest.raises(InputError) as caught:
        read_responses(path, header_row=5)
    assert str(caught.value) == f"{path}: header row 5 is beyond the last row (2) of the file"
