"""Title, notes, n and source line of a figure (:func:`annotate`), anchored to the tight box
of its Axes so they sit above and below whatever a drawer put there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from satisfaction.errors import ParameterError
from satisfaction.present.figures._layout import _top_legend
from satisfaction.present.figures.theme import _INK, _MUTED, Language, _fmt_n, _labels, _nfc
from satisfaction.present.wording import reliability_reasons

__all__ = ["annotate", "fit_width"]

_GID_TITLE = "figure-title"
_GID_FOOTER = "figure-source"
_GID_RESET = "figure-anchor-reset"


class _TightAnchor:
    """Callable for ``xycoords``: the union of the tight boxes of some Axes, at draw time.

    Title and footer anchor to it, so they sit above and below everything the drawer put on
    the Axes (tick labels, legends, side columns) whatever the final layout. The union is
    computed once per figure draw (a tight box lays out every tick label, which is slow on
    charts of 63 provinces) and reused until the next draw or a change of layout.
    """

    def __init__(self, axes: Sequence[Axes]) -> None:
        self.axes = list(axes)
        self._cached: tuple[tuple, Bbox] | None = None

    def reset(self) -> None:
        self._cached = None

    def __call__(self, renderer: Any) -> Bbox:
        fig = self.axes[0].figure
        key = (
            id(renderer),
            fig.dpi,
            tuple(fig.get_size_inches()),
            tuple(tuple(ax.get_position().bounds) for ax in self.axes),
        )
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        boxes = [ax.get_tightbbox(renderer) for ax in self.axes if ax.get_visible()]
        boxes = [b for b in boxes if b is not None]
        union = Bbox.union(boxes) if boxes else self.axes[0].bbox
        self._cached = (key, union)
        return union


class _AnchorReset(Artist):
    """Drawn first in every figure draw: makes the anchors recompute their boxes once."""

    zorder = -1e9

    def __init__(self) -> None:
        super().__init__()
        self.anchors: dict[int, _TightAnchor] = {}
        self.set_in_layout(False)
        self.set_gid(_GID_RESET)

    def draw(self, renderer: Any) -> None:
        for anchor in self.anchors.values():
            anchor.reset()
        self.stale = False


def _register_anchor(fig: Figure, owner: object, anchor: _TightAnchor) -> None:
    resets = [a for a in fig.artists if isinstance(a, _AnchorReset)]
    reset = resets[0] if resets else fig.add_artist(_AnchorReset())
    reset.anchors[id(owner)] = anchor


def _remove_gid(fig: Figure, gid: str, owner: object) -> None:
    for artist in list(fig.artists):
        if artist.get_gid() == gid and getattr(artist, "_satisfaction_owner", None) is owner:
            artist.remove()


def annotate(
    ax_or_fig: Axes | Figure,
    *,
    title: str,
    n: int | str | None,
    source: str | None,
    note: str | None = None,
    language: Language = "vi",
) -> Axes | Figure:
    """Give a figure its title (top left), notes, n and source line (bottom left).

    ``n`` is a number (formatted with the language's separators) or ready text such as
    ``"n = 45–312 mỗi thanh"``. ``source`` gets the prefix "Nguồn: " / "Source: " unless it
    has one; a missing source prints "Nguồn: chưa khai báo" so the gap shows in drafts.
    Calling it again replaces the previous title and footer. Returns its first argument.
    """
    words = _labels(language)
    if isinstance(ax_or_fig, Figure):
        fig, axes, owner = ax_or_fig, [a for a in ax_or_fig.axes if a.get_visible()], ax_or_fig
        if not axes:
            raise ParameterError("annotate: the figure has no axes to anchor to")
    elif isinstance(ax_or_fig, Axes):
        fig, axes, owner = ax_or_fig.figure, [ax_or_fig], ax_or_fig
    else:
        raise ParameterError(
            f"annotate: expected a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}"
        )
    for gid in (_GID_TITLE, _GID_FOOTER):
        _remove_gid(fig, gid, owner)
    anchor = _TightAnchor(axes)
    _register_anchor(fig, owner, anchor)
    base = mpl.rcParams["font.size"]

    head = Annotation(
        _nfc(title),
        xy=(0, 1),
        xycoords=anchor,
        xytext=(0, 8),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=base * 1.3,
        fontweight="bold",
        color=_INK,
        annotation_clip=False,
    )
    head._satisfaction_lines = [_nfc(title)]  # type: ignore[attr-defined]  # fit_width
    head._satisfaction_em = 0.7  # type: ignore[attr-defined]  # bold capitals are wider
    head.set_gid(_GID_TITLE)
    head._satisfaction_owner = owner  # type: ignore[attr-defined]
    fig.add_artist(head)

    prefix = words["source"]
    if source is None or not str(source).strip():
        source_text = f"{prefix}: {words['source_missing']}"
    else:
        source_text = _nfc(source).strip()
        if not source_text.casefold().startswith((prefix.casefold() + ":", "nguồn:", "source:")):
            source_text = f"{prefix}: {source_text}"
    if n is None:
        last = source_text
    else:
        n_text = f"n = {_fmt_n(n, language)}" if isinstance(n, int | float) else _nfc(n)
        last = f"{n_text}. {source_text}"
    lines = [_nfc(note)] if note else []
    lines.append(last)
    small = base * 0.8
    foot = Annotation(
        _wrapped(lines, fig.get_figwidth(), small),
        xy=(0, 0),
        xycoords=anchor,
        xytext=(0, -8),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=small,
        color=_MUTED,
        linespacing=1.4,
        annotation_clip=False,
    )
    foot._satisfaction_lines = lines  # type: ignore[attr-defined]  # rewrapped by fit_width
    foot.set_gid(_GID_FOOTER)
    foot._satisfaction_owner = owner  # type: ignore[attr-defined]
    fig.add_artist(foot)
    return ax_or_fig


def _wrapped(lines: Sequence[str], width_in: float, size_pt: float, em: float = 0.62) -> str:
    """Lines wrapped to the figure's width (a glyph of DejaVu Sans is ~0.62 em wide on
    average in Vietnamese text, bold ~0.7), so a long title, source or note never makes the
    figure wider than it was drawn."""
    chars = max(30, int((width_in - 0.3) * 72 / (size_pt * em)))
    out: list[str] = []
    for line in lines:
        for part in str(line).split("\n"):
            out.extend(textwrap.wrap(part, chars, break_long_words=False) or [""])
    return "\n".join(out)


def fit_width(fig: Figure, width_in: float, *, rounds: int = 4) -> None:
    """Narrow ``fig`` until everything drawn (labels, title, footer) fits ``width_in`` inches,
    so the figure prints at its natural size (no text shrunk below its point size).

    The Axes shrink with the figure while labels keep their size; the footer is rewrapped
    to the new width. A figure already narrow enough is left as it is.
    """
    resized = False
    old_canvas = fig.canvas
    _LayoutCanvas(fig)  # one renderer for every round: text measured once, not per size
    try:
        for _ in range(rounds):
            for artist in fig.artists:
                lines = getattr(artist, "_satisfaction_lines", None)
                if lines is not None:
                    em = getattr(artist, "_satisfaction_em", 0.62)
                    artist.set_text(_wrapped(lines, width_in, artist.get_fontsize(), em))
            fig.draw_without_rendering()
            renderer = fig.canvas.get_renderer()
            box = fig.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"])
            excess = box.width - width_in
            if excess <= 0.01:
                break
            _fewer_legend_columns(fig, renderer)
            width, height = fig.get_size_inches()
            fig.set_size_inches(max(width - excess - 0.02, 2.0), height)
            resized = True
        if resized:  # once, at the final size: a layout of labels takes a while
            _relayout_labels(fig)
    finally:
        fig.set_canvas(old_canvas)


class _LayoutCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer outlives a change of the figure's size (not of its dpi).

    Matplotlib keeps the measures of each text per renderer, and an Agg canvas makes a new
    renderer whenever the figure is resized, so each round of `fit_width` measured every
    label, title and tick again (~1 ms a text: most of a round). A renderer's size plays no
    part in laying a figure out (`Figure.draw_without_rendering` draws nothing), so the
    rounds share one; the pixels are drawn later by `files.save_figure`, on its own canvas.
    """

    _layout_renderer: RendererAgg | None = None

    def get_renderer(self) -> RendererAgg:
        renderer = self._layout_renderer
        if renderer is None or renderer.dpi != self.figure.dpi:
            width, height = self.figure.bbox.size
            renderer = self._layout_renderer = RendererAgg(width, height, self.figure.dpi)
        return renderer


def _relayout_labels(fig: Figure) -> None:
    """Labels laid out for the figure's old size (the quadrant chart's) laid out again."""
    for ax in fig.axes:
        relayout = getattr(ax, "_satisfaction_relayout", None)
        if relayout is not None:
            relayout()


def _fewer_legend_columns(fig: Figure, renderer: Any) -> None:
    """A legend wider than its Axes (a band above the plot) takes one column fewer."""
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        columns = getattr(legend, "_ncols", 1)
        wider = legend.get_window_extent(renderer).width > ax.get_window_extent(renderer).width
        if wider and columns > 1:
            # a legend lays out its boxes when made: make it again with one column fewer
            handles, names = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
            rows = -(-len(handles) // columns)
            order = [c * rows + r for r in range(rows) for c in range(columns)]
            order = [i for i in order if i < len(handles)]  # back to reading order
            _top_legend(ax, [handles[i] for i in order], [names[i] for i in order], columns - 1)


def _unreliable_note(
    frame: pd.DataFrame,
    ok: Sequence[bool] | np.ndarray,
    language: Language,
    key: str = "unreliable_note",
) -> str | None:
    """The footnote of starred elements, with the reasons that fired among them (from the
    ``reliability_note`` column when the frame has one); None when every element is reliable.
    ``key``: the wording ("hatched_note" for a grid that marks them by hatching only).
    """
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return None
    reasons: list[str] = []
    if "reliability_note" in frame.columns:
        reasons = reliability_reasons(frame.loc[~ok, "reliability_note"], language)
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return _labels(language)[key].format(why=why)


def _join_notes(*notes: str | None) -> str | None:
    kept = [_nfc(n) for n in notes if n]
    return "\n".join(kept) if kept else None
