"""What a batch did and whether a unit may be skipped: hashes, versions, ``manifest.json``.

A unit's key hashes its notebook, parameters, declared input files, the versions of the
packages that shape the results and this package's own source (``_package_code_sha256``);
a rerun skips a unit whose key is unchanged and whose recorded outputs exist. The manifest
is written atomically, so an interrupted batch leaves a readable one behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.paths import file_mode, safe_output_path

__all__ = [
    "MANIFEST_NAME",
    "VERSIONED_PACKAGES",
    "Manifest",
    "hash_inputs",
    "package_versions",
]

MANIFEST_NAME = "manifest.json"
VERSIONED_PACKAGES: tuple[str, ...] = (
    "satisfaction",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "papermill",
)
_DONE = ("ok", "skipped")
_FOLDER_PART = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# ---------------------------------------------------------------------------------------------
# hashes and versions


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(
    paths: Iterable[str | Path], cache: dict[tuple[str, int, int], str] | None = None
) -> tuple[str, dict[str, str]]:
    """sha256 of the declared input files: (combined hash, {path: file hash}).

    A folder counts as all the files under it. The combined hash depends on content and on
    the names inside folders, not on where the inputs live. Raises ``InputError`` for a
    missing input.
    """
    cache = {} if cache is None else cache
    combined = hashlib.sha256()
    per_file: dict[str, str] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            names = [p.relative_to(path).as_posix() for p in files]
        elif path.is_file():
            files, names = [path], [""]
        else:
            raise InputError("declared input not found", file=path)
        for file, name in zip(files, names, strict=True):
            stat = file.stat()
            key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
            if key not in cache:
                cache[key] = _file_sha256(file)
            per_file[str(file)] = cache[key]
            combined.update(f"{name}\0{cache[key]}\n".encode())
    return combined.hexdigest(), per_file


def package_versions(packages: Sequence[str] = VERSIONED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the packages that shape the results (None when absent)."""
    versions: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@lru_cache(maxsize=1)
def _package_code_sha256() -> str:
    """sha256 of this package's source: an edited estimator reruns the notebooks using it
    even while the version number stays the same."""
    package = Path(__file__).resolve().parents[1]  # the whole satisfaction package
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# the manifest


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass
class Manifest:
    """What a batch did: one record per unit (dicts as written to ``manifest.json``)."""

    path: Path
    index: Path
    units: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def unit(self, folder: str) -> dict[str, Any]:
        for record in self.units:
            if record["folder"] == folder:
                return record
        raise KeyError(folder)

    def with_status(self, *statuses: str) -> list[dict[str, Any]]:
        return [r for r in self.units if r["status"] in statuses]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.units:
            counts[record["status"]] = counts.get(record["status"], 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {**self.meta, "counts": self.counts, "units": self.units}

    def write(self) -> None:
        _write_atomic(self.path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1))


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, file_mode())  # mkstemp makes 0600: give the umask's default
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _previous_records(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            r["folder"]: r
            for r in data.get("units", [])
            if isinstance(r, dict)
            and isinstance(r.get("folder"), str)
            and all(_FOLDER_PART.fullmatch(part) for part in r["folder"].split("/"))
        }
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}  # no usable manifest: nothing can be skipped


def _outputs_exist(out_root: Path, record: Mapping[str, Any]) -> bool:
    outputs = record.get("outputs") or {}
    listed = [outputs.get("notebook"), outputs.get("html"), *outputs.get("files", [])]
    try:
        return all(
            name and safe_output_path(out_root, *str(name).split("/")).is_file() for name in listed
        )
    except ParameterError:
        return False


def _remove_previous_outputs(out_root: Path, record: Mapping[str, Any]) -> None:
    """Delete the files a previous run recorded (only those, only inside ``out_root``)."""
    outputs = record.get("outputs") or {}
    for name in [outputs.get("notebook"), outputs.get("html"), *outputs.get("files", [])]:
        if not name:
            continue
        try:
            safe_output_path(out_root, *str(name).split("/")).unlink(missing_ok=True)
        except (ParameterError, OSError):
            continue


def _list_outputs(out_root: Path, unit_dir: Path, spec: Mapping[str, Any]) -> dict[str, Any]:
    executed = unit_dir / spec["notebook_file"]
    report = unit_dir / spec["html_file"]
    files = sorted(p for p in unit_dir.rglob("*") if p.is_file()) if unit_dir.is_dir() else []
    rel = [p.relative_to(out_root).as_posix() for p in files if p not in (executed, report)]
    return {
        "notebook": executed.relative_to(out_root).as_posix() if executed.is_file() else None,
        "html": report.relative_to(out_root).as_posix() if report.is_file() else None,
        "files": [name for name in rel if not Path(name).name.startswith(".")],
    }
