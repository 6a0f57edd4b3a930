"""A survey folder end to end up to clean data: instrument + raw file -> clean outputs.

`surveys/<survey>/` holds `instrument.yaml` and the raw responses it names (read-only).
`clean_survey` reads both, cleans, and writes `outputs/<survey>/clean/`:
responses.parquet, cleaning_log.csv/.xlsx, cleaning_summary.csv, quarantine.csv/.xlsx and
read_notes.csv. `load_clean` reads the parquet back for the later steps.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from satisfaction.cleaning.rules import CleanResult, clean
from satisfaction.errors import InputError
from satisfaction.io.instrument import Instrument, load_instrument
from satisfaction.io.read import read_responses

__all__ = [
    "CLEAN_FILES",
    "clean_output_dir",
    "clean_survey",
    "input_hash",
    "load_clean",
    "raw_data_path",
]

CLEAN_FILES = (
    "responses.parquet",
    "cleaning_log.csv",
    "cleaning_log.xlsx",
    "cleaning_summary.csv",
    "quarantine.csv",
    "quarantine.xlsx",
    "read_notes.csv",
)
_EXCEL_MAX_ROWS = 1_048_575


def raw_data_path(survey_dir: Path, instrument: Instrument) -> Path:
    """The raw response file the instrument names, resolved inside the survey folder."""
    if instrument.data is None:
        raise InputError(
            "the instrument has no `data:` section naming the response file",
            file=survey_dir / "instrument.yaml",
        )
    path = (survey_dir / instrument.data.file).resolve()
    if not path.is_relative_to(survey_dir.resolve()):
        raise InputError("data.file must stay inside the survey folder", file=path)
    if not path.exists():
        raise InputError("response file named by the instrument does not exist", file=path)
    return path


def clean_output_dir(outputs: Path, survey_id: str) -> Path:
    return outputs / survey_id / "clean"


def input_hash(*paths: Path) -> str:
    """sha256 over the bytes of the given files (the survey's provenance)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def clean_survey(survey_dir: str | Path, outputs: str | Path = "outputs") -> CleanResult:
    """Load the instrument, read the raw file, clean it and write the clean outputs."""
    survey_dir = Path(survey_dir)
    instrument = load_instrument(survey_dir / "instrument.yaml")
    path = raw_data_path(survey_dir, instrument)
    raw = read_responses(
        path,
        sheet=instrument.data.sheet if instrument.data else None,
        header_row=instrument.data.header_row if instrument.data else None,
        encoding=instrument.data.encoding if instrument.data else None,
        expected_columns=instrument.expected_columns(),
    )
    result = clean(raw, instrument)
    write_clean_outputs(result, clean_output_dir(Path(outputs), instrument.id))
    return result


def write_clean_outputs(result: CleanResult, out_dir: Path) -> None:
    """Write the clean frame, the log (csv + xlsx), its summary and the quarantine."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result.data.to_parquet(out_dir / "responses.parquet", index=False)
    result.log.to_csv(out_dir / "cleaning_log.csv", index=False, encoding="utf-8-sig")
    summary = result.summary()
    summary.to_csv(out_dir / "cleaning_summary.csv", index=False, encoding="utf-8-sig")
    result.quarantine.to_csv(out_dir / "quarantine.csv", index=False, encoding="utf-8-sig")
    notes = pd.DataFrame(
        [{"kind": n.kind, "row": n.row, "detail": n.detail} for n in result.read_notes],
        columns=["kind", "row", "detail"],
    )
    notes.to_csv(out_dir / "read_notes.csv", index=False, encoding="utf-8-sig")
    with pd.ExcelWriter(out_dir / "cleaning_log.xlsx", engine="openpyxl") as writer:
        summary.to_excel(writer, sheet_name="Tổng hợp", index=False)
        result.log.head(_EXCEL_MAX_ROWS).to_excel(writer, sheet_name="Nhật ký", index=False)
    with pd.ExcelWriter(out_dir / "quarantine.xlsx", engine="openpyxl") as writer:
        _excel_safe(result.quarantine).to_excel(writer, sheet_name="Cách ly", index=False)


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def load_clean(outputs: str | Path, survey_id: str) -> pd.DataFrame:
    """Read the clean responses written by `clean_survey`."""
    path = clean_output_dir(Path(outputs), survey_id) / "responses.parquet"
    if not path.exists():
        raise InputError("no clean data yet; run `satisfaction clean` first", file=path)
    return pd.read_parquet(path)
