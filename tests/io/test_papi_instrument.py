"""PAPI-style instruments: the demo's validates; mistakes are reported with key paths."""

from __future__ import annotations

import pytest
import yaml

from satisfaction.demo.papi import papi_demo_instrument
from satisfaction.errors import InstrumentError
from satisfaction.io.papi_instrument import load_papi_instrument, papi_instrument_from_dict


def test_demo_instrument_loads_from_yaml(tmp_path):
    path = tmp_path / "papi_instrument.yaml"
    path.write_text(yaml.safe_dump(papi_demo_instrument(), allow_unicode=True), encoding="utf-8")
    instrument = load_papi_instrument(tmp_path)
    assert len(instrument.dimensions) == 8 and instrument.total_range == (8.0, 80.0)
    assert len(instrument.indicators) == 32
    assert [w.year for w in instrument.waves] == [2024, 2025, 2026]
    assert instrument.wave(2024).geography == "historical_63"
    assert dict(instrument.design)["psu"] == "ma_psu"


def test_every_problem_is_reported_with_its_key_path():
    spec = papi_demo_instrument()
    spec["kind"] = "sipas"
    first = spec["dimensions"][0]["sub_dimensions"][0]["indicators"]
    first[0]["direction"] = "up"
    first[1]["range"] = [5, 1]
    spec["dimensions"][1]["sub_dimensions"][1]["indicators"][0]["id"] = "d1_1"
    spec["waves"][2024]["file"] = "../../etc/passwd"
    with pytest.raises(InstrumentError) as err:
        papi_instrument_from_dict(spec, source="x.yaml")
    keys = {p.key for p in err.value.problems}
    assert {
        "kind",
        "dimensions[0].sub_dimensions[0].indicators[0].direction",
        "dimensions[0].sub_dimensions[0].indicators[1].range",
        "dimensions[1].sub_dimensions[1].indicators[0].id",
        "waves.2024",
    } <= keys
    assert all(str(p.file) == "x.yaml" for p in err.value.problems)


def test_empty_dimension_is_refused():
    with pytest.raises(InstrumentError, match="sub_dimensions"):
        papi_instrument_from_dict(
            {"kind": "papi", "province": "p", "dimensions": [{"id": "d", "label": "D"}]}
        )


def _one_indicator(**indicator) -> dict:
    spec = {"id": "x", "text": "x", "direction": "positive", "range": [0, 1], **indicator}
    return {"kind": "papi", "province": "p", "design": {"weight": "w"}, "dimensions": [
        {"id": "d", "label": "D", "sub_dimensions": [
            {"id": "s", "label": "S", "indicators": [spec]}]}]}  # fmt: skip


def test_rescaling_and_replicate_weights_are_declared_and_checked():
    from satisfaction.stats.designs import design_of
    from satisfaction.stats.replicate import ReplicateDesign

    plain = papi_instrument_from_dict(_one_indicator())
    assert plain.indicators[0].rescale == "range" and not plain.nonlinear
    assert plain.replicate_method is None
    relative = papi_instrument_from_dict({**_one_indicator(rescale="provinces"),
                                          "replicate_method": "bootstrap"})  # fmt: skip
    assert relative.nonlinear and relative.replicate_method == "bootstrap"
    supplied = _one_indicator()
    supplied["design"]["replicates"] = {"prefix": "rw", "count": 3, "method": "JK1"}
    design = design_of(papi_instrument_from_dict(supplied))  # type: ignore[arg-type]
    assert isinstance(design, ReplicateDesign)
    assert design.replicates == ("rw1", "rw2", "rw3") and design.weight == "w"
    bad = {**_one_indicator(rescale="log"), "replicate_method": "jackknife"}
    bad["design"]["stratum"] = "t"
    with pytest.raises(InstrumentError) as err:
        papi_instrument_from_dict(bad, source="x.yaml")
    keys = {p.key for p in err.value.problems}
    assert {
        "dimensions[0].sub_dimensions[0].indicators[0].rescale",
        "replicate_method",
    } <= keys
    assert any(k.startswith("design") for k in keys)
    both = {**supplied, "replicate_method": "JKn"}
    with pytest.raises(InstrumentError, match="not both"):
        papi_instrument_from_dict(both)
