"""The builder's checks of one value: mapping, list, text, code, label, unknown keys.

`_Checker` collects every problem with its key path (``items[12].scale``) instead of
stopping at the first, so a user sees all of them at once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from satisfaction.errors import Problem
from satisfaction.io.instrument.model import Label

__all__: list[str] = []


_MESSAGE_MAX = 300


def _short(value: Any) -> str:
    """A value as shown in a message: its repr, cut to a few dozen characters."""
    text = repr(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return text if len(text) <= 60 else text[:59] + "…"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Checker:
    """Checks values section by section, collecting located problems in `problems`."""

    def __init__(self, source: str | Path | None) -> None:
        self.source = Path(source) if source is not None else None
        self.problems: list[Problem] = []

    def fail(self, key: str, message: str) -> None:
        if len(message) > _MESSAGE_MAX:  # a message never carries a huge value
            message = message[: _MESSAGE_MAX - 1] + "…"
        self.problems.append(Problem(message, file=self.source, key=key[:_MESSAGE_MAX]))

    def flag(self, value: Any, key: str, *, default: bool) -> bool:
        """A true/false setting; text such as "false" is refused, never read as true."""
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false (without quotes), got {_short(value)}")
            return default
        return value

    def mapping(self, value: Any, key: str, *, required: bool = True) -> dict[str, Any]:
        if value is None:
            if required:
                self.fail(key, "is required")
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a mapping, got {type(value).__name__}")
            return {}
        return dict(value)

    def sequence(self, value: Any, key: str, *, required: bool = True) -> list[Any]:
        if value is None:
            if required:
                self.fail(key, "is required")
            return []
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {type(value).__name__}")
            return []
        return value

    def text(self, value: Any, key: str, *, required: bool = True) -> str:
        if value is None or value == "":
            if required:
                self.fail(key, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(key, f"must be text, got {type(value).__name__}")
            return ""
        return _nfc(str(value).strip())

    def code(self, value: Any, key: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(key, f"code must be a whole number, got {value!r}")
            return None
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(key, f"code must be a whole number, got {value!r}")
            return None

    def label(self, value: Any, key: str, *, required: bool = True) -> Label:
        if isinstance(value, str):
            return Label(vi=_nfc(value.strip()))
        spec = self.mapping(value, key, required=required)
        if not spec:
            return Label(vi="")
        unknown = set(spec) - {"vi", "en"}
        for name in sorted(unknown):
            self.fail(f"{key}.{name}", "unknown language (use vi and en)")
        return Label(
            vi=self.text(spec.get("vi"), f"{key}.vi", required=required),
            en=self.text(spec.get("en"), f"{key}.en", required=False),
        )

    def variants(self, value: Any, key: str) -> tuple[str, ...]:
        return tuple(
            self.text(v, f"{key}[{i}]")
            for i, v in enumerate(self.sequence(value, key, required=False))
        )

    def unknown_keys(self, spec: Mapping[str, Any], allowed: Iterable[str], key: str) -> None:
        for name in spec:
            if name not in allowed:
                prefix = f"{key}." if key else ""
                self.fail(f"{prefix}{name}", "unknown key")
