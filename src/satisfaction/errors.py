"""Errors that users see: one clear line naming the file, sheet, row and column at fault.

Every problem with input (data, instrument, parameters) raises a subclass of
`SatisfactionError`; the CLI prints `str(error)` and exits with code 2, so the message must
stand on its own without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DesignError",
    "InputError",
    "InstrumentError",
    "OutputError",
    "ParameterError",
    "Problem",
    "SatisfactionError",
]


class SatisfactionError(Exception):
    """Base class of every error the toolkit raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem: where it is and what is wrong."""

    message: str
    file: str | Path | None = None
    sheet: str | None = None
    row: int | str | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.key is not None:
            where.append(self.key)
        return (": ".join(where) + ": " if where else "") + self.message


class _LocatedError(SatisfactionError):
    """An error holding one or more located problems; str() lists them all."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | str | None = None,
        column: str | None = None,
        key: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            problems = [
                Problem(message or "", file=file, sheet=sheet, row=row, column=column, key=key)
            ]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        head = f"{len(self.problems)} problems:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    @property
    def first(self) -> Problem:
        return self.problems[0]


class InputError(_LocatedError):
    """Bad input data: unreadable file, missing column, unknown code, wrong encoding."""


class InstrumentError(_LocatedError):
    """An instrument (questionnaire definition) that is invalid; names the key path."""


class ParameterError(_LocatedError):
    """A parameter (CLI option, notebook parameter) that is unknown, mistyped or unsafe."""


class OutputError(_LocatedError):
    """An output that cannot be written: outputs/ not writable, full, a file, or a link
    leading out of outputs/."""


class DesignError(_LocatedError):
    """A survey design that cannot be used: bad weights, PSUs not nested, lonely PSUs."""


@dataclass
class ProblemCollector:
    """Collects problems so one run reports every problem at once (pandera-style lazy)."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where: object) -> None:
        self.problems.append(Problem(message, **where))  # type: ignore[arg-type]

    def raise_if_any(self, error_type: type[_LocatedError]) -> None:
        if self.problems:
            raise error_type(problems=self.problems)
