"""Cleaning: raw responses + instrument -> clean data, a log of every change, a quarantine.

Raw data are never changed: `clean` returns a new frame and a log row for every changed,
coded-missing, flagged or rejected value; rejected rows go to the quarantine, so clean +
quarantine = raw, row for row. `survey` runs this for a survey folder and writes the files.

- `rules`: `clean` and `CleanResult`, the steps in order;
- `log`: the log's columns, every rule with its meaning (`RULES`), `log_summary`;
- `values`, `personal`, `flags`: value rules, personal data, form-level checks;
- `columns`: a column as its distinct values (what every step maps);
- `dossiers` (with `dossier_rules`): the same for one-stop dossier exports, in DuckDB.
"""

from __future__ import annotations

from satisfaction.cleaning import dossiers
from satisfaction.cleaning.log import LOG_COLUMNS, RULES, log_summary
from satisfaction.cleaning.rules import CleanResult, clean
from satisfaction.cleaning.survey import (
    CLEAN_FILES,
    clean_output_dir,
    clean_survey,
    input_hash,
    is_fresh,
    load_clean,
    open_survey,
    raw_data_path,
    survey_digest,
    survey_name,
)

__all__ = [
    "CLEAN_FILES",
    "LOG_COLUMNS",
    "RULES",
    "CleanResult",
    "clean",
    "clean_output_dir",
    "clean_survey",
    "dossiers",
    "input_hash",
    "is_fresh",
    "load_clean",
    "log_summary",
    "open_survey",
    "raw_data_path",
    "survey_digest",
    "survey_name",
]
