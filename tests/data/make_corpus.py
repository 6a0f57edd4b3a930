"""Write tests/data/corpus/: small survey files as other programs write them.

A fixture written by our own code proves only that we can read ourselves, so each file here
is written, or re-saved, by the program field teams use:

* ``demo_small.xlsx``: the first 40 forms of the demo survey (title row, two-row merged
  header, a blank row, a totals row) as `satisfaction.demo.workbook` writes it: xlsxwriter,
  text in a shared-strings table as Excel stores it;
* ``demo_small_lo.xlsx``, ``demo_small_lo.xls``, ``demo_small_lo.ods``: that workbook
  re-saved by LibreOffice (headless ``soffice --convert-to``): LibreOffice's own XML, the
  Excel 97-2003 binary format (BIFF8) and OpenDocument.

* ``sipas_spss.sav``: a small SIPAS-style survey as SPSS users hold it (pyreadstat, which
  writes with ReadStat as SPSS does): province and field as labelled codes (1 "Hà Nội",
  22 "Quảng Ninh"; 1 "Đất đai"...), satisfaction items labelled 1-5 with 98/99 declared
  user-missing, age with 999 user-missing, a weight;
* ``sipas_spss_labels.xlsx``: the same cases as SPSS's "export to Excel, labels for
  labelled values" writes them (xlsxwriter, shared strings): province and field as their
  labels, items as codes.

Run from the repository root: ``python tests/data/make_corpus.py`` (needs LibreOffice's
``soffice`` on PATH). The files are committed; the tests only read them.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DEMO_ROWS = 40


def demo_small() -> Path:
    """The first forms of the demo survey, written as the demo workbook is."""
    from satisfaction.demo.sipas import generate_demo
    from satisfaction.demo.workbook import demo_workbook_bytes

    survey = generate_demo()
    small = dataclasses.replace(
        survey,
        raw=survey.raw.head(DEMO_ROWS).copy(),
        truth=survey.truth.head(DEMO_ROWS).copy(),
        blank_rows_after=tuple(r for r in survey.blank_rows_after if r < DEMO_ROWS - 1) or (9,),
    )
    path = CORPUS / "demo_small.xlsx"
    path.write_bytes(demo_workbook_bytes(small))
    return path


def libreoffice_copies(original: Path) -> list[Path]:
    """The workbook re-saved by LibreOffice as .xlsx, .xls and .ods."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to write the corpus")
    written = []
    targets = {
        "xlsx": 'xlsx:"Calc MS Excel 2007 XML"',
        "xls": 'xls:"MS Excel 97"',
        "ods": "ods",
    }
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, target in targets.items():
            profile = Path(tmp) / "profile"
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    target.replace('"', ""),
                    "--outdir",
                    tmp,
                    str(original),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            converted = Path(tmp) / f"{original.stem}.{suffix}"
            path = CORPUS / f"{original.stem}_lo.{suffix}"
            shutil.copyfile(converted, path)
            written.append(path)
    return written


SPSS_ITEMS = ["c1_1", "c1_2", "c1_3", "c2_1", "c2_2", "c2_3", "hl_chung"]
SAT5 = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
        5: "Rất hài lòng", 98: "Không biết", 99: "Không trả lời"}  # fmt: skip
PROVINCES = {1: "Hà Nội", 22: "Quảng Ninh"}
FIELDS = {1: "Đất đai", 2: "Hộ tịch", 3: "Bảo hiểm y tế"}


def spss_frame(rows: int = 60):
    """The cases of the SPSS fixture: codes as SPSS stores them."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        {
            "ma_phieu": [f"SP-{i:03d}" for i in range(1, rows + 1)],
            "tinh": rng.choice(list(PROVINCES), size=rows).astype(float),
            "linh_vuc": rng.choice(list(FIELDS), size=rows).astype(float),
            "gioi_tinh": rng.choice([1.0, 2.0], size=rows),
            "tuoi": rng.integers(20, 70, size=rows).astype(float),
            "trong_so": np.round(rng.uniform(50, 150, size=rows), 2),
        }
    )
    for item in SPSS_ITEMS:
        frame[item] = rng.choice([2, 3, 4, 4, 5, 5], size=rows).astype(float)
    frame.loc[[3, 17], "tuoi"] = 999.0
    frame.loc[[5], "c1_2"] = 98.0
    frame.loc[[8], "c2_1"] = 99.0
    return frame


def spss_files() -> list[Path]:
    import pyreadstat

    frame = spss_frame()
    labels = {"tinh": PROVINCES, "linh_vuc": FIELDS, "gioi_tinh": {1: "Nam", 2: "Nữ"}}
    labels |= {item: SAT5 for item in SPSS_ITEMS}
    texts = {
        "ma_phieu": "Mã phiếu", "tinh": "Tỉnh, thành phố", "linh_vuc": "Lĩnh vực thủ tục",
        "gioi_tinh": "Giới tính", "tuoi": "Tuổi", "trong_so": "Trọng số",
        "c1_1": "Nơi ngồi chờ có đủ chỗ ngồi", "c1_2": "Trang thiết bị đầy đủ",
        "c1_3": "Trang thiết bị dễ sử dụng", "c2_1": "Thủ tục được niêm yết công khai",
        "c2_2": "Thành phần hồ sơ đúng quy định", "c2_3": "Thời hạn giải quyết đúng quy định",
        "hl_chung": "Mức độ hài lòng chung",
    }  # fmt: skip
    missing = {item: [98, 99] for item in SPSS_ITEMS} | {"tuoi": [999]}
    sav = CORPUS / "sipas_spss.sav"
    pyreadstat.write_sav(
        frame,
        str(sav),
        file_label="Khảo sát SIPAS mẫu (SPSS)",
        column_labels=texts,
        variable_value_labels=labels,
        missing_ranges={column: list(codes) for column, codes in missing.items()},
        variable_measure={item: "ordinal" for item in SPSS_ITEMS},
    )
    shown = frame.copy()
    for column in ("tinh", "linh_vuc", "gioi_tinh"):
        shown[column] = shown[column].map(lambda code, c=column: labels[c][int(code)])
    xlsx = CORPUS / "sipas_spss_labels.xlsx"
    _xlsxwriter_table(shown, xlsx, sheet="sipas_spss")
    return [sav, xlsx]


def _xlsxwriter_table(frame, path: Path, sheet: str) -> None:
    """A plain table as xlsxwriter writes it (shared strings), numbers as numbers."""
    import math

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_urls": False})
    book.set_properties({"created": __import__("datetime").datetime(2025, 1, 1)})
    ws = book.add_worksheet(sheet)
    for j, name in enumerate(frame.columns):
        ws.write_string(0, j, str(name))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(i, j, value)
            elif value is not None and not (isinstance(value, float) and math.isnan(value)):
                ws.write_number(i, j, float(value))
    book.close()


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    original = demo_small()
    for path in [original, *libreoffice_copies(original), *spss_files()]:
        print(f"{path.relative_to(HERE)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
