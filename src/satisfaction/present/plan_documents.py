"""The remediation plan's two documents, written from one set of frames.

``<name>.xlsx`` holds the sheets of `plan_tables.workbook_sheets` (p-values and coefficients
with their own number formats); ``<name>.docx`` follows the usual report structure, its
solutions-and-tasks table being `remediation_docs.remediation_plan_rows` of the first rows of
the same frame as the "Tổng hợp" sheet, and its figures the PNGs saved by the sections.
Both are Vietnamese (the administrative genre).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from satisfaction.analysis.estimates import ALL
from satisfaction.present.admin_document import admin_form_for
from satisfaction.present.plan_tables import (
    limitations_table,
    results_table,
)
from satisfaction.present.plan_text import _target_text, limitation_paragraphs, results_paragraphs
from satisfaction.present.remediation_docs import remediation_plan_rows, write_remediation_docx
from satisfaction.present.wording import index_rule_words, method_note
from satisfaction.present.workbook import write_workbook

if TYPE_CHECKING:
    from satisfaction.present.plan import RemediationReport

__all__ = ["write_plan_documents"]


def write_plan_documents(report: RemediationReport, name: str) -> dict[str, Path]:
    """Write `<name>.xlsx` and `<name>.docx` into the report's output folder (its sections
    already run); returns both paths."""
    xlsx = _write_xlsx(report, name)
    docx = _write_docx(report, name)
    return {"xlsx": xlsx, "docx": docx}


def _write_xlsx(report: RemediationReport, name: str) -> Path:
    result = report.result
    notes = (
        f"{report.source}. {index_rule_words(report.facts, 'vi')} Mục tiêu: "
        f"{_target_text(result.rule, report.province == ALL)}."
    )
    title = f"Kế hoạch khắc phục — {report.where}"
    sheets = report.workbook_sheets()
    formats = {"Hệ số": "0.000", "Sai số chuẩn": "0.000"}  # p-values: P_FORMAT from attrs
    return write_workbook(
        report.output_dir / f"{name}.xlsx",
        sheets,
        notes=notes,
        title=title,
        number_formats=formats,
    )


def _write_docx(report: RemediationReport, name: str) -> Path:
    result = report.result
    shown = report.docx_plan_frame()
    plan_rows = remediation_plan_rows(
        shown, criterion="label", change="change", priority="priority"
    )
    rule_text = report.rule_text
    if len(result.plan) > len(shown):
        rule_text += (
            f" Bảng nêu {len(shown)}/{len(result.plan)} mục đầu; danh sách đầy đủ ở trang "
            f"“Tổng hợp” của {name}.xlsx."
        )
    interval = report.interval_vi
    limitations = limitations_table(result.plan, interval[:1].upper() + interval[1:])
    meta = report.estimates.meta
    whole = report.province == ALL
    form = admin_form_for(
        None if whole else report.province,
        year=meta.get("year"),
        number=report.document.get("number", ""),
        date=report.document.get("date") or None,
        issuer=report.document.get("issuer", ""),
        signer=report.document.get("signer", ""),
    )
    where = "" if whole else f" tại {report.province}"
    return write_remediation_docx(
        report.output_dir / f"{name}.docx",
        title="KẾ HOẠCH",
        subtitle=(
            "Khắc phục hạn chế, nâng cao sự hài lòng của người dân, tổ chức đối với sự phục "
            f"vụ của cơ quan hành chính nhà nước{where}"
        ),
        method_note=(
            f"Căn cứ kết quả {meta.get('title')} năm {meta.get('year')}. "
            f"{method_note(report.facts, 'vi')}"
        ),
        form=form,
        results_paragraphs=results_paragraphs(report),
        results_table=results_table(report),
        results_table_caption=(
            "Chỉ số hài lòng chung theo lĩnh vực"
            if report.estimates.fields
            else "Chỉ số hài lòng chung"
        ),
        figures=_figure_specs(report),
        limitation_paragraphs=limitation_paragraphs(report),
        limitations=limitations
        if len(limitations)
        else ["Không có tiêu chí ở mức Ưu tiên 1 hoặc 2."],
        plan_table=plan_rows,
        plan_note=rule_text,
        current_header=(
            f"Chỉ số hiện tại ({report.interval_vi})" if report.interval_vi else "Chỉ số hiện tại"
        ),
    )


def _figure_specs(report: RemediationReport) -> list[tuple[dict[str, Path], str]]:
    """The sections' saved figures with their captions, in the document's order."""
    figure_specs = []
    interval = f"; đoạn: {report.interval_vi}" if report.interval_vi else ""
    captions = {
        "priorities": f"Các tiêu chí cần ưu tiên khắc phục (điểm: tỷ lệ hài lòng{interval})",
        "drivers": "Tầm quan trọng và mức hài lòng của các tiêu chí",
        "change": f"Thay đổi chỉ số hài lòng chung theo lĩnh vực so với {report.previous_label}",
    }
    for key in ("priorities", "drivers", "change"):
        if key in report.figure_paths:
            figure_specs.append((report.figure_paths[key], captions[key]))
    return figure_specs
