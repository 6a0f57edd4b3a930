"""Raw responses + instrument -> clean frame, cleaning log and quarantine.

Cleaning never edits the raw input: it returns a new frame, a log with one row per changed,
coded-missing, flagged or rejected value (row id, column, old value, new value, rule), and
the rejected forms in a quarantine frame. This module runs the steps in order; they live in
`log` (the rules and the log), `personal` (personal data first), `values` (each column's
values), and `flags` (duplicates to quarantine, straight-lining and near-duplicates flagged).
Flagged forms stay in the data (a column says why); only exact duplicates and conflicting
forms (same id, different answers) are moved to quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.flags import (
    _flag_near_duplicates,
    _flag_straightlining,
    _quarantine_duplicates,
)
from satisfaction.cleaning.labels import _apply_file_labels, _merge_other_specified
from satisfaction.cleaning.log import HIDDEN, _Log, log_summary
from satisfaction.cleaning.personal import (
    _drop_or_hash,
    _scrub_column,
    declared_names,
    hash_column,
    personal_actions,
    refuse_undeclared_personal,
    scrub_log_values,
)
from satisfaction.cleaning.pii import NameList, scrub_contacts, scrub_text
from satisfaction.cleaning.values import (
    _clean_coded,
    _clean_date,
    _clean_field,
    _clean_multiple,
    _clean_numeric,
    _clean_province,
    _clean_text_column,
    _clean_weight,
    _normalise_codes,
    _restore_zeros,
)
from satisfaction.errors import InputError, Problem
from satisfaction.io.instrument import Instrument, Item
from satisfaction.io.read import RawResponses

__all__ = [
    "CleanResult",
    "clean",
]


@dataclass(frozen=True)
class CleanResult:
    """The clean frame, the cleaning log and the quarantined rows.

    `data` keeps `_row` (the row number in the raw file) as the row id; likert and single
    items are nullable integer codes, multiple-choice items add one 0/1 column per option
    (`<item>_<code>`), flags are `flag_straightlining`, `flag_near_duplicate` (with
    `near_duplicate_of`) and `flag_province`.
    """

    data: pd.DataFrame
    log: pd.DataFrame
    quarantine: pd.DataFrame
    instrument: Instrument
    source: str | None = None
    read_notes: tuple[Any, ...] = field(default=())

    def summary(self) -> pd.DataFrame:
        """Counts per rule and column, with the rule's kind and descriptions."""
        return log_summary(self.log)

    def count(self, rule: str, column: str | None = None) -> int:
        """How many log entries a rule made (in one column, if given)."""
        mask = self.log["rule"] == rule
        if column is not None:
            mask &= self.log["column"] == column
        return int(mask.sum())


# ---------------------------------------------------------------------- main entry
def clean(
    raw: RawResponses | pd.DataFrame,
    instrument: Instrument,
    *,
    source: str | Path | None = None,
) -> CleanResult:
    """Clean raw responses as the instrument declares; the raw frame is left untouched.

    Returns a `CleanResult` (data, log, quarantine). Raises `InputError` naming the file and
    the columns when columns the instrument needs are missing.
    """
    notes: tuple[Any, ...] = ()
    removed: pd.DataFrame | None = None
    filled: pd.DataFrame | None = None
    if isinstance(raw, RawResponses):
        source = source or raw.source
        notes = tuple(raw.notes)
        removed = raw.removed
        filled = raw.filled
        frame = raw.frame.copy()
    else:
        frame = raw.copy()
    if "_row" not in frame.columns:
        frame.insert(0, "_row", np.arange(1, len(frame) + 1))
    source_text = str(source) if source is not None else None
    _check_columns(frame, instrument, source_text)
    refuse_undeclared_personal(frame, instrument, source_text)
    personal = personal_actions(instrument)
    names = declared_names(frame, personal)

    id_column = instrument.id_column
    id_values = frame[id_column]
    if personal.get(id_column) == "hash":  # ids that are phones: never written raw
        id_values = hash_column(id_values, instrument)
    ids = _Col.of(id_values).map(lambda v: None if _isna(v) else _fmt(v).strip() or None)
    log = _Log(frame["_row"], ids.rows())
    out = pd.DataFrame({"_row": frame["_row"].to_numpy()}, index=frame.index)

    if removed is not None and len(removed):
        for reason in ("blank_row", "totals_row"):
            rows = removed.loc[removed["_reason"] == reason, "_row"]
            log.add_rows(rows, "", reason)

    # personal data first, so no personal value ever reaches the log or the outputs
    _log_merged_fills(filled, frame["_row"], ids.rows(), personal, log)
    _merge_other_specified(frame, instrument, log)
    value_labels = dict(raw.value_labels) if isinstance(raw, RawResponses) else {}
    value_labels |= dict(instrument.value_labels)
    missing_values = raw.missing_values if isinstance(raw, RawResponses) else {}
    if value_labels or missing_values:
        _apply_file_labels(frame, value_labels, missing_values, instrument, personal, log)
    _drop_or_hash(frame, instrument, personal, log, out)
    fonts = raw.legacy_fonts if isinstance(raw, RawResponses) else {}
    flag_province = _clean_columns(frame, instrument, personal, names, log, out, fonts)

    if flag_province is not None:
        out["flag_province"] = flag_province.fillna("")
    out[id_column] = ids.strings(frame.index)
    log.add(ids.where([v is None for v in ids.values]), id_column, ids, ids, "missing_id")

    out, quarantine = _quarantine_duplicates(out, instrument, log)
    _flag_straightlining(out, instrument, log)
    _flag_near_duplicates(out, instrument, log)
    quarantine = _with_removed_rows(quarantine, removed, instrument, personal, names)
    return CleanResult(
        data=out.reset_index(drop=True),
        log=scrub_log_values(_without_second_blank(log.frame()), names),
        quarantine=quarantine.reset_index(drop=True),
        instrument=instrument,
        source=source_text,
        read_notes=notes,
    )


def _clean_columns(
    frame: pd.DataFrame,
    instrument: Instrument,
    personal: dict[str, str],
    names: NameList,
    log: _Log,
    out: pd.DataFrame,
    fonts: dict[str, str] | None = None,
) -> pd.Series | None:
    """Clean every column not yet handled into `out`; return the province flags, if any.

    `fonts`: columns whose workbook font names their legacy encoding (tcvn3 / vni)."""
    index = frame.index
    handled: set[str] = {"_row", *(c for c, a in personal.items() if a in ("drop", "hash"))}
    items_by_column = {item.source_column: item for item in instrument.items}
    province_column = instrument.respondent.get("province")
    field_column = instrument.fields.column if instrument.fields else None
    flag_province = None
    # text that is neither free text nor a number: phones, IDs, e-mails cut out
    contact_checked = {
        c
        for c in frame.columns
        if c not in (instrument.id_column, *instrument.design.values())
        and (c not in items_by_column or items_by_column[c].type == "text")
    }

    for column in frame.columns:
        if column in handled:
            continue
        col = _Col.of(frame[column])
        item = items_by_column.get(column)
        hide = personal.get(column) == "scrub"
        coded = item is not None and item.type in ("likert", "single")
        if not coded:  # coded items: NFC and spaces are part of matching their labels
            col = _clean_text_column(
                col, column, log, hide=hide, encoding=(fonts or {}).get(column)
            )
        if hide:
            col = _scrub_column(col, column, log, names)
        elif column in contact_checked:
            col = _scrub_column(col, column, log, names, free_text=False)
        if column == field_column:
            out[column] = _clean_field(col, instrument, log, index)
        elif column == province_column:
            out[column], flag_province = _clean_province(col, column, instrument, log, index)
        else:
            _clean_item_column(col, column, item, instrument, log, out)
        handled.add(column)
    return flag_province


def _clean_item_column(
    col: _Col,
    column: str,
    item: Item | None,
    instrument: Instrument,
    log: _Log,
    out: pd.DataFrame,
) -> None:
    """An item's column by its type, the weight, or any other column as text."""
    index = out.index
    if item is not None and item.type in ("likert", "single"):
        out[item.id] = _clean_coded(col, item, instrument.scale_of(item), log, index)
    elif item is not None and item.type == "multiple":
        for name, values in _clean_multiple(
            col, item, instrument.scale_of(item), log, index
        ).items():
            out[name] = values
    elif item is not None and item.type == "numeric":
        out[item.id] = _clean_numeric(col, item, log, index)
    elif item is not None and item.type == "date":
        out[item.id] = _clean_date(col, item, log, index)
    elif column == instrument.design.get("weight") or column in _replicate_columns(instrument):
        out[column] = _clean_weight(col, column, log, index)
    else:
        code_columns = {instrument.design.get(r) for r in ("psu", "strata", "ssu")}
        code_columns |= {instrument.respondent.get(r) for r in ("commune", "district")}
        if column in code_columns:
            col = _normalise_codes(col, column, log)
        if item is not None and item.width:
            col = _restore_zeros(col, column, item.width, log)
        out[item.id if item is not None else column] = col.strings(index)


def _without_second_blank(log: pd.DataFrame) -> pd.DataFrame:
    """A cell a file-declared missing code emptied is logged once, by that rule, not again
    as blank by the column's own cleaning."""
    declared = log["rule"] == "missing_user_code"
    if not declared.any():
        return log
    keys = set(zip(log.loc[declared, "row_id"], log.loc[declared, "column"], strict=True))
    blank = log["rule"] == "missing_blank"
    again = [
        is_blank and (row, column) in keys
        for is_blank, row, column in zip(blank, log["row_id"], log["column"], strict=True)
    ]
    return log.loc[~pd.Series(again, index=log.index)].reset_index(drop=True)


def _log_merged_fills(
    filled: pd.DataFrame | None,
    rows: pd.Series,
    form_ids: np.ndarray,
    personal: dict[str, str],
    log: _Log,
) -> None:
    """One entry per cell the reader filled from a merged block (personal values hidden)."""
    if filled is None or not len(filled):
        return
    form_of = dict(zip(rows.to_numpy(), form_ids, strict=True))
    for (column, value), cells in filled.groupby(["column", "value"], sort=False):
        log.add_rows(
            cells["_row"],
            str(column),
            "merged_cell_filled",
            new=HIDDEN if column in personal else str(value),
            form_ids=[form_of.get(r) for r in cells["_row"]],
        )


def _replicate_columns(instrument: Instrument) -> tuple[str, ...]:
    """Replicate weight columns the design declares: weights, cleaned as the weight is."""
    replicates = instrument.design_rules.replicates
    return () if replicates is None else replicates.columns


def _with_removed_rows(
    quarantine: pd.DataFrame,
    removed: pd.DataFrame | None,
    instrument: Instrument,
    personal: dict[str, str],
    names: NameList,
) -> pd.DataFrame:
    """Rows the reader removed (blank rows, totals rows) join the quarantine, so clean +
    quarantine = raw row for row: without dropped or hashed columns, their free text
    scrubbed like the clean data's."""
    if removed is not None and len(removed):
        totals = removed.loc[removed["_reason"].isin(["blank_row", "totals_row"])]
        if len(totals):
            kept = [c for c in totals.columns if personal.get(c) not in ("drop", "hash")]
            extra = totals[kept].astype(object)
            for column in kept:
                if personal.get(column) == "scrub":
                    extra[column] = extra[column].map(
                        lambda v: scrub_text(v, names) if isinstance(v, str) else v
                    )
                elif column not in ("_row", "_reason", instrument.id_column):
                    extra[column] = extra[column].map(
                        lambda v: scrub_contacts(v) if isinstance(v, str) else v
                    )
            extra["quarantine_reason"] = totals["_reason"].to_numpy()
            quarantine = pd.concat([quarantine, extra.astype(object)], ignore_index=True)
    return quarantine


def _check_columns(frame: pd.DataFrame, instrument: Instrument, source: str | None) -> None:
    personal = set(instrument.personal_columns)
    missing = [
        c for c in instrument.expected_columns() if c not in frame.columns and c not in personal
    ]
    if missing:
        problems = [
            Problem(
                "column named by the instrument is missing from the data", file=source, column=c
            )
            for c in missing
        ]
        raise InputError(problems=problems)
