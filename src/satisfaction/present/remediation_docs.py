"""The remediation plan (kế hoạch khắc phục) as a Word document.

:func:`remediation_plan_rows` turns weak criteria into the solutions-and-tasks table
(:data:`PLAN_COLUMNS`, as text); :func:`write_remediation_docx` lays out the plan under
:data:`REMEDIATION_HEADINGS`: results, limitations, causes (headings left for the analyst)
and that table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.admin_document import AdminForm, write_header, write_signature
from satisfaction.present.formatting import (
    _SHARE_TOL,
    _is_missing,
    _nfc,
    format_number,
    format_percent,
)
from satisfaction.present.tables import estimates_table
from satisfaction.present.word import DocxReport

__all__ = [
    "PLAN_COLUMNS",
    "REMEDIATION_HEADINGS",
    "remediation_plan_rows",
    "write_remediation_docx",
]

#: The headings of a remediation plan, in order (level 1, except the two causes at level 2).
REMEDIATION_HEADINGS: tuple[tuple[int, str], ...] = (
    (1, "Kết quả khảo sát"),
    (1, "Hạn chế, tồn tại"),
    (1, "Nguyên nhân"),
    (2, "Nguyên nhân khách quan"),
    (2, "Nguyên nhân chủ quan"),
    (1, "Giải pháp, nhiệm vụ"),
)

#: Columns of the solutions-and-tasks table; the last two are left for the analyst.
PLAN_COLUMNS: tuple[str, ...] = (
    "Lĩnh vực",
    "Tiêu chí",
    "Chỉ số hiện tại (KTC 95%)",
    "Thay đổi so với kỳ trước",
    "Mức ưu tiên",
    "Đơn vị chủ trì",
    "Thời hạn",
)

_PLACEHOLDER_CAUSE = "(Đơn vị phân tích, bổ sung.)"
_UNRELIABLE_NOTE = "* Ước lượng không đủ tin cậy (cỡ mẫu nhỏ), chỉ để tham khảo."
_CAUSE_HEADINGS = [h for level, h in REMEDIATION_HEADINGS if level == 2]


def remediation_plan_rows(
    frame: pd.DataFrame,
    *,
    field: str = "field",
    criterion: str = "item",
    estimate: str = "estimate",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    n: str | None = "n",
    change: str | None = "change",
    priority: str | None = "priority",
    unit: str | None = None,
    deadline: str | None = None,
    reliable: str | None = "reliable",
    digits: int = 1,
) -> pd.DataFrame:
    """The solutions-and-tasks table (``PLAN_COLUMNS``) as text, one row per weak criterion.

    "Chỉ số hiện tại (KTC 95%)" reads ``"78,4% (75,1–81,5), n = 312"`` (shares are
    proportions; ``n`` optional); a row whose ``reliable`` is False gets " *". "Thay đổi so
    với kỳ trước" is the change in percentage points, signed (``"-3,2 điểm %"``; "–" when
    missing or when the frame has no ``change`` column). "Đơn vị chủ trì" and "Thời hạn" are
    blank unless ``unit``/``deadline`` name columns: the analyst assigns them.
    """
    func = "remediation_plan_rows"
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{func}: expected a DataFrame, got {type(frame).__name__}")
    needed = [field, criterion, estimate, *ci]
    needed += [c for c in (unit, deadline) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{func}: the frame has no column {missing[0]!r}", column=missing[0])
    for col in (estimate, *ci):
        values = pd.to_numeric(frame[col], errors="coerce")
        outside = frame.index[(values < -_SHARE_TOL) | (values > 1 + _SHARE_TOL)]
        if len(outside):
            raise InputError(
                f"{func}: column {col!r} holds {values[outside[0]]!r}, outside [0, 1]",
                column=col,
                row=str(outside[0]),
            )

    def current(row: pd.Series) -> str:
        text = format_percent(row[estimate], digits=digits)
        low = format_number(100 * row[ci[0]], digits=digits) if not _is_missing(row[ci[0]]) else ""
        high = (
            format_number(100 * row[ci[1]], digits=digits) if not _is_missing(row[ci[1]]) else ""
        )
        if low and high:
            text += f"\u00a0({low}–{high})"
        if n is not None and n in frame.columns and not _is_missing(row[n]):
            text += f"\nn\u00a0=\u00a0{format_number(row[n], digits=0)}"
        if reliable is not None and reliable in frame.columns:
            flag = row[reliable]
            if not _is_missing(flag) and not bool(flag):
                text += " *"
        return text

    def moved(value: object) -> str:
        if _is_missing(value):
            return "–"
        points = format_percent(float(value), digits=digits, sign=True).removesuffix("%")
        return f"{points}\u00a0điểm\u00a0%"

    def text_of(value: object) -> str:
        return "" if _is_missing(value) else _nfc(value)

    rows = {
        PLAN_COLUMNS[0]: frame[field].map(text_of),
        PLAN_COLUMNS[1]: frame[criterion].map(text_of),
        PLAN_COLUMNS[2]: frame.apply(current, axis=1) if len(frame) else pd.Series(dtype=object),
        PLAN_COLUMNS[3]: (
            frame[change].map(moved)
            if change is not None and change in frame.columns
            else pd.Series("–", index=frame.index)
        ),
        PLAN_COLUMNS[4]: (
            frame[priority].map(text_of)
            if priority is not None and priority in frame.columns
            else pd.Series("", index=frame.index)
        ),
        PLAN_COLUMNS[5]: frame[unit].map(text_of) if unit else pd.Series("", index=frame.index),
        PLAN_COLUMNS[6]: (
            frame[deadline].map(text_of) if deadline else pd.Series("", index=frame.index)
        ),
    }
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS)).reset_index(drop=True).astype(object)


FigureSpec = tuple[str | Path | Mapping[str, Path], str]


def _presentable(frame: pd.DataFrame) -> pd.DataFrame:
    """A tidy estimates frame becomes its presentation table; anything else is kept."""
    tidy = {"estimate", "se", "ci_low", "ci_high", "n"}
    return estimates_table(frame) if tidy <= set(frame.columns) else frame


def write_remediation_docx(
    path: str | Path,
    *,
    title: str,
    results_paragraphs: Sequence[str],
    figures: Sequence[FigureSpec] = (),
    limitations: pd.DataFrame | Sequence[str],
    plan_table: pd.DataFrame,
    subtitle: str | None = None,
    method_note: str | None = None,
    results_table: pd.DataFrame | None = None,
    results_table_caption: str = "Kết quả khảo sát theo lĩnh vực",
    limitation_paragraphs: Sequence[str] = (),
    limitations_caption: str = "Các lĩnh vực, tiêu chí có chỉ số hài lòng thấp nhất",
    causes: Mapping[str, Sequence[str]] | None = None,
    plan_caption: str = "Giải pháp, nhiệm vụ ưu tiên",
    plan_columns: Mapping[str, str | None] | None = None,
    plan_note: str | None = None,
    form: AdminForm | None = None,
    current_header: str | None = None,
) -> Path:
    """Write a remediation plan (kế hoạch khắc phục) as a Word document; returns the path.

    With ``form`` the document has the administrative form of Decree 30/2020/NĐ-CP: the
    header block (issuing body and number left; nation, motto, place and date right) above
    the title, and "Nơi nhận" with the signature block after the last table.

    Structure (``REMEDIATION_HEADINGS``): "Kết quả khảo sát" (``results_paragraphs``, an
    optional ``results_table``, then each ``(picture, caption)`` of ``figures``); "Hạn chế,
    tồn tại" (``limitation_paragraphs``, then ``limitations``: a DataFrame becomes a table,
    a list of texts a bulleted list; a tidy estimates frame is shown through
    :func:`estimates_table`); "Nguyên nhân" with "Nguyên nhân khách quan" and "Nguyên nhân
    chủ quan" (paragraphs from ``causes`` keyed by those headings, else a placeholder for
    the analyst); "Giải pháp, nhiệm vụ" (the table of ``PLAN_COLUMNS``). ``plan_table``
    either already has those columns or is turned into them by
    :func:`remediation_plan_rows` (``plan_columns`` passes its column names).

    ``current_header`` renames the "Chỉ số hiện tại (KTC 95%)" column (a sample with no
    confidence interval says what its brackets hold, or that there are none).

    The analysis behind the tables is not done here: the frames are shown as given.
    """
    if isinstance(results_paragraphs, str):
        raise ParameterError("results_paragraphs must be a list of paragraphs, not one text")
    if not isinstance(plan_table, pd.DataFrame):
        raise InputError(f"plan_table must be a DataFrame, got {type(plan_table).__name__}")
    causes = _checked_causes(causes)
    plan, unreliable_marked = _plan_of(plan_table, plan_columns)
    for picture, _caption in figures:
        source = Path(picture["png"] if isinstance(picture, Mapping) else picture)
        if not source.is_file():
            raise InputError(f"figure picture {str(source)!r} does not exist", file=source)

    report = DocxReport()
    if form is not None:
        write_header(report.document, form, report.text_width_mm)
    report.title(title, subtitle=subtitle, bold_subtitle=form is not None)
    if method_note:
        report.paragraph(method_note, italic=True, indent=False)
    headings = iter(REMEDIATION_HEADINGS)

    _next_heading(report, headings)  # Kết quả khảo sát
    for text in results_paragraphs:
        report.paragraph(text)
    if results_table is not None:
        report.table(_presentable(results_table), caption=results_table_caption)
    for picture, caption in figures:
        report.figure(picture, caption=caption)

    _next_heading(report, headings)  # Hạn chế, tồn tại
    _write_limitations(report, limitation_paragraphs, limitations, limitations_caption)

    _next_heading(report, headings)  # Nguyên nhân
    _write_causes(report, headings, causes)

    # Seven columns, two left blank for the analyst: the plan gets a landscape page so the
    # criterion column does not wrap to five lines.
    report.landscape_section()
    _next_heading(report, headings)  # Giải pháp, nhiệm vụ
    note = plan_note
    if unreliable_marked:
        note = f"{_UNRELIABLE_NOTE} {plan_note}" if plan_note else _UNRELIABLE_NOTE
    if current_header:
        plan = plan.rename(columns={PLAN_COLUMNS[2]: current_header})
    report.table(plan, caption=plan_caption, note=note, size_pt=report.size_pt - 1)
    if form is not None:
        _keep_with_signature(report.document)
        write_signature(report.document, form, report.text_width_mm)
    return report.save(path, title=title)


def _keep_with_signature(document: Any) -> None:
    """The last table's last row and the paragraphs after it go with the signature block:
    the signature never stands alone on the last page."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    table = document.tables[-1]
    for cell in table.rows[-1].cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    for element in table._tbl.itersiblings():
        if element.tag == qn("w:p"):
            Paragraph(element, table._parent).paragraph_format.keep_with_next = True


def _checked_causes(causes: Mapping[str, Sequence[str]] | None) -> dict[str, Sequence[str]]:
    """The analyst's causes keyed by their (NFC) heading; an unknown heading is refused."""
    causes = dict(causes or {})
    unknown = [k for k in causes if _nfc(k) not in _CAUSE_HEADINGS]
    if unknown:
        raise ParameterError(
            f"causes: unknown heading {unknown[0]!r}; use one of {_CAUSE_HEADINGS}"
        )
    return {_nfc(k): v for k, v in causes.items()}


def _plan_of(
    plan_table: pd.DataFrame, plan_columns: Mapping[str, str | None] | None
) -> tuple[pd.DataFrame, bool]:
    """The plan in ``PLAN_COLUMNS`` (as given, or built), and whether a row is marked "*"."""
    if set(PLAN_COLUMNS[:5]) <= {_nfc(c) for c in plan_table.columns}:
        plan = plan_table.rename(columns=_nfc).copy()
        for col in PLAN_COLUMNS[5:]:
            if col not in plan.columns:
                plan[col] = ""
        plan = plan[list(PLAN_COLUMNS)]
        unreliable_marked = plan[PLAN_COLUMNS[2]].astype(str).str.endswith("*").any()
    else:
        plan = remediation_plan_rows(plan_table, **dict(plan_columns or {}))  # type: ignore[arg-type]
        unreliable_marked = plan[PLAN_COLUMNS[2]].str.endswith("*").any()
    return plan, unreliable_marked


def _next_heading(report: DocxReport, headings: Iterator[tuple[int, str]]) -> None:
    level, text = next(headings)
    report.heading(text, level)


def _write_limitations(
    report: DocxReport,
    paragraphs: Sequence[str],
    limitations: pd.DataFrame | Sequence[str],
    caption: str,
) -> None:
    """Paragraphs, then the limitations: a table from a DataFrame, else a bulleted list."""
    for text in paragraphs:
        report.paragraph(text)
    if isinstance(limitations, pd.DataFrame):
        shown = _presentable(limitations)
        report.table(shown, caption=caption)
    elif isinstance(limitations, str):
        raise ParameterError("limitations must be a DataFrame or a list of texts, not one text")
    else:
        report.bullets(limitations)


def _write_causes(
    report: DocxReport, headings: Iterator[tuple[int, str]], causes: Mapping[str, Sequence[str]]
) -> None:
    """Each cause heading with the analyst's paragraphs, else a placeholder to fill in."""
    for _ in _CAUSE_HEADINGS:
        level, text = next(headings)
        report.heading(text, level)
        given = causes.get(text)
        if given:
            for item in given:
                report.paragraph(item)
        else:
            report.paragraph(_PLACEHOLDER_CAUSE, italic=True)
