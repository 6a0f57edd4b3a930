"""The demo quota poll: a Ban Tuyên giáo-style opinion poll, synthetic and seeded.

Three communes x three respondent groups (cán bộ, công chức; đảng viên; nhân dân), filled
to fixed quotas (30 + 30 + 60 forms per commune), a 3-level scale typed as labels by the
keyer, free-text answers, and the population margins the poll's pooled figures are raked
to (made-up counts, labelled as such). Cadres are made more satisfied than citizens, so the
pooled share raked to the population differs from the share of the forms as collected --
the reason a quota poll must not pool its groups silently. `write_poll_survey` writes
`responses.xlsx` (fixed metadata and zip timestamps: the same seed gives the same bytes) and
`instrument.yaml` into a survey folder (`surveys/demo-poll/`).
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from satisfaction.demo.workbook import _FIXED_TIME, _normalise_zip

__all__ = [
    "POLL_COMMUNES",
    "POLL_GROUPS",
    "POLL_SEED",
    "generate_poll",
    "poll_workbook_bytes",
    "write_poll_survey",
]

POLL_SEED = 2025
SHEET = "Phiếu"
#: commune -> (adults living there: the made-up margin, how satisfied it is: a shift)
POLL_COMMUNES: dict[str, tuple[int, float]] = {
    "Xã Tân Phú": (8200, 0.0),
    "Phường An Bình": (12500, 0.35),
    "Xã Hòa Lợi": (6300, -0.45),
}
#: group code -> (label, forms per commune: the quota, people in the population, shift)
POLL_GROUPS: dict[int, tuple[str, int, int, float]] = {
    1: ("Cán bộ, công chức", 30, 900, 1.1),
    2: ("Đảng viên", 30, 2600, 0.6),
    3: ("Nhân dân", 60, 23500, -0.3),
}
CRITERIA = ("c1", "c2", "c3", "c4", "c5")
# how satisfying each criterion is on the logit scale (c3, "on time", the weakest)
_CRITERION_BASE = (1.2, 1.4, -0.2, 0.6, 0.1)
_LABELS = ("Không hài lòng", "Bình thường", "Hài lòng")
# the keyer's spellings of the labels
_SPELLINGS = {"Hài lòng": ("Hài lòng", "hài lòng", "HL"), "Bình thường": ("Bình thường", "BT")}
_COMMENTS = (
    "Cần rút ngắn thời gian giải quyết hồ sơ đất đai",
    "Cán bộ một cửa nhiệt tình, hướng dẫn dễ hiểu",
    "Nên công khai tiến độ giải quyết hồ sơ trên mạng",
    "Phải đi lại nhiều lần mới xong thủ tục",
    "Ý kiến phản ánh chưa được trả lời kịp thời",
    "Cần thêm chỗ ngồi chờ tại bộ phận một cửa",
    "Thủ tục còn rườm rà, nhiều giấy tờ",
)
COLUMNS = ("ma_phieu", "xa", "nhom", "gioi_tinh", "tuoi", *CRITERIA, "hl_chung", "y_kien", "ngay")


def _answer(rng: np.random.Generator, logit: float) -> str:
    """A 3-level answer whose satisfied share is the logistic of ``logit``."""
    satisfied = 1 / (1 + np.exp(-logit))
    draw = rng.random()
    if draw < satisfied:
        label = "Hài lòng"
    elif draw < satisfied + (1 - satisfied) * 0.6:
        label = "Bình thường"
    else:
        label = "Không hài lòng"
    spellings = _SPELLINGS.get(label, (label,))
    return spellings[0] if rng.random() < 0.9 else str(rng.choice(spellings))


def generate_poll(seed: int = POLL_SEED) -> pd.DataFrame:
    """The poll's forms as keyed: one row per form, labels as typed, blanks as None."""
    rng = np.random.default_rng(seed)
    rows = []
    number = 0
    start = date(2025, 3, 3)
    for commune, (_, commune_shift) in POLL_COMMUNES.items():
        for code, (_, quota, _, group_shift) in POLL_GROUPS.items():
            for _ in range(quota):
                number += 1
                person = rng.normal(0, 1.6)  # one person answers alike
                answers = [
                    _answer(rng, base + commune_shift + group_shift + person)
                    if rng.random() > 0.03
                    else None  # left blank
                    for base in _CRITERION_BASE
                ]
                overall = _answer(rng, 0.8 + commune_shift + group_shift + person)
                comment = str(rng.choice(_COMMENTS)) if rng.random() < 0.35 else None
                rows.append(
                    {
                        "ma_phieu": f"BTG-{number:04d}",
                        "xa": commune,
                        "nhom": code,
                        "gioi_tinh": "Nam" if rng.random() < 0.52 else "Nữ",
                        "tuoi": int(rng.integers(22, 70)),
                        **dict(zip(CRITERIA, answers, strict=True)),
                        "hl_chung": overall,
                        "y_kien": comment,
                        "ngay": start + timedelta(days=int(rng.integers(0, 12))),
                    }
                )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def poll_workbook_bytes(forms: pd.DataFrame, seed: int = POLL_SEED) -> bytes:
    """The workbook a district team keys from paper forms: a title row, then the sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(
        row=1,
        column=1,
        value=f"PHIẾU THĂM DÒ Ý KIẾN VỀ CẢI CÁCH HÀNH CHÍNH — DỮ LIỆU MÔ PHỎNG (seed {seed})",
    )
    for j, name in enumerate(COLUMNS, start=1):
        ws.cell(row=2, column=j, value=name)
    for i, values in enumerate(forms.itertuples(index=False, name=None), start=3):
        for j, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, date):
                cell = ws.cell(row=i, column=j, value=datetime(value.year, value.month, value.day))
                cell.number_format = "dd/mm/yyyy"
            else:
                ws.cell(
                    row=i, column=j, value=int(value) if isinstance(value, np.integer) else value
                )
    notes = wb.create_sheet("Ghi chú")
    notes["A1"] = "Dữ liệu mô phỏng để trình diễn; không phải số liệu thăm dò thật."
    notes["A2"] = "Synthetic demo data generated by satisfaction.demo.poll; not a real poll."
    wb.properties.creator = "satisfaction.demo"
    wb.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _margins() -> dict[str, dict[str, int]]:
    communes = {name: adults for name, (adults, _) in POLL_COMMUNES.items()}
    groups = {label: people for label, _, people, _ in POLL_GROUPS.values()}
    # the citizens are everyone else, so both margins count the same population
    others = sum(v for k, v in groups.items() if k != "Nhân dân")
    groups["Nhân dân"] = sum(communes.values()) - others
    return {"commune": communes, "respondent_group": groups}


def _label(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _item(item_id: str, role: str, kind: str, vi: str, en: str, **more: object) -> dict:
    return {"id": item_id, "role": role, "type": kind, **more, "text": _label(vi, en)}


_CRITERIA_TEXT = (
    ("E1", "Thủ tục được niêm yết công khai", "Procedures are posted"),
    ("E1", "Cán bộ hướng dẫn tận tình", "Staff guide carefully"),
    ("E1", "Hồ sơ được giải quyết đúng hẹn", "Dossiers handled on time"),
    ("E2", "Ý kiến phản ánh được tiếp nhận", "Feedback is received"),
    ("E2", "Ý kiến được trả lời kịp thời", "Feedback is answered on time"),
)
_SAT3 = (("Không hài lòng", "Dissatisfied", "KHL"), ("Bình thường", "Neutral", "BT"))
_SAT3 += (("Hài lòng", "Satisfied", "HL"),)
_GROUPS_EN = ("Cadres and civil servants", "Party members", "Citizens")


def _scales() -> dict:
    return {
        "sat3": {
            "levels": [
                {"code": i, "label": _label(vi, en), "variants": [short]}
                for i, (vi, en, short) in enumerate(_SAT3, start=1)
            ],
            "satisfied": [3],
            "neutral": [2],
            "dissatisfied": [1],
        },
        "group": {
            "ordered": False,
            "levels": [
                {"code": code, "label": _label(label, en)}
                for (code, (label, *_)), en in zip(POLL_GROUPS.items(), _GROUPS_EN, strict=True)
            ],
        },
        "sex": {
            "ordered": False,
            "levels": [
                {"code": 1, "label": _label("Nam", "Male")},
                {"code": 2, "label": _label("Nữ", "Female")},
            ],
        },
    }


def _items() -> list[dict]:
    items = [
        _item(item, "criterion", "likert", vi, en, group=group, scale="sat3")
        for item, (group, vi, en) in zip(CRITERIA, _CRITERIA_TEXT, strict=True)
    ]
    return [
        *items,
        _item("hl_chung", "overall", "likert", "Mức độ hài lòng chung", "Overall satisfaction",
              scale="sat3"),
        _item("y_kien", "comment", "text", "Ý kiến, kiến nghị", "Comments and proposals"),
        _item("nhom", "respondent", "single", "Nhóm người trả lời", "Respondent group",
              scale="group"),
        _item("gioi_tinh", "respondent", "single", "Giới tính", "Sex", scale="sex"),
        _item("tuoi", "respondent", "numeric", "Tuổi", "Age", min=18, max=100),
        _item("ngay", "respondent", "date", "Ngày phát phiếu", "Date"),
    ]  # fmt: skip


def _instrument() -> dict:
    """The poll's instrument as the mapping `instrument.yaml` holds."""
    return {
        "id": "demo-poll",
        "title": _label(
            "Thăm dò dư luận về cải cách hành chính cấp xã (dữ liệu mô phỏng)",
            "Poll on commune-level administrative reform (synthetic data)",
        ),
        "version": "2025.1",
        "year": 2025,
        "geography": "current_34",
        "id_column": "ma_phieu",
        "data": {"file": "responses.xlsx", "sheet": SHEET, "header_row": 2},
        "sample": {
            "kind": "quota",
            "quota": ["commune", "respondent_group"],
            "period": "03/2025",
            "channel": _label("Phiếu giấy phát tại xã", "Paper forms handed out in each commune"),
            "margins": {
                "source": _label(
                    "Số dân từ 18 tuổi và số cán bộ, đảng viên của xã (số liệu mô phỏng)",
                    "Adults, cadres and party members per commune (synthetic figures)",
                ),
                **_margins(),
            },
        },
        "scales": _scales(),
        "groups": [
            {
                "id": "E1",
                "kind": "element",
                "label": _label("Tiếp nhận và giải quyết hồ sơ", "Handling of dossiers"),
            },
            {
                "id": "E2",
                "kind": "element",
                "label": _label("Tiếp nhận, trả lời ý kiến", "Handling of feedback"),
            },
        ],
        "items": _items(),
        "respondent": {
            "commune": "xa",
            "respondent_group": "nhom",
            "sex": "gioi_tinh",
            "age": "tuoi",
            "interview_date": "ngay",
        },
        "personal_data": [{"column": "y_kien", "action": "scrub"}],
        "salt": "demo-poll-salt-not-secret",
    }


_HEADER = """\
# The demo quota poll: synthetic data (satisfaction.demo.poll, seed {seed}), not a real poll.
# A Ban Tuyên giáo-style poll: 3 communes x 3 respondent groups filled to quotas, a 3-level
# scale, free-text answers; pooled figures are raked to the (made-up) population margins.
# Written by `satisfaction make-demo surveys/demo-poll --poll`.
"""


def write_poll_survey(directory: str | Path, seed: int = POLL_SEED) -> Path:
    """Write `responses.xlsx` and `instrument.yaml` of the demo quota poll into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "responses.xlsx").write_bytes(poll_workbook_bytes(generate_poll(seed), seed))
    body = yaml.safe_dump(
        _instrument(), allow_unicode=True, sort_keys=False, width=99, default_flow_style=None
    )
    (directory / "instrument.yaml").write_text(_HEADER.format(seed=seed) + body, encoding="utf-8")
    return directory
