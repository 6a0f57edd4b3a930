"""Choosing what a report covers, and finding the numbers it reads.

The project folder, a survey's folder, the provinces and fields asked for (checked against
the data, with the valid values in the error), and the survey's up-front estimates: loaded,
or cleaned and estimated once when missing. Shared by the notebooks' reports, the
remediation plan and the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from satisfaction.analysis.estimates import (
    ALL,
    ESTIMATES_FORMAT,
    AnalysisOptions,
    Estimates,
    compute_estimates,
    load_estimates,
    write_estimates,
)
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.io.paths import safe_output_path
from satisfaction.io.write import write_text

if TYPE_CHECKING:
    from satisfaction.cleaning.survey import StepHook

__all__ = [
    "choose_many",
    "choose_one",
    "ensure_estimates",
    "estimates_dir",
    "find_root",
    "load_or_clean",
    "prepare_estimates",
    "survey_folder",
]


def find_root(start: str | Path | None = None) -> Path:
    """The project folder holding `surveys/` (SATISFACTION_ROOT wins when set)."""
    env = os.environ.get("SATISFACTION_ROOT")
    if env:
        if "\x00" in env or not Path(env).is_dir():
            raise ParameterError(
                f"SATISFACTION_ROOT={env!r} is not a folder; set it to the project folder "
                "(the one holding surveys/)",
                key="SATISFACTION_ROOT",
            )
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "surveys").is_dir():
            return folder
    raise InputError(
        "cannot find the project folder (no surveys/ above here); set SATISFACTION_ROOT", file=here
    )


def survey_folder(
    root: Path, name: str, parameter: str = "survey", *, exclude: str | None = None
) -> Path:
    """`surveys/<name>/` when it holds an instrument; else an error listing the surveys
    (without `exclude`, e.g. the current wave when asking for the previous one)."""
    folder = root / "surveys" / name
    if (
        not name
        or name in (".", "..")
        or any(c in name for c in "/\\\x00")
        or not (folder / "instrument.yaml").is_file()
    ):
        surveys = root / "surveys"
        if not surveys.is_dir():
            raise ParameterError(f"{root} has no surveys/ folder", key="SATISFACTION_ROOT")
        valid = sorted(
            p.name
            for p in surveys.iterdir()
            if (p / "instrument.yaml").is_file() and p.name != exclude
        )
        raise ParameterError(
            f"{name!r} is not a survey folder; valid: {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return folder


def choose_one(value: str, valid: list[str], parameter: str) -> str:
    """One value of the data, or `ALL` for "all"; else an error listing the valid ones."""
    if value in ("all", ALL):
        return ALL
    if value not in valid:
        raise ParameterError(
            f"{value!r} is not in the survey; valid: all, {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return value


def _split_names(text_value: str, valid: list[str]) -> list[str]:
    """Comma-separated names, where a name may itself hold commas ("Công chứng, chứng
    thực"): adjacent parts are joined while they make up a valid name."""
    if text_value.strip() in valid:
        return [text_value.strip()]
    parts = [part.strip() for part in text_value.split(",") if part.strip()]
    names, pending = [], ""
    for part in parts:
        pending = f"{pending}, {part}" if pending else part
        if pending in valid or pending == "all":
            names.append(pending)
            pending = ""
    if pending:  # what is left is unknown: report it as typed
        names.append(pending)
    return names


def choose_many(requested: str | Sequence[str], valid: list[str], parameter: str) -> list[str]:
    """Values of the data: "all", a list, or comma-separated text; unknown ones refused."""
    if isinstance(requested, str):
        requested = _split_names(requested, valid)
    if list(requested) in ([], ["all"]):
        return list(valid)
    unknown = [r for r in requested if r not in valid]
    if unknown:
        raise ParameterError(
            f"{unknown[0]!r} is not in the survey; valid: all, {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return list(requested)


def load_or_clean(root: Path, survey: str) -> tuple[Instrument, pd.DataFrame]:
    """The survey's instrument and clean data, cleaning first when there is none yet or
    when the clean files were made from other inputs (their stamp differs)."""
    from satisfaction.cleaning.survey import (
        clean_output_dir,
        clean_survey,
        is_fresh,
        load_clean,
        open_survey,
        survey_digest,
    )

    folder, instrument = open_survey(survey_folder(root, survey))
    outputs = root / "outputs"
    if is_fresh(clean_output_dir(outputs, survey), survey_digest(folder, instrument)):
        return instrument, load_clean(outputs, survey)
    return instrument, clean_survey(folder, outputs).data


def estimates_dir(root: Path, survey: str, options: AnalysisOptions) -> Path:
    """Where estimates for these options live: the default options get `estimates/`."""
    base = safe_output_path(root / "outputs", survey, "estimates")
    if options == AnalysisOptions():
        return base
    key = hashlib.sha256(json.dumps(options.__dict__, sort_keys=True).encode()).hexdigest()
    return base / f"options-{key[:12]}"


def prepare_estimates(
    survey: str,
    options: AnalysisOptions | None = None,
    *,
    root: Path | None = None,
    force: bool = False,
    step: StepHook | None = None,
) -> tuple[Path, bool, bool]:
    """Clean and estimate the survey folder `survey` when its inputs changed.

    Both outputs live under the folder's name and carry the hash of their inputs
    (`inputs.sha256`); a stamp that differs from the current inputs is stale and the step
    is redone. `step` wraps each long step (read, clean, estimate: progress, timing).
    Returns (estimates folder, cleaned?, estimated?).
    """
    from satisfaction.cleaning.survey import (
        STAMP,
        clean_output_dir,
        clean_survey,
        is_fresh,
        load_clean,
        open_survey,
        quiet_step,
        survey_digest,
    )

    step = step or quiet_step

    options = options or AnalysisOptions()
    root = root or find_root()
    folder, instrument = open_survey(survey_folder(root, survey))
    digest = survey_digest(folder, instrument)
    outputs = root / "outputs"
    cleaned = estimated = False
    if force or not is_fresh(clean_output_dir(outputs, survey), digest):
        clean_survey(folder, outputs, step=step)
        cleaned = True
    target = estimates_dir(root, survey, options)
    stamp = f"{digest}/estimates-{ESTIMATES_FORMAT}"  # a new frame recomputes old estimates
    if cleaned or force or not is_fresh(target, stamp) or not (target / "meta.json").exists():
        (target / STAMP).unlink(missing_ok=True)  # stale until the new set is complete
        with step("estimate", "estimating every index, breakdown and comparison once"):
            estimates = compute_estimates(load_clean(outputs, survey), instrument, options)
            write_estimates(estimates, target)
        write_text(target / STAMP, stamp, root=outputs)
        estimated = True
    return target, cleaned, estimated


def ensure_estimates(
    survey: str, options: AnalysisOptions | None = None, *, root: Path | None = None
) -> Estimates:
    """The survey's estimates, cleaned and estimated first when missing or stale."""
    target, _, _ = prepare_estimates(survey, options, root=root)
    return load_estimates(target)
