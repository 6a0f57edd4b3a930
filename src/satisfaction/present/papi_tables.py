"""PAPI-style tables for leaders: league tables and checks with labels, not codes.

The studies layer returns frames keyed by ids (province codes, dimension ids); these helpers
turn them into the tables people read (Vietnamese or English headers, ranks "out of N", the
quartile group's name), numbers left as numbers for the workbook writer to format.
"""

from __future__ import annotations

import pandas as pd

from satisfaction.errors import ParameterError

__all__ = ["HEADERS", "checks_presentation", "league_presentation"]

HEADERS: dict[str, dict[str, str]] = {
    "vi": {
        "rank": "Hạng",
        "out_of": "Trên tổng số tỉnh",
        "province": "Tỉnh/thành phố",
        "total": "Chỉ số PAPI (tổng)",
        "group_label": "Nhóm",
        "sheet": "Trang tính",
        "year": "Năm",
        "check": "Kiểm tra",
        "status": "Kết quả",
        "value": "Giá trị",
        "where": "Vị trí",
        "message": "Nội dung",
    },
    "en": {
        "rank": "Rank",
        "out_of": "Out of",
        "province": "Province",
        "total": "PAPI total",
        "group_label": "Group",
        "sheet": "Sheet",
        "year": "Year",
        "check": "Check",
        "status": "Result",
        "value": "Value",
        "where": "Where",
        "message": "Message",
    },
}


def _headers(language: str) -> dict[str, str]:
    if language not in HEADERS:
        raise ParameterError(f"language must be 'vi' or 'en', got {language!r}", key="language")
    return HEADERS[language]


def league_presentation(table: pd.DataFrame, *, language: str = "vi") -> pd.DataFrame:
    """A `league_table` frame for reading: rank, out of, province, total, group, dimensions.

    Codes and group numbers are dropped (the group's name stays); dimension columns keep
    their names. Provinces not published that year keep an empty rank.
    """
    words = _headers(language)
    drop = [c for c in ("province_code", "group") if c in table.columns]
    out = table.drop(columns=drop)
    return out.rename(columns={k: v for k, v in words.items() if k in out.columns})


def checks_presentation(checks: pd.DataFrame, *, language: str = "vi") -> pd.DataFrame:
    """The `sheet_checks` frame with readable headers (messages stay as written)."""
    words = _headers(language)
    return checks.rename(columns={k: v for k, v in words.items() if k in checks.columns})
