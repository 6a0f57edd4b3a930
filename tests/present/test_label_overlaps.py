"""The quadrant chart's overlap search: adjustText's own numbers, found in linear time."""

from __future__ import annotations

import adjustText
import numpy as np

from satisfaction.present.figures._label_overlaps import (
    crossings_removed,
    faster_overlaps,
    shifts_extra,
    shifts_texts,
)


def _boxes(rng: np.random.Generator, n: int) -> np.ndarray:
    """n boxes (x0, x1, y0, y1) crowded into a square, many overlapping."""
    x0, y0 = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    return np.column_stack([x0, x0 + rng.uniform(1, 30, n), y0, y0 + rng.uniform(1, 8, n)])


def test_shifts_are_adjusttexts_bit_for_bit():
    rng = np.random.default_rng(16)
    for n, m in [(1, 1), (2, 0), (5, 3), (22, 48), (40, 80)]:
        labels, fixed = _boxes(rng, n), _boxes(rng, m)
        for ours, theirs in zip(
            shifts_texts(labels), adjustText.get_shifts_texts(labels), strict=True
        ):
            assert np.array_equal(ours, theirs)
        if m:
            for ours, theirs in zip(
                shifts_extra(labels, fixed),
                adjustText.get_shifts_extra(labels, fixed),
                strict=True,
            ):
                assert np.array_equal(ours, theirs)


def test_crossing_lines_swap_as_adjusttext_swaps_them():
    rng = np.random.default_rng(16)
    for n in (1, 2, 9, 22):
        labels = _boxes(rng, n).round(1)
        points = rng.uniform(0, 100, (n, 2)).round(0)
        points[: n // 2] = points[0]  # lines meeting at one point, some parallel
        ours = crossings_removed(labels.copy(), points, 0)
        assert np.array_equal(ours, adjustText.remove_crossings(labels.copy(), points, 0))


def test_replaced_only_inside_the_block():
    original = adjustText.get_shifts_extra
    with faster_overlaps():
        assert adjustText.get_shifts_extra is shifts_extra
        assert adjustText.get_shifts_texts is shifts_texts
        assert adjustText.remove_crossings is crossings_removed
    assert adjustText.get_shifts_extra is original
