"""The PAPI-style demo survey: three seeded waves of synthetic governance microdata.

Not real data (every file says so). The four demo provinces of the SIPAS demo (Hà Nội, Hải
Phòng, Vĩnh Long, Đắk Lắk, as they stand since 1 July 2025); the 2024 wave was collected
before the reorganisation, under their eight pre-2025 provinces (Hà Nội; Hải Dương, Hải
Phòng; Bến Tre, Trà Vinh, Vĩnh Long; Phú Yên, Đắk Lắk), the 2025 and 2026 waves under the
four current ones.

Design, as PAPI's (domain notes, section 1.2): strata are the provinces of the wave; in each,
the capital unit is taken with certainty plus 2 (under 1.5 million people) or 5 further
units by PPS (districts before 2025, communes after, since districts were abolished); in
each unit its seat plus one more sub-unit by PPS, in each of those its seat village plus one
by PPS, then 16 adults per village (24 in Hà Nội). A certainty unit is its own stratum and
its sub-units are the PSUs; the weight is the inverse of the product of the selection
probabilities (no post-stratification in the demo). Provinces differ in governance and in
population, so re-estimating 2024 under the 34 (population-weighted through the design
weights) differs from averaging the old provinces' indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = [
    "PAPI_DEMO_SEED",
    "PAPI_WAVES",
    "PapiProvince",
    "generate_papi_wave",
    "papi_demo_instrument",
    "write_papi_demo",
]

PAPI_DEMO_SEED = 2024
PAPI_WAVES = {2024: "historical_63", 2025: "current_34", 2026: "current_34"}
NOTE = "Dữ liệu mô phỏng (synthetic demo data), không phải số liệu PAPI thật."


@dataclass(frozen=True)
class PapiProvince:
    """A sampled province: name, adult population (millions), governance effect."""

    name: str
    population: float
    effect: float


OLD_PROVINCES = (
    PapiProvince("Hà Nội", 8.5, 0.05),
    PapiProvince("Hải Dương", 1.95, -0.25),
    PapiProvince("Hải Phòng", 2.1, 0.30),
    PapiProvince("Bến Tre", 1.3, 0.30),
    PapiProvince("Trà Vinh", 1.0, -0.45),
    PapiProvince("Vĩnh Long", 1.0, 0.10),
    PapiProvince("Phú Yên", 0.87, -0.50),
    PapiProvince("Đắk Lắk", 1.9, 0.25),
)
_NEW_OF = {
    "Hải Dương": "Hải Phòng",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Phú Yên": "Đắk Lắk",
}
_WAVE_SHIFT = {2024: 0.0, 2025: 0.08, 2026: 0.15}  # slow improvement, so waves differ

# dimension id, vi, en, [(sub id, vi, en, [(indicator, vi, kind, direction), ...]), ...]
_B, _L = "yes/no", "1-5"
DIMENSIONS = [
    ("participation", "Tham gia của người dân ở cấp cơ sở", "Participation at local levels", [
        ("civic_knowledge", "Tri thức công dân", "Civic knowledge", [
            ("d1_1", "Biết phương châm 'Dân biết, dân bàn, dân làm, dân kiểm tra'", _B, "+"),
            ("d1_2", "Biết nhiệm kỳ của trưởng thôn", _B, "+")]),
        ("elections", "Chất lượng bầu cử trưởng thôn", "Quality of elections", [
            ("d1_3", "Đã đi bầu trưởng thôn lần gần nhất", _B, "+"),
            ("d1_4", "Có nhiều hơn một ứng viên", _B, "+")])]),
    ("transparency", "Công khai, minh bạch", "Transparency", [
        ("poverty_lists", "Danh sách hộ nghèo", "Poverty lists", [
            ("d2_1", "Danh sách hộ nghèo được công khai", _B, "+"),
            ("d2_2", "Có hộ không nghèo trong danh sách hộ nghèo", _B, "-")]),
        ("land_plans", "Kế hoạch sử dụng đất", "Land-use plans", [
            ("d2_3", "Biết kế hoạch sử dụng đất của xã", _B, "+"),
            ("d2_4", "Được góp ý vào kế hoạch sử dụng đất (1-5)", _L, "+")])]),
    ("accountability", "Trách nhiệm giải trình với người dân", "Vertical accountability", [
        ("interactions", "Hiệu quả tương tác với chính quyền", "Interactions with authorities", [
            ("d3_1", "Đã gặp cán bộ xã khi có việc", _B, "+"),
            ("d3_2", "Kết quả lần gặp gần nhất (1-5)", _L, "+")]),
        ("inspection", "Ban Thanh tra nhân dân", "People's inspection boards", [
            ("d3_3", "Xã có Ban Thanh tra nhân dân", _B, "+"),
            ("d3_4", "Ban Thanh tra nhân dân hoạt động hiệu quả (1-5)", _L, "+")])]),
    ("corruption", "Kiểm soát tham nhũng trong khu vực công", "Control of corruption", [
        ("public_sector", "Kiểm soát tham nhũng trong chính quyền", "In local government", [
            ("d4_1", "Cán bộ dùng tiền công vào việc riêng", _B, "-"),
            ("d4_2", "Phải chi thêm tiền để được cấp giấy phép xây dựng", _B, "-")]),
        ("service_delivery", "Kiểm soát tham nhũng trong cung ứng dịch vụ", "In services", [
            ("d4_3", "Phải 'bồi dưỡng' khi khám chữa bệnh", _B, "-"),
            ("d4_4", "Phải chi thêm để con được quan tâm ở trường", _B, "-")])]),
    ("procedures", "Thủ tục hành chính công", "Public administrative procedures", [
        ("certification", "Chứng thực, xác nhận", "Certification", [
            ("d5_1", "Chất lượng dịch vụ chứng thực (1-5)", _L, "+"),
            ("d5_2", "Thủ tục được niêm yết công khai", _B, "+")]),
        ("commune_procedures", "Thủ tục hành chính cấp xã", "Commune procedures", [
            ("d5_3", "Chất lượng dịch vụ hành chính cấp xã (1-5)", _L, "+"),
            ("d5_4", "Phải đi lại nhiều lần mới xong", _B, "-")])]),
    ("services", "Cung ứng dịch vụ công", "Public service delivery", [
        ("health", "Y tế công lập", "Public health", [
            ("d6_1", "Chất lượng bệnh viện công tuyến huyện (1-5)", _L, "+"),
            ("d6_2", "Có thẻ bảo hiểm y tế", _B, "+")]),
        ("education", "Giáo dục tiểu học công lập", "Primary education", [
            ("d6_3", "Chất lượng trường tiểu học công lập (1-5)", _L, "+"),
            ("d6_4", "Lớp học quá đông", _B, "-")])]),
    ("environment", "Quản trị môi trường", "Environmental governance", [
        ("seriousness", "Nghiêm túc bảo vệ môi trường", "Seriousness in protection", [
            ("d7_1", "Cơ sở gây ô nhiễm bị xử lý", _B, "+"),
            ("d7_2", "Chất lượng không khí nơi ở (1-5)", _L, "+")]),
        ("water", "Chất lượng nguồn nước", "Water quality", [
            ("d7_3", "Nước sinh hoạt an toàn", _B, "+"),
            ("d7_4", "Sông, suối gần nhà bị ô nhiễm", _B, "-")])]),
    ("egovernance", "Quản trị điện tử", "E-governance", [
        ("portal", "Sử dụng cổng dịch vụ công", "Use of e-services", [
            ("d8_1", "Đã dùng cổng dịch vụ công trực tuyến", _B, "+"),
            ("d8_2", "Cổng dịch vụ công dễ sử dụng (1-5)", _L, "+")]),
        ("internet", "Tiếp cận Internet", "Internet access", [
            ("d8_3", "Hộ có kết nối Internet", _B, "+"),
            ("d8_4", "Đọc thông tin của chính quyền trên Internet", _B, "+")])]),
]  # fmt: skip
INDICATORS = [i for _d, _v, _e, subs in DIMENSIONS for _s, _sv, _se, inds in subs for i in inds]


def papi_demo_instrument() -> dict:
    """The demo's ``papi_instrument.yaml`` as a mapping."""
    dims = []
    for dim_id, vi, en, subs in DIMENSIONS:
        sub_specs = []
        for sub_id, sub_vi, sub_en, indicators in subs:
            specs = [
                {
                    "id": ind,
                    "text": {"vi": text},
                    "direction": "positive" if sign == "+" else "negative",
                    "range": [0, 1] if kind == _B else [1, 5],
                }
                for ind, text, kind, sign in indicators
            ]
            sub_specs.append(
                {"id": sub_id, "label": {"vi": sub_vi, "en": sub_en}, "indicators": specs}
            )
        dims.append({"id": dim_id, "label": {"vi": vi, "en": en}, "sub_dimensions": sub_specs})
    return {
        "kind": "papi",
        "id": "papi-demo",
        "title": {
            "vi": "Khảo sát quản trị kiểu PAPI (dữ liệu mô phỏng)",
            "en": "PAPI-style governance survey (synthetic demo data)",
        },
        "note": NOTE,
        "province": "tinh",
        "scale": [1, 10],
        "design": {"weight": "trong_so", "strata": "tang", "psu": "ma_psu"},
        "waves": {
            year: {"file": f"papi_{year}.csv", "geography": geography}
            for year, geography in PAPI_WAVES.items()
        },
        "dimensions": dims,
    }


def _provinces(year: int) -> list[PapiProvince]:
    if PAPI_WAVES[year] == "historical_63":
        return list(OLD_PROVINCES)
    merged: dict[str, list[PapiProvince]] = {}
    for p in OLD_PROVINCES:
        merged.setdefault(_NEW_OF.get(p.name, p.name), []).append(p)
    return [
        PapiProvince(
            name,
            sum(p.population for p in parts),
            sum(p.population * p.effect for p in parts) / sum(p.population for p in parts),
        )
        for name, parts in merged.items()
    ]


def _pps(rng: np.random.Generator, sizes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n units drawn with probability proportional to size (systematic, random start), and
    their inclusion probabilities n * size / total (capped at 1)."""
    n = min(n, len(sizes))
    cumulative = np.cumsum(sizes)
    step = cumulative[-1] / n
    points = rng.uniform(0, step) + step * np.arange(n)
    chosen = np.unique(np.searchsorted(cumulative, points))
    return chosen, np.minimum(1.0, n * sizes[chosen] / cumulative[-1])


def _units(rng: np.random.Generator, total: float, count: int) -> np.ndarray:
    """Sizes of ``count`` units summing to ``total``; the first (the seat) is the largest."""
    sizes = rng.lognormal(0.0, 0.6, count)
    sizes = np.sort(sizes)[::-1]
    return sizes / sizes.sum() * total


def _sample(rng: np.random.Generator, province: PapiProvince, year: int) -> pd.DataFrame:
    """The selected villages of one province with their weights and design columns."""
    adults = province.population * 1e6 * 0.7
    n_pps = 2 if province.population < 1.5 else 5
    per_village = 24 if province.name == "Hà Nội" else 16
    stage1 = _units(rng, adults, 9 if n_pps == 2 else 14)
    others, p_others = _pps(rng, stage1[1:], n_pps)
    picked = [(0, 1.0)] + [(int(i) + 1, float(p)) for i, p in zip(others, p_others, strict=True)]
    rows = []
    unit_word = "Huyện" if PAPI_WAVES[year] == "historical_63" else "Xã"
    for u, p1 in picked:
        unit = f"{province.name} - {unit_word} {u + 1:02d}"
        stage2 = _units(rng, stage1[u], int(rng.integers(6, 14)))
        (second,), (p2,) = _pps(rng, stage2[1:], 1)
        for s, ps in ((0, 1.0), (int(second) + 1, float(p2))):
            sub = f"{unit} - {s + 1:02d}"
            stage3 = _units(rng, stage2[s], int(rng.integers(5, 12)))
            (third,), (p3,) = _pps(rng, stage3[1:], 1)
            for v, pv in ((0, 1.0), (int(third) + 1, float(p3))):
                size = stage3[v]
                weight = 1.0 / (p1 * ps * pv * per_village / size)
                certainty = p1 >= 1.0
                rows.append(
                    {
                        "tinh": province.name,
                        "don_vi": unit,
                        "don_vi_con": sub,
                        "thon": f"{sub} - thôn {v + 1:02d}",
                        "n": per_village,
                        "trong_so": weight,
                        "tang": f"{province.name} / {'chắc chắn' if certainty else 'PPS'}",
                        "ma_psu": sub if certainty else unit,
                        "effect": province.effect + _WAVE_SHIFT[year],
                    }
                )
    return pd.DataFrame(rows)


def _answers(rng: np.random.Generator, villages: pd.DataFrame) -> pd.DataFrame:
    people = villages.loc[villages.index.repeat(villages["n"])].reset_index(drop=True)
    n = len(people)
    psu_effect = people.groupby("ma_psu", sort=False).ngroup().to_numpy()
    psu_noise = rng.normal(0, 0.2, psu_effect.max() + 1)[psu_effect]
    latent = people["effect"].to_numpy() + psu_noise + rng.normal(0, 0.8, n)
    for k, (ind, _text, kind, sign) in enumerate(INDICATORS):
        base = 0.6 * np.sin(k + 1.3)  # fixed indicator difficulty
        eta = base + (1.0 if sign == "+" else -1.0) * latent
        if kind == _B:
            values = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
        else:
            cuts = np.array([-2.0, -0.8, 0.4, 1.6])
            values = 1.0 + (eta[:, None] + rng.logistic(size=(n, 1)) > cuts).sum(axis=1)
        values[rng.uniform(size=n) < 0.04] = np.nan  # "don't know": own denominators
        people[ind] = values
    return people


def generate_papi_wave(year: int, seed: int = PAPI_DEMO_SEED) -> pd.DataFrame:
    """One wave's microdata (one row per respondent), reproducible from ``seed``."""
    if year not in PAPI_WAVES:
        raise ValueError(f"the PAPI demo has waves {sorted(PAPI_WAVES)}, not {year}")
    rng = np.random.default_rng([seed, year])
    villages = pd.concat([_sample(rng, p, year) for p in _provinces(year)], ignore_index=True)
    people = _answers(rng, villages)
    people.insert(0, "ma_phieu", [f"P{year}-{i + 1:05d}" for i in range(len(people))])
    return people.drop(columns=["n", "effect"])


def write_papi_demo(directory: str | Path, seed: int = PAPI_DEMO_SEED) -> Path:
    """Write ``papi_instrument.yaml`` and one CSV per wave into ``directory``."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(papi_demo_instrument(), allow_unicode=True, sort_keys=False)
    (folder / "papi_instrument.yaml").write_text(f"# {NOTE}\n{text}", encoding="utf-8")
    for year in PAPI_WAVES:
        frame = generate_papi_wave(year, seed)
        frame.to_csv(
            folder / f"papi_{year}.csv",
            index=False,
            encoding="utf-8",
            float_format="%.6f",
            lineterminator="\n",
        )
    return folder
