"""Run parameterised notebooks in batch: one unit per province, field or report, in parallel.

``make_unit`` validates a notebook's parameters (``satisfaction.run.params``) and names the unit's
output folder with safe slugs; ``run_batch`` runs the units on a bounded pool of warm kernels
(``satisfaction.run.kernel``) or on an existing Dask scheduler, goes on past failures, and writes
under ``out_dir`` only::

    out_dir/
      index.html                      links every report, figure and table
      manifest.json                   per unit: parameters, hashes, versions, times, status
      <notebook-slug>/<value-slug>/   one folder per unit
        <notebook>.ipynb              the executed notebook (records its parameters)
        <notebook>.html               the same, code hidden, images embedded
        ...                           whatever the notebook wrote into its output_dir

A rerun skips a unit whose notebook, parameters, input files and package versions are
unchanged and whose outputs exist, unless ``force``; no kernel is started for it. Compute
shared estimates once, before the batch, write them to a file, pass its path as a parameter
and declare it in ``inputs``: the notebooks then only read and draw, and a change of the file
reruns them.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from satisfaction.errors import InputError, ParameterError, Problem
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.run.kernel import (
    DEFAULT_PRELOAD,
    Engine,
    KernelPool,
    execute_notebook,
    shared_pool,
    shutdown_shared_pools,
)
from satisfaction.run.params import (
    Choices,
    Param,
    notebook_schema,
    validate_params,
)

__all__ = [
    "MANIFEST_NAME",
    "RESERVED_PARAMETERS",
    "VERSIONED_PACKAGES",
    "Manifest",
    "Unit",
    "export_html",
    "hash_inputs",
    "make_unit",
    "make_units",
    "package_versions",
    "run_batch",
    "write_index",
]

MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
#: Parameters the batch sets itself: ``output_dir`` is the unit's folder (absolute path).
RESERVED_PARAMETERS: tuple[str, ...] = ("output_dir",)
VERSIONED_PACKAGES: tuple[str, ...] = (
    "satisfaction",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "papermill",
)
_DONE = ("ok", "skipped")
_FOLDER_PART = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FIGURES = {".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"}
_TABLES = {".csv", ".tsv", ".xlsx", ".xls", ".parquet", ".json", ".sav", ".dta"}


@dataclass(frozen=True)
class Unit:
    """One notebook run: the notebook, its validated parameters, its output folder.

    ``folder`` is relative to the batch's ``out_dir``, made of slugs joined by ``/``;
    ``inputs`` are the files (or folders) whose content the results depend on (their hash
    decides whether a rerun may skip the unit); ``title`` is shown on the index page.
    """

    notebook: Path
    parameters: Mapping[str, Any]
    folder: str
    title: str = ""
    inputs: tuple[Path, ...] = ()


@lru_cache(maxsize=64)
def _schema_cached(path: str, mtime_ns: int) -> dict[str, Param]:
    return notebook_schema(path)


def _schema(notebook: Path, declared: Iterable[Param] = ()) -> dict[str, Param]:
    if not notebook.is_file():
        raise InputError("notebook not found", file=notebook)
    schema = dict(_schema_cached(str(notebook.resolve()), notebook.stat().st_mtime_ns))
    for param in declared:
        if param.name not in schema:
            raise ParameterError(
                f"declared but not in the parameters cell of {notebook.name}",
                key=f"parameter {param.name!r}",
            )
        schema[param.name] = param
    return schema


def make_unit(
    notebook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    valid_values: Mapping[str, Choices] | None = None,
    declared: Iterable[Param] = (),
    folder: str | None = None,
    title: str | None = None,
    inputs: Iterable[str | Path] = (),
    coerce_strings: bool = False,
    name_by: Sequence[str] | None = None,
) -> Unit:
    """Validate ``parameters`` against the notebook's schema and describe the unit.

    ``valid_values`` maps a parameter to the values found in the data (a collection or a
    callable): a value outside them is a ``ParameterError`` listing the valid ones, and the
    unit's folder is named after these values: ``<notebook-slug>/<value-slug>/...``
    (``province_report/Hà Nội`` -> ``province-report/ha-noi``), or after the parameters
    listed in ``name_by``. A given ``folder`` is slugified part by part. ``output_dir`` is
    set by the batch and cannot be given.
    """
    path = Path(notebook)
    schema = _schema(path, declared)
    values = validate_params(
        schema,
        parameters,
        valid_values=valid_values,
        coerce_strings=coerce_strings,
        reserved=RESERVED_PARAMETERS,
    )
    values = {k: v for k, v in values.items() if k not in RESERVED_PARAMETERS}
    naming = set(name_by) if name_by is not None else set(valid_values or {})
    keyed = [name for name in schema if name in naming]
    if folder is None:
        parts = [slugify(path.stem)]
        for name in keyed:
            value = values[name]
            items = value if isinstance(value, list) else [value]
            parts.append("-".join(slugify(str(item)) for item in items))
        if len(parts) == 1 and parameters:
            parts.append("p-" + _digest(values)[:10])
    else:
        parts = [slugify(part) for part in str(folder).replace("\\", "/").split("/") if part]
        if not parts:
            raise ParameterError("empty folder name", key=f"folder {folder!r}")
    if title is None:
        shown = [str(values[name]) for name in keyed]
        title = path.stem + (": " + ", ".join(shown) if shown else "")
    return Unit(path, values, "/".join(parts), title, tuple(Path(p) for p in inputs))


def make_units(
    notebook: str | Path,
    vary: Mapping[str, Iterable[Any]],
    *,
    fixed: Mapping[str, Any] | None = None,
    valid_values: Mapping[str, Choices] | None = None,
    declared: Iterable[Param] = (),
    inputs: Iterable[str | Path] = (),
    coerce_strings: bool = False,
) -> list[Unit]:
    """One unit per combination of the values in ``vary`` (in order), e.g. every province
    times every field: ``make_units(nb, {"province": provinces, "field": fields},
    fixed={"survey": "demo"}, valid_values={...})``. Folders are named after the varied
    values. Every invalid value of every combination is reported in one ``ParameterError``.
    """
    names = list(vary)
    declared, inputs = list(declared), list(inputs)
    units: list[Unit] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for combination in itertools.product(*(list(vary[name]) for name in names)):
        parameters = {**(fixed or {}), **dict(zip(names, combination, strict=True))}
        try:
            units.append(
                make_unit(
                    notebook,
                    parameters,
                    valid_values=valid_values,
                    declared=declared,
                    inputs=inputs,
                    coerce_strings=coerce_strings,
                    name_by=names,
                )
            )
        except ParameterError as error:
            problems.extend(p for p in error.problems if str(p) not in seen)
            seen.update(str(p) for p in error.problems)
    if problems:
        raise ParameterError(problems=problems)
    return units


# ---------------------------------------------------------------------------------------------
# hashes and versions


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(
    paths: Iterable[str | Path], cache: dict[tuple[str, int, int], str] | None = None
) -> tuple[str, dict[str, str]]:
    """sha256 of the declared input files: (combined hash, {path: file hash}).

    A folder counts as all the files under it. The combined hash depends on content and on
    the names inside folders, not on where the inputs live. Raises ``InputError`` for a
    missing input.
    """
    cache = {} if cache is None else cache
    combined = hashlib.sha256()
    per_file: dict[str, str] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            names = [p.relative_to(path).as_posix() for p in files]
        elif path.is_file():
            files, names = [path], [""]
        else:
            raise InputError("declared input not found", file=path)
        for file, name in zip(files, names, strict=True):
            stat = file.stat()
            key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
            if key not in cache:
                cache[key] = _file_sha256(file)
            per_file[str(file)] = cache[key]
            combined.update(f"{name}\0{cache[key]}\n".encode())
    return combined.hexdigest(), per_file


def package_versions(packages: Sequence[str] = VERSIONED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the packages that shape the results (None when absent)."""
    versions: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@lru_cache(maxsize=1)
def _package_code_sha256() -> str:
    """sha256 of this package's source: an edited estimator reruns the notebooks using it
    even while the version number stays the same."""
    package = Path(__file__).resolve().parents[1]  # the whole satisfaction package
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# the manifest


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass
class Manifest:
    """What a batch did: one record per unit (dicts as written to ``manifest.json``)."""

    path: Path
    index: Path
    units: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def unit(self, folder: str) -> dict[str, Any]:
        for record in self.units:
            if record["folder"] == folder:
                return record
        raise KeyError(folder)

    def with_status(self, *statuses: str) -> list[dict[str, Any]]:
        return [r for r in self.units if r["status"] in statuses]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.units:
            counts[record["status"]] = counts.get(record["status"], 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {**self.meta, "counts": self.counts, "units": self.units}

    def write(self) -> None:
        _write_atomic(self.path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1))


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _previous_records(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            r["folder"]: r
            for r in data.get("units", [])
            if isinstance(r, dict)
            and isinstance(r.get("folder"), str)
            and all(_FOLDER_PART.fullmatch(part) for part in r["folder"].split("/"))
        }
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}  # no usable manifest: nothing can be skipped


# ---------------------------------------------------------------------------------------------
# HTML


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
        # one thumbnail per figure (PNG preferred); its other formats as small links
        by_stem: dict[Path, list[Path]] = {}
        for figure in figures:
            by_stem.setdefault(figure.with_suffix(""), []).append(figure)
        lines.append('<div class="figures">')
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


def write_index(out_dir: str | Path, records: Sequence[Mapping[str, Any]]) -> Path:
    """Write ``index.html``: per unit its status, report, notebook, figures, tables, files.

    Units are grouped by their first folder (one group per notebook), failures are listed
    first with links to them. Each unit's folder is walked, so files a notebook wrote are
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
        groups.setdefault(record["folder"].split("/")[0], []).append(
            _unit_section(out_root, record)
        )
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
</style>
</head>
<body>
<h1>Báo cáo · reports</h1>
<p>{summary}. <a href="{manifest}">manifest.json</a> · cập nhật · updated {updated}</p>
{sections}
</body>
</html>"""


# ---------------------------------------------------------------------------------------------
# running


def _run_unit(spec: dict[str, Any], pool: KernelPool | None = None) -> dict[str, Any]:
    """Execute one unit and export its HTML; returns the run's part of the record.

    Runs in a worker thread or on a Dask worker (then ``pool`` is None and the worker's
    process-wide pool is used). Never raises for a failing notebook.
    """
    unit_dir = Path(spec["unit_dir"])
    start, clock = _now(), time.perf_counter()
    status, error = "ok", None
    executed = unit_dir / spec["notebook_file"]
    report = unit_dir / spec["html_file"]
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        if pool is None and spec["engine"] == "warm":
            pool = shared_pool(spec["kernel_name"], spec["preload"])
        result = execute_notebook(
            spec["notebook"],
            executed,
            spec["parameters"],
            cwd=unit_dir,
            engine=spec["engine"],
            pool=pool,
            kernel_name=spec["kernel_name"],
            timeout=spec["timeout"],
        )
        error = result.error
        if error is not None:
            status = "failed"
        if result.notebook is not None:
            export_html(result.notebook, report, title=spec["title"])
    except Exception as failure:  # the batch goes on; the manifest says what happened
        status = "failed"
        error = {
            "cell_index": None,
            "execution_count": None,
            "ename": type(failure).__name__,
            "evalue": str(failure),
        }
    return {
        "status": status,
        "error": error,
        "start": start,
        "end": _now(),
        "duration_s": round(time.perf_counter() - clock, 3),
    }


def _check_units(units: Sequence[Unit], out_root: Path) -> None:
    """Everything that can be checked before anything runs or is written."""
    problems: list[Problem] = []
    folders = {unit.folder for unit in units}
    seen: set[str] = set()
    for unit in units:
        where = f"unit {unit.folder!r}"
        parts = unit.folder.split("/")
        if not all(_FOLDER_PART.fullmatch(part) for part in parts):
            problems.append(
                Problem("folder must be slugs joined by '/' (use make_unit)", key=where)
            )
            continue
        try:
            safe_output_path(out_root, *parts)
        except ParameterError as error:
            problems.extend(error.problems)
            continue
        if unit.folder in seen:
            problems.append(Problem("two units share this folder", key=where))
        seen.add(unit.folder)
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in folders:
                problems.append(Problem("folder lies inside another unit's folder", key=where))
        try:
            schema = _schema(Path(unit.notebook))
            validate_params(schema, unit.parameters, reserved=RESERVED_PARAMETERS)
        except (ParameterError, InputError) as error:
            problems.extend(
                Problem(p.message, file=p.file, key=f"{where}: {p.key}" if p.key else where)
                for p in error.problems
            )
        for given in unit.inputs:
            if not Path(given).exists():
                problems.append(Problem("declared input not found", file=given, key=where))
    if problems:
        raise ParameterError(problems=problems)


def _outputs_exist(out_root: Path, record: Mapping[str, Any]) -> bool:
    outputs = record.get("outputs") or {}
    listed = [outputs.get("notebook"), outputs.get("html"), *outputs.get("files", [])]
    try:
        return all(
            name and safe_output_path(out_root, *str(name).split("/")).is_file() for name in listed
        )
    except ParameterError:
        return False


def _remove_previous_outputs(out_root: Path, record: Mapping[str, Any]) -> None:
    """Delete the files a previous run recorded (only those, only inside ``out_root``)."""
    outputs = record.get("outputs") or {}
    for name in [outputs.get("notebook"), outputs.get("html"), *outputs.get("files", [])]:
        if not name:
            continue
        try:
            safe_output_path(out_root, *str(name).split("/")).unlink(missing_ok=True)
        except (ParameterError, OSError):
            continue


def _list_outputs(out_root: Path, unit_dir: Path, spec: Mapping[str, Any]) -> dict[str, Any]:
    executed = unit_dir / spec["notebook_file"]
    report = unit_dir / spec["html_file"]
    files = sorted(p for p in unit_dir.rglob("*") if p.is_file()) if unit_dir.is_dir() else []
    rel = [p.relative_to(out_root).as_posix() for p in files if p not in (executed, report)]
    return {
        "notebook": executed.relative_to(out_root).as_posix() if executed.is_file() else None,
        "html": report.relative_to(out_root).as_posix() if report.is_file() else None,
        "files": [name for name in rel if not Path(name).name.startswith(".")],
    }


def run_batch(
    units: Sequence[Unit],
    *,
    out_dir: str | Path,
    workers: int = 2,
    force: bool = False,
    dask_address: str | None = None,
    progress: bool = True,
    engine: Engine = "warm",
    kernel_name: str = "python3",
    timeout: float | None = 600,
    preload: Sequence[str] = DEFAULT_PRELOAD,
    kernel_pool: KernelPool | None = None,
) -> Manifest:
    """Run ``units`` and write their outputs, ``manifest.json`` and ``index.html`` in ``out_dir``.

    Every unit is checked first (folders inside ``out_dir`` and distinct, parameters known,
    of the right type and plain, inputs present): a ``ParameterError`` lists every problem
    and nothing is written. Then the units run on ``workers`` threads, each leasing a warm
    kernel (``engine="warm"``) or starting a papermill kernel per unit
    (``engine="papermill"``), or on the Dask scheduler at ``dask_address`` (the workers must
    see ``out_dir`` and the notebooks at the same paths). A failing unit is recorded with its
    cell index and error and the others go on. Unchanged units are skipped unless ``force``.
    The manifest is rewritten after every unit, so an interrupted batch resumes where it
    stopped. ``preload`` lists the modules each warm kernel imports once; a ``kernel_pool``
    given by the caller is used instead of a new one and left running (several batches in one
    session then share warm kernels; its ``preload`` applies).
    """
    if workers < 1:
        raise ParameterError(f"{workers} must be at least 1", key="parameter 'workers'")
    if engine not in ("warm", "papermill"):
        raise ParameterError(f"{engine!r} is not 'warm' or 'papermill'", key="parameter 'engine'")
    units = list(units)
    out_root = Path(out_dir).resolve()
    _check_units(units, out_root)

    versions = package_versions()
    code_sha = _package_code_sha256()
    hash_cache: dict[tuple[str, int, int], str] = {}
    previous = _previous_records(out_root / MANIFEST_NAME)
    records: dict[str, dict[str, Any]] = {}
    specs: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []  # records of earlier runs of the units about to rerun
    for unit in units:
        notebook = Path(unit.notebook)
        inputs_sha, per_file = hash_inputs(unit.inputs, hash_cache)
        notebook_sha = hash_inputs([notebook], hash_cache)[1][str(notebook)]
        parameters = dict(unit.parameters)
        key = _digest(
            {
                "notebook": notebook_sha,
                "parameters": parameters,
                "inputs": inputs_sha,
                "versions": versions,
                "code": code_sha,
                "kernel": kernel_name,
            }
        )
        record: dict[str, Any] = {
            "folder": unit.folder,
            "title": unit.title,
            "notebook": str(unit.notebook),
            "notebook_sha256": notebook_sha,
            "parameters": parameters,
            "inputs": per_file,
            "inputs_sha256": inputs_sha,
            "versions": versions,
            "code_sha256": code_sha,
            "key": key,
        }
        before = previous.get(unit.folder)
        if (
            not force
            and before is not None
            and before.get("key") == key
            and before.get("status") in _DONE
            and _outputs_exist(out_root, before)
        ):
            records[unit.folder] = {
                **before,
                "title": unit.title,
                "status": "skipped",
                "checked": _now(),
            }
            continue
        unit_dir = out_root.joinpath(*unit.folder.split("/"))
        schema = _schema(notebook)
        injected = dict(parameters)
        if "output_dir" in schema:
            injected["output_dir"] = str(unit_dir)
        stem = notebook.stem
        records[unit.folder] = {**record, "status": "pending", "engine": engine}
        specs.append(
            {
                "folder": unit.folder,
                "notebook": str(notebook.resolve()),
                "parameters": injected,
                "unit_dir": str(unit_dir),
                "notebook_file": f"{stem}.ipynb",
                "html_file": f"{stem}.html",
                "title": unit.title or unit.folder,
                "engine": engine,
                "kernel_name": kernel_name,
                "timeout": timeout,
                "preload": tuple(preload),
            }
        )
        if before is not None:
            stale.append(before)
    for folder, record in previous.items():  # units of earlier batches stay listed
        if folder not in records and (out_root / folder).is_dir():
            records[folder] = record

    out_root.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        out_root / MANIFEST_NAME,
        out_root / INDEX_NAME,
        meta={
            "format": 1,
            "updated": _now(),
            "engine": engine,
            "workers": workers,
            "dask": dask_address,
            "kernel": kernel_name,
        },
    )
    lock = threading.Lock()
    last_write = [0.0]

    def finish(spec: Mapping[str, Any], outcome: Mapping[str, Any]) -> None:
        unit_dir = Path(spec["unit_dir"])
        with lock:
            record = records[spec["folder"]]
            record.update(outcome)
            record["outputs"] = _list_outputs(out_root, unit_dir, spec)
            if time.monotonic() - last_write[0] > 1:  # at most once a second: big batches
                manifest.units = list(records.values())
                manifest.write()
                last_write[0] = time.monotonic()

    for record in stale:
        _remove_previous_outputs(out_root, record)
    try:
        if dask_address:
            _run_dask(specs, finish, progress=progress, address=dask_address)
        else:
            _run_local(specs, finish, workers=workers, progress=progress, pool=kernel_pool)
    finally:  # also when interrupted: finished units are kept, "pending" ones rerun next time
        manifest.units = list(records.values())
        manifest.meta["updated"] = _now()
        manifest.write()
    write_index(out_root, manifest.units)
    return manifest


def _progress_bar(total: int, progress: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not progress or total == 0)


def _run_local(
    specs: Sequence[dict[str, Any]],
    finish: Callable[[Mapping[str, Any], Mapping[str, Any]], None],
    *,
    workers: int,
    progress: bool,
    pool: KernelPool | None,
) -> None:
    if not specs:
        return
    engine = specs[0]["engine"]
    owned = pool is None
    if pool is None:
        pool = KernelPool(specs[0]["kernel_name"], preload=specs[0]["preload"])
    failed = 0
    bar = _progress_bar(len(specs), progress)
    executor = ThreadPoolExecutor(min(workers, len(specs)), thread_name_prefix="batch")
    futures: dict[Any, Mapping[str, Any]] = {}
    try:
        futures = {
            executor.submit(_run_unit, spec, pool if engine == "warm" else None): spec
            for spec in specs
        }
        for future in as_completed(futures):
            outcome = future.result()
            failed += outcome["status"] == "failed"
            finish(futures[future], outcome)
            bar.set_postfix(failed=failed, refresh=False)
            bar.update()
    except BaseException:  # Ctrl-C: stop the running notebooks now rather than wait for them
        for future in futures:
            future.cancel()
        pool.kill()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if owned:
            pool.shutdown()
        bar.close()


def _run_dask(
    specs: Sequence[dict[str, Any]],
    finish: Callable[[Mapping[str, Any], Mapping[str, Any]], None],
    *,
    progress: bool,
    address: str,
) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ParameterError(
            "needs dask.distributed: pip install 'satisfaction[dask]'", key="option --dask"
        ) from None
    if not specs:
        return
    client = Client(address, set_as_default=False)
    failed = 0
    bar = _progress_bar(len(specs), progress)
    batch_id = uuid.uuid4().hex[:8]
    try:
        futures = {
            client.submit(_run_unit, spec, pure=False, key=f"satisfaction-{batch_id}-{i}"): spec
            for i, spec in enumerate(specs)
        }
        for future in dask_completed(list(futures), loop=client.loop):
            spec = futures[future]
            try:
                outcome = future.result()
            except Exception as failure:  # a worker lost, a task that could not run
                outcome = {
                    "status": "failed",
                    "error": {
                        "cell_index": None,
                        "execution_count": None,
                        "ename": type(failure).__name__,
                        "evalue": str(failure),
                    },
                    "start": None,
                    "end": _now(),
                    "duration_s": None,
                }
            failed += outcome["status"] == "failed"
            finish(spec, outcome)
            bar.set_postfix(failed=failed, refresh=False)
            bar.update()
    finally:
        try:
            client.run(shutdown_shared_pools)  # kernels held by the workers' pools
        except Exception:  # a worker gone: its kernels died with it
            pass
        client.close()
        bar.close()
