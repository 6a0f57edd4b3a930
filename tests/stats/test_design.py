"""Design: column roles, weights from fpc, degrees of freedom and validation errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from api_reference import DESIGNS, RTOL, design, golden, load
from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats.design import (
    CalibrationStep,
    Design,
    degrees_of_freedom,
    prepare,
    validate,
)


def small_frame() -> pd.DataFrame:
    """Two strata, two PSUs each, three rows per PSU."""
    return pd.DataFrame(
        {
            "stratum": ["a"] * 6 + ["b"] * 6,
            "psu": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
            "w": [10.0] * 12,
            "y": np.arange(12, dtype=float),
        }
    )


def test_design_is_frozen_and_holds_roles_only():
    d = Design(weight="w", strata=["s1", "s2"], psu="psu")
    assert d.strata == ("s1", "s2")
    assert d.columns() == ["w", "s1", "s2", "psu"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.weight = "other"  # type: ignore[misc]
    assert hash(d) == hash(Design(weight="w", strata=("s1", "s2"), psu="psu"))


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_degrees_of_freedom_match_r_degf(name):
    df, des = design(name)
    assert degrees_of_freedom(df, des) == golden(f"{name}/degf", "df")


@pytest.mark.parametrize("name", ["srs", "clus2"])
def test_weights_come_from_fpc_as_r_computes_them(name):
    # R: svydesign(id=~1, fpc=~fpc, data=apisrs) and svydesign(id=~dnum+snum,
    # fpc=~fpc1+fpc2, data=apiclus2): no weights given, so prod over stages of N/n.
    df, des = design(name)
    prepared = prepare(df, des)
    assert prepared.weights.sum() == pytest.approx(golden(f"{name}/weights", "sum"), rel=RTOL)
    if name == "clus2":
        n_in_psu = df.groupby("dnum")["snum"].transform("nunique")
        expected = (757 / 40) * df["fpc2"] / n_in_psu
        np.testing.assert_allclose(prepared.weights, expected, rtol=1e-12)
    else:
        np.testing.assert_allclose(prepared.weights, 6194 / 200, rtol=1e-12)


def test_fpc_as_sampling_fraction_equals_population_size():
    df = load("apisrs")
    df["fraction"] = 200 / df["fpc"]
    by_count = prepare(df, Design(fpc="fpc"))
    by_fraction = prepare(df, Design(fpc="fraction"))
    np.testing.assert_allclose(by_fraction.weights, by_count.weights, rtol=1e-12)
    np.testing.assert_allclose(by_fraction.fpc_factor, 1 - 200 / 6194, rtol=1e-12)


def test_no_weights_and_no_fpc_means_weight_one():
    prepared = prepare(small_frame(), Design(strata="stratum", psu="psu"))
    np.testing.assert_array_equal(prepared.weights, np.ones(12))
    assert list(prepared.n_psu) == [2, 2]


@pytest.mark.parametrize(
    ("weights", "needle"),
    [
        ([1.0] * 11 + [-2.0], "weight must be >= 0; 1 values are zero or negative (first at"),
        ([0.0] * 12, "every weight is zero"),
        ([1.0] * 5 + [np.nan] + [1.0] * 6, "weight is missing in 1 rows (first at row 5)"),
    ],
)
def test_bad_weights_are_refused_with_the_row(weights, needle):
    df = small_frame().assign(w=weights)
    with pytest.raises(DesignError) as info:
        validate(df, Design(weight="w", strata="stratum", psu="psu"))
    assert needle in str(info.value)
    assert "column 'w'" in str(info.value)


def test_psus_not_nested_in_strata_are_refused_unless_nest():
    df = small_frame()
    df["psu"] = [1, 1, 1, 2, 2, 2] * 2  # numbered within strata
    with pytest.raises(DesignError, match="PSUs are not nested in strata: PSU '1' appears"):
        validate(df, Design(weight="w", strata="stratum", psu="psu"))
    nested = prepare(df, Design(weight="w", strata="stratum", psu="psu", nest=True))
    assert nested.n_psus == 4
    assert degrees_of_freedom(df, Design(weight="w", strata="stratum", psu="psu", nest=True)) == 2


def test_single_psu_stratum_fails_by_default_and_names_it():
    df = small_frame()
    df.loc[df.stratum == "b", "psu"] = 3
    with pytest.raises(DesignError, match=r"1 strata have a single PSU \(b\)"):
        validate(df, Design(weight="w", strata="stratum", psu="psu"))
    for rule in ("remove", "certainty", "adjust", "average"):
        validate(df, Design(weight="w", strata="stratum", psu="psu", lonely_psu=rule))


def test_single_psu_taken_whole_is_not_lonely():
    # A certainty unit (fpc says the stratum has one PSU and it was taken) is not a lonely PSU.
    df = small_frame()
    df.loc[df.stratum == "b", "psu"] = 3
    df["N"] = np.where(df.stratum == "a", 20, 1)
    prepared = prepare(df, Design(weight="w", strata="stratum", psu="psu", fpc="N"))
    assert prepared.fpc_factor.tolist() == [0.9, 0.0]


def test_every_problem_is_reported_at_once():
    df = small_frame().assign(w=[-1.0] + [1.0] * 11)
    df.loc[3, "stratum"] = None
    with pytest.raises(DesignError) as info:
        validate(df, Design(weight="w", strata="stratum", psu="psu"))
    assert len(info.value.problems) == 2
    assert "missing in 1 rows (first at row 3)" in str(info.value)


def test_missing_column_is_named():
    with pytest.raises(DesignError, match="column 'wt': column named in the design"):
        validate(small_frame(), Design(weight="wt"))


@pytest.mark.parametrize(
    ("fpc", "needle"),
    [
        ([0.5] * 6 + [20] * 6, "mixes population sizes"),
        ([20] * 5 + [30] + [20] * 6, "fpc varies within a stratum"),
        ([1.5] * 12, "more than 100% sampling"),
    ],
)
def test_inconsistent_fpc_is_refused(fpc, needle):
    df = small_frame().assign(N=fpc)
    with pytest.raises(DesignError, match=needle):
        validate(df, Design(weight="w", strata="stratum", psu="psu", fpc="N"))


def test_two_stage_with_fpc_needs_fpc2():
    df = load("apiclus2")
    with pytest.raises(DesignError, match="needs fpc2"):
        validate(df, Design(psu="dnum", ssu="snum", fpc="fpc1"))


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"lonely_psu": "drop"}, "lonely_psu='drop' is not one of"),
        ({"ssu": "s"}, "needs psu="),
        ({"fpc2": "f2", "psu": "p"}, "needs fpc= and ssu="),
        ({"weight": 3}, "must be a column name"),
    ],
)
def test_bad_design_parameters(kwargs, needle):
    with pytest.raises(ParameterError, match=needle):
        Design(**kwargs)


def test_one_psu_design_is_refused():
    df = small_frame().assign(psu=1, stratum="a")
    with pytest.raises(DesignError, match="only one primary sampling unit"):
        validate(df, Design(weight="w", psu="psu"))


def test_calibration_columns_are_part_of_the_design():
    step = CalibrationStep("rake", (("sex",), ("age",)), ("_w1", "_w2"))
    d = Design(weight="w", calibration=(step,))
    assert d.columns() == ["w", "sex", "age", "_w1", "_w2"]


def test_factorize_sorted_counts_small_integer_ranges_and_keeps_order():
    from satisfaction.stats.design import factorize_sorted, group_codes

    codes, uniques = factorize_sorted(pd.Series(np.array([-30000, 30000, 0], dtype=np.int16)))
    assert codes.tolist() == [0, 2, 1] and uniques.tolist() == [-30000, 0, 30000]
    codes, uniques = factorize_sorted(pd.Series(["b", None, "a"]))
    assert codes.tolist() == [1, -1, 0] and uniques.tolist() == ["a", "b"]
    frame = pd.DataFrame({"a": [2, 1, 2, None], "b": ["x", "y", "y", "x"]})
    assert group_codes(frame, ["a", "b"]).tolist() == [1, 0, 2, -1]


def test_psus_are_numbered_stratum_by_stratum():
    df = small_frame()
    df["psu"] = [9, 9, 9, 2, 2, 2, 5, 5, 5, 1, 1, 1]
    prepared = prepare(df, Design(weight="w", strata="stratum", psu="psu"))
    assert prepared.psu_stratum.tolist() == [0, 0, 1, 1]
    assert prepared.psu.tolist() == [1, 1, 1, 0, 0, 0, 3, 3, 3, 2, 2, 2]
