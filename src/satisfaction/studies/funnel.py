"""Funnel plots' numbers: which units' rates really differ from the rest (Spiegelhalter 2005).

A unit handling few dossiers swings widely by chance; one handling many does not. Control
limits around the pooled rate, as a function of volume, say how far a unit may stray by
chance alone: about 1 in 20 units falls outside the 95% limits and 1 in 500 outside the
99.8% limits when every unit has the same underlying rate. The limits are exact binomial
quantiles, interpolated so they run smoothly with volume (Spiegelhalter, "Funnel plots for
comparing institutional performance", Statistics in Medicine 2005, appendix A.1.1).

These describe process variation between units -- not sampling error: the dossiers are a
census. Units beyond the 99.8% limits are the ones worth asking about.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binom

from satisfaction.errors import InputError, ParameterError

__all__ = ["LEVELS", "funnel_limits", "funnel_points"]

LEVELS = (0.95, 0.998)


def _limit(probability: float, volumes: np.ndarray, target: float) -> np.ndarray:
    """The interpolated binomial quantile of `probability`, as a rate, for each volume."""
    r = binom.ppf(probability, volumes, target)
    above = binom.cdf(r, volumes, target)
    below = binom.cdf(r - 1, volumes, target)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(above > below, (above - probability) / (above - below), 0.0)
    return np.clip((r - alpha) / volumes, 0.0, 1.0)


def funnel_limits(
    target: float, volumes: Sequence[float] | np.ndarray, levels: Sequence[float] = LEVELS
) -> pd.DataFrame:
    """Control limits around `target` for each volume: columns volume, level, lower, upper."""
    if not 0 < target < 1:
        raise ParameterError(f"funnel_limits: target must be in (0, 1), got {target!r}")
    volumes = np.asarray(volumes, dtype=float)
    volumes = volumes[volumes >= 1]
    frames = []
    for level in levels:
        tail = (1 - level) / 2
        frames.append(
            pd.DataFrame(
                {
                    "volume": volumes,
                    "level": level,
                    "lower": _limit(tail, volumes, target),
                    "upper": _limit(1 - tail, volumes, target),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def funnel_points(
    data: pd.DataFrame,
    *,
    label: str,
    events: str,
    volume: str,
    levels: Sequence[float] = LEVELS,
    grid: int = 200,
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Each unit's rate against the pooled rate, and the limits to draw.

    `data` holds one row per unit with counts `events` out of `volume` (e.g. on-time out of
    settled dossiers). Returns (points, limits, target): points has label, volume, events,
    rate and `outside_<level>` ("above", "below" or "") for each level; limits is
    `funnel_limits` on a grid of volumes up to the largest unit; target is the pooled rate.
    """
    missing = [c for c in (label, events, volume) if c not in data.columns]
    if missing:
        raise InputError(f"funnel_points: no column {missing[0]!r}", column=missing[0])
    points = data.loc[data[volume] > 0, [label, events, volume]].copy()
    if points.empty:
        raise InputError("funnel_points: no unit has any dossier to compare")
    points = points.rename(columns={label: "label", events: "events", volume: "volume"})
    target = float(points["events"].sum() / points["volume"].sum())
    points["rate"] = points["events"] / points["volume"]
    if not 0 < target < 1:  # every unit at 0% or 100%: nothing differs
        for level in levels:
            points[f"outside_{level}"] = ""
        return points.reset_index(drop=True), pd.DataFrame(), target
    limits_here = funnel_limits(target, points["volume"].to_numpy(), levels)
    for level in levels:
        here = limits_here[limits_here["level"] == level].reset_index(drop=True)
        rate = points["rate"].to_numpy()
        points[f"outside_{level}"] = np.where(
            rate > here["upper"].to_numpy(),
            "above",
            np.where(rate < here["lower"].to_numpy(), "below", ""),
        )
    top = float(points["volume"].max()) * 1.05
    bottom = max(1.0, float(points["volume"].min()) * 0.5)
    volumes = np.unique(np.geomspace(bottom, max(top, bottom + 1), grid).round())
    return points.reset_index(drop=True), funnel_limits(target, volumes, levels), target
