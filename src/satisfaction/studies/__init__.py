"""What each kind of study computes from estimates.

- `indices`: SIPAS-style criterion, element and overall indices under declared rules.
- `papi_published`: published PAPI-style tables: checks, quartile groups, league tables,
  comparisons that say where the method changed.
- `papi_geography`: published scores and the 2025 reorganisation (averaging refused).
- `papi_composites`: composites from microdata with design-based SEs, rank intervals from
  the joint uncertainty, quartile-group probabilities, above/below all provinces (Holm);
  `papi_replicates`: the same recomputed on replicate weights (nonlinear rescalings).
- `onestop`: one-stop dossier metrics per unit x field x period (a census; DuckDB);
  `funnel`: control limits of funnel plots (which units really differ).
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
