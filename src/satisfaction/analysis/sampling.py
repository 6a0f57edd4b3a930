"""The design each kind of sample is estimated under, and what its frames may then show.

`study_design` gives the analysis frame and the `Design` of the instrument's kind of sample:
the declared design (probability), quota cells as strata raked to declared margins (quota,
`studies.quota`), or none -- each respondent its own unit, every form counted once
(convenience, census). `finish_frames` reduces every estimates frame to what the kind may
claim (`studies.kinds.finish_estimates`), and `pooled_rows` finds the rows of a quota sample
that pool several quota cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.analysis.frame import ALL, role_aliases, role_column
from satisfaction.io.instrument import Instrument
from satisfaction.stats.design import Design
from satisfaction.studies import kinds
from satisfaction.studies.indices import design_of
from satisfaction.studies.quota import match_margins, quota_design

__all__ = ["finish_frames", "pooled_rows", "study_design"]

# frames whose rows are not estimates (the sample table) or that hold comparisons
_NOT_ESTIMATES = ("sample",)
_COMPARISONS = ("compare_province", "compare_province_field", "compare_field")


def study_design(
    frame: pd.DataFrame, instrument: Instrument, unit: str | None
) -> tuple[pd.DataFrame, Design, dict[str, Any]]:
    """The analysis frame (quota cells and weights added), the design, and the study meta."""
    study = instrument.study
    meta = kinds.study_meta(instrument, unit=unit)
    if study.kind == "probability":
        return frame, design_of(instrument) or Design(), meta
    if study.kind != "quota":
        return frame, Design(), meta
    columns = {role: role_column(instrument, role, unit) for role in study.quota}
    meta["quota_columns"] = columns
    margins = None
    if study.margins is not None:
        aliases = {role: role_aliases(instrument, role) for role in study.margins.counts}
        margins = match_margins(frame, columns, study.margins.counts, aliases)
    frame, design = quota_design(frame, list(columns.values()), margins)
    return frame, design, meta


def pooled_rows(frame: pd.DataFrame, study: Mapping[str, Any]) -> np.ndarray | None:
    """Rows of a quota sample's estimates that pool quota cells with no margins declared.

    A row stays within one quota cell when it fixes every quota variable: the unit
    (``province`` not `ALL`) or a breakdown (``breakdown`` naming the variable's column).
    With margins declared, or for any other kind, nothing is suppressed (None).
    """
    if study.get("kind") != "quota" or study.get("margins"):
        return None
    columns: dict[str, str] = study.get("quota_columns") or {}
    fixed = np.ones(len(frame), dtype=bool)
    for column in columns.values():
        if column == "province":
            here = (frame["province"] != ALL).to_numpy() if "province" in frame else False
        elif "breakdown" in frame.columns:
            here = (frame["breakdown"] == column).to_numpy(dtype=bool, na_value=False)
        else:
            here = np.zeros(len(frame), dtype=bool)
        fixed &= here
    return ~fixed


def finish_frames(
    frames: dict[str, pd.DataFrame], study: Mapping[str, Any], min_n: int
) -> dict[str, pd.DataFrame]:
    """Every frame reduced to what the study's kind may claim (probability: unchanged).

    Comparisons keep their differences and lose their tests unless the sample is a
    probability sample: a difference between units of a quota or self-selected sample is a
    difference between those who answered, not evidence about the population.
    """
    kind = str(study.get("kind"))
    if kind == "probability":
        return frames
    out: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        if name in _NOT_ESTIMATES or frame.empty:
            out[name] = frame
        elif name in _COMPARISONS:
            out[name] = _differences_only(frame, pooled_rows(frame, study))
        else:
            out[name] = kinds.finish_estimates(
                frame, kind, min_n=min_n, pooled=pooled_rows(frame, study)
            )
    return out


def _differences_only(frame: pd.DataFrame, pooled: np.ndarray | None) -> pd.DataFrame:
    out = frame.copy()
    for column in ("se", "t", "df", "p_value", "p_adjusted"):
        if column in out.columns:
            out[column] = np.nan
    if "sig" in out.columns:
        out["sig"] = ""
    if pooled is not None and pooled.any():
        out.loc[pooled, ["estimate", "overall", "difference"]] = np.nan
    return out
