"""Quota samples: each quota cell a stratum, pooled figures raked to declared margins.

A quota poll fills set numbers of forms per cell (respondent group x commune, say). Inside
a cell nothing is known about how respondents were picked; the working model behind the
*reference* intervals is the one the AAPOR task force (2013) calls quasi-randomisation:
random selection inside each cell. Under it a quota sample is a stratified sample with
cells as strata, so :func:`quota_design` declares exactly that (each respondent its own
PSU). A figure pooled across cells is only meaningful with the population's make-up: with
declared margins the design is raked to them (`stats.weighting.rake`, R's ``rake``; the
calibration is kept so standard errors account for it); without margins the design stays
unweighted and pooled figures are suppressed by the caller (`kinds.finish_estimates`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from satisfaction.errors import InstrumentError
from satisfaction.stats.design import Design
from satisfaction.stats.weighting import rake

__all__ = ["QUOTA_CELL", "RAKED_WEIGHT", "match_margins", "quota_design"]

#: The column holding each respondent's quota cell (the strata of the quota design).
QUOTA_CELL = "_quota_cell"
#: The column holding the weights raked to the declared margins.
RAKED_WEIGHT = "_quota_weight"


def _key(value: object) -> str:
    return unicodedata.normalize("NFC", str(value)).strip().casefold()


def match_margins(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    margins: Mapping[str, Mapping[str, float]],
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, dict[str, float]]:
    """The declared margins keyed by analysis column and by the values in the data.

    ``columns`` maps a quota role to its analysis column; ``aliases`` maps a role to other
    spellings of its categories (codes, English labels) -> the value in the data. Categories
    are matched after NFC and case folding. A declared category absent from the data, or a
    category of the data with no count, is an `InstrumentError` naming ``sample.margins``.
    """
    out: dict[str, dict[str, float]] = {}
    problems: list[str] = []
    for role, counts in margins.items():
        column = columns[role]
        present = frame[column].dropna().astype(str)
        values = {_key(v): v for v in present.unique()}
        for alias, value in (aliases or {}).get(role, {}).items():
            values.setdefault(_key(alias), value)
        matched: dict[str, float] = {}
        for category, count in counts.items():
            value = values.get(_key(category))
            if value is None:
                problems.append(f"{role}.{category}: not found in the data")
                continue
            matched[value] = matched.get(value, 0.0) + float(count)
        lacking = sorted(set(present.unique()) - set(matched))
        if lacking:
            problems.append(f"{role}: no population count for {', '.join(map(repr, lacking))}")
        out[column] = matched
    if problems:
        raise InstrumentError("; ".join(problems), key="sample.margins")
    return out


def quota_design(
    frame: pd.DataFrame,
    cells: Sequence[str],
    margins: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[pd.DataFrame, Design]:
    """The design of a quota sample: quota cells as strata, raked to ``margins`` if given.

    ``cells``: the analysis columns of the quota variables (rows missing one of them form a
    cell of their own); ``margins``: {column: {value: population count}} (`match_margins`).
    Returns the frame with `QUOTA_CELL` (and `RAKED_WEIGHT`) added, and its `Design`.
    """
    out = frame.copy()
    if cells:
        parts = [out[c].astype("string").fillna("?") for c in cells]
        label = parts[0]
        for part in parts[1:]:
            label = label + " | " + part
        out[QUOTA_CELL] = label.astype(str)
    else:
        out[QUOTA_CELL] = "all"
    # a cell of one respondent says nothing about its spread: R's "adjust" centres it on the
    # grand mean, which widens rather than hides (such cells are flagged n < min_n anyway)
    design = Design(strata=QUOTA_CELL, lonely_psu="adjust")
    if not margins:
        return out, design
    # R's rake(control = list(maxit, epsilon)) with a tight fit: margins are exact counts
    raked, design = rake(
        out, design, dict(margins), max_iter=200, tol=1e-9, weight_name=RAKED_WEIGHT
    )
    if not np.isfinite(raked[RAKED_WEIGHT].to_numpy(dtype=float)).all():
        raise InstrumentError("raking to the declared margins failed", key="sample.margins")
    return raked, design
