"""Drivers of overall satisfaction, and importance-performance analysis (IPA).

Which criteria (or elements) move overall satisfaction most? `drivers` fits a weighted
proportional-odds (ordinal logit) model of the overall item on the predictors and ranks the
predictors by a standardised coefficient; when the model cannot be trusted (too few forms,
no convergence, separation) it falls back, with a logged reason, to weighted correlations.
`importance_performance` crosses that importance with the satisfied share of each criterion
into the four quadrants of Martilla & James (1977).

The model (a weighted proportional-odds logit with the ``svyolr`` sandwich) lives in
`satisfaction.stats.ordinal`; see there for the estimation. A positive coefficient means
higher predictor values go with higher overall satisfaction; forms count only if the overall
item and every predictor are answered. An element score is the form's mean over the
element's criteria it answered, missing when fewer than `min_answered` (half) of them are
answered.

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
same sandwich as the model's; R: ``svycontrast`` on ``svymean`` of x, y, x^2, y^2, xy). For
Spearman the ranks are weighted mid-ranks (the weight below plus half the weight at a
value) and their own sampling variation is ignored.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.errors import InputError, InstrumentError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats._columns import check_scale_codes, numeric_matrix, require_columns
from satisfaction.stats._sample import _model_design, _ModelDesign, _prepare, _weighted_sd
from satisfaction.stats.correlation import _correlation, weighted_correlation
from satisfaction.stats.design import Design
from satisfaction.stats.designs import design_of
from satisfaction.stats.ordinal import OrdinalFit, ordinal_logit
from satisfaction.stats.replicate import ReplicateDesign

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

DESIGN = "design"  # default of design=: the design the instrument declares
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
    "t",
    "df",
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
    "t",
    "df",
    "p",
    "odds_ratio",
    "importance",
    "n",
]


class _Fallback(Exception):
    """Internal: the ordinal model cannot be trusted; carries the reason."""


# ------------------------------------------------------------------ drivers
def _drivers_design(
    instrument: Instrument,
    design: Design | ReplicateDesign | str | None,
    shorthand: tuple[str | None, str | None, str | None],
) -> Design | ReplicateDesign | None:
    """The design of a drivers call: the instrument's (default), a given one, or None when
    the weight / cluster / strata shorthand is used."""
    if any(v is not None for v in shorthand):
        if design not in (DESIGN, None):
            raise ParameterError("give either design= or weight= / cluster= / strata=, not both")
        return None
    if design == DESIGN:
        return design_of(instrument) or Design()
    if design is None:
        return Design()
    if not isinstance(design, Design | ReplicateDesign):
        raise ParameterError(f"design must be a satisfaction.Design, got {design!r}")
    return design


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
    t = (beta / se).to_numpy()
    importance = beta * fit.predictor_sd / fit.latent_sd
    df = fit.df - len(beta)  # R's svyolr df.residual: design df minus coefficients
    return pd.DataFrame(
        {
            "predictor": beta.index,
            "method": "ordinal",
            "coefficient": beta.to_numpy(),
            "se": se.to_numpy(),
            "t": t,
            "df": df,
            "p": 2 * stats.t.sf(np.abs(t), df) if df > 0 else np.nan,
            "odds_ratio": np.exp(beta.to_numpy()),
            "importance": importance.to_numpy(),
            "n": fit.n,
        }
    )


def _correlation_rows(
    model: _ModelDesign,
    outcome: str,
    predictors: list[str],
    kind: Literal["pearson", "spearman"],
) -> pd.DataFrame:
    y = numeric_matrix(model.df, [outcome])[:, 0]
    x = numeric_matrix(model.df, predictors)
    rows = []
    for j, predictor in enumerate(predictors):
        sample = model.sample(y, x[:, j : j + 1])
        r, se, n = _correlation(sample, kind)
        t = r / se if se > 0 else float("nan")
        df = sample.df
        rows.append(
            {
                "predictor": predictor,
                "method": f"correlation_{kind}",
                "coefficient": r,
                "se": se,
                "t": t,
                "df": df,
                "p": 2 * stats.t.sf(abs(t), df) if np.isfinite(t) and df > 0 else np.nan,
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
    design: Design | ReplicateDesign | str | None = DESIGN,
    where: np.ndarray | pd.Series | None = None,
    weight: str | None = None,
    cluster: str | None = None,
    strata: str | None = None,
    method: Literal["ordinal", "correlation"] = "ordinal",
    correlation: Literal["pearson", "spearman"] = "pearson",
    min_answered: float = 0.5,
    min_per_parameter: int = MIN_PER_PARAMETER,
) -> pd.DataFrame:
    """Rank what drives overall satisfaction: weighted ordinal logit, else correlations.

    `predictors`: "criteria" (every criterion item), "elements" (each group's mean criterion
    score, see the module docstring) or a list of columns. `outcome` defaults to the
    instrument's item of role "overall". `design` defaults to the design the instrument
    declares ("design"; None or no declared design: unweighted, each form its own PSU);
    its analysis weights, strata, clusters, fpc, calibration and lonely-PSU rule all count.
    `where` keeps a domain (e.g. one province) as R's ``subset(design, ...)`` does: fit on
    its forms, with every PSU of the design still counted in its stratum. The shorthand
    `weight`, `cluster` (PSU), `strata` (columns) is a with-replacement design instead.
    With ``method="ordinal"`` the model is ``survey::svyolr`` (see `ordinal_logit`); it
    falls back to correlations, logging why, when fewer than `min_per_parameter` complete
    forms per parameter are available, when it does not converge, or on separation.

    Returns one row per predictor, best first: ``predictor``, ``group``, ``label``
    (Vietnamese), ``method`` ("ordinal" or "correlation_pearson"/"correlation_spearman"),
    ``coefficient`` (logit coefficient, or r), ``se`` (design-based), ``t`` and ``p`` (t
    on ``df``: the design df of the forms used, less the coefficients for the model, as
    R's svyolr df.residual),
    ``odds_ratio`` (per unit of the predictor; NaN for correlations), ``importance``,
    ``importance_share``, ``rank`` (1 = most important; missing for a predictor that does
    not vary), ``n`` (complete forms of the model; with correlations, the forms answering
    both the predictor and the outcome) and ``note`` (the fallback reason, or "does not
    vary", else empty). ``frame.attrs`` records the method, the reason, the design columns
    and, for the ordinal model, its thresholds.
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
    chosen = _drivers_design(instrument, design, (weight, cluster, strata))
    design_columns = (
        chosen.columns() if chosen is not None else [c for c in (weight, cluster, strata) if c]
    )
    data, columns, info = _predictors(
        df, instrument, predictors, outcome, design_columns, min_answered
    )
    model = _model_design(data, chosen, where, weight=weight, cluster=cluster, strata=strata)
    sample = _prepare(model, outcome, columns)
    y, x, w = sample.y, sample.x, sample.w
    sd = _weighted_sd(x, w) if len(w) else np.zeros(len(columns))
    constant = [c for c, s in zip(columns, sd, strict=True) if not s > 0]
    varying = [c for c in columns if c not in constant]
    reason = ""
    fit: OrdinalFit | None = None
    if method == "ordinal":
        try:
            fit = _try_ordinal(model, outcome, varying, y, min_per_parameter)
            table = _ordinal_rows(fit)
        except (_Fallback, np.linalg.LinAlgError, ValueError) as err:
            reason = f"ordinal model not used: {err}"
            how = "weighted " if weight else ""  # an unweighted sample is not said weighted
            _logger.warning("drivers: %s; using %s%s correlations", reason, how, correlation)
            fit = None
    if fit is None:
        table = _correlation_rows(model, outcome, varying, correlation)
    if constant:
        flat = pd.DataFrame(
            {
                "predictor": constant,
                "method": table["method"].iloc[0] if len(table) else method,
                "n": len(y),
            }
        )
        table = pd.concat([table, flat], ignore_index=True)

    table = _ranked(table, info, constant, reason)
    used = model.prep.design
    table.attrs = {
        "method": table["method"].iloc[0] if len(table) else method,
        "fallback_reason": reason,
        "outcome": outcome,
        "weight": used.weight,
        "cluster": getattr(used, "psu", None),
        "strata": getattr(used, "strata", None),
        "lonely_psu": used.lonely_psu,
        "thresholds": None if fit is None else fit.thresholds.to_dict(),
        "n_clusters": None if fit is None else fit.n_clusters,
    }
    return table


def _predictors(
    df: pd.DataFrame,
    instrument: Instrument,
    predictors: Literal["criteria", "elements"] | Sequence[str],
    outcome: str,
    design_columns: Sequence[str],
    min_answered: float,
) -> tuple[pd.DataFrame, list[str], dict[str, tuple[str, str]]]:
    """The data the model reads (with element scores for "elements"), the predictor columns
    and each predictor's (group, Vietnamese label); scale codes checked."""
    info: dict[str, tuple[str, str]] = {}
    data = df
    if isinstance(predictors, str) and predictors == "elements":
        scores = element_scores(df, instrument, min_answered=min_answered)
        columns = list(scores.columns)
        info = {g.id: (g.id, g.label.get("vi")) for g in instrument.groups if g.id in columns}
        keep = [outcome, *design_columns]
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
    return data, columns, info


def _try_ordinal(
    model: _ModelDesign,
    outcome: str,
    varying: list[str],
    y: np.ndarray,
    min_per_parameter: int,
) -> OrdinalFit:
    """The ordinal fit, or `_Fallback` saying why the model is not tried or not trusted."""
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
        model.df, outcome, varying, design=model.prep.design, where=model.in_design
    )
    _check_ordinal(fit)
    return fit


def _ranked(
    table: pd.DataFrame,
    info: dict[str, tuple[str, str]],
    constant: list[str],
    reason: str,
) -> pd.DataFrame:
    """Labels, importance shares, ranks (best first) and notes: the drivers table's layout."""
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
    return table.reset_index(drop=True)[_COLUMNS]


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
