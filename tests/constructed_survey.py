"""A constructed survey whose remediation plan is known in advance (tests of plans).

Two provinces x urban/rural = 4 strata of 6 PSUs (communes); weights 100 (urban) and 150
(rural), the same in both provinces, so a whole-survey share is the plain mean of the two
provinces' shares. Four fields with 120 / 105 / 60 / 3 forms per stratum (Cư trú is too
small to publish: n = 12 overall), two elements of two criteria. Within each stratum a
criterion's satisfied share is exactly the designed one (``SHARES``), but spread unevenly
across the PSUs (``SPREAD``) so that the design has real between-PSU variance.

With the target 80% the plan is, by construction (see tests/analysis/test_remediation.py):

============  =====  ======  ==========================================================
field         crit.  share   priority
============  =====  ======  ==========================================================
Đất đai       a1     55.0%   Ưu tiên 1 (gap 25 points, significant)
Xây dựng      a1     61.7%   Ưu tiên 1 (gap 18 points, significant)
Đất đai       a2     71.7%   Ưu tiên 1 (gap 8 points, significant, top-third volume)
Hộ tịch       b1     72.4%   Ưu tiên 1 (gap 8 points, significant, top-third volume)
Xây dựng      a2     71.7%   Ưu tiên 2 (significant, gap < 10, not top volume)
Xây dựng      b1     73.3%   Ưu tiên 2 (gap >= 5 points, not significant)
Hộ tịch       a1     78.1%   Ưu tiên 3 (gap 2 points, not significant)
Cư trú        a1, a2  0-33%  Ưu tiên 3 (unreliable: never tier 1)
============  =====  ======  ==========================================================

The previous wave (`write_constructed(..., change=...)`) is the same survey with planted
changes of the designed shares; comments carry a phone number that must never be shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

PROVINCES = ("Hà Nội", "Đắk Lắk")
FIELD_ROWS = {"Đất đai": 120, "Hộ tịch": 105, "Xây dựng": 60, "Cư trú": 3}
SHARES = {
    "Đất đai": {"a1": 0.55, "a2": 0.72, "b1": 0.85, "b2": 0.90},
    "Hộ tịch": {"a1": 0.78, "a2": 0.95, "b1": 0.72, "b2": 0.82},
    "Xây dựng": {"a1": 0.62, "a2": 0.72, "b1": 0.74, "b2": 0.88},
    "Cư trú": {"a1": 0.0, "a2": 1 / 3, "b1": 1.0, "b2": 1.0},
}
# Đất đai a1 is 65% in Hà Nội and 45% in Đắk Lắk (55% over both)
PROVINCE_SHIFT = {("Hà Nội", "Đất đai", "a1"): 0.10, ("Đắk Lắk", "Đất đai", "a1"): -0.10}
PREVIOUS_CHANGE = {("Đất đai", "a1"): -0.15}  # the previous wave: land a1 was 15 points lower
PHONE = "0912345678"
PSUS = 6
SPREAD = np.array([-0.15, -0.09, -0.03, 0.03, 0.09, 0.15])
WEIGHTS = {"TT": 100.0, "NT": 150.0}
CRITERIA = ("a1", "a2", "b1", "b2")
LABELS = {
    "a1": "Nơi ngồi chờ có đủ chỗ ngồi",
    "a2": "Trang thiết bị đầy đủ",
    "b1": "Thời hạn giải quyết đúng quy định",
    "b2": "Phí, lệ phí đúng quy định",
}

_SCALE = {
    "levels": [
        {"code": 1, "label": {"vi": "Rất không hài lòng", "en": "Very dissatisfied"}},
        {"code": 2, "label": {"vi": "Không hài lòng", "en": "Dissatisfied"}},
        {"code": 3, "label": {"vi": "Bình thường", "en": "Neutral"}},
        {"code": 4, "label": {"vi": "Hài lòng", "en": "Satisfied"}},
        {"code": 5, "label": {"vi": "Rất hài lòng", "en": "Very satisfied"}},
    ],
    "satisfied": [4, 5],
    "neutral": [3],
    "dissatisfied": [1, 2],
    "neutral_in_denominator": True,
}


def instrument_spec(survey_id: str, year: int, version: str = "t.1") -> dict:
    """The constructed instrument (two elements of two criteria, an overall item, comments)."""

    def criterion(item: str, group: str) -> dict:
        return {
            "id": item,
            "group": group,
            "role": "criterion",
            "type": "likert",
            "scale": "sat5",
            "text": {"vi": LABELS[item], "en": item},
        }

    return {
        "id": survey_id,
        "title": {"vi": "Khảo sát dựng sẵn để kiểm thử", "en": "Constructed survey"},
        "version": version,
        "year": year,
        "geography": "current_34",
        "id_column": "ma_phieu",
        "scales": {"sat5": _SCALE},
        "groups": [
            {"id": "E1", "kind": "element", "label": {"vi": "Tiếp cận", "en": "Access"}},
            {"id": "E2", "kind": "element", "label": {"vi": "Thủ tục", "en": "Procedures"}},
        ],
        "items": [
            criterion("a1", "E1"),
            criterion("a2", "E1"),
            criterion("b1", "E2"),
            criterion("b2", "E2"),
            {
                "id": "hl_chung",
                "role": "overall",
                "type": "likert",
                "scale": "sat5",
                "text": {"vi": "Hài lòng chung", "en": "Overall"},
            },
            {
                "id": "y_kien",
                "role": "comment",
                "type": "text",
                "text": {"vi": "Ý kiến góp ý", "en": "Comments"},
            },
        ],
        "fields": {
            "column": "linh_vuc",
            "vocabulary": [
                {"code": "dat_dai", "label": {"vi": "Đất đai", "en": "Land"}},
                {"code": "ho_tich", "label": {"vi": "Hộ tịch", "en": "Civil registration"}},
                {"code": "xay_dung", "label": {"vi": "Xây dựng", "en": "Construction"}},
                {"code": "cu_tru", "label": {"vi": "Cư trú", "en": "Residence"}},
            ],
        },
        "respondent": {"province": "tinh"},
        "design": {"weight": "trong_so", "strata": "tang", "psu": "ma_xa"},
        "personal_data": [{"column": "y_kien", "action": "scrub"}],
        "data": {"file": "responses.csv"},
        "salt": "constructed",
    }


def _counts(share: float, sizes: list[int]) -> list[int]:
    """Satisfied answers per PSU: uneven across PSUs, round(share * total) in all."""
    wanted = round(share * sum(sizes))
    counts = [round(min(max(share + d, 0.0), 1.0) * m) for d, m in zip(SPREAD, sizes, strict=True)]
    order = list(np.argsort(SPREAD))
    k = 0
    while sum(counts) != wanted:
        step = 1 if sum(counts) < wanted else -1
        j = order[k % PSUS] if step > 0 else order[::-1][k % PSUS]
        if 0 <= counts[j] + step <= sizes[j]:
            counts[j] += step
        k += 1
    return counts


def constructed_frame(
    year: int, change: dict[tuple[str, str], float] | None = None
) -> pd.DataFrame:
    """The responses, one row per form, as keyed (codes 1-5)."""
    rows = []
    serial = 0
    for p, province in enumerate(PROVINCES):
        for area in ("TT", "NT"):
            stratum = f"{p}{area}"
            for field, n in FIELD_ROWS.items():
                psu_of = [i % PSUS for i in range(n)]
                sizes = [psu_of.count(j) for j in range(PSUS)]
                answers = {}
                for item in CRITERIA:
                    share = SHARES[field][item] + PROVINCE_SHIFT.get((province, field, item), 0)
                    share += (change or {}).get((field, item), 0.0)
                    counts = _counts(share, sizes)
                    seen = [0] * PSUS
                    values = []
                    for i in range(n):
                        j = psu_of[i]
                        good = seen[j] < counts[j]
                        seen[j] += 1
                        values.append((4 + (i + j) % 2) if good else (3 - (i + j) % 2))
                    answers[item] = values
                for i in range(n):
                    serial += 1
                    codes = [answers[c][i] for c in CRITERIA]
                    noise = ((serial * 7) % 5 - 2) * 0.3
                    comment = None
                    if field == "Đất đai" and i % 4 == 0:
                        comment = "Thời gian giải quyết hồ sơ quá lâu"
                    elif field == "Xây dựng" and i % 5 == 0:
                        comment = f"Phải đi lại nhiều lần, gọi {PHONE}"
                    rows.append(
                        {
                            "ma_phieu": f"F{year}-{serial:05d}",
                            "tinh": province,
                            "linh_vuc": field,
                            "tang": stratum,
                            "ma_xa": f"{stratum}-{psu_of[i]}",
                            "trong_so": WEIGHTS[area],
                            **dict(zip(CRITERIA, codes, strict=True)),
                            "hl_chung": int(np.clip(round(np.mean(codes) + noise), 1, 5)),
                            "y_kien": comment,
                        }
                    )
    return pd.DataFrame(rows)


def write_constructed(
    root: Path,
    survey: str,
    year: int,
    *,
    change: dict[tuple[str, str], float] | None = None,
    version: str = "t.1",
) -> Path:
    """Write surveys/<survey>/instrument.yaml and responses.csv under `root`."""
    folder = root / "surveys" / survey
    folder.mkdir(parents=True, exist_ok=True)
    spec = instrument_spec(survey, year, version)
    (folder / "instrument.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    constructed_frame(year, change).to_csv(folder / "responses.csv", index=False)
    return folder
