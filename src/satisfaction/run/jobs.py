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

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from satisfaction.analysis.estimates import ALL, load_estimates
from satisfaction.analysis.papi import ensure_papi_estimates
from satisfaction.errors import ParameterError
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.io.write import write_text
from satisfaction.present.papi_report import papi_estimates_dir
from satisfaction.present.survey_choice import choose_many, find_root, prepare_estimates
from satisfaction.run.batch import run_batch
from satisfaction.run.index_page import write_index
from satisfaction.run.manifest import MANIFEST_NAME, Manifest
from satisfaction.run.pdf import export_pdfs
from satisfaction.run.units import Unit, make_unit

__all__ = [
    "PAPI_NOTEBOOK",
    "REMEDIATION_NOTEBOOK",
    "JobResult",
    "papi_units",
    "prepare_survey",
    "report_units",
    "run_reports",
]

REMEDIATION_NOTEBOOK = "remediation_plan.ipynb"
PAPI_NOTEBOOK = "papi_report.ipynb"


@dataclass(frozen=True)
class JobResult:
    """What the job produced: the batch manifest and where the index page is."""

    manifest: Manifest
    index: Path
    estimates: Path
    cleaned: bool
    estimated: bool


def prepare_survey(
    survey: str, *, root: Path | None = None, force: bool = False
) -> tuple[Path, bool, bool]:
    """Clean and estimate when the raw data, instrument or package changed.

    Everything is kept under the survey FOLDER name (`outputs/<survey>/`), the name the
    notebooks are given too. Returns (estimates folder, cleaned?, estimated?).
    """
    return prepare_estimates(survey, root=root or find_root(), force=force)


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
) -> list[Unit]:
    """The report units of a survey: whole survey + each province, each field.

    Asked for some provinces (not "all"), only their units: no whole-survey report or plan,
    and no field report unless `fields` names some (`fields=None`: every field for "all",
    none for some provinces).

    With `remediation`, also a remediation plan for the whole survey and each province,
    compared with `previous_wave` (whose estimates folder, `previous_estimates`, and the
    clean responses the plan's drivers and comments read are among the unit's inputs).
    """
    root = root or find_root()
    estimates = load_estimates(estimates_path)
    chosen_provinces = choose_many(provinces, estimates.provinces, "provinces")
    whole = _asks_all(provinces)
    # a run for some provinces reruns only their units: no whole-survey units, and field
    # reports only when fields are asked for
    if fields is None:
        fields = "all" if whole else ()
    chosen_fields = choose_many(fields, estimates.fields, "fields") if fields else []
    scopes = ["all", *chosen_provinces] if whole else chosen_provinces
    inputs = sorted(p for p in estimates_path.glob("*") if p.is_file())
    clean_summary = root / "outputs" / survey / "clean" / "cleaning_summary.csv"
    if clean_summary.exists():
        inputs.append(clean_summary)
    notebooks = root / "notebooks"
    units = []
    for province in scopes:
        units.append(
            make_unit(
                notebooks / "province_report.ipynb",
                {"survey": survey, "province": province, "language": language},
                valid_values={"province": ["all", *estimates.provinces]},
                folder=f"province/{slugify(province if province != 'all' else 'toan-bo')}",
                title=("Toàn bộ khảo sát" if province == "all" else province),
                inputs=inputs,
            )
        )
    for field_name in chosen_fields:
        units.append(
            make_unit(
                notebooks / "field_report.ipynb",
                {"survey": survey, "field": field_name, "language": language},
                valid_values={"field": estimates.fields},
                folder=f"field/{slugify(field_name)}",
                title=f"Lĩnh vực: {field_name}",
                inputs=inputs,
            )
        )
    for notebook in extra_notebooks:
        for province in scopes:
            path = notebooks / notebook
            units.append(
                make_unit(
                    path,
                    {"survey": survey, "province": province, "language": language},
                    valid_values={"province": ["all", *estimates.provinces]},
                    folder=f"{slugify(path.stem)}/"
                    f"{slugify(province if province != 'all' else 'toan-bo')}",
                    title=f"{path.stem}: {province if province != 'all' else ALL}",
                    inputs=inputs,
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
            where = province if province != "all" else "toan-bo"
            units.append(
                make_unit(
                    notebooks / REMEDIATION_NOTEBOOK,
                    {
                        "survey": survey,
                        "province": province,
                        "previous_wave": previous_wave or "",
                        "target": target,
                        "language": language,
                    },
                    valid_values={"province": ["all", *estimates.provinces]},
                    folder=f"remediation-plan/{slugify(where)}",
                    title=f"Kế hoạch khắc phục: {province if province != 'all' else ALL}",
                    inputs=plan_inputs,
                )
            )
    return units


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


def _export_pdfs(out_dir: Path, manifest: Manifest) -> None:
    """PDF copies of the Word documents that are new or changed, then the index again (it
    lists them)."""
    stale = [
        doc
        for doc in sorted(out_dir.rglob("*.docx"))
        if not doc.with_suffix(".pdf").is_file()
        or doc.with_suffix(".pdf").stat().st_mtime < doc.stat().st_mtime
    ]
    if export_pdfs(out_dir, stale):
        write_index(out_dir, manifest.units)


def _asks_all(provinces: str | Sequence[str]) -> bool:
    """Whether a run covers the whole survey ("all", or nothing named)."""
    if isinstance(provinces, str):
        return provinces.strip() in ("", "all")
    return list(provinces) in ([], ["all"])


def _previous_wave_of_run(out_dir: Path) -> str | None:
    """The previous wave the plans of an earlier run of this folder were compared with: a
    rerun of some provinces keeps it instead of silently dropping the comparison."""
    try:
        units = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["units"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    waves = {
        str(u.get("parameters", {}).get("previous_wave") or "")
        for u in units
        if isinstance(u, dict) and str(u.get("folder", "")).startswith("remediation-plan/")
    }
    waves.discard("")
    return waves.pop() if len(waves) == 1 else None


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
) -> JobResult:
    """Clean, estimate, then run every report notebook of `survey` (see module docstring).

    `remediation` adds the remediation plans, compared with `previous_wave` (a folder under
    surveys/; None keeps the one an earlier run of this folder used) against `target` (a
    share such as 0.8, or "overall"). `extra_units` (e.g. `papi_units` of a PAPI-style
    survey, the demo's one-stop reports) run in the same batch and index. `pdf` exports
    every Word document to PDF through LibreOffice when it is installed.
    """
    root = (root or find_root()).resolve()
    os.environ["SATISFACTION_ROOT"] = str(root)  # kernels inherit it and find the data
    if language not in ("vi", "en"):
        raise ParameterError(
            f"language must be 'vi' or 'en', got {language!r}", key="parameter 'language'"
        )
    estimates_path, cleaned, estimated = prepare_survey(survey, root=root, force=force)
    out_dir = safe_output_path(root / "outputs", survey, slugify(run))
    previous_estimates = None
    if remediation and previous_wave is None:
        previous_wave = _previous_wave_of_run(out_dir)
    if remediation:
        from satisfaction.analysis.remediation import PriorityRule

        target = PriorityRule(target=target).target  # refuse a bad target before any run
        if previous_wave == survey:
            raise ParameterError(
                "the previous wave cannot be the survey itself", key="parameter 'previous_wave'"
            )
        if previous_wave:
            previous_estimates, _, _ = prepare_survey(previous_wave, root=root, force=force)
    units = report_units(
        survey,
        estimates_path,
        provinces=provinces,
        fields=fields,
        language=language,
        root=root,
        extra_notebooks=extra_notebooks,
        remediation=remediation,
        previous_wave=previous_wave,
        previous_estimates=previous_estimates,
        target=target,
    )
    units = [*units, *extra_units]
    manifest = run_batch(
        units,
        out_dir=out_dir,
        workers=workers,
        force=force,
        dask_address=dask_address,
        progress=progress,
    )
    if pdf:
        _export_pdfs(out_dir, manifest)
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
    )
