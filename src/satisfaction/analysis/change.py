"""Change since the last wave, and the method breaks that forbid computing it.

Change since the last wave (`change_since`): two independent samples of the SAME instrument
version: second - first per cell, se = sqrt(se1^2 + se2^2), t on the Satterthwaite df,
adjusted across the family (`estimate.difference_independent`; R: ``svycontrast`` on two
``svyby`` results). Waves of different instrument versions, criteria or scale definitions
are a method break: `MethodBreakError` refuses the comparison and says why
(`check_comparable`). Both waves must be in the same geography (the previous wave recomputed
from its microdata in the current provinces, never by averaging published indices of merged
provinces). `remediation` adds the change to the cells of a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.analysis.estimates import ALL, Estimates
from satisfaction.errors import ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.stats.estimate import adjust_pvalues, difference_independent

__all__ = [
    "MethodBreakError",
    "change_since",
    "check_comparable",
    "primary_comparison",
]


class MethodBreakError(ParameterError):
    """Two waves measured differently (instrument version, criteria, scale): not comparable."""


def _criterion_scales(instrument: Instrument) -> dict[str, tuple[Any, ...]]:
    out = {}
    for item in instrument.criteria:
        scale = instrument.scale_of(item)
        out[item.id] = (
            item.group,
            scale.codes,
            tuple(sorted(scale.satisfied)),
            tuple(sorted(scale.neutral)),
            scale.neutral_in_denominator,
        )
    return out


def check_comparable(
    current: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    current_instrument: Instrument | None = None,
    previous_instrument: Instrument | None = None,
) -> None:
    """Refuse a naive comparison of two waves measured differently.

    `current` / `previous` are the estimates' ``meta``. Raises `MethodBreakError` when the
    instrument versions differ (a method break: SIPAS 2021 -> 2022 moved from people who had
    just used a service to a household sample, so the published fall from 85.5% to 80.1% mixes
    a change of method with any change of service), or when the instruments (if given) differ
    in their criteria or in the scales and satisfied codes of their criteria. Raises
    `ParameterError` when the geographies or the aggregation rules differ, or when both are
    the same wave.
    """
    name_now = f"{current.get('survey')} ({current.get('year')})"
    name_before = f"{previous.get('survey')} ({previous.get('year')})"
    if current.get("survey") == previous.get("survey") and current.get("year") == previous.get(
        "year"
    ):
        raise ParameterError(
            f"the previous wave {name_before} is the current survey itself",
            key="parameter 'previous_wave'",
        )
    version_now, version_before = (
        current.get("instrument_version"),
        previous.get("instrument_version"),
    )
    if version_now != version_before:
        raise MethodBreakError(
            f"method break: {name_before} uses instrument version {version_before!r} and "
            f"{name_now} version {version_now!r}; a naive change between them would mix a "
            "change of method (sample, questions, scale) with a change of satisfaction -- as "
            "SIPAS 2021 -> 2022, which moved from service users to a household sample. "
            "Compare waves of one version, or re-estimate both under one method",
            key="parameter 'previous_wave'",
        )
    if current_instrument is not None and previous_instrument is not None:
        scales_now = _criterion_scales(current_instrument)
        scales_before = _criterion_scales(previous_instrument)
        if set(scales_now) != set(scales_before):
            only = sorted(set(scales_now) ^ set(scales_before))
            raise MethodBreakError(
                f"method break: {name_before} and {name_now} do not ask the same criteria "
                f"({', '.join(only[:5])} in one only) although both claim version "
                f"{version_now!r}; their indices are not comparable",
                key="parameter 'previous_wave'",
            )
        changed = sorted(k for k in scales_now if scales_now[k] != scales_before[k])
        if changed:
            raise MethodBreakError(
                f"method break: the scale, satisfied codes or element of criterion "
                f"{changed[0]} differ between {name_before} and {name_now}; a satisfied share "
                "counted differently is not comparable",
                key="parameter 'previous_wave'",
            )
    kind_now = (current.get("study") or {}).get("kind", current.get("study_kind"))
    kind_before = (previous.get("study") or {}).get("kind", previous.get("study_kind"))
    if kind_now and kind_before and kind_now != kind_before:
        raise MethodBreakError(
            f"method break: {name_before} is a {kind_before} sample and {name_now} a "
            f"{kind_now} sample; their shares describe different things and are not compared",
            key="parameter 'previous_wave'",
        )
    if current.get("geography") != previous.get("geography"):
        raise ParameterError(
            f"{name_before} is in geography {previous.get('geography')!r} and {name_now} in "
            f"{current.get('geography')!r}: recompute the previous wave from its microdata "
            "in the current provinces (never average published indices of merged provinces)",
            key="parameter 'previous_wave'",
        )
    for key in ("element_rule", "overall_rule"):
        if current.get(key) != previous.get(key):
            raise ParameterError(
                f"{name_before} was estimated with {key} {previous.get(key)!r} and {name_now} "
                f"with {current.get(key)!r}: estimate both with one rule",
                key="parameter 'previous_wave'",
            )


def change_since(
    current: Estimates,
    previous: Estimates,
    *,
    frame: str = "criteria",
    province: str | None = None,
    current_instrument: Instrument | None = None,
    previous_instrument: Instrument | None = None,
    adjust: str = "holm",
    alpha: float = 0.05,
    level: float = 0.95,
) -> pd.DataFrame:
    """Change of every cell of `frame` ("criteria", "elements" or "overall") between waves.

    Checks the waves are comparable first (`check_comparable`). Cells are matched on
    province, field and variable (a cell found in one wave only is left out); `province`
    keeps one province (with all its fields, and ``ALL``). p-values are adjusted across the
    rows returned (one family). Returns ``province``, ``field``, ``variable`` (then ``item``,
    ``group``, ``label`` when the frame has them), ``previous``, ``current``, ``change``,
    ``se``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p_value``, ``p_adjusted``, ``sig``
    ("up", "down" or ""), ``reliable`` (both waves' estimates reliable) and ``suppressed``
    (fewer than `min_n` respondents in a wave: no interval, no test; see `_suppress_tiny`).
    """
    check_comparable(
        current.meta,
        previous.meta,
        current_instrument=current_instrument,
        previous_instrument=previous_instrument,
    )
    keys = ["province", "field", "variable"]
    now, before = current[frame], previous[frame]
    if province is not None:
        now = now[now["province"] == province]
        before = before[before["province"] == province]
    diff = difference_independent(before, now, on=keys, level=level)
    diff = diff.rename(
        columns={
            "estimate_first": "previous",
            "estimate_second": "current",
            "estimate": "change",
            "statistic": "t",
        }
    )
    labels = [c for c in ("item", "group", "label") if c in now.columns]
    flags = now[[*keys, "reliable", "n", *labels]].merge(
        before[[*keys, "reliable", "n"]], on=keys, suffixes=("", "_previous")
    )
    diff = diff.merge(flags, on=keys, how="left")
    diff["reliable"] = diff["reliable"].fillna(False).astype(bool) & diff[
        "reliable_previous"
    ].fillna(False).astype(bool)
    diff = _suppress_tiny(diff, _min_n(current, previous))
    if (current.meta.get("study") or {}).get("kind", "probability") != "probability":
        # two waves of a quota or self-selected sample: the change is a difference between
        # those who answered, with no interval and no test (studies.kinds)
        diff[["se", "ci_low", "ci_high", "t", "df", "p_value"]] = np.nan
    diff["p_adjusted"] = adjust_pvalues(diff["p_value"], method=adjust)
    significant = diff["p_adjusted"] < alpha
    diff["sig"] = np.where(
        significant & (diff["change"] > 0),
        "up",
        np.where(significant & (diff["change"] < 0), "down", ""),
    )
    columns = [
        *keys,
        *labels,
        "previous",
        "current",
        "change",
        "se",
        "ci_low",
        "ci_high",
        "t",
        "df",
        "p_value",
        "p_adjusted",
        "sig",
        "reliable",
        "suppressed",
    ]
    out = diff[columns].reset_index(drop=True)
    out.attrs["previous_year"] = previous.meta.get("year")
    out.attrs["current_year"] = current.meta.get("year")
    return out


def _min_n(current: Estimates, previous: Estimates) -> int:
    """The smallest n either wave publishes (its `min_n` option; 30 when not recorded)."""
    values = [(wave.meta.get("options") or {}).get("min_n") for wave in (current, previous)]
    known = [int(v) for v in values if v is not None]
    return max(known) if known else 30


def _suppress_tiny(diff: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """A cell with fewer than `min_n` respondents in either wave has no interval and no test
    (`suppressed`; its p-value is not counted in the family), and every interval stays within
    the range a change of shares can take, [-1, 1]: a domain of 2-4 respondents has a design
    df of 1 or 2 and a t interval of several hundred points, which must never reach a reader.
    """
    out = diff.copy()
    tiny = (out["n"].fillna(0) < min_n) | (out["n_previous"].fillna(0) < min_n)
    out["suppressed"] = tiny.to_numpy()
    for column in ("ci_low", "ci_high", "t", "p_value"):
        out[column] = out[column].where(~tiny)
    out["reliable"] = out["reliable"] & ~tiny
    out["ci_low"] = out["ci_low"].clip(lower=-1.0, upper=1.0)
    out["ci_high"] = out["ci_high"].clip(lower=-1.0, upper=1.0)
    return out


def primary_comparison(change: pd.DataFrame, *, adjust: str, alpha: float) -> pd.DataFrame:
    """The change of the overall index over all fields is a plan's one primary comparison:
    its p-value is not adjusted (so it agrees with its interval), and the fields' changes of
    the overall index form their own family. Adds ``primary``."""
    out = change.copy()
    primary = (out["field"] == ALL).to_numpy()
    out["primary"] = primary
    out.loc[primary, "p_adjusted"] = out.loc[primary, "p_value"]
    if (~primary).any():
        out.loc[~primary, "p_adjusted"] = adjust_pvalues(
            out.loc[~primary, "p_value"].to_numpy(dtype=float), method=adjust
        )
    significant = out["p_adjusted"] < alpha
    out["sig"] = np.where(
        significant & (out["change"] > 0),
        "up",
        np.where(significant & (out["change"] < 0), "down", ""),
    )
    return out
