"""Notebook units: a notebook, its validated parameters and its output folder.

``make_unit`` validates a notebook's parameters (``satisfaction.run.params``) and names the
unit's output folder with safe slugs; ``make_units`` crosses varied values into one unit per
combination; ``_check_units`` checks hand-made units before a batch runs or writes anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError, ParameterError, Problem
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.run.manifest import _FOLDER_PART, _digest
from satisfaction.run.params import (
    Choices,
    Param,
    notebook_schema,
    validate_params,
)

__all__ = ["RESERVED_PARAMETERS", "Unit", "make_unit", "make_units"]

#: Parameters the batch sets itself: ``output_dir`` is the unit's folder (absolute path).
RESERVED_PARAMETERS: tuple[str, ...] = ("output_dir",)


@dataclass(frozen=True)
class Unit:
    """One notebook run: the notebook, its validated parameters, its output folder.

    ``folder`` is relative to the batch's ``out_dir``, made of slugs joined by ``/``;
    ``inputs`` are the files (or folders) whose content the results depend on (their hash
    decides whether a rerun may skip the unit); ``title`` is shown on the index page, under
    the heading ``group`` (e.g. the reporting unit "Xã, phường: Xã An Phú"; empty: the
    notebook's folder).
    """

    notebook: Path
    parameters: Mapping[str, Any]
    folder: str
    title: str = ""
    inputs: tuple[Path, ...] = ()
    group: str = ""


@lru_cache(maxsize=64)
def _schema_cached(path: str, mtime_ns: int) -> dict[str, Param]:
    return notebook_schema(path)


def _schema(notebook: Path, declared: Iterable[Param] = ()) -> dict[str, Param]:
    if not notebook.is_file():
        raise InputError("notebook not found", file=notebook)
    schema = dict(_schema_cached(str(notebook.resolve()), notebook.stat().st_mtime_ns))
    for param in declared:
        if param.name not in schema:
            raise ParameterError(
                f"declared but not in the parameters cell of {notebook.name}",
                key=f"parameter {param.name!r}",
            )
        schema[param.name] = param
    return schema


def make_unit(
    notebook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    valid_values: Mapping[str, Choices] | None = None,
    declared: Iterable[Param] = (),
    folder: str | None = None,
    title: str | None = None,
    inputs: Iterable[str | Path] = (),
    coerce_strings: bool = False,
    name_by: Sequence[str] | None = None,
    group: str = "",
) -> Unit:
    """Validate ``parameters`` against the notebook's schema and describe the unit.

    ``valid_values`` maps a parameter to the values found in the data (a collection or a
    callable): a value outside them is a ``ParameterError`` listing the valid ones, and the
    unit's folder is named after these values: ``<notebook-slug>/<value-slug>/...``
    (``province_report/Hà Nội`` -> ``province-report/ha-noi``), or after the parameters
    listed in ``name_by``. A given ``folder`` is slugified part by part. ``output_dir`` is
    set by the batch and cannot be given.
    """
    path = Path(notebook)
    schema = _schema(path, declared)
    values = validate_params(
        schema,
        parameters,
        valid_values=valid_values,
        coerce_strings=coerce_strings,
        reserved=RESERVED_PARAMETERS,
    )
    values = {k: v for k, v in values.items() if k not in RESERVED_PARAMETERS}
    naming = set(name_by) if name_by is not None else set(valid_values or {})
    keyed = [name for name in schema if name in naming]
    if folder is None:
        parts = [slugify(path.stem)]
        for name in keyed:
            value = values[name]
            items = value if isinstance(value, list) else [value]
            parts.append("-".join(slugify(str(item)) for item in items))
        if len(parts) == 1 and parameters:
            parts.append("p-" + _digest(values)[:10])
    else:
        parts = [slugify(part) for part in str(folder).replace("\\", "/").split("/") if part]
        if not parts:
            raise ParameterError("empty folder name", key=f"folder {folder!r}")
    if title is None:
        shown = [str(values[name]) for name in keyed]
        title = path.stem + (": " + ", ".join(shown) if shown else "")
    return Unit(path, values, "/".join(parts), title, tuple(Path(p) for p in inputs), group)


def make_units(
    notebook: str | Path,
    vary: Mapping[str, Iterable[Any]],
    *,
    fixed: Mapping[str, Any] | None = None,
    valid_values: Mapping[str, Choices] | None = None,
    declared: Iterable[Param] = (),
    inputs: Iterable[str | Path] = (),
    coerce_strings: bool = False,
) -> list[Unit]:
    """One unit per combination of the values in ``vary`` (in order), e.g. every province
    times every field: ``make_units(nb, {"province": provinces, "field": fields},
    fixed={"survey": "demo"}, valid_values={...})``. Folders are named after the varied
    values. Every invalid value of every combination is reported in one ``ParameterError``.
    """
    names = list(vary)
    declared, inputs = list(declared), list(inputs)
    units: list[Unit] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for combination in itertools.product(*(list(vary[name]) for name in names)):
        parameters = {**(fixed or {}), **dict(zip(names, combination, strict=True))}
        try:
            units.append(
                make_unit(
                    notebook,
                    parameters,
                    valid_values=valid_values,
                    declared=declared,
                    inputs=inputs,
                    coerce_strings=coerce_strings,
                    name_by=names,
                )
            )
        except ParameterError as error:
            problems.extend(p for p in error.problems if str(p) not in seen)
            seen.update(str(p) for p in error.problems)
    if problems:
        raise ParameterError(problems=problems)
    return units


def _check_units(units: Sequence[Unit], out_root: Path) -> None:
    """Everything that can be checked before anything runs or is written."""
    problems: list[Problem] = []
    folders = {unit.folder for unit in units}
    seen: set[str] = set()
    for unit in units:
        where = f"unit {unit.folder!r}"
        parts = unit.folder.split("/")
        if not all(_FOLDER_PART.fullmatch(part) for part in parts):
            problems.append(
                Problem("folder must be slugs joined by '/' (use make_unit)", key=where)
            )
            continue
        try:
            safe_output_path(out_root, *parts)
        except ParameterError as error:
            problems.extend(error.problems)
            continue
        if unit.folder in seen:
            problems.append(Problem("two units share this folder", key=where))
        seen.add(unit.folder)
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in folders:
                problems.append(Problem("folder lies inside another unit's folder", key=where))
        try:
            schema = _schema(Path(unit.notebook))
            validate_params(schema, unit.parameters, reserved=RESERVED_PARAMETERS)
        except (ParameterError, InputError) as error:
            problems.extend(
                Problem(p.message, file=p.file, key=f"{where}: {p.key}" if p.key else where)
                for p in error.problems
            )
        for given in unit.inputs:
            if not Path(given).exists():
                problems.append(Problem("declared input not found", file=given, key=where))
    if problems:
        raise ParameterError(problems=problems)
