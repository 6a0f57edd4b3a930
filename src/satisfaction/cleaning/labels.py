"""Codes the file or the instrument labels: SPSS value labels, user-missing codes, Kobo
choice labels (`value_labels:` in the instrument), and "other, specify" answers.

An SPSS file stores the province, the field or the respondent's group as codes (22, 8) and
says what they mean in its dictionary; a Kobo export stores choice names ("hn") whose
labels the XLSForm holds. Every column that is not a coded item of the
instrument (whose scale gives the labels) gets the label instead of the code, so no report
is titled "22": one log entry per changed cell, rule ``value_label``. Codes the file marks
as user-missing (999 for an unknown age) become missing, rule ``missing_user_code``, unless
the item's scale already declares that code (then the scale's own reason is logged).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.log import _Log
from satisfaction.io.instrument import Instrument

__all__: list[str] = []


def _apply_file_labels(
    frame: pd.DataFrame,
    value_labels: dict[str, dict[Any, str]],
    missing_values: dict[str, list[Any]],
    instrument: Instrument,
    personal: dict[str, str],
    log: _Log,
) -> None:
    """Replace labelled codes and user-missing codes in `frame` (a working copy), logged."""
    items = {item.source_column: item for item in instrument.items}
    for column, codes in missing_values.items():
        if column not in frame.columns or not codes:
            continue
        item = items.get(column)
        declared: set[str] = set()
        if item is not None and item.scale is not None:
            scale = instrument.scale_of(item)
            declared = {_fmt(code) for code in scale.codes} | {_fmt(m.code) for m in scale.missing}
        wanted = {_fmt(code) for code in codes} - declared
        if wanted:
            _replace(frame, column, {code: None for code in wanted}, "missing_user_code", log)
    for column, labels in value_labels.items():
        item = items.get(column)
        if column not in frame.columns or not labels:
            continue
        if item is not None and item.type in ("likert", "single", "multiple", "numeric"):
            continue  # the instrument's scale or range reads these codes
        hide = column in personal and personal[column] != "scrub"
        mapping = {_fmt(code): label for code, label in labels.items()}
        _replace(frame, column, mapping, "value_label", log, hide=hide)


def _merge_other_specified(frame: pd.DataFrame, instrument: Instrument, log: _Log) -> None:
    """Where the field answer is "other" and the specify column says what, the field takes
    that text (one entry per cell, rule ``other_specified``), so the vocabulary can still
    recognise it ("Cấp phép xây dựng" -> Xây dựng) and nothing typed is lost."""
    fields = instrument.fields
    if fields is None or not fields.other_code or not fields.other_column:
        return
    if fields.column not in frame.columns or fields.other_column not in frame.columns:
        return
    shown = frame[fields.column].map(lambda v: None if _isna(v) else _fmt(v))
    specified = frame[fields.other_column].map(
        lambda v: None if _isna(v) or not str(v).strip() else str(v).strip()
    )
    mask = (shown == fields.other_code) & specified.notna()
    if not mask.any():
        return
    before = frame[fields.column].copy()
    merged = frame[fields.column].astype(object).where(~mask, specified)
    log.add(mask.to_numpy(), fields.column, before, merged, "other_specified")
    frame[fields.column] = merged


def _replace(
    frame: pd.DataFrame,
    column: str,
    mapping: dict[str, str | None],
    rule: str,
    log: _Log,
    *,
    hide: bool = False,
) -> None:
    """Cells whose shown value (1.0 shows as "1") is a key of `mapping` take its value."""
    col = _Col.of(frame[column])
    new_values = np.array(
        [v if _isna(v) else mapping.get(_fmt(v), v) for v in col.values], dtype=object
    )
    changed = _Col(col.codes, new_values)
    mask = col.changed(changed)
    if not np.asarray(mask).any():
        return
    log.add(mask, column, col, changed, rule, hide=hide)
    frame[column] = pd.Series(new_values[col.codes], index=frame.index, dtype=object)
