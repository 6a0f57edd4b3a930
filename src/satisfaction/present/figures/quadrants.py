"""Importance-performance quadrant chart of criteria (:func:`importance_performance`).

Points at (importance, performance) with cut lines splitting them into the four quadrants of
Martilla & James (1977), the quadrants' names in the corners and each point's label placed
where it overlaps nothing else drawn.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures._data import (
    _check_frame,
    _check_shares,
    _n_summary,
    _reliable_mask,
)
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


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


_LABEL_SPOTS = [
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (6, 6, "left", "bottom"),
    (-6, 6, "right", "bottom"),
    (6, -6, "left", "top"),
    (-6, -6, "right", "top"),
]
# Farther spots get a leader line so the label still points at its dot.
_FAR_SPOTS = [
    (16, 14, "left", "bottom"),
    (-16, 14, "right", "bottom"),
    (16, -14, "left", "top"),
    (-16, -14, "right", "top"),
    (0, 22, "center", "bottom"),
    (0, -22, "center", "top"),
    (26, 24, "left", "bottom"),
    (-26, 24, "right", "bottom"),
    (26, -24, "left", "top"),
    (-26, -24, "right", "top"),
]


def _place_labels(
    ax: Axes, xs: np.ndarray, ys: np.ndarray, texts: list[str], avoid: list[Bbox]
) -> list[Annotation]:
    """Greedy placement: each label takes the first nearby spot that overlaps nothing drawn.

    Candidates are tried in a fixed order around the point, near ones first; the spot with
    the least overlap (with earlier labels, the points, the quadrant names and the Axes
    edge) wins. Labels placed at a far spot get a thin leader line to their point.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    dot = fig.dpi / 72 * 4.5
    dots = [
        Bbox.from_extents(px - dot, py - dot, px + dot, py + dot)
        for px, py in ax.transData.transform(np.column_stack([xs, ys]))
    ]
    frame_box = ax.get_window_extent(renderer)
    style = {
        "fontsize": mpl.rcParams["font.size"] * 0.85,
        "color": _INK,
        "zorder": 4,
        "annotation_clip": False,
        "textcoords": "offset points",
    }
    placed: list[Bbox] = list(avoid)
    out: list[Annotation] = []
    for idx, (xv, yv, text) in enumerate(zip(xs, ys, texts, strict=True)):
        others = placed + dots[:idx] + dots[idx + 1 :]
        probe = ax.annotate(text, (xv, yv), xytext=(0, 0), **style)
        best: tuple[float, int] | None = None
        spots = _LABEL_SPOTS + _FAR_SPOTS
        for i, (dx, dy, ha, va) in enumerate(spots):
            probe.set_position((dx, dy))
            probe.set_ha(ha)
            probe.set_va(va)
            box = probe.get_window_extent(renderer)
            cost = sum(_overlap(box, other) for other in others)
            cost += 2 * (box.width * box.height - _overlap(box, frame_box))
            if best is None or cost < best[0]:
                best = (cost, i)
            if cost == 0:
                break
        probe.remove()
        assert best is not None
        dx, dy, ha, va = spots[best[1]]
        far = best[1] >= len(_LABEL_SPOTS)
        ann = ax.annotate(
            text,
            (xv, yv),
            xytext=(dx, dy),
            ha=ha,
            va=va,
            arrowprops=(
                {"arrowstyle": "-", "color": _MUTED, "lw": 0.6, "shrinkA": 1, "shrinkB": 5}
                if far
                else None
            ),
            **style,
        )
        ann.set_gid("ipa-label")
        placed.append(Text.get_window_extent(ann, renderer))  # the text, not its leader
        out.append(ann)
    return out


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
    labels = [_nfc(t) + ("" if good else " *") for t, good in zip(frame[label], ok, strict=True)]
    _place_labels(ax, xs, ys, labels, avoid)

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


def _quadrant_names(ax: Axes, words: dict) -> list[Bbox]:
    """Each quadrant's name in its corner; returns their boxes for the labels to avoid."""
    corners = {
        "overkill": (0.015, 0.985, "left", "top"),
        "keep_up": (0.985, 0.985, "right", "top"),
        "low_priority": (0.015, 0.015, "left", "bottom"),
        "concentrate": (0.985, 0.015, "right", "bottom"),
    }
    renderer = _renderer(ax.figure)
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
        avoid.append(text.get_window_extent(renderer))
    return avoid
