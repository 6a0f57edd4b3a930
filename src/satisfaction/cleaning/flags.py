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

from collections.abc import Iterator

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
    columns = _answer_columns(data, instrument)
    field_column = instrument.fields.column if instrument.fields else None
    if field_column:
        columns.append(field_column)
    block_column = instrument.respondent.get("commune") or instrument.respondent.get("province")
    data["flag_near_duplicate"] = False
    data["near_duplicate_of"] = pd.Series(pd.NA, index=data.index, dtype="string")
    if len(columns) < rules.near_duplicate_min_compared or len(data) < 2:
        return
    codes = np.column_stack(
        [pd.factorize(data[c], use_na_sentinel=True)[0] for c in columns]
    ).astype(np.int32)
    block = (
        pd.factorize(data[block_column])[0]
        if block_column in data.columns
        else np.zeros(len(data), dtype=np.int64)
    )
    partner = _near_duplicate_partners(
        codes, block, rules.near_duplicate_max_differences, rules.near_duplicate_min_compared
    )
    flagged = np.flatnonzero(partner >= 0)
    if len(flagged):
        # a blank id is "row N" (pd.NA == pd.NA is NA, whose truth value is an error)
        ids = np.array(
            [
                f"dòng {row}" if pd.isna(form) else str(form)
                for form, row in zip(data[instrument.id_column], data["_row"], strict=True)
            ],
            dtype=object,
        )
        _mark_near_duplicates(data, instrument, log, flagged, ids[partner[flagged]])


def _near_duplicate_partners(
    codes: np.ndarray, block: np.ndarray, max_differences: int, min_compared: int
) -> np.ndarray:
    """For each form, the position of its first near-duplicate (-1 if it has none).

    Near-linear, never comparing all pairs of a commune: forms identical in every compared
    answer are one *pattern* (copied forms are many forms, one pattern: they qualify together
    when they have at least `min_compared` answers); patterns are then blocked on answer
    bands. With k = `max_differences`, the columns are split into k + 1 bands: two patterns
    of one block with at most k differences agree exactly on at least one band (pigeonhole),
    so only patterns sharing a band are compared, in vectorised chunks. The partner is the
    earliest qualifying form, as a pairwise scan in row order finds it.

    A missing answer counts as a value in the bands (as it always has): a pair whose only
    other disagreement is an answer missing in one form may go unseen. k + 3 bands would
    find those too, but would change the flags of the demo survey (its counts are pinned).
    """
    n = len(codes)
    keys = pd.DataFrame(codes)
    keys["_block"] = block
    pattern, first = _group_ids(keys)
    n_patterns = len(first)
    answered = (codes[first] >= 0).sum(axis=1)
    size = np.bincount(pattern, minlength=n_patterns)
    # the two earliest forms of each pattern (rows are in order, so `first` is the earliest)
    order = np.argsort(pattern, kind="stable")
    starts = np.r_[0, np.cumsum(size)[:-1]]
    second = np.where(size >= 2, order[np.minimum(starts + 1, n - 1)], n)
    earliest_other = np.full(n_patterns, n, dtype=np.int64)
    pattern_codes = codes[first]
    pattern_block = block[first]
    for columns in np.array_split(np.arange(codes.shape[1]), max_differences + 1):
        band_keys = pd.DataFrame(pattern_codes[:, columns])
        band_keys["_block"] = pattern_block
        group, _ = _group_ids(band_keys)
        for a, b in _pairs_within_groups(group):
            both = (pattern_codes[a] >= 0) & (pattern_codes[b] >= 0)
            compared = both.sum(axis=1)
            differences = ((pattern_codes[a] != pattern_codes[b]) & both).sum(axis=1)
            keep = (compared >= min_compared) & (differences <= max_differences)
            a, b = a[keep], b[keep]
            np.minimum.at(earliest_other, a, first[b])
            np.minimum.at(earliest_other, b, first[a])
    own = np.where(answered >= min_compared, second, n)  # another copy of the same pattern
    partner_of_pattern = np.minimum(earliest_other, own)
    # the pattern's earliest form pairs with the others; the others pair with the earliest
    partner = np.where(
        np.arange(n) == first[pattern],
        partner_of_pattern[pattern],
        np.minimum(first[pattern], earliest_other[pattern]),
    )
    partner = np.where(
        (np.arange(n) != first[pattern]) & (answered[pattern] < min_compared),
        earliest_other[pattern],
        partner,
    )
    return np.where(partner < n, partner, -1)


def _group_ids(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group number of every row (numbered in order of first appearance), and the position
    of each group's first row."""
    group = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
    first = np.full(group.max() + 1 if len(group) else 0, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return group, first


_PAIR_CHUNK = 1_000_000  # candidate pairs compared at once (bounds memory)


def _pairs_within_groups(group: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair of rows sharing a group number, in chunks of about `_PAIR_CHUNK` pairs."""
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group)
    ends = np.cumsum(sizes)[group[order]]  # end of each sorted row's group
    following = ends - 1 - np.arange(len(order))  # later members of its group
    position = np.flatnonzero(following > 0)
    following = following[position]
    bounds = np.cumsum(following)
    done = 0
    while done < len(position):
        base = int(bounds[done - 1]) if done else 0
        stop = max(done + 1, int(np.searchsorted(bounds, base + _PAIR_CHUNK, side="right")))
        counts = following[done:stop]
        total = int(bounds[stop - 1]) - base
        a = np.repeat(position[done:stop], counts)
        step = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        yield order[a], order[a + 1 + step]
        done = stop


def _mark_near_duplicates(
    data: pd.DataFrame,
    instrument: Instrument,
    log: _Log,
    positions: np.ndarray,
    partner_ids: np.ndarray,
) -> None:
    """Set the flag and the other form's id on each flagged position; log one entry each."""
    index = data.index[positions]
    data.loc[index, "flag_near_duplicate"] = True
    data.loc[index, "near_duplicate_of"] = list(partner_ids)
    log.add_rows(
        data.loc[index, "_row"],
        "form",
        "near_duplicate",
        new=[str(p) for p in partner_ids],
        form_ids=data.loc[index, instrument.id_column],
    )
