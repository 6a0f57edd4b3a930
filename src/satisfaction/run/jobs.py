"""The main job: clean a survey, estimate once, run every report notebook, link them.

`run_reports(survey)` does, in order and only when its inputs changed:
1. clean `surveys/<survey>/` into `outputs/<survey>/clean/` (skipped when the raw file and
   instrument hash as before);
2. compute every estimate once into `outputs/<survey>/estimates/` (skipped likewise);
3. run `province_report.ipynb` for the whole survey and for each province and
   `field_report.ipynb` for each field (and any extra report notebooks) on a bounded pool,
   into `outputs/<survey>/<run>/`, with `index.html` and `manifest.json`;
4. with `remediation=True`, `remediation_plan.ipynb` for the whole survey and each
   province (remediation_plan.xlsx and .docx, linked from the index), compared with
   `previous_wave` (a survey folder, cleaned and estimated first; its files are inputs of
   those units, so a change there reruns them).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from satisfaction.analysis.estimates import ALL, AnalysisOptions, Estimates, load_estimates
from satisfaction.analysis.papi import ensure_papi_estimates
from satisfaction.errors import ParameterError
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.io.write import write_text
from satisfaction.present.papi_report import papi_estimates_dir
from satisfaction.present.survey_choice import choose_many, find_root, prepare_estimates
from satisfaction.run.batch import run_batch
from satisfaction.run.index_page import write_index
from satisfaction.run.kernel import KernelPool
from satisfaction.run.manifest import MANIFEST_NAME, Manifest
from satisfaction.run.pdf import export_pdfs
from satisfaction.run.progress import Steps
from satisfaction.run.units import Unit, make_unit
from satisfaction.studies import kinds

__all__ = [
    "PAPI_NOTEBOOK",
    "REMEDIATION_NOTEBOOK",
    "JobResult",
    "demo_extra_units",
    "papi_units",
    "prepare_survey",
    "report_units",
    "run_reports",
]

REMEDIATION_NOTEBOOK = "remediation_plan.ipynb"
PAPI_NOTEBOOK = "papi_report.ipynb"
PAPI_DEMO = "papi-demo"  # the PAPI-style demo survey folder under surveys/


@dataclass(frozen=True)
class JobResult:
    """What the job produced: the batch manifest and where the index page is."""

    manifest: Manifest
    index: Path
    estimates: Path
    cleaned: bool
    estimated: bool
    times: dict[str, float] = field(default_factory=dict)  # wall seconds per step
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # epoch start, end

    def summary(self) -> str:
        """One line: what was produced, how long it took, and where to start reading."""
        made: dict[str, int] = {}
        for record in self.manifest.units:
            kind = Path(str(record.get("notebook", "report"))).stem.replace("_", " ")
            made[kind] = made.get(kind, 0) + 1
        what = ", ".join(f"{count} {kind}s" for kind, count in made.items()) or "no reports"
        counts = ", ".join(f"{v} {k}" for k, v in sorted(self.manifest.counts.items()))
        took = f" in {sum(self.times.values()):.0f} s" if self.times else ""
        return f"{what} ({counts}){took}; open {self.index}"


def prepare_survey(
    survey: str,
    *,
    root: Path | None = None,
    force: bool = False,
    unit: str = "",
    steps: Steps | None = None,
) -> tuple[Path, bool, bool]:
    """Clean and estimate (per reporting unit `unit`, "" for the survey's default) when the
    raw data, instrument or package changed; `steps` shows and times each step.

    Everything is kept under the survey FOLDER name (`outputs/<survey>/`), the name the
    notebooks are given too. Returns (estimates folder, cleaned?, estimated?).
    """
    options = AnalysisOptions(unit=unit or None)
    return prepare_estimates(
        survey, options, root=root or find_root(), force=force, step=steps or Steps(show=False)
    )


def _unit_naming(estimates: Estimates, language: str) -> tuple[str, str, str]:
    """The reporting unit's folder name, its words for headings, and the whole survey's."""
    role = kinds.study_of_meta(estimates.meta).get("unit")
    words = kinds.unit_words(role, language)
    whole = "Toàn bộ khảo sát" if language == "vi" else "Whole survey"
    # a survey with no unit column has one report, of the whole survey
    return (slugify(role) if role else "report"), words[:1].upper() + words[1:], whole


def report_units(
    survey: str,
    estimates_path: Path,
    *,
    provinces: str | Sequence[str] = "all",
    fields: str | Sequence[str] | None = None,
    language: str = "vi",
    root: Path | None = None,
    extra_notebooks: Sequence[str] = (),
    remediation: bool = False,
    previous_wave: str | None = None,
    previous_estimates: Path | None = None,
    target: float | str = 0.8,
    unit: str = "",
    whole: bool | None = None,
    png: bool = False,
) -> list[Unit]:
    """The report units of a survey: whole survey + each reporting unit, each field.

    Asked for some units (not "all"), only their units: no whole-survey report or plan
    (unless `whole`: the run folder has none yet), and no field report unless `fields` names
    some (`fields=None`: every field for "all", none for some units).

    The units are the values of the estimates' reporting unit (provinces by default;
    `unit`, e.g. "commune", as the estimates were made with `prepare_survey(unit=...)`);
    each unit's report and plan share one heading on the index page (`png`: the reports also
    write each figure as a 200-dpi PNG). With `remediation`,
    also a remediation plan for the whole survey and each unit, compared with
    `previous_wave` (whose estimates folder, `previous_estimates`, and the clean responses
    the plan's drivers and comments read are among the unit's inputs).
    """
    root = root or find_root()
    estimates = load_estimates(estimates_path)
    chosen_fields, scopes = _chosen(estimates, provinces, fields, whole)
    inputs = sorted(p for p in estimates_path.glob("*") if p.is_file())
    clean_summary = root / "outputs" / survey / "clean" / "cleaning_summary.csv"
    if clean_summary.exists():
        inputs.append(clean_summary)
    notebooks = root / "notebooks"
    prefix, words, whole = _unit_naming(estimates, language)
    valid = {"province": ["all", *estimates.provinces]}
    report_options = {"unit": unit, "language": language, "png": png}

    def where(value: str) -> tuple[str, str]:
        """(folder slug, group heading) of a unit value or "all"."""
        if value == "all":
            return "toan-bo", whole
        return slugify(value), f"{words}: {value}"

    units = []
    for province in scopes:
        slug, group = where(province)
        units.append(
            make_unit(
                notebooks / "province_report.ipynb",
                {"survey": survey, "province": province, **report_options},
                valid_values=valid,
                folder=f"{prefix}/{slug}",
                title=(whole if province == "all" else province),
                inputs=inputs,
                group=group,
            )
        )
    for field_name in chosen_fields:
        units.append(
            make_unit(
                notebooks / "field_report.ipynb",
                {"survey": survey, "field": field_name, **report_options},
                valid_values={"field": estimates.fields},
                folder=f"field/{slugify(field_name)}",
                title=f"Lĩnh vực: {field_name}",
                inputs=inputs,
            )
        )
    for notebook in extra_notebooks:
        for province in scopes:
            path = notebooks / notebook
            slug, group = where(province)
            units.append(
                make_unit(
                    path,
                    {"survey": survey, "province": province, "language": language},
                    valid_values=valid,
                    folder=f"{slugify(path.stem)}/{slug}",
                    title=f"{path.stem}: {province if province != 'all' else ALL}",
                    inputs=inputs,
                    group=group,
                )
            )
    if remediation:
        plan_inputs = list(inputs)
        clean = root / "outputs" / survey / "clean" / "responses.parquet"
        if clean.exists():
            plan_inputs.append(clean)
        if previous_estimates is not None:
            plan_inputs += sorted(p for p in previous_estimates.glob("*") if p.is_file())
        for province in scopes:
            slug, group = where(province)
            units.append(
                make_unit(
                    notebooks / REMEDIATION_NOTEBOOK,
                    {
                        "survey": survey,
                        "province": province,
                        "unit": unit,
                        "previous_wave": previous_wave or "",
                        "target": target,
                        "language": language,
                    },
                    valid_values=valid,
                    folder=f"remediation-plan/{slug}",
                    title=f"Kế hoạch khắc phục: {province if province != 'all' else ALL}",
                    inputs=plan_inputs,
                    group=group,
                )
            )
    return units


def _about(estimates: Estimates, language: str) -> str:
    """The index page's first line: the survey, its kind of sample, its reporting unit."""
    meta = estimates.meta
    study = kinds.study_of_meta(meta)
    title = meta.get("title") if language == "vi" else meta.get("title_en") or meta.get("title")
    line = f"{title} ({meta.get('year')}). {kinds.kind_line(study, language)}."
    if study.get("unit") and estimates.provinces:
        units = kinds.unit_words(study["unit"], language)
        line += f" Báo cáo theo {units}." if language == "vi" else f" Reports by {units}."
    return line


def papi_units(
    survey: str,
    *,
    provinces: str | Sequence[str] = "all",
    language: str = "vi",
    root: Path | None = None,
    force: bool = False,
) -> list[Unit]:
    """A `papi_report.ipynb` unit for every province of a PAPI-style survey (and "all").

    The survey's estimates are computed once here (`analysis.papi`), so the notebooks only
    read them; their files are the units' inputs.
    """
    root = root or find_root()
    folder = root / "surveys" / survey
    if "/" in survey or not (folder / "papi_instrument.yaml").is_file():
        raise ParameterError(
            f"{survey!r} is not a PAPI-style survey folder (no papi_instrument.yaml)",
            key="parameter 'survey'",
        )
    target = papi_estimates_dir(root, survey)
    estimates, _ = ensure_papi_estimates(folder, target, force=force)
    valid = estimates.provinces()
    chosen = choose_many(provinces, valid, "provinces")
    inputs = sorted(p for p in target.glob("*") if p.is_file())
    return [
        make_unit(
            root / "notebooks" / PAPI_NOTEBOOK,
            {"survey": survey, "province": province, "language": language},
            valid_values={"province": ["all", *valid]},
            folder=f"papi/{slugify(province if province != 'all' else 'toan-bo')}",
            title=f"PAPI: {province if province != 'all' else ALL}",
            inputs=inputs,
        )
        for province in ["all", *chosen]
    ]


def demo_extra_units(
    root: Path, *, force: bool = False, dossier_rows: int | None = None
) -> list[Unit]:
    """The units `satisfaction demo` adds to the demo survey's job: the PAPI-style demo's
    province reports (surveys/papi-demo, written from its seed when missing) and the one-stop
    reports of the demo dossiers (surveys/demo-onestop; the export, `dossier_rows` rows or
    the job's default, generated when missing)."""
    from satisfaction.demo.dossiers import EXPORT_NAME, write_demo_dossiers
    from satisfaction.demo.papi import write_papi_demo
    from satisfaction.run.onestop import DEMO_JOB_ROWS, demo_onestop_units

    surveys = root / "surveys"
    if not (surveys / PAPI_DEMO / "papi_instrument.yaml").exists():
        write_papi_demo(surveys / PAPI_DEMO)
    if not (surveys / "demo-onestop" / EXPORT_NAME).exists():
        write_demo_dossiers(surveys / "demo-onestop", rows=dossier_rows or DEMO_JOB_ROWS)
    return [
        *papi_units(PAPI_DEMO, root=root, force=force),
        *demo_onestop_units(root, force=force),
    ]


def _export_pdfs(out_dir: Path, manifest: Manifest, about: str = "") -> None:
    """PDF copies of the Word documents that are new or changed, then the index again (it
    lists them)."""
    stale = [
        doc
        for doc in sorted(out_dir.rglob("*.docx"))
        if not doc.with_suffix(".pdf").is_file()
        or doc.with_suffix(".pdf").stat().st_mtime < doc.stat().st_mtime
    ]
    if export_pdfs(out_dir, stale):
        write_index(out_dir, manifest.units, about=about)


def _chosen(
    estimates: Any,
    provinces: str | Sequence[str],
    fields: str | Sequence[str] | None,
    whole: bool | None,
) -> tuple[list[str], list[str]]:
    """The fields asked for, and the scopes of the reports ("all" first when the
    whole survey is reported). A run for some units reruns only theirs: the whole-survey
    units only when `whole` (its folder has none yet), field reports only when asked for."""
    chosen = choose_many(provinces, estimates.provinces, "provinces")
    asked_all = _asks_all(provinces)
    whole = asked_all if whole is None else whole
    if fields is None:
        fields = "all" if asked_all else ()
    chosen_fields = choose_many(fields, estimates.fields, "fields") if fields else []
    return chosen_fields, ["all", *chosen] if whole else chosen


def _asks_all(provinces: str | Sequence[str]) -> bool:
    """Whether a run covers the whole survey ("all", or nothing named)."""
    if isinstance(provinces, str):
        return provinces.strip() in ("", "all")
    return list(provinces) in ([], ["all"])


def _run_units(out_dir: Path) -> list[dict]:
    """The unit records of an earlier run of this folder ([] for none)."""
    try:
        units = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["units"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [u for u in units if isinstance(u, dict)] if isinstance(units, list) else []


def _has_whole_survey_units(out_dir: Path) -> bool:
    """Whether an earlier run of this folder made the whole-survey report and plan."""
    return any(str(u.get("folder", "")).endswith("/toan-bo") for u in _run_units(out_dir))


def _previous_wave_of_run(out_dir: Path) -> str | None:
    """The previous wave the plans of an earlier run of this folder were compared with: a
    rerun of some provinces keeps it instead of silently dropping the comparison."""
    waves = {
        str((u.get("parameters") or {}).get("previous_wave") or "")
        for u in _run_units(out_dir)
        if str(u.get("folder", "")).startswith("remediation-plan/")
    }
    waves.discard("")
    return waves.pop() if len(waves) == 1 else None


@contextlib.contextmanager
def _warm_kernels(workers: int, dask_address: str | None) -> Iterator[KernelPool | None]:
    """The job's warm kernels, started now: they start and import their preload (3.5-4 s
    each) while the job reads, cleans and estimates on one core, not after. Shut down when
    the job ends, also when it fails before any notebook ran. None on Dask (its workers
    hold their own kernels)."""
    if dask_address or workers < 1:
        yield None
        return
    kernels = KernelPool()
    kernels.start(workers)
    try:
        yield kernels
    finally:
        kernels.shutdown()


def run_reports(
    survey: str,
    *,
    provinces: str | Sequence[str] = "all",
    fields: str | Sequence[str] | None = None,
    workers: int = 2,
    force: bool = False,
    dask_address: str | None = None,
    run: str = "reports",
    language: str = "vi",
    root: Path | None = None,
    progress: bool = True,
    extra_notebooks: Sequence[str] = (),
    remediation: bool = False,
    previous_wave: str | None = None,
    target: float | str = 0.8,
    extra_units: Sequence[Unit] = (),
    pdf: bool = False,
    by: str = "",
    png: bool = False,
) -> JobResult:
    """Clean, estimate, then run every report notebook of `survey` (see module docstring).

    `remediation` adds the remediation plans, compared with `previous_wave` (a folder under
    surveys/; None keeps the one an earlier run of this folder used) against `target` (a
    share such as 0.8, or "overall"). `extra_units` (e.g. `papi_units` of a PAPI-style
    survey, the demo's one-stop reports) run in the same batch and index. `by` is the
    reporting unit (a respondent role such as "commune"; "" for the survey's default: its
    province column, else the first unit column it declares). `pdf` exports every Word
    document to PDF through LibreOffice when it is installed. `png`: the reports also write
    each figure as a 200-dpi PNG (they show the SVG; plans always write PNGs for Word).
    """
    root = (root or find_root()).resolve()
    os.environ["SATISFACTION_ROOT"] = str(root)  # kernels inherit it and find the data
    if language not in ("vi", "en"):
        raise ParameterError(
            f"language must be 'vi' or 'en', got {language!r}", key="parameter 'language'"
        )
    steps = Steps(show=progress)
    with _warm_kernels(workers, dask_address) as kernels:
        estimates_path, cleaned, estimated = prepare_survey(
            survey, root=root, force=force, unit=by, steps=steps
        )
        out_dir = safe_output_path(root / "outputs", survey, slugify(run))
        previous_estimates = None
        if remediation and previous_wave is None:
            previous_wave = _previous_wave_of_run(out_dir)
        if remediation:
            from satisfaction.analysis.remediation import PriorityRule

            target = PriorityRule(target=target).target  # refuse a bad target before any run
            if previous_wave == survey:
                raise ParameterError(
                    "the previous wave cannot be the survey itself",
                    key="parameter 'previous_wave'",
                )
            if previous_wave:
                previous_estimates, _, _ = prepare_survey(
                    previous_wave, root=root, force=force, unit=by, steps=steps
                )
        units = report_units(
            survey,
            estimates_path,
            whole=_asks_all(provinces) or not _has_whole_survey_units(out_dir),
            provinces=provinces,
            fields=fields,
            language=language,
            root=root,
            extra_notebooks=extra_notebooks,
            remediation=remediation,
            previous_wave=previous_wave,
            previous_estimates=previous_estimates,
            target=target,
            unit=by,
            png=png,
        )
        units = [*units, *extra_units]
        about = _about(load_estimates(estimates_path), language)
        where = f"a Dask cluster at {dask_address}" if dask_address else f"{workers} workers"
        with steps("notebooks", f"{len(units)} report notebooks on {where}", spinner=False):
            manifest = run_batch(
                units,
                out_dir=out_dir,
                workers=workers,
                force=force,
                dask_address=dask_address,
                progress=progress,
                about=about,
                environment={"SATISFACTION_ROOT": str(root)},
                kernel_pool=kernels,
            )
    if pdf:
        _export_pdfs(out_dir, manifest, about)
    write_text(
        out_dir / "estimates.json",
        json.dumps({"estimates": str(estimates_path.relative_to(root))}, ensure_ascii=False),
        root=root / "outputs",
    )
    return JobResult(
        manifest=manifest,
        index=manifest.index,
        estimates=estimates_path,
        cleaned=cleaned,
        estimated=estimated,
        times=dict(steps.wall),
        spans=dict(steps.spans),
    )
