"""Benchmark `read_responses`: a 1,000,000 x 40 CSV, and a 1,000,000 x 40 XLSX written the
way Excel writes it (shared strings), read by the old and the new Excel reader.

Targets: the CSV in a few seconds (foundation issue); the XLSX at least 5x faster than the
old reader (openpyxl + lxml, commit OLD_READER, with its shared-strings bug patched so it
can read the file at all) and under 4 GB peak memory (real-files issue). Each XLSX read
runs in a child process so its peak memory (max RSS) is its own. Prints the figures.
Run: .venv/bin/python bench/bench_read.py [--rows-csv N] [--rows-xlsx N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction.io.read import read_responses

ROOT = Path(__file__).resolve().parents[1]
OLD_READER = "948cc1c"  # the last commit whose Excel reader was openpyxl + lxml
VIETNAMESE = ["Hài lòng", "Rất hài lòng", "Bình thường", "Không hài lòng", "Đất đai", "Hộ tịch"]


def _survey_frame(rows: int, columns: int, seed: int = 7) -> pd.DataFrame:
    """Codes 1-5 in most columns, a leading-zero id, two Vietnamese text columns."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {"ma_phieu": [f"{i:07d}" for i in range(1, rows + 1)]}
    for j in range(columns - 3):
        data[f"c{j}"] = rng.integers(1, 6, size=rows)
    data["linh_vuc"] = rng.choice(VIETNAMESE, size=rows)
    data["y_kien"] = rng.choice([*VIETNAMESE, ""], size=rows)
    return pd.DataFrame(data)


def bench_csv(rows: int, folder: Path) -> None:
    frame = _survey_frame(rows, 40)
    path = folder / "big.csv"
    frame.to_csv(path, index=False)
    size_mb = path.stat().st_size / 1e6
    wall, cpu = min(_timed(lambda: read_responses(path)) for _ in range(2))
    raw = read_responses(path)
    assert raw.frame.shape == (rows, 41), raw.frame.shape
    assert raw.frame["ma_phieu"].iloc[0] == "0000001"
    print(f"csv  {rows:>9,} x 40  {size_mb:7.1f} MB  read in {wall:6.2f} s (cpu {cpu:6.2f} s)")


def bench_xlsx(rows: int, folder: Path) -> None:
    """The same rows as an .xlsx written the way Excel writes it: shared strings."""
    path = folder / "big.xlsx"
    started = time.perf_counter()
    _excel_like_xlsx(_survey_frame(rows, 40), path)
    size_mb = path.stat().st_size / 1e6
    took = time.perf_counter() - started
    print(f"xlsx {rows:>9,} x 40  {size_mb:7.1f} MB  written in {took:.0f} s")
    new = _child_read(path, ROOT / "src")
    print(f"  new reader (calamine)      {_figures(new)}")
    old_src = _old_reader_source(folder)
    if old_src is None:
        print("  old reader: not measured (git history of the repository not available)")
        return
    old = _child_read(path, old_src, fix_shared_strings=True)
    print(f"  old reader (openpyxl+lxml) {_figures(old)}")
    print(
        f"  speed-up {old['seconds'] / new['seconds']:.1f}x wall, "
        f"{old['cpu'] / new['cpu']:.1f}x cpu (cpu is the fairer figure on a loaded machine)"
    )


def _figures(read: dict) -> str:
    return (
        f"{read['seconds']:7.1f} s wall {read['cpu']:7.1f} s cpu  peak {read['peak_mb']:7,.0f} MB"
    )


def _excel_like_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """Stream `frame` into an .xlsx as Excel lays it out: text cells point into one
    shared-strings table (``t="s"``), numbers are plain ``<v>``.

    xlsxwriter's own writer keeps every cell in memory for shared strings (its
    constant_memory mode writes inline strings instead), so the package parts come from a
    one-cell xlsxwriter workbook and only the sheet and the string table are streamed here.
    """
    import io
    import zipfile
    from xml.sax.saxutils import escape

    import xlsxwriter

    template = io.BytesIO()
    book = xlsxwriter.Workbook(template, {"in_memory": True})
    book.add_worksheet("Data").write_string(0, 0, "x")
    book.close()
    letters = [_letters(j + 1) for j in range(frame.shape[1])]
    strings: dict[str, int] = {}

    def index(text: str) -> int:
        return strings.setdefault(text, len(strings))

    sheet_head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:'
        f'{letters[-1]}{len(frame) + 1}"/><sheetData>'
    )
    columns = list(frame.columns)
    text_columns = {
        j for j, c in enumerate(columns) if not pd.api.types.is_numeric_dtype(frame[c])
    }
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if info.filename not in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
                out.writestr(info, source.read(info.filename))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(sheet_head.encode())
            header = "".join(
                f'<c r="{letters[j]}1" t="s"><v>{index(str(c))}</v></c>'
                for j, c in enumerate(columns)
            )
            sheet.write(f'<row r="1">{header}</row>'.encode())
            values = frame.to_numpy(dtype=object)
            for start in range(0, len(frame), 20_000):
                parts = []
                for offset, row in enumerate(values[start : start + 20_000]):
                    r = start + offset + 2
                    cells = [
                        (f'<c r="{letters[j]}{r}" t="s"><v>{index(v)}</v></c>' if v else "")
                        if j in text_columns
                        else f'<c r="{letters[j]}{r}"><v>{v}</v></c>'
                        for j, v in enumerate(row)
                    ]
                    parts.append(f'<row r="{r}">{"".join(cells)}</row>')
                sheet.write("".join(parts).encode())
            sheet.write(b"</sheetData></worksheet>")
        with out.open("xl/sharedStrings.xml", "w") as table:
            table.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
                'schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()
            )
            table.write("".join(f"<si><t>{escape(s)}</t></si>" for s in strings).encode())
            table.write(b"</sst>")


def _letters(position: int) -> str:
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CHILD = """
import json, resource, sys, time
if {fix}:  # the old reader took openpyxl's empty Workbook.shared_strings: give it the real ones
    import openpyxl.reader.excel as excel
    read_worksheets = excel.ExcelReader.read_worksheets
    def patched(self):
        self.wb.shared_strings = self.shared_strings
        return read_worksheets(self)
    excel.ExcelReader.read_worksheets = patched
from satisfaction.io.read import read_responses
start, start_cpu = time.perf_counter(), time.process_time()
raw = read_responses(sys.argv[1])
seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
assert raw.frame.shape[0] > 0
print(json.dumps({{"seconds": seconds, "cpu": cpu, "rows": len(raw.frame),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _child_read(path: Path, src: Path, fix_shared_strings: bool = False) -> dict:
    """Read in a child process, so its peak memory (max RSS) is the reader's alone."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = _CHILD.format(fix=fix_shared_strings)
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"reader failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _old_reader_source(folder: Path) -> Path | None:
    """The package as it was before the calamine reader (commit OLD_READER), from git."""
    target = folder / "old"
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", OLD_READER, "src/satisfaction"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    target.mkdir()
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def _timed(action) -> tuple[float, float]:
    """(wall, process CPU) seconds; CPU counts every thread of this process."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - start_cpu


def calibration() -> float:
    """Seconds for 10 million additions in pure Python: about 0.4 s on a 2024 laptop.

    Printed so figures from a loaded or slow machine can be read in proportion.
    """
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows-csv", type=int, default=1_000_000)
    parser.add_argument("--rows-xlsx", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"calibration: 10M Python additions in {calibration():.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        bench_csv(args.rows_csv, Path(tmp))
        bench_xlsx(args.rows_xlsx, Path(tmp))


if __name__ == "__main__":
    main()
