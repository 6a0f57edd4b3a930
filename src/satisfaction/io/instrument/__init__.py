"""The questionnaire as data: scales, items, groups, fields, respondent, design and personal data.

An `Instrument` is loaded from `surveys/<survey>/instrument.yaml` (or built from an SPSS
dictionary) and is immutable. Every later step -- cleaning, indices, reports -- reads the
instrument instead of hard-wiring SIPAS, so a 3- or 4-level local form, a PAPI-style survey
or a one-stop-shop rating sheet all go through the same code. Validation reports every
problem at once, each naming the file and the key path (``items[12].scale``).

Modules: `model` (the frozen dataclasses and the values they allow), `load` (YAML and the
`extends` chain), `builder` (`instrument_from_dict`) with the section checks in `scales`,
`items`, `sections` and `sample`, and `checks` (the per-value checks that collect problems).
"""

from __future__ import annotations

from satisfaction.io.instrument.builder import instrument_from_dict
from satisfaction.io.instrument.load import load_instrument
from satisfaction.io.instrument.model import (
    DataSource,
    FieldTerm,
    FieldVocabulary,
    Group,
    Instrument,
    Item,
    Label,
    MissingCode,
    PersonalColumn,
    QualityRules,
    Sample,
    SampleMargins,
    Scale,
    ScaleLevel,
)

__all__ = [
    "DataSource",
    "FieldTerm",
    "FieldVocabulary",
    "Group",
    "Instrument",
    "Item",
    "Label",
    "MissingCode",
    "PersonalColumn",
    "QualityRules",
    "Sample",
    "SampleMargins",
    "Scale",
    "ScaleLevel",
    "instrument_from_dict",
    "load_instrument",
]
