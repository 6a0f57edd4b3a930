"""What each kind of study computes from estimates.

- `indices`: SIPAS-style criterion, element and overall indices under declared rules.
- `onestop`: one-stop dossier metrics per unit x field x period (a census; DuckDB).
"""

from __future__ import annotations

from satisfaction.studies import indices, onestop
from satisfaction.studies.indices import (
    IndexRules,
    criterion_indices,
    element_indices,
    overall_index,
)

__all__ = [
    "IndexRules",
    "criterion_indices",
    "element_indices",
    "indices",
    "onestop",
    "overall_index",
]
