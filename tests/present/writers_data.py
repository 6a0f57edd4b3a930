"""Shared by the writer tests (test_files, test_tables, test_workbook, test_docx,
test_remediation_docs): a tidy estimates frame, its Vietnamese headers, a forest plot to
save, and readers of Word documents. Not a test module: pytest collects only test_*.py.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd

from satisfaction.present import figures

NBSP = "\u00a0"

#: The headers ``estimates_table`` gives ``tidy_estimates()`` (variable and level dropped).
VI_HEADERS = [
    "Lĩnh vực",
    "Ước lượng (%)",
    "Sai số chuẩn",
    "KTC 95% dưới",
    "KTC 95% trên",
    "n",
    "Tin cậy",
    "Ghi chú",
]


def tidy_estimates() -> pd.DataFrame:
    """A tidy estimates frame as the estimators return it (by-column first)."""
    return pd.DataFrame(
        {
            "field": ["Đất đai", "Hộ tịch", "Xây dựng"],
            "variable": "satisfied",
            "level": 1,
            "estimate": [0.7124, 0.903, 0.8],
            "se": [0.0213, 0.0101, 0.0307],
            "ci_low": [0.6702, 0.8813, 0.7301],
            "ci_high": [0.7509, 0.9201, 0.8527],
            "cv": [0.03, 0.011, 0.038],
            "deff": [1.52, 1.21, 2.04],
            "n": [312, 4503, 28],
            "N": [101234.5, 203456.0, 30001.25],
            "df": [40, 40, 40],
            "reliable": [True, True, False],
            "reliability_note": ["", "", "n < 30"],
        }
    )


def forest(tidy: pd.DataFrame, title: str):
    return figures.forest(tidy, y="field", title=title, source="Khảo sát SIPAS 2024")


def table_text(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def headings(document) -> list[tuple[int, str]]:
    out = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            out.append((int(name.split()[1]), paragraph.text))
    return out
