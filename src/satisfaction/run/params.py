"""Notebook parameters: a schema per notebook and validation of the values given to it.

A batch turns user input (CLI options, province and field names read from a survey) into
notebook parameters and output folders. papermill alone only *warns* on an unknown parameter
and injects values as code, so every value is checked here first:

- the schema of a notebook is read from its ``parameters`` cell (names, literal defaults, their
  types and annotations) without executing anything, and may be refined in code (allowed
  values, help);
- ``validate_params`` rejects unknown names, wrong types and values not in the data, listing the
  valid ones, and returns plain values (str, int, float, bool, None, lists and dicts of those)
  whose ``repr`` round-trips through ``ast.literal_eval``: such a value cannot carry code;
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError, ParameterError, Problem

__all__ = [
    "REQUIRED",
    "Choices",
    "Param",
    "inject_parameters",
    "notebook_schema",
    "validate_params",
]


class _Required:
    """Marker for a parameter without a default."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

_NONE_TYPE = type(None)
_SCALARS: tuple[type, ...] = (str, int, float, bool, _NONE_TYPE)
_TYPE_NAMES = {
    str: "str",
    int: "int",
    float: "float",
    bool: "bool",
    list: "list",
    dict: "dict",
    _NONE_TYPE: "None",
}
_ANNOTATIONS = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
_ANNOTATIONS.update({"List": list, "Dict": dict, "None": _NONE_TYPE})

Choices = Iterable[Any] | Callable[[], Iterable[Any]]


@dataclass(frozen=True)
class Param:
    """One notebook parameter.

    ``types`` are the accepted Python types (``()`` means any plain value); ``item_types``
    constrain the elements of a list. ``choices`` (a collection, or a callable returning one,
    so a survey is read only when needed) limits the values; for a list every element must be
    a choice.
    """

    name: str
    types: tuple[type, ...] = ()
    default: Any = REQUIRED
    choices: Choices | None = None
    item_types: tuple[type, ...] = ()
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def type_name(self) -> str:
        if not self.types:
            return "any plain value"
        names = [_TYPE_NAMES.get(t, t.__name__) for t in self.types]
        if self.item_types and list in self.types:
            items = " | ".join(_TYPE_NAMES.get(t, t.__name__) for t in self.item_types)
            names = [f"list[{items}]" if n == "list" else n for n in names]
        return " | ".join(names)


# ---------------------------------------------------------------------------------------------
# schema from the parameters cell


def _annotation_types(node: ast.expr | None) -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(types, item types) of a simple annotation; ((), ()) when it is not understood."""
    if node is None:
        return (), ()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "str" as a string
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return (), ()
    if isinstance(node, ast.Constant) and node.value is None:
        return (_NONE_TYPE,), ()
    if isinstance(node, ast.Name) and node.id in _ANNOTATIONS:
        return (_ANNOTATIONS[node.id],), ()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, left_items = _annotation_types(node.left)
        right, right_items = _annotation_types(node.right)
        if not left or not right:
            return (), ()
        return tuple(dict.fromkeys(left + right)), left_items or right_items
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer = node.value.id
        inner, _ = _annotation_types(node.slice)
        if outer == "Optional" and inner:
            return (*inner, _NONE_TYPE), ()
        if outer in ("list", "List"):
            return (list,), inner
        if outer in ("dict", "Dict"):
            return (dict,), ()
    return (), ()


def _types_of_default(value: Any) -> tuple[tuple[type, ...], tuple[type, ...]]:
    if value is None:
        return (), ()  # None says nothing about the type; any plain value is accepted
    if isinstance(value, bool):
        return (bool,), ()
    if isinstance(value, float):
        return (float,), ()
    if isinstance(value, int | str | dict):
        return (type(value),), ()
    if isinstance(value, list | tuple):
        item_types = {type(v) for v in value}
        if len(item_types) == 1 and item_types <= {str, int, float, bool}:
            return (list,), tuple(item_types)
        return (list,), ()
    return (), ()


def _parameters_cell(nb: Any) -> tuple[int, str] | None:
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            source = cell.get("source", "")
            return index, "".join(source) if isinstance(source, list) else source
    return None


def _read_notebook(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("notebook not found", file=path) from None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the notebook: {error}", file=path) from None


def notebook_schema(
    notebook: str | Path | Mapping[str, Any],
    declared: Mapping[str, Param] | Iterable[Param] = (),
) -> dict[str, Param]:
    """The parameters of a notebook, read from its cell tagged ``parameters``.

    Each top-level assignment ``name = literal`` or ``name: annotation = literal`` is a
    parameter; its type comes from the annotation, else from the literal default (a float
    parameter accepts ints, an int parameter no floats, bools are never numbers). Nothing is
    executed: defaults are read with ``ast.literal_eval``, and a default that is not a literal
    makes the parameter required. A trailing ``# comment`` becomes its help. ``declared``
    params (by name) replace what was read, to add choices or tighten types. This is the check
    papermill lacks (``papermill.inspect_notebook`` returns defaults as source text only).
    """
    if isinstance(notebook, Mapping):
        nb, where = notebook, "<notebook>"
    else:
        nb, where = _read_notebook(Path(notebook)), str(notebook)
    found = _parameters_cell(nb)
    schema: dict[str, Param] = {}
    if found is not None:
        index, source = found
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise InputError(
                f"cell {index} (parameters) is not valid Python: {error.msg} "
                f"(line {error.lineno})",
                file=where,
            ) from None
        lines = source.splitlines()
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, annotation, value = node.targets[0], None, node.value
            elif isinstance(node, ast.AnnAssign):
                target, annotation, value = node.target, node.annotation, node.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            default: Any = REQUIRED
            if value is not None:
                try:
                    default = ast.literal_eval(value)
                except (ValueError, SyntaxError, TypeError):
                    default = REQUIRED
            if isinstance(default, tuple):
                default = list(default)
            types, item_types = _annotation_types(annotation)
            if not types and default is not REQUIRED:
                types, item_types = _types_of_default(default)
            if types == (float,) or (float in types and int not in types):
                types = (*types, int)  # an int is a fine float
            if default is None and types and _NONE_TYPE not in types:
                types = (*types, _NONE_TYPE)
            line = lines[node.end_lineno - 1] if node.end_lineno else ""
            help_text = line.split("#", 1)[1].strip() if "#" in line else ""
            schema[target.id] = Param(target.id, types, default, None, item_types, help_text)
    declared_params = declared.values() if isinstance(declared, Mapping) else declared
    for param in declared_params:
        schema[param.name] = param
    return schema


# ---------------------------------------------------------------------------------------------
# validation


def _is_plain(value: Any, depth: int = 0) -> bool:
    """True for JSON-like values whose repr is a literal Python reads back unchanged."""
    if depth > 20:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return all(_is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _normalise_text(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [_normalise_text(v) for v in value]
    if isinstance(value, dict):
        return {_normalise_text(k): _normalise_text(v) for k, v in value.items()}
    return value


def _has_control_character(value: Any) -> bool:
    if isinstance(value, str):
        return any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in value)
    if isinstance(value, list):
        return any(_has_control_character(v) for v in value)
    if isinstance(value, dict):
        return any(
            _has_control_character(k) or _has_control_character(v) for k, v in value.items()
        )
    return False


def _matches_type(value: Any, types: tuple[type, ...]) -> bool:
    if not types:
        return True
    if isinstance(value, bool):  # bool is an int subclass; never accept it as a number
        return bool in types
    return any(isinstance(value, t) for t in types if t is not bool)


def _coerce_text(param: Param, text: str) -> Any:
    """Read a command-line string as the parameter's type; unchanged when it does not fit."""
    stripped = text.strip()
    for kind in param.types:
        if kind is str:
            return text
        if kind is bool and stripped.lower() in ("true", "false", "yes", "no", "1", "0"):
            return stripped.lower() in ("true", "yes", "1")
        if kind is int and re.fullmatch(r"[+-]?\d+", stripped):
            return int(stripped)
        if kind is float and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", stripped):
            return float(stripped)
        if kind is list:
            items = [item.strip() for item in text.split(",") if item.strip()]
            item_param = replace(param, types=param.item_types or (str,))
            return [_coerce_text(item_param, item) for item in items]
        if kind is _NONE_TYPE and stripped.lower() in ("none", "null"):
            return None
    return text


def _match_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _shorten(values: Sequence[str], limit: int = 80) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")


def _check_choice(
    name: str, value: Any, allowed: list[Any], from_data: bool, problems: list[Problem]
) -> Any:
    """The canonical allowed value equal to ``value`` (NFC, case and spacing aside)."""
    if value in allowed:
        return value
    if isinstance(value, str):
        by_key = {_match_key(a): a for a in allowed if isinstance(a, str)}
        if _match_key(value) in by_key:
            return by_key[_match_key(value)]
    shown = [str(a) for a in allowed]
    where = "is not in the survey" if from_data else "is not an allowed value"
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, shown, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    problems.append(
        Problem(f"{value!r} {where}{hint}; valid: {_shorten(shown)}", key=f"parameter {name!r}")
    )
    return value


_INVALID: Any = object()


def _checked_value(param: Param, raw: Any, coerce_strings: bool, problems: list[Problem]) -> Any:
    """The given value, normalised and type-checked; ``_INVALID`` after adding a problem."""
    key = f"parameter {param.name!r}"
    value = _normalise_text(raw)
    if coerce_strings and isinstance(value, str) and param.types:
        value = _coerce_text(param, value)
    if not _is_plain(value):
        message = f"{value!r} is not plain data (str, int, float, bool, None, list, dict)"
        problems.append(Problem(message, key=key))
        return _INVALID
    if _has_control_character(value):
        problems.append(Problem(f"{value!r} holds a control character", key=key))
        return _INVALID
    if not _matches_type(value, param.types):
        kind = _TYPE_NAMES.get(type(value), type(value).__name__)
        problems.append(Problem(f"{value!r} is a {kind}, expected {param.type_name()}", key=key))
        return _INVALID
    if type(value) is int and param.types[:1] == (float,):
        value = float(value)  # a float parameter given as 2 gets 2.0
    if isinstance(value, list) and param.item_types:
        bad = [v for v in value if not _matches_type(v, param.item_types)]
        if bad:
            problems.append(Problem(f"{bad[0]!r} in the list is not {param.type_name()}", key=key))
            return _INVALID
    return value


def validate_params(
    schema: Mapping[str, Param],
    given: Mapping[str, Any] | None,
    *,
    valid_values: Mapping[str, Choices] | None = None,
    coerce_strings: bool = False,
    reserved: Iterable[str] = (),
) -> dict[str, Any]:
    """Check ``given`` against ``schema`` and return every parameter's value, defaults filled.

    Raises ``ParameterError`` listing every problem at once: an unknown name (with the known
    ones), a reserved name (set by the batch itself), a missing required value, a wrong type,
    a value that is not plain data (str, int, float, bool, None, lists and dicts of those,
    finite floats, no control characters), and a value not among the allowed ones
    (``valid_values`` by name, else the param's ``choices``), listing the valid ones. Strings
    are NFC-normalised; a value found in the allowed list modulo case and spacing is replaced
    by the canonical spelling from the list, so the value that reaches the notebook comes
    from the data, not from the user. ``coerce_strings`` reads command-line strings as the
    declared type first.
    """
    given = dict(given or {})
    valid_values = dict(valid_values or {})
    reserved = set(reserved)
    problems: list[Problem] = []
    for name in given:
        if name not in schema:
            close = difflib.get_close_matches(str(name), list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(schema) or "none"
            problems.append(
                Problem(f"unknown parameter{hint}; known: {known}", key=f"parameter {name!r}")
            )
        elif name in reserved:
            problems.append(
                Problem("is set by the batch and cannot be given", key=f"parameter {name!r}")
            )
    for name in valid_values:
        if name not in schema:
            problems.append(
                Problem("has valid values but is not a parameter", key=f"parameter {name!r}")
            )
    values: dict[str, Any] = {}
    for name, param in schema.items():
        key = f"parameter {name!r}"
        if name in given:
            value = _checked_value(param, given[name], coerce_strings, problems)
            if value is _INVALID:
                continue
        elif param.required:
            if name not in reserved:
                problems.append(Problem("is required", key=key))
            continue
        elif not _is_plain(param.default):
            continue  # the notebook keeps its own default; nothing to inject or record
        else:
            value = param.default
        choices = valid_values.get(name, param.choices)
        if choices is not None and name not in reserved:
            allowed = list(choices() if callable(choices) else choices)
            allowed = [_normalise_text(a) for a in allowed]
            from_data = name in valid_values
            if isinstance(value, list):
                value = [_check_choice(name, v, allowed, from_data, problems) for v in value]
            elif value is not None or None not in param.types:
                value = _check_choice(name, value, allowed, from_data, problems)
        values[name] = value
    if problems:
        raise ParameterError(problems=problems)
    for name, value in values.items():  # defence in depth: what is injected reads back equal
        if value is not REQUIRED and ast.literal_eval(repr(value)) != value:
            raise ParameterError(
                f"{value!r} does not read back unchanged", key=f"parameter {name!r}"
            )
    return values


# ---------------------------------------------------------------------------------------------
# injection


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> Any:
    """Insert a cell tagged ``injected-parameters`` after the ``parameters`` cell (in place).

    The papermill layout (the executed notebook records its parameters; a previous injected
    cell is replaced), but values are written with ``repr``: readable Vietnamese, and each
    value is checked to be plain data that ``ast.literal_eval`` reads back equal, so no value
    can become code.
    """
    import nbformat

    lines = ["# Parameters"]
    for name, value in parameters.items():
        if not name.isidentifier() or not _is_plain(value):
            raise ParameterError(f"{value!r} cannot be injected", key=f"parameter {name!r}")
        text = repr(value)
        if ast.literal_eval(text) != value:
            raise ParameterError(
                f"{value!r} does not read back unchanged", key=f"parameter {name!r}"
            )
        lines.append(f"{name} = {text}")
    cell = nbformat.v4.new_code_cell(source="\n".join(lines) + "\n")
    cell.metadata["tags"] = ["injected-parameters"]
    cell.metadata["papermill"] = {}
    cells = list(nb.cells)
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in _tags(c)]
    tagged = [i for i, c in enumerate(cells) if "parameters" in _tags(c)]
    if injected:
        cells[injected[0]] = cell
    elif tagged:
        cells.insert(tagged[0] + 1, cell)
    else:
        cells.insert(0, cell)
    nb.cells = cells
    nb.metadata.setdefault("papermill", {})["parameters"] = dict(parameters)
    return nb


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))
