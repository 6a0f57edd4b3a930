"""The one-stop job: a dossier folder -> clean dossiers, cleaning log, quarantine, metrics.

`run_onestop("surveys/<name>")` reads `dossiers.yaml` and the export it names, cleans it
(skipped when the yaml, the export and the package are unchanged) and writes, under
`outputs/<name>/onestop/`::

    metrics.csv            the interface: one row per unit x field x period, exactly
                           `METRICS_COLUMNS` (UTF-8, shares as proportions in [0, 1])
    metrics_detail.csv     every count and share (early, on the day, pending, withdrawn,
                           channels, rating levels, complaints ...)
    metrics_formulas.csv   how each metric is made, in Vietnamese and English
    clean/                 dossiers.parquet, cleaning_log.parquet/.csv,
                           cleaning_summary.csv, quarantine.csv, read_notes.csv

`satisfaction onestop` and the demo batch both call it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from satisfaction.cleaning.dossiers import clean_dossiers, write_clean_dossiers
from satisfaction.cleaning.survey import input_hash
from satisfaction.errors import ParameterError
from satisfaction.io.dossiers import connect, load_dossier_spec, read_dossiers
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.run.units import Unit, make_unit
from satisfaction.studies.onestop import (
    FORMULAS,
    PERIODS,
    dossier_metrics,
    interface_metrics,
)

__all__ = [
    "CENSUS_NOTE",
    "DEMO_JOB_ROWS",
    "ONESTOP_NOTEBOOK",
    "OnestopResult",
    "demo_onestop_units",
    "onestop_output_dir",
    "onestop_units",
    "run_onestop",
]

CENSUS_NOTE = (
    "Toàn bộ hồ sơ của kỳ (tổng điều tra hồ sơ, không phải mẫu): các tỷ lệ là số đếm chính "
    "xác, không có khoảng tin cậy chọn mẫu. Census of the period's dossiers, not a sample: "
    "rates are exact counts with no sampling interval."
)
_STAMP = "inputs.sha256"


@dataclass(frozen=True)
class OnestopResult:
    """Where the job wrote and what it found."""

    folder: Path
    metrics: Path
    clean_dossiers: Path
    clean_rows: int
    quarantined_rows: int
    log_entries: int
    metric_rows: int
    cleaned: bool


def onestop_output_dir(outputs: str | Path, name: str) -> Path:
    """`outputs/<name>/onestop` (the name is a folder name: no path tricks)."""
    return safe_output_path(outputs, name, "onestop")


def _digest(*paths: Path) -> str:
    from satisfaction import __version__

    return input_hash(*paths) + "/" + __version__


def run_onestop(
    survey_dir: str | Path,
    *,
    outputs: str | Path = "outputs",
    by: str = "month",
    force: bool = False,
) -> OnestopResult:
    """Clean the folder's export (when it changed) and write its metrics by `by` period."""
    if by not in PERIODS:
        raise ParameterError(f"must be one of {', '.join(PERIODS)}, got {by!r}", key="--by")
    survey_dir = Path(survey_dir)
    spec = load_dossier_spec(survey_dir)
    folder = onestop_output_dir(outputs, survey_dir.resolve().name)
    clean_dir = folder / "clean"
    stamp = _digest(spec.source or survey_dir / "dossiers.yaml", spec.data_path)
    stamp_file = clean_dir / _STAMP
    con = connect()
    cleaned = force or not (
        stamp_file.exists()
        and stamp_file.read_text(encoding="utf-8").strip() == stamp
        and (clean_dir / "dossiers.parquet").exists()
        and (clean_dir / "counts.json").exists()
    )
    if cleaned:
        stamp_file.unlink(missing_ok=True)
        result = clean_dossiers(read_dossiers(spec, con), spec)
        write_clean_dossiers(result, clean_dir)
        counts = {"clean": result.clean_rows, "quarantined": result.quarantined_rows}
        (clean_dir / "counts.json").write_text(json.dumps(counts), encoding="utf-8")
        stamp_file.write_text(stamp, encoding="utf-8")
    parquet = clean_dir / "dossiers.parquet"
    detail = dossier_metrics(parquet, by=by, con=con)
    interface_metrics(detail).to_csv(folder / "metrics.csv", index=False, encoding="utf-8")
    detail.to_csv(folder / "metrics_detail.csv", index=False, encoding="utf-8-sig")
    formulas = pd.DataFrame(
        [("study", CENSUS_NOTE, CENSUS_NOTE)]
        + [(name, vi, en) for name, (vi, en) in FORMULAS.items()],
        columns=["metric", "vi", "en"],
    )
    formulas.to_csv(folder / "metrics_formulas.csv", index=False, encoding="utf-8-sig")
    summary = pd.read_csv(clean_dir / "cleaning_summary.csv", encoding="utf-8-sig")
    counts = json.loads((clean_dir / "counts.json").read_text(encoding="utf-8"))
    return OnestopResult(
        folder=folder,
        metrics=folder / "metrics.csv",
        clean_dossiers=parquet,
        clean_rows=int(counts["clean"]),
        quarantined_rows=int(counts["quarantined"]),
        log_entries=int(summary["count"].sum()) if len(summary) else 0,
        metric_rows=len(detail),
        cleaned=cleaned,
    )


# ------------------------------------------------------------------------------- the batch
ONESTOP_NOTEBOOK = "onestop_report.ipynb"
#: Rows of the demo export `satisfaction demo` makes when it is missing: a quarter of the
#: full ~2M (`make-demo-dossiers`), so generating and cleaning stay within ~20 s.
DEMO_JOB_ROWS = 500_000


def onestop_units(
    survey: str,
    areas: list[tuple[str, str]],
    *,
    root: Path,
    by: str = "quarter",
    language: str = "vi",
    compare_survey: str = "",
) -> list[Unit]:
    """One `onestop_report.ipynb` unit per (level, name) area, e.g. ("province", "Hà Nội").

    The clean dossiers and dossiers.yaml are the units' inputs: a new export reruns them.
    `compare_survey` names a survey whose satisfaction index by field the reports show
    beside the one-stop measures (its overall estimates become an input too).
    """
    notebook = root / "notebooks" / ONESTOP_NOTEBOOK
    folder = root / "outputs" / survey / "onestop"
    inputs = [folder / "clean" / "dossiers.parquet", root / "surveys" / survey / "dossiers.yaml"]
    if compare_survey:
        inputs.append(root / "outputs" / compare_survey / "estimates" / "overall.parquet")
    units = []
    for level, name in areas:
        slug = "toan-bo" if level == "all" else slugify(name)
        units.append(
            make_unit(
                notebook,
                {"survey": survey, "level": level, "name": name, "by": by,
                 "period": "latest", "compare_survey": compare_survey, "language": language},
                folder=f"onestop/{slug}",
                title=f"Một cửa: {'toàn bộ' if level == 'all' else name}",
                inputs=inputs,
            )
        )  # fmt: skip
    return units


def demo_onestop_units(
    root: Path, *, force: bool = False, compare_survey: str = "demo"
) -> list[Unit]:
    """The demo's one-stop reports: every unit, each province, the district and the ward of
    the planted late unit, beside the demo survey's index by field. Makes the demo export
    when missing and runs the one-stop job."""
    from satisfaction.demo.dossiers import DOSSIER_FACTS, EXPORT_NAME, write_demo_dossiers
    from satisfaction.studies.onestop import dossier_metrics

    survey = "demo-onestop"
    folder = root / "surveys" / survey
    if not (folder / EXPORT_NAME).exists():
        write_demo_dossiers(folder, rows=DEMO_JOB_ROWS)
    result = run_onestop(folder, outputs=root / "outputs", by="quarter", force=force)
    late = DOSSIER_FACTS["late_unit"]
    dims = ("province", "district", "unit")
    places = dossier_metrics(result.clean_dossiers, by="year", dims=dims)
    provinces = sorted(set(places["province"]))
    district = str(places.loc[places["unit"] == late, "district"].iloc[0])
    areas = [("all", "all"), *(("province", p) for p in provinces)]
    areas += [("district", district), ("unit", late)]
    return onestop_units(survey, areas, root=root, compare_survey=compare_survey)
