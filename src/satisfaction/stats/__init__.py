"""Survey statistics: the design, estimators with uncertainty, weighting, models, scales.

Every estimator takes the data, a `Design` (declared once, as R's `svydesign`) or a
`ReplicateDesign` (R's `svrepdesign`) and `by=` domains computed on the full sample, and
returns one tidy frame. Results match R `survey`.

- `design`: column roles of a survey design and its checks.
- `replicate`: replicate-weight designs and `make_replicate_weights` (R's as.svrepdesign).
- `designs`: the analysis weights of any design, and the design an instrument declares.
- `estimate`: means, totals, ratios, proportions by domain; differences; Rao-Scott chisq.
- `weighting`: post-stratification, raking, trimming (with calibrated SEs).
- `drivers`: drivers of overall satisfaction, importance-performance.
- `ordinal`: the weighted proportional-odds logit (R `svyolr`).
- `correlation`: weighted correlations (the drivers' fallback).
- `regression`: survey logistic regression (R `svyglm(family = quasibinomial)`).
- `quantiles`: quantiles with Woodruff intervals (R `svyquantile`).
- `reliability`: Cronbach's alpha and item-rest correlations.
"""

from __future__ import annotations

from satisfaction.stats import drivers, estimate, quantiles, regression, reliability, weighting
from satisfaction.stats.design import Design, PreparedDesign, prepare, validate
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.replicate import ReplicateDesign, make_replicate_weights

__all__ = [
    "Design",
    "PreparedDesign",
    "ReplicateDesign",
    "analysis_weights",
    "drivers",
    "estimate",
    "make_replicate_weights",
    "prepare",
    "quantiles",
    "regression",
    "reliability",
    "validate",
    "weighting",
]
