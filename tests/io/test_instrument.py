"""The instrument: the SIPAS file loads as declared; broken instruments name the key at fault."""

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


def test_sipas_has_five_elements_and_22_criteria():
    inst = load_instrument(SIPAS)
    counts = [
        len(inst.items_with(role="criterion", group=g)) for g in ("E1", "E2", "E3", "E4", "E5")
    ]
    assert counts == [4, 5, 6, 3, 4]
    assert len(inst.criteria) == 22
    assert [i.id for i in inst.items_with(role="element_satisfaction")] == [
        "e1",
        "e2",
        "e3",
        "e4",
        "e5",
    ]
    assert [i.id for i in inst.items_with(role="overall")] == ["hl_chung"]
    sat5 = inst.scales["sat5"]
    assert sat5.codes == (1, 2, 3, 4, 5)
    assert sat5.satisfied == {4, 5} and sat5.neutral == {3} and sat5.dissatisfied == {1, 2}
    assert {m.code: m.reason for m in sat5.missing} == {98: "dont_know", 99: "refused"}
    assert sat5.labels()[1] == "Rất không hài lòng"
    assert inst.fields is not None and inst.fields.column == "linh_vuc"
    assert inst.fields.labels()["dat_dai"] == "Đất đai"
    assert inst.geography == "current_34"
    assert inst.personal_columns == ["ho_ten", "so_dien_thoai", "dia_chi", "y_kien"]


def _error_for(spec: dict) -> InstrumentError:
    with pytest.raises(InstrumentError) as info:
        instrument_from_dict(spec, source="bad.yaml")
    return info.value


def test_unknown_scale_names_item_key(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["items"][12]["scale"] = "sat6"
    err = _error_for(spec)
    assert len(err.problems) == 1
    assert str(err).startswith("bad.yaml: items[12].scale: unknown scale 'sat6'")


def test_duplicate_item_id_names_key(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["items"][3]["id"] = "c1_1"
    err = _error_for(spec)
    messages = [str(p) for p in err.problems]
    assert "bad.yaml: items[3].id: duplicate item id 'c1_1'" in messages


def test_satisfied_code_outside_scale_names_key(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["scales"]["sat5"]["satisfied"] = [4, 5, 6]
    err = _error_for(spec)
    assert [p.key for p in err.problems] == ["scales.sat5.satisfied[2]"]
    assert "satisfied code 6 is not a level of the scale" in str(err)


def test_every_problem_is_reported_at_once(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["items"][0]["scale"] = "nope"
    spec["items"][1]["type"] = "slider"
    spec["geography"] = "provinces_64"
    err = _error_for(spec)
    keys = {p.key for p in err.problems}
    assert {"items[0].scale", "items[1].type", "geography"} <= keys


def test_three_level_scale_is_allowed():
    spec = {
        "id": "local",
        "title": "Phiếu địa phương",
        "version": "1",
        "geography": "historical_63",
        "id_column": "id",
        "scales": {
            "sat3": {
                "levels": [
                    {"code": 1, "label": "Không hài lòng"},
                    {"code": 2, "label": "Bình thường"},
                    {"code": 3, "label": "Hài lòng"},
                ],
                "satisfied": [3],
                "neutral": [2],
                "dissatisfied": [1],
                "neutral_in_denominator": False,
            }
        },
        "items": [{"id": "q1", "type": "likert", "scale": "sat3"}],
    }
    inst = instrument_from_dict(spec)
    assert inst.scales["sat3"].codes == (1, 2, 3)
    assert inst.scales["sat3"].neutral_in_denominator is False


def test_missing_code_that_is_also_a_level_is_refused(sipas_spec):
    spec = copy.deepcopy(sipas_spec)
    spec["scales"]["sat5"]["missing"][0]["code"] = 5
    err = _error_for(spec)
    assert [p.key for p in err.problems] == ["scales.sat5.missing[0].code"]


def test_extends_merges_top_level_keys(tmp_path):
    child = tmp_path / "instrument.yaml"
    child.write_text(
        f"extends: {SIPAS}\nid: child\ndesign: {{weight: w, strata: s, psu: p}}\n",
        encoding="utf-8",
    )
    inst = load_instrument(tmp_path)
    assert inst.id == "child"
    assert dict(inst.design) == {"weight": "w", "strata": "s", "psu": "p"}
    assert len(inst.criteria) == 22
    assert inst.extends == (SIPAS.resolve(),)
    assert load_instrument(SIPAS).extends == ()


def test_broken_yaml_names_line(tmp_path):
    bad = tmp_path / "instrument.yaml"
    bad.write_text("id: x\nitems: [\n  - {id: a\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(bad)
    assert "invalid YAML: line" in str(info.value)
    assert str(bad) in str(info.value)


def test_non_utf8_instrument_is_refused(tmp_path):
    bad = tmp_path / "instrument.yaml"
    bad.write_bytes("id: Vi\u1ec7t Nam Hà Nội\n".encode("utf-8").replace(b"H\xc3\xa0", b"H\xe0"))
    with pytest.raises(InstrumentError, match="not UTF-8"):
        load_instrument(bad)


def test_criteria_carry_short_labels_for_charts(sipas_spec):
    inst = load_instrument(SIPAS)
    shorts = [c.short_text("vi") for c in inst.criteria]
    assert len(set(shorts)) == 22 and max(len(s) for s in shorts) <= 26  # one chart line
    assert inst.criteria[0].short_text("en") == "Enough seats"
    spec = copy.deepcopy(sipas_spec)
    del spec["items"][0]["short"]  # optional: the full text stands in
    plain = instrument_from_dict(spec, source="x.yaml")
    assert plain.criteria[0].short_text("vi") == plain.criteria[0].text.vi
    spec["items"][0]["short"] = {"vi": "A", "fr": "B"}
    assert "items[0].short.fr" in str(_error_for(spec))


def test_the_instrument_reference_documents_every_key():
    from satisfaction.io.instrument.builder import _TOP_KEYS
    from satisfaction.io.instrument.items import _ITEM_KEYS
    from satisfaction.io.instrument.model import DESIGN_ROLES, RESPONDENT_ROLES
    from satisfaction.io.instrument.scales import _SCALE_KEYS

    reference = (ROOT / "docs" / "instrument.md").read_text(encoding="utf-8")
    for key in (*_TOP_KEYS, *_ITEM_KEYS, *_SCALE_KEYS, *RESPONDENT_ROLES, *DESIGN_ROLES):
        assert f"`{key}`" in reference, key
    assert "(docs/instrument.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
