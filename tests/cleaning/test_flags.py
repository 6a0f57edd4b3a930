"""Near-duplicates: the blocked, pattern-wise search finds what a pairwise scan finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from satisfaction.cleaning.flags import _near_duplicate_partners, _pairs_within_groups


def _pairwise(codes: np.ndarray, block: np.ndarray, k: int, minimum: int) -> np.ndarray:
    """The rule as a plain O(n^2) scan: same block, agreeing exactly on one of k + 1 bands,
    at most k differences among at least `minimum` answers on both; the earliest partner."""
    bands = np.array_split(np.arange(codes.shape[1]), k + 1)
    partner = np.full(len(codes), -1)
    for a in range(len(codes)):
        for b in range(len(codes)):
            if a == b or block[a] != block[b]:
                continue
            if not any((codes[a, band] == codes[b, band]).all() for band in bands):
                continue
            both = (codes[a] >= 0) & (codes[b] >= 0)
            if both.sum() >= minimum and (codes[a] != codes[b])[both].sum() <= k:
                partner[a] = b
                break
    return partner


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2),
    st.integers(1, 6),
    st.lists(
        st.tuples(st.integers(0, 1), st.lists(st.integers(-1, 2), min_size=6, max_size=6)),
        min_size=2,
        max_size=30,
    ),
)
def test_blocked_search_equals_the_pairwise_scan(k, minimum, forms):
    block = np.array([b for b, _ in forms])
    codes = np.array([row for _, row in forms], dtype=np.int32)
    # copies of earlier forms, as an interviewer makes them
    codes = np.vstack([codes, codes[: len(codes) // 3]])
    block = np.r_[block, block[: len(block) // 3]]
    expected = _pairwise(codes, block, k, minimum)
    np.testing.assert_array_equal(_near_duplicate_partners(codes, block, k, minimum), expected)


def test_pairs_come_in_bounded_chunks_and_cover_every_pair(monkeypatch):
    import satisfaction.cleaning.flags as flags

    monkeypatch.setattr(flags, "_PAIR_CHUNK", 7)
    group = np.array([3, 1, 3, 0, 3, 1, 2, 3, 3])
    chunks = list(_pairs_within_groups(group))
    pairs = {tuple(sorted(p)) for a, b in chunks for p in zip(a, b, strict=True)}
    expected = {
        (i, j) for i in range(len(group)) for j in range(i + 1, len(group)) if group[i] == group[j]
    }
    assert pairs == expected and sum(len(a) for a, _ in chunks) == len(expected)
    assert max(len(a) for a, _ in chunks) <= 7 + 4  # a chunk ends after the row passing 7
