"""adjustText's overlap search in linear time, same results (used by the quadrant chart).

Each of adjustText's iterations finds the pairs of boxes that overlap on both axes by
comparing every x-overlapping pair with every y-overlapping pair
(``(y[:, None] == x).all(-1).any(-1)``): quadratic in the pairs, ~4 ms an iteration for the
22 criteria and their dots, 150 iterations per chart, ~0.4 s of a plan. The functions
here find the same pairs, in the same order, through one integer key per pair
(``numpy.isin``); the shifts are computed as adjustText 1.x computes them (MIT licence,
Ilya Flyamer), so the labels land on the same pixels. Its check for crossing leader lines
(a Python loop over every pair of labels, each iteration) is done at once in the same way.
`faster_overlaps` puts them in place of adjustText's for one layout and puts the originals
back; with an adjustText that no longer has these functions it changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import adjustText
import numpy as np
from adjustText.arrops import overlap_intervals

__all__ = ["crossings_removed", "faster_overlaps", "shifts_extra", "shifts_texts"]


def _both(xoverlaps: np.ndarray, yoverlaps: np.ndarray, width: int) -> np.ndarray:
    """The rows of ``yoverlaps`` that are also rows of ``xoverlaps``, in their order."""
    if len(xoverlaps) == 0 or len(yoverlaps) == 0:
        return yoverlaps[:0]
    xkeys = xoverlaps[:, 0].astype(np.int64) * width + xoverlaps[:, 1]
    ykeys = yoverlaps[:, 0].astype(np.int64) * width + yoverlaps[:, 1]
    return yoverlaps[np.isin(ykeys, xkeys)]


def shifts_texts(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`adjustText.get_shifts_texts`: how far each label overlaps the other labels."""
    n = coords.shape[0]
    xoverlaps = overlap_intervals(coords[:, 0], coords[:, 1], coords[:, 0], coords[:, 1])
    xoverlaps = xoverlaps[xoverlaps[:, 0] != xoverlaps[:, 1]]
    yoverlaps = overlap_intervals(coords[:, 2], coords[:, 3], coords[:, 2], coords[:, 3])
    yoverlaps = yoverlaps[yoverlaps[:, 0] != yoverlaps[:, 1]]
    overlaps = _both(xoverlaps, yoverlaps, n)
    if len(overlaps) == 0:
        return np.zeros(n), np.zeros(n)
    diff = coords[overlaps[:, 1]] - coords[overlaps[:, 0]]
    xshifts = np.where(np.abs(diff[:, 0]) < np.abs(diff[:, 1]), diff[:, 0], diff[:, 1])
    yshifts = np.where(np.abs(diff[:, 2]) < np.abs(diff[:, 3]), diff[:, 2], diff[:, 3])
    xshifts = np.bincount(overlaps[:, 0], xshifts, minlength=n)
    yshifts = np.bincount(overlaps[:, 0], yshifts, minlength=n)
    return xshifts, yshifts


def shifts_extra(coords: np.ndarray, extra_coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`adjustText.get_shifts_extra`: how far each label overlaps the fixed boxes."""
    n = coords.shape[0]
    xoverlaps = overlap_intervals(
        coords[:, 0], coords[:, 1], extra_coords[:, 0], extra_coords[:, 1]
    )
    yoverlaps = overlap_intervals(
        coords[:, 2], coords[:, 3], extra_coords[:, 2], extra_coords[:, 3]
    )
    overlaps = _both(xoverlaps, yoverlaps, extra_coords.shape[0])
    if len(overlaps) == 0:
        return np.zeros(n), np.zeros(n)
    diff_x = coords[overlaps[:, 0], :2] - extra_coords[overlaps[:, 1], -3::-1]
    diff_y = coords[overlaps[:, 0], 2:] - extra_coords[overlaps[:, 1], -1:-3:-1]
    xshifts = np.where(np.abs(diff_x[:, 0]) < np.abs(diff_x[:, 1]), diff_x[:, 0], diff_x[:, 1])
    yshifts = np.where(np.abs(diff_y[:, 0]) < np.abs(diff_y[:, 1]), diff_y[:, 0], diff_y[:, 1])
    xshifts = np.bincount(overlaps[:, 0], xshifts, minlength=n)
    yshifts = np.bincount(overlaps[:, 0], yshifts, minlength=n)
    return xshifts, yshifts


def crossings_removed(coords: np.ndarray, target_coords: np.ndarray, step: int) -> np.ndarray:
    """`adjustText.remove_crossings`: two labels whose lines to their points cross swap
    places, pair by pair in adjustText's order ((1, 0), (2, 0), (2, 1), ...); the crossings
    are those of the lines before any swap, as there."""
    centres = np.column_stack([coords[:, :2].mean(axis=1), coords[:, 2:].mean(axis=1)])
    lines = np.hstack([centres, target_coords])
    first, second = np.tril_indices(len(lines), k=-1)
    x1, y1, x2, y2 = lines[first].T
    x3, y3, x4, y4 = lines[second].T
    denom = (y4 - y3) * (x2 - x1) - (x4 - x3) * (y2 - y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ua = ((x4 - x3) * (y1 - y3) - (y4 - y3) * (x1 - x3)) / denom
        ub = ((x2 - x1) * (y1 - y3) - (y2 - y1) * (x1 - x3)) / denom
    # adjustText's tests, NaN included: a comparison with NaN is False, so it is no reason
    crossing = (denom != 0) & ~(ua < 0) & ~(ua > 1) & ~(ub < 0) & ~(ub > 1)
    for i, j in zip(first[crossing], second[crossing], strict=True):
        coords[i], coords[j] = coords[j].copy(), coords[i].copy()
    return coords


_REPLACED = {
    "get_shifts_texts": shifts_texts,
    "get_shifts_extra": shifts_extra,
    "remove_crossings": crossings_removed,
}


@contextmanager
def faster_overlaps() -> Iterator[None]:
    """Within the block, adjustText's iterations use `shifts_texts` and `shifts_extra`."""
    originals = {name: getattr(adjustText, name, None) for name in _REPLACED}
    if any(original is None for original in originals.values()):
        yield  # another adjustText: leave it as it is
        return
    for name, function in _REPLACED.items():
        setattr(adjustText, name, function)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(adjustText, name, original)
