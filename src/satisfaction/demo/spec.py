"""The demo survey's fixed facts: seeds and waves, the planted changes and dirt counts,
provinces, fields, elements and criteria, the workbook's columns, and `DemoSurvey`.

The generator (`sipas`), its parts (`respondents`, `dirt`) and the writer (`workbook`) all
read them from here; `sipas`'s docstring tells the story they encode.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "COLUMNS",
    "CRITERIA",
    "DEMO_PROVINCES",
    "DEMO_SEED",
    "GROUP_HEADER",
    "NULL_CHANGE",
    "PLANTED",
    "PLANTED_CHANGES",
    "PREVIOUS_WAVE",
    "DemoSurvey",
]

DEMO_SEED = 2025
PREVIOUS_WAVE = 2024
# (province, field or None, element or None) -> latent change from PREVIOUS_WAVE to DEMO_SEED
PLANTED_CHANGES: dict[tuple[str, str | None, str | None], float] = {
    ("Hà Nội", "Đất đai", None): 0.6,
    ("Vĩnh Long", None, "E3"): -1.1 * (1 - 0.15),
}
NULL_CHANGE = ("Hà Nội", "Công chứng, chứng thực")  # (province, field): nothing planted

PLANTED: dict[str, int] = {
    "label_to_code": 120,
    "missing_dont_know": 160,
    "missing_refused": 40,
    "missing_blank": 200,
    "out_of_range": 40,
    "unknown_label": 15,
    "field_synonym": 300,
    "field_unmatched": 12,
    "province_pre2025": 105,
    "province_standardised": 80,
    "nfc": 50,
    "whitespace": 70,
    "legacy_tcvn3": 250,
    "legacy_vni": 40,
    "leading_zeros": 90,
    "personal_scrubbed": 30,
    "duplicate_exact": 25,
    "duplicate_conflict": 16,
    "near_duplicate": 12,
    "straightlining": 40,
    "blank_row": 3,
    "totals_row": 1,
}


@dataclass(frozen=True)
class _Province:
    name: str
    code: str
    commune_code_prefix: str
    effect: float
    e3_effect: float
    minority_share: float
    old_name: str | None = None


DEMO_PROVINCES: tuple[_Province, ...] = (
    _Province("Hà Nội", "HN", "00", 0.15, 0.0, 0.03),
    _Province("Hải Phòng", "HP", "11", 0.05, 0.0, 0.02, old_name="Hải Dương"),
    _Province("Vĩnh Long", "VL", "29", 0.0, -1.1, 0.10, old_name="Trà Vinh"),
    _Province("Đắk Lắk", "DL", "24", -0.1, 0.0, 0.35),
)

# field label -> (sampling share, latent effect). Land lowest, civil registration highest.
_FIELDS: dict[str, tuple[float, float]] = {
    "Đất đai": (0.30, -0.75),
    "Bảo hiểm y tế": (0.20, 0.05),
    "Công chứng, chứng thực": (0.15, 0.0),
    "Hộ tịch": (0.25, 0.55),
    "Xây dựng": (0.10, -0.35),
}

_ELEMENTS: dict[str, list[str]] = {
    "E1": ["c1_1", "c1_2", "c1_3", "c1_4"],
    "E2": ["c2_1", "c2_2", "c2_3", "c2_4", "c2_5"],
    "E3": ["c3_1", "c3_2", "c3_3", "c3_4", "c3_5", "c3_6"],
    "E4": ["c4_1", "c4_2", "c4_3"],
    "E5": ["c5_1", "c5_2", "c5_3", "c5_4"],
}
CRITERIA = [c for items in _ELEMENTS.values() for c in items]
_CRITERION_EFFECT = {"c1_1": -0.25, "c2_5": -0.3, "c5_3": -0.3, "c5_4": -0.35, "c4_3": 0.1}
# how much each element drives overall satisfaction (the drivers analysis should find E3, E2)
_OVERALL_DRIVERS = {"E1": 0.10, "E2": 0.30, "E3": 0.35, "E4": 0.15, "E5": 0.10}
_ELEMENT_SATISFACTION = {"E1": "e1", "E2": "e2", "E3": "e3", "E4": "e4", "E5": "e5"}
# expectation option -> element it asks to improve (option 7 is online services)
_EXPECTATION_ELEMENT = {1: "E1", 2: "E2", 3: "E2", 4: "E4", 5: "E3", 6: "E5"}

GROUP_HEADER = [
    (
        "Thông tin phiếu",
        [
            "ma_phieu",
            "tinh",
            "xa",
            "ma_xa",
            "khu_vuc",
            "tang",
            "trong_so",
            "dtv",
            "ngay",
            "linh_vuc",
        ],
    ),
    (
        "Thông tin người trả lời",
        ["ho_ten", "so_dien_thoai", "dia_chi", "gioi_tinh", "tuoi", "dan_toc", "nhom"],
    ),
    ("Tiếp cận dịch vụ", _ELEMENTS["E1"]),
    ("Thủ tục hành chính", _ELEMENTS["E2"]),
    ("Công chức", _ELEMENTS["E3"]),
    ("Kết quả", _ELEMENTS["E4"]),
    ("Tiếp nhận, xử lý góp ý", _ELEMENTS["E5"]),
    ("Hài lòng theo yếu tố và chung", ["e1", "e2", "e3", "e4", "e5", "hl_chung"]),
    ("Kỳ vọng và góp ý", ["ky_vong", "y_kien"]),
]
COLUMNS = [c for _, cols in GROUP_HEADER for c in cols]


@dataclass(frozen=True)
class DemoSurvey:
    """A generated wave: the raw cells as keyed, the truth behind them, and what was planted.

    `raw` holds the values exactly as they go into the workbook (codes, typed labels, dirt);
    `truth`, row for row, the values cleaning must produce (None where the answer is
    missing) plus `quarantined`, `straightlining` and `near_duplicate` flags; `planted` the
    exact count of each kind of dirt; `blank_rows_after` the data rows followed by a blank row.
    """

    raw: pd.DataFrame
    truth: pd.DataFrame
    planted: dict[str, int]
    blank_rows_after: tuple[int, ...]
    wave: int
