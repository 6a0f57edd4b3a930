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

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from satisfaction.cleaning.dossiers import clean_dossiers, write_clean_dossiers
from satisfaction.errors import ParameterError
from satisfaction.io.dossiers import connect, load_dossier_spec, read_dossiers
from satisfaction.io.paths import safe_output_path
from satisfaction.studies.onestop import (
    FORMULAS,
    PERIODS,
    dossier_metrics,
    interface_metrics,
)

__all__ = ["CENSUS_NOTE", "OnestopResult", "onestop_output_dir", "run_onestop"]

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

    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest() + "/" + __version__


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
