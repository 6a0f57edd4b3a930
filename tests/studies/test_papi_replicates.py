"""PAPI-style composites on replicate weights against R (tests/r/papi_replicate_goldens.R):
linear composites as svycontrast on the svrepdesign, a min-max rescaling over the provinces
through withReplicates, the replicate covariance behind rank intervals, and comparisons with
all provinces recomputed on every replicate."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction import ReplicateDesign, make_replicate_weights
from satisfaction.errors import ParameterError
from satisfaction.io.papi_instrument import papi_instrument_from_dict
from satisfaction.stats.design import Design
from satisfaction.studies.papi_composites import (
    compare_to_all,
    composite_covariance,
    composite_scores,
    composites,
    rank_uncertainty,
)
from satisfaction.studies.papi_replicates import variance_design, variance_method

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "tests" / "data" / "api"
GOLDEN = ROOT / "tests" / "r" / "papi_replicate_goldens.csv"
CASES = ["jkn_strat", "jk1_clus", "jk1_clus2", "boot_clus"]
TAYLOR = {
    "jkn_strat": ("apistrat", Design(strata="stype", weight="pw", fpc="fpc"), "JKn"),
    "jk1_clus": ("apiclus1", Design(psu="dnum", weight="pw", fpc="fpc"), "JK1"),
    "jk1_clus2": (
        "apiclus2",
        Design(psu="dnum", ssu="snum", weight="pw", fpc="fpc1", fpc2="fpc2"),
        "JK1",
    ),
}


def _instrument(relative: tuple[str, ...] = (), **extra):
    def indicator(ident, direction, low, high):
        rescale = "provinces" if ident in relative else "range"
        return {"id": ident, "text": ident, "direction": direction, "range": [low, high],
                "rescale": rescale}  # fmt: skip

    return papi_instrument_from_dict(
        {
            "kind": "papi",
            "province": "province",
            **extra,
            "dimensions": [
                {"id": "d1", "label": "D1", "sub_dimensions": [
                    {"id": "s1", "label": "S1", "indicators": [
                        indicator("a", "positive", 0, 1), indicator("b", "positive", 0, 1)]},
                    {"id": "s2", "label": "S2", "indicators": [
                        indicator("c", "positive", 200, 1000)]}]},
                {"id": "d2", "label": "D2", "sub_dimensions": [
                    {"id": "s3", "label": "S3", "indicators": [
                        indicator("e", "negative", 0, 100),
                        indicator("f", "negative", 0, 100)]}]},
            ],
        }
    )  # fmt: skip


LINEAR = _instrument()
RELATIVE = _instrument(("c", "f"))
INSTRUMENTS = {"linear": LINEAR, "relative": RELATIVE}


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype={"value": float})


def _golden(case: str, instrument: str, provinces: str, stat: str) -> pd.DataFrame:
    g = _goldens()
    return g[
        (g["case"] == case)
        & (g["instrument"] == instrument)
        & (g["provinces"] == provinces)
        & (g["stat"] == stat)
    ]


def _frame(name: str, provinces: str | None) -> pd.DataFrame:
    d = pd.read_csv(API / f"{name}.csv")
    frame = pd.DataFrame(
        {
            "a": (d["sch.wide"] == "Yes").astype(float),
            "b": (d["comp.imp"] == "Yes").astype(float),
            "c": np.where(d["snum"] % 5 == 0, np.nan, d["api00"]),
            "e": d["meals"].astype(float),
            "f": np.where(d["snum"] % 7 == 0, np.nan, d["ell"]),
        }
    )
    for column in ("pw", "stype", "dnum", "snum", "fpc", "fpc1", "fpc2"):
        if column in d.columns:
            frame[column] = d[column]
    if provinces is None:
        frame["province"] = "all"
    elif provinces == "stype":
        frame["province"] = d["stype"]
    else:
        frame["province"] = d["stype"] + d["awards"]
    return frame


@cache
def _case(case: str, provinces: str | None) -> tuple[pd.DataFrame, ReplicateDesign]:
    """The frame and replicate design of a golden case (R's as.svrepdesign / svrepdesign)."""
    if case == "boot_clus":
        frame = _frame("apiclus1", provinces)
        factors = pd.read_csv(API / "replicates_boot.csv")
        columns = tuple(c for c in factors.columns if c != "dnum")
        frame = frame.merge(factors, on="dnum", how="left", validate="many_to_one")
        design = ReplicateDesign(
            weight="pw", replicates=columns, method="bootstrap", combined_weights=False
        )
        return frame, design
    name, taylor, method = TAYLOR[case]
    frame = _frame(name, provinces)
    return make_replicate_weights(frame, taylor, method)


def _close(actual: float, expected: float, what: object) -> None:
    assert actual == pytest.approx(expected, rel=1e-6, abs=1e-10), (what, actual, expected)


def _check_scores(result: pd.DataFrame, golden: pd.DataFrame, stat: str, what: str) -> None:
    mine = result.set_index(["province", "composite"])[stat]
    assert len(golden)
    for row in golden.itertuples(index=False):
        _close(mine.loc[(row.domain or "all", row.composite)], row.value, (what, row))


@pytest.mark.parametrize("provinces", ["stype", "stype_awards"])
@pytest.mark.parametrize("case", CASES)
def test_linear_composites_on_replicate_designs_equal_r_svycontrast(case, provinces):
    golden = _golden(case, "linear", provinces, "se")
    for whole in (False, True):  # every province, then all respondents as one province
        frame, design = _case(case, None if whole else provinces)
        result = composite_scores(frame, design, LINEAR)
        overall = golden["domain"] == ""
        wanted = golden[(overall == whole) & ~golden["domain"].str.endswith("-all")]
        _check_scores(result, wanted, "se", case)
        estimates = _golden(case, "linear", provinces, "estimate")
        wanted = estimates[estimates["domain"].isin(wanted["domain"])]
        _check_scores(result, wanted, "estimate", case)


@pytest.mark.parametrize("provinces", ["stype", "stype_awards"])
@pytest.mark.parametrize("case", CASES)
def test_min_max_rescaling_over_provinces_equals_r_with_replicates(case, provinces):
    frame, design = _case(case, provinces)
    result = composite_scores(frame, design, RELATIVE)
    for stat in ("estimate", "se"):
        golden = _golden(case, "relative", provinces, stat)
        in_provinces = golden[~golden["domain"].str.endswith("-all") & (golden["domain"] != "")]
        _check_scores(result, in_provinces, stat, case)
    assert (result["n"] > 0).all() and (result["df"] > 0).all()
    # the best province on a min-max indicator scores the top of the scale; when it is the
    # best in every replicate too (apistrat's E schools), no uncertainty is left there
    s2 = result[result["composite"] == "sub_dimension:s2"]
    assert s2["estimate"].max() == pytest.approx(5.0)
    if case == "jkn_strat":
        assert s2["se"].min() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("instrument", ["linear", "relative"])
@pytest.mark.parametrize("case", CASES)
def test_comparisons_with_all_provinces_recompute_the_difference_on_replicates(case, instrument):
    frame, design = _case(case, "stype_awards")
    levels = ("sub_dimension", "dimension", "total")
    result = compare_to_all(frame, design, INSTRUMENTS[instrument], levels=levels)
    mine = result.assign(domain=result["province"] + "-all").set_index(["domain", "composite"])
    for stat, column in (("estimate", "difference"), ("se", "se")):
        golden = _golden(case, instrument, "stype_awards", stat)
        golden = golden[golden["domain"].str.endswith("-all")]
        assert len(golden) == 36
        for row in golden.itertuples(index=False):
            _close(mine.loc[(row.domain, row.composite), column], row.value, row)
    overall = _golden(case, "relative", "stype_awards", "estimate")
    overall = overall[overall["domain"] == ""].set_index("composite")["value"]
    if instrument == "relative":  # the all-province value, rescaled by the provinces' min-max
        firsts = result.groupby("composite")["overall"].first()
        for key, value in firsts.items():
            _close(value, overall[key], key)


@pytest.mark.parametrize("instrument", ["linear", "relative"])
@pytest.mark.parametrize("case", CASES)
def test_joint_covariance_of_provinces_equals_r_vcov(case, instrument):
    frame, design = _case(case, "stype_awards")
    estimates, cov = composite_covariance(frame, design, INSTRUMENTS[instrument])
    golden = _golden(case, instrument, "stype_awards", "vcov_total")
    assert len(golden) == 36
    for row in golden.itertuples(index=False):
        _close(cov.loc[row.domain, row.composite], row.value, row)
    ranked = rank_uncertainty(frame, design, INSTRUMENTS[instrument], draws=500).set_index(
        "province"
    )
    diagonal = pd.Series(np.sqrt(np.diag(cov.to_numpy())), index=cov.index)
    assert ranked["se"].to_dict() == pytest.approx(diagonal.to_dict(), rel=1e-12)
    assert ranked["estimate"].to_dict() == pytest.approx(estimates.to_dict(), rel=1e-12)


def test_a_nonlinear_composite_on_a_taylor_design_builds_r_default_replicates():
    name, taylor, _ = TAYLOR["jkn_strat"]
    frame = _frame(name, "stype")
    built = variance_design(frame, taylor, RELATIVE)
    assert isinstance(built, ReplicateDesign) and built.method == "JKn"  # stratified
    assert variance_method(frame, built) == {
        "method": "replicate",
        "replicate_method": "JKn",
        "replicates": 200,
        "built": True,
    }
    result = composite_scores(frame, taylor, RELATIVE)  # builds the same JKn replicates
    golden = _golden("jkn_strat", "relative", "stype", "se")
    _check_scores(result, golden[golden["domain"].isin(["E", "H", "M"])], "se", "auto")
    # without strata R's default is JK1; a linear instrument stays linearised
    _, cluster, _ = TAYLOR["jk1_clus"]
    assert variance_design(_frame("apiclus1", "stype"), cluster, RELATIVE).method == "JK1"
    assert variance_design(frame, taylor, LINEAR) is taylor
    assert variance_method(frame, taylor) == {"method": "linearisation"}
    declared = _instrument(replicate_method="JKn")  # asked for: linear composites too
    assert isinstance(variance_design(frame, taylor, declared), ReplicateDesign)


def test_min_max_rescaling_algebra_and_one_province_is_refused():
    parts = {c.key: c for c in composites(RELATIVE)}
    s2 = parts["sub_dimension:s2"]  # (1/2)(1 + 9 r): relative, no linear term
    assert s2.terms == {} and s2.relative == pytest.approx({"c": 4.5})
    assert s2.constant == pytest.approx(0.5)
    s3 = parts["sub_dimension:s3"]  # e fixed, f min-max, both negative: 10 - 9 r for f
    assert s3.terms == pytest.approx({"e": -9 / 200}) and s3.relative == pytest.approx({"f": -4.5})
    assert s3.constant == pytest.approx((10 + 10) / 2)
    assert parts["total"].variables == ["a", "b", "e", "c", "f"]
    frame, design = _case("jkn_strat", None)
    with pytest.raises(ParameterError, match="needs two provinces or more"):
        composite_scores(frame, design, RELATIVE)


def test_the_analysis_frame_keeps_replicate_columns_and_names_a_missing_one():
    from satisfaction.errors import InputError
    from satisfaction.studies.papi_composites import papi_frame

    data = pd.DataFrame(
        {"tinh": ["Trà Vinh", "Bến Tre", "Hà Nội", "Hà Nội"], "x": [1.0, 0.0, 1.0, 1.0],
         "w": [1.0, 2.0, 1.0, 1.0], "rw1": [2.0, 0.0, 1.0, 1.0], "rw2": [0.0, 4.0, 1.0, 1.0]}
    )  # fmt: skip
    instrument = papi_instrument_from_dict(
        {"kind": "papi", "province": "tinh", "dimensions": [{"id": "d", "label": "D",
         "sub_dimensions": [{"id": "s", "label": "S", "indicators": [
             {"id": "x", "text": "x", "range": [0, 1]}]}]}]}
    )  # fmt: skip
    design = ReplicateDesign(weight="w", replicates=("rw1", "rw2"), method="JK1")
    frame = papi_frame(data, instrument, design, collected="historical_63")
    assert {"rw1", "rw2", "w"} <= set(frame.columns)
    with pytest.raises(InputError, match="not in the data") as err:
        papi_frame(data.drop(columns="rw2"), instrument, design, collected="historical_63")
    assert err.value.first.column == "rw2"
