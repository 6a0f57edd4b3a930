"""The PAPI-style report's sections on the demo survey: words a leader reads, figures saved,
one workbook of tables; bad parameters refused with the valid values."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.present.html_table import display_frame
from satisfaction.present.papi_report import PapiReport


@pytest.fixture(scope="module")
def report(papi_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("papi-report")
    return PapiReport.open("papi-demo", province="Đắk Lắk", output_dir=out, root=papi_project)


def test_summary_states_score_interval_rank_interval_groups_and_comparison(report):
    text = report.summary().data
    assert text.startswith("**Đắk Lắk, 2026**")
    for phrase in ("KTC 95%", "khoảng hạng 95%", "10.000 lần", "Cao nhất", "(Holm)"):
        assert phrase in text
    assert "34 tỉnh từ 01/7/2025" in report.method().data


def test_tables_use_vietnamese_numbers_and_labels(report):
    shown = display_frame(report.scores())
    assert list(shown.columns) == ["Tỉnh/thành phố", "Cấp", "Chỉ số", "Điểm", "KTC 95%", "n"]
    assert set(shown["Cấp"]) == {"Tổng hợp", "Lĩnh vực", "Chỉ số thành phần"}
    assert shown["Điểm"].str.fullmatch(r"\d+,\d\d").all()  # scores, not shares: no "%"
    assert shown["KTC 95%"].str.fullmatch(r"\d+,\d\d–\d+,\d\d").all()
    compare = display_frame(report.compare())
    assert set(compare["Kết luận"]) <= {"Cao hơn", "Thấp hơn", "Không khác biệt"}
    assert "p (hiệu chỉnh Holm)" in compare.columns


def test_figures_and_workbook_are_written(report):
    report.ranking()
    report.map()
    report.trend()
    names = {p.name for p in report.figures_written}
    assert {"xep-hang-2026.png", "ban-do-nhom-2026.svg", "xu-huong.csv"} <= names
    trend = pd.read_csv(report.output_dir / "figures" / "xu-huong.csv", encoding="utf-8-sig")
    assert sorted(trend["year"].unique()) == [2024, 2025, 2026]
    workbook = report.finish()
    sheets = pd.read_excel(workbook, sheet_name=None, engine="calamine")
    assert {"Điểm", "So với mức chung"} <= set(sheets)  # sheets named in the language


def test_bad_parameters_are_refused(papi_project):
    with pytest.raises(ParameterError, match="valid: all, Hà Nội"):
        PapiReport.open("papi-demo", province="Trà Vinh", root=papi_project)
    with pytest.raises(ParameterError, match="waves"):
        PapiReport.open("papi-demo", year=2019, root=papi_project)
    with pytest.raises(ParameterError, match="not a PAPI-style survey"):
        PapiReport.open("../etc", root=papi_project)


def test_method_note_names_the_variance_method(report):
    assert "tuyến tính hóa Taylor" in report.method().data  # the demo: linearisation
    import dataclasses

    meta = dict(report.estimates.meta)
    meta["variance"] = {
        str(report.year): {
            "method": "replicate", "replicate_method": "JKn", "replicates": 1240,
            "built": True,
        }
    }  # fmt: skip
    meta["relative_indicators"] = ["d5_3"]
    replicated = dataclasses.replace(report, estimates=dataclasses.replace(
        report.estimates, meta=meta))  # fmt: skip
    text = replicated.method().data
    assert "trọng số lặp (jackknife phân tầng JKn, 1.240 bộ trọng số tạo từ" in text
    assert "1 chỉ báo được quy về thang theo mức thấp nhất và cao nhất" in text
    english = dataclasses.replace(replicated, language="en").method().data
    assert "replicate weights (stratified jackknife JKn, 1,240 replicates built" in english


def test_an_english_report_names_indices_by_their_english_labels(papi_project, tmp_path):
    report = PapiReport.open(
        "papi-demo", province="Hà Nội", language="en", output_dir=tmp_path, root=papi_project
    )
    labels = set(report.estimates.scores["label"])
    assert "Participation at local levels" in labels
    assert "Total index (sum of dimensions)" in labels
    assert not any("Tham gia" in label for label in labels)
    assert report.title.startswith("PAPI-style governance index — Hà Nội")
