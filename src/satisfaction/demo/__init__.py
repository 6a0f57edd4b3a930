"""Seeded generators of demo surveys: synthetic data, clearly labelled as such.

- `sipas`: the SIPAS-style demo survey (4 provinces, two waves) that `make demo` runs;
  its parts: `spec` (fixed facts), `respondents`, `dirt` (planted dirt), `workbook` (files).
- `dossiers`: the one-stop dossier export of the demo provinces (about 2 million rows,
  generated on demand, never committed).
- `papi`: the PAPI-style demo (three waves, 2024 under the 63 provinces, PAPI's design).
"""

from __future__ import annotations

from satisfaction.demo import dossiers
from satisfaction.demo.sipas import generate_demo
from satisfaction.demo.spec import (
    DEMO_PROVINCES,
    DEMO_SEED,
    NULL_CHANGE,
    PLANTED,
    PLANTED_CHANGES,
    PREVIOUS_WAVE,
    DemoSurvey,
)
from satisfaction.demo.workbook import demo_workbook_bytes, write_demo_survey

__all__ = [
    "DEMO_PROVINCES",
    "DEMO_SEED",
    "NULL_CHANGE",
    "PLANTED",
    "PLANTED_CHANGES",
    "PREVIOUS_WAVE",
    "DemoSurvey",
    "demo_workbook_bytes",
    "dossiers",
    "generate_demo",
    "write_demo_survey",
]
