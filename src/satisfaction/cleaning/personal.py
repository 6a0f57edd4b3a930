"""Personal data: dropped, replaced by salted hashes, or scrubbed out of free text.

The instrument names each personal column and its action (`personal_data`): ``drop`` (the
column never reaches the outputs), ``hash`` (salted sha256 of the NFC, stripped value) or
``scrub`` (phone numbers and e-mails in free text replaced by a marker). Personal data are
handled first, so no personal value ever reaches the log or the outputs.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna
from satisfaction.cleaning.log import HIDDEN, _Log
from satisfaction.io import text
from satisfaction.io.instrument import Instrument

__all__ = ["SCRUBBED"]

SCRUBBED = "[đã ẩn]"
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


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
            values = _Col.of(frame[column]).map(
                lambda v: None if _isna(v) else text.nfc(_fmt(v).strip())
            )
            hashed = text.salted_hash(
                values.strings(frame.index), instrument.salt or instrument.id
            )
            out[column] = hashed
            log.add_rows([pd.NA], column, "personal_hashed", old=HIDDEN, new="sha256")


def _scrub(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _EMAIL.sub(SCRUBBED, _PHONE.sub(SCRUBBED, value))


def _scrub_column(col: _Col, column: str, log: _Log) -> _Col:
    """Phone numbers and e-mails out of a free-text column; the log hides the values."""
    scrubbed = col.map(_scrub)
    log.add(col.changed(scrubbed), column, col, scrubbed, "personal_scrubbed", hide=True)
    return scrubbed
