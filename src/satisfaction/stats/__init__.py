"""Survey statistics: the design, estimators with uncertainty, weighting, models, scales.

Every estimator takes the data, a `Design` (declared once, as R's `svydesign`) and `by=`
domains computed on the full sample, and returns one tidy frame. Results match R `survey`.

- `design`: column roles of a survey design and its checks.
- `estimate`: means, totals, ratios, proportions by domain; differences; Rao-Scott chisq.
- `weighting`: post-stratification, raking, trimming (with calibrated SEs).
- `drivers`: drivers of overall satisfaction, importance-performance.
- `ordinal`: the weighted proportional-odds logit (R `svyolr`).
- `correlation`: weighted correlations (the drivers' fallback).
- `reliability`: Cronbach's alpha and item-rest correlations.
"""

from __future__ import annotations

from satisfaction.stats import drivers, estimate, reliability, weighting
from satisfaction.stats.design import Design, PreparedDesign, prepare, validate

__all__ = [
    "Design",
    "PreparedDesign",
    "drivers",
    "estimate",
    "prepare",
    "reliability",
    "validate",
    "weighting",
]
