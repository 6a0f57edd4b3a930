"""Scores across waves with method breaks drawn (:func:`slope`).

Waves sit at equal steps left to right. A method break (a new set of sub-dimensions, a new
era of PAPI, a new sample design) is a dashed vertical line between the two waves it
separates, with its label; lines are NOT joined across it, because the change there is
partly the method's. Highlighted units are coloured and labelled at their last point; the
others are thin grey context.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes

from satisfaction.errors import ParameterError
from satisfaction.present.figures._data import _check_frame, _check_unique
from satisfaction.present.figures._layout import _LocaleFormatter, _new_axes
from satisfaction.present.figures._papi import _highlighted, _words
from satisfaction.present.figures.notes import _join_notes, annotate
from satisfaction.present.figures.theme import _MUTED, _UNRELIABLE, Language, _fmt_number, _nfc

__all__ = ["slope"]

_HIGHLIGHT_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def _segments(waves: list, breaks: set) -> list[list[int]]:
    """Runs of wave positions not separated by a break (a break sits before its wave)."""
    runs: list[list[int]] = [[]]
    for i, wave in enumerate(waves):
        if i and wave in breaks:
            runs.append([])
        runs[-1].append(i)
    return runs


def slope(
    data: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "score",
    line: str = "province",
    breaks: Mapping[Hashable, str] | None = None,
    highlight: Hashable | Sequence[Hashable] | None = None,
    digits: int = 1,
    ylabel: str | None = None,
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One line per ``line`` across the waves ``x``; ``breaks`` maps the first wave after a
    method change to its label (e.g. ``{2016: "Trách nhiệm giải trình: bộ chỉ số mới"}``).

    With few lines (up to 6) and no ``highlight``, every line is coloured and labelled.
    Lines are Line2D with gid ``slope-line`` (one per unbroken run) and label = the unit;
    break lines have gid ``slope-break``.
    """
    func = "slope"
    words = _words(language)
    _check_frame(data, [x, y, line], func)
    _check_unique(data, [line, x], func)
    waves = sorted(data[x].dropna().unique())
    breaks = dict(breaks or {})
    unknown = [b for b in breaks if b not in waves]
    if unknown:
        raise ParameterError(f"{func}: break at {unknown[0]!r}, which is not a wave in the data")
    if waves and waves[0] in breaks:
        raise ParameterError(f"{func}: a break must come after a wave, not at {waves[0]!r}")
    units = list(pd.unique(data[line].dropna()))
    wanted = _highlighted(highlight)
    if not wanted and len(units) <= len(_HIGHLIGHT_COLOURS):
        wanted = set(units)
    colour_of = {
        u: _HIGHLIGHT_COLOURS[i % 6] for i, u in enumerate(u for u in units if u in wanted)
    }
    position = {w: i for i, w in enumerate(waves)}
    ax = _new_axes(ax, (1.6 * max(len(waves), 2) + 2.2, 4.6))
    runs = _segments(waves, set(breaks))
    for unit in sorted(units, key=lambda u: u in wanted):  # highlighted lines on top
        rows = data[data[line] == unit].set_index(x)[y]
        colour = colour_of.get(unit, _UNRELIABLE)
        width = 2.0 if unit in wanted else 0.8
        for run in runs:
            xs = [i for i in run if waves[i] in rows.index and pd.notna(rows[waves[i]])]
            if not xs:
                continue
            values = [float(rows[waves[i]]) for i in xs]
            ax.plot(
                xs,
                values,
                color=colour,
                linewidth=width,
                marker="o",
                markersize=4 if unit in wanted else 2,
                zorder=3 if unit in wanted else 2,
                gid="slope-line",
                label=_nfc(unit),
            )
        if unit in wanted:
            last = [w for w in waves if w in rows.index and pd.notna(rows[w])]
            if last:
                shown = f"{_nfc(unit)} {_fmt_number(float(rows[last[-1]]), digits, language)}"
                ax.annotate(
                    shown,
                    (position[last[-1]], float(rows[last[-1]])),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    color=colour,
                    fontsize=mpl.rcParams["font.size"] * 0.85,
                    gid="slope-label",
                )
    for wave, label in breaks.items():
        at = position[wave] - 0.5
        ax.axvline(at, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.1, gid="slope-break")
        ax.annotate(
            _nfc(label),
            xy=(at, 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(-3, -2),
            textcoords="offset points",
            rotation=90,
            ha="right",
            va="top",
            fontsize=mpl.rcParams["font.size"] * 0.75,
            color=_MUTED,
            gid="slope-break-label",
        )
    ax.set_xticks(range(len(waves)), [_nfc(w) for w in waves])
    ax.set_xlim(-0.3, len(waves) - 0.7 + (0.9 if wanted else 0.3))
    ax.yaxis.set_major_formatter(_LocaleFormatter(language))
    ax.set_ylabel(ylabel or words["score"])
    ax.grid(axis="y", zorder=0)
    annotate(
        ax,
        title=title or words["slope_title"],
        n=None,
        source=source,
        note=_join_notes(words["break_note"] if breaks else None, note),
        language=language,
    )
    return ax
