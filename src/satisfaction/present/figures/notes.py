"""Title, notes, n and source line of a figure (:func:`annotate`), anchored to the tight box
of its Axes so they sit above and below whatever a drawer put there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from satisfaction.errors import ParameterError
from satisfaction.present.figures.theme import _INK, _MUTED, Language, _fmt_n, _labels, _nfc
from satisfaction.present.wording import reliability_reasons

__all__ = ["annotate"]

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
    foot = Annotation(
        "\n".join(lines),
        xy=(0, 0),
        xycoords=anchor,
        xytext=(0, -8),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=base * 0.8,
        color=_MUTED,
        linespacing=1.4,
        annotation_clip=False,
    )
    foot.set_gid(_GID_FOOTER)
    foot._satisfaction_owner = owner  # type: ignore[attr-defined]
    fig.add_artist(foot)
    return ax_or_fig


def _unreliable_note(
    frame: pd.DataFrame, ok: Sequence[bool] | np.ndarray, language: Language
) -> str | None:
    """The footnote of starred elements, with the reasons that fired among them (from the
    ``reliability_note`` column when the frame has one); None when every element is reliable.
    """
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return None
    reasons: list[str] = []
    if "reliability_note" in frame.columns:
        reasons = reliability_reasons(frame.loc[~ok, "reliability_note"], language)
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return _labels(language)["unreliable_note"].format(why=why)


def _join_notes(*notes: str | None) -> str | None:
    kept = [_nfc(n) for n in notes if n]
    return "\n".join(kept) if kept else None
