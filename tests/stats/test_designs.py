"""Analysis weights of any design, and every consumer using them (satisfaction.stats.designs).

The issue this guards against: a design whose weights come from `fpc` alone (R's
`svydesign(fpc=~N)`) was read as unweighted by the indices and drivers, giving unweighted
shares and standard errors many times too large. Every consumer runs here on an fpc-only
design and on the same design with its weights written out, and must give equal results.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from api_reference import design, golden
from satisfaction.analysis.estimates import analysis_frame, compute_estimates
from satisfaction.analysis.remediation import remediation_analysis
from satisfaction.errors import DesignError, ParameterError
from satisfaction.stats import estimate
from satisfaction.stats.design import Design
from satisfaction.stats.designs import analysis_weights
from satisfaction.stats.drivers import drivers
from satisfaction.studies import indices

ROLES = {"strata": "tang", "psu": "ma_xa", "fpc": "N_tang"}


def test_weights_from_fpc_are_population_over_sample_as_r():
    df, des = design("srs")  # svydesign(id=~1, fpc=~fpc): weights 6194/200
    w = analysis_weights(df, des)
    assert w.sum() == pytest.approx(golden("srs/weights", "sum"), rel=1e-12)
    df2, des2 = design("clus2")  # two stages: N1/n1 * N2/n2
    assert analysis_weights(df2, des2).sum() == pytest.approx(
        golden("clus2/weights", "sum"), rel=1e-12
    )


def test_given_weights_and_refusals():
    df = pd.DataFrame({"w": [1.0, 0.0, 2.5], "psu": [1, 2, 3]})
    np.testing.assert_array_equal(analysis_weights(df, Design(weight="w")), [1.0, 0.0, 2.5])
    with pytest.raises(DesignError, match="weight must be >= 0"):
        analysis_weights(df.assign(w=[1.0, -1.0, 1.0]), Design(weight="w"))
    with pytest.raises(ParameterError, match=r"must be a satisfaction\.Design or"):
        analysis_weights(df, "w")  # type: ignore[arg-type]


# ------------------------------------------------------------------ every consumer, fpc-only
@pytest.fixture(scope="module")
def frames(demo_survey, demo_instrument):
    """The demo's forms of two provinces with an fpc column: N_h = n_h x a stratum factor."""
    from satisfaction.cleaning.rules import clean

    data = clean(demo_survey.raw, demo_instrument).data
    data = data[data["tinh"].isin(["Hà Nội", "Đắk Lắk"])].reset_index(drop=True)
    n_psu = data.groupby("tang")["ma_xa"].transform("nunique")
    strata = sorted(data["tang"].unique())
    factor = data["tang"].map({s: 30 + 7 * k for k, s in enumerate(strata)})
    data["N_tang"] = n_psu * factor
    data["w_fpc"] = data["N_tang"] / n_psu  # the weights R's svydesign derives from fpc
    fpc_only = replace(demo_instrument, design=MappingProxyType(ROLES))
    written = replace(demo_instrument, design=MappingProxyType({**ROLES, "weight": "w_fpc"}))
    return data, fpc_only, written


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False, rtol=1e-9
    )


def test_estimators_and_indices_agree(frames):
    data, fpc_only, written = frames
    frame = analysis_frame(data, fpc_only)
    a = indices.design_of(fpc_only)
    b = indices.design_of(written)
    assert a.weight is None and b.weight == "w_fpc"
    by = ["province", "field"]
    for function in (indices.criterion_indices, indices.element_indices, indices.overall_index):
        _same(function(frame, a, fpc_only, by), function(frame, b, written, by))
    terms = {"sat__c1_1": 0.5, "sat__c2_1": 0.5}
    _same(
        indices.linear_combination(frame, a, terms, by="province"),
        indices.linear_combination(frame, b, terms, by="province"),
    )
    stats = {"overall": indices.overall_terms(fpc_only, indices.IndexRules())}
    _same(
        indices.compare_to_overall(frame, a, stats, "province", within="field"),
        indices.compare_to_overall(frame, b, stats, "province", within="field"),
    )
    _same(
        estimate.difference(frame, a, "sat__c1_1", "province", "Hà Nội", "Đắk Lắk"),
        estimate.difference(frame, b, "sat__c1_1", "province", "Hà Nội", "Đắk Lắk"),
    )
    # the weighted share, not the unweighted one
    share = indices.criterion_indices(frame, a, fpc_only).set_index("item")["estimate"]
    w = frame["w_fpc"].to_numpy()
    y = frame["sat__c1_1"].to_numpy()
    ok = ~np.isnan(y)
    assert share["c1_1"] == pytest.approx((w[ok] * y[ok]).sum() / w[ok].sum(), rel=1e-12)


def test_drivers_agree(frames):
    data, fpc_only, written = frames
    a = drivers(data, fpc_only, predictors="elements")
    b = drivers(data, written, predictors="elements")
    assert (a["method"] == "ordinal").all()
    _same(a, b)


def test_reports_and_remediation_agree(frames):
    data, fpc_only, written = frames
    est_a = compute_estimates(data, fpc_only)
    est_b = compute_estimates(data, written)
    assert est_a.frames.keys() == est_b.frames.keys()
    for name in est_a.frames:
        _same(est_a[name], est_b[name])
    plan_a = remediation_analysis(data, fpc_only, est_a, province="Hà Nội")
    plan_b = remediation_analysis(data, written, est_b, province="Hà Nội")
    for name in ("cells", "plan", "drivers", "element_drivers", "quadrants", "reliability"):
        _same(getattr(plan_a, name), getattr(plan_b, name))


def test_an_instrument_with_replicate_columns_runs_every_consumer(frames):
    # replicate weights delivered with the data: JKn columns made from the demo's design
    from satisfaction import make_replicate_weights
    from satisfaction.io.instrument.model import DesignRules, ReplicateColumns
    from satisfaction.stats.replicate import ReplicateDesign

    data, fpc_only, _ = frames
    taylor = indices.design_of(fpc_only)
    wide, written = make_replicate_weights(data, taylor, "JKn", compress=False)
    rules = DesignRules(
        replicates=ReplicateColumns(written.replicates, "JKn", rscales=written.rscales)
    )
    roles = MappingProxyType({"weight": written.weight})
    replicated = replace(fpc_only, design=roles, design_rules=rules)
    assert isinstance(indices.design_of(replicated), ReplicateDesign)
    est_r = compute_estimates(wide, replicated)
    est_t = compute_estimates(data, fpc_only)
    assert "replicate" in est_r.meta["lonely_psu_note"]["en"]
    for name in ("overall", "criteria"):
        a, b = est_r[name], est_t[name]
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-10)
        # the jackknife and the linearised SEs of the same design agree closely
        ratio = (a["se"] / b["se"]).dropna()
        assert ratio.between(0.8, 1.25).mean() > 0.95
    plan = remediation_analysis(wide, replicated, est_r, province="Hà Nội")
    assert plan.drivers is not None and plan.drivers["se"].notna().all()
