"""Dot-and-interval ranking of provinces, fields or units (:func:`forest`).

One row per unit, sorted by estimate: the point, its CI, an optional overall line, markers
for rows significantly above or below the overall, hollow grey points for unreliable rows,
a highlight band for the reader's own unit and the values in a column right of the plot.
(Named ``forest_plot`` so the module does not shadow the function on the package.)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures._data import (
    _check_frame,
    _check_shares,
    _check_unique,
    _interval_words,
    _n_summary,
    _reliable_mask,
)
from satisfaction.present.figures._layout import (
    _LocaleFormatter,
    _new_axes,
    _percent_axis,
    _side_column,
    _top_legend,
)
from satisfaction.present.figures.notes import _join_notes, _unreliable_note, annotate
from satisfaction.present.figures.theme import (
    _ABOVE,
    _BELOW,
    _HIGHLIGHT_BAND,
    _INK,
    _MUTED,
    _POINT,
    _UNRELIABLE,
    Language,
    _fmt_number,
    _fmt_pct,
    _labels,
    _nfc,
)

__all__ = ["forest"]


def forest(
    data: pd.DataFrame,
    *,
    y: str,
    estimate: str = "estimate",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    overall: float | None = None,
    sort: bool = True,
    highlight: Hashable | Sequence[Hashable] | None = None,
    reliable: str | None = "reliable",
    sig: str | None = "sig",
    percent: bool = True,
    digits: int = 1,
    show_values: bool = True,
    xlabel: str | None = None,
    n: str | None = "n",
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    interval: str | None = "confidence",
    ax: Axes | None = None,
) -> Axes:
    """Dot-and-interval ranking of provinces, fields or units (one row per ``y``).

    ``overall`` draws a dashed vertical line (the province or national value). Rows flagged
    unreliable are hollow grey and their label carries "*". If the frame has a ``sig``
    column with "above"/"below"/"" (from a design-based test against the overall, not from
    overlapping CIs), those rows get an up/down triangle in green/vermillion. ``highlight``
    names rows to emphasise (bold label on a light band), e.g. the reader's own province.
    With ``percent=True`` estimates are proportions shown as %; ``percent=False`` draws raw
    values (means, PAPI scores).

    Points are scatter collections with gid ``forest-point`` (x = estimate, in % when
    ``percent``), intervals one LineCollection with gid ``forest-ci``, the overall line gid
    ``forest-overall``; row i sits at y = i, top to bottom. ``interval`` names what the
    horizontal lines are: "confidence" (design-based), "reference" (a quota sample's
    reference interval) or None (no interval: a self-selected sample or a census); the note
    is left out when no interval is drawn.
    """
    func = "forest"
    words = _labels(language)
    low_col, high_col = ci
    _check_frame(data, [y, estimate, low_col, high_col], func)
    if percent:
        _check_shares(data, [estimate, low_col, high_col], func)
        if overall is not None and not 0 <= overall <= 1:
            raise ParameterError(f"{func}: overall={overall!r} is not a proportion in [0, 1]")
    _check_unique(data, [y], func)

    frame = data.copy()
    if sort:
        frame = frame.sort_values(estimate, ascending=False, kind="stable", na_position="last")
    k = len(frame)
    scale = 100.0 if percent else 1.0
    est = frame[estimate].to_numpy(dtype=float) * scale
    low = frame[low_col].to_numpy(dtype=float) * scale
    high = frame[high_col].to_numpy(dtype=float) * scale
    ok = _reliable_mask(frame, reliable).to_numpy()
    flags = _sig_flags(frame, sig, k, func)
    wanted = _wanted(highlight)

    ax = _new_axes(ax, (7.5, 0.32 * k + 1.6))
    ypos = np.arange(k)
    categories = list(frame[y])
    for yy, cat in zip(ypos, categories, strict=True):
        if cat in wanted:
            ax.axhspan(yy - 0.5, yy + 0.5, color=_HIGHLIGHT_BAND, zorder=0, gid="forest-highlight")
    _draw_intervals(ax, ypos, low, high, flags, ok)
    handles, names = _draw_points(ax, ypos, est, flags, ok, words)
    if overall is not None:
        line, name = _draw_overall(ax, overall, scale, percent, digits, language)
        handles.insert(0, line)
        names.insert(0, name)

    _forest_yaxis(ax, ypos, categories, ok, wanted)
    _forest_xaxis(ax, np.concatenate([low, high, est]), overall, scale, percent, language)
    ax.set_xlabel(xlabel or (words["satisfied_axis"] if percent else ""))
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)

    if show_values:
        _value_column(ax, ypos, est, ok, digits, percent, language)
    if handles:
        _top_legend(ax, handles, names, ncol=min(len(handles), 2))
    annotate(
        ax,
        title=title or words["titles"]["forest"],
        n=n_total if n_total is not None else _n_summary(frame, n, "row", language),
        source=source,
        note=_join_notes(
            {"confidence": words["ci_lines"], "reference": words["ref_lines"], None: None}[
                _interval_words(interval, low, high, func)
            ],
            _unreliable_note(frame, ok, language),
            note,
        ),
        language=language,
    )
    return ax


def _sig_flags(frame: pd.DataFrame, sig: str | None, k: int, func: str) -> np.ndarray:
    """ "above"/"below"/"" per row from the ``sig`` column (all "" without one)."""
    if sig is not None and sig in frame.columns:
        flags = frame[sig].fillna("").astype(str).str.strip().str.lower()
        unknown = sorted(set(flags) - {"above", "below", ""})
        if unknown:
            raise InputError(
                f"{func}: column {sig!r} holds {unknown[0]!r}; expected 'above', 'below' or ''",
                column=sig,
            )
        return flags.to_numpy()
    return np.array([""] * k)


def _wanted(highlight: Hashable | Sequence[Hashable] | None) -> set:
    """The rows to highlight: one name (a string is one name) or several."""
    if highlight is None:
        wanted: set = set()
    elif isinstance(highlight, str) or not isinstance(highlight, Iterable):
        wanted = {highlight}
    else:
        wanted = set(highlight)
    return wanted


def _draw_intervals(
    ax: Axes,
    ypos: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    flags: np.ndarray,
    ok: np.ndarray,
) -> None:
    """The CIs as one LineCollection, coloured like their points."""
    line_colours = []
    for flag, good in zip(flags, ok, strict=True):
        if not good:
            line_colours.append(_UNRELIABLE)
        elif flag == "above":
            line_colours.append(_ABOVE)
        elif flag == "below":
            line_colours.append(_BELOW)
        else:
            line_colours.append(_POINT)
    lines = ax.hlines(ypos, low, high, colors=line_colours, linewidth=1.6, zorder=2)
    lines.set_gid("forest-ci")


def _draw_points(
    ax: Axes,
    ypos: np.ndarray,
    est: np.ndarray,
    flags: np.ndarray,
    ok: np.ndarray,
    words: dict[str, Any],
) -> tuple[list[Any], list[str]]:
    """Points by (significance, reliability); returns the legend handles and names."""
    groups = [
        ("", "o", _POINT, None),
        ("above", "^", _ABOVE, words["sig_above"]),
        ("below", "v", _BELOW, words["sig_below"]),
    ]
    handles: list[Any] = []
    names: list[str] = []
    for flag, marker, colour, name in groups:
        for good in (True, False):
            pick = (flags == flag) & (ok == good)
            if not pick.any():
                continue
            points = ax.scatter(
                est[pick],
                ypos[pick],
                marker=marker,
                s=46 if marker == "o" else 58,
                facecolors=colour if good else "white",
                edgecolors=colour if good else _UNRELIABLE,
                linewidths=1.3,
                zorder=3,
                gid="forest-point",
            )
            if good and name is not None:
                handles.append(points)
                names.append(name)
    if (~ok).any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor=_UNRELIABLE,
                markersize=7,
            )
        )
        names.append(words["unreliable"])
    return handles, names


def _draw_overall(
    ax: Axes, overall: float, scale: float, percent: bool, digits: int, language: str
) -> tuple[Line2D, str]:
    """The dashed overall line; returns it and its legend name ("Chung: 82,3%")."""
    line = ax.axvline(
        overall * scale, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.1, zorder=1
    )
    line.set_gid("forest-overall")
    shown = (
        _fmt_pct(overall, digits, language) if percent else _fmt_number(overall, digits, language)
    )
    return line, f"{_labels(language)['overall']}: {shown}"


def _forest_yaxis(
    ax: Axes, ypos: np.ndarray, categories: list, ok: np.ndarray, wanted: set
) -> None:
    """Row labels top to bottom: unreliable ones starred and grey, highlighted ones bold."""
    tick_labels = [
        _nfc(c) + ("" if good else " *") for c, good in zip(categories, ok, strict=True)
    ]
    ax.set_yticks(ypos, tick_labels)
    for tick, cat, good in zip(ax.get_yticklabels(), categories, ok, strict=True):
        if not good:
            tick.set_color(_UNRELIABLE)
        if cat in wanted:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(categories) - 0.5, -0.5)


def _forest_xaxis(
    ax: Axes,
    values: np.ndarray,
    overall: float | None,
    scale: float,
    percent: bool,
    language: str,
) -> None:
    """x limits 6% of the span beyond the drawn values; in % also within 0-100 and widened
    by 2.5 a side when narrower than 5; tick numbers in % or the language's format."""
    finite = values[np.isfinite(values)]
    if overall is not None:
        finite = np.append(finite, overall * scale)
    if finite.size:
        span = max(finite.max() - finite.min(), 1e-9)
        lo_lim, hi_lim = finite.min() - 0.06 * span, finite.max() + 0.06 * span
        if percent:
            lo_lim, hi_lim = max(lo_lim, 0.0), min(hi_lim, 100.0)
            if hi_lim - lo_lim < 5:
                lo_lim, hi_lim = max(0.0, lo_lim - 2.5), min(100.0, hi_lim + 2.5)
        ax.set_xlim(lo_lim, hi_lim)
    if percent:
        _percent_axis(ax.xaxis, language)
    else:
        ax.xaxis.set_major_formatter(_LocaleFormatter(language))


def _value_column(
    ax: Axes,
    ypos: np.ndarray,
    est: np.ndarray,
    ok: np.ndarray,
    digits: int,
    percent: bool,
    language: str,
) -> None:
    """Each row's estimate right of the plot (grey if unreliable, none if missing)."""
    _side_column(
        ax,
        ypos,
        [
            None if np.isnan(v) else _fmt_number(v, digits, language) + ("%" if percent else "")
            for v in est
        ],
        [_INK if good else _UNRELIABLE for good in ok],
        "forest-value",
    )
