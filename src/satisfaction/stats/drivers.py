"""Drivers of overall satisfaction, and importance-performance analysis (IPA).

Which criteria (or elements) move overall satisfaction most? `drivers` fits a weighted
proportional-odds (ordinal logit) model of the overall item on the predictors and ranks the
predictors by a standardised coefficient; when the model cannot be trusted (too few forms,
no convergence, separation) it falls back, with a logged reason, to weighted correlations.
`importance_performance` crosses that importance with the satisfied share of each criterion
into the four quadrants of Martilla & James (1977).

Estimation
----------
* Model: logit P(Y <= j) = c_j - x'b (R ``MASS::polr`` / ``survey::svyolr``); a positive
  b means higher predictor values go with higher overall satisfaction.
* Weights: statsmodels' `OrderedModel` takes no weights, so `_WeightedOrderedModel`
  multiplies each form's log-likelihood by its weight (pseudo-maximum likelihood, as
  ``svyolr`` does) and supplies the analytic score and Hessian. Weights are rescaled to mean
  1 first; point estimates and the sandwich do not depend on the weights' scale. With all
  weights 1 the fit is statsmodels' own; with whole-number weights it equals the unweighted
  fit on the data with each row repeated (both tested).
* Standard errors: the cluster-robust (linearisation) sandwich A^-1 B A^-1, A the Hessian of
  the weighted log-likelihood, B the between-PSU variance of the weighted score totals,
  centred within strata and scaled by n_h / (n_h - 1) -- exactly ``svyolr`` on
  ``svydesign(ids = ~psu, strata = ~strata, weights = ~w)`` (no finite population
  correction; tested against R). Without a PSU column each form is its own cluster. A
  stratum with a single PSU is centred on the mean of all PSU totals (R's
  ``survey.lonely.psu = "adjust"``). z and p use the normal reference.
* Missing answers: listwise -- a form counts only if the overall item and every predictor are
  answered. An element score is the form's mean over the element's criteria it answered,
  missing when fewer than `min_answered` (half) of them are answered.

Importance
----------
``importance`` is the latent-standardised coefficient b_j * sd(x_j) / sd(y*), with
var(y*) = b' cov(x) b + pi^2 / 3 (Long 1997, sec. 5.8; weighted moments): the change in the
latent satisfaction, in its standard deviations, per standard deviation of the predictor.
It is chosen over the raw coefficient because criteria differ in spread (one unit on a
criterion everyone rates 4 or 5 is not one unit on a contested one), over the odds ratio
because it is additive and comparable across models, and over relative-weight or
dominance shares because those need many refits and are not what the field uses. With
strongly correlated predictors (22 criteria of one service are) single coefficients are
unstable: read the ranking with the standard errors, and prefer ``predictors="elements"``
for a headline. A negative importance (a criterion whose improvement goes with LOWER overall
satisfaction, given the others) is not a priority: ranks go from the largest importance
down, so such predictors come last. ``importance_share`` is each positive importance over
the sum of the positive ones.

In the correlation fallback (or ``method="correlation"``) ``importance`` is the weighted
Pearson (or Spearman) correlation of the predictor with the overall item; its standard
error is the linearisation one (influence function z_x z_y - r (z_x^2 + z_y^2) / 2, the
same sandwich as above; R: ``svycontrast`` on ``svymean`` of x, y, x^2, y^2, xy). For
Spearman the ranks are weighted mid-ranks (the weight below plus half the weight at a
value) and their own sampling variation is ignored.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from satisfaction.errors import DesignError, InputError, InstrumentError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats._columns import check_scale_codes, numeric_matrix, require_columns, weights

__all__ = [
    "QUADRANTS",
    "OrdinalFit",
    "drivers",
    "element_scores",
    "importance_performance",
    "ordinal_logit",
    "weighted_correlation",
]

_logger = logging.getLogger(__name__)

DESIGN = "design"  # default of weight/cluster/strata: the column the instrument declares
MIN_PER_PARAMETER = 10  # forms per estimated parameter below which the model is not tried
SEPARATION_LIMIT = 15.0  # |b_j| * sd(x_j) beyond this means (quasi-)separation

# key -> (English, Vietnamese); the keys are those of figures.importance_performance
QUADRANTS: dict[str, tuple[str, str]] = {
    "concentrate": ("Concentrate here", "Tập trung cải thiện"),
    "keep_up": ("Keep up the good work", "Tiếp tục duy trì"),
    "low_priority": ("Low priority", "Ưu tiên thấp"),
    "overkill": ("Possible overkill", "Có thể dư thừa"),
}

_COLUMNS = [
    "predictor",
    "group",
    "label",
    "method",
    "coefficient",
    "se",
    "z",
    "p",
    "odds_ratio",
    "importance",
    "importance_share",
    "rank",
    "n",
    "note",
]


# what the model part of a drivers table holds, before labels and ranks are added
_MODEL_COLUMNS = [
    "predictor",
    "method",
    "coefficient",
    "se",
    "z",
    "p",
    "odds_ratio",
    "importance",
    "n",
]


class _Fallback(Exception):
    """Internal: the ordinal model cannot be trusted; carries the reason."""


# ------------------------------------------------------------------ variance helpers
def _linearised_variance(
    scores: np.ndarray, clusters: np.ndarray | None, strata: np.ndarray | None
) -> np.ndarray:
    """Between-PSU variance of score totals, centred within strata, times n_h / (n_h - 1).

    `scores` is n x p (already weighted), `clusters` and `strata` integer codes 0..k-1 (or
    None: each form its own PSU / one stratum); the result is p x p. This is R survey's
    ``svyrecvar`` for a with-replacement design without fpc.
    """
    n = scores.shape[0]
    cluster_ids = np.arange(n) if clusters is None else clusters
    stratum_of_row = np.zeros(n, dtype=int) if strata is None else strata
    totals = np.zeros((cluster_ids.max() + 1, scores.shape[1]))
    np.add.at(totals, cluster_ids, scores)
    stratum_of_cluster = np.full(totals.shape[0], -1)
    stratum_of_cluster[cluster_ids] = stratum_of_row
    clash = stratum_of_cluster[cluster_ids] != stratum_of_row
    if clash.any():
        raise DesignError("a PSU lies in more than one stratum: PSUs must nest in strata")
    grand_mean = totals.mean(axis=0)
    meat = np.zeros((scores.shape[1], scores.shape[1]))
    for h in np.unique(stratum_of_cluster):
        block = totals[stratum_of_cluster == h]
        if len(block) == 1:  # lonely PSU: centre on the grand mean ("adjust")
            centred = block - grand_mean
            meat += centred.T @ centred
            continue
        centred = block - block.mean(axis=0)
        meat += len(block) / (len(block) - 1) * (centred.T @ centred)
    return meat


# ------------------------------------------------------------------ weighted ordinal logit
class _WeightedOrderedModel(OrderedModel):
    """statsmodels' `OrderedModel` (logit) with case weights and analytic derivatives.

    Each observation's log-likelihood is multiplied by its weight; `score` and `hessian`
    are the exact derivatives of that weighted log-likelihood in statsmodels' parameters
    (coefficients, first threshold, log increments of the others).
    """

    def __init__(self, endog: np.ndarray, exog: np.ndarray, case_weights: np.ndarray) -> None:
        super().__init__(endog, exog, distr="logit")
        self.case_weights = np.asarray(case_weights, dtype=float)

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        return self.case_weights * super().loglikeobs(params)

    # -- derivatives in (b, c): c the thresholds themselves
    def _parts(self, params: np.ndarray) -> dict[str, np.ndarray]:
        low, upp = self._bounds(params)
        cdf_u, cdf_l = special.expit(upp), special.expit(low)
        pdf_u, pdf_l = cdf_u * (1 - cdf_u), cdf_l * (1 - cdf_l)
        prob = np.maximum(cdf_u - cdf_l, 0) + 1e-20  # as statsmodels' loglikeobs
        g_u, g_l = pdf_u / prob, pdf_l / prob
        return {
            "g_u": g_u,
            "g_l": g_l,
            "h_uu": pdf_u * (1 - 2 * cdf_u) / prob - g_u**2,
            "h_ll": -pdf_l * (1 - 2 * cdf_l) / prob - g_l**2,
            "h_ul": g_u * g_l,
        }

    def _design_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """d upp / d(b, c) and d low / d(b, c), one row per observation (cached)."""
        cached = getattr(self, "_rows_cache", None)
        if cached is not None:
            return cached
        q = self.k_levels - 1
        n = self.exog.shape[0]
        rows = np.arange(n)
        d_u = np.zeros((n, self.k_vars + q))
        d_l = np.zeros((n, self.k_vars + q))
        d_u[:, : self.k_vars] = -self.exog
        d_l[:, : self.k_vars] = -self.exog
        has_u = self.endog < q
        has_l = self.endog > 0
        d_u[rows[has_u], self.k_vars + self.endog[has_u]] = 1.0
        d_l[rows[has_l], self.k_vars + self.endog[has_l] - 1] = 1.0
        self._rows_cache = (d_u, d_l)
        return d_u, d_l

    def score_obs_cut(self, params: np.ndarray) -> np.ndarray:
        """Weighted per-observation score in (b, c)."""
        parts = self._parts(params)
        d_u, d_l = self._design_rows()
        return self.case_weights[:, None] * (
            parts["g_u"][:, None] * d_u - parts["g_l"][:, None] * d_l
        )

    def hessian_cut(self, params: np.ndarray) -> np.ndarray:
        """Hessian of the weighted log-likelihood in (b, c)."""
        parts = self._parts(params)
        d_u, d_l = self._design_rows()
        w = self.case_weights
        cross = d_u.T @ ((w * parts["h_ul"])[:, None] * d_l)
        return (
            d_u.T @ ((w * parts["h_uu"])[:, None] * d_u)
            + d_l.T @ ((w * parts["h_ll"])[:, None] * d_l)
            + cross
            + cross.T
        )

    def _jacobian(self, params: np.ndarray) -> np.ndarray:
        """d(b, c) / d(statsmodels params)."""
        k, q = self.k_vars, self.k_levels - 1
        increments = np.exp(params[k + 1 :])
        jac = np.eye(k + q)
        block = np.zeros((q, q))
        block[:, 0] = 1.0
        for m in range(1, q):
            block[m:, m] = increments[m - 1]
        jac[k:, k:] = block
        return jac

    def score_obs(self, params: np.ndarray) -> np.ndarray:
        return self.score_obs_cut(params) @ self._jacobian(params)

    def _score_cut(self, params: np.ndarray) -> np.ndarray:
        """Total weighted score in (b, c), without the n x p matrices."""
        parts = self._parts(params)
        q = self.k_levels - 1
        w_u, w_l = self.case_weights * parts["g_u"], self.case_weights * parts["g_l"]
        grad_b = -(self.exog.T @ (w_u - w_l))
        grad_c = np.bincount(self.endog, weights=w_u, minlength=q + 1)[:q]
        grad_c -= np.bincount(self.endog, weights=w_l, minlength=q + 1)[1:]
        return np.concatenate([grad_b, grad_c])

    def score(self, params: np.ndarray) -> np.ndarray:
        return self._score_cut(params) @ self._jacobian(params)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        jac = self._jacobian(params)
        out = jac.T @ self.hessian_cut(params) @ jac
        # second derivative of c_j = t_0 + sum_{m<=j} exp(t_m): exp(t_m) on the diagonal
        k = self.k_vars
        grad_cut = self._score_cut(params)[k:]
        increments = np.exp(params[k + 1 :])
        for m in range(1, self.k_levels - 1):
            out[k + m, k + m] += increments[m - 1] * grad_cut[m:].sum()
        return out


@dataclass(frozen=True)
class OrdinalFit:
    """A weighted proportional-odds fit with cluster-robust standard errors.

    `coefficients` and `thresholds` (the cut points c_j, named "1|2", ...), `cov` (sandwich
    covariance of both, coefficients first), `se` (its square-root diagonal), `n` (forms
    used), `weight_sum`, `n_clusters`, `levels` (outcome codes observed), `loglike`
    (weighted, weights rescaled to mean 1), `converged`, `max_score` (largest absolute
    gradient at the estimate) and `latent_sd` (sd of y*, used by the importance).
    """

    coefficients: pd.Series
    thresholds: pd.Series
    cov: pd.DataFrame
    se: pd.Series
    n: int
    weight_sum: float
    n_clusters: int
    levels: tuple[float, ...]
    loglike: float
    converged: bool
    max_score: float
    latent_sd: float
    predictor_sd: pd.Series


def _column_or_none(df: pd.DataFrame, column: str | None, what: str) -> np.ndarray | None:
    if column is None:
        return None
    if column not in df.columns:
        raise InputError(f"{what} column not in the data", column=column)
    return df[column].to_numpy()


@dataclass(frozen=True)
class _Design:
    """Weights and PSU / stratum codes of the forms with a positive weight (the design)."""

    w: np.ndarray  # every form; NaN or 0 outside the design
    in_design: np.ndarray
    clusters: np.ndarray | None  # integer codes over the design's forms
    strata: np.ndarray | None

    def sample(self, y: np.ndarray, x: np.ndarray) -> _Sample:
        complete = np.isfinite(y) & np.isfinite(x).all(axis=1)
        keep = self.in_design & complete
        w = self.w[keep]
        if len(w):
            w = w / w.mean()
        return _Sample(y=y[keep], x=x[keep], w=w, complete=complete[self.in_design], design=self)


def _design_of(
    df: pd.DataFrame, weight: str | None, cluster: str | None, strata: str | None
) -> _Design:
    w = weights(df, weight)
    in_design = np.isfinite(w) & (w > 0)
    codes = []
    for column, what in ((cluster, "PSU (cluster)"), (strata, "strata")):
        values = _column_or_none(df, column, what)
        if values is None:
            codes.append(None)
            continue
        values = values[in_design]
        if pd.isna(values).any():
            count = int(pd.isna(values).sum())
            raise DesignError(f"{count} form(s) with a weight but no value", column=column)
        codes.append(pd.factorize(values)[0])
    return _Design(w=w, in_design=in_design, clusters=codes[0], strata=codes[1])


@dataclass(frozen=True)
class _Sample:
    """Complete cases of a model, and the design they sit in.

    `y`, `x`, `w` (weights rescaled to mean 1) hold the complete forms; `complete` runs
    over the design's forms, so a PSU without any complete form still counts as a PSU with
    a zero score total -- R survey's convention for a subset (``svyolr`` drops incomplete
    forms with ``design[-nao, ]``), and the design-based one: the domain of complete forms
    is random.
    """

    y: np.ndarray
    x: np.ndarray
    w: np.ndarray
    complete: np.ndarray
    design: _Design

    def variance(self, scores: np.ndarray) -> np.ndarray:
        """Linearisation variance of weighted per-form scores (complete forms x p)."""
        full = np.zeros((len(self.complete), scores.shape[1]))
        full[self.complete] = scores
        return _linearised_variance(full, self.design.clusters, self.design.strata)

    @property
    def n_clusters(self) -> int:
        if self.design.clusters is None:
            return len(self.complete)
        return int(self.design.clusters.max(initial=-1) + 1)


def _check_model(outcome: str, predictors: Sequence[str]) -> None:
    if isinstance(predictors, str):
        raise ParameterError(f"predictors must be a list of columns, got {predictors!r}")
    if not predictors:
        raise ParameterError("predictors: none given")
    if outcome in predictors:
        raise ParameterError(f"the outcome {outcome!r} is also a predictor")


def _prepare(
    df: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    weight: str | None,
    cluster: str | None,
    strata: str | None,
) -> _Sample:
    """Complete cases of `outcome` and `predictors` within the design."""
    _check_model(outcome, predictors)
    y = numeric_matrix(df, [outcome])[:, 0]
    x = numeric_matrix(df, predictors)
    return _design_of(df, weight, cluster, strata).sample(y, x)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = w @ x / w.sum()
    return np.sqrt(w @ (x - mean) ** 2 / w.sum())


def ordinal_logit(
    df: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    maxiter: int = 2000,
) -> OrdinalFit:
    """Weighted proportional-odds logit of `outcome` on `predictors`, sandwich SEs.

    Point estimates match R ``MASS::polr(outcome ~ ., weights = w)``; the covariance
    matches ``survey::svyolr`` on ``svydesign(ids = ~cluster, strata = ~strata,
    weights = ~w)``. Complete cases only. Raises `InputError` when fewer than two outcome
    levels or a constant predictor leave nothing to estimate; the returned `converged` says
    whether the optimiser reached a zero gradient.
    """
    sample = _prepare(df, outcome, predictors, weight, cluster, strata)
    y, x, w = sample.y, sample.x, sample.w
    levels = np.unique(y)
    if len(levels) < 2:
        raise InputError(
            f"outcome has {len(levels)} observed level(s) among complete forms", column=outcome
        )
    sd = _weighted_sd(x, w)
    constant = [p for p, s in zip(predictors, sd, strict=True) if not s > 0]
    if constant:
        raise InputError(f"predictor(s) do not vary: {', '.join(map(repr, constant))}")
    endog = np.searchsorted(levels, y)
    model = _WeightedOrderedModel(endog, x, w)
    with np.errstate(over="ignore"), warnings.catch_warnings():
        # convergence is judged below from the gradient; statsmodels' warnings would only
        # repeat it (BFGS stops short by design: Newton finishes the job). statsmodels
        # scales the gradient by 1/n, so gtol is a per-form tolerance, not one that grows
        # with n (which stopped BFGS after ~3 steps and left Newton a singular Hessian).
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        first = model.fit(method="bfgs", maxiter=maxiter, disp=0, gtol=1e-5, skip_hessian=True)
        final = model.fit(
            start_params=np.asarray(first.params),
            method="newton",
            maxiter=100,
            disp=0,
            tol=1e-12,
            skip_hessian=True,
        )
    params = np.asarray(final.params)
    if not np.isfinite(params).all():
        params = np.asarray(first.params)
    k = x.shape[1]
    score = model.score(params)
    max_score = float(np.max(np.abs(score)))
    converged = bool(np.isfinite(max_score) and max_score <= 1e-6 * max(len(y), 1))
    cut_points = model.transform_threshold_params(params)[1:-1]
    hessian = model.hessian_cut(params)
    try:
        bread = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        bread = np.full_like(hessian, np.nan)
    meat = sample.variance(model.score_obs_cut(params))
    cov = bread @ meat @ bread
    names_b = list(predictors)
    level_names = [_level_name(v) for v in levels]
    names_c = [f"{a}|{b}" for a, b in pairwise(level_names)]
    names = names_b + names_c
    beta = params[:k]
    x_cov = np.cov(x, rowvar=False, aweights=w, bias=True).reshape(k, k)
    latent_sd = float(np.sqrt(beta @ x_cov @ beta + math.pi**2 / 3))
    return OrdinalFit(
        coefficients=pd.Series(beta, index=names_b),
        thresholds=pd.Series(cut_points, index=names_c),
        cov=pd.DataFrame(cov, index=names, columns=names),
        se=pd.Series(np.sqrt(np.diag(cov)), index=names),
        n=len(y),
        weight_sum=float(w.sum()),
        n_clusters=sample.n_clusters,
        levels=tuple(float(v) for v in levels),
        loglike=float(model.loglike(params)),
        converged=converged,
        max_score=max_score,
        latent_sd=latent_sd,
        predictor_sd=pd.Series(sd, index=names_b),
    )


def _level_name(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ------------------------------------------------------------------ correlations
def _weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks: the weight below a value plus half the weight at it."""
    values, inverse = np.unique(x, return_inverse=True)
    at = np.bincount(inverse, weights=w, minlength=len(values))
    below = np.cumsum(at) - at
    return (below + at / 2)[inverse]


def _pearson_with_influence(
    x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    total = w.sum()
    dx = x - w @ x / total
    dy = y - w @ y / total
    sxx, syy = w @ dx**2 / total, w @ dy**2 / total
    if not (sxx > 0 and syy > 0):
        return float("nan"), np.full(len(x), np.nan)
    r = float(w @ (dx * dy) / total / math.sqrt(sxx * syy))
    zx, zy = dx / math.sqrt(sxx), dy / math.sqrt(syy)
    influence = (zx * zy - r * (zx**2 + zy**2) / 2) / total
    return r, influence


def _correlation(sample: _Sample, kind: str) -> tuple[float, float, int]:
    xv, yv, w = sample.x[:, 0], sample.y, sample.w
    if len(w) < 3:
        return float("nan"), float("nan"), len(w)
    if kind == "spearman":
        xv, yv = _weighted_ranks(xv, w), _weighted_ranks(yv, w)
    r, influence = _pearson_with_influence(xv, yv, w)
    if not np.isfinite(r):
        return r, float("nan"), len(w)
    variance = sample.variance((w * influence)[:, None])
    return r, float(math.sqrt(variance[0, 0])), len(w)


def weighted_correlation(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    kind: Literal["pearson", "spearman"] = "pearson",
) -> tuple[float, float, int]:
    """Weighted Pearson or Spearman correlation of `x` and `y`, its linearised SE, and n.

    Complete cases. The SE matches R ``svycontrast(svymean(~x + y + I(x^2) + I(y^2) +
    I(x*y), d), <r as a function of the means>)`` on ``svydesign(ids = ~cluster, strata =
    ~strata, weights = ~w)``; for Spearman the weighted mid-ranks are taken as given.
    """
    if kind not in ("pearson", "spearman"):
        raise ParameterError(f"kind must be 'pearson' or 'spearman', got {kind!r}")
    return _correlation(_prepare(df, y, [x], weight, cluster, strata), kind)


# ------------------------------------------------------------------ drivers
def _design_column(instrument: Instrument, value: str | None, role: str) -> str | None:
    if value == DESIGN:
        return instrument.design.get(role)
    return value


def element_scores(
    df: pd.DataFrame, instrument: Instrument, *, min_answered: float = 0.5
) -> pd.DataFrame:
    """Each form's score per element: the mean of the element's criteria it answered.

    Missing when fewer than `min_answered` (a share, rounded up; half by default) of the
    element's criteria are answered. One column per group holding criteria, named by the
    group id (E1, E2, ...), on the index of `df`.
    """
    if not 0 < min_answered <= 1:
        raise ParameterError(f"min_answered must be in (0, 1], got {min_answered!r}")
    scores = {}
    for group in instrument.groups:
        items = [i.id for i in instrument.items_with(role="criterion", group=group.id)]
        if not items:
            continue
        values = numeric_matrix(df, items)
        answered = np.isfinite(values).sum(axis=1)
        total = np.where(np.isfinite(values), values, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / answered
        mean[answered < max(1, math.ceil(min_answered * len(items)))] = np.nan
        scores[group.id] = mean
    if not scores:
        raise InstrumentError("no group of the instrument holds criteria: no element scores")
    return pd.DataFrame(scores, index=df.index)


def _ordinal_rows(fit: OrdinalFit) -> pd.DataFrame:
    beta = fit.coefficients
    se = fit.se[beta.index]
    z = beta / se
    importance = beta * fit.predictor_sd / fit.latent_sd
    return pd.DataFrame(
        {
            "predictor": beta.index,
            "method": "ordinal",
            "coefficient": beta.to_numpy(),
            "se": se.to_numpy(),
            "z": z.to_numpy(),
            "p": 2 * stats.norm.sf(np.abs(z.to_numpy())),
            "odds_ratio": np.exp(beta.to_numpy()),
            "importance": importance.to_numpy(),
            "n": fit.n,
        }
    )


def _correlation_rows(
    data: pd.DataFrame,
    outcome: str,
    predictors: list[str],
    weight: str | None,
    cluster: str | None,
    strata: str | None,
    kind: Literal["pearson", "spearman"],
) -> pd.DataFrame:
    design = _design_of(data, weight, cluster, strata)
    y = numeric_matrix(data, [outcome])[:, 0]
    x = numeric_matrix(data, predictors)
    rows = []
    for j, predictor in enumerate(predictors):
        r, se, n = _correlation(design.sample(y, x[:, j : j + 1]), kind)
        z = r / se if se > 0 else float("nan")
        rows.append(
            {
                "predictor": predictor,
                "method": f"correlation_{kind}",
                "coefficient": r,
                "se": se,
                "z": z,
                "p": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else float("nan"),
                "odds_ratio": float("nan"),
                "importance": r,
                "n": n,
            }
        )
    return pd.DataFrame(rows, columns=_MODEL_COLUMNS)


def _check_ordinal(fit: OrdinalFit) -> None:
    if not fit.converged:
        raise _Fallback(f"no convergence (largest gradient {fit.max_score:.3g})")
    spread = (fit.coefficients * fit.predictor_sd).abs()
    if (spread > SEPARATION_LIMIT).any() or not np.isfinite(fit.se).all():
        worst = spread.idxmax()
        raise _Fallback(f"separation: coefficient of {worst!r} runs off to infinity")


def drivers(
    df: pd.DataFrame,
    instrument: Instrument,
    *,
    predictors: Literal["criteria", "elements"] | Sequence[str] = "criteria",
    outcome: str | None = None,
    weight: str | None = DESIGN,
    cluster: str | None = DESIGN,
    strata: str | None = DESIGN,
    method: Literal["ordinal", "correlation"] = "ordinal",
    correlation: Literal["pearson", "spearman"] = "pearson",
    min_answered: float = 0.5,
    min_per_parameter: int = MIN_PER_PARAMETER,
) -> pd.DataFrame:
    """Rank what drives overall satisfaction: weighted ordinal logit, else correlations.

    `predictors`: "criteria" (every criterion item), "elements" (each group's mean criterion
    score, see the module docstring) or a list of columns. `outcome` defaults to the
    instrument's item of role "overall". `weight`, `cluster` (PSU) and `strata` default to
    the columns the instrument's design declares ("design"); None means unweighted / each
    form its own cluster / no strata. With ``method="ordinal"`` the model is
    ``survey::svyolr`` (see `ordinal_logit`); it falls back to correlations, logging why,
    when fewer than `min_per_parameter` complete forms per parameter are available, when
    it does not converge, or on separation.

    Returns one row per predictor, best first: ``predictor``, ``group``, ``label``
    (Vietnamese), ``method`` ("ordinal" or "correlation_pearson"/"correlation_spearman"),
    ``coefficient`` (logit coefficient, or r), ``se`` (cluster-robust), ``z``, ``p``,
    ``odds_ratio`` (per unit of the predictor; NaN for correlations), ``importance``,
    ``importance_share``, ``rank`` (1 = most important; missing for a predictor that does
    not vary), ``n`` (complete forms of the model; with correlations, the forms answering
    both the predictor and the outcome) and ``note`` (the fallback reason, or "does not
    vary", else empty). ``frame.attrs`` records the method, the
    reason, the design columns and, for the ordinal model, its thresholds.
    """
    if method not in ("ordinal", "correlation"):
        raise ParameterError(f"method must be 'ordinal' or 'correlation', got {method!r}")
    if correlation not in ("pearson", "spearman"):
        raise ParameterError(f"correlation must be 'pearson' or 'spearman', got {correlation!r}")
    if outcome is None:
        overall = instrument.items_with(role="overall")
        if not overall:
            raise ParameterError("outcome: the instrument declares no item of role 'overall'")
        outcome = overall[0].id
    weight = _design_column(instrument, weight, "weight")
    cluster = _design_column(instrument, cluster, "psu")
    strata = _design_column(instrument, strata, "strata")

    info: dict[str, tuple[str, str]] = {}
    data = df
    if isinstance(predictors, str) and predictors == "elements":
        scores = element_scores(df, instrument, min_answered=min_answered)
        columns = list(scores.columns)
        info = {g.id: (g.id, g.label.get("vi")) for g in instrument.groups if g.id in columns}
        keep = [c for c in (outcome, weight, cluster, strata) if c is not None]
        require_columns(df, keep)
        data = pd.concat([df[list(dict.fromkeys(keep))], scores], axis=1)
    elif isinstance(predictors, str) and predictors == "criteria":
        columns = [item.id for item in instrument.criteria]
    elif isinstance(predictors, str):
        raise ParameterError(
            f"predictors must be 'criteria', 'elements' or a list of columns, got {predictors!r}"
        )
    else:
        columns = list(predictors)
    check_scale_codes(data, instrument, [outcome, *columns])
    for column in columns:
        if column not in info:
            try:
                item = instrument.item(column)
                info[column] = (item.group or "", item.text.get("vi"))
            except KeyError:
                info[column] = ("", column)

    sample = _prepare(data, outcome, columns, weight, cluster, strata)
    y, x, w = sample.y, sample.x, sample.w
    sd = _weighted_sd(x, w) if len(w) else np.zeros(len(columns))
    constant = [c for c, s in zip(columns, sd, strict=True) if not s > 0]
    varying = [c for c in columns if c not in constant]
    reason = ""
    fit: OrdinalFit | None = None
    if method == "ordinal":
        try:
            n_levels = len(np.unique(y))
            n_params = len(varying) + max(n_levels - 1, 1)
            if not varying:
                raise _Fallback("no predictor varies among complete forms")
            if n_levels < 3:
                raise _Fallback(f"overall item has {n_levels} observed level(s)")
            if len(y) < min_per_parameter * n_params:
                raise _Fallback(
                    f"too few complete forms: {len(y)} for {n_params} parameters "
                    f"(need {min_per_parameter} per parameter)"
                )
            fit = ordinal_logit(
                data, outcome, varying, weight=weight, cluster=cluster, strata=strata
            )
            _check_ordinal(fit)
            table = _ordinal_rows(fit)
        except (_Fallback, np.linalg.LinAlgError, ValueError) as err:
            reason = f"ordinal model not used: {err}"
            _logger.warning("drivers: %s; using weighted %s correlations", reason, correlation)
            fit = None
    if fit is None:
        table = _correlation_rows(data, outcome, varying, weight, cluster, strata, correlation)
    if constant:
        flat = pd.DataFrame(
            {
                "predictor": constant,
                "method": table["method"].iloc[0] if len(table) else method,
                "n": len(y),
            }
        )
        table = pd.concat([table, flat], ignore_index=True)

    table.insert(1, "group", [info[p][0] for p in table["predictor"]])
    table.insert(2, "label", [info[p][1] for p in table["predictor"]])
    positive = table["importance"].clip(lower=0)
    total = positive.sum()
    table["importance_share"] = positive / total if total > 0 else np.nan
    table = table.sort_values("importance", ascending=False, na_position="last", kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table.loc[table["importance"].isna(), "rank"] = pd.NA
    table["rank"] = table["rank"].astype("Int64")
    table["note"] = reason
    does_not_vary = table["predictor"].isin(constant)
    table.loc[does_not_vary, "note"] = "không biến thiên / does not vary"
    table = table.reset_index(drop=True)[_COLUMNS]
    table.attrs = {
        "method": table["method"].iloc[0] if len(table) else method,
        "fallback_reason": reason,
        "outcome": outcome,
        "weight": weight,
        "cluster": cluster,
        "strata": strata,
        "thresholds": None if fit is None else fit.thresholds.to_dict(),
        "n_clusters": None if fit is None else fit.n_clusters,
    }
    return table


# ------------------------------------------------------------------ importance-performance
def _cut(values: pd.Series, cut: float | str, what: str) -> float:
    if isinstance(cut, str):
        if cut == "mean":
            return float(values.mean())
        if cut == "median":
            return float(values.median())
        raise ParameterError(f"{what} must be 'mean', 'median' or a number, got {cut!r}")
    if isinstance(cut, bool) or not isinstance(cut, (int, float)) or not math.isfinite(cut):
        raise ParameterError(f"{what} must be 'mean', 'median' or a number, got {cut!r}")
    return float(cut)


def importance_performance(
    drivers_frame: pd.DataFrame,
    performance_frame: pd.DataFrame,
    *,
    importance: str = "importance",
    performance: str = "estimate",
    key: str = "predictor",
    variable: str = "variable",
    importance_cut: float | Literal["mean", "median"] = "mean",
    performance_cut: float | Literal["mean", "median"] = "mean",
) -> pd.DataFrame:
    """Importance-performance quadrants (Martilla & James 1977) of each criterion.

    `drivers_frame` is the output of `drivers` (importance per `key`); `performance_frame`
    a tidy estimates frame with one row per `variable` (e.g. the satisfied share of each
    criterion, filtered to one domain). Cut lines are the means of the points by default
    (the data-centred variant), or medians, or given numbers (e.g. a target share). A point
    on a cut line counts as high, as in ``figures.importance_performance``.

    Returns one row per predictor found in both frames, in the drivers' order:
    ``variable``, ``label``, ``importance``, ``performance``, ``quadrant`` (key:
    concentrate / keep_up / low_priority / overkill; missing when either value is),
    ``quadrant_en`` ("Concentrate here", "Keep up the good work", "Low priority", "Possible
    overkill"), ``quadrant_vi`` ("Tập trung cải thiện", "Tiếp tục duy trì", "Ưu tiên thấp",
    "Có thể dư thừa"), ``importance_cut``, ``performance_cut``, and ``n`` / ``reliable``
    when the performance frame has them.
    """
    for frame, needed, name in (
        (drivers_frame, [key, importance], "drivers_frame"),
        (performance_frame, [variable, performance], "performance_frame"),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise InputError(f"{name}: column(s) not found: {', '.join(map(repr, missing))}")
    repeated = performance_frame[variable][performance_frame[variable].duplicated()]
    if len(repeated):
        raise ParameterError(
            f"performance_frame has several rows for {repeated.iloc[0]!r}: filter it to one "
            "domain and level first"
        )
    absent = [v for v in drivers_frame[key] if v not in set(performance_frame[variable])]
    if len(absent) == len(drivers_frame):
        raise InputError(
            f"performance_frame: none of the predictors ({', '.join(map(str, absent[:3]))}, ...)"
            f" is in its {variable!r} column"
        )
    if absent:
        _logger.warning("importance_performance: no performance for %s; left out", absent)
    extra = [c for c in ("n", "reliable") if c in performance_frame.columns]
    perf = performance_frame.set_index(variable)
    kept = drivers_frame[~drivers_frame[key].isin(absent)]
    out = pd.DataFrame(
        {
            "variable": kept[key].to_numpy(),
            "label": kept["label"].to_numpy() if "label" in kept else kept[key].to_numpy(),
            "importance": pd.to_numeric(kept[importance]).to_numpy(dtype=float),
            "performance": pd.to_numeric(perf.loc[kept[key], performance]).to_numpy(dtype=float),
        }
    )
    both = out["importance"].notna() & out["performance"].notna()
    if not both.any():
        raise InputError("no predictor has both an importance and a performance")
    x_cut = _cut(out.loc[both, "importance"], importance_cut, "importance_cut")
    y_cut = _cut(out.loc[both, "performance"], performance_cut, "performance_cut")
    high_imp = out["importance"] >= x_cut
    high_perf = out["performance"] >= y_cut
    quadrant = np.where(
        high_imp,
        np.where(high_perf, "keep_up", "concentrate"),
        np.where(high_perf, "overkill", "low_priority"),
    )
    out["quadrant"] = pd.array(np.where(both, quadrant, None), dtype="string")
    out["quadrant_en"] = out["quadrant"].map(lambda q: QUADRANTS[q][0] if pd.notna(q) else q)
    out["quadrant_vi"] = out["quadrant"].map(lambda q: QUADRANTS[q][1] if pd.notna(q) else q)
    out["importance_cut"] = x_cut
    out["performance_cut"] = y_cut
    for column in extra:
        out[column] = perf.loc[kept[key], column].to_numpy()
    return out
