"""Importance-performance quadrant chart of criteria (:func:`importance_performance`).

Points at (importance, performance) with cut lines splitting them into the four quadrants of
Martilla & James (1977), the quadrants' names in the corners and each point's label moved
by adjustText until it overlaps nothing else drawn.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures._data import (
    _check_frame,
    _check_shares,
    _n_summary,
    _reliable_mask,
)
from satisfaction.present.figures._label_overlaps import faster_overlaps
from satisfaction.present.figures._layout import (
    _LocaleFormatter,
    _new_axes,
    _percent_axis,
    _renderer,
)
from satisfaction.present.figures.notes import _join_notes, _unreliable_note, annotate
from satisfaction.present.figures.theme import (
    _ABOVE,
    _BELOW,
    _BLUE,
    _INK,
    _MUTED,
    _UNRELIABLE,
    Language,
    _labels,
    _nfc,
)

__all__ = ["importance_performance"]

_QUADRANT_COLOURS = {
    "concentrate": _BELOW,
    "keep_up": _ABOVE,
    "low_priority": "#7A7A7A",
    "overkill": _BLUE,
}


def _quadrant(importance: float, performance: float, x_cut: float, y_cut: float) -> str:
    high_imp = importance >= x_cut
    high_perf = performance >= y_cut
    if high_imp:
        return "keep_up" if high_perf else "concentrate"
    return "overkill" if high_perf else "low_priority"


#: Iterations of adjustText's layout: a fixed count, not its default time limit, so the
#: same data give the same figure on any machine.
_LAYOUT_ITERATIONS = 150
#: Labels pushed apart harder than adjustText's defaults: the criteria of a survey crowd
#: into one corner (chosen on the demo plans' charts).
_LAYOUT: dict = {"expand": (1.15, 1.4), "force_text": (0.5, 1.0)}


def _dot_boxes(ax: Axes, xs: np.ndarray, ys: np.ndarray) -> list[Bbox]:
    """Each drawn dot's box in display coordinates."""
    radius = ax.figure.dpi / 72 * 5.0
    return [
        Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)
        for px, py in ax.transData.transform(np.column_stack([xs, ys]))
    ]


def _place_labels(
    ax: Axes, xs: np.ndarray, ys: np.ndarray, texts: list[str], avoid: list[Artist]
) -> list[Text]:
    """Each point's label, moved by adjustText away from the other labels, the dots and the
    quadrant names; a label adjustText leaves overlapping is then stepped up or down to the
    nearest free place, and a label away from its dot gets a thin leader line.

    The layout depends on the figure's size: it is kept on the Axes
    (``_satisfaction_relayout``) and run again when `notes.fit_width` narrows the figure
    for print.
    """
    style = {
        "fontsize": mpl.rcParams["font.size"] * 0.85,
        "color": _INK,
        "zorder": 4,
        # leader lines pass under a label, never through its words
        "bbox": {"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.85},
    }
    labels = [
        ax.text(xv, yv, text, gid="ipa-label", **style)
        for xv, yv, text in zip(xs, ys, texts, strict=True)
    ]
    leaders: list[Artist] = []

    def layout() -> None:
        for leader in leaders:
            leader.remove()
        leaders.clear()
        for label, xv, yv in zip(labels, xs, ys, strict=True):
            label.set_position((xv, yv))
            label.set_ha("left")
            label.set_va("center")
        renderer = _renderer(ax.figure)
        to_data = ax.transData.inverted()
        fixed = [a.get_window_extent(renderer) for a in avoid] + _dot_boxes(ax, xs, ys)
        with faster_overlaps():  # the same layout, its overlap search in linear time
            adjust_text(
                labels,
                x=xs,
                y=ys,
                # adjustText 1.4 maps `objects` from data to display coordinates itself
                objects=[box.transformed(to_data) for box in fixed],
                ax=ax,
                ensure_inside_axes=True,
                iter_lim=_LAYOUT_ITERATIONS,
                **_LAYOUT,
            )
        _step_to_free_places(ax, labels, fixed)
        leaders.extend(_leaders(ax, labels, xs, ys))

    layout()
    ax._satisfaction_relayout = layout  # type: ignore[attr-defined]
    return labels


#: Steps tried, in label heights (up, down) and half label widths (sideways).
_STEPS = range(-24, 25)


def _step_to_free_places(ax: Axes, labels: list[Text], fixed: list[Bbox]) -> None:
    """Move a label that still overlaps an earlier label or a fixed box (dots, quadrant
    names), or sticks out of the Axes, to the nearest free place inside the Axes, in steps
    of its height and of half its width. A label with no free place stays where adjustText
    left it."""
    renderer = _renderer(ax.figure)
    frame = ax.get_window_extent(renderer).padded(0.5)  # a label at the edge is inside
    to_data = ax.transData.inverted()
    placed: list[Bbox] = []

    def free(box: Bbox, taken: list[Bbox]) -> bool:
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
        inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
        return inside and not any(box.overlaps(other) for other in taken)

    for label in labels:
        box = label.get_window_extent(renderer)
        taken = placed + fixed
        if not free(box, taken):
            # first back inside the Axes, then step away from what it overlaps
            x_in = max(frame.x0 - box.x0, 0.0) + min(frame.x1 - box.x1, 0.0)
            y_in = max(frame.y0 - box.y0, 0.0) + min(frame.y1 - box.y1, 0.0)
            steps = [(c * box.width / 2, r * box.height * 1.1) for c in _STEPS for r in _STEPS]
            steps.sort(key=lambda step: math.hypot(*step))  # the nearest free place first
            for dx, dy in ((x_in + c, y_in + r) for c, r in steps):
                moved = box.translated(dx, dy)
                if free(moved, taken):
                    px, py = ax.transData.transform(label.get_position())
                    label.set_position(to_data.transform((px + dx, py + dy)))
                    box = moved
                    break
        placed.append(box)


def _leaders(ax: Axes, labels: list[Text], xs: np.ndarray, ys: np.ndarray) -> list[Artist]:
    """A thin line from each label that sits away from its dot to the dot."""
    renderer = _renderer(ax.figure)
    dots = _dot_boxes(ax, xs, ys)
    lines: list[Artist] = []
    for label, dot, xv, yv in zip(labels, dots, xs, ys, strict=True):
        box = label.get_window_extent(renderer)
        if box.padded(4).overlaps(dot):
            continue  # beside its dot: no line needed
        line = _Leader(
            posA=label.get_position(),
            posB=(xv, yv),
            patchA=label,
            arrowstyle="-",
            color=_MUTED,
            lw=0.6,
            shrinkA=1,
            shrinkB=5,
            zorder=3.5,
            gid="ipa-leader",
        )
        ax.add_patch(line)
        lines.append(line)
    return lines


class _Leader(FancyArrowPatch):
    """A leader line cut at its label's outline (``patchA``) as `FancyArrowPatch` cuts it,
    with the outline measured once per path: matplotlib's bisection asks the label ~9 times
    per path whether a point is inside it, each time laying out its text again (~0.3 s of
    a plan's figures, drawn 5-8 times). Should matplotlib rename the method, the line is
    cut by the label itself, as before."""

    def _get_path_in_displaycoord(self) -> Any:
        label = self.patchA
        if not isinstance(label, Text):
            return super()._get_path_in_displaycoord()
        self.patchA = _Outline(label)
        try:
            return super()._get_path_in_displaycoord()
        finally:
            self.patchA = label


class _Outline:
    """`Text.contains` of one label, with the text's box measured once."""

    def __init__(self, label: Text) -> None:
        self.label = label
        self.box: Bbox | None = None

    def contains(self, event: Any) -> tuple[bool, dict]:
        label = self.label
        if not label.get_visible() or label._renderer is None:
            return False, {}
        if self.box is None:
            self.box = Text.get_window_extent(label)
        box = self.box
        inside = box.x0 <= event.x <= box.x1 and box.y0 <= event.y <= box.y1
        patch = label.get_bbox_patch()
        if patch is not None:
            inside = patch.contains(event)[0] or inside
        return inside, {}


def importance_performance(
    data: pd.DataFrame,
    *,
    importance: str,
    performance: str,
    label: str,
    x_cut: float | None = None,
    y_cut: float | None = None,
    reliable: str | None = "reliable",
    percent: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
    n: str | None = "n",
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Importance-performance quadrant chart (Martilla & James 1977) of criteria.

    x = ``importance`` (e.g. a driver coefficient or correlation with overall
    satisfaction, as given), y = ``performance`` (satisfied share, shown in % when
    ``percent``). Cut lines default to the means of the points drawn (the data-centred
    variant); pass ``x_cut``/``y_cut`` (``y_cut`` as a proportion) for scale-centred or
    target cuts. Quadrants: high importance & low performance = "Concentrate here", high &
    high = "Keep up the good work", low & low = "Low priority", low importance & high
    performance = "Possible overkill". A point on a cut counts as high.

    Points are one collection (gid ``ipa-points``, offsets (importance, performance in %));
    cut lines have gids ``ipa-x-cut``/``ipa-y-cut``; quadrant names ``ipa-quadrant-<key>``.
    """
    func = "importance_performance"
    words = _labels(language)
    _check_frame(data, [importance, performance, label], func)
    if percent:
        _check_shares(data, [performance], func)
        if y_cut is not None and not 0 <= y_cut <= 1:
            raise ParameterError(f"{func}: y_cut={y_cut!r} is not a proportion in [0, 1]")
    frame = data.dropna(subset=[importance, performance])
    if frame.empty:
        raise InputError(f"{func}: no row has both {importance!r} and {performance!r}")
    scale = 100.0 if percent else 1.0
    xs = frame[importance].to_numpy(dtype=float)
    ys = frame[performance].to_numpy(dtype=float) * scale
    cut_how = words["cut_given"] if (x_cut is not None or y_cut is not None) else None
    xc = float(np.mean(xs)) if x_cut is None else float(x_cut)
    yc = float(np.mean(ys)) if y_cut is None else float(y_cut) * scale
    if x_cut is None and y_cut is None:
        cut_how = words["cut_mean"]
    ok = _reliable_mask(frame, reliable).to_numpy()
    quadrants = [_quadrant(a, b, xc, yc) for a, b in zip(xs, ys, strict=True)]

    ax = _new_axes(ax, (8.0, 6.2))
    _ipa_limits(ax, xs, ys, xc, yc, percent)
    _draw_cuts_and_points(ax, xs, ys, xc, yc, quadrants, ok)
    avoid = _quadrant_names(ax, words)

    ax.set_xlabel(xlabel or words["importance_axis"])
    ax.set_ylabel(ylabel or (words["satisfied_axis"] if percent else performance))
    if percent:
        _percent_axis(ax.yaxis, language)
    else:
        ax.yaxis.set_major_formatter(_LocaleFormatter(language))
    ax.xaxis.set_major_formatter(_LocaleFormatter(language))
    ax.grid(True, zorder=0)
    annotate(
        ax,
        title=title or words["titles"]["ipa"],
        n=n_total if n_total is not None else _n_summary(frame, n, "point", language),
        source=source,
        note=_join_notes(
            words["cut_note"].format(how=cut_how),
            _unreliable_note(frame, ok, language),
            note,
        ),
        language=language,
    )
    # last: the layout of labels needs the Axes at their final place (after the title)
    labels = [_nfc(t) + ("" if good else " *") for t, good in zip(frame[label], ok, strict=True)]
    _place_labels(ax, xs, ys, labels, avoid)
    return ax


def _ipa_limits(
    ax: Axes, xs: np.ndarray, ys: np.ndarray, xc: float, yc: float, percent: bool
) -> None:
    """Limits around the points and cut lines with room for labels (y within 0-100%)."""
    xspan = max(xs.max(), xc) - min(xs.min(), xc) or abs(xc) or 1.0
    yspan = max(ys.max(), yc) - min(ys.min(), yc) or abs(yc) or 1.0
    ax.set_xlim(min(xs.min(), xc) - 0.18 * xspan, max(xs.max(), xc) + 0.18 * xspan)
    ylo = min(ys.min(), yc) - 0.2 * yspan
    yhi = max(ys.max(), yc) + 0.2 * yspan
    if percent:
        ylo, yhi = max(ylo, 0.0), min(yhi, 100.0)
    ax.set_ylim(ylo, yhi)


def _draw_cuts_and_points(
    ax: Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    xc: float,
    yc: float,
    quadrants: list[str],
    ok: np.ndarray,
) -> None:
    """Dashed cut lines and one point collection coloured by quadrant (hollow if unreliable)."""
    ax.axvline(xc, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.0, zorder=1, gid="ipa-x-cut")
    ax.axhline(yc, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.0, zorder=1, gid="ipa-y-cut")
    colours = [_QUADRANT_COLOURS[q] for q in quadrants]
    faces = [c if good else "white" for c, good in zip(colours, ok, strict=True)]
    edges = [c if good else _UNRELIABLE for c, good in zip(colours, ok, strict=True)]
    ax.scatter(
        xs,
        ys,
        s=52,
        facecolors=faces,
        edgecolors=edges,
        linewidths=1.3,
        zorder=3,
        gid="ipa-points",
    )


def _quadrant_names(ax: Axes, words: dict) -> list[Artist]:
    """Each quadrant's name in its corner; returns them for the labels to avoid."""
    corners = {
        "overkill": (0.015, 0.985, "left", "top"),
        "keep_up": (0.985, 0.985, "right", "top"),
        "low_priority": (0.015, 0.015, "left", "bottom"),
        "concentrate": (0.985, 0.015, "right", "bottom"),
    }
    avoid = []
    for key, (cx, cy, ha, va) in corners.items():
        text = ax.text(
            cx,
            cy,
            words["quadrants"][key],
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=mpl.rcParams["font.size"] * 0.95,
            fontweight="bold",
            color=_QUADRANT_COLOURS[key],
            zorder=2,
            gid=f"ipa-quadrant-{key}",
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85},
        )
        avoid.append(text)
    return avoid
