"""The PAPI-style demo: a seeded three-wave survey with PAPI's design, whose pre-2025 wave
re-estimated under the 34 provinces differs from averaging the old provinces' indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction.demo.papi import (
    OLD_PROVINCES,
    PAPI_WAVES,
    generate_papi_wave,
    papi_demo_instrument,
)
from satisfaction.errors import ParameterError
from satisfaction.io.papi_instrument import papi_instrument_from_dict
from satisfaction.stats.design import Design
from satisfaction.studies.papi_composites import composite_scores, papi_frame
from satisfaction.studies.papi_geography import published_under_current_34

INSTRUMENT = papi_instrument_from_dict(papi_demo_instrument())
DESIGN = Design(weight="trong_so", strata="tang", psu="ma_psu")


@pytest.fixture(scope="module")
def wave_2024():
    return generate_papi_wave(2024)


def test_waves_are_seeded_and_follow_the_geography_of_their_year(wave_2024):
    pd.testing.assert_frame_equal(wave_2024, generate_papi_wave(2024))
    assert set(wave_2024["tinh"]) == {p.name for p in OLD_PROVINCES}
    later = generate_papi_wave(2025)
    assert set(later["tinh"]) == {"Hà Nội", "Hải Phòng", "Vĩnh Long", "Đắk Lắk"}
    assert PAPI_WAVES[2024] == "historical_63" and PAPI_WAVES[2026] == "current_34"
    assert not later.equals(generate_papi_wave(2026))


def test_design_has_certainty_strata_pps_strata_and_weights_summing_to_adults(wave_2024):
    psus = wave_2024.groupby("tang")["ma_psu"].nunique()
    assert (psus >= 2).all()  # every stratum can give a variance
    assert any(s.endswith("chắc chắn") for s in psus.index)
    assert any(s.endswith("PPS") for s in psus.index)
    weights = wave_2024.groupby("tinh")["trong_so"].sum()
    for province in OLD_PROVINCES:
        assert weights[province.name] == pytest.approx(province.population * 0.7e6, rel=1e-9)
    assert wave_2024.groupby("tinh").size()["Hà Nội"] == 6 * 2 * 2 * 24
    missing = wave_2024[[i.id for i in INSTRUMENT.indicators]].isna().mean().mean()
    assert 0.02 < missing < 0.06  # "don't know" answers: each indicator its own denominator


def _pooled_total_by_hand(data: pd.DataFrame, provinces: list[str]) -> float:
    rows = data[data["tinh"].isin(provinces)]
    total = 0.0
    for dim in INSTRUMENT.dimensions:
        for sub in dim.sub_dimensions:
            rescaled = []
            for ind in sub.indicators:
                valid = rows[ind.id].notna()
                mean = np.average(rows.loc[valid, ind.id], weights=rows.loc[valid, "trong_so"])
                share = (mean - ind.low) / (ind.high - ind.low)
                share = share if ind.direction == "positive" else 1 - share
                rescaled.append(1 + 9 * share)
            total += np.mean(rescaled) / len(dim.sub_dimensions)
    return total


def test_2024_under_the_34_is_re_estimated_not_averaged(wave_2024):
    old = composite_scores(
        papi_frame(wave_2024, INSTRUMENT, DESIGN, collected="historical_63"), DESIGN, INSTRUMENT
    )
    new = composite_scores(
        papi_frame(wave_2024, INSTRUMENT, DESIGN, collected="historical_63",
                   geography="current_34"), DESIGN, INSTRUMENT,
    )  # fmt: skip
    old_total = old[old["composite"] == "total"].set_index("province")["estimate"]
    new_total = new[new["composite"] == "total"].set_index("province")
    assert (new["geography"] == "current_34").all()
    merged = {
        "Hải Phòng": ["Hải Dương", "Hải Phòng"],
        "Vĩnh Long": ["Bến Tre", "Trà Vinh", "Vĩnh Long"],
        "Đắk Lắk": ["Phú Yên", "Đắk Lắk"],
    }
    for province, parts in merged.items():
        estimate = new_total.loc[province, "estimate"]
        # the toolkit's figure is the estimate from the pooled microdata and weights ...
        assert estimate == pytest.approx(_pooled_total_by_hand(wave_2024, parts), rel=1e-12)
        # ... which is not the average of the old provinces' indices
        assert abs(estimate - old_total[parts].mean()) > 0.05
    gap = new_total.loc["Đắk Lắk", "estimate"] - old_total[merged["Đắk Lắk"]].mean()
    assert abs(gap) > new_total.loc["Đắk Lắk", "se"]  # larger than its margin's SE
    # an unchanged province keeps its index
    assert new_total.loc["Hà Nội", "estimate"] == pytest.approx(old_total["Hà Nội"])
    # and averaging the old provinces' indices is refused
    table = old[old["composite"] == "total"].assign(
        year=2024, level="total", dimension_id="total", dimension="total",
        sub_dimension_key=None, score=lambda f: f["estimate"],
        province_code=lambda f: f["province"].map(_codes()),
    )  # fmt: skip
    with pytest.raises(ParameterError, match="Re-estimate the earlier wave"):
        published_under_current_34(table)


def _codes() -> dict[str, str]:
    from satisfaction.io.geography import province_mapping

    mapping = province_mapping()
    return dict(zip(mapping["old_name"], mapping["old_code"], strict=True))
