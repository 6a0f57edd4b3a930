"""One-stop report words: the sentences ward reports quote, in Vietnamese number format, and
the two satisfaction measures under their own names."""

from __future__ import annotations

import pandas as pd
import pytest

from satisfaction.present.onestop_text import (
    field_table,
    measures_table,
    period_name,
    report_sentences,
)

ROW = pd.Series(
    {
        "period": "2024-Q4", "received": 1058, "online": 1049, "direct": 7, "postal": 2,
        "channel_unknown": 0, "settled": 1059, "early": 1054, "on_day": 5, "late": 0,
        "timeliness_unknown": 0, "pending": 3, "qd766_rate": 0.9991, "rated": 200,
        "coverage": 200 / 1059, "rated_satisfied_share": 1.0, "rated_ci_low": 0.9812,
        "rated_ci_high": 1.0, "on_time_share": 1.0,
    }
)  # fmt: skip


def test_the_ward_sentence_in_vietnamese_numbers():
    first, second = report_sentences(ROW, "UBND phường An Hòa")
    assert first == (
        "Trong quý IV/2024, UBND phường An Hòa tiếp nhận 1.058 hồ sơ (trực tuyến: 1.049 hồ sơ; "
        "trực tiếp và qua dịch vụ bưu chính: 9 hồ sơ); đã giải quyết 1.059 hồ sơ, trong đó "
        "giải quyết trước hạn: 1.054 hồ sơ, đúng hạn: 5 hồ sơ, quá hạn: 0 hồ sơ; đang giải "
        "quyết: 3 hồ sơ."
    )
    assert second.startswith("Tỷ lệ hài lòng theo QĐ 766/QĐ-TTg: 99,9% (hồ sơ không được")
    assert "Trong 200 hồ sơ được đánh giá (độ phủ đánh giá 18,9%)" in second
    assert "tỷ lệ đánh giá hài lòng là 100,0% (khoảng Wilson 95%: 98,1% – 100,0%" in second


def test_period_names():
    assert period_name("2024-Q1") == "quý I/2024"
    assert period_name("2024-03") == "tháng 3/2024"
    assert period_name("2024") == "năm 2024"
    assert period_name("2024-Q1", "en") == "Q1 2024"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_tables_label_the_two_measures_apart_and_add_a_total(language):
    by_field = pd.DataFrame([{**ROW, "field": "Hộ tịch"}, {**ROW, "field": "Đất đai"}])
    total = ROW.copy()
    table = field_table(by_field, total, language)
    assert len(table) == 3 and table.iloc[-1, 0] in ("Tổng cộng", "Total")
    assert table.iloc[0, 3] == 9  # desk and post
    measures = measures_table(by_field, total, language)
    qd766 = [c for c in measures.columns if "766" in c]
    share = [c for c in measures.columns if c.startswith(("Tỷ lệ hài lòng trong", "Satisfied"))]
    assert len(qd766) == 1 and len(share) == 1 and qd766 != share
    assert "Wilson" in " ".join(measures.columns)
    assert set(measures.attrs["percent_columns"]) <= set(measures.columns)


def test_unit_names_never_become_markup_in_the_notebook():
    import markdown_it

    from satisfaction.present.onestop_report import as_markdown_text

    hostile = "UBND <script>x</script> **đậm** [liên kết](http://e) # 1.058 - 98,5%"
    rendered = markdown_it.MarkdownIt().render(as_markdown_text(hostile))
    assert "<script>" not in rendered and "<strong>" not in rendered and "<a " not in rendered
    assert "1.058" in rendered and "UBND" in rendered


@pytest.mark.parametrize("language", ["vi", "en"])
def test_trend_and_formulas_show_labels_not_codes(language):
    from satisfaction.present.onestop_text import formulas_table, trend_table
    from satisfaction.studies.onestop import FORMULAS

    monthly = pd.DataFrame([{**ROW, "period": "2024-03", "on_time": 1059}])
    trend = trend_table(monthly, language)
    assert trend.iloc[0, 0] in ("tháng 3/2024", "2024-03")
    formulas = formulas_table(FORMULAS, language)
    shown = [*trend.columns, *formulas.iloc[:, 0]]
    assert not [name for name in shown if "_" in name or name in FORMULAS]
    assert len(formulas) == len(FORMULAS) - 1  # the Wilson bounds share one row
