"""Shares over periods, one line each (:func:`trend`): e.g. a unit's on-time share, QĐ 766
rate and rating coverage month by month. Draws what it is given; computes nothing.
(Named ``trend_lines`` so the module does not shadow the function on the package.)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from satisfaction.errors import ParameterError
from satisfaction.present.figures._data import _check_frame, _check_shares
from satisfaction.present.figures._layout import _new_axes, _top_legend
from satisfaction.present.figures.notes import annotate
from satisfaction.present.figures.theme import _BELOW, _BLUE, _INK, _MUTED, Language, _fmt_number

__all__ = ["trend"]

_COLOURS = (_INK, _BLUE, _BELOW, _MUTED)
_STYLES = ("solid", "solid", (0, (4, 2)), (0, (1, 1)))


def trend(
    data: pd.DataFrame,
    *,
    x: str,
    lines: Mapping[str, str],
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n: int | str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One line per share column of ``lines`` ({column: label}) across the ``x`` labels.

    Shares are proportions in [0, 1], drawn in %; missing values leave gaps (a month with
    no settled dossier has no rate). Line i has gid ``trend-<column>``; x positions are
    0..k-1 in the order of the frame, labelled with ``x``.
    """
    func = "trend"
    if not lines:
        raise ParameterError(f"{func}: name at least one line")
    if len(lines) > len(_COLOURS):
        raise ParameterError(f"{func}: at most {len(_COLOURS)} lines, got {len(lines)}")
    _check_frame(data, [x, *lines], func)
    _check_shares(data, list(lines), func, raw_option=False)
    ax = _new_axes(ax, (8.0, 4.2))
    positions = np.arange(len(data))
    for (column, label), colour, style in zip(lines.items(), _COLOURS, _STYLES, strict=False):
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float) * 100
        ax.plot(
            positions, values, color=colour, ls=style, lw=1.6, marker="o", ms=3,
            label=label, gid=f"trend-{column}",
        )  # fmt: skip
    labels = [str(v) for v in data[x]]
    step = max(1, len(labels) // 12)
    crowded = sum(len(label) for label in labels[::step]) > 60
    ax.set_xticks(
        positions[::step], labels[::step], rotation=35 if crowded else 0,
        ha="right" if crowded else "center",
    )  # fmt: skip
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: _fmt_number(value, 0, language) + "%")
    )
    handles, names = ax.get_legend_handles_labels()
    _top_legend(ax, handles, names, ncol=2)
    if title is not None:
        annotate(ax, title=title, n=n, source=source, note=note, language=language)
    return ax
