"""Write responses.csv of the Google Forms-style ward fixture with Python's csv module.

Shaped as a Google Forms response sheet downloaded as CSV: a "Dấu thời gian" timestamp
first, the question texts as headers, answers as the option labels, optional questions
left blank, free text with the odd phone number. Three wards of one city answered a link
posted on Zalo (a self-selected sample); there is no province and no field column. Seeded
(random.Random(615)), so the file is the same on every run; written by the standard library,
not by the package's writers. Run from this folder: ``python make_ward_forms.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

WARD = "Anh/chị làm thủ tục tại phường nào?"
QUESTIONS = [
    "Công chức tiếp nhận có hướng dẫn tận tình không?",
    "Hồ sơ có được giải quyết đúng hẹn không?",
    "Nơi tiếp nhận có đủ chỗ ngồi, sạch sẽ không?",
    "Nhìn chung, anh/chị có hài lòng với việc giải quyết thủ tục không?",
]
COMMENT = "Anh/chị có góp ý gì thêm?"
PHONE = "Số điện thoại (không bắt buộc)"
HEADER = ["Dấu thời gian", WARD, *QUESTIONS, COMMENT, PHONE]
WARDS = {"Phường Hòa Bình": 0.80, "Phường Tân An": 0.65, "Phường Thới Bình": 0.50}
ANSWERS = ("Hài lòng", "Bình thường", "Không hài lòng")
COMMENTS = (
    "Cán bộ nhiệt tình",
    "Chờ hơi lâu",
    "Nên có thêm ghế ngồi",
    "Gọi cho tôi 0912 345 678 nếu cần",
    "Thủ tục nhanh gọn",
)


def _answer(rng: random.Random, satisfied: float) -> str:
    draw = rng.random()
    if draw < 0.05:
        return ""  # an optional question left blank
    if draw < satisfied:
        return ANSWERS[0]
    return ANSWERS[1] if draw < satisfied + (1 - satisfied) / 2 else ANSWERS[2]


def main(folder: Path = Path(__file__).parent, forms: int = 90) -> Path:
    rng = random.Random(615)
    start = dt.datetime(2025, 3, 3, 7, 30, 5)
    path = folder / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADER)
        for number in range(forms):
            ward = list(WARDS)[number % len(WARDS)]
            stamp = start + dt.timedelta(minutes=97 * number, seconds=number % 50)
            answers = [_answer(rng, WARDS[ward]) for _ in QUESTIONS]
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
            phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.2 else ""
            when = f"{stamp.day}/{stamp.month}/{stamp.year} {stamp:%H:%M:%S}".replace(" 0", " ")
            writer.writerow([when, ward, *answers, comment, phone])
    return path


if __name__ == "__main__":
    main()
