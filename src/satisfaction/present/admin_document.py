"""The administrative form of a Vietnamese document (Decree 30/2020/NĐ-CP, Appendix I).

:class:`AdminForm` holds what the form needs (the authority and issuing body, the number and
its type code, place and date, recipients, who signs); :func:`write_header` writes the
header block at the top of a document and :func:`write_signature` the "Nơi nhận" and
signature block at its end, each as a borderless two-column table:

========================================  ============================================
ỦY BAN NHÂN DÂN                            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
**TỈNH VĨNH LONG**                         **Độc lập - Tự do - Hạnh phúc**
Số: .../KH-UBND                            *Vĩnh Long, ngày ... tháng ... năm 2025*
========================================  ============================================

A field left empty prints the dots an official fills in by hand ("Số: .../KH-UBND",
"ngày ... tháng ... năm ..."): a draft never invents a number or a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from satisfaction.errors import ParameterError
from satisfaction.present.formatting import _nfc

__all__ = ["AdminForm", "admin_form_for", "write_header", "write_signature"]

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_DOTS = "..."
# centrally-run cities are "THÀNH PHỐ", every other province "TỈNH"
_CITIES = {"Hà Nội", "Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
_CITIES |= {"Huế", "Thừa Thiên Huế"}


@dataclass(frozen=True)
class AdminForm:
    """What the administrative form of a document says around its body.

    ``authority``: the line above the issuing body ("ỦY BAN NHÂN DÂN"); ``body``: the issuing
    body ("TỈNH VĨNH LONG"); ``number`` (blank: "..."); ``code``: the type and body code after
    the number ("KH-UBND" for a plan of a People's Committee); ``place`` and ``date`` (blank:
    dots; ``year`` is printed when no date is given); ``recipients``; ``signer_capacity``
    ("TM. ỦY BAN NHÂN DÂN"), ``signer_title`` ("CHỦ TỊCH"), ``signer_name`` (blank: left for
    the signature).
    """

    body: str = ""
    authority: str = "ỦY BAN NHÂN DÂN"
    number: str = ""
    code: str = "KH-UBND"
    place: str = ""
    date: dt.date | None = None
    year: int | None = None
    recipients: Sequence[str] = field(default_factory=lambda: ("Như trên;", "Lưu: VT."))
    signer_capacity: str = "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""

    @property
    def number_line(self) -> str:
        return f"Số: {_nfc(self.number).strip() or _DOTS}/{self.code}"

    @property
    def place_date_line(self) -> str:
        place = _nfc(self.place).strip() or "......"
        if self.date is None:
            year = str(self.year) if self.year else _DOTS
            return f"{place}, ngày {_DOTS} tháng {_DOTS} năm {year}"
        # Decree 30: days below 10 and the months 1 and 2 take a leading zero
        day = f"{self.date.day:02d}"
        month = f"{self.date.month:02d}" if self.date.month < 3 else str(self.date.month)
        return f"{place}, ngày {day} tháng {month} năm {self.date.year}"


def _parse_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ParameterError(
        f"document date {text!r} is not dd/mm/yyyy or yyyy-mm-dd", key="parameter 'date'"
    )


def admin_form_for(
    province: str | None,
    *,
    year: int | None = None,
    number: str = "",
    date: str | dt.date | None = None,
    issuer: str = "",
    signer: str = "",
) -> AdminForm:
    """The form of a province's plan: its People's Committee issues it, in its own name and
    place; ``issuer`` overrides the issuing body ("SỞ NỘI VỤ TỈNH VĨNH LONG"), ``signer`` is
    the signer's full name. A whole-survey plan leaves the body and place for the analyst."""
    name = _nfc(province or "").strip()
    if issuer.strip():
        body = _nfc(issuer).strip().upper()
    elif name:
        body = f"{'THÀNH PHỐ' if name in _CITIES else 'TỈNH'} {name}".upper()
    else:
        body = "TỈNH ......"
    place = name.removeprefix("Thành phố ") if name else ""
    return AdminForm(
        body=body,
        number=number,
        place=place,
        date=_parse_date(date),
        year=year,
        signer_name=_nfc(signer).strip(),
    )


# ----------------------------------------------------------------------------- writing
def _cell_lines(cell: Any, lines: Sequence[tuple[str, dict[str, Any]]], size_pt: float) -> None:
    """Lines in a cell, centred, each its own paragraph with its bold/italic/size, kept
    together (every line but the last keeps with the next)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    first = True
    for number, (text, style) in enumerate(lines, start=1):
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = style.get("align", WD_ALIGN_PARAGRAPH.CENTER)
        pf = paragraph.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.space_before = Pt(style.get("before", 0))
        pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        pf.keep_with_next = number < len(lines)
        pf.keep_together = True
        run = paragraph.add_run(_nfc(text))
        run.bold = bool(style.get("bold"))
        run.italic = bool(style.get("italic"))
        run.font.size = Pt(style.get("size", size_pt))


def _two_columns(document: Any, widths_mm: tuple[float, float], indent_mm: float = 0.0) -> Any:
    """A borderless table of one row and two columns (the form's blocks sit side by side),
    shifted ``indent_mm`` left of the margin (the header block is wider than the text)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths_mm, strict=True):
        column.width = Mm(width)
        cell.width = Mm(width)
    if indent_mm:
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(round(-indent_mm * 56.7)))
        indent.set(qn("w:type"), "dxa")
        table._tbl.tblPr.append(indent)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)
    row = table.rows[0]._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row.append(cant_split)
    return table


def write_header(document: Any, form: AdminForm, width_mm: float) -> Any:
    """The header block: issuing body and number left, nation, motto, place and date right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    # the nation's name (12 pt bold capitals, ~105 mm) stays on one line: the block reaches
    # 12 mm into the 30 mm left margin, as the Decree's models do
    table = _two_columns(document, (64.0, width_mm - 52.0), indent_mm=12.0)
    left, right = table.rows[0].cells
    _cell_lines(
        left,
        [
            (form.authority, {"size": 12}),
            (form.body, {"bold": True, "size": 12}),
            ("―――――", {"size": 9}),
            (form.number_line, {"size": 13, "before": 2}),
        ],
        13,
    )
    _cell_lines(
        right,
        [
            (NATION, {"bold": True, "size": 12}),
            (MOTTO, {"bold": True, "size": 13}),
            ("―――――――――――――", {"size": 9}),
            (form.place_date_line, {"italic": True, "size": 13, "before": 2}),
        ],
        13,
    )
    spacer = document.add_paragraph()
    spacer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return table


def write_signature(document: Any, form: AdminForm, width_mm: float) -> Any:
    """ "Nơi nhận" (recipients) left and the signature block right, kept on one page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = _two_columns(document, (width_mm * 0.5, width_mm * 0.5))
    left, right = table.rows[0].cells
    left_lines: list[tuple[str, dict[str, Any]]] = [
        ("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})
    ]
    left_lines += [
        (f"- {_nfc(r)}", {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}) for r in form.recipients
    ]
    _cell_lines(left, left_lines, 11)
    signer = [
        (form.signer_capacity, {"bold": True, "size": 13}),
        (form.signer_title, {"bold": True, "size": 13}),
        ("(Ký, ghi rõ họ tên, đóng dấu)", {"italic": True, "size": 12}),
        ("", {"size": 13}),
        ("", {"size": 13}),
        ("", {"size": 13}),
        (form.signer_name or "", {"bold": True, "size": 13}),
    ]
    _cell_lines(right, signer, 13)
    return table
