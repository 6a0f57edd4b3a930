"""The `sample:` block: kinds, quota variables, margins, and the kind assumed without one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument import instrument_from_dict, load_instrument

ROOT = Path(__file__).resolve().parents[2]
SIPAS = ROOT / "surveys" / "sipas" / "instrument.yaml"


@pytest.fixture(scope="module")
def sipas_spec() -> dict:
    return yaml.safe_load(SIPAS.read_text(encoding="utf-8"))


def _keys(spec: dict) -> list[str]:
    with pytest.raises(InstrumentError) as info:
        instrument_from_dict(spec)
    return [p.key for p in info.value.problems]


def test_the_kind_is_assumed_from_the_design_block(sipas_spec):
    plain = instrument_from_dict(sipas_spec)
    assert (plain.study.kind, plain.study.declared) == ("convenience", False)
    spec = copy.deepcopy(sipas_spec)
    spec["design"] = {"weight": "trong_so", "strata": "tang", "psu": "ma_xa"}
    designed = instrument_from_dict(spec)
    assert (designed.study.kind, designed.study.declared) == ("probability", False)
    assert load_instrument(ROOT / "surveys" / "demo").study.kind == "probability"


def test_a_quota_sample_with_margins(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["sample"] = {
        "kind": "quota",
        "quota": ["respondent_group", "commune"],
        "period": "03/2025",
        "margins": {
            "source": {"vi": "Niên giám 2024", "en": "Yearbook 2024"},
            "respondent_group": {"Người dân": 900, "2": 100},
        },
    }
    study = instrument_from_dict(spec).study
    assert study.kind == "quota" and study.declared
    assert study.quota == ("respondent_group", "commune")
    assert study.margins.counts == {"respondent_group": {"Người dân": 900.0, "2": 100.0}}
    assert study.margins.source.en == "Yearbook 2024"


def test_broken_sample_blocks_name_their_keys(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["sample"] = {"kind": "snowball"}
    assert _keys(spec) == ["sample.kind"]
    spec["sample"] = {"kind": "quota", "quota": ["village"]}
    assert _keys(spec) == ["sample.quota[0]"]
    spec["sample"] = {"kind": "quota"}
    assert _keys(spec) == ["sample.quota"]
    spec["sample"] = {
        "kind": "quota",
        "quota": ["sex", "respondent_group"],
        "margins": {"sex": {"Nam": 10, "Nữ": 10}, "respondent_group": {"Người dân": 5}},
    }
    assert _keys(spec) == ["sample.margins.source", "sample.margins"]
    spec["sample"] = {"kind": "quota", "quota": ["sex"], "margins": {"sex": {"Nam": -1}}}
    assert "sample.margins.sex.Nam" in _keys(spec)
    spec["sample"] = {"kind": "convenience", "margins": {"sex": {"Nam": 1}}}
    assert "sample.margins" in _keys(spec)


def test_a_design_block_belongs_to_a_probability_sample(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["design"] = {"weight": "trong_so"}
    spec["sample"] = {"kind": "convenience", "channel": {"vi": "Zalo"}}
    assert _keys(spec) == ["design"]
    spec["sample"] = {"kind": "probability"}
    assert instrument_from_dict(spec).study.kind == "probability"


def test_agency_is_a_reporting_unit_role(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["respondent"] = {**spec["respondent"], "agency": "don_vi"}
    inst = instrument_from_dict(spec)
    assert inst.unit_roles() == ["province", "commune", "agency", "respondent_group"]
