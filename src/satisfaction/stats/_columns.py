"""Private helpers shared by the analysis modules: numeric columns, weights, scale codes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from satisfaction.errors import DesignError, InputError
from satisfaction.io.instrument import Instrument


def require_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    """InputError naming every column of `columns` that `df` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"column(s) not in the data: {', '.join(map(repr, missing))}")


def numeric_matrix(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """`columns` as a float matrix, NaN where missing; InputError if a column is not numeric."""
    require_columns(df, columns)
    blocks = []
    for column in columns:
        try:
            blocks.append(pd.to_numeric(df[column]).astype("Float64"))
        except (TypeError, ValueError):
            raise InputError("not numeric codes", column=column) from None
    if not blocks:
        return np.empty((len(df), 0))
    return pd.concat(blocks, axis=1).to_numpy(dtype=float, na_value=np.nan)


def weights(df: pd.DataFrame, weight: str | None) -> np.ndarray:
    """The weight column as floats (NaN where missing), or ones; DesignError if negative."""
    if weight is None:
        return np.ones(len(df))
    if weight not in df.columns:
        raise InputError("weight column not in the data", column=weight)
    try:
        w = pd.to_numeric(df[weight]).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise DesignError("weights are not numbers", column=weight) from None
    negative = np.isfinite(w) & (w < 0)
    if negative.any():
        raise DesignError(f"{int(negative.sum())} negative weight(s)", column=weight)
    return w


def check_scale_codes(df: pd.DataFrame, instrument: Instrument, columns: Sequence[str]) -> None:
    """InputError when an item column holds a code outside its scale (98 left in, say).

    Such codes would silently be read as scores. Columns that are not items with a scale
    are not checked.
    """
    for column in columns:
        try:
            scale = instrument.scale_of(column)
        except KeyError:
            continue
        if column not in df.columns:
            raise InputError("column not in the data", column=column)
        values = pd.to_numeric(df[column], errors="coerce").dropna()
        outside = ~values.isin(scale.codes)
        if outside.any():
            raise InputError(
                f"{int(outside.sum())} value(s) outside the scale {scale.codes} "
                f"(e.g. {values[outside].iloc[0]!r}); clean the data first",
                column=column,
            )
