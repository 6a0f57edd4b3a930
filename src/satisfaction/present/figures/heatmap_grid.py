"""Grid of a value (e.g. satisfied share) for criteria x fields (:func:`heatmap`).

Cells carry their number in %, unreliable cells are hatched and starred, absent cells are
grey with "–"; the colour scale is sequential or diverging around a centre.
(Named ``heatmap_grid`` so the module does not shadow the function on the package.)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Colormap, LinearSegmentedColormap, Normalize, TwoSlopeNorm
from matplotlib.patches import Rectangle

from satisfaction.errors import InputError
from satisfaction.present.figures._data import (
    _category_order,
    _check_frame,
    _check_shares,
    _check_unique,
    _n_summary,
    _reliable_mask,
)
from satisfaction.present.figures._layout import (
    _LocaleFormatter,
    _luminance,
    _new_axes,
    _percent_axis,
    _text_on,
)
from satisfaction.present.figures.notes import _join_notes, _unreliable_note, annotate
from satisfaction.present.figures.theme import (
    _MUTED,
    LIKERT_COLOURS,
    Language,
    _fmt_number,
    _labels,
    _nfc,
)

__all__ = ["heatmap"]


def _heat_cmap(center: float | None) -> LinearSegmentedColormap:
    if center is None:
        return LinearSegmentedColormap.from_list(
            "satisfaction_seq", ["#F4F4F2", "#A9DCC8", LIKERT_COLOURS["very_positive"]]
        )
    return LinearSegmentedColormap.from_list(
        "satisfaction_div",
        [
            LIKERT_COLOURS["very_negative"],
            LIKERT_COLOURS["negative"],
            "#EDEDED",
            LIKERT_COLOURS["positive"],
            LIKERT_COLOURS["very_positive"],
        ],
    )


def heatmap(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str = "estimate",
    reliable: str | None = "reliable",
    x_order: Sequence[Hashable] | None = None,
    y_order: Sequence[Hashable] | None = None,
    percent: bool = True,
    digits: int = 0,
    center: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cbar: bool = True,
    n: str | None = "n",
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    cell_labels: bool | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Grid of ``value`` (e.g. satisfied share) for ``y`` (criteria) x ``x`` (fields).

    Cells are annotated in % (Vietnamese decimal comma with ``language="vi"``). Unreliable
    cells are hatched, their number greyed and starred; absent cells are light grey with "–".
    ``cell_labels`` None prints the numbers only when a cell can hold one (a national grid of
    35 provinces x 22 criteria cannot: its numbers would print on top of each other); without
    them the notes say that the values are in the table and the data file, hatching alone
    marks unreliable cells and light grey absent ones.
    The colour scale is sequential (light -> green) by default; give ``center`` (a
    proportion, e.g. the overall share) for a diverging red-grey-green scale around it.
    ``vmin``/``vmax`` are proportions too.

    The mesh (gid ``heatmap-mesh``) holds the values in % row by row, y rows top to bottom;
    cell (row i, column j) spans [j, j+1] x [i, i+1]. Hatch rectangles carry gid
    ``heatmap-unreliable``, annotations ``heatmap-label``.
    """
    func = "heatmap"
    words = _labels(language)
    _check_frame(data, [x, y, value], func)
    if percent:
        _check_shares(data, [value], func)
    _check_unique(data, [x, y], func)
    cols = _category_order(data[x], x_order, func)
    rows = _category_order(data[y], y_order, func)
    frame = data[data[x].isin(cols) & data[y].isin(rows)]
    scale = 100.0 if percent else 1.0
    values, flags = _heat_values(frame, x, y, value, reliable, cols, rows, scale)
    ny, nx = values.shape

    width = max(5.5, 0.95 * nx + 3.5)
    ax = _new_axes(ax, (width, 0.42 * ny + 2.2))
    norm = _heat_norm(values, vmin, vmax, center, scale, value, func)
    cmap = _heat_cmap(center).with_extremes(bad="#F0F0F0")
    masked = np.ma.masked_invalid(values)
    mesh = ax.pcolormesh(
        np.arange(nx + 1),
        np.arange(ny + 1),
        masked,
        cmap=cmap,
        norm=norm,
        edgecolors="white",
        linewidth=1.5,
    )
    mesh.set_gid("heatmap-mesh")
    if cell_labels is None:
        starred = bool((flags.eq(False).to_numpy() & np.isfinite(values)).any())
        cell_labels = _cells_hold_labels(ax, nx, ny, digits, starred)
    if cell_labels:
        any_unreliable, any_missing = _label_cells(
            ax, values, flags, cmap, norm, digits, percent, language
        )
    else:
        any_unreliable, any_missing = _hatch_cells(ax, values, flags, cmap, norm)
    _heat_axes(ax, cols, rows)
    if cbar:
        _colour_bar(ax, mesh, ny, percent, language)
    annotate(
        ax,
        title=title or words["titles"]["heatmap"],
        n=n_total if n_total is not None else _n_summary(frame, n, "cell", language),
        source=source,
        note=_join_notes(
            _unreliable_note(
                frame,
                _reliable_mask(frame, reliable),
                language,
                "unreliable_note" if cell_labels else "hatched_note",  # stars, or hatching only
            )
            if any_unreliable
            else None,
            words["missing_note" if cell_labels else "missing_grey_note"] if any_missing else None,
            None if cell_labels else words["no_cell_labels_note"],
            note,
        ),
        language=language,
    )
    return ax


def _heat_values(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    reliable: str | None,
    cols: list,
    rows: list,
    scale: float,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The values (times ``scale``) and the reliability flags as rows x cols grids."""
    grid = (
        frame.pivot(index=y, columns=x, values=value).reindex(index=rows, columns=cols) * scale
    ).astype(float)
    flags = (
        frame.assign(_ok=_reliable_mask(frame, reliable))
        .pivot(index=y, columns=x, values="_ok")
        .reindex(index=rows, columns=cols)
    )
    return grid.to_numpy(), flags


def _heat_norm(
    values: np.ndarray,
    vmin: float | None,
    vmax: float | None,
    center: float | None,
    scale: float,
    value: str,
    func: str,
) -> Normalize:
    """Colour limits (default: the data rounded out to 5s), two-sloped around ``center``."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise InputError(f"{func}: column {value!r} holds no numbers")
    lo = vmin * scale if vmin is not None else np.floor(finite.min() / 5) * 5
    hi = vmax * scale if vmax is not None else np.ceil(finite.max() / 5) * 5
    if hi <= lo:
        hi = lo + 5
    if center is not None:
        c = center * scale
        lo, hi = min(lo, c - 1e-6), max(hi, c + 1e-6)
        norm: Normalize = TwoSlopeNorm(vcenter=c, vmin=lo, vmax=hi)
    else:
        norm = Normalize(vmin=lo, vmax=hi)
    return norm


def _label_cells(
    ax: Axes,
    values: np.ndarray,
    flags: pd.DataFrame,
    cmap: Colormap,
    norm: Normalize,
    digits: int,
    percent: bool,
    language: str,
) -> tuple[bool, bool]:
    """The number in each cell ("–" if absent; starred and hatched if unreliable).

    Returns whether any cell was unreliable and whether any was absent.
    """
    words = _labels(language)
    ny, nx = values.shape
    any_unreliable = False
    any_missing = False
    fontsize = mpl.rcParams["font.size"] * 0.85
    for i in range(ny):
        for j in range(nx):
            v = values[i, j]
            if np.isnan(v):
                any_missing = True
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    words["missing_cell"],
                    ha="center",
                    va="center",
                    color=_MUTED,
                    fontsize=fontsize,
                    gid="heatmap-label",
                )
                continue
            good = bool(flags.iat[i, j]) if not pd.isna(flags.iat[i, j]) else True
            text = _fmt_number(v, digits, language) + ("%" if percent else "")
            face = cmap(norm(v))
            if good:
                colour = _text_on(face)
            else:
                any_unreliable = True
                text += "*"
                colour = "#4D4D4D" if _luminance(face) > 0.30 else "#E6E6E6"
                _hatch_cell(ax, i, j, face)
            ax.text(
                j + 0.5,
                i + 0.5,
                text,
                ha="center",
                va="center",
                color=colour,
                fontsize=fontsize,
                fontstyle="normal" if good else "italic",
                zorder=3,
                gid="heatmap-label",
                bbox={"boxstyle": "round,pad=0.12", "fc": face, "ec": "none"}
                if not good
                else None,
            )
    return any_unreliable, any_missing


def _cells_hold_labels(ax: Axes, nx: int, ny: int, digits: int, starred: bool) -> bool:
    """Whether a cell of the grid, at the Axes' size, is wide and tall enough for its number
    ("85%", "85,4%", with room for a star when some cell is unreliable) in the cells' font."""
    fontsize = mpl.rcParams["font.size"] * 0.85
    width_in, height_in = ax.get_position().size * ax.figure.get_size_inches()
    characters = 4 + (digits + 1 if digits else 0) + int(starred)
    cell_w, cell_h = width_in * 72 / max(nx, 1), height_in * 72 / max(ny, 1)
    return cell_w >= 0.62 * fontsize * characters and cell_h >= 1.3 * fontsize


def _hatch_cells(
    ax: Axes, values: np.ndarray, flags: pd.DataFrame, cmap: Colormap, norm: Normalize
) -> tuple[bool, bool]:
    """Hatch the unreliable cells of a grid drawn without numbers. Returns whether any cell
    was unreliable and whether any was absent."""
    absent = np.isnan(values)
    any_unreliable = False
    for i, j in zip(*np.nonzero(~absent), strict=True):
        flag = flags.iat[i, j]
        if not pd.isna(flag) and not bool(flag):
            any_unreliable = True
            _hatch_cell(ax, int(i), int(j), cmap(norm(values[i, j])))
    return any_unreliable, bool(absent.any())


def _hatch_cell(ax: Axes, i: int, j: int, face: Any) -> None:
    """Hatch cell (row i, column j) as unreliable."""
    hatch = Rectangle(
        (j, i),
        1,
        1,
        fill=False,
        hatch="////",
        # hatch lines must contrast with the cell: grey on light, white on dark
        edgecolor=(0, 0, 0, 0.3) if _luminance(face) > 0.30 else (1, 1, 1, 0.85),
        linewidth=0,
        zorder=2,
    )
    hatch.set_gid("heatmap-unreliable")
    ax.add_patch(hatch)


def _heat_axes(ax: Axes, cols: list, rows: list) -> None:
    """Cells as unit squares, row 0 on top; column labels slanted when long; no spines."""
    nx, ny = len(cols), len(rows)
    ax.set_xlim(0, nx)
    ax.set_ylim(ny, 0)
    ax.set_xticks(np.arange(nx) + 0.5, [_nfc(c) for c in cols])
    ax.set_yticks(np.arange(ny) + 0.5, [_nfc(r) for r in rows])
    longest = max(len(_nfc(c)) for c in cols)
    if longest > 6:
        plt.setp(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _colour_bar(ax: Axes, mesh: QuadMesh, ny: int, percent: bool, language: str) -> None:
    """A slim colour bar right of the grid, its ticks in % (or locale numbers)."""
    cax = ax.inset_axes([1.03, 0.0, 0.035, 1.0] if ny >= 4 else [1.03, 0.0, 0.05, 1.0])
    bar = ax.figure.colorbar(mesh, cax=cax)
    bar.outline.set_visible(False)
    if percent:
        _percent_axis(bar.ax.yaxis, language)
    else:
        bar.ax.yaxis.set_major_formatter(_LocaleFormatter(language))
    bar.ax.tick_params(labelsize=mpl.rcParams["font.size"] * 0.8, length=2)
