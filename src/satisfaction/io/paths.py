"""Safe names and paths for everything the toolkit writes.

User input (province and field names read from a survey, CLI options) becomes folder and file
names under outputs/. ``slugify`` turns a Vietnamese name into an ASCII folder name;
``safe_output_path`` refuses any path that resolves outside its root.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from satisfaction.errors import ParameterError

__all__ = ["file_mode", "safe_output_path", "slugify"]


def _current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` sets it process-wide, which
    would race with the batch's threads); 0o022 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def file_mode() -> int:
    """The mode a new file gets from ``open()`` under the current umask (0644 under 022).

    Atomic writers create their temporary file with ``tempfile.mkstemp``, which is always
    0600; they chmod it to this before moving it into place, so colleagues on a shared
    folder can open the outputs.
    """
    return 0o666 & ~_current_umask()


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}


def slugify(name: str, *, max_length: int = 80) -> str:
    """An ASCII folder name for a (Vietnamese) name: ``"Thành phố Hồ Chí Minh"`` ->
    ``"thanh-pho-ho-chi-minh"``.

    Diacritics are stripped (đ -> d), everything but ``a-z0-9`` becomes one ``-``, so quotes,
    slashes, dots and code are neutralised (``"../etc"`` -> ``"etc"``). Raises
    ``ParameterError`` when nothing is left.
    """
    text = unicodedata.normalize("NFC", str(name))
    text = text.translate(str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"}))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    if not slug:
        raise ParameterError(f"{name!r} gives an empty folder name", key="name")
    if slug in _WINDOWS_RESERVED:
        slug += "-1"
    return slug


def safe_output_path(root: str | Path, *parts: str | Path) -> Path:
    """``root / parts``, resolved, refusing anything that lands outside ``root``.

    Absolute parts, ``..`` escapes and symbolic links pointing outside all raise
    ``ParameterError``; nothing is created.
    """
    root_path = Path(root).resolve()
    for part in parts:
        text = str(part)
        if "\x00" in text:
            raise ParameterError("path part holds a NUL character", key=f"path {text!r}")
        if Path(text).is_absolute():
            raise ParameterError(
                f"absolute path not allowed under {root_path}", key=f"path {text!r}"
            )
    candidate = root_path.joinpath(*map(str, parts)).resolve()
    if not candidate.is_relative_to(root_path):
        joined = "/".join(map(str, parts))
        raise ParameterError(f"resolves outside {root_path}", key=f"path {joined!r}")
    return candidate
