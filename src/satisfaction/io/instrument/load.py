"""`load_instrument`: `instrument.yaml` read as UTF-8 YAML, its `extends` chain merged.

A child's top-level keys replace its base's; the files extended are recorded on the
instrument so a change in any of them makes results stale.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument.builder import instrument_from_dict
from satisfaction.io.instrument.model import Instrument

__all__ = ["load_instrument"]


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate `instrument.yaml`; every problem is reported with its key path."""
    path = Path(path)
    if path.is_dir():
        path = path / "instrument.yaml"
    spec = _read_yaml(path)
    seen = [path.resolve()]
    while isinstance(spec, dict) and "extends" in spec:
        base_ref = spec.pop("extends")
        if not isinstance(base_ref, str):
            raise InstrumentError(
                "must be a path to another instrument.yaml", file=path, key="extends"
            )
        base_path = (seen[-1].parent / base_ref).resolve()
        if base_path in seen:
            raise InstrumentError(
                f"circular extends through {base_path}", file=path, key="extends"
            )
        seen.append(base_path)
        base = _read_yaml(base_path)
        if not isinstance(base, dict):
            raise InstrumentError("base instrument is not a mapping", file=base_path)
        spec = {**base, **spec}  # the child's top-level keys replace the base's
    instrument = instrument_from_dict(spec, source=path)
    # the files it extends: a change in any of them must make results stale
    return replace(instrument, extends=tuple(seen[1:]))


def _read_yaml(path: Path) -> Any:
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError("instrument file not found", file=path) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InstrumentError(
            f"not UTF-8 (byte {err.start}); save the instrument as UTF-8", file=path
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise InstrumentError(f"invalid YAML: {where}{problem}", file=path) from None
