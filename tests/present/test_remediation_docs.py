"""Tests of the remediation plan's table and Word document."""

from __future__ import annotations

import shutil
import subprocess

import docx
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from writers_data import NBSP, VI_HEADERS, forest, headings, table_text, tidy_estimates

from satisfaction.errors import InputError, ParameterError
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.remediation_docs import (
    PLAN_COLUMNS,
    REMEDIATION_HEADINGS,
    remediation_plan_rows,
    write_remediation_docx,
)


@pytest.fixture(autouse=True)
def _theme():
    with matplotlib.rc_context():
        figures.set_theme()
        yield
    plt.close("all")


@pytest.fixture
def tidy() -> pd.DataFrame:
    return tidy_estimates()


def _plan_frame(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy.assign(
        item=[
            "Thời gian giải quyết đúng hạn",
            "Công chức hướng dẫn tận tình",
            "Phí đúng quy định",
        ],
        change=[-0.0321, 0.011, np.nan],
        priority=["Cao", "Thấp", "Trung bình"],
    )


PLAN_ROWS = [
    ["Đất đai", "Thời gian giải quyết đúng hạn", f"71,2%{NBSP}(67,0–75,1)\nn{NBSP}={NBSP}312",
     f"-3,2{NBSP}điểm{NBSP}%", "Cao", "", ""],
    ["Hộ tịch", "Công chức hướng dẫn tận tình", f"90,3%{NBSP}(88,1–92,0)\nn{NBSP}={NBSP}4.503",
     f"+1,1{NBSP}điểm{NBSP}%", "Thấp", "", ""],
    ["Xây dựng", "Phí đúng quy định", f"80,0%{NBSP}(73,0–85,3)\nn{NBSP}={NBSP}28 *", "–",
     "Trung bình", "", ""],
]  # fmt: skip


def test_remediation_plan_rows(tidy):
    rows = remediation_plan_rows(_plan_frame(tidy))
    assert list(rows.columns) == list(PLAN_COLUMNS)
    assert rows.values.tolist() == PLAN_ROWS
    bare = remediation_plan_rows(
        _plan_frame(tidy).drop(columns=["change", "n"]), unit="field", priority=None
    )
    assert bare.iloc[0].tolist() == [
        "Đất đai",
        "Thời gian giải quyết đúng hạn",
        f"71,2%{NBSP}(67,0–75,1)",
        "–",
        "",
        "Đất đai",
        "",
    ]
    with pytest.raises(InputError, match="'item'"):
        remediation_plan_rows(tidy)


def test_write_remediation_docx_structure(tmp_path, tidy):
    png = save_figure(forest(tidy, "Tỷ lệ hài lòng"), tmp_path, "forest", data=tidy)
    path = write_remediation_docx(
        tmp_path / "remediation_plan.docx",
        title="Kế hoạch khắc phục năm 2024",
        results_paragraphs=["Tỷ lệ hài lòng chung đạt 82,3%.", "Hộ tịch cao nhất."],
        figures=[(png, "Tỷ lệ hài lòng theo lĩnh vực")],
        limitations=tidy.iloc[[0, 2]],
        plan_table=_plan_frame(tidy),
        causes={"Nguyên nhân chủ quan": ["Thiếu công chức ở bộ phận một cửa."]},
    )
    document = docx.Document(str(path))
    assert headings(document) == list(REMEDIATION_HEADINGS)
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [
        "Kế hoạch khắc phục năm 2024"
    ]
    texts = [p.text for p in document.paragraphs]
    objective = texts.index("Nguyên nhân khách quan")
    assert texts[objective + 1] == "(Đơn vị phân tích, bổ sung.)"
    subjective = texts.index("Nguyên nhân chủ quan")
    assert texts[subjective + 1] == "Thiếu công chức ở bộ phận một cửa."
    assert texts.index("Hình 1. Tỷ lệ hài lòng theo lĩnh vực") < texts.index("Hạn chế, tồn tại")
    assert "* Ước lượng không đủ tin cậy (cỡ mẫu nhỏ), chỉ để tham khảo." in texts

    limitations, plan = document.tables
    assert table_text(limitations)[0] == VI_HEADERS
    assert table_text(limitations)[2] == [
        "Xây dựng", "80,0%", "3,1%", "73,0%", "85,3%", "28", "Không", "dưới 30 người trả lời",
    ]  # fmt: skip
    assert table_text(plan) == [list(PLAN_COLUMNS), *PLAN_ROWS]
    assert len(document.inline_shapes) == 1


def test_write_remediation_docx_ready_plan_and_bullets(tmp_path):
    ready = pd.DataFrame(
        {
            "Lĩnh vực": ["Đất đai"],
            "Tiêu chí": ["Đúng hạn"],
            "Chỉ số hiện tại (KTC 95%)": ["71,2% (67,0–75,1)"],
            "Thay đổi so với kỳ trước": ["–"],
            "Mức ưu tiên": ["Cao"],
        }
    )
    path = write_remediation_docx(
        tmp_path / "p.docx",
        title="Kế hoạch",
        results_paragraphs=[],
        limitations=["Đất đai: 71,2%, thấp nhất."],
        plan_table=ready,
    )
    document = docx.Document(str(path))
    (plan,) = document.tables
    assert table_text(plan)[1] == ["Đất đai", "Đúng hạn", "71,2% (67,0–75,1)", "–", "Cao", "", ""]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Đất đai: 71,2%, thấp nhất."]
    assert len(document.inline_shapes) == 0
    with pytest.raises(ParameterError, match="unknown heading"):
        write_remediation_docx(
            tmp_path / "q.docx",
            title="x",
            results_paragraphs=[],
            limitations=[],
            plan_table=ready,
            causes={"Nguyên nhân khác": ["x"]},
        )
    assert not (tmp_path / "q.docx").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_remediation_docx_converts_to_pdf_with_libreoffice(tmp_path, tidy):
    path = write_remediation_docx(
        tmp_path / "plan.docx",
        title="Kế hoạch khắc phục",
        results_paragraphs=["Tỷ lệ hài lòng chung đạt 82,3%."],
        limitations=tidy,
        plan_table=_plan_frame(tidy),
    )
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "plan.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        for expected in ("KẾT QUẢ KHẢO SÁT", "Nguyên nhân khách quan", "Giải pháp, nhiệm vụ"):
            assert expected in text
        assert "90,3%" in text and "4.503" in text
