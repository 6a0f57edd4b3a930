"""Page, fonts and table geometry of Word documents in the Vietnamese administrative style.

The set-up behind :class:`~satisfaction.present.word.DocxReport`, kept apart so the class
reads as the document's content: A4 with the margins of Decree 30/2020/ND-CP, Times New
Roman in every script slot (so Vietnamese letters never fall back to a theme font), black
headings, captions, a page-number footer, and column widths shared by content.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from satisfaction.present.formatting import _display_width

_A4 = (210.0, 297.0)  # mm
# Decree 30/2020/ND-CP (Appendix I): top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
_MARGINS = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}


def _set_fonts(rpr: Any, font: str) -> None:
    """Use ``font`` for every script slot (Latin, high ANSI, East Asian, complex).

    Theme font attributes win over explicit names in Word, so they are removed; Vietnamese
    letters outside Latin-1 fall in the hAnsi slot, and Word may pick the East Asian slot
    for some of them, so all four are set.
    """
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _set_size(rpr: Any, size_pt: float) -> None:
    """Font size for Latin and complex scripts (``w:sz`` and ``w:szCs``, in half-points)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    size = rpr.get_or_add_sz()
    size.val = Pt(size_pt)
    complex_size = rpr.find(qn("w:szCs"))
    if complex_size is None:
        complex_size = rpr.makeelement(qn("w:szCs"), {})
        size.addnext(complex_size)
    complex_size.set(qn("w:val"), str(round(size_pt * 2)))


_PT_MM = 25.4 / 72
# Table Grid: 108 twips left and right, plus 1 mm so a word measured to the edge does not wrap
_CELL_PADDING_MM = 2 * 108 / 1440 * 25.4 + 1.0
_NUMBER = re.compile(r"^[+-]?[\d.,]+%?$|^$")


def _words_of(text: str) -> list[str]:
    """Pieces a line may break between (not at no-break spaces)."""
    return [w for w in re.split(r"[ \t\n\r]+", text) if w]


def _column_widths_mm(text: pd.DataFrame, total_mm: float, size_pt: float) -> list[float]:
    """Share ``total_mm`` among columns: every column fits its longest word, then the rest
    goes where content is longest, so words never break inside a cell when they can fit.

    Times New Roman averages about half an em per character (bold headers ~10% more).
    """
    char_mm = 0.5 * size_pt * _PT_MM
    minimum, wanted = [], []
    for i, header in enumerate(text.columns):
        cells = [str(v) for v in text.iloc[:, i]]
        header_word = max((_display_width(w) for w in _words_of(header)), default=0.0) * 1.1
        cell_word = max((_display_width(w) for v in cells for w in _words_of(v)), default=0.0)
        longest_cell = max((_display_width(v) for v in cells), default=0.0)
        head_line = min(_display_width(header), 8.0) * 1.1  # headers may wrap; cells less so
        minimum.append(max(header_word, cell_word, 2.0) * char_mm + _CELL_PADDING_MM)
        wanted.append(max(head_line, min(longest_cell, 40.0), 2.0) * char_mm + _CELL_PADDING_MM)
    wanted = [max(w, m) for w, m in zip(wanted, minimum, strict=True)]
    if sum(minimum) >= total_mm:
        # too narrow for every longest word: numbers keep their width (a number broken
        # over two lines reads as two numbers), the text columns share the rest
        numbers = [
            all(_NUMBER.match(str(v)) for v in text.iloc[:, i]) for i in range(text.shape[1])
        ]
        fixed = sum(m for m, is_number in zip(minimum, numbers, strict=True) if is_number)
        rest = sum(minimum) - fixed
        if 0 < rest and fixed < total_mm:
            scale = (total_mm - fixed) / rest
            return [
                m if is_number else m * scale
                for m, is_number in zip(minimum, numbers, strict=True)
            ]
        return [total_mm * m / sum(minimum) for m in minimum]
    if sum(wanted) <= total_mm:
        return [total_mm * w / sum(wanted) for w in wanted]
    # Water-filling: each column gets up to a common extra L beyond its minimum, so short
    # columns ("Xây dựng", "Cao") fit on one line and long texts share what is left.
    slack = [w - m for w, m in zip(wanted, minimum, strict=True)]
    spare = total_mm - sum(minimum)
    level, remaining, open_columns = 0.0, spare, len(slack)
    for value in sorted(slack):
        if (value - level) * open_columns > remaining:
            level += remaining / open_columns
            break
        remaining -= (value - level) * open_columns
        level = value
        open_columns -= 1
    return [m + min(s, level) for m, s in zip(minimum, slack, strict=True)]


def _style_document(document: Any, font: str, size_pt: float, language: str) -> None:
    """Fonts, sizes and spacing of the default, Normal, heading, Title and Caption styles."""
    styles = document.styles
    _style_defaults(styles, font, size_pt, language)
    _style_normal(styles, font, size_pt)
    _style_headings(styles, font, size_pt)
    _style_title(styles)
    _style_caption(styles, font, size_pt)


def _style_defaults(styles: Any, font: str, size_pt: float, language: str) -> None:
    """The document defaults: font in every slot, size, and the proofing language."""
    from docx.oxml.ns import qn

    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, font)
    _set_size(rpr, size_pt)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN" if language == "vi" else "en-GB")


def _style_normal(styles: Any, font: str, size_pt: float) -> None:
    from docx.shared import Pt

    normal = styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), font)
    normal.font.size = Pt(size_pt)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15


def _style_headings(styles: Any, font: str, size_pt: float) -> None:
    """Title and headings 1-3: black, bold, the body font; level 1 shown in capitals."""
    from docx.shared import Pt, RGBColor

    black = RGBColor(0, 0, 0)
    for style_name, size, italic, before, after in (
        ("Title", size_pt + 1, False, 0, 12),
        ("Heading 1", size_pt, False, 12, 6),
        ("Heading 2", size_pt, False, 10, 4),
        ("Heading 3", size_pt, True, 8, 4),
    ):
        style = styles[style_name]
        style_rpr = style.element.get_or_add_rPr()
        _set_fonts(style_rpr, font)
        style_rpr._remove_color()
        style.font.color.rgb = black
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = italic
        _set_size(style_rpr, size)
        pf = style.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.keep_with_next = True
        pf.line_spacing = 1.0
    styles["Heading 1"].font.all_caps = True  # "KẾT QUẢ KHẢO SÁT": shown, not stored


def _style_title(styles: Any) -> None:
    """The Title centred, without the rule Word's default template draws under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    title = styles["Title"]
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.font.spacing = Pt(0)
    title.font.size = Pt(14)  # Decree 30/2020: the kind of document, bold, 13-14 pt
    title.font.bold = True


def _style_caption(styles: Any, font: str, size_pt: float) -> None:
    """Captions ("Bảng k.", "Hình k."): black, centred, one point smaller than the body."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    caption = styles["Caption"]
    cap_rpr = caption.element.get_or_add_rPr()
    _set_fonts(cap_rpr, font)
    cap_rpr._remove_color()
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.font.bold = False
    caption.font.size = Pt(size_pt - 1)
    _set_size(cap_rpr, size_pt - 1)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(3)
    caption.paragraph_format.space_after = Pt(9)


def _page_number_footer(document: Any) -> None:
    """A centred PAGE field in the first section's footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
