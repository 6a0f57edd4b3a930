"""An instrument read off a flat export that carries no questionnaire: a Google Forms CSV.

Google Forms exports one column per question, headed by the question's text, the answers
as their labels, checkbox answers joined by ", ", and a first column holding the time of
the response ("Dấu thời gian" / "Timestamp"). From the answers alone:

* a column whose answers are satisfaction labels ("Hài lòng", "Rất hài lòng"...) -> a
  likert criterion on the five-level scale (codes 1-5, "Không biết" missing); a column
  whose text says "hài lòng chung" -> the overall question;
* a column whose answers join options with ", " -> a multiple item whose options are the
  answers given alone (an option holding a comma stays whole when it was given alone);
* the province and field columns by their question (`satisfaction.io.roles`): province
  names are read as they are; the field's answers become the vocabulary;
* a few distinct short answers -> a single-choice item; anything else -> text;
* every item keeps the question text as `column:` and gets a short id (c1, c2, ...).

The timestamp is the id column (Google Forms gives responses no other id). Guesses are
returned as notes for the YAML's comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from satisfaction.io.read import read_responses
from satisfaction.io.roles import fold, guess_roles, one_group_for_ungrouped, slug

__all__ = ["instrument_spec_from_export"]

_SAT5 = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")
_TIMESTAMP = ("dau thoi gian", "timestamp", "thoi gian", "submitted at")
_MAX_OPTIONS = 15


def instrument_spec_from_export(
    path: str | Path, *, notes: list[str] | None = None
) -> dict[str, Any]:
    """The instrument mapping for a Google Forms (or similar) export: see module docs."""
    source = Path(path)
    raw = read_responses(source)
    notes = notes if notes is not None else []
    columns = raw.columns
    timestamp = next((c for c in columns if fold(c) in _TIMESTAMP), columns[0])
    guess = guess_roles(columns, {c: c for c in columns}, {})
    spec: dict[str, Any] = {
        "id": slug(source.stem)[:40] or "survey",
        "title": {"vi": source.stem},
        "version": "1",
        "year": _year(raw.frame[timestamp]),
        "geography": "current_34",
        "id_column": timestamp,
        "data": {"file": source.name},
    }
    notes.append(f"{timestamp}: the id column (the time of each response)")
    notes.append(f"title: the file's name ({source.stem}); give the survey's title")
    scales: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    respondent: dict[str, str] = {}
    for column in columns:
        if column == timestamp:
            continue
        if guess.roles.get("province") == column:
            respondent["province"] = column
            notes.append(f"{column!r}: the province column")
            continue
        if guess.roles.get("field") == column:
            spec["fields"] = _fields(column, raw.frame[column])
            notes.append(f"{column!r}: the field column; its answers are the vocabulary")
            continue
        items.append(_item(column, raw.frame[column], len(items) + 1, scales, notes))
    if scales:
        spec["scales"] = scales
    groups = one_group_for_ungrouped(items, [], notes)
    if groups:
        spec["groups"] = groups
    spec["items"] = items
    if respondent:
        spec["respondent"] = respondent
    return spec


def _item(
    column: str, values: pd.Series, number: int, scales: dict[str, Any], notes: list[str]
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": f"c{number}", "column": column, "text": {"vi": column}}
    answers = values.dropna().astype(str).str.strip()
    distinct = set(answers)
    folded = {fold(v) for v in distinct}
    if distinct and folded <= {fold(label) for label in (*_SAT5, "Không biết")}:
        scales.setdefault("sat5", _sat5())
        overall = "hai long chung" in fold(column)
        item |= {"type": "likert", "scale": "sat5", "role": "overall" if overall else "criterion"}
        return item
    singles = {v for v in distinct if ", " not in v}
    joined = [v for v in distinct if ", " in v]
    options = _checkbox_options(singles, joined)
    if joined and singles and len(options) <= _MAX_OPTIONS:
        scale_id = f"c{number}"
        scales[scale_id] = _choices(sorted(options))
        item |= {"type": "multiple", "scale": scale_id, "separator": ", ", "role": "other"}
        notes.append(f"{column!r}: checkbox answers; options are the answers given alone")
        return item
    few = 2 <= len(distinct) <= 11 and len(answers) > 2 * len(distinct)
    if few and max(len(v) for v in distinct) <= 60:
        scale_id = f"c{number}"
        scales[scale_id] = _choices(sorted(distinct))
        item |= {"type": "single", "scale": scale_id, "role": "other"}
        return item
    comment = any(word in fold(column) for word in ("y kien", "gop y", "de xuat", "comment"))
    item |= {"type": "text", "role": "comment" if comment else "other"}
    return item


def _checkbox_options(singles: set[str], joined: list[str]) -> set[str]:
    """The options of a checkbox question: the answers given alone, plus each run of
    pieces between known options in a joined answer (an option holding ", ")."""
    options = set(singles)
    for value in joined:
        run: list[str] = []
        for piece in [*value.split(", "), None]:
            if piece is None or piece in singles:
                if run:
                    options.add(", ".join(run))
                run = []
            else:
                run.append(piece)
    return options


def _sat5() -> dict[str, Any]:
    return {
        "levels": [{"code": code, "label": {"vi": label}} for code, label in enumerate(_SAT5, 1)],
        "satisfied": [4, 5],
        "neutral": [3],
        "dissatisfied": [1, 2],
        "neutral_in_denominator": True,
        "missing": [{"code": 98, "label": {"vi": "Không biết"}, "reason": "dont_know"}],
    }


def _choices(labels: list[str]) -> dict[str, Any]:
    return {
        "levels": [{"code": code, "label": {"vi": label}} for code, label in enumerate(labels, 1)],
        "ordered": False,
    }


def _fields(column: str, values: pd.Series) -> dict[str, Any]:
    labels = sorted(set(values.dropna().astype(str).str.strip()) - {""})
    terms = [
        {"code": slug(label) or f"f{i}", "label": {"vi": label}}
        for i, label in enumerate(labels, 1)
    ]
    return {"column": column, "vocabulary": terms}


def _year(stamps: pd.Series) -> int:
    import datetime as dt

    years = stamps.astype("string").str.extract(r"(\d{4})")[0].dropna()
    return int(years.mode().iloc[0]) if len(years) else dt.date.today().year
