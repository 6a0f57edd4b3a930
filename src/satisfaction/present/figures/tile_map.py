"""Tile-grid map of Vietnam's provinces coloured by quartile group (:func:`tile_map`).

One square per province at a position that keeps neighbours roughly next to each other, so
no boundary files are needed and small provinces are as visible as large ones. Positions are
data (``satisfaction/data/tiles_34.csv`` and ``tiles_63.csv``: name, row, col, label with
"|" for a line break), one grid for the 34 units from 1 July 2025 and one for the 63 before.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Sequence
from functools import cache
from importlib import resources
from typing import Literal

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.geography import standardise_province
from satisfaction.present.figures._data import _check_frame, _check_unique
from satisfaction.present.figures._layout import _new_axes, _text_on, _top_legend
from satisfaction.present.figures._papi import (
    GROUP_COLOURS,
    NO_DATA,
    _group_codes,
    _group_legend,
    _highlighted,
    _words,
)
from satisfaction.present.figures.notes import _join_notes, annotate
from satisfaction.present.figures.theme import _INK, Language, _fmt_number, _nfc

__all__ = ["tile_map", "tile_positions"]

System = Literal["current_34", "historical_63"]
_FILES = {"current_34": "tiles_34.csv", "historical_63": "tiles_63.csv"}
_SIZE = 0.92  # a tile's side; the gap shows the grid


@cache
def _positions(system: str) -> pd.DataFrame:
    if system not in _FILES:
        raise ParameterError(
            f"tile_map: system must be 'current_34' or 'historical_63', got {system!r}",
            key="system",
        )
    text = resources.files("satisfaction").joinpath("data", _FILES[system])
    rows = list(csv.DictReader(text.read_text(encoding="utf-8").splitlines()))
    return pd.DataFrame(rows).astype({"row": int, "col": int})


def tile_positions(system: System = "current_34") -> pd.DataFrame:
    """The tile grid of a system: name, row (0 = north), col (0 = west), label."""
    return _positions(system).copy()


def _canonical(names: pd.Series, tiles: pd.DataFrame, system: str, func: str) -> pd.Series:
    known = set(tiles["name"])
    out = []
    for raw in names:
        found = standardise_province(raw)
        if found.name in known:
            out.append(found.name)
            continue
        hint = ""
        if found.matched and system == "current_34" and found.merged_pre2025:
            hint = (
                f": a pre-2025 province (part of {found.new_name} since 1 July 2025); use "
                "system='historical_63', or re-estimate under the 34"
            )
        raise InputError(f"{func}: province {raw!r} is not on the {system} map{hint}")
    return pd.Series(out, index=names.index)


def tile_map(
    data: pd.DataFrame,
    *,
    province: str = "province",
    group: str = "group",
    system: System = "current_34",
    value: str | None = None,
    digits: int = 1,
    highlight: Hashable | Sequence[Hashable] | None = None,
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Tiles of the provinces of ``system`` coloured by quartile ``group`` (1 best .. 4).

    Provinces of the grid without a row in ``data`` (or with a missing group) are light grey
    and hatched ("no data"); a name not on the grid is refused (a pre-2025 province on the
    34 map says so). ``value`` writes each province's number under its name. Tiles are
    Rectangles with gid ``tile`` and a ``province`` attribute set via ``set_label``.
    """
    func = "tile_map"
    words = _words(language)
    _check_frame(data, [province, group, value], func)
    tiles = _positions(system)
    frame = data.copy()
    frame["_name"] = _canonical(frame[province], tiles, system, func)
    _check_unique(frame, ["_name"], func)
    frame["_group"] = _group_codes(frame[group], func, group)
    merged = tiles.merge(frame, left_on="name", right_on="_name", how="left")
    wanted = {standardise_province(h).name for h in _highlighted(highlight)}

    n_rows, n_cols = int(tiles["row"].max()) + 1, int(tiles["col"].max()) + 1
    ax = _new_axes(ax, (0.62 * n_cols + 0.8, 0.62 * n_rows + 0.6))
    font = mpl.rcParams["font.size"] * (0.55 if system == "historical_63" else 0.6)
    for tile in merged.to_dict("records"):
        code = tile["_group"]
        missing = pd.isna(code)
        colour = NO_DATA if missing else GROUP_COLOURS[int(code)]
        x, y = tile["col"], -tile["row"]
        patch = Rectangle(
            (x - _SIZE / 2, y - _SIZE / 2),
            _SIZE,
            _SIZE,
            facecolor=colour,
            edgecolor=_INK if tile["name"] in wanted else ("#9A9A9A" if missing else "white"),
            linewidth=2.0 if tile["name"] in wanted else 0.6,
            hatch="///" if missing else None,
            gid="tile",
            label=_nfc(tile["name"]),
        )
        ax.add_patch(patch)
        text = _nfc(tile["label"]).replace("|", "\n")
        if value is not None and not missing and pd.notna(tile[value]):
            text += "\n" + _fmt_number(float(tile[value]), digits, language)
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=font,
            linespacing=0.95,
            color=_text_on(colour),
            gid="tile-label",
            fontweight="bold" if tile["name"] in wanted else "normal",
        )
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-n_rows + 0.4, 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles, names = _group_legend(
        merged["_group"].dropna(), language, bool(merged["_group"].isna().any())
    )
    if handles:
        _top_legend(ax, handles, names, ncol=min(len(handles), 3))
    annotate(
        ax,
        title=title or words["map_title"],
        n=None,
        source=source,
        note=_join_notes(words["map_note"].format(system=words[system]), note),
        language=language,
    )
    return ax
