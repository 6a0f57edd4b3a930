"""Design-based estimates for every domain at once, matching R's `survey` package.

Every estimator takes `(df, design, variables, by=...)` and returns one tidy DataFrame with
the columns `ESTIMATE_COLUMNS` preceded by the `by` columns:

- `variable`, `level` (the category for proportions, missing otherwise);
- `estimate`, `se`, `ci_low`, `ci_high`, `cv` (se / estimate), `deff` (R's `deff=TRUE`);
- `n`: unweighted rows with a non-missing value in the domain; `N`: their sum of weights;
- `df`: domain degrees of freedom, R's `degf()` on the domain of non-missing values
  (PSUs minus strata that hold such rows);
- `reliable` and `reliability_note` (see `Reliability`).

Semantics (as R): domains come from `by=` on the full sample, never from filtering rows
(the SE changes; R's `svyby`); missing values of an analysis variable are dropped as R's
`na.rm=TRUE` does (a domain of non-missing rows, each variable with its own pattern); the
variance is Taylor linearisation, with-replacement at the first stage unless `fpc` is given,
with the second stage added when `fpc2` is given (R's `svyrecvar`); post-stratified and
raked designs (see `satisfaction.stats.weighting`) have the linearised values replaced by their
residuals within the calibration cells, as R's `svyrecvar(postStrata=)` does.

Speed: one pass of grouped sums (`np.bincount`) per variable takes the rows to domain x PSU
cells; everything after that (estimates, linearised totals per cell, variances, intervals,
flags) is computed on arrays holding every domain and every variable at once. There is no
Python loop over domains. For many 0/1 "satisfied" columns use
`proportion(df, design, columns, by=..., levels=[1])`: one row per domain x column.

Modules: `estimators` (mean, total, ratio, proportion), `covariance` (the joint covariance of
several totals), `intervals` (t and proportion CIs),
`flags` (reliability rules), `compare` (differences, p-value adjustment, chisq); the private
machinery is `domains` (by= codes, grouped sums), `engine` (linearisation variance by
stratum and PSU), `calibration` (residuals of post-stratified and raked designs) and
`replicates` (a `ReplicateDesign`: every statistic recomputed in every replicate, R's
svrVar; `combination_replicates`, `domain_means`, `replicate_variance` and
`replicate_covariance` serve the indices and the PAPI-style composites).
"""

from __future__ import annotations

from satisfaction.stats.estimate.compare import (
    CHISQ_COLUMNS,
    DIFFERENCE_COLUMNS,
    adjust_pvalues,
    chisq,
    difference,
    difference_independent,
)
from satisfaction.stats.estimate.covariance import total_covariance
from satisfaction.stats.estimate.estimators import (
    ESTIMATE_COLUMNS,
    mean,
    proportion,
    ratio,
    total,
)
from satisfaction.stats.estimate.flags import Reliability, flag_reliability
from satisfaction.stats.estimate.intervals import PROPORTION_METHODS, proportion_interval
from satisfaction.stats.estimate.replicates import (
    DomainMeans,
    combination_replicates,
    domain_means,
    replicate_covariance,
    replicate_variance,
)

__all__ = [
    "CHISQ_COLUMNS",
    "DIFFERENCE_COLUMNS",
    "ESTIMATE_COLUMNS",
    "PROPORTION_METHODS",
    "DomainMeans",
    "Reliability",
    "adjust_pvalues",
    "chisq",
    "combination_replicates",
    "difference",
    "difference_independent",
    "domain_means",
    "flag_reliability",
    "mean",
    "proportion",
    "proportion_interval",
    "ratio",
    "replicate_covariance",
    "replicate_variance",
    "total",
    "total_covariance",
]
