"""Tests of estimates_table: headers, numbers kept as numbers, share checks."""

from __future__ import annotations

import pandas as pd
import pytest
from writers_data import VI_HEADERS, tidy_estimates

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.tables import estimates_table


@pytest.fixture
def tidy() -> pd.DataFrame:
    return tidy_estimates()


def test_estimates_table_vietnamese(tidy):
    table = estimates_table(tidy)
    assert list(table.columns) == VI_HEADERS  # variable and level hold one value: dropped
    assert table["Lĩnh vực"].tolist() == ["Đất đai", "Hộ tịch", "Xây dựng"]
    assert table["Ước lượng (%)"].tolist() == [0.7124, 0.903, 0.8]  # still proportions
    assert table["KTC 95% trên"].tolist() == [0.7509, 0.9201, 0.8527]
    assert table["n"].tolist() == [312, 4503, 28]
    for col in VI_HEADERS[1:6]:
        assert pd.api.types.is_numeric_dtype(table[col]), col
    assert table["Tin cậy"].tolist() == ["Có", "Có", "Không"]
    assert table["Ghi chú"].tolist() == ["", "", "dưới 30 người trả lời"]  # words, not a code
    assert table.attrs["percent_columns"] == VI_HEADERS[1:5]


def test_estimates_table_english_extras_and_labels(tidy):
    frame = tidy.copy()
    frame["level"] = [1, 2, 1]
    table = estimates_table(
        frame, language="en", by_labels={"field": "Lĩnh vực TTHC"}, extra=["deff", "N"]
    )
    assert list(table.columns) == [
        "Lĩnh vực TTHC",
        "Level",
        "Estimate (%)",
        "Standard error",
        "95% CI lower",
        "95% CI upper",
        "n",
        "Design effect",
        "N (weighted)",
        "Reliable",
        "Note",
    ]
    assert table["Level"].tolist() == [1, 2, 1]
    assert table["Design effect"].tolist() == [1.52, 1.21, 2.04]
    assert table["Reliable"].tolist() == ["Yes", "Yes", "No"]


def test_estimates_table_raw_scale_and_errors(tidy):
    papi = tidy.assign(estimate=[5.2, 6.1, 4.9], ci_low=[4.8, 5.7, 4.1], ci_high=[5.6, 6.5, 5.7])
    table = estimates_table(papi, percent=False)
    assert "Ước lượng" in table.columns and table.attrs["percent_columns"] == []
    with pytest.raises(InputError, match="outside"):
        estimates_table(papi)
    with pytest.raises(InputError, match="'ci_low'"):
        estimates_table(tidy.drop(columns="ci_low"))
    with pytest.raises(ParameterError, match="extra"):
        estimates_table(tidy, extra=["p_value"])


def test_estimates_table_intervals_for_each_kind_of_sample(tidy):
    reference = estimates_table(tidy, interval="reference")
    assert "Khoảng tham chiếu 95% dưới" in reference.columns
    assert "KTC 95% dưới" not in reference.columns and "Sai số chuẩn" not in reference.columns
    assert "Khoảng tham chiếu 95% trên" in reference.attrs["percent_columns"]
    plain = estimates_table(tidy, interval=None)
    assert not {"KTC 95% dưới", "KTC 95% trên", "Sai số chuẩn"} & set(plain.columns)
    assert plain.attrs["percent_columns"] == ["Ước lượng (%)"]
