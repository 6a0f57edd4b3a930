"""Survey logistic regression: who is satisfied, given respondent characteristics.

`logistic_regression(df, design, outcome, predictors)` is R's
`svyglm(outcome ~ predictors, design, family = quasibinomial())`:

* estimates: the weighted (pseudo-likelihood) logistic regression, fitted by statsmodels'
  GLM with the design's analysis weights (their scale does not matter);
* standard errors: the sandwich A^-1 B A^-1, A = X' diag(w mu (1 - mu)) X and B the design
  variance of the weighted score totals x (y - mu) w (R's `svy.varcoef`: strata, clusters,
  fpc, both stages, the lonely-PSU rule and calibration); on a replicate design the model
  is refitted with every replicate's weights and the variance is R's `svrVar`;
* t, p and confidence intervals on df = design df of the complete forms + 1 - number of
  coefficients (R's `df.residual` of a svyglm, used by `summary` and `confint`).

A categorical predictor (text or category dtype) enters as indicator columns for every
level but the first (sorted, or the category order), named `<column><level>` as R does.
Forms count when the outcome and every predictor are answered (listwise, as R's na.omit);
their PSUs outside the complete forms still count in their strata.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from satisfaction.errors import InputError, ParameterError
from satisfaction.stats._sample import _check_model, _model_design
from satisfaction.stats.design import Design
from satisfaction.stats.replicate import ReplicateDesign

__all__ = ["REGRESSION_COLUMNS", "LogisticFit", "logistic_regression"]

REGRESSION_COLUMNS = [
    "term",
    "estimate",
    "se",
    "t",
    "df",
    "p_value",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "odds_ratio_low",
    "odds_ratio_high",
]


@dataclass(frozen=True)
class LogisticFit:
    """A survey logistic regression: `table` (one row per term, `REGRESSION_COLUMNS`;
    estimates on the log-odds scale, odds ratios with their CI), `cov` (the coefficients'
    covariance), `n` (complete forms), `df` (R's df.residual) and `converged`."""

    table: pd.DataFrame
    cov: pd.DataFrame
    n: int
    df: int
    converged: bool


def _design_matrix(df: pd.DataFrame, predictors: Sequence[str]) -> pd.DataFrame:
    """The intercept, numeric predictors as they are, categorical ones as indicators of
    every level but the first (R's treatment contrasts); NaN where a predictor is missing."""
    columns: dict[str, np.ndarray] = {"(Intercept)": np.ones(len(df))}
    for name in predictors:
        if name not in df.columns:
            raise InputError("predictor not in the data", column=name)
        series = df[name]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series):
            columns[name] = pd.to_numeric(series).to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        category = (
            series.astype("category")
            if not isinstance(series.dtype, pd.CategoricalDtype)
            else series
        )
        used = [c for c in category.cat.categories if (category == c).any()]
        missing = category.isna().to_numpy()
        for level in used[1:]:
            indicator = (category == level).to_numpy(dtype=np.float64)
            columns[f"{name}{level}"] = np.where(missing, np.nan, indicator)
    return pd.DataFrame(columns, index=df.index)


def _fit(y: np.ndarray, x: np.ndarray, w: np.ndarray, start: np.ndarray | None = None):
    """statsmodels' weighted logistic GLM (var_weights: the pseudo-likelihood's weights)."""
    model = sm.GLM(y, x, family=sm.families.Binomial(), var_weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        return model.fit(start_params=start, tol=1e-12, maxiter=100)


def logistic_regression(
    df: pd.DataFrame,
    design: Design | ReplicateDesign,
    outcome: str,
    predictors: Sequence[str],
    *,
    where: np.ndarray | pd.Series | None = None,
    level: float = 0.95,
) -> LogisticFit:
    """Design-based logistic regression of a 0/1 `outcome` (e.g. a `sat__` column) on
    `predictors`. R: `svyglm(outcome ~ ..., design, family = quasibinomial())`, with
    `summary()`'s t tests and `confint()`'s intervals. `where` keeps a domain (R's
    `subset(design, ...)`). See the module docstring for the method."""
    _check_model(outcome, predictors)
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1")
    model = _model_design(df, design, where)
    y_all = pd.to_numeric(df[outcome], errors="coerce").to_numpy(dtype=np.float64)
    answered = y_all[~np.isnan(y_all)]
    if ((answered < 0) | (answered > 1)).any():
        raise InputError("the outcome must hold shares between 0 and 1 (0/1)", column=outcome)
    matrix = _design_matrix(df, predictors)
    sample = model.sample(y_all, matrix.to_numpy())
    if len(np.unique(sample.y)) < 2:
        raise InputError("the outcome does not vary among complete forms", column=outcome)
    fit = _fit(sample.y, sample.x, sample.w)
    beta = np.asarray(fit.params)
    mu = 1.0 / (1.0 + np.exp(-(sample.x @ beta)))
    if sample.replicated:
        estimates = [beta]
        for weights in sample.replicate_weights().T:
            estimates.append(np.asarray(_fit(sample.y, sample.x, weights, beta).params))
        cov = sample.replicate_covariance(np.array(estimates))
    else:
        bread = np.linalg.pinv(sample.x.T @ ((sample.w * mu * (1 - mu))[:, None] * sample.x))
        scores = sample.x * (sample.w * (sample.y - mu))[:, None]
        cov = bread @ sample.variance(scores) @ bread
    df_residual = sample.df + 1 - len(beta)
    table = _table(list(matrix.columns), beta, cov, df_residual, level)
    names = list(matrix.columns)
    return LogisticFit(
        table=table,
        cov=pd.DataFrame(cov, index=names, columns=names),
        n=len(sample.y),
        df=df_residual,
        converged=bool(fit.converged),
    )


def _table(
    names: list[str], beta: np.ndarray, cov: np.ndarray, df: int, level: float
) -> pd.DataFrame:
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    if df > 0:
        p = 2 * stats.t.sf(np.abs(t), df)
        q = stats.t.ppf(1 - (1 - level) / 2, df)
    else:  # no df left: no test, no interval
        p, q = np.full(len(beta), np.nan), np.nan
    low, high = beta - q * se, beta + q * se
    return pd.DataFrame(
        {
            "term": names,
            "estimate": beta,
            "se": se,
            "t": t,
            "df": df,
            "p_value": p,
            "ci_low": low,
            "ci_high": high,
            "odds_ratio": np.exp(beta),
            "odds_ratio_low": np.exp(low),
            "odds_ratio_high": np.exp(high),
        }
    )[REGRESSION_COLUMNS]
