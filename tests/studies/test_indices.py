"""Indices: means of criterion shares with their own denominators, matched to R's
svycontrast on svytotal (delta method) on the api data; hand computations; demo story."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import ParameterError
from satisfaction.stats.design import Design
from satisfaction.studies.indices import (
    IndexRules,
    compare_to_overall,
    criterion_indices,
    element_indices,
    linear_combination,
    overall_index,
    overall_terms,
    sat_column,
    satisfied_indicators,
)

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "tests" / "data" / "api"
GOLDEN = pd.read_csv(ROOT / "tests" / "r" / "indices_goldens.csv", keep_default_na=False)


def _prep(name: str) -> pd.DataFrame:
    d = pd.read_csv(API / f"{name}.csv")
    d["a"] = (d["sch.wide"] == "Yes").astype(float)
    d["b"] = (d["comp.imp"] == "Yes").astype(float)
    d["c"] = np.where(d["snum"] % 5 == 0, np.nan, (d["api00"] > 650).astype(float))
    return d


DESIGNS = {
    "clus": ("apiclus1", Design(psu="dnum", weight="pw", fpc="fpc")),
    "strat": ("apistrat", Design(strata="stype", weight="pw", fpc="fpc")),
}


def _golden(case: str, domain: str = "") -> tuple[float, float]:
    row = GOLDEN[(GOLDEN["case"] == case) & (GOLDEN["domain"] == domain)].iloc[0]
    return float(row["estimate"]), float(row["se"])


@pytest.mark.parametrize("design_name", ["clus", "strat"])
def test_mean_of_two_shares_matches_r_svycontrast(design_name):
    data_name, design = DESIGNS[design_name]
    result = linear_combination(_prep(data_name), design, {"a": 0.5, "b": 0.5})
    est, se = _golden(f"{design_name}_ab")
    assert result["estimate"].iloc[0] == pytest.approx(est, rel=1e-9)
    assert result["se"].iloc[0] == pytest.approx(se, rel=1e-6)


@pytest.mark.parametrize("design_name", ["clus", "strat"])
def test_shares_with_own_denominators_match_r_overall_and_by_domain(design_name):
    data_name, design = DESIGNS[design_name]
    terms = {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    data = _prep(data_name)
    overall = linear_combination(data, design, terms)
    est, se = _golden(f"{design_name}_abc")
    assert overall["estimate"].iloc[0] == pytest.approx(est, rel=1e-9)
    assert overall["se"].iloc[0] == pytest.approx(se, rel=1e-6)
    by = linear_combination(data, design, terms, by="stype").set_index("stype")
    for stype in ("E", "M", "H"):
        est, se = _golden(f"{design_name}_abc", stype)
        assert by.loc[stype, "estimate"] == pytest.approx(est, rel=1e-9)
        assert by.loc[stype, "se"] == pytest.approx(se, rel=1e-6)


@pytest.mark.parametrize("design_name", ["clus", "strat"])
def test_domain_minus_all_matches_r(design_name):
    data_name, design = DESIGNS[design_name]
    result = compare_to_overall(_prep(data_name), design, {"a": {"a": 1.0}}, "stype")
    row = result.set_index("stype").loc["E"]
    est, se = _golden(f"{design_name}_diffE", "E")
    assert row["difference"] == pytest.approx(est, rel=1e-9)
    assert row["se"] == pytest.approx(se, rel=1e-6)


def test_ignoring_the_clusters_does_not_give_the_reference_se():
    # negative test: the same weights without the PSUs understate the SE
    data_name, _ = DESIGNS["clus"]
    no_clusters = Design(weight="pw")
    result = linear_combination(
        _prep(data_name), no_clusters, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    )
    _, se = _golden("clus_abc")
    assert result["se"].iloc[0] < 0.8 * se


def test_mean_of_shares_equals_hand_computation_under_srs():
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.integers(0, 2, size=(50, 3)).astype(float), columns=["x", "y", "z"])
    data.loc[[3, 8, 20], "y"] = np.nan
    design = Design()
    result = linear_combination(data, design, {"x": 0.5, "y": 0.25, "z": 0.25})
    p = {c: data[c].mean() for c in "xyz"}
    assert result["estimate"].iloc[0] == pytest.approx(0.5 * p["x"] + 0.25 * (p["y"] + p["z"]))
    # influence values by hand, variance of a total under SRS with replacement
    z = sum(
        a * np.where(data[c].notna(), data[c].fillna(0) - p[c], 0) / data[c].notna().sum()
        for c, a in {"x": 0.5, "y": 0.25, "z": 0.25}.items()
    )
    n = len(data)
    variance = n / (n - 1) * np.sum((z - z.mean()) ** 2)
    assert result["se"].iloc[0] == pytest.approx(np.sqrt(variance), rel=1e-10)
    assert result["n"].iloc[0] == 50


# ----------------------------------------------------------------------------- on the demo
@pytest.fixture(scope="module")
def demo_frame(demo_survey, demo_instrument):
    from satisfaction.cleaning.rules import clean

    data = clean(demo_survey.raw, demo_instrument).data
    return satisfied_indicators(data, demo_instrument)


@pytest.fixture(scope="module")
def demo_design(demo_instrument):
    from satisfaction.studies.indices import design_of

    return design_of(demo_instrument)


def test_satisfied_indicator_follows_the_scale(demo_frame):
    codes = demo_frame["c1_1"]
    sat = demo_frame[sat_column("c1_1")]
    assert (sat[codes.isin([4, 5]).fillna(False)] == 1).all()
    assert (sat[codes.isin([1, 2, 3]).fillna(False)] == 0).all()
    assert sat[codes.isna()].isna().all()


def test_element_mean_of_criteria_equals_mean_of_criterion_indices(
    demo_frame, demo_design, demo_instrument
):
    criteria = criterion_indices(demo_frame, demo_design, demo_instrument, by="linh_vuc")
    elements = element_indices(demo_frame, demo_design, demo_instrument, by="linh_vuc")
    for (field, group), part in criteria.groupby(["linh_vuc", "group"]):
        element = elements[(elements["linh_vuc"] == field) & (elements["group"] == group)]
        assert element["estimate"].iloc[0] == pytest.approx(part["estimate"].mean(), rel=1e-12)
    assert set(elements["rule"]) == {"mean_of_criteria"}


def test_overall_mean_of_elements_weights_each_element_equally(demo_instrument):
    terms = overall_terms(demo_instrument, IndexRules())
    # E1 has 4 criteria, E3 has 6: each E1 criterion weighs 1/20, each E3 criterion 1/30
    assert terms[sat_column("c1_1")] == pytest.approx(1 / 20)
    assert terms[sat_column("c3_1")] == pytest.approx(1 / 30)
    assert sum(terms.values()) == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="not a linear combination"):
        overall_terms(demo_instrument, IndexRules(element="pooled"))


def test_demo_story_land_lowest_civil_registration_highest(
    demo_frame, demo_design, demo_instrument
):
    overall = overall_index(demo_frame, demo_design, demo_instrument, by="linh_vuc")
    ranked = overall.sort_values("estimate")["linh_vuc"].tolist()
    assert ranked[0] == "Đất đai" and ranked[-1] == "Hộ tịch"
    assert overall["se"].gt(0).all() and overall["reliable"].all()


def test_cluster_design_se_exceeds_srs_se(demo_frame, demo_design, demo_instrument):
    clustered = overall_index(demo_frame, demo_design, demo_instrument)
    srs = overall_index(demo_frame, Design(weight="trong_so"), demo_instrument)
    assert clustered["se"].iloc[0] > 1.5 * srs["se"].iloc[0]
    assert clustered["estimate"].iloc[0] == pytest.approx(srs["estimate"].iloc[0])


def test_compare_finds_vinh_long_below_on_civil_servants(demo_frame, demo_design, demo_instrument):
    frame = demo_frame.copy()
    frame["province"] = frame["tinh"].replace({"Trà Vinh": "Vĩnh Long", "Hải Dương": "Hải Phòng"})
    e3 = {
        sat_column(i.id): 1 / 6 for i in demo_instrument.items_with(role="criterion", group="E3")
    }
    result = compare_to_overall(frame, demo_design, {"E3": e3}, "province").set_index("province")
    assert result.loc["Vĩnh Long", "sig"] == "below"
    assert result.loc["Vĩnh Long", "p_adjusted"] < 0.001
    assert set(result["adjust"]) == {"holm"}


def test_criteria_in_no_group_give_a_clear_instrument_error(
    demo_frame, demo_design, demo_instrument
):
    import dataclasses

    from satisfaction.errors import InstrumentError

    ungrouped = dataclasses.replace(
        demo_instrument,
        items=tuple(dataclasses.replace(i, group=None) for i in demo_instrument.items),
    )
    with pytest.raises(InstrumentError, match="groups: no group holds criteria"):
        element_indices(demo_frame, demo_design, ungrouped)
