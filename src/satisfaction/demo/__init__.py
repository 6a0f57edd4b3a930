"""Seeded generators of demo surveys: synthetic data, clearly labelled as such.

- `sipas`: the SIPAS-style demo survey (4 provinces, two waves) that `make demo` runs.
"""

from __future__ import annotations

from satisfaction.demo.sipas import (
    DEMO_PROVINCES,
    DEMO_SEED,
    NULL_CHANGE,
    PLANTED,
    PLANTED_CHANGES,
    PREVIOUS_WAVE,
    DemoSurvey,
    demo_workbook_bytes,
    generate_demo,
    write_demo_survey,
)

__all__ = [
    "DEMO_PROVINCES",
    "DEMO_SEED",
    "NULL_CHANGE",
    "PLANTED",
    "PLANTED_CHANGES",
    "PREVIOUS_WAVE",
    "DemoSurvey",
    "demo_workbook_bytes",
    "generate_demo",
    "write_demo_survey",
]
