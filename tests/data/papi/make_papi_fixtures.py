"""Write the small PAPI-style workbooks in this folder, saved as xlsx by LibreOffice.

Run from the repository root:  python tests/data/papi/make_papi_fixtures.py
(needs `soffice`). Each workbook is first written as a flat OpenDocument spreadsheet (.fods,
plain XML with formulas), then LibreOffice computes the formulas and saves the .xlsx the
tests read -- so the tests read a file written by another program, with cached formula
values, as published workbooks are.

papi_two_eras.xlsx
  "2017_PAPI": 6 dimensions (sub-dimensions 2, 2, 2, 1, 1, 1), one header row in English and
  one in Vietnamese, provinces 1, 2, 4, 6; Bắc Kạn (6) has every score empty and a formula
  total (=0); a "999 / Highest / Điểm cao nhất" row of column maxima; trailing blank rows.
  "2018 PAPI": 8 dimensions (the two new ones with one sub-dimension each), Vietnamese
  header only, totals typed as values; "Ghi chú": a notes sheet (not a table).
papi_bad_cell.xlsx
  as 2017 above, but Hà Giang's first sub-dimension holds the text "n/a".
papi_bad_code.xlsx
  as 2017 above, but a row with code 97 (no such province).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

DIMS_2017 = [
    ("Participation at Local Levels", "Tham gia của người dân ở cấp cơ sở",
     [("Civic Knowledge", "Tri thức công dân"), ("Quality of Elections", "Chất lượng bầu cử")]),
    ("Transparency", "Công khai, minh bạch",
     [("Poverty Lists", "Danh sách hộ nghèo"), ("Land-Use Plans", "Kế hoạch sử dụng đất")]),
    ("Vertical Accountability", "Trách nhiệm giải trình với người dân",
     [("Interactions With Local Authorities", "Hiệu quả tương tác"),
      ("People's Inspection Boards", "Ban thanh tra nhân dân")]),
    ("Control of Corruption", "Kiểm soát tham nhũng trong khu vực công",
     [("Equity in Employment", "Công bằng trong tuyển dụng")]),
    ("Public Administrative Procedures", "Thủ tục hành chính công",
     [("Certification Procedures", "Chứng thực/xác nhận")]),
    ("Public Service Delivery", "Cung ứng dịch vụ công",
     [("Public Health", "Y tế công lập")]),
]  # fmt: skip
NEW_2018 = [
    ("Environmental Governance", "Quản trị môi trường", [("Air Quality", "Chất lượng không khí")]),
    ("E-Governance", "Quản trị điện tử", [("Use of E-Portals", "Sử dụng cổng điện tử")]),
]
PROVINCES = [(1, "Ha Noi", "Hà Nội"), (2, "Ha Giang", "Hà Giang"), (4, "Cao Bang", "Cao Bằng"),
             (6, "Bac Kan", "Bắc Kạn")]  # fmt: skip


def _sub_scores(code: int, k: int, j: int, dim: int) -> float:
    """A deterministic score within the sub-dimension's share 10/k."""
    return round((10 / k) * (0.45 + 0.05 * ((code + 3 * j + 5 * dim) % 9)), 6)


def _cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, tuple):  # (formula, the value a spreadsheet would have cached)
        formula, cached = value
        return (
            f'<table:table-cell table:formula="of:{escape(formula)}" '
            f'office:value-type="float" office:value="{cached!r}"/>'
        )
    if isinstance(value, int | float):
        return f'<table:table-cell office:value-type="float" office:value="{value!r}"/>'
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def _col(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _year_sheet(dims, *, english: bool, formula_total: bool, bad=None) -> list[list]:
    head_en = ["tinhid", "tentinh_eng", "tentinh_vie"]
    head_vi = list(head_en)
    for en, vi, subs in dims:
        head_en += [en, *(s[0] for s in subs)]
        head_vi += [vi, *(s[1] for s in subs)]
    head_en.append("Un-weighted2015PAPI")
    head_vi.append("Chỉ số PAPI (không có trọng số)")
    rows = [head_en, head_vi] if english else [head_vi]
    first_data = len(rows) + 1
    for code, en_name, vi_name in PROVINCES:
        row: list = [code, en_name, vi_name]
        dim_cols = []
        for d, (_en, _vi, subs) in enumerate(dims):
            scores = [_sub_scores(code, len(subs), j, d) for j in range(len(subs))]
            if code == 6:
                row += [None] * (1 + len(subs))
            else:
                row += [round(sum(scores), 6), *scores]
            dim_cols.append(len(row) - len(subs) - 1)
        if formula_total or code == 6:
            excel_row = len(rows) + 1
            formula = "=" + "+".join(f"[.{_col(c)}{excel_row}]" for c in dim_cols)
            row.append((formula, round(sum(row[c] or 0 for c in dim_cols), 6)))
        else:
            row.append(round(sum(row[c] for c in dim_cols), 6))
        rows.append(row)
    n_cols = len(rows[0])
    last = first_data + len(PROVINCES) - 1
    highest: list = [999, "Highest", "Điểm cao nhất"]
    for c in range(3, n_cols):
        column = [r[c][1] if isinstance(r[c], tuple) else r[c] for r in rows[first_data - 1 :]]
        top = max(v for v in column if v is not None)
        highest.append((f"=MAX([.{_col(c)}{first_data}:.{_col(c)}{last}])", top))
    rows.append(highest)
    if bad is not None:
        bad(rows)
    rows += [[None] * n_cols, [None] * n_cols]
    return rows


def _fods(sheets: dict[str, list[list]]) -> str:
    tables = []
    for name, rows in sheets.items():
        body = "".join(
            "<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        tables.append(f'<table:table table:name="{escape(name)}">{body}</table:table>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
        'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
        "<office:body><office:spreadsheet>" + "".join(tables) + "</office:spreadsheet>"
        "</office:body></office:document>\n"
    )


def _convert(name: str, sheets: dict[str, list[list]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{name}.fods"
        source.write_text(_fods(sheets), encoding="utf-8")
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", tmp, str(source)],
            check=True,
            capture_output=True,
        )
        shutil.copy(Path(tmp) / f"{name}.xlsx", HERE / f"{name}.xlsx")


def _bad_cell(rows: list[list]) -> None:
    rows[3][4] = "n/a"  # Hà Giang (Excel row 4), first sub-dimension (column E)


def _bad_code(rows: list[list]) -> None:
    rows.insert(-1, [97, "Nowhere", "Không rõ"] + [1.0] * (len(rows[0]) - 3))


def main() -> None:
    two_eras = {
        "2017_PAPI": _year_sheet(DIMS_2017, english=True, formula_total=True),
        "2018 PAPI": _year_sheet(DIMS_2017 + NEW_2018, english=False, formula_total=False),
        "Ghi chú": [["Nguồn: số liệu minh hoạ, không phải PAPI thật."]],
    }
    _convert("papi_two_eras", two_eras)
    for name, bad in (("papi_bad_cell", _bad_cell), ("papi_bad_code", _bad_code)):
        sheet = _year_sheet(DIMS_2017, english=True, formula_total=True, bad=bad)
        _convert(name, {"2017_PAPI": sheet})


if __name__ == "__main__":
    main()
