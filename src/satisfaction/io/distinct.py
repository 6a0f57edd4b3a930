"""Text functions on a Series, run once per DISTINCT value and spread back (`map_unique`).

Every text function of `satisfaction.io.text` takes either one ``str`` or a pandas
``Series`` and returns the same kind (`_dispatch`). On a Series the work is done once per
distinct string, so a column of a million rows with a thousand distinct labels costs a
thousand calls; values that are not strings (NaN, None, numbers) pass through untouched.
Arrow-backed string columns stay in Arrow, and a vectorised prefilter can skip the rows a
function cannot change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["map_unique"]

_T = TypeVar("_T", str, pd.Series)


_Rebuild = Callable[[list[object], "list[bool] | None"], tuple[pd.Series, int]]
_Prefilter = Callable[[Any], Any]  # pyarrow array -> boolean mask of rows that may change


def _is_arrow_string(series: pd.Series) -> bool:
    dtype = series.dtype
    return isinstance(dtype, pd.StringDtype) and str(dtype.storage).startswith("pyarrow")


def _factorize(
    series: pd.Series, prefilter: _Prefilter | None = None
) -> tuple[list[object], _Rebuild]:
    """Distinct non-missing values of `series`, and a function that takes their replacements
    (same order) and returns (new series, rows counted): rows whose value changed, or rows
    whose distinct value is flagged in the optional `counted` list.

    Arrow-backed string columns (the pandas 3 default) stay in Arrow: rows the `prefilter`
    clears (a vectorised test that they cannot change) are skipped, the rest are
    dictionary-encoded, the dictionary replaced, and the rows put back. Other columns go
    through pandas.factorize.
    """
    if _is_arrow_string(series):
        return _factorize_arrow(series, prefilter)
    if isinstance(series.dtype, pd.CategoricalDtype):
        uniques, rebuild_object = _factorize(series.astype(object))

        def rebuild_category(
            new: list[object], counted: list[bool] | None = None
        ) -> tuple[pd.Series, int]:
            out, n_changed = rebuild_object(new, counted)
            return out.astype("category"), n_changed

        return uniques, rebuild_category

    codes, index = pd.factorize(series, use_na_sentinel=True)
    uniques = list(np.asarray(index, dtype=object))

    def rebuild(new: list[object], counted: list[bool] | None = None) -> tuple[pd.Series, int]:
        changed = np.fromiter((a != b for a, b in zip(uniques, new, strict=True)), bool)
        if not changed.any():
            return series.copy(), 0
        present = codes >= 0
        flags = changed if counted is None else np.asarray(counted, dtype=bool)
        n_changed = int(flags[codes[present]].sum())
        new_array = np.empty(len(new), dtype=object)
        new_array[:] = new
        out = np.empty(len(series), dtype=object)
        out[present] = new_array[codes[present]]
        if not present.all():
            out[~present] = series.to_numpy(dtype=object)[~present]
        dtype = series.dtype if pd.api.types.is_string_dtype(series.dtype) else object
        return pd.Series(out, index=series.index, name=series.name, dtype=dtype), n_changed

    return uniques, rebuild


def _factorize_arrow(
    series: pd.Series, prefilter: _Prefilter | None
) -> tuple[list[object], _Rebuild]:
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.chunked_array(series.array.__arrow_array__()).combine_chunks()
    mask = None
    subset = array
    if prefilter is not None:
        mask = pc.fill_null(prefilter(array), False)
        if not pc.any(mask).as_py():
            return [], lambda new, counted=None: (series.copy(), 0)
        subset = pc.filter(array, mask)
    encoded = pc.dictionary_encode(subset)
    uniques: list[object] = encoded.dictionary.to_pylist()

    def rebuild(new: list[object], counted: list[bool] | None = None) -> tuple[pd.Series, int]:
        changed = [a != b for a, b in zip(uniques, new, strict=True)]
        if not any(changed):
            return series.copy(), 0
        taken = pc.take(pa.array(new, type=array.type), encoded.indices)
        if mask is not None:
            taken = pc.replace_with_mask(array, mask, taken)
        flags = pa.array(changed if counted is None else counted, type=pa.bool_())
        n_changed = pc.sum(pc.take(flags, encoded.indices)).as_py()
        out = pd.Series(pd.array(taken, dtype=series.dtype), index=series.index)
        return out.rename(series.name), int(n_changed or 0)

    return uniques, rebuild


def _map_unique_counted(
    series: pd.Series, func: Callable[[str], str], prefilter: _Prefilter | None = None
) -> tuple[pd.Series, int]:
    uniques, rebuild = _factorize(series, prefilter)
    return rebuild([func(u) if isinstance(u, str) else u for u in uniques], None)


def map_unique(series: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """Apply `func` once per distinct string of `series` and spread the results back.

    Non-string values (NaN, None, numbers) are kept as they are; a string dtype is kept.
    This is why cleaning a million-row column costs as much as its distinct values.
    """
    return _map_unique_counted(series, func)[0]


def _dispatch(value: _T, func: Callable[[str], str], prefilter: _Prefilter | None = None) -> _T:
    if isinstance(value, pd.Series):
        return _map_unique_counted(value, func, prefilter)[0]
    if isinstance(value, str):
        return func(value)
    return value
