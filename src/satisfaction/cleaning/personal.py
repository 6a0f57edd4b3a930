"""Personal data: dropped, replaced by keyed hashes, or scrubbed out of free text -- and
columns that look personal refused until the instrument says what to do with them.

The instrument names each personal column and its action (`personal_data`): ``drop`` (the
column never reaches the outputs), ``hash`` (HMAC-SHA256 of the NFC, stripped value, keyed
by the project's secret: `satisfaction.io.secret`), ``scrub`` (phones, e-mails, ID numbers,
names and addresses in free text replaced by a marker: `pii.scrub_text`) or ``keep`` (the
team has checked the column and keeps it). Comment items (role ``comment``) are scrubbed
even when not declared. A column the instrument does not declare whose name or values look
personal ("Họ và tên", ``cccd``, a column of phone numbers) stops cleaning with one line
per column. Personal data are handled first, so no personal value reaches the log.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.log import HIDDEN, _Log
from satisfaction.cleaning.pii import (
    SCRUBBED,
    NameList,
    column_looks_personal,
    looks_like_name_column,
    scrub_contacts,
    scrub_text,
)
from satisfaction.errors import InputError, Problem
from satisfaction.io import text
from satisfaction.io.instrument import Instrument
from satisfaction.io.secret import secret_key

__all__ = ["SCRUBBED"]


def personal_actions(instrument: Instrument) -> dict[str, str]:
    """Column -> action: the declared ones, plus ``scrub`` for undeclared comment items."""
    actions = {p.column: p.action for p in instrument.personal_data}
    for item in instrument.items_with(role="comment"):
        if item.type == "text":
            actions.setdefault(item.source_column, "scrub")
    return actions


def refuse_undeclared_personal(
    frame: pd.DataFrame, instrument: Instrument, source: str | None
) -> None:
    """Stop when a column the instrument does not name (or its form id column) looks
    personal, by its name or its values; one located line per column."""
    declared = set(instrument.expected_columns()) - {instrument.id_column}
    declared |= {p.column for p in instrument.personal_data}
    problems = []
    for column in frame.columns:
        if column == "_row" or column in declared:
            continue
        distinct = pd.unique(frame[column].dropna())[:1000]
        reason = column_looks_personal(str(column), distinct)
        if reason is not None:
            problems.append(
                Problem(
                    f"looks personal ({reason}); declare it under personal_data with "
                    "action keep, drop, hash or scrub",
                    file=source,
                    column=str(column),
                )
            )
    if problems:
        raise InputError(problems=problems)


def declared_names(frame: pd.DataFrame, personal: dict[str, str]) -> NameList:
    """The full names in the declared name columns: looked for in every free text."""
    names: list[Any] = []
    for column, action in personal.items():
        if column in frame.columns and action != "keep" and looks_like_name_column(column):
            names.extend(pd.unique(frame[column].dropna()))
    return NameList(names)


def _drop_or_hash(
    frame: pd.DataFrame,
    instrument: Instrument,
    personal: dict[str, str],
    log: _Log,
    out: pd.DataFrame,
) -> None:
    """Drop or hash the personal columns (into `out`), one log entry per column."""
    for column, action in personal.items():
        if column not in frame.columns:
            continue
        if action == "drop":
            log.add_rows([pd.NA], column, "personal_dropped", old=HIDDEN, new="")
        elif action == "hash":
            out[column] = hash_column(frame[column], instrument)
            log.add_rows([pd.NA], column, "personal_hashed", old=HIDDEN, new="hmac-sha256")


def hash_column(values: pd.Series, instrument: Instrument) -> pd.Series:
    """HMAC-SHA256 (the project's secret key, the instrument's salt as context) per value."""
    col = _Col.of(values).map(lambda v: None if _isna(v) else text.nfc(_fmt(v).strip()))
    return text.salted_hash(
        col.strings(values.index), instrument.salt or instrument.id, key=secret_key()
    )


def _scrub_column(
    col: _Col, column: str, log: _Log, names: NameList | None = None, *, free_text: bool = True
) -> _Col:
    """Personal data out of a column (free text: every detector; other text: phone, ID and
    e-mail numbers and the declared names only, since a place may bear a person's name:
    "Phường Lê Lợi"); the log hides the values."""
    if free_text:
        scrubbed = col.map(lambda v: scrub_text(v, names) if isinstance(v, str) else v)
    elif names:
        scrubbed = col.map(lambda v: names.scrub(scrub_contacts(v)) if isinstance(v, str) else v)
    else:
        scrubbed = col.map(lambda v: scrub_contacts(v) if isinstance(v, str) else v)
    log.add(col.changed(scrubbed), column, col, scrubbed, "personal_scrubbed", hide=True)
    return scrubbed


def scrub_log_values(log: pd.DataFrame, names: NameList | None = None) -> pd.DataFrame:
    """Old and new values in the log with phone, ID and e-mail numbers cut out (a phone
    typed into an answer column is logged as the unknown label it is, without the digits)."""
    for column in ("old_value", "new_value"):
        values = log[column]
        text = values.dropna()
        if len(text):
            scrubbed = [scrub_contacts(v) for v in text.astype(str)]
            if names:
                scrubbed = [names.scrub(v) for v in scrubbed]
            log.loc[text.index, column] = scrubbed
    return log
