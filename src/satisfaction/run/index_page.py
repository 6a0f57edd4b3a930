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
from pathlib import Path
from typing import Any
from urllib.parse import quote

from satisfaction.errors import ParameterError
from satisfaction.io.paths import safe_output_path
from satisfaction.run.manifest import MANIFEST_NAME, _now, _write_atomic

__all__ = ["GROUP_TITLES", "INDEX_NAME", "export_html", "write_index"]

INDEX_NAME = "index.html"
_FIGURES = {".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"}
_TABLES = {".csv", ".tsv", ".xlsx", ".xls", ".parquet", ".json", ".sav", ".dta"}


_exporters = threading.local()
_quiet_log = logging.getLogger("satisfaction.run.batch.html")
_quiet_log.setLevel(logging.ERROR)
_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*")


def export_html(nb: Any, path: str | Path, *, title: str = "") -> Path:
    """Write ``nb`` as a standalone HTML report: code hidden, images embedded, no CDN scripts.

    nbconvert's lab template with ``exclude_input``; figures are already inline (base64), and
    the require.js/MathJax tags pointing at a CDN are dropped so the page opens the same
    offline (formulas in Markdown then show as TeX source).
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
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or "report"}})
    body = _EXTERNAL_SCRIPT.sub("", body)
    path = Path(path)
    path.write_text(body, encoding="utf-8")
    return path


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


def _unit_section(out_root: Path, record: Mapping[str, Any]) -> str:
    esc = html.escape
    unit_dir = safe_output_path(out_root, *record["folder"].split("/"))
    outputs = record.get("outputs") or {}
    report = _inside(out_root, outputs.get("html"))
    executed = _inside(out_root, outputs.get("notebook"))
    files = sorted(p for p in unit_dir.rglob("*") if p.is_file()) if unit_dir.is_dir() else []
    files = [p for p in files if not p.name.startswith(".") and p not in (report, executed)]
    figures = [p for p in files if p.suffix.lower() in _FIGURES]
    tables = [p for p in files if p.suffix.lower() in _TABLES]
    others = [p for p in files if p not in figures and p not in tables]
    status = record["status"]
    title = esc(record.get("title") or record["folder"])
    anchor = esc(record["folder"])
    lines = [f'<section class="unit {esc(status)}" id="{anchor}">']
    if report is not None:
        lines.append(f'<h3><a href="{_link(out_root, report)}">{title}</a></h3>')
    else:
        lines.append(f"<h3>{title}</h3>")
    meta = [f'<span class="status">{esc(status)}</span>']
    if record.get("duration_s") is not None:
        meta.append(f"{record['duration_s']:.1f} s")
    if executed is not None:
        meta.append(f'<a href="{_link(out_root, executed)}">notebook</a>')
    lines.append(f'<p class="meta">{" · ".join(meta)}</p>')
    error = record.get("error")
    if error:
        cell = error.get("cell_index")
        where = f"cell {cell}: " if cell is not None else ""
        lines.append(
            f'<p class="error">{esc(where)}{esc(str(error.get("ename")))}: '
            f"{esc(str(error.get('evalue')))}</p>"
        )
    if figures:
        lines.extend(_figure_gallery(out_root, figures))
    for label, group in (("Bảng · tables", tables), ("Tệp · files", others)):
        if group:
            items = "".join(
                f'<li><a href="{_link(out_root, p)}">'
                f"{esc(p.relative_to(unit_dir).as_posix())}</a></li>"
                for p in group
            )
            lines.append(f'<p class="label">{label}</p><ul>{items}</ul>')
    lines.append("</section>")
    return "\n".join(lines)


def _figure_gallery(out_root: Path, figures: Sequence[Path]) -> list[str]:
    """One thumbnail per figure (PNG preferred); its other formats as small links."""
    esc = html.escape
    by_stem: dict[Path, list[Path]] = {}
    for figure in figures:
        by_stem.setdefault(figure.with_suffix(""), []).append(figure)
    lines = ['<div class="figures">']
    for versions in by_stem.values():
        versions.sort(key=lambda p: (p.suffix.lower() != ".png", p.suffix.lower()))
        shown = versions[0]
        href = _link(out_root, shown)
        extra = " ".join(
            f'<a href="{_link(out_root, p)}">{esc(p.suffix.lstrip(".").upper())}</a>'
            for p in versions[1:]
        )
        lines.append(
            f'<figure><a href="{href}"><img src="{href}" alt="{esc(shown.name)}" '
            f'loading="lazy"></a><figcaption>{esc(shown.stem)} {extra}</figcaption></figure>'
        )
    lines.append("</div>")
    return lines


def write_index(
    out_dir: str | Path, records: Sequence[Mapping[str, Any]], *, about: str = ""
) -> Path:
    """Write ``index.html``: per unit its status, report, notebook, figures, tables, files.

    Units are grouped by their ``group`` (the reporting unit they cover: each unit's report
    and plan under one heading) or, without one, by their first folder (one group per
    notebook); failures are listed first with links to them; ``about`` (the survey and its
    kind of sample) opens the page. Each unit's folder is walked, so files a notebook wrote are
    listed; links are relative and URL-quoted (the folder can be moved or zipped), text is
    HTML-escaped, and the page is declared UTF-8 for Vietnamese titles.
    """
    out_root = Path(out_dir).resolve()
    esc = html.escape
    counts: dict[str, int] = {}
    groups: dict[str, list[str]] = {}
    failures: list[str] = []
    for record in records:
        status = record["status"]
        counts[status] = counts.get(status, 0) + 1
        group = record.get("group") or record["folder"].split("/")[0]
        groups.setdefault(group, []).append(_unit_section(out_root, record))
        if status == "failed":
            error = record.get("error") or {}
            failures.append(
                f'<li><a href="#{esc(record["folder"])}">'
                f"{esc(record.get('title') or record['folder'])}</a>: "
                f"{esc(str(error.get('ename')))}: {esc(str(error.get('evalue')))}</li>"
            )
    body: list[str] = []
    if failures:
        body.append(f'<div class="failures"><p>Lỗi · failed</p><ul>{"".join(failures)}</ul></div>')
    for group, sections in groups.items():
        heading = GROUP_TITLES.get(group, group)
        body.append(f'<h2>{esc(heading)} <span class="count">({len(sections)})</span></h2>')
        body.extend(sections)
    summary = ", ".join(f"{n} {esc(s)}" for s, n in sorted(counts.items())) or "no units"
    page = _INDEX_TEMPLATE.format(
        about=f'<p class="about">{esc(about)}</p>' if about else "",
        summary=summary,
        manifest=quote(MANIFEST_NAME),
        sections="\n".join(body),
        updated=esc(_now()),
    )
    path = out_root / INDEX_NAME
    _write_atomic(path, page)
    return path


# Headings of the index's groups (the first folder of a unit); others show the folder name.
GROUP_TITLES = {
    "province": "Báo cáo theo tỉnh · province reports",
    "field": "Báo cáo theo lĩnh vực · field reports",
    "remediation-plan": "Kế hoạch khắc phục · remediation plans",
    "onestop": "Báo cáo một cửa (toàn bộ hồ sơ) · one-stop reports (census of dossiers)",
    "papi": "Chỉ số quản trị kiểu PAPI · PAPI-style governance reports",
}

_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo · reports</title>
<style>
body {{ font-family: system-ui, "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #222; }}
h2 {{ border-bottom: 2px solid #345; margin-top: 2rem; }} .count {{ color: #777; font-size: 70%; }}
section.unit {{ border-top: 1px solid #ddd; padding: .25rem 0 .75rem; }}
h3 {{ margin: .4rem 0 0; }} .meta {{ color: #555; margin: 0 0 .3rem; }}
.status {{ font-weight: bold; }} .ok .status, .skipped .status {{ color: #1b5e20; }}
.failed .status, .error {{ color: #b00020; }}
.failures {{ border: 1px solid #b00020; padding: .25rem 1rem; background: #fff5f5; }}
.figures {{ display: flex; flex-wrap: wrap; }}
.figures figure {{ margin: .25rem; }}
.figures img {{ max-height: 12rem; max-width: 18rem; border: 1px solid #ddd; }}
.figures figcaption {{ font-size: .8rem; color: #555; }}
.label {{ margin: .3rem 0 0; font-weight: bold; }} ul {{ margin-top: .1rem; }}
.about {{ border-left: 4px solid #345; padding: .25rem .75rem; background: #f4f6f8; }}
</style>
</head>
<body>
<h1>Báo cáo · reports</h1>
{about}
<p>{summary}. <a href="{manifest}">manifest.json</a> · cập nhật · updated {updated}</p>
{sections}
</body>
</html>"""
