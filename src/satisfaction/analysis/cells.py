"""The cells of a remediation plan, and each cell's comparison with its reference population.

A cell is one criterion in one field (and, for a whole-survey plan, optionally one province):
its satisfied share, SE, 95% CI, n, weighted N, design df and reliability flag, read from the
up-front estimates (`analysis.compute_estimates`). Its volume is the number of dossiers of the
field when the analyst gives them (`dossiers`), else the weighted number of respondents of
the field (the sample's N), which estimates the number of service users. `target_comparison`
is the design-based difference of each cell from its reference (the target ``"overall"`` of
`remediation.PriorityRule`).
"""

from __future__ import annotations

import pandas as pd

from satisfaction.analysis.estimates import ALL, Estimates, analysis_frame
from satisfaction.analysis.sampling import study_design
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.studies.indices import compare_to_overall, sat_column

__all__ = ["criterion_cells", "target_comparison"]


def _unit_keys(cells: pd.DataFrame) -> list[str]:
    return [c for c in ("province", "field") if c in cells.columns]


def criterion_cells(
    estimates: Estimates,
    *,
    province: str = ALL,
    by_province: bool = False,
    dossiers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The cells of a plan: every field x criterion of `province` (tidy, one row per cell).

    With `by_province` (whole-survey plans) the cells are province x field x criterion.
    Adds ``volume`` and ``volume_source``: the field's dossiers when `dossiers` is given (a
    frame with ``field``, optionally ``province``, and ``dossiers``), else the field's
    weighted respondents (``N`` of the sample table) -- "dossiers" or "weighted respondents".
    """
    criteria = estimates["criteria"]
    # a survey with no field column: the cells are the criteria of the whole unit
    in_field = criteria["field"] != ALL if estimates.fields else criteria["field"] == ALL
    if by_province:
        rows = (criteria["province"] != ALL) & in_field
    else:
        if province != ALL and province not in set(criteria["province"]):
            raise ParameterError(
                f"{province!r} is not in the survey; valid: {', '.join(estimates.provinces)}",
                key="parameter 'province'",
            )
        rows = (criteria["province"] == province) & in_field
    cells = criteria.loc[rows].reset_index(drop=True)
    if cells.empty:
        raise InputError("the estimates hold no field x criterion cell for this plan")
    keys = ["province", "field"]
    sample = estimates["sample"][[*keys, "N"]].rename(columns={"N": "volume"})
    cells = cells.merge(sample, on=keys, how="left")
    cells["volume_source"] = "weighted respondents"
    if dossiers is not None:
        cells = _with_dossiers(cells, dossiers)
    return cells


def _with_dossiers(cells: pd.DataFrame, dossiers: pd.DataFrame) -> pd.DataFrame:
    needed = [c for c in ("field", "dossiers") if c not in dossiers.columns]
    if needed:
        raise InputError("the dossier counts have no column", column=needed[0])
    keys = ["province", "field"] if "province" in dossiers.columns else ["field"]
    counts = dossiers[[*keys, "dossiers"]].copy()
    counts["dossiers"] = pd.to_numeric(counts["dossiers"], errors="coerce")
    if counts.duplicated(keys).any():
        row = counts.index[counts.duplicated(keys)][0]
        raise InputError("the dossier counts repeat a field", row=str(row), column="field")
    if (counts["dossiers"] < 0).any() or counts["dossiers"].isna().any():
        raise InputError("dossier counts must be numbers >= 0", column="dossiers")
    merged = cells.merge(counts, on=keys, how="left")
    lacking = sorted(set(merged.loc[merged["dossiers"].isna(), "field"]))
    if lacking:
        raise InputError(
            f"no dossier count for field(s) {', '.join(lacking)}: give every field of the plan",
            column="dossiers",
        )
    merged["volume"] = merged.pop("dossiers").astype(float)
    merged["volume_source"] = "dossiers"
    return merged


def target_comparison(
    data: pd.DataFrame,
    instrument: Instrument,
    *,
    by_field_only: bool = False,
    unit: str | None = None,
) -> pd.DataFrame:
    """Every cell's satisfied share minus that of its reference population, design-based.

    The reference of (province, field) is the field over all provinces; with
    `by_field_only` (whole-survey plans) the reference of a field is all fields. `data` is
    the clean frame or its `analysis_frame`. Returns ``province`` (``ALL`` with
    `by_field_only`), ``field``, ``variable``, ``overall`` (the reference value),
    ``difference``, ``se``, ``df`` (see `indices.compare_to_overall`).
    """
    frame = _analysis(data, instrument, unit)
    # the kind of sample's design: a quota poll's cells raked to its margins
    frame, design, _ = study_design(frame, instrument, frame.attrs.get("unit", unit))
    statistics = {sat_column(i.id): {sat_column(i.id): 1.0} for i in instrument.criteria}
    if by_field_only:
        result = compare_to_overall(frame, design, statistics, "field")
        result["province"] = ALL
    else:
        result = compare_to_overall(frame, design, statistics, "province", within="field")
    result = result.rename(columns={"statistic": "variable"})
    return result[["province", "field", "variable", "overall", "difference", "se", "df"]]


def _analysis(data: pd.DataFrame, instrument: Instrument, unit: str | None = None) -> pd.DataFrame:
    has_all = "province" in data.columns and "field" in data.columns
    if has_all and all(sat_column(i.id) in data.columns for i in instrument.criteria):
        return data
    return analysis_frame(data, instrument, unit=unit)
