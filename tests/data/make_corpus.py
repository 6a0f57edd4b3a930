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

* ``kobo_form.xlsx`` and ``kobo_export.xlsx``: a KoboToolbox XLSForm (survey, choices and
  settings sheets, ``label::Vietnamese (vi)`` and ``label::English (en)`` columns, groups,
  select_one and select_multiple lists, an "other, specify" field, a constraint and a
  relevance) and its data export as KoboToolbox writes it ("XML values and headers":
  group paths ``thong_tin/tinh``, select_multiple as space-separated names plus one 0/1
  column per choice, metadata ``_id``, ``_uuid``, ``_submission_time``...), both written
  with xlsxwriter as Excel and KoboToolbox's exporter store them;
* ``google_forms.csv``: a Google Forms response export (UTF-8, the timestamp column
  ``Dấu thời gian``, question texts as headers, answers as labels, checkbox answers joined
  by ", ") with the instrument that maps it (``google_forms.yaml``, hand-written).

* ``offset.xlsx`` (openpyxl) and ``offset_lo.xls``, ``offset_lo.ods`` (LibreOffice): a
  table starting at B3, so the rows and columns above and left of it are empty -- the
  row numbers reported must still be the ones Excel shows.

* ``merged.xlsx`` (openpyxl) and ``merged_lo.xls``, ``merged_lo.ods`` (LibreOffice): a
  province typed once and merged down the rows of its forms, and a comment merged over
  two columns and two rows.

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


def offset_files() -> list[Path]:
    """A small table starting at B3, and its LibreOffice .xls and .ods copies."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for reference, value in {"B3": "ma", "C3": "q1", "B4": "01", "C4": 4, "B5": "02",
                             "C5": 5}.items():  # fmt: skip
        sheet[reference] = value
    book.properties.created = __import__("datetime").datetime(2025, 1, 1)
    original = CORPUS / "offset.xlsx"
    book.save(original)
    return [original, *libreoffice_copies(original, ("xls", "ods"))]


def merged_files() -> list[Path]:
    """A province merged down its rows, and its LibreOffice .xls and .ods copies."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ma_phieu", "tinh", "c1", "ghi_chu"])
    for row in [["01", "Hà Nội", 4], ["02", None, 5], ["03", None, 3], ["04", "Huế", 2],
                ["05", None, 4]]:  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("B5:B6")
    sheet["D2"] = "ý kiến chung"
    sheet.merge_cells("D2:E3")
    book.properties.created = __import__("datetime").datetime(2025, 1, 1)
    original = CORPUS / "merged.xlsx"
    book.save(original)
    return [original, *libreoffice_copies(original, ("xls", "ods"))]


def libreoffice_copies(original: Path, suffixes=("xlsx", "xls", "ods")) -> list[Path]:
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
            if suffix not in suffixes:
                continue
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


KOBO_CHOICES = [
    ("tinh", "hn", "Hà Nội", "Hanoi"),
    ("tinh", "qn", "Quảng Ninh", "Quang Ninh"),
    ("linh_vuc", "dat_dai", "Đất đai", "Land"),
    ("linh_vuc", "ho_tich", "Hộ tịch", "Civil registration"),
    ("linh_vuc", "other", "Khác", "Other"),
    ("gioi_tinh", "1", "Nam", "Male"),
    ("gioi_tinh", "2", "Nữ", "Female"),
    *[("hl5", str(code), label, en) for code, label, en in [
        (1, "Rất không hài lòng", "Very dissatisfied"), (2, "Không hài lòng", "Dissatisfied"),
        (3, "Bình thường", "Neutral"), (4, "Hài lòng", "Satisfied"),
        (5, "Rất hài lòng", "Very satisfied"), (98, "Không biết", "Don't know")]],
    ("cai_thien", "co_so", "Cơ sở vật chất", "Facilities"),
    ("cai_thien", "thu_tuc", "Đơn giản hóa thủ tục", "Simpler procedures"),
    ("cai_thien", "thoi_gian", "Rút ngắn thời gian", "Shorter time"),
]  # fmt: skip
KOBO_SURVEY = [
    # type, name, label vi, label en, required, relevant, constraint
    ("start", "start", "", "", "", "", ""),
    ("end", "end", "", "", "", "", ""),
    ("begin_group", "thong_tin", "Thông tin chung", "General", "", "", ""),
    ("select_one tinh", "tinh", "Tỉnh/thành phố", "Province", "true", "", ""),
    ("select_one linh_vuc", "linh_vuc", "Lĩnh vực thủ tục", "Field", "true", "", ""),
    ("text", "linh_vuc_khac", "Lĩnh vực khác (ghi rõ)", "Other field (specify)", "",
     "${linh_vuc} = 'other'", ""),
    ("select_one gioi_tinh", "gioi_tinh", "Giới tính", "Sex", "", "", ""),
    ("integer", "tuoi", "Tuổi", "Age", "", "", ". >= 18 and . <= 100"),
    ("text", "so_dien_thoai", "Số điện thoại", "Phone number", "", "", ""),
    ("end_group", "", "", "", "", "", ""),
    ("begin_group", "tiep_can", "Tiếp cận dịch vụ", "Access to services", "", "", ""),
    ("select_one hl5", "c1_1", "Nơi ngồi chờ có đủ chỗ ngồi", "Enough seats", "", "", ""),
    ("select_one hl5", "c1_2", "Trang thiết bị đầy đủ", "Equipment is sufficient", "", "", ""),
    ("end_group", "", "", "", "", "", ""),
    ("begin_group", "thu_tuc", "Thủ tục hành chính", "Procedures", "", "", ""),
    ("select_one hl5", "c2_1", "Thủ tục được niêm yết công khai", "Procedures posted", "",
     "", ""),
    ("select_one hl5", "c2_2", "Thời hạn giải quyết đúng quy định", "On time", "", "", ""),
    ("end_group", "", "", "", "", "", ""),
    ("select_one hl5", "hl_chung", "Mức độ hài lòng chung", "Overall satisfaction", "", "", ""),
    ("select_multiple cai_thien", "ky_vong", "Nội dung cần cải thiện", "What to improve", "",
     "", ""),
    ("text", "y_kien", "Ý kiến khác", "Other comments", "", "", ""),
]  # fmt: skip


def kobo_files(rows: int = 48) -> list[Path]:
    import datetime as dt

    import numpy as np
    import pandas as pd

    form = CORPUS / "kobo_form.xlsx"
    book = __import__("xlsxwriter").Workbook(str(form))
    book.set_properties({"created": dt.datetime(2025, 1, 1)})
    survey = book.add_worksheet("survey")
    header = ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "required",
              "relevant", "constraint"]  # fmt: skip
    for j, value in enumerate(header):
        survey.write_string(0, j, value)
    for i, row in enumerate(KOBO_SURVEY, start=1):
        for j, value in enumerate(row):
            if value:
                survey.write_string(i, j, value)
    choices = book.add_worksheet("choices")
    for j, value in enumerate(["list_name", "name", "label::Vietnamese (vi)",
                               "label::English (en)"]):  # fmt: skip
        choices.write_string(0, j, value)
    for i, row in enumerate(KOBO_CHOICES, start=1):
        for j, value in enumerate(row):
            choices.write_string(i, j, value)
    settings = book.add_worksheet("settings")
    for j, (key, value) in enumerate(
        [
            ("form_title", "Khảo sát sự hài lòng (KoboToolbox)"),
            ("form_id", "sipas_kobo"),
            ("version", "2025-03"),
            ("default_language", "Vietnamese (vi)"),
        ]
    ):
        settings.write_string(0, j, key)
        settings.write_string(1, j, value)
    book.close()

    rng = np.random.default_rng(13)
    start = pd.Timestamp("2025-03-10 08:00:00")
    records = []
    for i in range(rows):
        field = rng.choice(["dat_dai", "ho_tich", "other"], p=[0.45, 0.45, 0.1])
        picks = [c for c in ("co_so", "thu_tuc", "thoi_gian") if rng.random() < 0.4]
        when = start + pd.Timedelta(minutes=int(37 * i))
        record = {
            "start": when.isoformat(timespec="milliseconds") + "+07:00",
            "end": (when + pd.Timedelta(minutes=9)).isoformat(timespec="milliseconds") + "+07:00",
            "thong_tin/tinh": rng.choice(["hn", "qn"]),
            "thong_tin/linh_vuc": field,
            "thong_tin/linh_vuc_khac": ["Hộ tịch", "Cấp phép xây dựng"][i % 2]
            if field == "other"
            else "",
            "thong_tin/gioi_tinh": rng.choice(["1", "2"]),
            "thong_tin/tuoi": int(rng.integers(20, 70)),
            "thong_tin/so_dien_thoai": f"09{rng.integers(10**7, 10**8)}",
            **{
                f"{group}/{item}": str(rng.choice([2, 3, 4, 4, 5, 5, 98]))
                for group, item in [
                    ("tiep_can", "c1_1"),
                    ("tiep_can", "c1_2"),
                    ("thu_tuc", "c2_1"),
                    ("thu_tuc", "c2_2"),
                ]
            },
            "hl_chung": str(rng.choice([3, 4, 4, 5])),
            "ky_vong": " ".join(picks),
            **{f"ky_vong/{c}": int(c in picks) for c in ("co_so", "thu_tuc", "thoi_gian")},
            "y_kien": ["", "Nhân viên nhiệt tình", "Cần thêm ghế ngồi"][i % 3],
            "_id": 41000 + i,
            "_uuid": f"5f1c2a3b-0000-4000-8000-{i:012d}",
            "_submission_time": (when + pd.Timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%S"),
            "_validation_status": "",
            "_notes": "",
            "_status": "submitted_via_web",
            "_submitted_by": "",
            "__version__": "vH3p6Bq9x",
            "_tags": "",
            "_index": i + 1,
        }
        records.append(record)
    export = CORPUS / "kobo_export.xlsx"
    _xlsxwriter_table(pd.DataFrame(records), export, sheet="Khảo sát sự hài lòng (Kobo...")
    return [form, export]


def google_forms_file(rows: int = 36) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(21)
    sat = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    improve = ["Cơ sở vật chất", "Công khai thủ tục hành chính đầy đủ, rõ ràng hơn",
               "Rút ngắn thời gian giải quyết"]  # fmt: skip
    records = []
    for i in range(rows):
        when = pd.Timestamp("2025-04-01 07:30:00") + pd.Timedelta(minutes=53 * i)
        picks = [c for c in improve if rng.random() < 0.4]
        records.append(
            {
                "Dấu thời gian": when.strftime("%d/%m/%Y %H:%M:%S"),
                "Tỉnh/thành phố nơi làm thủ tục": rng.choice(["Hà Nội", "Vĩnh Long"]),
                "Lĩnh vực thủ tục": rng.choice(["Đất đai", "Hộ tịch", "Công chứng, chứng thực"]),
                "Nơi ngồi chờ có đủ chỗ ngồi": rng.choice(sat[1:]),
                "Trang thiết bị phục vụ đầy đủ": rng.choice(sat[1:]),
                "Công chức có thái độ giao tiếp lịch sự": rng.choice(sat[1:]),
                "Công chức hướng dẫn kê khai hồ sơ tận tình": rng.choice(sat[1:]),
                "Mức độ hài lòng chung": rng.choice(sat[2:]),
                "Nội dung cần cải thiện": ", ".join(picks),
            }
        )
    path = CORPUS / "google_forms.csv"
    pd.DataFrame(records).to_csv(path, index=False, encoding="utf-8")
    return path


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    original = demo_small()
    made = [original, *libreoffice_copies(original), *spss_files(), *kobo_files()]
    made += offset_files() + merged_files()
    for path in [*made, google_forms_file()]:
        print(f"{path.relative_to(HERE)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
