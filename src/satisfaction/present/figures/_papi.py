"""What the PAPI-style charts share: the four quartile-group colours, their names, wording.

The group colours are the Likert palette's four outer shades (Okabe-Ito bluish green and
vermillion, dark and light), already checked for colour-vision deficiency: group 1 (best)
dark green, 2 light green, 3 light vermillion, 4 (poor) dark vermillion.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import pandas as pd
from matplotlib.patches import Patch

from satisfaction.errors import InputError
from satisfaction.present.figures.theme import LIKERT_COLOURS, _labels
from satisfaction.studies.papi_published import GROUP_LABELS

__all__: list[str] = []

GROUP_COLOURS: dict[int, str] = {
    1: LIKERT_COLOURS["very_positive"],
    2: LIKERT_COLOURS["positive"],
    3: LIKERT_COLOURS["negative"],
    4: LIKERT_COLOURS["very_negative"],
}
NO_DATA = "#EFEFEF"

WORDS = {
    "vi": {
        "no_data": "Không có số liệu",
        "rank_axis": "Hạng (1 = cao nhất)",
        "unranked": "{count} tỉnh không có hạng (không được công bố).",
        "rank_note": "Đoạn ngang: khoảng hạng 95% từ độ bất định chung của mọi tỉnh.",
        "score": "Điểm",
        "map_title": "Nhóm tỉnh theo tứ phân vị",
        "rank_title": "Xếp hạng tỉnh",
        "slope_title": "Điểm qua các kỳ",
        "map_note": (
            "Bản đồ ô: mỗi ô là một tỉnh/thành ({system}); vị trí gần đúng, không theo tỷ lệ."
        ),
        "current_34": "34 đơn vị từ 01/7/2025",
        "historical_63": "63 đơn vị trước 01/7/2025",
        "break_note": "Đường đứt: thay đổi phương pháp; không nối điểm qua chỗ thay đổi.",
    },
    "en": {
        "no_data": "No data",
        "rank_axis": "Rank (1 = highest)",
        "unranked": "{count} provinces without a rank (not published).",
        "rank_note": "Lines: 95% rank intervals from the joint uncertainty of all provinces.",
        "score": "Score",
        "map_title": "Provinces by quartile group",
        "rank_title": "Province ranking",
        "slope_title": "Scores across waves",
        "map_note": "Tile map: one tile per province ({system}); positions approximate.",
        "current_34": "the 34 units from 1 July 2025",
        "historical_63": "the 63 units before 1 July 2025",
        "break_note": "Dashed line: method change; points are not joined across it.",
    },
}


def _words(language: str) -> dict[str, str]:
    _labels(language)  # validates the language
    return WORDS[language]


def _group_codes(values: pd.Series, func: str, column: str) -> pd.Series:
    """Quartile groups as integers 1..4 (missing stays missing); anything else refused."""
    codes = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & ~codes.isin([1, 2, 3, 4])
    if bad.any():
        raise InputError(
            f"{func}: column {column!r} holds {values[bad].iloc[0]!r}; quartile groups are "
            "1 (best) to 4",
            column=column,
        )
    return codes.astype("Int64")


def _group_legend(groups: Iterable[object], language: str, missing: bool) -> tuple[list, list]:
    present = sorted({int(g) for g in groups if pd.notna(g)})
    handles: list = [Patch(facecolor=GROUP_COLOURS[g], edgecolor="none") for g in present]
    names = [GROUP_LABELS[language][g] for g in present]
    if missing:
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#9A9A9A", hatch="///"))
        names.append(_words(language)["no_data"])
    return handles, names


def _highlighted(highlight: Hashable | Sequence[Hashable] | None) -> set:
    if highlight is None:
        return set()
    if isinstance(highlight, str) or not isinstance(highlight, Iterable):
        return {highlight}
    return set(highlight)
