"""A survey folder end to end up to clean data: instrument + raw file -> clean outputs.

`surveys/<survey>/` holds `instrument.yaml` and the raw responses it names (read-only).
`clean_survey` reads both, cleans, and writes `outputs/<survey>/clean/` -- keyed by the
survey FOLDER name, never the instrument id, so nothing in an instrument becomes a path:
responses.parquet, cleaning_log.csv/.xlsx, cleaning_summary.csv, quarantine.csv/.xlsx,
read_notes.csv and `inputs.sha256` (the hash of the inputs, which later steps compare to
decide whether the files are stale). `load_clean` reads the parquet back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from satisfaction.cleaning.rules import CleanResult, clean
from satisfaction.errors import InputError, SatisfactionError
from satisfaction.io.instrument import Instrument, load_instrument
from satisfaction.io.paths import safe_output_path
from satisfaction.io.read import read_responses
from satisfaction.io.write import (
    atomic_folder,
    make_folder,
    write_csv,
    write_parquet,
    write_text,
    write_xlsx,
)

__all__ = [
    "CLEAN_FILES",
    "STAMP",
    "StepHook",
    "clean_output_dir",
    "clean_survey",
    "input_hash",
    "is_fresh",
    "load_clean",
    "open_survey",
    "raw_data_path",
    "survey_digest",
    "survey_name",
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
STAMP = "inputs.sha256"  # the hash of the inputs a folder of derived files was made from

StepHook = Callable[[str, str], AbstractContextManager[Any]]
"""`step(name, what)` wraps one long step ("read", "clean", "estimate" ...) of a job: the
caller shows progress and times it (`run.progress.Steps`); `quiet_step` does nothing."""


def quiet_step(name: str, what: str) -> AbstractContextManager[Any]:
    """A step hook that shows nothing (the default: tests, notebooks)."""
    return nullcontext()


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
    if not path.is_file():
        raise InputError(
            "response file named by the instrument does not exist or is not a regular file",
            file=path,
        )
    return path


def survey_name(survey_dir: str | Path) -> str:
    """The name outputs are kept under: the survey folder's name (never the instrument id).

    One name everywhere -- `clean`, the estimates, the notebooks and the batch -- so a
    report can never read the outputs of another name (issue 13: estimates under the id,
    notebooks under the folder, stale reports).
    """
    name = Path(survey_dir).resolve().name
    if not name or "\x00" in name:
        raise InputError("is not a survey folder", file=survey_dir)
    return name


def clean_output_dir(outputs: str | Path, survey: str) -> Path:
    """`outputs/<survey>/clean`, refused when it would resolve outside `outputs`."""
    return safe_output_path(outputs, survey, "clean")


def input_hash(*paths: Path) -> str:
    """sha256 over the names and bytes of the given files (the survey's provenance), read
    in blocks so a multi-GB dossier export is never held in memory."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def survey_digest(survey_dir: Path, instrument: Instrument) -> str:
    """What every derived file of a survey is stamped with: the hash of the instrument, the
    files it extends, the raw responses, and the package version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("satisfaction")
    except PackageNotFoundError:  # run from a source tree without installing
        package = "source"
    inputs = [survey_dir / "instrument.yaml", raw_data_path(survey_dir, instrument)]
    return input_hash(*inputs, *instrument.extends) + f"/{package}"


def is_fresh(folder: Path, digest: str) -> bool:
    """Whether `folder` holds a stamp equal to `digest` (its inputs did not change)."""
    stamp = folder / STAMP
    try:
        return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest
    except OSError:
        return False


def open_survey(survey_dir: str | Path) -> tuple[Path, Instrument]:
    """A survey folder and its instrument, or one clear line: not a folder, no instrument,
    or an instrument id another survey folder already uses."""
    survey_dir = Path(survey_dir)
    if "\x00" in str(survey_dir):
        raise InputError("the path holds a NUL character", file=repr(str(survey_dir)))
    if not survey_dir.is_dir():
        raise InputError(
            "is not a survey folder (a folder holding instrument.yaml and the responses)",
            file=survey_dir,
        )
    instrument = load_instrument(survey_dir / "instrument.yaml")
    _refuse_shared_id(survey_dir, instrument)
    return survey_dir, instrument


def _refuse_shared_id(survey_dir: Path, instrument: Instrument) -> None:
    """Two survey folders of one project (siblings under `surveys/`) with one instrument id
    would be confused in every output that names the survey."""
    here = survey_dir.resolve()
    if here.parent.name != "surveys":
        return
    for sibling in sorted(here.parent.iterdir()):
        other = sibling / "instrument.yaml"
        if sibling == here or not other.is_file():
            continue
        try:
            other_id = load_instrument(other).id
        except SatisfactionError:
            continue  # a broken neighbour is its own problem
        if other_id == instrument.id:
            raise InputError(
                f"instrument id {instrument.id!r} is also the id of {other}; give each "
                "survey its own id",
                file=survey_dir / "instrument.yaml",
                key="id",
            )


def clean_survey(
    survey_dir: str | Path, outputs: str | Path = "outputs", *, step: StepHook = quiet_step
) -> CleanResult:
    """Load the instrument, read the raw file, clean it and write the clean outputs to
    `outputs/<survey folder name>/clean/`, stamped with the hash of the inputs. `step`
    wraps the read, the clean and the write (progress for long surveys)."""
    survey_dir, instrument = open_survey(survey_dir)
    path = raw_data_path(survey_dir, instrument)
    digest = survey_digest(survey_dir, instrument)
    size = path.stat().st_size / 1e6
    with step("read", f"reading {path.name} ({size:,.0f} MB)"):
        raw = read_responses(
            path,
            sheet=instrument.data.sheet if instrument.data else None,
            header_row=instrument.data.header_row if instrument.data else None,
            encoding=instrument.data.encoding if instrument.data else None,
            expected_columns=instrument.expected_columns(),
        )
    with step("clean", f"cleaning {len(raw.frame):,} forms"):
        result = clean(raw, instrument)
    outputs = Path(outputs)
    make_folder(outputs)
    folder = clean_output_dir(outputs, survey_name(survey_dir))
    with step("write clean", f"writing the clean data and the log to {folder}"):
        write_clean_outputs(result, folder, root=outputs, stamp=digest)
    return result


def write_clean_outputs(
    result: CleanResult, out_dir: Path, *, root: Path | None = None, stamp: str | None = None
) -> None:
    """Write the clean frame, the log (csv + xlsx), its summary and the quarantine.

    The whole set is written into a temporary folder swapped in at the end, so a failure
    leaves the old complete set (or none), never a mix. Every CSV and workbook goes through
    the safe writers: text from data is never a formula.
    """
    summary = result.summary()
    notes = pd.DataFrame(
        [{"kind": n.kind, "row": n.row, "detail": n.detail} for n in result.read_notes],
        columns=["kind", "row", "detail"],
    )
    with atomic_folder(out_dir, root) as temp:
        write_parquet(result.data, temp / "responses.parquet")
        write_csv(result.log, temp / "cleaning_log.csv")
        write_csv(summary, temp / "cleaning_summary.csv")
        write_csv(result.quarantine, temp / "quarantine.csv")
        write_csv(notes, temp / "read_notes.csv")
        write_xlsx(
            temp / "cleaning_log.xlsx",
            {"Tổng hợp": summary, "Nhật ký": result.log.head(_EXCEL_MAX_ROWS)},
        )
        write_xlsx(temp / "quarantine.xlsx", {"Cách ly": result.quarantine})
        if stamp is not None:
            write_text(temp / STAMP, stamp)


def load_clean(outputs: str | Path, survey: str) -> pd.DataFrame:
    """Read the clean responses `clean_survey` wrote for the survey folder named `survey`."""
    path = clean_output_dir(Path(outputs), survey) / "responses.parquet"
    if not path.exists():
        raise InputError("no clean data yet; run `satisfaction clean` first", file=path)
    return pd.read_parquet(path)
