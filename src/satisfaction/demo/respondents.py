"""The demo's respondents: communes drawn PPS per stratum, then answers cut from a latent scale.

The design: 4 provinces x urban/rural = 8 strata; in each stratum 8-12 communes (PSUs) drawn
with probability proportional to size, then 75-125 adults per commune; the weight is the
inverse of the two-stage selection probability. Every answer is a latent satisfaction
(province, field, commune, person, element and criterion effects) cut into codes 1-5; the
previous wave (`PREVIOUS_WAVE`) shifts the latent scale by the planted changes. Draws come
from one seeded generator, in a fixed order: the same seed gives the same respondents.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from satisfaction.demo.spec import (
    _CRITERION_EFFECT,
    _ELEMENT_SATISFACTION,
    _ELEMENTS,
    _EXPECTATION_ELEMENT,
    _FIELDS,
    _OVERALL_DRIVERS,
    CRITERIA,
    DEMO_PROVINCES,
    DEMO_SEED,
    PLANTED_CHANGES,
)

__all__: list[str] = []

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


def _field_sex_age(
    rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each of ``n`` respondents' field (its index in ``_FIELDS`` and its name, drawn by the
    fields' shares), sex and age, drawn in this order: the seeded demos depend on it."""
    field_names = list(_FIELDS)
    field_probs = np.array([_FIELDS[f][0] for f in field_names])
    field_idx = rng.choice(len(field_names), size=n, p=field_probs / field_probs.sum())
    field = np.array(field_names, dtype=object)[field_idx]
    sex = np.where(rng.random(n) < 0.48, 1, 2)
    age = np.clip(np.round(rng.triangular(18, 38, 80, size=n)), 18, 80).astype(int)
    return field_idx, field, sex, age


def _respondents(
    rng: np.random.Generator, design: pd.DataFrame, wave: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per respondent with clean codes; also the latent element means."""
    psu = design.loc[design.index.repeat(design["n"])].reset_index(drop=True)
    n = len(psu)
    prov_by_name = {p.name: p for p in DEMO_PROVINCES}
    _, field, sex, age = _field_sex_age(rng, n)
    minority = np.array([prov_by_name[p].minority_share for p in psu["province"]])
    ethnicity = np.where(rng.random(n) < minority, 2, 1)
    group = np.where(rng.random(n) < 0.15, 2, 1)

    base, e3_effect = _latent_base(rng, design, psu, field, group, wave)
    codes, element_latent = _answer_codes(rng, base, e3_effect)
    expectation = _expectations(rng, element_latent)
    comments = _comments(rng, field)
    interview_day, names, phones, addresses = _identities(rng, psu, sex, wave)
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


def _latent_base(
    rng: np.random.Generator,
    design: pd.DataFrame,
    psu: pd.DataFrame,
    field: np.ndarray,
    group: np.ndarray,
    wave: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each respondent's latent satisfaction before element effects, and the E3 effect."""
    n = len(psu)
    prov_by_name = {p.name: p for p in DEMO_PROVINCES}
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
    return base, e3_effect


def _answer_codes(
    rng: np.random.Generator, base: np.ndarray, e3_effect: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Criterion, element and overall codes cut from the latent scale; the element means."""
    n = len(base)
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
    return codes, element_latent


def _expectations(rng: np.random.Generator, element_latent: np.ndarray) -> list[str]:
    """Up to 3 options each, the weaker an element the likelier it is chosen."""
    n = len(element_latent)
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
    return expectation


def _comments(rng: np.random.Generator, field: np.ndarray) -> np.ndarray:
    """A comment about the field for about a fifth of the respondents."""
    n = len(field)
    comments = np.full(n, None, dtype=object)
    has_comment = rng.random(n) < 0.22
    for i in np.flatnonzero(has_comment):
        comments[i] = str(rng.choice(_COMMENTS[field[i]]))
    return comments


def _identities(
    rng: np.random.Generator, psu: pd.DataFrame, sex: np.ndarray, wave: int
) -> tuple[list[date], list[str], list[str], list[str]]:
    """Interview day, name, phone number and address of each respondent (all invented)."""
    n = len(psu)
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
    return interview_day, names, phones, addresses
