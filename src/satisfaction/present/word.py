"""Word documents in the Vietnamese administrative style, built top to bottom.

:class:`DocxReport`: A4, Times New Roman 13 pt, margins of Decree 30/2020/ND-CP, tables
whose numbers use the Vietnamese conventions ("82,3%", "1.234") and numbered captions
("Bảng 1. ...", "Hình 1. ..."). Page and style set-up live in
:mod:`satisfaction.present._docx_style`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.present._docx_style import (
    _A4,
    _MARGINS,
    _column_widths_mm,
    _page_number_footer,
    _style_document,
)
from satisfaction.present.files import _atomic_paths, _output_file
from satisfaction.present.formatting import (
    Language,
    _flatten_columns,
    _nfc,
    _words,
    format_table,
)

__all__ = ["DocxReport"]

_KEEP_TOGETHER_ROWS = 15
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"}


class DocxReport:
    """A Word document in the Vietnamese administrative style, built top to bottom.

    A4 portrait, margins of Decree 30/2020/ND-CP (top/bottom 20 mm, left 30 mm, right
    15 mm), Times New Roman 13 pt in every script slot, language vi-VN, black headings
    (levels 1-3), justified body paragraphs with a 1 cm first-line indent, page numbers
    centred in the footer. Tables get "Bảng k." captions above, figures "Hình k." below.
    """

    def __init__(
        self,
        *,
        font: str = "Times New Roman",
        size_pt: float = 13.0,
        language: Language = "vi",
        page_numbers: bool = True,
    ) -> None:
        import docx
        from docx.shared import Mm

        self.language: Language = language
        self._words = _words(language)
        if not size_pt > 0:
            raise ParameterError(f"DocxReport: size_pt must be positive, got {size_pt!r}")
        self.font = font
        self.size_pt = float(size_pt)
        self.document = docx.Document()
        self._tables = 0
        self._figures = 0
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(_A4[0]), Mm(_A4[1])
        section.top_margin = Mm(_MARGINS["top"])
        section.bottom_margin = Mm(_MARGINS["bottom"])
        section.left_margin = Mm(_MARGINS["left"])
        section.right_margin = Mm(_MARGINS["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        _style_document(self.document, self.font, self.size_pt, self.language)
        if page_numbers:
            _page_number_footer(self.document)

    # -- set-up --------------------------------------------------------------------------

    @property
    def text_width_mm(self) -> float:
        """Width between the margins of the current (last) section."""
        from docx.enum.section import WD_ORIENT

        landscape = self.document.sections[-1].orientation == WD_ORIENT.LANDSCAPE
        return _A4[1 if landscape else 0] - _MARGINS["left"] - _MARGINS["right"]

    def landscape_section(self) -> None:
        """Go on on a new A4 landscape page (wide tables such as the remediation plan)."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(_A4[1]), Mm(_A4[0])

    # -- content -------------------------------------------------------------------------

    def title(self, text: str, *, subtitle: str | None = None, bold_subtitle: bool = False) -> Any:
        """The document title (style Title, centred, bold) and an optional subtitle: italic,
        or bold as the summary line (trích yếu) under the kind of an administrative document."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.document.add_paragraph(_nfc(text), style="Title")
        if subtitle:
            sub = self.document.add_paragraph()
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            sub.paragraph_format.first_line_indent = 0
            run = sub.add_run(_nfc(subtitle))
            run.bold, run.italic = bold_subtitle, not bold_subtitle
        return paragraph

    def heading(self, text: str, level: int = 1) -> Any:
        """A heading of level 1, 2 or 3 (Word's "Heading n" styles, so the outline works)."""
        if isinstance(level, bool) or level not in (1, 2, 3):
            raise ParameterError(f"heading: level must be 1, 2 or 3, got {level!r}", key="level")
        return self.document.add_heading(_nfc(text), level=level)

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        align: Literal["justify", "left", "center", "right"] = "justify",
        indent: bool = True,
    ) -> Any:
        """A body paragraph: justified with a 1 cm first-line indent unless told otherwise."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        alignments = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }
        if align not in alignments:
            raise ParameterError(f"paragraph: align must be one of {list(alignments)}")
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(_nfc(text))
        run.bold, run.italic = bold, italic
        paragraph.alignment = alignments[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1)
        return paragraph

    def bullets(self, items: Iterable[str]) -> list[Any]:
        """A bulleted list, one paragraph per item (style "List Bullet")."""
        if isinstance(items, str):
            raise ParameterError("bullets: items must be a list of texts, got one text")
        return [self.document.add_paragraph(_nfc(item), style="List Bullet") for item in items]

    def page_break(self) -> None:
        self.document.add_page_break()

    def _caption(self, label: str, number: int, text: str) -> Any:
        paragraph = self.document.add_paragraph(style="Caption")
        paragraph.add_run(f"{label} {number}. ").bold = True
        paragraph.add_run(_nfc(text)).italic = True
        return paragraph

    def table(
        self,
        frame: pd.DataFrame,
        *,
        caption: str | None = None,
        percent_columns: Iterable[str] | None = None,
        digits: int = 1,
        float_digits: int = 2,
        note: str | None = None,
        size_pt: float | None = None,
    ) -> Any:
        """A table from a DataFrame, numbers in the document's language conventions.

        Cells hold :func:`format_table` text ("82,3%", "1.234", "Có"); the header row is bold,
        centred and repeated on every page; numeric columns are right-aligned. Column widths
        share the text width in proportion to their content. ``caption`` becomes
        "Bảng k. caption" above the table, ``note`` a small italic line below it.
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"table: expected a DataFrame, got {type(frame).__name__}")
        flat = _flatten_columns(frame)
        if flat.shape[1] == 0:
            raise InputError("table: the frame has no columns")
        text = format_table(
            flat,
            percent_columns=percent_columns,
            digits=digits,
            float_digits=float_digits,
            language=self.language,
        )
        numeric = [
            pd.api.types.is_numeric_dtype(flat.iloc[:, i])
            and not pd.api.types.is_bool_dtype(flat.iloc[:, i])
            for i in range(flat.shape[1])
        ]
        if caption:
            self._tables += 1
            cap = self._caption(self._words["table"], self._tables, caption)
            cap.paragraph_format.keep_with_next = True
        size_value = size_pt if size_pt is not None else self.size_pt - 1
        table = self._grid(text, numeric, size_value)
        self._table_note(note)
        return table

    def _grid(self, text: pd.DataFrame, numeric: Sequence[bool], size_pt: float) -> Any:
        """The table itself: bold header row repeated on each page, rows kept whole."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        size = Pt(size_pt)
        rows, cols = text.shape
        table = self.document.add_table(rows=rows + 1, cols=cols)
        table.style = self.document.styles["Table Grid"]
        table.autofit = False
        widths = [Mm(w) for w in _column_widths_mm(text, self.text_width_mm, size_pt)]

        # The cells once, row by row (no spans): python-docx rebuilds every cell of the
        # table each time a column's cells or an indexed row is asked for.
        grid = [row.cells for row in table.rows]
        for i, header in enumerate(text.columns):
            _fill_cell(grid[0][i], header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
        _flag_rows(table)
        for r in range(rows):
            for i in range(cols):
                align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[i] else WD_ALIGN_PARAGRAPH.LEFT
                _fill_cell(grid[r + 1][i], text.iat[r, i], bold=False, align=align, size=size)
        if rows <= _KEEP_TOGETHER_ROWS:
            # A short table moves to the next page whole rather than split after one row.
            for cells in grid[:-1]:
                for cell in cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        for i, width in enumerate(widths):
            table.columns[i].width = width
            for cells in grid:
                cells[i].width = width
        return table

    def _table_note(self, note: str | None) -> None:
        """A small italic note below a table, else an empty paragraph that ends it."""
        from docx.shared import Pt

        if note:
            paragraph = self.document.add_paragraph()
            run = paragraph.add_run(_nfc(note))
            run.italic = True
            run.font.size = Pt(self.size_pt - 2)
            paragraph.paragraph_format.space_before = Pt(3)
        else:
            self.document.add_paragraph().paragraph_format.space_after = Pt(0)

    def figure(
        self,
        image: str | Path | Mapping[str, Path],
        *,
        caption: str,
        width_mm: float | None = None,
    ) -> Any:
        """An embedded picture, centred, with "Hình k. caption" below it.

        ``image`` is a PNG/JPEG path or the dict :func:`save_figure` returns (its PNG is
        used: Word cannot embed SVG through python-docx). The width defaults to the natural
        size at the image's dpi, shrunk to the text width.
        """
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.image.image import Image
        from docx.shared import Mm

        if isinstance(image, Mapping):
            if "png" not in image:
                raise ParameterError("figure: the mapping has no 'png' entry", key="image")
            image = image["png"]
        source = Path(image)
        if source.suffix.lower() not in _IMAGE_SUFFIXES:
            raise ParameterError(
                f"figure: {str(source)!r} is not a PNG/JPEG picture (pass the .png)", key="image"
            )
        if not source.is_file():
            raise InputError(f"figure: picture {str(source)!r} does not exist", file=source)
        natural = Image.from_file(str(source)).width  # EMU at the file's dpi
        limit = Mm(self.text_width_mm)
        width = Mm(width_mm) if width_mm is not None else min(natural, limit)
        width = min(width, limit)
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.first_line_indent = Mm(0)
        paragraph.add_run().add_picture(str(source), width=width)
        self._figures += 1
        self._caption(self._words["figure"], self._figures, caption)
        return paragraph

    def save(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write the document (atomically) to a ``.docx`` path; returns the path."""
        target = _output_file(path, ".docx", "DocxReport.save")
        props = self.document.core_properties
        props.language = "vi-VN" if self.language == "vi" else "en-GB"
        props.author = "satisfaction"
        props.last_modified_by = "satisfaction"
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        props.created = now
        props.modified = now
        if title:
            props.title = _nfc(title)
        else:
            titles = [p.text for p in self.document.paragraphs if p.style.name == "Title"]
            if titles:
                props.title = titles[0]
        with _atomic_paths([target]) as (temp,):
            self.document.save(str(temp))
        return target


def _fill_cell(cell: Any, value: str, *, bold: bool, align: Any, size: Any) -> None:
    """One table cell: its text in one run, compact spacing, no indent, centred vertically."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(value)
    run.bold = bold
    run.font.size = size
    paragraph.alignment = align
    pf = paragraph.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(2), Pt(2), 1.0
    pf.first_line_indent = Pt(0)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _flag_rows(table: Any) -> None:
    """Rows never break across pages; the header row repeats on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for position, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        flags = ("w:cantSplit", "w:tblHeader") if position == 0 else ("w:cantSplit",)
        for flag in flags:
            element = OxmlElement(flag)
            element.set(qn("w:val"), "true")
            tr_pr.append(element)
