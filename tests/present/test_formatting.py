"""Tests of the number formatting: Vietnamese separators, tables as text, notes lines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from satisfaction.present.formatting import format_number, format_percent, format_table, note_line


def test_format_number_and_percent_use_vietnamese_separators():
    assert format_number(1234567.891, digits=2) == "1.234.567,89"
    assert format_number(1234567.891, digits=2, language="en") == "1,234,567.89"
    assert format_number(312, digits=0) == "312"
    assert format_number(-0.0004, digits=1) == "0,0"  # never "-0,0"
    assert format_number(float("nan")) == ""
    assert format_percent(0.8234) == "82,3%"
    assert format_percent(0.8235, digits=2) == "82,35%"
    assert format_percent(0.011, sign=True) == "+1,1%"
    assert format_percent(-0.032, sign=True) == "-3,2%"
    assert format_percent(0.0004, sign=True) == "0,0%"
    assert format_percent(-0.0004, sign=True) == "0,0%"
    assert format_percent(None) == ""


def test_format_table_renders_each_kind_of_column():
    frame = pd.DataFrame(
        {
            "Tỷ lệ": [0.823, np.nan],
            "n": [1234.0, 56.0],
            "deff": [1.234, 2.0],
            "ok": [True, False],
            "ngày": pd.to_datetime(["2024-03-05", "2024-12-31"]),
            "ghi chú": ["Hộ tịch", None],
        }
    )
    text = format_table(frame, percent_columns=["Tỷ lệ"])
    assert text.values.tolist() == [
        ["82,3%", "1.234", "1,23", "Có", "05/03/2024", "Hộ tịch"],
        ["", "56", "2,00", "Không", "31/12/2024", ""],
    ]
    english = format_table(frame, percent_columns=["Tỷ lệ"], language="en")
    assert english.iloc[0].tolist() == ["82.3%", "1,234", "1.23", "Yes", "05/03/2024", "Hộ tịch"]


def test_note_line_lists_source_method_and_date():
    line = note_line(source="Khảo sát SIPAS 2024", method="tỷ lệ 4–5", date=dt.date(2025, 3, 5))
    assert line == "Nguồn: Khảo sát SIPAS 2024. Phương pháp: tỷ lệ 4–5. Ngày lập: 05/03/2025."
    assert note_line(source="x", date="") == "Nguồn: x."
    assert note_line(method="m", date="", language="en") == "Method: m."
