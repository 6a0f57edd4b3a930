"""SPSS .sav and Parquet files: their stored types are kept, with SPSS labels beside them.

SPSS codes stay numeric (1.0 is given back as 1); value labels, variable labels and
user-missing codes are kept on the `RawResponses`. `_row` is the SPSS case number, the
Parquet row from 1, or the `_row` an earlier read stored in the Parquet file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.errors import InputError
from satisfaction.io.read.cells import _clean_name
from satisfaction.io.read.header import _validate_names
from satisfaction.io.read.responses import ROW_COLUMN, RawResponses, ReadNote

__all__: list[str] = []


def _read_sav(source: Path) -> RawResponses:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(
            str(source), user_missing=True, apply_value_formats=False
        )
    except Exception as err:  # pyreadstat raises its own error types on broken files
        raise InputError(
            f"cannot read as an SPSS .sav file ({type(err).__name__}: {err})", file=source
        ) from None
    frame.columns = [_clean_name(c) for c in frame.columns]
    renamed = dict(zip(meta.column_names, frame.columns, strict=True))
    value_labels = {
        renamed[column]: {
            _plain_code(code): unicodedata.normalize("NFC", str(label)).strip()
            for code, label in labels.items()
        }
        for column, labels in meta.variable_value_labels.items()
        if column in renamed
    }
    column_labels = {
        renamed[column]: unicodedata.normalize("NFC", label).strip()
        for column, label in meta.column_names_to_labels.items()
        if label and column in renamed
    }
    missing: dict[str, list[Any]] = {}
    for column, ranges in (meta.missing_ranges or {}).items():
        name = renamed.get(column, column)
        codes = _user_missing_codes(ranges, value_labels.get(name, {}), frame.get(name))
        if codes:
            missing[name] = codes
    for column, values in (getattr(meta, "missing_user_values", None) or {}).items():
        name = renamed.get(column, column)
        codes = missing.setdefault(name, [])
        for value in values:
            if _plain_code(value) not in codes:
                codes.append(_plain_code(value))
    frame.insert(0, ROW_COLUMN, np.arange(1, len(frame) + 1, dtype="int64"))
    return RawResponses(
        frame=frame,
        source=source,
        value_labels=value_labels,
        missing_values=missing,
        column_labels=column_labels,
        format="sav",
    )


def _plain_code(code: Any) -> Any:
    """1.0 -> 1 so SPSS codes print and compare as the integers users typed."""
    if isinstance(code, float) and code.is_integer():
        return int(code)
    if isinstance(code, str):
        return unicodedata.normalize("NFC", code)
    return code


def _user_missing_codes(
    ranges: Sequence[dict[str, Any]], labels: dict[Any, str], values: pd.Series | None
) -> list[Any]:
    """User-missing codes from SPSS missing ranges.

    A discrete code is itself; a range lists its labelled codes, its observed values and,
    when it spans at most 100 whole numbers, every whole number in it.
    """
    codes: list[Any] = []

    def add(code: Any) -> None:
        code = _plain_code(code)
        if code not in codes:
            codes.append(code)

    for bounds in ranges:
        low, high = bounds.get("lo"), bounds.get("hi")
        if low == high:
            add(low)
            continue
        try:
            low_f, high_f = float(low), float(high)
        except (TypeError, ValueError):
            continue
        inside = {code for code in labels if isinstance(code, (int, float))}
        if values is not None and pd.api.types.is_numeric_dtype(values):
            observed = values[(values >= low_f) & (values <= high_f)].dropna().unique()
            inside |= {float(v) for v in observed}
        if low_f.is_integer() and high_f.is_integer() and high_f - low_f <= 100:
            inside |= set(range(int(low_f), int(high_f) + 1))
        for code in sorted(c for c in inside if low_f <= c <= high_f):
            add(code)
    return codes


def _read_parquet(source: Path) -> RawResponses:
    notes: list[ReadNote] = []
    try:
        frame = pd.read_parquet(source, engine="pyarrow")
    except Exception as err:  # pyarrow raises several error types on broken files
        raise InputError(
            f"cannot read as a Parquet file ({type(err).__name__}: {err})", file=source
        ) from None
    frame = frame.reset_index(drop=True)
    names = [_clean_name(c) for c in frame.columns]
    _validate_names([n for n in names if n != ROW_COLUMN], source, None, 1, excel=False)
    frame.columns = names
    if ROW_COLUMN in frame.columns and pd.api.types.is_integer_dtype(frame[ROW_COLUMN]):
        notes.append(
            ReadNote(
                "row_numbers_kept",
                None,
                "the file already has a _row column (from an earlier read); it is kept",
            )
        )
        frame = frame[[ROW_COLUMN, *[c for c in frame.columns if c != ROW_COLUMN]]]
    elif ROW_COLUMN in frame.columns:
        raise InputError(f"column name {ROW_COLUMN!r} is reserved for the reader", file=source)
    else:
        frame.insert(0, ROW_COLUMN, np.arange(1, len(frame) + 1, dtype="int64"))
    return RawResponses(frame=frame, source=source, notes=notes, format="parquet")
