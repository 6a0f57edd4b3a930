"""Grouped sums and domains: the `by=` codes of every row and fast sums over groups.

Domains come from `by=` on the full sample (R's `svyby`); rows with a missing `by` value
are in no domain but stay in the design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.stats.design import factorize_sorted

__all__: list[str] = []


class _Grouper:
    """Sums rows into groups; rows coded -1 belong to no group.

    Rows in group order (cells sorted by domain, then stratum) are summed by `np.add.reduceat`
    over all columns at once; other rows with one `np.bincount` per column, which keeps every
    temporary at one column's size: on large frames this is faster than one product over an
    n x k block, whose fresh allocation costs more in page faults than the arithmetic.
    """

    def __init__(self, codes: np.ndarray, n_groups: int) -> None:
        codes = np.asarray(codes, dtype=np.int64)
        self.n_groups = n_groups
        self.codes = np.where(codes < 0, n_groups, codes) if (codes < 0).any() else codes
        self.starts = None
        if len(codes) and codes[0] == 0 and (np.diff(codes) >= 0).all():
            sizes = np.bincount(codes, minlength=n_groups)
            if len(sizes) == n_groups and (sizes > 0).all():
                self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def sum(self, values: np.ndarray) -> np.ndarray:
        if self.starts is not None:
            return np.add.reduceat(values, self.starts, axis=0)
        if values.ndim == 1:
            return np.bincount(self.codes, weights=values, minlength=self.n_groups + 1)[
                : self.n_groups
            ]
        values = np.asfortranarray(values)  # contiguous columns for bincount
        out = np.empty((self.n_groups, values.shape[1]))
        for j in range(values.shape[1]):
            out[:, j] = self.sum(values[:, j])
        return out


def _factorize(keys: np.ndarray, upper: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct non-negative keys (< upper) and each key's position among them.

    Counting instead of sorting when the key range is small enough: O(rows), not a sort.
    """
    if upper <= 1 << 26:
        seen = np.bincount(keys, minlength=upper) > 0
        present = np.flatnonzero(seen)
        lookup = np.cumsum(seen) - 1
        return present, lookup[keys]
    present, inverse = np.unique(keys, return_inverse=True)
    return present, inverse.astype(np.int64)


@dataclass
class _Domains:
    codes: np.ndarray  # one per row; -1 = in no domain (a missing `by` value)
    count: int
    keys: pd.DataFrame  # one row per domain: the by columns


def _as_list(value: str | Sequence[str] | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise ParameterError(f"{name} must be a column name or a list of column names")
    return items


def _check_columns(df: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise InputError(f"{role} column not in the data", column=", ".join(absent))


def _make_domains(df: pd.DataFrame, by: list[str]) -> _Domains:
    n = len(df)
    if not by:
        return _Domains(np.zeros(n, dtype=np.int64), 1, pd.DataFrame(index=range(1)))
    _check_columns(df, by, "by")
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques_per_column = []
    upper = 1
    for col in by:
        codes, uniques = factorize_sorted(df[col])
        missing |= codes < 0
        radix = len(uniques) + 1
        combined = combined * radix + codes
        upper *= radix
        uniques_per_column.append((col, uniques, radix))
    codes = np.full(n, -1, dtype=np.int64)
    keep = ~missing
    present, codes[keep] = _factorize(combined[keep], upper)
    keys = {}
    remainder = present.copy()
    for col, uniques, radix in reversed(uniques_per_column):
        keys[col] = uniques.take(remainder % radix)
        remainder = remainder // radix
    frame = pd.DataFrame({col: keys[col] for col in by})
    for col in by:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            frame[col] = pd.Categorical(frame[col], dtype=df[col].dtype)
    return _Domains(codes, len(present), frame)
