# ruff: noqa: E501  (one dossier per line: the rows read as the export does)
"""Write the hand-counted dossier exports the one-stop tests read (run from this folder).

`ho_so_mot_cua.csv` looks like a vendor's export: UTF-8 with BOM, a title line and a blank
line above the header, Vietnamese headers, dd/mm/yyyy dates, a totals row at the bottom.
`ho_so_mot_cua.xlsx` is the same file opened and saved by LibreOffice (headless, Vietnamese
locale, so dd/mm/yyyy cells become real Excel dates and the rating "5" a number) -- written
by another program than ours. Every expected count in tests/cleaning/test_dossiers.py and
tests/studies/test_onestop.py was counted by hand from the rows below (comments say what
each row is for).

    python make_fixtures.py        # needs LibreOffice (soffice) on PATH for the .xlsx
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = [
    "STT", "Mã hồ sơ", "Đơn vị", "Lĩnh vực", "Thủ tục", "Kênh nộp", "Mức độ",
    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái", "Đánh giá", "Phản ánh",
]  # fmt: skip
A, B = "UBND phường An Hòa", "UBND xã Bình Minh"
LAND, CIVIL, CERT = "Đất đai", "Hộ tịch", "Chứng thực"
ONLINE, DIRECT, POSTAL = "Trực tuyến", "Trực tiếp", "Bưu chính công ích"
DONE, WORKING = "Đã trả kết quả", "Đang xử lý"
P_LAND, P_BIRTH, P_COPY = "Đăng ký biến động đất đai", "Đăng ký khai sinh", "Chứng thực bản sao"

ROWS = [
    # id, unit, field, procedure, channel, level, received, due, returned, status, rating, compl.
    ("HS001", A, LAND, P_LAND, ONLINE, "Toàn trình", "02/01/2025", "10/01/2025", "08/01/2025", DONE, "Hài lòng", ""),  # early
    ("HS002", A, LAND, P_LAND, DIRECT, "", "03/01/2025", "13/01/2025", "13/01/2025", DONE, "", ""),  # on the day
    ("HS003", A, LAND, P_LAND, DIRECT, "", "06/01/2025", "14/01/2025", "20/01/2025", DONE, "Không hài lòng", ""),  # late
    ("HS004", A, LAND, P_LAND, POSTAL, "", "07/01/2025", "15/01/2025", "22/01/2025", DONE, "", ""),  # late
    ("HS005", A, LAND, P_LAND, ONLINE, "Một phần", "20/01/2025", "28/01/2025", "05/02/2025", DONE, "Rất hài lòng", ""),  # late, Feb
    ("HS006", A, LAND, P_LAND, ONLINE, "Toàn trình", "27/01/2025", "10/02/2025", "", WORKING, "", ""),  # pending
    ("HS007", A, CIVIL, P_BIRTH, ONLINE, "Toàn trình", "02/01/2025", "03/01/2025", "03/01/2025", DONE, "Bình thường", ""),
    ("HS008", A, CIVIL, P_BIRTH, DIRECT, "", "02/01/2025", "03/01/2025", "02/01/2025", DONE, "Hài lòng", "Có"),
    ("HS009", A, CIVIL, P_BIRTH, ONLINE, "Toàn trình", "09/01/2025", "10/01/2025", "09/01/2025", DONE, "", ""),
    ("HS010", A, CIVIL, P_BIRTH, DIRECT, "", "12/02/2025", "13/02/2025", "13/02/2025", DONE, "Hài lòng", ""),
    ("HS011", A, CIVIL, P_BIRTH, ONLINE, "Toàn trình", "14/02/2025", "17/02/2025", "", "Rút hồ sơ", "", ""),
    ("HS012", B, LAND, P_LAND, DIRECT, "", "03/01/2025", "17/01/2025", "16/01/2025", DONE, "Hài lòng", ""),
    ("HS013", B, LAND, P_LAND, ONLINE, "Một phần", "10/01/2025", "24/01/2025", "24/01/2025", DONE, "Rất không hài lòng", ""),
    ("HS014", B, CERT, P_COPY, DIRECT, "", "15/01/2025", "15/01/2025", "15/01/2025", DONE, "5", ""),
    ("HS015", B, CERT, P_COPY, DIRECT, "", "15/01/2025", "15/01/2025", "15/01/2025", DONE, "", ""),
    # dirty rows, one rule each
    ("HS003", A, LAND, P_LAND, DIRECT, "", "06/01/2025", "14/01/2025", "20/01/2025", DONE, "Không hài lòng", ""),  # exported twice
    ("HS016", B, LAND, P_LAND, DIRECT, "", "06/01/2025", "20/01/2025", "17/01/2025", DONE, "", ""),  # same id,
    ("HS016", B, LAND, P_LAND, DIRECT, "", "06/01/2025", "20/01/2025", "21/01/2025", DONE, "", ""),  # other content
    ("HS017", A, LAND, P_LAND, DIRECT, "", "08/01/2025", "16/01/2025", "05/01/2025", DONE, "", ""),  # returned first
    ("HS018", A, LAND, P_LAND, DIRECT, "", "08/01/2025", "16/01/2025", "", "Đã chuyển xử lý", "", ""),  # status
    ("HS019", B, CERT, P_COPY, "Zalo", "", "09/01/2025", "09/01/2025", "09/01/2025", DONE, "", ""),  # channel
    ("HS020", B, CERT, P_COPY, DIRECT, "", "32/01/2025", "09/01/2025", "09/01/2025", DONE, "", ""),  # received
    None,  # a blank row in the middle
    ("", B, CERT, P_COPY, DIRECT, "", "10/01/2025", "10/01/2025", "10/01/2025", DONE, "", ""),  # no id
    ("HS021", B, CERT, P_COPY, DIRECT, "", "10/01/2025", "10/01/2025", "", DONE, "", ""),  # no return date
    # kept rows with logged values
    ("HS022", unicodedata.normalize("NFD", "UBND  phường An Hòa"), LAND, P_LAND, DIRECT, "", "13/02/2025", "27/02/2025", "26/02/2025", DONE, "Hài lòng", ""),
    ("HS023", B, LAND, P_LAND, DIRECT, "", "2025-02-03", "30/02/2025", "10/02/2025", DONE, "7", ""),  # bad due, rating
    ("HS024", B, CERT, P_COPY, "", "", "17/02/2025", "17/02/2025", "17/02/2025", "", "", ""),  # blank channel, status
    ("HS025", A, CIVIL, P_BIRTH, DIRECT, "", "20/02/2025", "21/02/2025", "20/02/2025", WORKING, "Hài lòng", ""),
    ("HS026", B, CERT, P_COPY, DIRECT, "", "18/02/2025", "18/02/2025", "18/02/2025", DONE, "", "Có"),
]  # fmt: skip


def write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["BÁO CÁO CHI TIẾT HỒ SƠ TIẾP NHẬN QUA HỆ THỐNG MỘT CỬA ĐIỆN TỬ"])
        out.writerow([])
        out.writerow(HEADER)
        number = 0
        for row in ROWS:
            if row is None:
                out.writerow([""] * len(HEADER))
                continue
            number += 1
            out.writerow([number, *row])
        out.writerow(["Tổng cộng", number, *[""] * (len(HEADER) - 2)])


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for the .xlsx fixture")
    with tempfile.TemporaryDirectory() as tmp:
        # separator ",", quote '"', UTF-8, from line 1, standard columns, Vietnamese locale
        options = "44,34,76,1,,1066,false,true"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--infilter=CSV:" + options, "--convert-to", "xlsx:Calc MS Excel 2007 XML",
             "--outdir", tmp, str(csv_path)],
            check=True, capture_output=True,
        )  # fmt: skip
        shutil.move(Path(tmp) / (csv_path.stem + ".xlsx"), xlsx_path)


if __name__ == "__main__":
    csv_path = HERE / "ho_so_mot_cua.csv"
    write_csv(csv_path)
    write_xlsx(csv_path, HERE / "ho_so_mot_cua.xlsx")
    print(f"wrote {csv_path.name} and ho_so_mot_cua.xlsx")
