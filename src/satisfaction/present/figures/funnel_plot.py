"""Funnel plot: each unit's rate against its volume, inside control limits (:func:`funnel`).

The drawer takes the points and limits `satisfaction.studies.funnel.funnel_points`
computed and draws them; it computes nothing. Units beyond the outer limits are labelled.
(Named ``funnel_plot`` so the module does not shadow the function on the package.)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullFormatter

from satisfaction.errors import ParameterError
from satisfaction.present.figures._data import _check_frame, _check_shares
from satisfaction.present.figures._layout import _new_axes
from satisfaction.present.figures.notes import annotate
from satisfaction.present.figures.theme import (
    _ABOVE,
    _BELOW,
    _INK,
    _MUTED,
    _POINT,
    Language,
    _fmt_number,
    _fmt_pct,
    _nfc,
)

__all__ = ["funnel"]

_WORDS = {
    "vi": {
        "target": "Tỷ lệ chung {value}",
        "limit": "Giới hạn kiểm soát {level}",
        "volume": "Số hồ sơ",
        "unit": "đơn vị",
    },
    "en": {
        "target": "Overall rate {value}",
        "limit": "{level} control limits",
        "volume": "Dossiers",
        "unit": "units",
    },
}


def funnel(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    target: float,
    outer: float = 0.998,
    highlight: Hashable | Sequence[Hashable] | None = None,
    ylabel: str | None = None,
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Rate (y, %) against volume (x, log scale) per unit, with the control limits.

    ``points``: label, volume, rate and ``outside_<outer>`` ("above"/"below"/"") per unit;
    ``limits``: volume, level, lower, upper (one curve pair per level). Points outside the
    outer limits are coloured (green above, vermillion below); those below are labelled,
    and so are the units ``highlight`` names. Points are a scatter with gid
    ``funnel-point`` (x = volume, y = rate in %), the target line gid ``funnel-target``,
    limits gid ``funnel-limit``.
    """
    func = "funnel"
    words = _WORDS[language] if language in _WORDS else None
    if words is None:
        raise ParameterError(f"{func}: language must be 'vi' or 'en', got {language!r}")
    flag = f"outside_{outer}"
    _check_frame(points, ["label", "volume", "rate", flag], func)
    _check_shares(points, ["rate"], func, raw_option=False)
    if not 0 <= target <= 1:
        raise ParameterError(f"{func}: target={target!r} is not a proportion in [0, 1]")
    ax = _new_axes(ax, (7.5, 4.8))
    dash = {0.95: (0, (4, 2)), 0.998: "solid"}
    for level, curve in limits.groupby("level", sort=True) if len(limits) else []:
        style = dash.get(float(level), (0, (1, 1)))
        for side in ("lower", "upper"):
            ax.plot(
                curve["volume"], 100 * curve[side], color=_MUTED, lw=0.9, ls=style,
                gid="funnel-limit",
            )  # fmt: skip
    ax.axhline(100 * target, color=_INK, lw=1.0, gid="funnel-target")
    where = points[flag].fillna("")
    colours = np.where(where == "above", _ABOVE, np.where(where == "below", _BELOW, _POINT))
    ax.scatter(
        points["volume"], 100 * points["rate"], s=22, c=list(colours), zorder=3,
        gid="funnel-point", edgecolors="white", linewidths=0.4,
    )  # fmt: skip
    wanted = set() if highlight is None else (
        {highlight} if isinstance(highlight, str) else set(highlight)
    )  # fmt: skip
    for label, volume, rate, outside in zip(
        points["label"], points["volume"], points["rate"], where, strict=True
    ):
        if outside == "below" or label in wanted:  # the ones to ask about, and the reader's
            ax.annotate(
                _nfc(label), (volume, 100 * rate), xytext=(4, 3),
                textcoords="offset points", fontsize=8, color=_INK,
            )  # fmt: skip
    ax.set_xscale("log")
    plain = FuncFormatter(lambda value, _pos: _fmt_number(value, 0, language))
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(NullFormatter())
    low, high = ax.get_ylim()
    digits = 1 if high - low < 6 else 0  # narrow funnels need the decimal to tell ticks apart
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: _fmt_number(value, digits, language) + "%")
    )
    ax.set_xlabel(words["volume"])
    if ylabel:
        ax.set_ylabel(_nfc(ylabel))
    handles = [Line2D([], [], color=_INK, lw=1.0)]
    names = [words["target"].format(value=_fmt_pct(target, 1, language))]
    for level in sorted(limits["level"].unique()) if len(limits) else []:
        handles.append(Line2D([], [], color=_MUTED, lw=0.9, ls=dash.get(float(level), ":")))
        names.append(words["limit"].format(level=_fmt_pct(level, 1, language)))
    ax.legend(handles, names, loc="lower right", frameon=False, fontsize=8)
    if title is not None:
        annotate(
            ax, title=title, n=f"{len(points)} {words['unit']}", source=source, note=note,
            language=language,
        )  # fmt: skip
    return ax
