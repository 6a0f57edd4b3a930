"""League table as a chart: each province's rank with its rank interval (:func:`rank_intervals`).

A rank from a sample is uncertain: two provinces whose scores differ by less than their
margins of error may swap places. The chart draws the rank as a point and, when given, the
95% rank interval (from the joint uncertainty of all provinces, computed in
``studies.papi_composites``) as a line, coloured by quartile group; published scores
without uncertainty are drawn as points alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from satisfaction.errors import InputError
from satisfaction.present.figures._data import _check_frame, _check_unique
from satisfaction.present.figures._layout import _new_axes, _side_column, _top_legend
from satisfaction.present.figures._papi import (
    GROUP_COLOURS,
    _group_codes,
    _group_legend,
    _highlighted,
    _words,
)
from satisfaction.present.figures.notes import _join_notes, annotate
from satisfaction.present.figures.theme import (
    _HIGHLIGHT_BAND,
    _INK,
    _POINT,
    Language,
    _fmt_number,
    _nfc,
)

__all__ = ["rank_intervals"]


def rank_intervals(
    data: pd.DataFrame,
    *,
    y: str = "province",
    rank: str = "rank",
    low: str | None = "rank_low",
    high: str | None = "rank_high",
    group: str | None = "group",
    value: str | None = None,
    digits: int = 2,
    highlight: Hashable | Sequence[Hashable] | None = None,
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One row per ``y``, best rank on top: the rank as a point, ``low``-``high`` as a line.

    ``low``/``high`` may be None or absent (published tables: points only). ``group`` (1..4)
    colours rows by quartile group; ``value`` prints each row's score right of the plot.
    Rows without a rank (not published) are left out and counted in the note. Points are a
    scatter with gid ``rank-point`` (x = rank), intervals a LineCollection ``rank-interval``.
    """
    func = "rank_intervals"
    words = _words(language)
    has_interval = low is not None and high is not None and {low, high} <= set(data.columns)
    _check_frame(data, [y, rank, group if group in data.columns else None, value], func)
    _check_unique(data, [y], func)
    ranked = data[pd.to_numeric(data[rank], errors="coerce").notna()]
    dropped = len(data) - len(ranked)
    frame = ranked.sort_values(rank, kind="stable")
    ranks = frame[rank].to_numpy(dtype=float)
    if has_interval:
        lows, highs = (frame[c].to_numpy(dtype=float) for c in (low, high))
        if np.any(lows > ranks) or np.any(highs < ranks):
            raise InputError(f"{func}: a rank lies outside its interval ({low}..{high})")
    codes = (
        _group_codes(frame[group], func, group)
        if group is not None and group in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    )
    colours = [_POINT if pd.isna(c) else GROUP_COLOURS[int(c)] for c in codes]
    wanted = _highlighted(highlight)
    k = len(frame)
    ax = _new_axes(ax, (7.0, 0.26 * k + 1.6))
    ypos = np.arange(k)
    names = [_nfc(v) for v in frame[y]]
    for yy, name in zip(ypos, frame[y], strict=True):
        if name in wanted:
            ax.axhspan(yy - 0.5, yy + 0.5, color=_HIGHLIGHT_BAND, zorder=0, gid="rank-highlight")
    if has_interval:
        lines = ax.hlines(ypos, lows, highs, colors=colours, linewidth=2.2, zorder=2)
        lines.set_gid("rank-interval")
    ax.scatter(
        ranks,
        ypos,
        s=30,
        c=colours,
        edgecolors="white",
        linewidths=0.6,
        zorder=3,
        gid="rank-point",
    )
    ax.set_yticks(ypos, names)
    for tick, name in zip(ax.get_yticklabels(), frame[y], strict=True):
        if name in wanted:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(k - 0.5, -0.5)
    top = np.nanmax(highs) if has_interval else np.nanmax(ranks) if k else 1
    ax.set_xlim(0.3, max(top, 1) + 0.7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(words["rank_axis"])
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)
    if value is not None:
        shown = [
            None if pd.isna(v) else _fmt_number(float(v), digits, language) for v in frame[value]
        ]
        _side_column(ax, ypos, shown, [_INK] * k, "rank-value")
    handles, labels = _group_legend(codes.dropna(), language, missing=False)
    if handles:
        _top_legend(ax, handles, labels, ncol=min(len(handles), 4))
    left_out = words["unranked"].format(count=dropped) if dropped else None
    annotate(
        ax,
        title=title or words["rank_title"],
        n=n_total,
        source=source,
        note=_join_notes(words["rank_note"] if has_interval else None, left_out, note),
        language=language,
    )
    return ax
