"""PAPI-style composites from microdata: the algebra by hand, SEs against R's svycontrast
(tests/r/papi_goldens.R), ranks from the joint uncertainty, comparisons with Holm, and the
demo's pre-2025 wave re-estimated under the 34 provinces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.papi_instrument import papi_instrument_from_dict
from satisfaction.stats.design import Design
from satisfaction.studies.indices import compare_to_overall
from satisfaction.studies.papi_composites import (
    compare_to_all,
    composite_scores,
    composites,
    papi_frame,
    rank_uncertainty,
)

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "tests" / "data" / "api"
GOLDEN = pd.read_csv(ROOT / "tests" / "r" / "papi_goldens.csv", keep_default_na=False)


def _indicator(ident, direction, low, high):
    return {"id": ident, "text": ident, "direction": direction, "range": [low, high]}


API_INSTRUMENT = papi_instrument_from_dict(
    {
        "kind": "papi",
        "id": "api",
        "province": "stype",
        "dimensions": [
            {"id": "d1", "label": "D1", "sub_dimensions": [
                {"id": "s1", "label": "S1", "indicators": [
                    _indicator("a", "positive", 0, 1), _indicator("b", "positive", 0, 1)]},
                {"id": "s2", "label": "S2", "indicators": [
                    _indicator("c", "positive", 200, 1000)]}]},
            {"id": "d2", "label": "D2", "sub_dimensions": [
                {"id": "s3", "label": "S3", "indicators": [
                    _indicator("e", "negative", 0, 100), _indicator("f", "negative", 0, 100)]}]},
        ],
    }
)  # fmt: skip
DESIGNS = {
    "clus": ("apiclus1", Design(psu="dnum", weight="pw", fpc="fpc")),
    "strat": ("apistrat", Design(strata="stype", weight="pw", fpc="fpc")),
    "clus2": ("apiclus2", Design(psu="dnum", ssu="snum", weight="pw", fpc="fpc1", fpc2="fpc2")),
}


def _api(name: str, design: Design, domain: str | None) -> pd.DataFrame:
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
    for column in design.columns():
        frame[column] = d[column]
    frame["province"] = d["stype"] if domain else "all"
    return frame


def test_composite_algebra_by_hand():
    parts = {c.key: c for c in composites(API_INSTRUMENT)}
    s1 = parts["sub_dimension:s1"]  # (1/2 sub-dimensions)(1/2 indicators)(1 + 9 x)
    assert s1.terms == pytest.approx({"a": 9 / 4, "b": 9 / 4})
    assert s1.constant == pytest.approx(2 / 4)
    s3 = parts["sub_dimension:s3"]  # negative: 1 + 9 (100 - x) / 100, one sub-dimension
    assert s3.terms == pytest.approx({"e": -9 / 200, "f": -9 / 200})
    assert s3.constant == pytest.approx(10.0)
    total = parts["total"]
    assert total.constant == pytest.approx(
        sum(parts[k].constant for k in ("dimension:d1", "dimension:d2"))
    )
    assert API_INSTRUMENT.total_range == (2.0, 20.0)


@pytest.mark.parametrize("design_name", ["clus", "strat", "clus2"])
@pytest.mark.parametrize("domain", [None, "E", "M", "H"])
def test_composites_match_r_svycontrast(design_name, domain):
    data_name, design = DESIGNS[design_name]
    frame = _api(data_name, design, domain)
    result = composite_scores(frame, design, API_INSTRUMENT)
    result = result[result["province"] == (domain or "all")].set_index("composite")
    golden = GOLDEN[(GOLDEN["case"] == design_name) & (GOLDEN["domain"] == (domain or ""))]
    assert len(golden) == 5
    for row in golden.itertuples(index=False):
        assert result.loc[row.composite, "estimate"] == pytest.approx(float(row.estimate),
                                                                      rel=1e-9)  # fmt: skip
        assert result.loc[row.composite, "se"] == pytest.approx(float(row.se), rel=1e-6)


def test_composite_ci_is_a_t_interval_on_the_domain_df():
    _, design = DESIGNS["strat"]
    result = composite_scores(_api("apistrat", design, "stype"), design, API_INSTRUMENT)
    row = result[(result["province"] == "E") & (result["composite"] == "total")].iloc[0]
    from scipy import stats

    t = stats.t.ppf(0.975, row["df"])
    assert row["ci_low"] == pytest.approx(row["estimate"] - t * row["se"])
    assert row["n"] == 100 and row["label"].startswith("Chỉ số tổng hợp")


def test_ignoring_the_clusters_understates_the_se():
    _, design = DESIGNS["clus"]
    frame = _api("apiclus1", design, None)
    naive = composite_scores(frame, Design(weight="pw"), API_INSTRUMENT)
    golden = GOLDEN[(GOLDEN["case"] == "clus") & (GOLDEN["composite"] == "total")]
    se = float(golden[golden["domain"] == ""]["se"].iloc[0])
    assert naive.set_index("composite").loc["total", "se"] < 0.8 * se


# ------------------------------------------------------------------ ranks and comparisons
@pytest.fixture(scope="module")
def strat_frame():
    _, design = DESIGNS["strat"]
    return _api("apistrat", design, "stype"), design


def test_rank_uncertainty_is_seeded_and_consistent(strat_frame):
    frame, design = strat_frame
    first = rank_uncertainty(frame, design, API_INSTRUMENT, draws=2000, seed=7)
    again = rank_uncertainty(frame, design, API_INSTRUMENT, draws=2000, seed=7)
    pd.testing.assert_frame_equal(first, again)
    scores = composite_scores(frame, design, API_INSTRUMENT)
    total = scores[scores["composite"] == "total"].set_index("province")
    mine = first.set_index("province")
    # the joint covariance's diagonal is each province's own linearised variance
    assert mine["se"].to_dict() == pytest.approx(total.loc[mine.index, "se"].to_dict(), rel=1e-9)
    assert (mine["rank_low"] <= mine["rank"]).all() and (mine["rank"] <= mine["rank_high"]).all()
    probabilities = mine[[f"p_group_{g}" for g in (1, 2, 3, 4)]].sum(axis=1)
    assert probabilities.to_numpy() == pytest.approx(1.0)
    assert (mine["out_of"] == 3).all()


def test_rank_intervals_widen_when_provinces_are_close():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "province": np.repeat(["A", "B", "C", "D"], n),
            "x": np.concatenate([rng.binomial(1, p, n) for p in (0.9, 0.5, 0.49, 0.1)]),
        }
    ).astype({"x": float})
    instrument = papi_instrument_from_dict(
        {"kind": "papi", "province": "province", "dimensions": [{"id": "d", "label": "D",
         "sub_dimensions": [{"id": "s", "label": "S",
                             "indicators": [_indicator("x", "positive", 0, 1)]}]}]}
    )  # fmt: skip
    ranks = rank_uncertainty(frame, Design(), instrument, draws=4000).set_index("province")
    assert (ranks.loc["A", "rank_low"], ranks.loc["A", "rank_high"]) == (1, 1)
    assert (ranks.loc["D", "rank_low"], ranks.loc["D", "rank_high"]) == (4, 4)
    assert (ranks.loc["B", "rank_low"], ranks.loc["B", "rank_high"]) == (2, 3)
    assert ranks.loc["A", "p_group_1"] == 1.0


def test_compare_to_all_is_the_indices_test_shifted_by_the_constant(strat_frame):
    frame, design = strat_frame
    result = compare_to_all(frame, design, API_INSTRUMENT)
    assert set(result["composite"]) == {"total", "dimension:d1", "dimension:d2"}
    assert len(result) == 9 and (result["adjust"] == "holm").all()
    total = next(c for c in composites(API_INSTRUMENT) if c.key == "total")
    plain = compare_to_overall(frame, design, {"total": total.terms}, "province")
    mine = result[result["composite"] == "total"].set_index("province")
    plain = plain.set_index("province")
    assert mine["difference"].to_dict() == pytest.approx(plain["difference"].to_dict())
    assert mine["se"].to_dict() == pytest.approx(plain["se"].to_dict())
    assert mine["estimate"].to_dict() == pytest.approx(
        (plain["estimate"] + total.constant).to_dict()
    )
    # Holm over the 9 tests: never below the raw p-value
    assert (result["p_adjusted"] >= result["p_value"] - 1e-15).all()


# ----------------------------------------------------------------------- the analysis frame
def _instrument(province_column="tinh"):
    return papi_instrument_from_dict(
        {"kind": "papi", "province": province_column, "dimensions": [{"id": "d", "label": "D",
         "sub_dimensions": [{"id": "s", "label": "S", "indicators": [
             _indicator("x", "positive", 1, 5)]}]}]}
    )  # fmt: skip


def test_papi_frame_refuses_out_of_range_text_and_unknown_provinces():
    design = Design(weight="w")
    good = pd.DataFrame({"tinh": ["Trà Vinh", "Bến Tre"], "x": [1.0, 5.0], "w": [1.0, 2.0]})
    frame = papi_frame(good, _instrument(), design, collected="historical_63",
                       geography="current_34")  # fmt: skip
    assert frame["province"].tolist() == ["Vĩnh Long", "Vĩnh Long"]
    assert frame["province_as_collected"].tolist() == ["Trà Vinh", "Bến Tre"]
    with pytest.raises(InputError, match=r"outside the declared range \[1, 5\]") as err:
        papi_frame(good.assign(x=[1.0, 7.0]), _instrument(), design, collected="historical_63")
    assert (err.value.first.row, err.value.first.column) == (1, "x")
    with pytest.raises(InputError, match="is not a number"):
        papi_frame(good.assign(x=["1", "năm"]), _instrument(), design, collected="historical_63")
    with pytest.raises(InputError, match="is not a province"):
        papi_frame(good.assign(tinh=["Atlantis", "Bến Tre"]), _instrument(), design,
                   collected="historical_63")  # fmt: skip
    with pytest.raises(ParameterError, match="cannot be estimated under the 63"):
        papi_frame(good, _instrument(), design, collected="current_34", geography="historical_63")
