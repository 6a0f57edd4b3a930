"""The one safe writer: formula-like text stays text, numbers stay numbers, control
characters are replaced, nothing is written through a link or outside the root, a failed
write leaves the old file (or the old folder) whole."""

from __future__ import annotations

import csv
import datetime
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import OutputError
from satisfaction.io.write import (
    atomic_folder,
    neutralise_cell,
    write_csv,
    write_text,
    write_xlsx,
)

HOSTILE = ["=1+1", "+84 912 345 678x", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", " =1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_quoted(value):
    assert neutralise_cell(value).startswith("'")


@pytest.mark.parametrize("value", ["-5", "+84", "-0,5", "1.882", "12%", "Hà Nội", "a=b"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise_cell(value) == value


def test_csv_quotes_formulas_keeps_negative_numbers_numbers(tmp_path):
    frame = pd.DataFrame({"=x": [*HOSTILE, "ok\x00"], "n": [-1.5, -2, 3, 4, 5, 6, 7, 8]})
    path = write_csv(frame, tmp_path / "a.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["'=x", "n"]
    assert all(row[0].startswith("'") for row in rows[1:8])
    assert rows[8][0] == "ok\ufffd"
    assert [row[1] for row in rows[1:3]] == ["-1.5", "-2.0"]


def test_xlsx_has_no_formula_and_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"v": ['=HYPERLINK("http://x")', "-3", "a\x07b"], "n": [-1, 2, 3]})
    path = write_xlsx(tmp_path / "a.xlsx", {"S": frame})
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    from openpyxl import load_workbook

    sheet = load_workbook(path)["S"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A4"].value == "a\ufffdb"
    assert sheet["B2"].value == -1 and sheet["B2"].data_type == "n"


def test_a_planted_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stamp.txt").symlink_to(outside)
    with pytest.raises(OutputError, match="symbolic link"):
        write_text(tmp_path / "out" / "stamp.txt", "x", root=tmp_path / "out")
    assert outside.read_text(encoding="utf-8") == "keep"


def test_a_linked_folder_leading_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "demo").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="leads outside"):
        write_text(tmp_path / "out" / "demo" / "x.txt", "x", root=tmp_path / "out")
    assert not list((tmp_path / "elsewhere").iterdir())


def test_a_failed_folder_write_leaves_the_old_set(tmp_path):
    target = tmp_path / "clean"
    with atomic_folder(target) as temp:
        write_text(temp / "a.txt", "old a")
        write_text(temp / "b.txt", "old b")
    with pytest.raises(RuntimeError), atomic_folder(target) as temp:
        write_text(temp / "a.txt", "new a")
        raise RuntimeError("disk gone")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt", "b.txt"]
    assert (target / "a.txt").read_text(encoding="utf-8") == "old a"
    assert [p.name for p in tmp_path.iterdir()] == ["clean"]  # no temporary left


def test_outputs_that_is_a_file_is_one_clear_error(tmp_path):
    (tmp_path / "outputs").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="a file stands where a folder should be"):
        write_text(tmp_path / "outputs" / "demo" / "x.txt", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_outputs_is_one_clear_error(tmp_path):  # pragma: no cover - not as root
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write_text(folder / "x.txt", "x")
    finally:
        folder.chmod(0o700)


def test_full_disk_is_one_clear_error(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OutputError, match="the disk is full"):
        write_text(tmp_path / "x.txt", "x")
    assert not list(tmp_path.iterdir())


def test_xlsx_cells_read_back_by_another_reader_as_written(tmp_path):
    """Types, empties and hostile text as python-calamine (the project's reader) sees them."""
    from python_calamine import CalamineWorkbook

    stamp = pd.Timestamp("2025-03-01 08:30", tz="Asia/Ho_Chi_Minh")
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "@SUM(A1)", "http://x.vn", "0012", "Hà Nội"],
            "number": [1.5, np.nan, -2.0, np.inf, 0.0],
            "count": pd.array([3, None, 12, 2**60, -1], dtype="object"),
            "flag": [True, False, None, True, False],
            "when": [stamp, pd.NaT, stamp, stamp, stamp],
        }
    )
    path = write_xlsx(tmp_path / "log.xlsx", {"Nhật ký": frame})
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Nhật ký").to_python()
    assert rows[0] == ["text", "number", "count", "flag", "when"]
    assert [r[0] for r in rows[1:]] == ["=1+1", "@SUM(A1)", "http://x.vn", "0012", "Hà Nội"]
    assert [r[1] for r in rows[1:]] == [1.5, "", -2.0, "", 0.0]  # NaN, inf: empty cells
    assert [r[2] for r in rows[1:]] == [3, "", 12, str(2**60), -1]  # past 2^53: its digits
    assert [r[3] for r in rows[1:]] == [True, False, "", True, False]
    assert rows[1][4] == datetime.datetime(2025, 3, 1, 8, 30) and rows[2][4] == ""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml and "hyperlink" not in xml


def test_xlsx_text_longer_than_a_cell_is_cut_and_says_so(tmp_path):
    from openpyxl import load_workbook

    long = "ắ" * 40_000
    path = write_xlsx(tmp_path / "q.xlsx", {"Cách ly": pd.DataFrame({"comment": [long, "ok"]})})
    sheet = load_workbook(path)["Cách ly"]
    cut = sheet["A2"].value
    assert len(cut.encode("utf-16-le")) // 2 == 32_767
    assert cut.startswith("ắ" * 30_000) and cut.endswith("tệp CSV giữ đủ]")
    assert sheet["A3"].value == "ok"


def test_xlsx_on_a_full_disk_is_one_clear_error(tmp_path, monkeypatch):
    import xlsxwriter.workbook

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", full)
    with pytest.raises(OutputError, match="the disk is full"):
        write_xlsx(tmp_path / "a.xlsx", {"S": pd.DataFrame({"a": [1]})})
    assert not list(tmp_path.iterdir())
