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
