"""Published PAPI-style scores and the 2025 reorganisation (63 -> 34 provinces).

A merged province's index for a year before 2025 is NOT the average of its old provinces'
published indices: each published index is a weighted mean over its own province's sample
and population, built from indicator shares rescaled and summed; averaging them gives each
old province the same say whatever its population, and it cannot be given an uncertainty.
The right number is re-estimated from the earlier wave's microdata and weights with the
provinces recoded to the 34 (``satisfaction.studies.papi_composites`` does that).

`published_under_current_34` therefore refuses, with that reason and what to do instead,
unless the caller declares population weights for the old provinces; then it returns the
population-weighted mean of the published scores, labelled an approximation on every row.
The 11 provinces the reorganisation left unchanged keep their published scores as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.geography import province_mapping, standardise_province

__all__ = ["APPROXIMATION_NOTE", "REFUSAL", "published_under_current_34"]

REFUSAL = (
    "averaging the published indices of provinces merged in 2025 does not give the merged "
    "province's index: each published index is a weighted estimate over its own province's "
    "sample, so a plain average gives a small province the weight of a large one and has no "
    "margin of error. Re-estimate the earlier wave under the 34 provinces from its "
    "microdata and weights (papi_composites.composite_scores with geography='current_34'), "
    "or declare population weights (population_weights={old province: population}) to get "
    "a population-weighted average labelled as an approximation"
)
APPROXIMATION_NOTE = {
    "vi": (
        "Xấp xỉ: bình quân gia quyền theo dân số của điểm công bố các tỉnh cũ (trước "
        "01/7/2025), không phải chỉ số ước lượng lại từ dữ liệu gốc; không có sai số."
    ),
    "en": (
        "Approximation: population-weighted mean of the old provinces' published scores "
        "(before 1 July 2025), not an index re-estimated from microdata; no margin of error."
    ),
}

_INCOMPLETE = {
    "vi": "{absent}: không được công bố năm {year}; không tính điểm cho tỉnh sau sáp nhập.",
    "en": "{absent}: not published in {year}; no score for the merged province.",
}


def _weights_by_code(population_weights: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, weight in population_weights.items():
        found = standardise_province(name)
        if not found.matched or found.code_63 is None:
            raise ParameterError(
                f"population weight for {name!r}: not one of the 63 pre-2025 provinces",
                key="population_weights",
            )
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
            raise ParameterError(
                f"population weight for {name!r} must be a positive number, got {weight!r}",
                key="population_weights",
            )
        out[found.code_63] = float(weight)
    return out


def published_under_current_34(
    tidy: pd.DataFrame,
    *,
    population_weights: Mapping[str, float] | None = None,
    version: str = "2025-07-01",
    language: str = "vi",
) -> pd.DataFrame:
    """Published scores re-grouped under the 34 provinces, or a refusal that says why.

    Without ``population_weights``, raises ``ParameterError`` (`REFUSAL`) as soon as the
    table holds a province merged in ``version``'s reorganisation. With them (every old
    province of every merged unit in the table needs a positive weight), returns year,
    province_code, province (the 34), level, dimension_id, dimension, sub_dimension_key,
    score, old_provinces, approximation (True for merged units), note, mapping_version.
    A merged unit one of whose old provinces was not published that year gets no score
    (a part is not the whole), and its note says which province is missing.
    """
    mapping = province_mapping(version).set_index("old_code")
    codes = tidy["province_code"].astype(str)
    unknown = sorted(set(codes) - set(mapping.index))
    if unknown:
        raise ParameterError(f"province codes {unknown} are not pre-2025 codes", key="tidy")
    merged_units = set(mapping.loc[mapping["territory_changed"], "new_code"])
    work = tidy.assign(
        new_code=codes.map(mapping["new_code"]), new_name=codes.map(mapping["new_name"])
    )
    if population_weights is None and work["new_code"].isin(merged_units).any():
        raise ParameterError(REFUSAL, key="population_weights")
    weights = _weights_by_code(population_weights or {})
    needed = sorted(set(codes[work["new_code"].isin(merged_units)]) - set(weights))
    if needed:
        names = ", ".join(mapping.loc[c, "old_name"] for c in needed[:8])
        raise ParameterError(
            f"population weights missing for {len(needed)} merged provinces: {names}",
            key="population_weights",
        )
    work["weight"] = codes.map(weights).fillna(1.0)
    work = work.dropna(subset=["score"]).sort_values("province_code", kind="stable")
    keys = ["year", "new_code", "new_name", "level", "dimension_id", "dimension"]
    work["sub_dimension_key"] = work["sub_dimension_key"].fillna("")
    keys.append("sub_dimension_key")
    work["weighted"] = work["score"] * work["weight"]
    grouped = work.groupby(keys, sort=True, dropna=False)
    out = grouped.agg(
        weighted=("weighted", "sum"),
        weight=("weight", "sum"),
        parts=("province", "size"),
        old_provinces=("province", lambda s: ", ".join(s)),
    ).reset_index()
    out["score"] = out["weighted"] / out["weight"]
    out["approximation"] = out["new_code"].isin(merged_units)
    out["note"] = np.where(out["approximation"], APPROXIMATION_NOTE[language], "")
    members = mapping.reset_index().groupby("new_code")["old_name"].agg(list)
    incomplete = out["parts"] < out["new_code"].map(members.str.len())
    for i in out.index[incomplete]:
        absent = [p for p in members[out.at[i, "new_code"]] if p not in out.at[i, "old_provinces"]]
        out.at[i, "score"] = np.nan
        template = _INCOMPLETE["en" if language == "en" else "vi"]
        out.at[i, "note"] = template.format(absent=", ".join(absent), year=out.at[i, "year"])
    out["mapping_version"] = version
    out = out.rename(columns={"new_code": "province_code", "new_name": "province"})
    return out.drop(columns=["weighted", "weight", "parts"])
