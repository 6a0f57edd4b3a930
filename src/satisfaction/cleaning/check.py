"""`check_survey`: open a survey folder's data with its instrument and say, before cleaning
and estimating, what would fail or be lost there.

What it reports: the rows and columns read; columns the instrument names that the file
lacks, each with the closest column names of the file (compared without accents and case,
so "Câu 1" finds "cau 1"); codes of coded items that no scale knows (they would become
missing as out of range or unknown labels). Instrument problems (a group id equal to an
item id, an unknown scale...) are raised by `load_instrument` itself.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.survey import raw_data_path
from satisfaction.cleaning.values import _scale_lookup
from satisfaction.io.instrument import Instrument, load_instrument
from satisfaction.io.read import RawResponses, read_responses
from satisfaction.io.text import ascii_key

__all__ = ["SurveyCheck", "check_survey"]


@dataclass
class SurveyCheck:
    """What `check_survey` found; `failing` lists what would stop cleaning or estimation."""

    instrument: Instrument
    raw: RawResponses
    missing: dict[str, list[str]] = field(default_factory=dict)  # column -> closest names
    outside: dict[str, list[str]] = field(default_factory=dict)  # item column -> values

    @property
    def failing(self) -> list[str]:
        return [
            f"column {column!r} named by the instrument is not in the file"
            + (f" (closest: {', '.join(repr(c) for c in near)})" if near else "")
            for column, near in self.missing.items()
        ]

    @property
    def warnings(self) -> list[str]:
        return [
            f"column {column!r}: {len(values)} value(s) no scale knows, read as missing: "
            + ", ".join(repr(v) for v in values[:8])
            + (" ..." if len(values) > 8 else "")
            for column, values in self.outside.items()
        ]


def check_survey(survey_dir: str | Path) -> SurveyCheck:
    """Load the instrument, read the data it names, and check one against the other."""
    survey_dir = Path(survey_dir)
    instrument = load_instrument(survey_dir / "instrument.yaml")
    path = raw_data_path(survey_dir, instrument)
    data = instrument.data
    raw = read_responses(
        path,
        sheet=data.sheet if data else None,
        header_row=data.header_row if data else None,
        encoding=data.encoding if data else None,
        expected_columns=instrument.expected_columns(),
    )
    result = SurveyCheck(instrument, raw)
    present = raw.columns
    folded = {ascii_key(c): c for c in present}
    personal = set(instrument.personal_columns)
    for column in instrument.expected_columns():
        if column in present or column in personal:
            continue
        near = difflib.get_close_matches(ascii_key(column), list(folded), n=3, cutoff=0.6)
        result.missing[column] = [folded[key] for key in near]
    for item in instrument.items:
        column = item.source_column
        if item.type not in ("likert", "single") or column not in present:
            continue
        decide = _scale_lookup(instrument.scale_of(item))
        col = _Col.of(raw.frame[column])
        bad = [
            _fmt(v)
            for v in col.values
            if not _isna(v) and decide(v).rule in ("out_of_range", "unknown_label")
        ]
        if bad:
            result.outside[column] = sorted(bad)
    return result
