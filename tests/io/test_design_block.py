"""The instrument's `design:` block: columns, variance rules, supplied replicate weights."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument import instrument_from_dict
from satisfaction.io.instrument.model import DesignRules
from satisfaction.stats.designs import design_of

SIPAS = Path(__file__).resolve().parents[2] / "surveys" / "sipas" / "instrument.yaml"


@pytest.fixture(scope="module")
def sipas_spec() -> dict:
    return yaml.safe_load(SIPAS.read_text(encoding="utf-8"))


def _with_design(spec: dict, design: dict):
    spec = copy.deepcopy(spec)
    spec["design"] = design
    return instrument_from_dict(spec)


def test_rules_are_read_and_reach_the_design(sipas_spec):
    inst = _with_design(
        sipas_spec,
        {
            "weight": "w",
            "strata": "s",
            "psu": "p",
            "lonely_psu": "average",
            "adjust_domain_lonely": True,
            "domain_df": "answered",
        },
    )
    assert dict(inst.design) == {"weight": "w", "strata": "s", "psu": "p"}
    assert inst.design_rules == DesignRules("average", True, "answered", None)
    design = design_of(inst)
    assert (design.lonely_psu, design.adjust_domain_lonely, design.domain_df) == (
        "average",
        True,
        "answered",
    )


def test_undeclared_rules_are_adjust_and_r_df(sipas_spec):
    inst = _with_design(sipas_spec, {"weight": "w"})
    assert inst.design_rules == DesignRules()
    assert design_of(inst).lonely_psu == "adjust"
    assert design_of(inst).domain_df == "rows"


def test_replicate_columns_by_list_or_prefix(sipas_spec):
    inst = _with_design(
        sipas_spec,
        {"weight": "w", "replicates": {"prefix": "rw", "count": 3, "method": "Fay", "rho": 0.5}},
    )
    replicates = inst.design_rules.replicates
    assert replicates.columns == ("rw1", "rw2", "rw3")
    assert (replicates.method, replicates.rho, replicates.mse) == ("Fay", 0.5, False)
    assert {"w", "rw1", "rw3"} <= set(inst.expected_columns())
    listed = _with_design(
        sipas_spec,
        {"weight": "w", "replicates": {"columns": ["a", "b"], "method": "JKn", "rscales": [1, 1]}},
    )
    assert listed.design_rules.replicates.rscales == (1.0, 1.0)


def test_bad_rules_name_their_keys(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["design"] = {
        "weight": "w",
        "lonely_psu": "drop",
        "adjust_domain_lonely": "yes",
        "domain_df": "psus",
        "colour": "red",
        "replicates": {"columns": ["a", "b"], "method": "jackknife", "rscales": [1]},
    }
    with pytest.raises(InstrumentError) as info:
        instrument_from_dict(spec)
    keys = {p.key for p in info.value.problems}
    assert keys == {
        "design.lonely_psu",
        "design.adjust_domain_lonely",
        "design.domain_df",
        "design.colour",
        "design.replicates.method",
        "design.replicates.rscales",
    }
