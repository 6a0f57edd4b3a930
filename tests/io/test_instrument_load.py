"""Hostile instruments end in one clear line naming the file, the key and the limit: anchor
bombs, deep nesting, duplicate keys, "false" as text, min > max, ids that are paths,
`extends` to devices, pipes, nothing or outside the project, out-of-range thresholds."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[2]
SIPAS = ROOT / "surveys" / "sipas" / "instrument.yaml"


def _child(tmp_path: Path, body: str, *, extends: str | None = None) -> Path:
    path = tmp_path / "instrument.yaml"
    head = f"extends: {extends if extends is not None else SIPAS}\n"
    path.write_text(head + body, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    return str(info.value)


BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["id: [*a9, *a9, *a9, *a9, *a9, *a9, *a9, *a9, *a9]"]
)


def test_anchor_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text(BOMB + "\n", encoding="utf-8")
    start = time.perf_counter()
    message = _error(path)
    assert time.perf_counter() - start < 5
    assert "once aliases are expanded; the limit is 200,000" in message
    assert len(message) < 400


def test_deep_nesting_names_the_limit(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text("id: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    message = _error(path)
    assert "nested deeper than 40 levels" in message and "\n" not in message


def test_duplicate_key_is_refused_with_its_line(tmp_path):
    path = _child(tmp_path, "id: a\nyear: 2024\nyear: 2025\n")
    assert "line 4" in _error(path) and "'year' is given twice" in _error(path)


def test_false_as_text_is_not_true(tmp_path):
    body = (
        "id: t\nscales:\n  s:\n    levels: [{code: 1, label: a}, {code: 2, label: b}]\n"
        "    satisfied: [2]\n    neutral_in_denominator: 'false'\n"
    )
    message = _error(_child(tmp_path, body))
    assert "scales.s.neutral_in_denominator: must be true or false" in message


def test_min_above_max_is_refused(tmp_path):
    body = "id: t\nitems:\n  - {id: tuoi, type: numeric, min: 90, max: 15}\n"
    assert "items[0].min: min 90 is larger than max 15" in _error(_child(tmp_path, body))


@pytest.mark.parametrize("bad_id", ["../../../x", "/tmp/evil", "a b", "..", "x/y"])
def test_an_id_that_is_not_a_short_name_is_refused(tmp_path, bad_id):
    message = _error(_child(tmp_path, f"id: {bad_id!r}\n"))
    assert ": id: " in message and "is not a short name" in message


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("near_duplicate_max_differences", -1, "between 0 and 100"),
        ("straightlining_min_answered", 0, "between 2 and 1000"),
        ("near_duplicate_min_compared", 10**9, "between 1 and 1000"),
        ("straightlining_group_role", "nobody", "must be an item role"),
    ],
)
def test_out_of_range_quality_thresholds_are_refused(tmp_path, setting, value, expected):
    message = _error(_child(tmp_path, f"id: t\nquality: {{{setting}: {value!r}}}\n"))
    assert f"quality.{setting}: " in message and expected in message


@pytest.mark.parametrize("target", ["''", "/dev/zero", "/dev/urandom", "."])
def test_extends_must_be_a_regular_file(tmp_path, target):
    path = tmp_path / "instrument.yaml"
    path.write_text(f"extends: {target}\nid: t\n", encoding="utf-8")
    start = time.perf_counter()
    message = _error(path)
    assert time.perf_counter() - start < 5
    assert "extends" in message


def test_extends_a_fifo_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    path = tmp_path / "instrument.yaml"
    path.write_text(f"extends: {fifo}\nid: t\n", encoding="utf-8")
    assert "not a regular file" in _error(path)


def test_extends_outside_the_project_is_refused(tmp_path):
    survey = tmp_path / "project" / "surveys" / "x"
    survey.mkdir(parents=True)
    path = survey / "instrument.yaml"
    path.write_text(f"extends: {SIPAS}\nid: x\n", encoding="utf-8")
    assert "is outside the project" in _error(path)


def test_a_device_as_the_instrument_is_refused():
    assert "not a regular file" in _error(Path("/dev/zero"))


def test_a_file_is_parsed_once_while_its_bytes_stay_the_same(tmp_path, monkeypatch):
    """A batch's warm kernel opens the same instrument for every report: parsed once, each
    caller gets its own copy, and a change in the file is read again."""
    import yaml

    from satisfaction.io.instrument import load as loader

    loader._PARSED.clear()
    parses = []
    real_load = yaml.load
    monkeypatch.setattr(
        loader.yaml, "load", lambda *a, **k: parses.append(1) or real_load(*a, **k)
    )
    child = _child(tmp_path, "id: a-child\n")
    first, second = load_instrument(child), load_instrument(child)
    assert len(parses) == 2  # the child and SIPAS, once each
    assert first == second and first is not second
    spec = loader._read_yaml(child)
    spec["id"] = "changed by a caller"
    assert loader._read_yaml(child)["id"] == "a-child"
    child.write_text(child.read_text(encoding="utf-8").replace("a-child", "b-child"), "utf-8")
    assert load_instrument(child).id == "b-child" and len(parses) == 3
