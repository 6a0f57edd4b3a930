"""Diverging stacked bars of a Likert distribution (:func:`likert_bars`).

One bar per category, negative levels left of 0 and the neutral level centred on it, with
an optional whisker for the satisfied share's CI, the n beside each bar and "*" on
unreliable categories.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.figures._data import (
    _category_order,
    _check_frame,
    _check_shares,
    _check_unique,
    _interval_words,
    _n_summary,
    _reliable_mask,
)
from satisfaction.present.figures._layout import (
    _new_axes,
    _percent_axis,
    _side_column,
    _text_on,
    _top_legend,
)
from satisfaction.present.figures.notes import _join_notes, _unreliable_note, annotate
from satisfaction.present.figures.theme import (
    _INK,
    _MUTED,
    _UNRELIABLE,
    Language,
    _fmt_n,
    _fmt_number,
    _labels,
    _nfc,
    _palette,
)

__all__ = ["likert_bars"]

#: How far the satisfied share given may be from the positive levels drawn (rounding only).
_SAME_SHARE = 0.005


def _level_key(level: object) -> object:
    """1.0 and 1 name the same scale code."""
    if isinstance(level, float | np.floating) and float(level).is_integer():
        return int(level)
    if isinstance(level, np.integer):
        return int(level)
    return level


def _scale_labels(levels: list, labels: Mapping[Hashable, str] | None, language: str) -> list[str]:
    keys = [_level_key(v) for v in levels]
    if labels is not None:
        lookup = {_level_key(k): v for k, v in labels.items()}
        return [_nfc(lookup.get(k, k)) for k in keys]
    defaults = _labels(language)["scale"]
    k = len(keys)
    if k in defaults and keys == list(range(1, k + 1)):
        return list(defaults[k])
    return [_nfc(k) for k in keys]


def likert_bars(
    data: pd.DataFrame,
    *,
    y: str,
    level: str = "level",
    estimate: str = "estimate",
    order: Sequence[Hashable] | None = None,
    level_order: Sequence[Hashable] | None = None,
    neutral: Hashable | None = "auto",
    labels: Mapping[Hashable, str] | None = None,
    satisfied_share: pd.DataFrame | None = None,
    n: str | None = "n",
    reliable: str | None = "reliable",
    min_label: float = 0.05,
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    interval: str | None = "confidence",
    weighted: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Diverging stacked bars of a weighted 3/4/5-level distribution, one bar per ``y``.

    Parameters
    ----------
    data
        Tidy proportions: one row per (``y`` category, ``level``) with the share in
        ``estimate`` (0-1). Levels absent for a category count as 0.
    level_order
        Scale codes from most negative to most positive; default: sorted codes.
    neutral
        The neutral code, centred on 0; ``"auto"`` takes the middle code of an odd scale and
        none for an even scale; ``None`` splits the scale in half.
    labels
        Code -> legend label; default: the language's 3/4/5-level wording for codes 1..k.
    satisfied_share
        Optional tidy frame with ``y``, ``estimate``, ``ci_low``, ``ci_high`` per category:
        its CI is drawn as a whisker at the end of the positive part of the bar (the
        positive part starts at half the neutral share, so the whisker spans
        ``neutral/2 + ci_low`` to ``neutral/2 + ci_high``). ``estimate`` must be the share of
        the levels right of neutral drawn (within half a point), else ``ParameterError``:
        a whisker is the interval of the drawn statistic, never of another measure.
    n
        Column with the unweighted n shown beside each bar: if a category's rows share one
        value (the domain n) it is shown; if they differ they are taken as per-level
        counts and summed.
    reliable
        Column of reliability flags; a category with any unreliable row is marked "*".
    min_label
        Segments narrower than this share carry no number.
    interval
        What the whisker is: "confidence" (design-based CI), "reference" (a quota sample's
        reference interval) or None (no whisker: a self-selected sample or a census).
    weighted
        Whether the shares are weighted (the note under the bars says so, or says they are
        shares of those who answered).

    Returns the Axes. Bars are drawn in percent units (x = 100 * share); each level is one
    ``BarContainer`` (gid ``likert-level-<i>``), whiskers have gid ``likert-satisfied-ci``.
    """
    func = "likert_bars"
    words = _labels(language)
    _check_frame(data, [y, level, estimate], func)
    _check_shares(data, [estimate], func, raw_option=False)
    _check_unique(data, [y, level], func)

    categories = _category_order(data[y], order, func)
    levels, neutral, negatives = _likert_levels(data, level, level_order, neutral, func)
    frame = data[data[y].isin(categories)]
    shares, lefts, neutral_share = _likert_shares(
        frame, y, level, estimate, categories, levels, negatives, neutral
    )

    k = len(categories)
    ax = _new_axes(ax, (9.0, 0.5 * k + 1.6))
    ypos = np.arange(k)
    has_neutral = neutral is not None
    colours = _palette(len(negatives), len(levels) - len(negatives) - has_neutral, has_neutral)
    segments = _draw_segments(
        ax, shares, lefts, levels, ypos, colours, _scale_labels(levels, labels, language)
    )

    right_edge = (100 * (lefts.iloc[:, -1] + shares.iloc[:, -1])).max()
    left_edge = (100 * lefts.iloc[:, 0]).min()
    handles, names = ax.get_legend_handles_labels()
    whiskers: dict[int, tuple[float, float]] = {}
    interval = _whisker_kind(satisfied_share, interval, func)
    if satisfied_share is not None and interval is not None:
        positive = [v for v in levels if v not in negatives and v != neutral]
        whiskers, top = _draw_satisfied_ci(
            ax,
            satisfied_share,
            y,
            categories,
            neutral_share if neutral is not None else 0.0,
            shares[positive].sum(axis=1),
            ypos,
            func,
        )
        right_edge = right_edge if top is None else max(right_edge, top)
        handles.append(_whisker_handle())
        names.append(words["satisfied_ci" if interval == "confidence" else "satisfied_ref"])

    _label_segments(ax, segments, whiskers, 100 * min_label, colours, language)
    _mark_unreliable(ax, frame, y, reliable, categories, ypos)
    per_cat = _n_column(ax, frame, y, n, categories, ypos, language)
    _finish_likert_axes(ax, left_edge, right_edge, k, language)
    _top_legend(ax, handles, names, ncol=len(handles))
    annotate(
        ax,
        title=title or words["titles"]["likert"],
        n=n_total if n_total is not None else _n_summary(per_cat, None, "bar", language),
        source=source,
        note=_likert_footer(frame, reliable, weighted, neutral is not None, note, language),
        language=language,
    )
    return ax


def _likert_footer(
    frame: pd.DataFrame,
    reliable: str | None,
    weighted: bool,
    has_neutral: bool,
    note: str | None,
    language: str,
) -> str | None:
    """What the numbers on the bars are, where neutral sits, why bars are starred."""
    words = _labels(language)
    return _join_notes(
        words["likert_note" if weighted else "likert_note_plain"]
        + (" " + words["neutral_note"] if has_neutral else ""),
        _unreliable_note(frame, _reliable_mask(frame, reliable), language),
        note,
    )


def _whisker_kind(
    satisfied_share: pd.DataFrame | None, interval: str | None, func: str
) -> str | None:
    """What the whiskers are ("confidence", "reference") or None: no whisker is drawn."""
    if satisfied_share is None or not {"ci_low", "ci_high"} <= set(satisfied_share.columns):
        return None
    return _interval_words(interval, satisfied_share["ci_low"], satisfied_share["ci_high"], func)


def _likert_levels(
    data: pd.DataFrame,
    level: str,
    level_order: Sequence[Hashable] | None,
    neutral: Hashable | None,
    func: str,
) -> tuple[list, Hashable | None, list]:
    """The scale codes in order, the neutral code (or None) and the codes left of 0."""
    if level_order is None:
        levels = sorted(pd.unique(data[level].dropna()), key=lambda v: (str(type(v)), v))
    else:
        levels = list(level_order)
        unknown = set(data[level].dropna()) - set(levels)
        if unknown:
            raise ParameterError(
                f"{func}: level_order lacks level {sorted(unknown, key=str)[0]!r} found in data"
            )
    if len(levels) < 2:
        raise InputError(f"{func}: column {level!r} holds fewer than 2 levels")
    if isinstance(neutral, str) and neutral == "auto":
        neutral = levels[len(levels) // 2] if len(levels) % 2 == 1 else None
    if neutral is not None and neutral not in levels:
        raise ParameterError(f"{func}: neutral level {neutral!r} is not among levels {levels}")
    # Levels left of neutral (or of the midpoint of a scale without one) go left of 0.
    negatives = (
        levels[: levels.index(neutral)] if neutral is not None else levels[: len(levels) // 2]
    )
    return levels, neutral, negatives


def _likert_shares(
    frame: pd.DataFrame,
    y: str,
    level: str,
    estimate: str,
    categories: list,
    levels: list,
    negatives: list,
    neutral: Hashable | None,
) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    """Shares per (category, level), each segment's left edge, and the neutral shares."""
    shares = (
        frame.pivot(index=y, columns=level, values=estimate)
        .reindex(index=categories, columns=levels)
        .astype(float)
        .fillna(0.0)
    )
    neg_sum = shares[negatives].sum(axis=1) if negatives else 0.0
    neutral_share = shares[neutral] if neutral is not None else 0.0
    start = -(neg_sum + neutral_share / 2)
    lefts = shares.cumsum(axis=1).sub(shares, axis=0).add(start, axis=0)
    return shares, lefts, neutral_share


def _draw_segments(
    ax: Axes,
    shares: pd.DataFrame,
    lefts: pd.DataFrame,
    levels: list,
    ypos: np.ndarray,
    colours: list[str],
    level_names: list[str],
) -> list[tuple[float, float, int, int]]:
    """One BarContainer per level, then the 0 line behind them.

    Returns (left, width, y, level index) of every segment.
    """
    k = len(ypos)
    segments = []  # (left, width, y, level index) for the numbers drawn on the bars
    for i, lev in enumerate(levels):
        widths = 100 * shares[lev].to_numpy()
        starts = 100 * lefts[lev].to_numpy()
        bars = ax.barh(
            ypos,
            widths,
            left=starts,
            height=0.68,
            color=colours[i],
            edgecolor="white",
            linewidth=0.7,
            label=level_names[i],
            zorder=2,
        )
        for patch in bars.patches:
            patch.set_gid(f"likert-level-{i}")
        segments.extend(zip(starts, widths, ypos, [i] * k, strict=True))
    ax.axvline(0, color=_INK, linewidth=0.9, zorder=1.5)  # behind bars: no line through "22"
    return segments


def _draw_satisfied_ci(
    ax: Axes,
    satisfied_share: pd.DataFrame,
    y: str,
    categories: list,
    neutral_share: Any,
    drawn_share: pd.Series,
    ypos: np.ndarray,
    func: str,
) -> tuple[dict[int, tuple[float, float]], float | None]:
    """Whiskers of the satisfied share's CI, at the right end of the positive part of the bars.

    The whisker is the CI of the drawn statistic at the drawn position: the satisfied share
    given must equal the positive levels drawn (``drawn_share``, up to rounding), else a
    ``ParameterError`` (the CI of another measure, such as an index, is refused). Returns
    the whisker span per row and the rightmost whisker end (None if none is drawn).
    """
    sat = _check_frame(satisfied_share, [y, "estimate", "ci_low", "ci_high"], func)
    _check_shares(sat, ["estimate", "ci_low", "ci_high"], func, raw_option=False)
    _check_unique(sat, [y], func)
    sat = sat.set_index(y).reindex(categories)
    given = sat["estimate"].to_numpy(dtype=float)
    drawn = drawn_share.reindex(categories).to_numpy(dtype=float)
    off = np.abs(given - drawn) > _SAME_SHARE
    if np.any(off):
        where = int(np.flatnonzero(off)[0])
        raise ParameterError(
            f"{func}: satisfied_share of {categories[where]!r} is {given[where]:.4f} but the "
            f"bar draws {drawn[where]:.4f} right of neutral; a whisker must be the interval "
            "of the drawn share (pass the satisfied share of the same question)"
        )
    pos_start = 100 * np.asarray(neutral_share, dtype=float) / 2
    low = pos_start + 100 * sat["ci_low"].to_numpy(dtype=float)
    high = pos_start + 100 * sat["ci_high"].to_numpy(dtype=float)
    # drawn and given agree up to rounding (checked above): a share of 100% summed from its
    # levels can be 1.0000000000000002, just past its interval's end, which errorbar refuses
    est = np.clip(pos_start + 100 * drawn, low, high)
    keep = ~np.isnan(est) & ~np.isnan(given)
    container = ax.errorbar(
        est[keep],
        ypos[keep],
        xerr=[est[keep] - low[keep], high[keep] - est[keep]],
        fmt="none",
        ecolor=_INK,
        elinewidth=1.3,
        capsize=4,
        capthick=1.3,
        zorder=4,
    )
    container[2][0].set_gid("likert-satisfied-ci")
    whiskers = {
        int(yy): (lo, hi) for yy, lo, hi in zip(ypos[keep], low[keep], high[keep], strict=True)
    }
    return whiskers, (np.nanmax(high) if keep.any() else None)


def _whisker_handle() -> Line2D:
    """The legend entry of the satisfied share's CI whiskers."""
    return Line2D([], [], color=_INK, marker="|", markersize=8, linewidth=1.3, linestyle="-")


def _label_segments(
    ax: Axes,
    segments: list[tuple[float, float, int, int]],
    whiskers: dict[int, tuple[float, float]],
    room: float,
    colours: list[str],
    language: str,
) -> None:
    """Numbers on segments at least ``room`` wide.

    A number the CI whisker would cross moves to the free part of its segment left of the
    whisker, or is dropped if that part is too narrow.
    """
    for left, width, yy, i in segments:
        if width < room:
            continue
        centre = left + width / 2
        if int(yy) in whiskers:
            lo, hi = whiskers[int(yy)]
            if lo - 2.5 < centre < hi + 2.5:
                free = min(lo - 1.0, left + width) - left
                if free < room:
                    continue
                centre = left + free / 2
        ax.text(
            centre,
            yy,
            _fmt_number(width, 0, language),
            ha="center",
            va="center",
            fontsize=mpl.rcParams["font.size"] * 0.8,
            color=_text_on(colours[i]),
            zorder=3,
            gid="likert-value",
        )


def _mark_unreliable(
    ax: Axes,
    frame: pd.DataFrame,
    y: str,
    reliable: str | None,
    categories: list,
    ypos: np.ndarray,
) -> set:
    """Category labels as y ticks; unreliable categories get "*" and grey. Returns them."""
    mask = _reliable_mask(frame, reliable)
    unreliable = set(frame.loc[~mask, y])
    tick_labels = [_nfc(c) + (" *" if c in unreliable else "") for c in categories]
    ax.set_yticks(ypos, tick_labels)
    for tick, cat in zip(ax.get_yticklabels(), categories, strict=True):
        if cat in unreliable:
            tick.set_color(_UNRELIABLE)
    ax.tick_params(axis="y", length=0)
    return unreliable


def _n_column(
    ax: Axes,
    frame: pd.DataFrame,
    y: str,
    n: str | None,
    categories: list,
    ypos: np.ndarray,
    language: str,
) -> pd.Series:
    """The n beside each bar, in a column right of the plot; returns the n per category."""
    per_cat = pd.Series(dtype=float)
    if n is not None and n in frame.columns:
        per_cat = frame.groupby(y, sort=False)[n].agg(
            lambda s: s.iloc[0] if s.nunique(dropna=True) <= 1 else s.sum()
        )
        shown = [per_cat.get(cat) for cat in categories]
        _side_column(
            ax,
            ypos,
            [None if v is None or pd.isna(v) else f"n = {_fmt_n(v, language)}" for v in shown],
            [_MUTED] * len(categories),
            "likert-n",
        )
    return per_cat


def _finish_likert_axes(
    ax: Axes, left_edge: float, right_edge: float, k: int, language: str
) -> None:
    """x limits in steps of 10 around the bars and whiskers, % ticks, axis label and grid."""
    pad = 3.0
    lo_lim = min(-10.0, np.floor((left_edge - pad) / 10) * 10)
    hi_lim = max(10.0, np.ceil((right_edge + pad) / 10) * 10)
    ax.set_xlim(lo_lim, hi_lim)
    ax.set_ylim(k - 0.5, -0.5)
    _percent_axis(ax.xaxis, language, absolute=True)
    ax.set_xlabel(_labels(language)["likert_axis"])
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)
