"""Notebook parameters: schema from the parameters cell, validation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import nbformat
import pytest

from satisfaction.errors import ParameterError
from satisfaction.run.params import (
    REQUIRED,
    Param,
    inject_parameters,
    notebook_schema,
    validate_params,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "data" / "notebooks"
PROVINCES = ["Hà Nội", "Huế", "Đà Nẵng", "Thành phố Hồ Chí Minh"]


def _notebook(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell, nbformat.v4.new_code_cell("x = 1")]
    return nb


@pytest.fixture(scope="module")
def schema() -> dict[str, Param]:
    return notebook_schema(NOTEBOOKS / "toy_report.ipynb")


# --- schema -----------------------------------------------------------------------------------


def test_schema_reads_names_defaults_types_and_help(schema):
    assert list(schema) == ["province", "fail", "repeat", "scale", "output_dir"]
    assert schema["province"].default == "Hà Nội"
    assert schema["province"].types == (str,)
    assert schema["province"].help == "province name, one of the survey's"
    assert schema["fail"].types == (bool,)
    assert schema["repeat"].types == (int,)
    assert schema["scale"].types == (float, int)  # a float parameter also takes an int
    assert schema["scale"].default == 1.5


def test_schema_understands_annotations_and_non_literal_defaults():
    nb = _notebook(
        "from datetime import date\n"
        "wave: int | None = None  # survey wave\n"
        "fields: list[str] = []\n"
        "today = date.today()\n"
        "ratio: 'float' = 1\n"
        "anything = None\n"
    )
    schema = notebook_schema(nb)
    assert list(schema) == ["wave", "fields", "today", "ratio", "anything"]
    assert schema["wave"].types == (int, type(None))
    assert schema["wave"].help == "survey wave"
    assert schema["fields"].types == (list,)
    assert schema["fields"].item_types == (str,)
    assert schema["today"].default is REQUIRED  # not a literal: nothing is executed
    assert schema["ratio"].types == (float, int)
    assert schema["anything"].types == ()  # None says nothing about the type


def test_declared_params_replace_what_was_read():
    nb = _notebook('province = "Hà Nội"\n')
    declared = Param("province", (str,), "Hà Nội", choices=PROVINCES, help="tỉnh")
    assert notebook_schema(nb, [declared])["province"] is declared


# --- validation -------------------------------------------------------------------------------


def test_defaults_fill_missing_values(schema):
    values = validate_params(schema, {"province": "Huế"})
    assert values == {
        "province": "Huế",
        "fail": False,
        "repeat": 3,
        "scale": 1.5,
        "output_dir": ".",
    }


def test_unknown_parameter_is_an_error_naming_the_known_ones(schema):
    with pytest.raises(ParameterError) as caught:
        validate_params(schema, {"provinse": "Huế"})
    assert str(caught.value) == (
        "parameter 'provinse': unknown parameter (did you mean 'province'?); "
        "known: province, fail, repeat, scale, output_dir"
    )


def test_wrong_type_is_an_error(schema):
    with pytest.raises(ParameterError) as caught:
        validate_params(schema, {"repeat": "3"})
    assert str(caught.value) == "parameter 'repeat': '3' is a str, expected int"
    with pytest.raises(ParameterError, match="True is a bool, expected int"):
        validate_params(schema, {"repeat": True})  # bool is an int subclass, not a count
    with pytest.raises(ParameterError, match=r"2\.5 is a float, expected int"):
        validate_params(schema, {"repeat": 2.5})


def test_int_for_float_parameter_becomes_float(schema):
    values = validate_params(schema, {"scale": 2})
    assert values["scale"] == 2.0 and type(values["scale"]) is float


def test_province_not_in_survey_lists_the_valid_ones(schema):
    with pytest.raises(ParameterError) as caught:
        validate_params(schema, {"province": "Hà Nộii"}, valid_values={"province": PROVINCES})
    assert str(caught.value) == (
        "parameter 'province': 'Hà Nộii' is not in the survey (did you mean 'Hà Nội'?); "
        "valid: Hà Nội, Huế, Đà Nẵng, Thành phố Hồ Chí Minh"
    )


def test_valid_values_may_be_a_callable_read_only_when_needed(schema):
    calls = []

    def provinces():
        calls.append(1)
        return PROVINCES

    assert (
        validate_params(schema, {}, valid_values={"province": provinces})["province"] == "Hà Nội"
    )
    assert calls == [1]


def test_matching_value_is_replaced_by_the_canonical_spelling(schema):
    decomposed = unicodedata.normalize("NFD", "  hà  nội ")
    values = validate_params(
        schema, {"province": decomposed}, valid_values={"province": PROVINCES}
    )
    assert values["province"] == "Hà Nội"


@pytest.mark.parametrize(
    "hostile",
    [
        "Hà Nội'; import os; os.system('x'); '",
        '"Hà Nội"',
        "__import__('os').system('x')",
        "../../etc/passwd",
        "Hà Nội/../..",
    ],
)
def test_hostile_province_names_are_rejected(schema, hostile):
    with pytest.raises(ParameterError) as caught:
        validate_params(schema, {"province": hostile}, valid_values={"province": PROVINCES})
    assert str(caught.value).startswith(f"parameter 'province': {hostile!r} is not in the survey")
    assert str(caught.value).endswith("valid: Hà Nội, Huế, Đà Nẵng, Thành phố Hồ Chí Minh")


def test_values_must_be_plain_data(schema):
    with pytest.raises(ParameterError, match=r"PosixPath\('x'\) is not plain data"):
        validate_params(schema, {"province": Path("x")})
    with pytest.raises(ParameterError, match="nan is not plain data"):
        validate_params(schema, {"scale": float("nan")})
    with pytest.raises(ParameterError, match="holds a control character"):
        validate_params(schema, {"province": "Hà Nội\x00"})


def test_every_problem_is_reported_at_once(schema):
    with pytest.raises(ParameterError) as caught:
        validate_params(
            schema,
            {"provinse": 1, "repeat": "x", "province": "Nowhere"},
            valid_values={"province": PROVINCES},
        )
    keys = [p.key for p in caught.value.problems]
    assert keys == ["parameter 'provinse'", "parameter 'province'", "parameter 'repeat'"]
    assert str(caught.value).splitlines()[0] == "3 problems:"


def test_required_and_reserved_parameters():
    schema = {"wave": Param("wave", (int,)), "output_dir": Param("output_dir", (str,), ".")}
    with pytest.raises(ParameterError, match="parameter 'wave': is required"):
        validate_params(schema, {})
    with pytest.raises(ParameterError, match="'output_dir': is set by the batch"):
        validate_params(schema, {"wave": 1, "output_dir": "/tmp"}, reserved=["output_dir"])


def test_command_line_strings_are_read_as_the_declared_type(schema):
    values = validate_params(
        schema, {"repeat": "5", "fail": "true", "scale": "2"}, coerce_strings=True
    )
    assert (values["repeat"], values["fail"], values["scale"]) == (5, True, 2.0)
    fields = {"fields": Param("fields", (list,), [], item_types=(str,))}
    assert validate_params(fields, {"fields": "đất đai, hộ tịch"}, coerce_strings=True) == {
        "fields": ["đất đai", "hộ tịch"]
    }
    with pytest.raises(ParameterError, match="'five' is a str, expected int"):
        validate_params(schema, {"repeat": "five"}, coerce_strings=True)


def test_list_elements_are_checked_against_valid_values():
    schema = {"provinces": Param("provinces", (list,), [], item_types=(str,))}
    values = validate_params(
        schema, {"provinces": ["huế", "Hà Nội"]}, valid_values={"provinces": PROVINCES}
    )
    assert values == {"provinces": ["Huế", "Hà Nội"]}
    with pytest.raises(ParameterError, match="'Hue' is not in the survey"):
        validate_params(schema, {"provinces": ["Hue"]}, valid_values={"provinces": PROVINCES})


# --- injection --------------------------------------------------------------------------------


def test_injected_values_are_data_never_code():
    payload = "x\\\"; raise SystemExit('injected') #'''\n"
    values = {"province": payload, "items": ["a'b", 'c"d'], "n": 2, "flag": None}
    nb = inject_parameters(_notebook('province = "Hà Nội"\n'), values)
    injected = nb.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    namespace: dict = {}
    exec(injected.source, namespace)  # would raise SystemExit if the payload broke out
    assert {k: namespace[k] for k in values} == values
    assert nb.metadata["papermill"]["parameters"] == values
    # injecting again replaces the injected cell instead of adding another
    nb = inject_parameters(nb, {"province": "Huế"})
    assert [c.metadata.get("tags", []) for c in nb.cells].count(["injected-parameters"]) == 1
    assert "province = 'Huế'" in nb.cells[2].source  # readable Vietnamese, not \\u escapes


def test_injection_refuses_objects():
    with pytest.raises(ParameterError, match="cannot be injected"):
        inject_parameters(_notebook("x = 1\n"), {"x": object()})


# --- slugs and paths --------------------------------------------------------------------------
