"""Form-level checks: duplicates to quarantine, straight-lining and near-duplicates flagged.

Exact duplicates (a form keyed twice: the copy) and conflicting forms (same id, different
answers: every one of them) are moved to quarantine. Thresholds of the quality flags come from
the instrument (`quality:`):

- straight-lining: a form whose answered criteria (items with role ``criterion``) are all
  the same code, with at least `straightlining_min_answered` (default 10) answered. Whole-
  grid only: within one element of 3-6 criteria identical answers are ordinary.
- near-duplicate: two forms with different ids, in the same commune, that agree on every
  compared answer but at most `near_duplicate_max_differences` (default 1), with at least
  `near_duplicate_min_compared` (default 20) answers present on both. Fixed percentage rules
  (e.g. 85% identical) give false alarms on short scales, so the rule counts differences.
  Candidates are found by the pigeonhole principle: split the compared columns into k+1
  bands; two forms with at most k differences agree exactly on one band.

Flagged forms stay in the data (a column says why).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from satisfaction.cleaning.log import _Log
from satisfaction.io.instrument import Instrument

__all__: list[str] = []


def _answer_columns(data: pd.DataFrame, instrument: Instrument) -> list[str]:
    """Columns that carry answers: every item column present in the clean frame."""
    columns = []
    for item in instrument.items:
        if item.type == "multiple":
            continue
        if item.id in data.columns and item.type != "text":
            columns.append(item.id)
    return columns


def _quarantine_duplicates(
    data: pd.DataFrame, instrument: Instrument, log: _Log
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact copies: keep the first, quarantine the rest; same id, other answers: all out."""
    id_column = instrument.id_column
    compare = [c for c in data.columns if c not in ("_row",)]
    hashes = pd.util.hash_pandas_object(data[compare].astype("string"), index=False)
    exact_copy = hashes.duplicated(keep="first").to_numpy()
    has_id = data[id_column].notna().to_numpy()
    remaining = data[~exact_copy]
    id_counts = remaining.loc[remaining[id_column].notna(), id_column].value_counts()
    conflict_ids = set(id_counts[id_counts > 1].index)
    conflict = has_id & data[id_column].isin(conflict_ids).to_numpy()
    exact_only = exact_copy & ~conflict
    log.add(exact_only, id_column, data[id_column], "", "duplicate_exact")
    log.add(conflict, id_column, data[id_column], "", "duplicate_conflict")
    quarantine = data[exact_only | conflict].copy()
    quarantine["quarantine_reason"] = np.where(
        conflict[exact_only | conflict], "duplicate_conflict", "duplicate_exact"
    )
    return data[~(exact_only | conflict)].copy(), quarantine


def _flag_straightlining(data: pd.DataFrame, instrument: Instrument, log: _Log) -> None:
    rules = instrument.quality
    columns = [
        i.id
        for i in instrument.items_with(role=rules.straightlining_group_role)
        if i.id in data.columns
    ]
    data["flag_straightlining"] = False
    if not columns:
        return
    grid = data[columns].astype("float64").to_numpy()
    answered = ~np.isnan(grid)
    n_answered = answered.sum(axis=1)
    lo = np.nanmin(np.where(answered, grid, np.inf), axis=1)
    hi = np.nanmax(np.where(answered, grid, -np.inf), axis=1)
    flag = (n_answered >= rules.straightlining_min_answered) & (lo == hi)
    data["flag_straightlining"] = flag
    row_ids = data["_row"]
    log.add_rows(
        row_ids[flag],
        "criteria",
        "straightlining",
        old=f"{len(columns)} criteria",
        new="flag",
        form_ids=data.loc[flag, instrument.id_column],
    )


def _flag_near_duplicates(data: pd.DataFrame, instrument: Instrument, log: _Log) -> None:
    rules = instrument.quality
    k = rules.near_duplicate_max_differences
    columns = _answer_columns(data, instrument)
    field_column = instrument.fields.column if instrument.fields else None
    if field_column:
        columns.append(field_column)
    block_column = instrument.respondent.get("commune") or instrument.respondent.get("province")
    data["flag_near_duplicate"] = False
    data["near_duplicate_of"] = pd.Series(pd.NA, index=data.index, dtype="string")
    if len(columns) < rules.near_duplicate_min_compared:
        return
    codes = np.column_stack(
        [pd.factorize(data[c], use_na_sentinel=True)[0] for c in columns]
    ).astype(np.int64)
    block = (
        pd.factorize(data[block_column])[0]
        if block_column in data.columns
        else np.zeros(len(data), dtype=np.int64)
    )
    pairs = _candidate_pairs(codes, block, np.array_split(np.arange(len(columns)), k + 1))
    # a blank id is "row N" (pd.NA == pd.NA is NA, whose truth value is an error)
    ids = [
        f"dòng {row}" if pd.isna(form) else str(form)
        for form, row in zip(data[instrument.id_column], data["_row"], strict=True)
    ]
    flagged: dict[int, str] = {}
    for a, b in sorted(pairs):
        if ids[a] == ids[b]:
            continue
        both = (codes[a] >= 0) & (codes[b] >= 0)
        compared = int(both.sum())
        differences = int((codes[a][both] != codes[b][both]).sum())
        if compared >= rules.near_duplicate_min_compared and differences <= k:
            flagged.setdefault(a, ids[b])
            flagged.setdefault(b, ids[a])
    if flagged:
        _mark_near_duplicates(data, instrument, log, flagged)


def _candidate_pairs(
    codes: np.ndarray, block: np.ndarray, bands: list[np.ndarray]
) -> set[tuple[int, int]]:
    """Pairs of positions that agree exactly on at least one band, within one block."""
    pairs: set[tuple[int, int]] = set()
    for band in bands:
        keys = pd.DataFrame(codes[:, band])
        keys["_block"] = block
        group_ids = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
        order = np.argsort(group_ids, kind="stable")
        sorted_ids = group_ids[order]
        starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts, ends, strict=True):
            if end - start < 2:
                continue
            members = order[start:end]
            for a_pos in range(len(members)):
                for b_pos in range(a_pos + 1, len(members)):
                    a, b = int(members[a_pos]), int(members[b_pos])
                    pairs.add((min(a, b), max(a, b)))
    return pairs


def _mark_near_duplicates(
    data: pd.DataFrame, instrument: Instrument, log: _Log, flagged: dict[int, str]
) -> None:
    """Set the flag and the other form's id on each flagged position; log one entry each."""
    positions = np.array(sorted(flagged))
    index = data.index[positions]
    data.loc[index, "flag_near_duplicate"] = True
    data.loc[index, "near_duplicate_of"] = [flagged[p] for p in positions]
    for position, row in zip(index, data.loc[index, "_row"], strict=True):
        log.add_rows(
            [row],
            "form",
            "near_duplicate",
            new=str(data.at[position, "near_duplicate_of"]),
            form_ids=[data.at[position, instrument.id_column]],
        )
