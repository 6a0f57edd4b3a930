"""A column as its distinct values: what every cleaning step maps, and how values print.

Work is done per column on the column's UNIQUE values and mapped back, so a file of a
million rows costs about as much as its distinct spellings. `_Col` holds a column that way;
`_fmt` and `_isna` are the one way cleaning prints a value and tells it is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (4 and "4" differ: the value changed), or both missing."""
    if _isna(a) or _isna(b):
        return _isna(a) and _isna(b)
    return type(a) is type(b) and bool(a == b)


@dataclass(frozen=True)
class _Col:
    """A column as distinct values plus, per row, which one (factorized once).

    `values[-1]` is the missing value, so `values[codes]` is the column. Every cleaning
    step maps the distinct values only; a million rows cost as much as their spellings.
    """

    codes: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, series: pd.Series) -> _Col:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        values = np.empty(len(uniques) + 1, dtype=object)
        values[:-1] = [None if _isna(v) else v for v in np.asarray(uniques, dtype=object)]
        values[-1] = None
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
        return cls(codes, values)

    def map(self, func: Callable[[Any], Any]) -> _Col:
        mapped = np.empty(len(self.values), dtype=object)
        mapped[:] = [func(v) for v in self.values]
        return _Col(self.codes, mapped)

    def where(self, flags: np.ndarray | list[bool]) -> np.ndarray:
        """Row mask from one flag per distinct value."""
        return np.asarray(flags, dtype=bool)[self.codes]

    def changed(self, other: _Col) -> np.ndarray:
        return self.where(
            [not _same(a, b) for a, b in zip(self.values, other.values, strict=True)]
        )

    def rows(self) -> np.ndarray:
        return self.values[self.codes]

    def strings(self, index: pd.Index) -> pd.Series:
        text_values = np.empty(len(self.values), dtype=object)
        text_values[:] = [None if _isna(v) else _fmt(v) for v in self.values]
        return pd.Series(text_values[self.codes], index=index, dtype="string")


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def _isna(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)
