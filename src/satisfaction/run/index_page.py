"""The HTML a batch writes: each notebook as a standalone report, and the batch's index page.

``export_html`` turns an executed notebook into a report with code hidden and images
embedded; ``write_index`` writes ``index.html`` linking every unit's report, notebook,
figures, tables and other files, failures first.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from satisfaction.errors import ParameterError
from satisfaction.io.paths import safe_output_path
from satisfaction.present.files import figure_title
from satisfaction.run.manifest import MANIFEST_NAME, _now, _write_atomic

__all__ = ["GROUP_TITLES", "INDEX_NAME", "REPORT_CSS", "export_html", "write_index"]

INDEX_NAME = "index.html"
_FIGURES = {".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"}
_TABLES = {".csv", ".tsv", ".xlsx", ".xls", ".parquet", ".json", ".sav", ".dta"}


_exporters = threading.local()
_quiet_log = logging.getLogger("satisfaction.run.batch.html")
_quiet_log.setLevel(logging.ERROR)
_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*")


def export_html(nb: Any, path: str | Path, *, title: str = "", language: str = "vi") -> Path:
    """Write ``nb`` as a standalone HTML report: code hidden, images embedded, no CDN scripts.

    nbconvert's lab template with ``exclude_input``; figures are already inline (base64), and
    the require.js/MathJax tags pointing at a CDN are dropped so the page opens the same
    offline (formulas in Markdown then show as TeX source). The page declares the report's
    ``language`` (``<html lang="vi">``) and carries the house style: figures scale to the
    width of the screen, tables scroll inside their box (a phone is 390 px wide).
    """
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            log=_quiet_log,  # not a warning per figure about missing alt text
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        _exporters.html = exporter
    exporter.language_code = language if language in ("vi", "en") else "vi"
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or "report"}})
    body = _EXTERNAL_SCRIPT.sub("", body)
    body = body.replace("</head>", f"{REPORT_CSS}\n</head>", 1)
    path = Path(path)
    _write_atomic(path, body)
    return path


#: The house style of every report page: readable from a phone (390 px) to a desktop.
REPORT_CSS = """<style>
body.jp-Notebook { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
.jp-Cell, .jp-OutputArea-child, .jp-OutputArea-output { max-width: 100%; min-width: 0; }
.jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-OutputArea-output { overflow-x: auto; }
.table-box { max-width: 100%; max-height: 36rem; overflow: auto; margin: .25rem 0 1rem; }
table.report-table { border-collapse: collapse; font-size: .9rem; }
table.report-table th { position: sticky; top: 0; background: #eef3f8; text-align: left;
  vertical-align: bottom; }
table.report-table th, table.report-table td { padding: .25rem .5rem; text-align: left;
  border-bottom: 1px solid #ddd; max-width: 28rem; }
/* words left, numbers right (Styler's own rule): over JupyterLab's right-aligned cells */
.jp-OutputArea-output table.report-table th, .jp-OutputArea-output table.report-table td {
  text-align: left; }
table.report-table caption { text-align: left; font-weight: bold; padding: .25rem 0; }
p.source, p.method, p.table-more { color: #444; max-width: 60rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
@media (max-width: 40rem) {
  body.jp-Notebook { padding: 0 .4rem; } .jp-Cell { padding: 0; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; }
}
</style>"""


def _link(out_root: Path, path: Path) -> str:
    return quote(path.relative_to(out_root).as_posix(), safe="/")


def _inside(out_root: Path, relative: str | None) -> Path | None:
    """The existing file ``out_root/relative``, or None (also for a path leaving the root)."""
    if not relative:
        return None
    try:
        path = safe_output_path(out_root, *str(relative).split("/"))
    except ParameterError:
        return None
    return path if path.is_file() else None


_FILE_KINDS = {
    ".xlsx": "Bảng số liệu (Excel)",
    ".docx": "Văn bản (Word)",
    ".pdf": "Bản in (PDF)",
    ".csv": "Số liệu (CSV)",
    ".ipynb": "Sổ tay Jupyter",
}


def _file_name(path: Path, unit_dir: Path) -> str:
    """A file as a reader names it: its kind in words, then its name."""
    kind = _FILE_KINDS.get(path.suffix.lower())
    name = path.relative_to(unit_dir).as_posix()
    return f"{kind}: {name}" if kind else name


def _unit_section(out_root: Path, record: Mapping[str, Any]) -> str:
    """One report: its title (linked), its documents, its figures with their captions; the
    state only when it failed."""
    esc = html.escape
    unit_dir = safe_output_path(out_root, *record["folder"].split("/"))
    outputs = record.get("outputs") or {}
    report = _inside(out_root, outputs.get("html"))
    executed = _inside(out_root, outputs.get("notebook"))
    files = sorted(p for p in unit_dir.rglob("*") if p.is_file()) if unit_dir.is_dir() else []
    files = [p for p in files if not p.name.startswith(".") and p not in (report, executed)]
    figures = [p for p in files if p.suffix.lower() in _FIGURES]
    drawn = {p.with_suffix("") for p in figures}
    documents = [p for p in files if p not in figures and p.with_suffix("") not in drawn]
    status = record["status"]
    title = esc(record.get("title") or record["folder"])
    anchor = esc(record["folder"])
    failed = " failed" if status == "failed" else ""
    lines = [f'<section class="unit{failed}" id="{anchor}">']
    if report is not None:
        lines.append(f'<h3><a href="{_link(out_root, report)}">{title}</a></h3>')
    else:
        lines.append(f"<h3>{title}</h3>")
    error = record.get("error")
    if status == "failed":
        error = error or {}
        cell = error.get("cell_index")
        where = f"ô {cell}: " if cell is not None else ""
        lines.append(
            f'<p class="error">Chưa chạy được — {esc(where)}'
            f"{esc(str(error.get('ename')))}: {esc(str(error.get('evalue')))}</p>"
        )
    links = [
        f'<a href="{_link(out_root, p)}">{esc(_file_name(p, unit_dir))}</a>' for p in documents
    ]
    if executed is not None:
        links.append(f'<a href="{_link(out_root, executed)}">{esc(_FILE_KINDS[".ipynb"])}</a>')
    if links:
        lines.append(f'<p class="files">{" · ".join(links)}</p>')
    if figures:
        lines.extend(_figure_gallery(out_root, figures))
    lines.append("</section>")
    return "\n".join(lines)


def _caption(image: Path) -> str:
    """The figure's title, saved in its PNG or SVG by `present.files.save_figure`; else its
    name."""
    title = figure_title(image)
    return title or image.stem.replace("-", " ").replace("_", " ").capitalize()


def _figure_gallery(out_root: Path, figures: Sequence[Path]) -> list[str]:
    """One thumbnail per figure (PNG preferred) captioned in words; other formats and the
    numbers drawn (CSV) as small links."""
    esc = html.escape
    by_stem: dict[Path, list[Path]] = {}
    for figure in figures:
        by_stem.setdefault(figure.with_suffix(""), []).append(figure)
    lines = ['<div class="figures">']
    for stem, versions in by_stem.items():
        versions.sort(key=lambda p: (p.suffix.lower() != ".png", p.suffix.lower()))
        shown = versions[0]
        href = _link(out_root, shown)
        others = [*versions[1:]]
        numbers = stem.with_suffix(".csv")
        extra = [
            f'<a href="{_link(out_root, p)}">{esc(p.suffix.lstrip(".").upper())}</a>'
            for p in others
        ]
        if numbers.is_file():
            extra.append(f'<a href="{_link(out_root, numbers)}">số liệu</a>')
        caption = _caption(shown) if shown.suffix.lower() in {".png", ".svg"} else stem.name
        lines.append(
            f'<figure><a href="{href}"><img src="{href}" alt="{esc(caption)}" '
            f'loading="lazy"></a><figcaption>{esc(caption)}'
            f'<span class="formats">{" · ".join(extra)}</span></figcaption></figure>'
        )
    lines.append("</div>")
    return lines


def _when(stamp: str) -> str:
    """An ISO time as local date and time in words: "21:10 ngày 30/11/2025"."""
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def write_index(
    out_dir: str | Path, records: Sequence[Mapping[str, Any]], *, about: str = ""
) -> Path:
    """Write ``index.html``: every report by its title, its documents and figures.

    Units are grouped by their ``group`` (the reporting unit they cover: each unit's report
    and plan under one heading) or, without one, by their first folder (one group per
    notebook); failures are listed first with links to them; a unit's state is shown only
    when it failed; ``about`` (the survey and its kind of sample) opens the page. Each
    unit's folder is walked, so files a notebook wrote are listed; links are relative and
    URL-quoted (the folder can be moved or zipped), text is HTML-escaped, and the page is
    declared UTF-8 and Vietnamese.
    """
    out_root = Path(out_dir).resolve()
    esc = html.escape
    groups: dict[str, list[str]] = {}
    failures: list[str] = []
    for record in records:
        group = record.get("group") or record["folder"].split("/")[0]
        groups.setdefault(group, []).append(_unit_section(out_root, record))
        if record["status"] == "failed":
            error = record.get("error") or {}
            failures.append(
                f'<li><a href="#{esc(record["folder"])}">'
                f"{esc(record.get('title') or record['folder'])}</a>: "
                f"{esc(str(error.get('ename')))}: {esc(str(error.get('evalue')))}</li>"
            )
    body: list[str] = []
    if failures:
        body.append(
            f'<div class="failures"><p>Báo cáo chưa chạy được</p><ul>{"".join(failures)}</ul>'
            "</div>"
        )
    for group, sections in groups.items():
        heading = GROUP_TITLES.get(group, group)
        body.append(f'<h2>{esc(heading)} <span class="count">({len(sections)})</span></h2>')
        body.extend(sections)
    page = _INDEX_TEMPLATE.format(
        count=len(records),
        about=f'<p class="about">{esc(about)}</p>' if about else "",
        manifest=quote(MANIFEST_NAME),
        sections="\n".join(body),
        updated=esc(_when(_now())),
    )
    path = out_root / INDEX_NAME
    _write_atomic(path, page)
    return path


# Headings of the index's groups (the first folder of a unit); others show the folder name.
GROUP_TITLES = {
    "province": "Báo cáo theo tỉnh",
    "field": "Báo cáo theo lĩnh vực",
    "remediation-plan": "Kế hoạch khắc phục",
    "onestop": "Báo cáo một cửa (toàn bộ hồ sơ)",
    "papi": "Chỉ số quản trị kiểu PAPI",
}

_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo khảo sát sự hài lòng</title>
<style>
body {{ font-family: system-ui, "DejaVu Sans", sans-serif; margin: 1.5rem auto;
       max-width: 72rem; padding: 0 1rem; color: #222; }}
h1 {{ font-size: 1.6rem; }}
h2 {{ border-bottom: 2px solid #345; margin-top: 2rem; }} .count {{ color: #777; font-size: 70%; }}
section.unit {{ border-top: 1px solid #ddd; padding: .25rem 0 .75rem; }}
h3 {{ margin: .4rem 0 .2rem; }} .files {{ margin: 0 0 .3rem; }}
.error {{ color: #b00020; }} section.failed {{ background: #fff5f5; }}
.failures {{ border: 1px solid #b00020; padding: .25rem 1rem; background: #fff5f5; }}
.figures {{ display: flex; flex-wrap: wrap; gap: .5rem; }}
.figures figure {{ margin: 0; width: 18rem; max-width: 100%; }}
.figures img {{ width: 100%; height: 11rem; object-fit: contain; border: 1px solid #ddd;
               background: #fff; }}
.figures figcaption {{ font-size: .85rem; color: #333; }}
.formats {{ display: block; font-size: .75rem; color: #777; }}
.formats a {{ color: #557; }}
footer {{ margin-top: 2rem; font-size: .8rem; color: #777; }}
.about {{ border-left: 4px solid #345; padding: .25rem .75rem; background: #f4f6f8; }}
@media (max-width: 40rem) {{ body {{ padding: 0 .5rem; }} .figures figure {{ width: 100%; }} }}
</style>
</head>
<body>
<h1>Báo cáo khảo sát sự hài lòng</h1>
{about}
<p>{count} báo cáo, cập nhật lúc {updated}.</p>
{sections}
<footer><a href="{manifest}">Nhật ký chạy (manifest.json)</a></footer>
</body>
</html>"""
