"""Weighted proportional-odds (ordinal) logit with cluster-robust standard errors.

The model behind `satisfaction.stats.drivers`: `ordinal_logit` returns an `OrdinalFit`.

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
* Standard errors: the linearisation sandwich A^-1 B A^-1, A the Hessian of the weighted
  log-likelihood, B the design variance of the weighted score totals (R's ``svyrecvar``
  through the estimators' engine: strata, clusters, fpc, both stages, the design's
  lonely-PSU rule, calibration) -- exactly ``svyolr`` on the same ``svydesign`` (tested
  against R). `design` is a `Design`; the shorthand `weight` / `cluster` / `strata` is a
  with-replacement design with lonely PSUs "adjust".
* Missing answers: listwise -- a form counts only if the outcome and every predictor are
  answered.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from satisfaction.errors import InputError
from satisfaction.stats._sample import _model_design, _prepare, _weighted_sd
from satisfaction.stats.design import Design
from satisfaction.stats.replicate import ReplicateDesign

__all__ = ["OrdinalFit", "ordinal_logit"]


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
    used), `weight_sum`, `n_clusters`, `df` (design df of the forms used, R's `degf`),
    `levels` (outcome codes observed), `loglike`
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
    df: int = 0


def ordinal_logit(
    df: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    design: Design | ReplicateDesign | None = None,
    where: np.ndarray | pd.Series | None = None,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    maxiter: int = 2000,
) -> OrdinalFit:
    """Weighted proportional-odds logit of `outcome` on `predictors`, sandwich SEs.

    Point estimates match R ``MASS::polr(outcome ~ ., weights = w)``; the covariance
    matches ``survey::svyolr`` on the design (`design`, or the shorthand `weight`,
    `cluster`, `strata`: ``svydesign(ids = ~cluster, strata = ~strata, weights = ~w)``).
    `where` keeps a domain (R's ``subset(design, ...)``). Complete cases only. Raises
    `InputError` when fewer than two outcome levels or a constant predictor leave nothing
    to estimate; the returned `converged` says whether the optimiser reached a zero gradient.
    """
    model = _model_design(df, design, where, weight=weight, cluster=cluster, strata=strata)
    sample = _prepare(model, outcome, predictors)
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
    params = _maximise(model, maxiter)
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
    if sample.replicated:  # R's svyolr of a svyrep.design: refit in every replicate
        cov = _replicate_cov(model, sample, endog, x, params)
    else:
        cov = bread @ meat_of(sample, model, params) @ bread
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
        df=sample.df,
    )


def meat_of(sample, model: _WeightedOrderedModel, params: np.ndarray) -> np.ndarray:
    """Design variance of the weighted score totals (the sandwich's meat)."""
    return sample.variance(model.score_obs_cut(params))


def _replicate_cov(
    model: _WeightedOrderedModel, sample, endog: np.ndarray, x: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """svrVar covariance of (coefficients, cut points) refitted with each replicate's
    weights from the full-sample estimate (R's svyolr.svyrep.design)."""
    k = x.shape[1]

    def in_cut_scale(m: _WeightedOrderedModel, p: np.ndarray) -> np.ndarray:
        return np.concatenate([p[:k], m.transform_threshold_params(p)[1:-1]])

    estimates = [in_cut_scale(model, params)]
    for weights in sample.replicate_weights().T:
        replicate = _WeightedOrderedModel(endog, x, weights)
        with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", HessianInversionWarning)
            fitted = replicate.fit(
                start_params=params,
                method="newton",
                maxiter=100,
                tol=1e-12,
                disp=0,
                skip_hessian=True,
            )
        estimates.append(in_cut_scale(replicate, np.asarray(fitted.params)))
    return sample.replicate_covariance(np.array(estimates))


def _maximise(model: _WeightedOrderedModel, maxiter: int) -> np.ndarray:
    """BFGS, then Newton from there; the BFGS estimate where Newton ends on non-finite values."""
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
    return params


def _level_name(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
