"""The seeded generator of the demo survey: synthetic SIPAS-style responses, clearly labelled.

`write_demo_survey()` rebuilds `surveys/demo/` byte-for-byte from the seed: an Excel
workbook as field teams deliver it (title row, two-row header, blank rows, a totals row)
and an instrument that extends the SIPAS one with the data source and the sampling design.

The design: 4 provinces (current names) x urban/rural = 8 strata; in each stratum 8-12
communes (PSUs) drawn with probability proportional to size, then 75-125 adults per commune;
the weight is the inverse of the two-stage selection probability, so weights are unequal.

The story the figures should show: land (đất đai) is the least satisfying field and civil
registration (hộ tịch) the most; Vĩnh Long is weak on civil-servant attitude (element E3).

Two waves. `surveys/demo/` is wave 2025; `surveys/demo-2024/` is the previous wave
(`PREVIOUS_WAVE`), drawn by the same generator with its own random stream (seed and wave
together seed it, so the two samples are independent: new communes, new respondents) and
the same instrument version (both extend ../sipas/instrument.yaml), so the change analysis
may compare them. The changes planted from 2024 to 2025 (`PLANTED_CHANGES`), on the latent
satisfaction scale every answer is cut from:

- Hà Nội, đất đai: +0.6 (land was worse in Hà Nội in 2024): a rise of every land criterion;
- Vĩnh Long, element E3 (công chức): its weakness was 15% as strong in 2024 (-0.165 on the
  E3 criteria), 100% in 2025 (-1.1): a fall of the six E3 criteria in every field there;
- nothing else: in particular công chứng, chứng thực in Hà Nội (`NULL_CHANGE`) has no
  planted change, and a design-based test of it must not find one.

Planted dirt -- every number below is exact, asserted by the generator itself, and the
tests assert that cleaning finds exactly these (see `PLANTED`):

=====================  =====  ==========================================================
rule                   count  what was planted
=====================  =====  ==========================================================
label_to_code            120  likert cells typed as labels ("Hài lòng", "hai long",
                              "4 - Hài lòng", NFD, capitals, stray spaces)
missing_dont_know        160  likert cells: 150 coded 98, 10 typed "Không biết"
missing_refused           40  likert cells coded 99
missing_blank            200  likert cells left blank
out_of_range              40  30 likert cells coded 0/6/7/44; 10 ages of 7 or 150
unknown_label             15  likert cells holding "tốt", "ok", "x"
field_synonym            300  field cells typed with a synonym ("Cấp GCN QSDĐ", "BHYT", ...)
field_unmatched           12  field cells no synonym matches ("Thuế", "Khác", "???")
province_pre2025         105  60 "Hải Dương" (now Hải Phòng), 45 "Trà Vinh" (now Vĩnh Long)
province_standardised     80  "Ha Noi", "TP. Hà Nội", "Thành phố Hải Phòng", "tinh Vinh Long"
nfc                       50  province cells keyed in decomposed Unicode (NFD)
whitespace                70  commune cells with leading/trailing/double spaces
legacy_tcvn3             250  commune names keyed in TCVN3 (ABC) by one Đắk Lắk team
legacy_vni                40  comments keyed in VNI
leading_zeros             90  commune codes keyed as numbers ("4" for "00004")
personal_scrubbed         30  comments that carry a phone number
duplicate_exact           25  forms keyed twice, identical (the copy is quarantined)
duplicate_conflict        16  8 form ids used twice with different answers (both out)
near_duplicate            12  pairs of forms with different ids, 1 answer apart (flagged)
straightlining            40  forms answering all 22 criteria with one code (flagged)
blank_row                  3  blank rows in the middle of the sheet
totals_row                 1  a "Tổng cộng" row at the bottom
=====================  =====  ==========================================================
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEMO_PROVINCES",
    "DEMO_SEED",
    "NULL_CHANGE",
    "PLANTED",
    "PLANTED_CHANGES",
    "PREVIOUS_WAVE",
    "DemoSurvey",
    "demo_workbook_bytes",
    "generate_demo",
    "write_demo_survey",
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
_FIELD_SYNONYMS: dict[str, list[str]] = {
    "Đất đai": ["Cấp GCN QSDĐ", "dat dai", "Sổ đỏ", "ĐẤT ĐAI"],
    "Bảo hiểm y tế": ["BHYT", "bảo hiểm y tế", "BHYT - BHXH"],
    "Công chứng, chứng thực": ["Chứng thực", "Công chứng", "cong chung"],
    "Hộ tịch": ["Đăng ký khai sinh", "Kết hôn", "ho tich"],
    "Xây dựng": ["GPXD", "Cấp phép xây dựng", "xay dung"],
}
_UNMATCHED_FIELDS = ["Thuế", "Khác", "???"]

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

_COMMUNE_PARTS = [
    "An",
    "Bình",
    "Hòa",
    "Phú",
    "Tân",
    "Thạnh",
    "Long",
    "Mỹ",
    "Phước",
    "Hưng",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Thuận",
    "Lợi",
    "Hiệp",
    "Thành",
    "Quang",
    "Trung",
    "Nghĩa",
    "Đức",
    "Hải",
    "Xuân",
    "Hồng",
    "Lộc",
    "Khánh",
    "Vĩnh",
    "Minh",
    "Kiến",
]
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
_MIDDLE = {1: ["Văn", "Hữu", "Đức", "Minh"], 2: ["Thị", "Ngọc", "Thu", "Thanh"]}
_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hạnh",
    "Lan",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
_STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung"]
_COMMENTS = {
    "Đất đai": [
        "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn rườm rà",
        "Thời gian giải quyết hồ sơ đất đai quá lâu",
        "Phải đi lại nhiều lần",
    ],
    "Bảo hiểm y tế": [
        "Cần rút ngắn thời gian cấp thẻ bảo hiểm y tế",
        "Cán bộ hướng dẫn nhiệt tình",
    ],
    "Công chứng, chứng thực": [
        "Phí chứng thực cần niêm yết rõ ràng hơn",
        "Nơi ngồi chờ chật chội",
    ],
    "Hộ tịch": ["Cán bộ hướng dẫn nhiệt tình, chu đáo", "Thủ tục khai sinh nhanh gọn"],
    "Xây dựng": ["Thời gian cấp phép xây dựng quá lâu", "Hồ sơ xây dựng còn nhiều giấy tờ"],
}
_LABELS_TYPED = {
    1: ["Rất không hài lòng", "rất không hài lòng", "1 - Rất không hài lòng"],
    2: ["Không hài lòng", "khong hai long", "KHÔNG HÀI LÒNG"],
    3: ["Bình thường", "binh thuong", "3. Bình thường"],
    4: ["Hài lòng", "hài lòng ", "HÀI LÒNG", "4 - Hài lòng", "hai long", " Hài Lòng"],
    5: ["Rất hài lòng", "rat hai long", "5 - Rất hài lòng", "Rất  hài lòng"],
}
_UNKNOWN_LABELS = ["tốt", "ok", "x"]
_OUT_OF_RANGE = [0, 6, 7, 44]

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
TITLE = (
    "KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG VỀ SỰ PHỤC VỤ HÀNH CHÍNH — DỮ LIỆU MÔ PHỎNG "
    "(SYNTHETIC DEMO DATA, seed {seed}, wave {wave}; không phải số liệu thật)"
)
SHEET = "Dữ liệu"


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


def _latent_to_code(latent: np.ndarray) -> np.ndarray:
    cuts = np.array([-1.9, -1.0, 0.15, 1.7])
    return 1 + (latent[..., None] > cuts).sum(axis=-1)


def _sample_design(rng: np.random.Generator) -> pd.DataFrame:
    """Communes drawn PPS in each province x area stratum, with their sample sizes."""
    rows = []
    used_parts: set[str] = set()
    for prov in DEMO_PROVINCES:
        for area in (1, 2):
            n_psu = int(rng.integers(8, 13))
            n_pop = int(rng.integers(40, 90))
            sizes = np.round(rng.lognormal(8.0, 0.5, size=n_pop)).astype(int) + 500
            # systematic PPS; the largest units are certainty-capped by construction
            total = sizes.sum()
            step = total / n_psu
            start = rng.uniform(0, step)
            points = start + step * np.arange(n_psu)
            chosen = np.searchsorted(np.cumsum(sizes), points)
            chosen = np.unique(chosen)
            while len(chosen) < n_psu:  # pragma: no cover - a size above step: redraw
                chosen = np.unique(np.append(chosen, rng.integers(0, n_pop)))
            for k, idx in enumerate(chosen):
                size = int(sizes[idx])
                n_resp = int(rng.integers(75, 126))
                pi_psu = min(1.0, n_psu * size / total)
                weight = 1.0 / (pi_psu * (n_resp / size))
                while True:
                    part = f"{rng.choice(_COMMUNE_PARTS)} {rng.choice(_COMMUNE_PARTS)}"
                    if part not in used_parts and len(set(part.split())) == 2:
                        used_parts.add(part)
                        break
                kind = "Phường" if area == 1 else "Xã"
                number = int(rng.integers(1, 999))
                rows.append(
                    {
                        "province": prov.name,
                        "area": area,
                        "stratum": f"{prov.code}-{'TT' if area == 1 else 'NT'}",
                        "commune": f"{kind} {part}",
                        "commune_code": f"{prov.commune_code_prefix}{number:03d}",
                        "psu_index": k,
                        "n": n_resp,
                        "weight": round(weight, 4),
                    }
                )
    design = pd.DataFrame(rows)
    # commune codes must be unique: bump collisions deterministically
    seen: set[str] = set()
    codes = []
    for code in design["commune_code"]:
        while code in seen:
            code = f"{code[:2]}{(int(code[2:]) + 7) % 1000:03d}"
        seen.add(code)
        codes.append(code)
    design["commune_code"] = codes
    return design


def _respondents(
    rng: np.random.Generator, design: pd.DataFrame, wave: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per respondent with clean codes; also the latent element means."""
    psu = design.loc[design.index.repeat(design["n"])].reset_index(drop=True)
    n = len(psu)
    prov_by_name = {p.name: p for p in DEMO_PROVINCES}
    field_names = list(_FIELDS)
    field_probs = np.array([_FIELDS[f][0] for f in field_names])
    field_idx = rng.choice(len(field_names), size=n, p=field_probs / field_probs.sum())
    field = np.array(field_names, dtype=object)[field_idx]
    sex = np.where(rng.random(n) < 0.48, 1, 2)
    age = np.clip(np.round(rng.triangular(18, 38, 80, size=n)), 18, 80).astype(int)
    minority = np.array([prov_by_name[p].minority_share for p in psu["province"]])
    ethnicity = np.where(rng.random(n) < minority, 2, 1)
    group = np.where(rng.random(n) < 0.15, 2, 1)

    prov_effect = np.array([prov_by_name[p].effect for p in psu["province"]])
    e3_effect = np.array([prov_by_name[p].e3_effect for p in psu["province"]])
    field_effect = np.array([_FIELDS[f][1] for f in field])
    if wave != DEMO_SEED:
        # the previous wave: land was worse in Hà Nội, Vĩnh Long's E3 was not yet weak
        in_hn = (psu["province"] == "Hà Nội").to_numpy()
        field_effect = field_effect - PLANTED_CHANGES[("Hà Nội", "Đất đai", None)] * (
            (field == "Đất đai") & in_hn
        )
        e3_effect = e3_effect * 0.15
    psu_effect = rng.normal(0, 0.35, size=len(design))[
        np.repeat(np.arange(len(design)), design["n"])
    ]
    person = rng.normal(0, 0.8, size=n)
    base = 1.45 + prov_effect + field_effect + psu_effect + person + 0.12 * (group == 1)

    codes: dict[str, np.ndarray] = {}
    element_latent = np.zeros((n, len(_ELEMENTS)))
    for e, (element, items) in enumerate(_ELEMENTS.items()):
        element_shift = rng.normal(0, 0.45, size=n) + (e3_effect if element == "E3" else 0.0)
        latents = []
        for item in items:
            latent = base + element_shift + _CRITERION_EFFECT.get(item, 0.0)
            latent = latent + rng.normal(0, 0.7, size=n)
            latents.append(latent)
            codes[item] = _latent_to_code(latent)
        element_latent[:, e] = np.mean(latents, axis=0)
        codes[_ELEMENT_SATISFACTION[element]] = _latent_to_code(
            element_latent[:, e] + rng.normal(0, 0.45, size=n)
        )
    weights = np.array([_OVERALL_DRIVERS[e] for e in _ELEMENTS])
    overall_latent = element_latent @ weights / weights.sum() + rng.normal(0, 0.35, size=n)
    codes["hl_chung"] = _latent_to_code(overall_latent)

    # expectations: up to 3 options, the weaker an element the likelier it is chosen
    expectation = []
    for i in range(n):
        scores = {
            opt: -element_latent[i, int(el[1]) - 1] for opt, el in _EXPECTATION_ELEMENT.items()
        }
        scores[7] = 0.0
        options = np.array(list(scores))
        logits = np.array(list(scores.values()))
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        k = int(rng.integers(1, 4))
        picked = sorted(rng.choice(options, size=k, replace=False, p=probs).tolist())
        expectation.append(";".join(str(p) for p in picked))

    comments = np.full(n, None, dtype=object)
    has_comment = rng.random(n) < 0.22
    for i in np.flatnonzero(has_comment):
        comments[i] = str(rng.choice(_COMMENTS[field[i]]))

    start = date(wave, 9, 8)
    interview_day = [start + timedelta(days=int(d)) for d in rng.integers(0, 40, size=n)]
    names = [
        f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE[int(s)])} {rng.choice(_GIVEN)}" for s in sex
    ]
    phones = [f"09{int(x):08d}" for x in rng.integers(0, 10**8, size=n)]
    addresses = [
        f"Số {int(h)}, đường {rng.choice(_STREETS)}, {c}"
        for h, c in zip(rng.integers(1, 300, size=n), psu["commune"], strict=True)
    ]
    prefix = {p.name: p.code for p in DEMO_PROVINCES}
    counters: dict[str, int] = {}
    form_ids = []
    for p in psu["province"]:
        counters[p] = counters.get(p, 0) + 1
        form_ids.append(f"{prefix[p]}-{wave % 100:02d}{counters[p]:05d}")

    frame = pd.DataFrame(
        {
            "ma_phieu": form_ids,
            "tinh": psu["province"].to_numpy(),
            "xa": psu["commune"].to_numpy(),
            "ma_xa": psu["commune_code"].to_numpy(),
            "khu_vuc": psu["area"].to_numpy(),
            "tang": psu["stratum"].to_numpy(),
            "trong_so": psu["weight"].to_numpy(),
            "dtv": [
                f"DTV{prefix[p]}{int(k) % 3 + 1:02d}"
                for p, k in zip(psu["province"], psu["psu_index"], strict=True)
            ],
            "ngay": interview_day,
            "linh_vuc": field,
            "ho_ten": names,
            "so_dien_thoai": phones,
            "dia_chi": addresses,
            "gioi_tinh": sex,
            "tuoi": age,
            "dan_toc": ethnicity,
            "nhom": group,
            **{item: codes[item] for item in CRITERIA},
            **{f"e{k}": codes[f"e{k}"] for k in range(1, 6)},
            "hl_chung": codes["hl_chung"],
            "ky_vong": expectation,
            "y_kien": comments,
        }
    )
    return frame, element_latent


def _break_natural_straightlining(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make sure no unplanted form answers all 22 criteria alike (so counts stay exact)."""
    grid = frame[CRITERIA].to_numpy()
    alike = (grid == grid[:, :1]).all(axis=1)
    for i in np.flatnonzero(alike):
        j = int(rng.integers(0, len(CRITERIA)))
        value = int(grid[i, j])
        frame.iat[i, frame.columns.get_loc(CRITERIA[j])] = value - 1 if value > 1 else 2


class _Cells:
    """Hands out distinct row indices per column so no cell carries two kinds of dirt."""

    def __init__(self, rng: np.random.Generator, n_rows: int) -> None:
        self.rng = rng
        self.n_rows = n_rows
        self.used: dict[str, set[int]] = {}
        self.used_rows: set[int] = set()

    def take(self, column: str, count: int, *, rows: np.ndarray | None = None) -> list[int]:
        pool = np.arange(self.n_rows) if rows is None else np.asarray(rows)
        used = self.used.setdefault(column, set())
        blocked = np.fromiter(used | self.used_rows, dtype=np.int64)
        free = pool[~np.isin(pool, blocked)]
        picked = sorted(self.rng.choice(free, size=count, replace=False).tolist())
        used.update(picked)
        return picked

    def reserve_rows(self, count: int) -> list[int]:
        """Whole rows kept clean of cell dirt (used for duplicates and straight-lining)."""
        taken = set().union(*self.used.values()) if self.used else set()
        free = np.array([r for r in range(self.n_rows) if r not in taken | self.used_rows])
        picked = sorted(self.rng.choice(free, size=count, replace=False).tolist())
        self.used_rows.update(picked)
        return picked


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def generate_demo(seed: int = DEMO_SEED, wave: int = DEMO_SEED) -> DemoSurvey:
    """Generate one wave of the demo survey with every kind of dirt planted in known numbers."""
    from satisfaction.io.text import encode_tcvn3, encode_vni

    def to_tcvn3(value: str) -> str:  # what a TCVN3 cell looks like once in Excel
        return encode_tcvn3(value).decode("cp1252")

    def to_vni(value: str) -> str:
        return encode_vni(value).decode("cp1252")

    rng = np.random.default_rng([seed, wave])
    design = _sample_design(rng)
    truth, _ = _respondents(rng, design, wave)
    _break_natural_straightlining(truth, rng)
    raw = truth.astype(object).copy()
    n = len(raw)
    cells = _Cells(rng, n)
    planted: dict[str, int] = dict.fromkeys(PLANTED, 0)
    likert_columns = [*CRITERIA, "e1", "e2", "e3", "e4", "e5", "hl_chung"]

    # rows reserved whole for the form-level dirt (planted last, on clean rows)
    straight_rows = cells.reserve_rows(PLANTED["straightlining"])
    near_rows = cells.reserve_rows(PLANTED["near_duplicate"])
    exact_rows = cells.reserve_rows(PLANTED["duplicate_exact"])
    conflict_rows = cells.reserve_rows(PLANTED["duplicate_conflict"] // 2)

    def likert_cells(count: int) -> Iterator[tuple[int, str]]:
        columns = rng.choice(likert_columns, size=count)
        for column in columns:
            (row,) = cells.take(str(column), 1)
            yield row, str(column)

    truth_missing = truth.astype(object).copy()

    for row, column in likert_cells(PLANTED["label_to_code"]):
        code = int(truth.at[row, column])
        raw.at[row, column] = str(rng.choice(_LABELS_TYPED[code]))
        planted["label_to_code"] += 1
    for k, (row, column) in enumerate(likert_cells(PLANTED["missing_dont_know"])):
        raw.at[row, column] = 98 if k < 150 else "Không biết"
        truth_missing.at[row, column] = None
        planted["missing_dont_know"] += 1
    for row, column in likert_cells(PLANTED["missing_refused"]):
        raw.at[row, column] = 99
        truth_missing.at[row, column] = None
        planted["missing_refused"] += 1
    for row, column in likert_cells(PLANTED["missing_blank"]):
        raw.at[row, column] = None
        truth_missing.at[row, column] = None
        planted["missing_blank"] += 1
    for row, column in likert_cells(30):
        raw.at[row, column] = int(rng.choice(_OUT_OF_RANGE))
        truth_missing.at[row, column] = None
        planted["out_of_range"] += 1
    for row in cells.take("tuoi", 10):
        raw.at[row, "tuoi"] = int(rng.choice([7, 150]))
        truth_missing.at[row, "tuoi"] = None
        planted["out_of_range"] += 1
    for row, column in likert_cells(PLANTED["unknown_label"]):
        raw.at[row, column] = str(rng.choice(_UNKNOWN_LABELS))
        truth_missing.at[row, column] = None
        planted["unknown_label"] += 1

    for row in cells.take("linh_vuc", PLANTED["field_synonym"]):
        raw.at[row, "linh_vuc"] = str(rng.choice(_FIELD_SYNONYMS[truth.at[row, "linh_vuc"]]))
        planted["field_synonym"] += 1
    for row in cells.take("linh_vuc", PLANTED["field_unmatched"]):
        raw.at[row, "linh_vuc"] = str(rng.choice(_UNMATCHED_FIELDS))
        truth_missing.at[row, "linh_vuc"] = None
        planted["field_unmatched"] += 1

    for prov, count in (("Hải Phòng", 60), ("Vĩnh Long", 45)):
        old = next(p.old_name for p in DEMO_PROVINCES if p.name == prov)
        rows = np.flatnonzero((truth["tinh"] == prov).to_numpy())
        for row in cells.take("tinh", count, rows=rows):
            raw.at[row, "tinh"] = old
            truth_missing.at[row, "tinh"] = old  # kept and flagged, never renamed by cleaning
            planted["province_pre2025"] += 1
    variants = {
        "Hà Nội": ["Ha Noi", "TP. Hà Nội", "Thành phố Hà Nội", "HÀ NỘI", "ha noi"],
        "Hải Phòng": ["Thành phố Hải Phòng", "TP Hải Phòng", "Hai Phong"],
        "Vĩnh Long": ["tinh Vinh Long", "Tỉnh Vĩnh Long", "Vinh Long"],
        "Đắk Lắk": ["Dak Lak", "Tỉnh Đắk Lắk", "DAK LAK"],
    }
    for row in cells.take("tinh", PLANTED["province_standardised"]):
        raw.at[row, "tinh"] = str(rng.choice(variants[truth.at[row, "tinh"]]))
        planted["province_standardised"] += 1
    for row in cells.take("tinh", PLANTED["nfc"]):
        raw.at[row, "tinh"] = _nfd(truth.at[row, "tinh"])
        planted["nfc"] += 1

    for row in cells.take("xa", PLANTED["whitespace"]):
        name = truth.at[row, "xa"]
        raw.at[row, "xa"] = str(rng.choice([f" {name}", f"{name}  ", name.replace(" ", "  ", 1)]))
        planted["whitespace"] += 1
    dl_rows = np.flatnonzero((truth["tinh"] == "Đắk Lắk").to_numpy())
    for row in cells.take("xa", PLANTED["legacy_tcvn3"], rows=dl_rows):
        raw.at[row, "xa"] = to_tcvn3(truth.at[row, "xa"])
        planted["legacy_tcvn3"] += 1
    comment_rows = np.flatnonzero(truth["y_kien"].notna().to_numpy())
    for row in cells.take("y_kien", PLANTED["legacy_vni"], rows=comment_rows):
        raw.at[row, "y_kien"] = to_vni(truth.at[row, "y_kien"])
        planted["legacy_vni"] += 1
    for row in cells.take("y_kien", PLANTED["personal_scrubbed"], rows=comment_rows):
        phone = f"09{int(rng.integers(0, 10**8)):08d}"
        raw.at[row, "y_kien"] = f"{truth.at[row, 'y_kien']}. Liên hệ số {phone}"
        planted["personal_scrubbed"] += 1
    zero_rows = np.flatnonzero(truth["ma_xa"].str.startswith("0").to_numpy())
    for row in cells.take("ma_xa", PLANTED["leading_zeros"], rows=zero_rows):
        raw.at[row, "ma_xa"] = int(truth.at[row, "ma_xa"])
        planted["leading_zeros"] += 1

    # form-level dirt on reserved clean rows
    for row in straight_rows:
        code = int(rng.choice([3, 4, 4, 5]))
        for column in CRITERIA:
            raw.at[row, column] = code
            truth.at[row, column] = code
            truth_missing.at[row, column] = code
        planted["straightlining"] += 1
    extra_raw: list[pd.Series] = []
    extra_truth: list[pd.Series] = []
    extra_quarantined: list[bool] = []
    quarantined: set[int] = set()
    for row in near_rows:
        copy_raw = raw.loc[row].copy()
        copy_truth = truth_missing.loc[row].copy()
        column = str(rng.choice(CRITERIA))
        value = int(copy_raw[column])
        new_value = value - 1 if value > 1 else value + 1
        copy_raw[column] = copy_truth[column] = new_value
        copy_raw["ma_phieu"] = copy_truth["ma_phieu"] = f"{copy_raw['ma_phieu']}B"
        extra_raw.append(copy_raw)
        extra_truth.append(copy_truth)
        extra_quarantined.append(False)
        planted["near_duplicate"] += 1
    exact_pairs: list[tuple[int, int]] = []
    for row in exact_rows:
        exact_pairs.append((row, n + len(extra_raw)))
        extra_raw.append(raw.loc[row].copy())
        extra_truth.append(truth_missing.loc[row].copy())
        extra_quarantined.append(False)  # whichever copy comes second is quarantined
        planted["duplicate_exact"] += 1
    for row in conflict_rows:
        copy_raw = raw.loc[row].copy()
        copy_truth = truth_missing.loc[row].copy()
        column = str(rng.choice(CRITERIA))
        value = int(copy_raw[column])
        copy_raw[column] = copy_truth[column] = value - 1 if value > 1 else value + 1
        extra_raw.append(copy_raw)
        extra_truth.append(copy_truth)
        extra_quarantined.append(True)
        quarantined.add(row)  # both forms of a conflicting id go to review
        planted["duplicate_conflict"] += 2

    # insert the extra forms at seeded positions so they are not all at the bottom
    positions = sorted(rng.choice(np.arange(1, n), size=len(extra_raw), replace=False).tolist())
    # stable order: an extra form goes just before the original row at its position
    order = sorted(
        [(i, 1, i) for i in range(n)] + [(p, 0, n + k) for k, p in enumerate(positions)]
    )
    take = [index for _, _, index in order]
    all_raw = pd.concat([raw, pd.DataFrame(extra_raw)], ignore_index=True)
    all_truth = pd.concat([truth_missing, pd.DataFrame(extra_truth)], ignore_index=True)
    flags = np.array([i in quarantined for i in range(n)] + extra_quarantined)
    final_position = {index: pos for pos, index in enumerate(take)}
    for original, copy in exact_pairs:
        flags[max(original, copy, key=final_position.__getitem__)] = True
    raw_out = all_raw.iloc[take].reset_index(drop=True)[COLUMNS]
    truth_out = all_truth.iloc[take].reset_index(drop=True)[COLUMNS]
    truth_out["quarantined"] = flags[take]
    truth_out["straightlining"] = False
    truth_out["near_duplicate"] = False
    ids = raw_out["ma_phieu"]
    straight_ids = set(raw.loc[straight_rows, "ma_phieu"])
    near_ids = set(raw.loc[near_rows, "ma_phieu"])
    truth_out.loc[ids.isin(straight_ids).to_numpy(), "straightlining"] = True
    near_mask = ids.isin(near_ids) | ids.isin({f"{i}B" for i in near_ids})
    truth_out.loc[near_mask.to_numpy(), "near_duplicate"] = True

    planted["blank_row"] = 3
    planted["totals_row"] = 1
    blank_after = tuple(
        sorted(rng.choice(np.arange(100, len(raw_out) - 100), size=3, replace=False).tolist())
    )
    if planted != PLANTED:  # pragma: no cover - the generator checks itself
        raise AssertionError(f"planted {planted} != documented {PLANTED}")
    return DemoSurvey(
        raw=raw_out, truth=truth_out, planted=planted, blank_rows_after=blank_after, wave=wave
    )


# ----------------------------------------------------------------------------- writing
_FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)


def _cell_value(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def demo_workbook_bytes(survey: DemoSurvey, seed: int = DEMO_SEED) -> bytes:
    """The workbook as a field team delivers it, with fixed metadata so bytes are stable."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(row=1, column=1, value=TITLE.format(seed=seed, wave=survey.wave))
    ws.cell(row=1, column=1).font = Font(bold=True)
    col = 1
    for label, columns in GROUP_HEADER:
        ws.cell(row=2, column=col, value=label).alignment = Alignment(horizontal="center")
        if len(columns) > 1:
            ws.merge_cells(
                start_row=2, start_column=col, end_row=2, end_column=col + len(columns) - 1
            )
        col += len(columns)
    for j, name in enumerate(COLUMNS, start=1):
        ws.cell(row=3, column=j, value=name).font = Font(bold=True)
    sheet_row = 4
    blank_after = set(survey.blank_rows_after)
    for i, values in enumerate(survey.raw.itertuples(index=False, name=None)):
        for j, value in enumerate(values, start=1):
            cell_value = _cell_value(value)
            if cell_value is not None:
                cell = ws.cell(row=sheet_row, column=j, value=cell_value)
                if isinstance(cell_value, datetime):
                    cell.number_format = "dd/mm/yyyy"
        sheet_row += 1
        if i in blank_after:
            sheet_row += 1  # a blank row keyed by mistake
    ws.cell(row=sheet_row, column=1, value="Tổng cộng")
    ws.cell(
        row=sheet_row,
        column=COLUMNS.index("trong_so") + 1,
        value=round(float(pd.to_numeric(survey.raw["trong_so"]).sum()), 2),
    )
    notes = wb.create_sheet("Ghi chú")
    notes["A1"] = "Dữ liệu mô phỏng để trình diễn; không phải số liệu khảo sát thật."
    notes["A2"] = "Synthetic demo data generated by satisfaction.demo; not real survey data."
    notes["A3"] = f"seed={seed}, wave={survey.wave}"
    wb.properties.creator = "satisfaction.demo"
    wb.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed timestamps so the same seed gives the same bytes."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


_DEMO_INSTRUMENT = """\
# The demo survey: synthetic data (satisfaction.demo, seed {seed}), not a real survey.
# It is the SIPAS instrument plus where the data are and how the sample was drawn.
extends: ../sipas/instrument.yaml
id: {survey_id}
title:
  vi: Khảo sát mô phỏng sự hài lòng về sự phục vụ hành chính (dữ liệu mô phỏng)
  en: Demo satisfaction survey (synthetic data)
year: {wave}
data:
  file: responses.xlsx
  sheet: {sheet}
design:
  weight: trong_so
  strata: tang
  psu: ma_xa
salt: demo-salt-not-secret
"""


def write_demo_survey(
    directory: str | Path,
    seed: int = DEMO_SEED,
    wave: int = DEMO_SEED,
    extends: str = "../sipas/instrument.yaml",
    survey_id: str | None = None,
) -> Path:
    """Write `instrument.yaml` and `responses.xlsx` of the demo survey into `directory`.

    The instrument's id is `survey_id`, by default "demo" for wave `DEMO_SEED` and
    "demo-<wave>" for another wave (the previous wave lives in `surveys/demo-2024/`).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    survey = generate_demo(seed=seed, wave=wave)
    (directory / "responses.xlsx").write_bytes(demo_workbook_bytes(survey, seed=seed))
    if survey_id is None:
        survey_id = "demo" if wave == DEMO_SEED else f"demo-{wave}"
    instrument = _DEMO_INSTRUMENT.format(seed=seed, wave=wave, sheet=SHEET, survey_id=survey_id)
    instrument = instrument.replace("../sipas/instrument.yaml", extends)
    (directory / "instrument.yaml").write_text(instrument, encoding="utf-8")
    return directory
