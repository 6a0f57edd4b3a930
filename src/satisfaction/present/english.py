"""An English report from estimates labelled in Vietnamese: the instrument's own `en` labels.

Estimates are computed once per survey with the instrument's Vietnamese labels (field
names, elements, criteria, answer levels, group categories). A report asked for in English
(``language="en"``) reads the same estimates through :func:`in_english`: every label the
instrument declares in both languages is shown in English. A label the instrument gives
only in Vietnamese stays as it is, and the report says so once (:func:`untranslated_note`)
instead of mixing languages silently. Place names are names, not labels: they stay.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from satisfaction.analysis.estimates import Estimates
from satisfaction.io.instrument.model import Instrument, Label

__all__ = ["english_labels", "in_english", "report_language", "untranslated_note"]


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def english_labels(instrument: Instrument) -> tuple[dict[str, str], set[str]]:
    """(Vietnamese text -> English text, Vietnamese texts with no English) of every label
    the instrument declares: its title, elements, criteria and questions (full and short),
    answer levels and missing codes, fields."""
    english: dict[str, str] = {}
    missing: set[str] = set()

    def add(label: Label | None) -> None:
        if label is None or not label.vi:
            return
        if label.en:
            english[_key(label.vi)] = label.en
        else:
            missing.add(_key(label.vi))

    add(instrument.title)
    for group in instrument.groups:
        add(group.label)
    for item in instrument.items:
        add(item.text)
        add(item.short)
    for scale in instrument.scales.values():
        for level in scale.levels:
            add(level.label)
        for code in scale.missing:
            add(code.label)
    if instrument.fields is not None:
        for term in instrument.fields.terms:
            add(term.label)
    return english, missing - set(english)


def _translate(value: object, english: dict[str, str]) -> object:
    if not isinstance(value, str):
        return value
    found = english.get(_key(value))
    if found is not None:
        return found
    if ": " in value:  # "Giới tính: Nữ" -- a group and its category
        head, tail = value.split(": ", 1)
        return f"{english.get(_key(head), head)}: {english.get(_key(tail), tail)}"
    return value


def _frame_in_english(frame: pd.DataFrame, english: dict[str, str]) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(lambda v: _translate(v, english))
    return out


def in_english(
    estimates: Estimates, instrument: Instrument
) -> tuple[Estimates, dict[str, str], list[str]]:
    """The estimates with every label the instrument declares in English shown in English;
    also the Vietnamese -> English map (for names given as parameters, e.g. a field) and
    the labels shown that have no English (sorted)."""
    english, missing = english_labels(instrument)
    frames = {name: _frame_in_english(f, english) for name, f in estimates.frames.items()}
    meta = dict(estimates.meta)
    if meta.get("title_en"):
        meta["title"] = meta["title_en"]
    meta["fields"] = [_translate(f, english) for f in meta.get("fields", [])]
    shown = {
        _key(v)
        for frame in estimates.frames.values()
        for column in ("label", "field", "group_label", "level")
        if column in frame.columns
        for v in frame[column].dropna().unique()
        if isinstance(v, str)
    }
    translated = dataclasses.replace(estimates, frames=frames, meta=meta)
    return translated, english, sorted(shown & missing)


def untranslated_note(labels: Iterable[str]) -> str | None:
    """One sentence saying which labels have no English in the instrument (None: none)."""
    labels = list(labels)
    if not labels:
        return None
    shown = ", ".join(f"“{label}”" for label in labels[:6])
    more = f" and {len(labels) - 6} more" if len(labels) > 6 else ""
    return f"The instrument gives no English for some labels, shown in Vietnamese: {shown}{more}."


def report_language(
    estimates: Estimates, survey: str, language: str, root: Path
) -> tuple[Estimates, dict[str, str], str | None]:
    """What a report in `language` reads: the estimates as they are for Vietnamese; for
    English, :func:`in_english` with the survey's instrument, and the note to show once."""
    if language != "en":
        return estimates, {}, None
    from satisfaction.cleaning.survey import open_survey
    from satisfaction.present.survey_choice import survey_folder

    _, instrument = open_survey(survey_folder(root, survey))
    translated, english, missing = in_english(estimates, instrument)
    return translated, english, untranslated_note(missing)
