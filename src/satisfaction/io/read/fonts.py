"""Columns typed in an 8-bit Vietnamese font (.VnTime: TCVN3; VNI-Times: VNI) in an .xlsx.

Text typed in such a font is stored as Latin-1 letters ("Hµ Néi" for Hà Nội); only the
cell's font says how to read it. Cleaning detects legacy text by how it reads, which can
miss short or unusual values, so the font, where the workbook keeps it, settles the
question: `legacy_font_columns` returns the encoding of each column whose text cells are
in such a font, and cleaning converts those columns with that encoding (logged per cell).

The workbook's styles.xml says which cell styles use which font; the sheet XML is scanned
(lxml) only when one of them is a legacy font, which is rare, so other files pay nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter

from satisfaction.io.read.cells import _column_number

__all__: list[str] = []

_TCVN3 = re.compile(r"^\.vn", re.IGNORECASE)  # .VnTime, .VnArial, .VnTimeH ...
_VNI = re.compile(r"^vni[- ]", re.IGNORECASE)  # VNI-Times, VNI-Helve ...


def legacy_font_columns(archive: zipfile.ZipFile, part: str) -> dict[int, str]:
    """Column position -> "tcvn3" or "vni", for columns whose text cells are mostly in a
    legacy font (empty when the workbook uses no such font)."""
    styles = _legacy_styles(archive)
    if not styles:
        return {}
    from lxml import etree

    counts: dict[int, Counter[str]] = {}
    column = 0
    with archive.open(part) as stream:
        for _, element in etree.iterparse(
            stream, events=("end",), tag="{*}c", resolve_entities=False, no_network=True
        ):
            reference = element.get("r") or ""
            letters = reference.rstrip("0123456789")
            column = _column_number(letters) if letters else column + 1
            if element.get("t") in ("s", "inlineStr", "str"):
                style = element.get("s")
                encoding = styles.get(int(style)) if style and style.isdigit() else None
                counts.setdefault(column, Counter())[encoding or "unicode"] += 1
            element.clear(keep_tail=True)
    found = {}
    for position, tally in counts.items():
        legacy = [(e, n) for e, n in tally.items() if e != "unicode"]
        encoding, number = max(legacy, key=lambda pair: pair[1], default=("", 0))
        if encoding and number >= 0.5 * sum(tally.values()):
            found[position] = encoding
    return found


def _legacy_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> "tcvn3" / "vni", for styles whose font is a legacy one."""
    from lxml import etree

    try:
        root = etree.fromstring(
            archive.read("xl/styles.xml"),
            etree.XMLParser(resolve_entities=False, no_network=True),
        )
    except (KeyError, etree.XMLSyntaxError):
        return {}
    fonts = [
        _encoding_of(next((n.get("val", "") for n in font if _local(n) == "name"), ""))
        for parent in root
        if _local(parent) == "fonts"
        for font in parent
    ]
    if not any(fonts):
        return {}
    styles = {}
    for parent in root:
        if _local(parent) != "cellXfs":
            continue
        for index, xf in enumerate(parent):
            font = int(xf.get("fontId", "0") or 0)
            if font < len(fonts) and fonts[font]:
                styles[index] = fonts[font]
    return styles


def _encoding_of(font: str) -> str:
    return "tcvn3" if _TCVN3.match(font) else "vni" if _VNI.match(font) else ""


def _local(element) -> str:  # type: ignore[no-untyped-def]
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]
