"""A seeded, synthetic one-stop dossier export for the demo provinces (generated on demand).

About two million dossiers of 2024 (the historical ward / district / province structure,
before July 2025) for the four demo provinces: 12 districts, 96 communes and wards, the
demo survey's five fields, each with a few procedures and their time limits in working
days. Written as a vendor would export it (Vietnamese headers, dd/mm/yyyy dates, Parquet),
never committed: `surveys/demo-onestop/dossiers.yaml` is, and the export is made from the
seed when missing (`write_demo_dossiers`).

Planted facts the reports must show (`DOSSIER_FACTS`):
- one ward is late on land dossiers (about a third settled after the due date, against
  about 2% elsewhere) -- it stands outside the funnel plot's control limits;
- construction dossiers are rarely rated (about 8% coverage) and often rated unsatisfied
  when they are, so their QĐ 766 rate stays high while their rated-only share is low;
- a little dirt of each kind cleaning must catch (`DOSSIER_DIRT`, exact counts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "DEMO_DOSSIER_ROWS",
    "DEMO_DOSSIER_SEED",
    "DOSSIER_DIRT",
    "DOSSIER_FACTS",
    "EXPORT_NAME",
    "HOLIDAYS_2024",
    "demo_dossier_table",
    "write_demo_dossiers",
]

DEMO_DOSSIER_SEED = 2024
DEMO_DOSSIER_ROWS = 2_000_000
EXPORT_NAME = "ho_so_mot_cua_2024.parquet"
EXPORT_DATE = dt.date(2024, 12, 31)
_BAD_DAY = 430  # index of the unreadable date among the date spellings

#: Vietnam's public holidays of 2024 (Tết 08-14/02): no working days.
HOLIDAYS_2024 = tuple(
    dt.date(2024, m, d)
    for m, d in [(1, 1), *((2, d) for d in range(8, 15)), (4, 18), (4, 29), (4, 30), (5, 1),
                 (9, 2), (9, 3)]
)  # fmt: skip

_PROVINCES = ("Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk")
_DISTRICT_NAMES = (
    "Quận Hoàn Kiếm Mới", "Huyện Đông Hưng", "Huyện Thanh Bình",
    "Quận Hồng Bàng Mới", "Huyện An Lão Mới", "Huyện Kiến Thụy Mới",
    "Thành phố Vĩnh Long Mới", "Huyện Long Hồ Mới", "Huyện Trà Ôn Mới",
    "Thành phố Buôn Ma Thuột Mới", "Huyện Cư Kuin Mới", "Huyện Krông Pắc Mới",
)  # fmt: skip
_FIRST = ("An", "Bình", "Hòa", "Phú", "Tân", "Minh", "Thanh", "Long", "Phước", "Vĩnh", "Hưng")
_SECOND = ("Lợi", "Phát", "Thịnh", "Đức", "Lạc", "Khánh", "Thành", "Hải", "Sơn", "Mỹ")
_COMMUNES_PER_DISTRICT = 8

# field -> (share of dossiers, procedures with their time limits in working days)
_FIELDS: dict[str, tuple[float, tuple[tuple[str, int], ...]]] = {
    "Đất đai": (0.22, (("Đăng ký biến động đất đai", 10), ("Cấp giấy chứng nhận lần đầu", 20))),
    "Bảo hiểm y tế": (0.15, (("Cấp lại thẻ bảo hiểm y tế", 5), ("Gia hạn thẻ bảo hiểm y tế", 3))),
    "Công chứng, chứng thực": (0.28, (("Chứng thực bản sao", 1), ("Chứng thực chữ ký", 1))),
    "Hộ tịch": (0.30, (("Đăng ký khai sinh", 1), ("Đăng ký kết hôn", 3), ("Trích lục", 1))),
    "Xây dựng": (0.05, (("Cấp giấy phép xây dựng nhà ở", 15),)),
}
LATE_UNIT = "UBND xã Phú Thịnh"
LATE_FIELD = "Đất đai"
RARELY_RATED_FIELD = "Xây dựng"

#: What the demo export was made to show (the reports and tests look for these).
DOSSIER_FACTS = {
    "late_unit": LATE_UNIT,
    "late_field": LATE_FIELD,
    "late_rate": 0.33,
    "usual_late_rate": 0.02,
    "rarely_rated_field": RARELY_RATED_FIELD,
    "rarely_rated_coverage": 0.08,
}
#: Dirty rows planted, by the cleaning rule that must catch them (exact counts).
DOSSIER_DIRT = {
    "duplicate_exact": 120,
    "duplicate_conflict": 2 * 40,
    "returned_before_received": 60,
    "unknown_status": 25,
    "unknown_channel": 15,
    "bad_received_date": 10,
}

_HEADERS = {
    "dossier_id": "Mã hồ sơ",
    "province": "Tỉnh/thành phố",
    "district": "Quận/huyện",
    "unit": "Cơ quan tiếp nhận",
    "field": "Lĩnh vực",
    "procedure": "Thủ tục hành chính",
    "channel": "Hình thức nộp",
    "online_level": "Mức độ dịch vụ công",
    "received": "Ngày tiếp nhận",
    "due": "Ngày hẹn trả",
    "returned": "Ngày trả kết quả",
    "status": "Trạng thái",
    "rating": "Kết quả đánh giá",
    "complaint": "Có phản ánh, kiến nghị",
}


def _units() -> tuple[list[str], list[str], list[str]]:
    """Unit, district and province of each of the 96 communes and wards (fixed order)."""
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng = np.random.default_rng(7)
    picked = rng.choice(
        len(names), size=len(_DISTRICT_NAMES) * _COMMUNES_PER_DISTRICT, replace=False
    )
    units, districts, provinces = [], [], []
    for k, index in enumerate(picked):
        district = k // _COMMUNES_PER_DISTRICT
        kind = "phường" if k % 3 == 0 else "xã"
        units.append(f"UBND {kind} {names[index]}")
        districts.append(_DISTRICT_NAMES[district])
        provinces.append(_PROVINCES[district // 3])
    if LATE_UNIT not in units:  # keep the planted unit's name whatever the draw gave
        units[5] = LATE_UNIT
    return units, districts, provinces


def _dictionary(
    indices: np.ndarray, values: list[str], valid: np.ndarray | None = None
) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32), mask=mask), pa.array(values, pa.string())
    )


def demo_dossier_table(rows: int = DEMO_DOSSIER_ROWS, seed: int = DEMO_DOSSIER_SEED) -> pa.Table:
    """The demo export as an Arrow table (vendor headers; dates as dd/mm/yyyy text)."""
    rng = np.random.default_rng(seed)
    units, districts, provinces = _units()
    weights = rng.gamma(4.0, 1.0, len(units))
    unit = rng.choice(len(units), size=rows, p=weights / weights.sum())
    field_names = list(_FIELDS)
    field = rng.choice(len(field_names), size=rows, p=[s for s, _ in _FIELDS.values()])
    procedures = [
        (f, name, days) for f, (_, procs) in enumerate(_FIELDS.values()) for name, days in procs
    ]
    per_field = [
        [i for i, p in enumerate(procedures) if p[0] == f] for f in range(len(field_names))
    ]
    choice = rng.random(rows)
    procedure = np.empty(rows, dtype=np.int64)
    for f, options in enumerate(per_field):
        here = field == f
        procedure[here] = np.array(options)[(choice[here] * len(options)).astype(int)]
    limits = np.array([p[2] for p in procedures])[procedure]

    start = np.datetime64("2024-01-01")
    holidays = np.array(HOLIDAYS_2024, dtype="datetime64[D]")
    workdays = np.busday_offset(start, 0, roll="forward", holidays=holidays)
    n_workdays = int(np.busday_count(start, np.datetime64("2025-01-01"), holidays=holidays))
    received = np.busday_offset(workdays, rng.integers(0, n_workdays, rows), holidays=holidays)
    due = np.busday_offset(received, limits, roll="forward", holidays=holidays)
    late_p = np.where(
        (np.array(units)[unit] == LATE_UNIT) & (field == field_names.index(LATE_FIELD)), 0.33, 0.02
    )
    late = rng.random(rows) < late_p
    early_share = rng.random(rows)
    spent = np.where(
        late,
        limits + rng.integers(1, 8, rows),
        np.floor(limits * np.where(early_share < 0.7, rng.random(rows), 1.0)).astype(int),
    )
    returned = np.busday_offset(received, spent, roll="forward", holidays=holidays)
    export_day = np.datetime64(EXPORT_DATE)
    status = np.where(returned <= export_day, 0, 1)  # 0 settled, 1 pending
    status[rng.random(rows) < 0.01] = 2  # withdrawn
    month = (received - start).astype("timedelta64[D]").astype(int) / 366
    online_p = 0.45 + 0.3 * month
    channel_draw = rng.random(rows)
    channel = np.where(channel_draw < online_p, 1, np.where(channel_draw < online_p + 0.03, 2, 0))
    level = np.where(channel == 1, (rng.random(rows) < 0.55).astype(int), -1)

    rarely = field == field_names.index(RARELY_RATED_FIELD)
    rated = (status == 0) & (rng.random(rows) < np.where(rarely, 0.08, 0.32))
    levels = np.where(
        rarely,
        rng.choice(5, size=rows, p=[0.2, 0.2, 0.15, 0.3, 0.15]),
        rng.choice(5, size=rows, p=[0.01, 0.02, 0.04, 0.43, 0.50]),
    )
    complaint = (status == 0) & (rng.random(rows) < 0.002)

    day = lambda values: (values - start).astype(int)  # noqa: E731
    returned_day = np.where((status != 1) & (returned <= export_day), day(returned), -1)
    codes = {
        "province": np.array([_PROVINCES.index(p) for p in provinces])[unit],
        "district": np.array([_DISTRICT_NAMES.index(d) for d in districts])[unit],
        "unit": unit,
        "field": field,
        "procedure": procedure,
        "channel": channel,
        "online_level": level,
        "received": day(received),
        "due": day(due),
        "returned": returned_day,
        "status": status,
        "rating": np.where(rated, levels, -1),
        "complaint": np.where(complaint, 0, -1),
        "dossier_id": np.arange(1, rows + 1),
    }
    codes = _plant_dirt(codes, status, rng)
    n_days = _BAD_DAY  # into 2025: due dates of late-December dossiers
    dates = [
        (dt.date(2024, 1, 1) + dt.timedelta(days=d)).strftime("%d/%m/%Y") for d in range(n_days)
    ]
    dates += ["31/02/2024"]  # the planted unreadable date
    dictionaries = {
        "province": list(_PROVINCES),
        "district": list(_DISTRICT_NAMES),
        "unit": units,
        "field": field_names,
        "procedure": [p[1] for p in procedures],
        "channel": ["Trực tiếp", "Trực tuyến", "Bưu chính công ích", "Zalo"],
        "online_level": ["Một phần", "Toàn trình"],
        "received": dates,
        "due": dates,
        "returned": dates,
        "status": ["Đã trả kết quả", "Đang giải quyết", "Công dân rút hồ sơ", "Đã chuyển xử lý"],
        "rating": [
            "Rất không hài lòng",
            "Không hài lòng",
            "Bình thường",
            "Hài lòng",
            "Rất hài lòng",
        ],
        "complaint": ["Có"],
    }
    import pyarrow.compute as pc

    ids = pc.binary_join_element_wise(
        "HS2024-", pc.cast(pa.array(codes.pop("dossier_id")), pa.string()), ""
    )
    columns = {"dossier_id": ids}
    for name, values in dictionaries.items():
        index = codes[name]
        columns[name] = _dictionary(np.maximum(index, 0), values, index >= 0)
    return pa.table({_HEADERS[k]: columns[k] for k in _HEADERS})


def _plant_dirt(
    codes: dict[str, np.ndarray], status: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Dirt of `DOSSIER_DIRT` on distinct settled rows (exact counts), copies appended."""
    settled = np.flatnonzero(status == 0)
    counts = DOSSIER_DIRT
    need = sum(counts.values()) - counts["duplicate_conflict"] // 2
    chosen = rng.choice(settled, size=need, replace=False)
    parts, cursor = {}, 0
    for rule in counts:
        n = counts[rule] // 2 if rule == "duplicate_conflict" else counts[rule]
        parts[rule], cursor = chosen[cursor : cursor + n], cursor + n
    out = {name: values.copy() for name, values in codes.items()}
    rows = parts["returned_before_received"]
    out["received"][rows], out["returned"][rows] = 365, 0  # received 31/12, returned 01/01
    out["status"][parts["unknown_status"]] = 3
    out["channel"][parts["unknown_channel"]] = 3
    out["received"][parts["bad_received_date"]] = _BAD_DAY  # "31/02/2024"
    copies = np.concatenate([parts["duplicate_exact"], parts["duplicate_conflict"]])
    for name, values in out.items():
        extra = values[copies].copy()
        if name == "status":
            extra[len(parts["duplicate_exact"]) :] = 1  # the copy says "pending"
        if name == "returned":
            extra[len(parts["duplicate_exact"]) :] = -1
        out[name] = np.concatenate([values, extra])
    return out


def write_demo_dossiers(
    folder: str | Path, rows: int = DEMO_DOSSIER_ROWS, seed: int = DEMO_DOSSIER_SEED
) -> Path:
    """Write the demo export into `folder` (beside its dossiers.yaml); returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXPORT_NAME
    temp = path.with_suffix(".tmp")
    pq.write_table(demo_dossier_table(rows, seed), temp, compression="zstd")
    temp.replace(path)
    return path
