"""Write responses.csv of the small quota-poll fixture with Python's csv module.

A Ban Tuyên giáo-style poll: 2 communes x 3 respondent groups, 4 forms per cell (24 forms),
a 3-level scale typed as labels, as a team keys paper forms into a sheet and saves it as
CSV. The rows are listed here in full so the tests can count them by hand; the file is
written by the standard library, not by the package's writers. Run from this folder:
``python make_quota_poll.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["ma_phieu", "xa", "nhom", "c1", "c2", "hl_chung", "y_kien"]
H, B, K = "Hài lòng", "Bình thường", "Không hài lòng"
# (commune, group code, c1, c2, overall, comment) -- 4 forms per quota cell
ROWS = [
    ("Xã An Phú", 1, H, H, H, ""),
    ("Xã An Phú", 1, H, B, H, ""),
    ("Xã An Phú", 1, H, H, H, "Cán bộ nhiệt tình"),
    ("Xã An Phú", 1, B, H, H, ""),
    ("Xã An Phú", 2, H, K, B, ""),
    ("Xã An Phú", 2, H, H, H, ""),
    ("Xã An Phú", 2, B, B, B, "Cần rút ngắn thời gian"),
    ("Xã An Phú", 2, H, H, H, ""),
    ("Xã An Phú", 3, K, K, K, "Chờ lâu"),
    ("Xã An Phú", 3, H, B, B, ""),
    ("Xã An Phú", 3, B, K, K, ""),
    ("Xã An Phú", 3, H, H, H, ""),
    ("Phường Bình Minh", 1, H, H, H, ""),
    ("Phường Bình Minh", 1, H, H, H, ""),
    ("Phường Bình Minh", 1, H, H, B, ""),
    ("Phường Bình Minh", 1, H, B, H, ""),
    ("Phường Bình Minh", 2, H, H, H, ""),
    ("Phường Bình Minh", 2, B, H, H, ""),
    ("Phường Bình Minh", 2, H, H, H, ""),
    ("Phường Bình Minh", 2, K, B, B, ""),
    ("Phường Bình Minh", 3, H, K, B, "Thủ tục còn rườm rà"),
    ("Phường Bình Minh", 3, K, K, K, ""),
    ("Phường Bình Minh", 3, B, H, H, ""),
    ("Phường Bình Minh", 3, H, H, H, ""),
]


def main(folder: Path = Path(__file__).parent) -> Path:
    path = folder / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, row in enumerate(ROWS, start=1):
            writer.writerow([f"P{number:03d}", *row])
    return path


if __name__ == "__main__":
    main()
