"""Axes plumbing shared by the charts: new Axes, text colour on a fill, tick formatters, the
side column of small numbers right of a plot and the legend band above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator, ScalarFormatter

from satisfaction.present.figures.theme import _INK, _fmt_number

__all__: list[str] = []


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=size)
    return new_ax


def _renderer(fig: Figure) -> Any:
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    return fig._get_renderer()  # matplotlib >= 3.6 for non-Agg canvases


def _luminance(colour: Any) -> float:
    r, g, b, _ = to_rgba(colour)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _text_on(colour: Any) -> str:
    return _INK if _luminance(colour) > 0.30 else "white"


class _PercentFormatter(Formatter):
    """Tick labels in %, with as many decimals as the tick step needs ("57,5%" not "58%")."""

    def __init__(self, language: str, absolute: bool = False) -> None:
        self.language = language
        self.absolute = absolute
        self.digits = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        steps = np.diff(np.sort(np.asarray(locs, dtype=float)))
        steps = steps[steps > 1e-9]
        self.digits = 0
        if len(steps):
            step = float(steps.min())
            while self.digits < 3 and not _whole(step * 10**self.digits):
                self.digits += 1

    def __call__(self, value: float, pos: int | None = None) -> str:
        shown = abs(value) if self.absolute else value
        return _fmt_number(shown, self.digits, self.language) + "%"


def _whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-6


def _percent_formatter(language: str, absolute: bool = False) -> _PercentFormatter:
    return _PercentFormatter(language, absolute)


def _percent_axis(axis: Axis, language: str, absolute: bool = False) -> None:
    """Ticks on whole steps of 1, 2, 5 or 10 points (never 2.5) labelled in %."""
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    axis.set_major_formatter(_percent_formatter(language, absolute))


class _LocaleFormatter(ScalarFormatter):
    """Matplotlib's default tick numbers, with the Vietnamese decimal comma when asked."""

    def __init__(self, language: str) -> None:
        super().__init__(useOffset=False)
        self.language = language

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = super().__call__(x, pos)
        if self.language == "vi":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text


def _side_column(
    ax: Axes, ypos: Sequence[float], labels: Sequence[str | None], colours: Sequence[str], gid: str
) -> None:
    """A column of small texts right of the plot, one per row (n, values); None skips a row."""
    trans = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for yy, text, colour in zip(ypos, labels, colours, strict=True):
        if text is None:
            continue
        ax.text(
            1.01,
            yy,
            text,
            transform=trans,
            ha="left",
            va="center",
            fontsize=mpl.rcParams["font.size"] * 0.8,
            color=colour,
            gid=gid,
        )


def _top_legend(ax: Axes, handles: list[Any], names: list[str], ncol: int) -> None:
    """Legend in a band between the title and the plot, read left to right."""
    handles, names = _row_major(handles, names, ncol)
    ax.legend(
        handles,
        names,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncol=ncol,
        frameon=False,
        handlelength=1.2,
        handletextpad=0.4,
        columnspacing=1.0,
        borderaxespad=0.2,
    )


def _row_major(handles: list[Any], names: list[str], ncol: int) -> tuple[list, list]:
    """Reorder legend entries so they read left to right (matplotlib fills by column)."""
    rows = -(-len(handles) // ncol)
    order = [r * ncol + c for c in range(ncol) for r in range(rows) if r * ncol + c < len(handles)]
    return [handles[i] for i in order], [names[i] for i in order]
