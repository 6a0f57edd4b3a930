"""PAPI-style composites from microdata, with design-based uncertainty.

Every level of a PAPI-style index (sub-dimension, dimension, total; `io.papi_instrument`
declares the aggregation) is a linear combination of indicator means, each over its own
respondents, plus a constant from the rescaling: for an indicator x on [low, high] rescaled
to [a, b], s = a + (b - a)(x - low)/(high - low) (reversed for a negative indicator), and a
sub-dimension is (1/k)(1/m) times the sum of its m indicators' mean s. So every such
composite has a linearised SE (Taylor, as R's ``svycontrast`` of the ratio means), computed
with the design engine (strata, clusters, weights) in one pass for every province and
composite. An indicator rescaled over the provinces (min-max of the provinces' means,
``rescale: provinces``) makes its composites nonlinear: they, and every composite on a
replicate-weight design, are recomputed on every replicate (`papi_replicates`), and the
replicate covariance then also drives the ranks and the comparisons below.

Ranks come from the joint uncertainty of all provinces at once: the province estimates'
covariance (`stats.estimate.total_covariance` of their linearised values, or the replicate
covariance) feeds a seeded
simulation from the joint normal; each draw ranks the provinces and puts them in quartile
groups (the published rule, `papi_published.quartile_codes`), so a rank interval and the
probability of each group account for every province moving together, not one by one.

"Above / below the all-province value" is a design-based test of each province's composite
minus the value over every respondent (overlap accounted for), Holm-adjusted across every
province and composite tested (the test of `indices.compare_to_overall`, for every province
at once).

Geography: a wave collected under the 63 pre-2025 provinces can be re-estimated under the
34 (the provinces recoded with the versioned mapping, weights and design unchanged): that is
the merged province's index, not the average of its old provinces' indices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.geography import province_mapping, standardise_provinces
from satisfaction.io.instrument import Label
from satisfaction.io.papi_instrument import PapiInstrument
from satisfaction.stats.design import Design
from satisfaction.stats.estimate import (
    flag_reliability,
    total,
    total_covariance,
)
from satisfaction.stats.replicate import ReplicateDesign
from satisfaction.studies.comparisons import mark_above_below
from satisfaction.studies.indices import influence_values
from satisfaction.studies.papi_published import GROUP_LABELS, quartile_codes
from satisfaction.studies.papi_replicates import (
    ReplicatedComposites,
    replicate_composites,
    variance_design,
)

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "Composite",
    "compare_to_all",
    "composite_covariance",
    "composite_scores",
    "composites",
    "papi_frame",
    "rank_uncertainty",
]

DEFAULT_SEED = 20250701
DEFAULT_DRAWS = 10_000
_DOMAIN = "province"


@dataclass(frozen=True)
class Composite:
    """One level of the index: constant + sum of coefficient x indicator mean, plus (for
    indicators rescaled over the provinces) coefficient x (mean - min) / (max - min) with
    the min and max over the provinces' means (``relative``: not linear)."""

    key: str  # "total", "dimension:<id>", "sub_dimension:<id>"
    level: str
    dimension_id: str | None
    sub_dimension_id: str | None
    label: Label
    terms: dict[str, float] = field(default_factory=dict)
    constant: float = 0.0
    relative: dict[str, float] = field(default_factory=dict)

    @property
    def variables(self) -> list[str]:
        """Every indicator column the composite reads."""
        return list(dict.fromkeys([*self.terms, *self.relative]))


def _add(into: dict[str, float], terms: dict[str, float], factor: float = 1.0) -> None:
    for column, coefficient in terms.items():
        into[column] = into.get(column, 0.0) + factor * coefficient


def composites(instrument: PapiInstrument) -> tuple[Composite, ...]:
    """Every sub-dimension, dimension and the total as linear combinations (module doc)."""
    low, high = instrument.scale
    out: list[Composite] = []
    total_terms: dict[str, float] = {}
    total_relative: dict[str, float] = {}
    total_constant = 0.0
    for dim in instrument.dimensions:
        k = len(dim.sub_dimensions)
        dim_terms: dict[str, float] = {}
        dim_relative: dict[str, float] = {}
        dim_constant = 0.0
        for sub in dim.sub_dimensions:
            share = 1.0 / (k * len(sub.indicators))
            terms: dict[str, float] = {}
            relative: dict[str, float] = {}
            constant = 0.0
            for ind in sub.indicators:
                sign = 1.0 if ind.direction == "positive" else -1.0
                if ind.rescale == "provinces":  # low + (high - low) r, r = (m - min)/(max - min)
                    _add(relative, {ind.id: sign * share * (high - low)})
                    constant += share * (low if sign > 0 else high)
                    continue
                slope = (high - low) / (ind.high - ind.low)  # low + slope (m - ind.low)
                _add(terms, {ind.id: sign * share * slope})
                constant += share * (low - sign * slope * (ind.low if sign > 0 else ind.high))
            out.append(
                Composite(
                    f"sub_dimension:{sub.id}",
                    "sub_dimension",
                    dim.id,
                    sub.id,
                    sub.label,
                    terms,
                    constant,
                    relative,
                )
            )
            _add(dim_terms, terms)
            _add(dim_relative, relative)
            dim_constant += constant
        out.append(
            Composite(
                f"dimension:{dim.id}",
                "dimension",
                dim.id,
                None,
                dim.label,
                dim_terms,
                dim_constant,
                dim_relative,
            )
        )
        _add(total_terms, dim_terms)
        _add(total_relative, dim_relative)
        total_constant += dim_constant
    label = Label("Chỉ số tổng hợp (tổng các lĩnh vực)", "Total index (sum of dimensions)")
    out.append(
        Composite("total", "total", None, None, label, total_terms, total_constant, total_relative)
    )
    return tuple(out)


# --------------------------------------------------------------------- the analysis frame
def _check_indicators(df: pd.DataFrame, instrument: PapiInstrument) -> pd.DataFrame:
    out = {}
    for ind in instrument.indicators:
        if ind.id not in df.columns:
            raise InputError("indicator column is missing", column=ind.id)
        values = pd.to_numeric(df[ind.id], errors="coerce")
        text = df[ind.id].notna() & values.isna()
        if text.any():
            row = df.index[text][0]
            raise InputError(f"{df.at[row, ind.id]!r} is not a number", row=row, column=ind.id)
        outside = (values < ind.low) | (values > ind.high)
        if outside.any():
            row = df.index[outside][0]
            raise InputError(
                f"{values[row]!r} is outside the declared range [{ind.low:g}, {ind.high:g}]",
                row=row,
                column=ind.id,
            )
        out[ind.id] = values.astype(float)
    return pd.DataFrame(out, index=df.index)


def papi_frame(
    df: pd.DataFrame,
    instrument: PapiInstrument,
    design: Design | ReplicateDesign,
    *,
    collected: str,
    geography: str | None = None,
    version: str = "2025-07-01",
) -> pd.DataFrame:
    """The columns the composites need: design columns, numeric indicators (checked against
    their declared ranges) and ``province`` in the chosen geography.

    ``collected`` is the geography the wave was collected under; ``geography`` the one to
    estimate under (default: the same). 63 -> 34 recodes each old province with the
    versioned mapping (``province_as_collected`` keeps the old name); 34 -> 63 is refused,
    since a merged province cannot be split without knowing where each respondent lived.
    """
    geography = geography or collected
    if (collected, geography) == ("current_34", "historical_63"):
        raise ParameterError(
            "a wave collected under the 34 provinces cannot be estimated under the 63: a "
            "merged province cannot be split back without the old province of each respondent",
            key="geography",
        )
    column = instrument.province
    if column not in df.columns:
        raise InputError("province column is missing", column=column)
    names = standardise_provinces(df[column])["province"]  # once per distinct name
    unknown = df[column].notna() & names.isna()
    if unknown.any() or df[column].isna().any():
        row = df.index[unknown | df[column].isna()][0]
        raise InputError(f"{df.at[row, column]!r} is not a province", row=row, column=column)
    mapping = province_mapping(version).set_index("old_name")["new_name"]
    if collected == "historical_63":
        stray = ~names.isin(mapping.index)
        if stray.any():
            row = df.index[stray][0]
            raise InputError(f"{names[row]!r} is not one of the 63", row=row, column=column)
    frame = _check_indicators(df, instrument)
    for role in design.columns():
        if role not in df.columns:
            raise InputError("column named in the design is not in the data", column=role)
        frame[role] = df[role]
    frame["province_as_collected"] = names
    frame[_DOMAIN] = names.map(mapping) if geography != collected else names
    frame.attrs["geography"] = geography
    return frame


# --------------------------------------------------------------------------- estimates
def _codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    provinces = sorted(frame[_DOMAIN].dropna().unique())
    lookup = {p: i for i, p in enumerate(provinces)}
    return frame[_DOMAIN].map(lookup).to_numpy(dtype=np.int64), provinces


def _linearised_scores(
    frame: pd.DataFrame,
    design: Design,
    parts: Sequence[Composite],
    codes: np.ndarray,
    provinces: list[str],
    level: float,
) -> pd.DataFrame:
    """province, variable (``__c<i>``), estimate, se, n, df by linearisation."""
    work = frame[[*design.columns(), _DOMAIN]].copy()
    thetas = {}
    for i, composite in enumerate(parts):
        theta, z, any_valid = influence_values(
            frame, design, composite.terms, codes, len(provinces)
        )
        thetas[f"__c{i}"] = theta + composite.constant
        work[f"__c{i}"] = np.where(any_valid, z, np.nan)
    totals = total(work, design, list(thetas), by=_DOMAIN, level=level)
    position = {p: i for i, p in enumerate(provinces)}
    rows = totals[_DOMAIN].map(position).to_numpy()
    estimate = np.array([thetas[v][r] for v, r in zip(totals["variable"], rows, strict=True)])
    return totals[[_DOMAIN, "variable", "se", "n", "df"]].assign(estimate=estimate)


def _replicated_scores(
    replicated: ReplicatedComposites, parts: Sequence[Composite], provinces: list[str]
) -> pd.DataFrame:
    """province, variable, estimate, se, n, df: every composite recomputed on replicates."""
    k, count = len(provinces), len(parts)
    return pd.DataFrame(
        {
            _DOMAIN: np.repeat(provinces, count),
            "variable": [f"__c{i}" for i in range(count)] * k,
            "se": replicated.se().ravel(),
            "n": replicated.n.ravel().astype(np.int64),
            "df": replicated.df.ravel(),
            "estimate": replicated.values[:, :, 0].ravel(),
        }
    )


def composite_scores(
    frame: pd.DataFrame,
    design: Design | ReplicateDesign,
    instrument: PapiInstrument,
    *,
    level: float = 0.95,
    language: str = "vi",
) -> pd.DataFrame:
    """Every composite per province of a `papi_frame`, with design-based SEs and t CIs.

    Returns province, composite, level_name, dimension_id, sub_dimension_id, label,
    estimate, se, ci_low, ci_high, cv, n (respondents with any answer to the composite's
    indicators), df, reliable, reliability_note, geography. SEs by linearisation on a Taylor
    design with linear composites (R: ``svycontrast`` of the indicators' ratio means on
    ``subset(design, province == p)``, tests/r/papi_goldens.R); otherwise from replicate
    weights, the design's or built from it (`papi_replicates.variance_design`), every
    composite recomputed on every replicate (R: ``withReplicates``,
    tests/r/papi_replicate_goldens.R).
    """
    codes, provinces = _codes(frame)
    parts = list(composites(instrument))
    variance = variance_design(frame, design, instrument)
    if isinstance(variance, ReplicateDesign):
        replicated = replicate_composites(frame, variance, parts, codes, len(provinces))
        out = _replicated_scores(replicated, parts, provinces)
    else:
        out = _linearised_scores(frame, variance, parts, codes, provinces, level)
    meta = pd.DataFrame(
        {
            "variable": [f"__c{i}" for i in range(len(parts))],
            "composite": [c.key for c in parts],
            "level_name": [c.level for c in parts],
            "dimension_id": [c.dimension_id for c in parts],
            "sub_dimension_id": [c.sub_dimension_id for c in parts],
            "label": [c.label.get(language) for c in parts],
        }
    )
    t = stats.t.ppf(1 - (1 - level) / 2, out["df"].clip(lower=1))
    out["ci_low"] = out["estimate"] - t * out["se"]
    out["ci_high"] = out["estimate"] + t * out["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv"] = out["se"] / out["estimate"].abs()
    out = flag_reliability(out, kind="mean")
    out = meta.merge(out, on="variable").drop(columns="variable")
    out["geography"] = frame.attrs.get("geography", "")
    first = [_DOMAIN, "composite", "level_name", "dimension_id", "sub_dimension_id", "label"]
    rest = [
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "cv",
        "n",
        "df",
        "reliable",
        "reliability_note",
        "geography",
    ]
    return out[first + rest].sort_values([_DOMAIN], kind="stable").reset_index(drop=True)


def _composite(instrument: PapiInstrument, key: str) -> Composite:
    for composite in composites(instrument):
        if composite.key == key:
            return composite
    keys = [c.key for c in composites(instrument)]
    raise ParameterError(f"no composite {key!r}; composites: {keys}", key="composite")


def composite_covariance(
    frame: pd.DataFrame,
    design: Design | ReplicateDesign,
    instrument: PapiInstrument,
    *,
    composite: str = "total",
) -> tuple[pd.Series, pd.DataFrame]:
    """One composite of every province and their joint covariance (provinces x provinces).

    Linearised (the covariance of the province totals of their linearised values, R's
    ``vcov(svytotal())``) on a Taylor design with linear composites; otherwise R's svrVar
    of the composite recomputed on every replicate (``vcov(withReplicates(...))``).
    """
    chosen = _composite(instrument, composite)
    codes, provinces = _codes(frame)
    k = len(provinces)
    variance = variance_design(frame, design, instrument)
    if isinstance(variance, ReplicateDesign):
        parts = list(composites(instrument))
        at = [p.key for p in parts].index(chosen.key)
        replicated = replicate_composites(frame, variance, parts, codes, k)
        estimates, cov = replicated.values[:, at, 0], replicated.covariance(at)
    else:
        estimates, z_by_province = _province_influence(frame, variance, chosen, codes, k)
        names = [f"__p{i}" for i in range(k)]
        z_frame = pd.DataFrame(z_by_province, columns=names, index=frame.index)
        work = pd.concat([frame[variance.columns()], z_frame], axis=1)
        cov = total_covariance(work, variance, names).to_numpy()
    return (
        pd.Series(estimates, index=provinces, name=chosen.key),
        pd.DataFrame(cov, index=provinces, columns=provinces),
    )


def rank_uncertainty(
    frame: pd.DataFrame,
    design: Design | ReplicateDesign,
    instrument: PapiInstrument,
    *,
    composite: str = "total",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
    language: str = "vi",
) -> pd.DataFrame:
    """Rank (1 = highest), its interval and the chance of each quartile group, per province.

    Method: the province estimates' joint covariance V (`composite_covariance`: from their
    linearised values, or from replicate weights when the design has them or a composite is
    nonlinear), then ``draws`` draws from N(estimates, V) with numpy's default generator
    seeded by ``seed`` (same seed, same answer). Each draw ranks all provinces and groups
    them by the published quartile rule. rank_low / rank_high are the lower (1-level)/2 and
    upper (1+level)/2 quantiles of the drawn ranks (``method="lower"`` / ``"higher"``: whole
    ranks, never narrower than the draws say). Returns province, estimate, se, rank,
    rank_low, rank_high, out_of, group, group_label (of the estimate), p_group_1..4,
    draws, seed.
    """
    if draws < 100:
        raise ParameterError(f"draws={draws} is too few for a rank interval", key="draws")
    estimated, covariance = composite_covariance(frame, design, instrument, composite=composite)
    provinces, estimates = list(estimated.index), estimated.to_numpy()
    cov = covariance.to_numpy()
    k = len(provinces)
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(estimates, cov, size=draws, method="eigh")
    ranks = (-sample).argsort(axis=1).argsort(axis=1) + 1
    groups = quartile_codes(sample)
    tail = (1 - level) / 2
    point_group = quartile_codes(estimates[None, :])[0]
    out = pd.DataFrame(
        {
            _DOMAIN: provinces,
            "estimate": estimates,
            "se": np.sqrt(np.diag(cov)),
            "rank": (-estimates).argsort().argsort() + 1,
            "rank_low": np.quantile(ranks, tail, axis=0, method="lower").astype(int),
            "rank_high": np.quantile(ranks, 1 - tail, axis=0, method="higher").astype(int),
            "out_of": k,
            "group": point_group,
            "group_label": [GROUP_LABELS[language][g] for g in point_group],
        }
    )
    for g in (1, 2, 3, 4):
        out[f"p_group_{g}"] = (groups == g).mean(axis=0)
    out["composite"] = estimated.name
    out["draws"] = draws
    out["seed"] = seed
    return out.sort_values("rank", kind="stable").reset_index(drop=True)


def _province_influence(
    frame: pd.DataFrame, design: Design, composite: Composite, codes: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every province's composite and its linearised values as one column per province
    (rows x k, zero outside the province): one pass over the rows for all provinces."""
    theta, z, _ = influence_values(frame, design, composite.terms, codes, k)
    columns = np.where(codes[:, None] == np.arange(k)[None, :], z[:, None], 0.0)
    return theta + composite.constant, columns


def _linearised_differences(
    frame: pd.DataFrame, design: Design, composite: Composite, codes: np.ndarray, k: int
) -> dict[str, np.ndarray | float]:
    """estimate, overall, se and df of theta_p - theta_all, linearised as z_p - z_all."""
    estimates, z_by_province = _province_influence(frame, design, composite, codes, k)
    everyone = np.where(codes >= 0, 0, -1)
    overall, z_all, _ = influence_values(frame, design, composite.terms, everyone, 1)
    names = [f"__d{i}" for i in range(k)]
    differences = pd.DataFrame(z_by_province - z_all[:, None], columns=names, index=frame.index)
    work = pd.concat([frame[design.columns()], differences], axis=1)
    totals = total(work, design, names).set_index("variable").loc[names]
    return {
        "estimate": estimates,
        "overall": overall[0] + composite.constant,
        "se": totals["se"].to_numpy(),
        "df": totals["df"].to_numpy(dtype=float),
    }


def compare_to_all(
    frame: pd.DataFrame,
    design: Design | ReplicateDesign,
    instrument: PapiInstrument,
    *,
    levels: Sequence[str] = ("total", "dimension"),
    adjust: str = "holm",
    alpha: float = 0.05,
    language: str = "vi",
) -> pd.DataFrame:
    """Each province's composite minus the all-province value, design-based, adjusted.

    The difference theta_p - theta_all is linearised as z_p - z_all (so the province's
    overlap with the whole is accounted for, as `indices.compare_to_overall` does, which it
    equals), its SE is that of the total of the difference; on replicate weights (the
    design's, or built when a composite is nonlinear) the difference is recomputed on every
    replicate. p-values use t on the design df. One family: every province x composite of
    the chosen ``levels`` (Holm by default). Returns province, composite, label, estimate,
    overall, difference, se, t, df, p_value, p_adjusted, sig ("above" / "below" / ""),
    adjust.
    """
    parts = list(composites(instrument))
    chosen = [i for i, c in enumerate(parts) if c.level in levels]
    if not chosen:
        raise ParameterError(f"no composites at levels {list(levels)}", key="levels")
    codes, provinces = _codes(frame)
    k = len(provinces)
    variance = variance_design(frame, design, instrument)
    replicated, design_df = None, np.nan
    if isinstance(variance, ReplicateDesign):
        replicated = replicate_composites(frame, variance, parts, codes, k)
        design_df = float(replicated.design_df())
    frames = []
    for i in chosen:
        if replicated is None:
            assert isinstance(variance, Design)
            pieces = _linearised_differences(frame, variance, parts[i], codes, k)
        else:
            pieces = {
                "estimate": replicated.values[:, i, 0],
                "overall": replicated.overall[i, 0],
                "se": replicated.difference_se(i),
                "df": design_df,
            }
        frames.append(
            pd.DataFrame(
                {
                    _DOMAIN: provinces,
                    "composite": parts[i].key,
                    "label": parts[i].label.get(language),
                    "estimate": pieces["estimate"],
                    "overall": pieces["overall"],
                    "difference": pieces["estimate"] - pieces["overall"],  # type: ignore[operator]
                    "se": pieces["se"],
                    "df": pieces["df"],
                }
            )
        )
    result = pd.concat(frames, ignore_index=True)
    return mark_above_below(result, adjust=adjust, alpha=alpha)
