"""`load_instrument`: `instrument.yaml` read as UTF-8 YAML, its `extends` chain merged.

A child's top-level keys replace its base's; the files extended are recorded on the
instrument so a change in any of them makes results stale.

An instrument is input like any other, so it is bounded before anything is expanded: a
regular file of at most `MAX_BYTES`; YAML nested at most `MAX_DEPTH` deep, with at most
`MAX_ALIASES` aliases and `MAX_NODES` nodes once aliases are expanded (an anchor "bomb" of
15 lines would expand to billions); a key given twice in one mapping is refused (YAML
would silently keep the last). `extends:` must name a regular file, inside the project
(the folder holding `surveys/`) when the instrument lives in one, at most `MAX_EXTENDS`
deep. Each limit is named in the error.

A parsed file is kept by the hash of its bytes (`_PARSED`, a few entries): a batch's warm
kernel opens the same instrument for every report and plan, and PyYAML's pure-Python
parser took about half a second a report. Each caller gets its own deep copy.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from satisfaction.errors import InstrumentError
from satisfaction.io.instrument.builder import instrument_from_dict
from satisfaction.io.instrument.model import Instrument

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_EXTENDS", "MAX_NODES", "load_instrument"]

MAX_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_ALIASES = 500
MAX_NODES = 200_000
MAX_EXTENDS = 10

#: Parsed YAML documents by the SHA-256 of their bytes, newest last (at most _PARSED_KEEP).
_PARSED: OrderedDict[str, Any] = OrderedDict()
_PARSED_KEEP = 16
_PARSED_LOCK = threading.Lock()


class _LimitError(yaml.YAMLError):
    """A YAML limit crossed; carries where (the mark) and what."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits checked on the node graph, before construction."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LimitError(
                    f"more than {MAX_ALIASES} aliases (*name); the limit is {MAX_ALIASES}",
                    self.peek_event().start_mark,
                )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitError(
                    f"nested deeper than {MAX_DEPTH} levels; the limit is {MAX_DEPTH}",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node)
        return self.construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: PyYAML reports it itself
                    continue
                if duplicate:
                    raise _LimitError(
                        f"key {str(key)[:60]!r} is given twice in one mapping", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _check_expanded_size(root: Any) -> None:
    """Nodes the document has once every alias is expanded, counted on the shared graph."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a node reached again through itself (recursive alias)
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1 + sum(size(child) for child in children)
        sizes[id(node)] = min(total, MAX_NODES + 1)
        return sizes[id(node)]

    if size(root) > MAX_NODES:
        raise _LimitError(
            f"more than {MAX_NODES:,} values once aliases are expanded; the limit is "
            f"{MAX_NODES:,}",
            root.start_mark,
        )


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate `instrument.yaml`; every problem is reported with its key path."""
    path = Path(path)
    if path.is_dir():
        path = path / "instrument.yaml"
    spec = _read_yaml(path)
    seen = [path.resolve()]
    project = _project_of(seen[0])
    while isinstance(spec, dict) and "extends" in spec:
        base_ref = spec.pop("extends")
        if not isinstance(base_ref, str) or not base_ref.strip() or "\x00" in base_ref:
            raise InstrumentError(
                "must be a path to another instrument.yaml", file=seen[-1], key="extends"
            )
        base_path = (seen[-1].parent / base_ref).resolve()
        if base_path in seen:
            raise InstrumentError(
                f"circular extends through {base_path}", file=seen[-1], key="extends"
            )
        if len(seen) > MAX_EXTENDS:
            raise InstrumentError(
                f"more than {MAX_EXTENDS} instruments extended in a chain; the limit is "
                f"{MAX_EXTENDS}",
                file=seen[-1],
                key="extends",
            )
        if project is not None and not base_path.is_relative_to(project):
            raise InstrumentError(
                f"{base_ref!r} is outside the project {project}; extend an instrument inside it",
                file=seen[-1],
                key="extends",
            )
        seen.append(base_path)
        base = _read_yaml(base_path, key="extends")
        if not isinstance(base, dict):
            raise InstrumentError("base instrument is not a mapping", file=base_path)
        spec = {**base, **spec}  # the child's top-level keys replace the base's
    instrument = instrument_from_dict(spec, source=path)
    # the files it extends: a change in any of them must make results stale
    return replace(instrument, extends=tuple(seen[1:]))


def _project_of(instrument: Path) -> Path | None:
    """The project folder (the one holding `surveys/`) an instrument lives in, if any."""
    for folder in instrument.parents:
        if folder.name == "surveys":
            return folder.parent
    return None


def _read_yaml(path: Path, *, key: str | None = None) -> Any:
    where = {"file": path, "key": key}
    if "\x00" in str(path):
        raise InstrumentError("the path holds a NUL character", file=repr(str(path)), key=key)
    try:
        if not path.exists():
            raise InstrumentError("instrument file not found", **where)
        if not path.is_file():
            raise InstrumentError("is not a regular file (a folder, device or pipe)", **where)
        if path.stat().st_size > MAX_BYTES:
            raise InstrumentError(
                f"larger than {MAX_BYTES:,} bytes; the limit for an instrument is {MAX_BYTES:,}",
                **where,
            )
        raw_bytes = path.read_bytes()
    except OSError as err:
        raise InstrumentError(f"cannot read: {err.strerror}", **where) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InstrumentError(
            f"not UTF-8 (byte {err.start}); save the instrument as UTF-8", file=path
        ) from None
    digest = hashlib.sha256(raw_bytes).hexdigest()
    with _PARSED_LOCK:
        kept = _PARSED.get(digest)
        if kept is not None:
            _PARSED.move_to_end(digest)
    if kept is not None:
        return copy.deepcopy(kept)
    try:
        parsed = yaml.load(text, Loader=_BoundedLoader)
    except RecursionError:
        raise InstrumentError(f"nested too deep; the limit is {MAX_DEPTH}", file=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise InstrumentError(f"invalid YAML: {where}{problem}", file=path) from None
    with _PARSED_LOCK:
        _PARSED[digest] = copy.deepcopy(parsed)  # the caller may change its own copy
        while len(_PARSED) > _PARSED_KEEP:
            _PARSED.popitem(last=False)
    return parsed
