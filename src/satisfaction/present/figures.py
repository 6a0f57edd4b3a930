"""Figures: seaborn-style drawers. Tidy estimates in, Axes out.

Every drawer takes a frame in the project's tidy estimate shape (by-columns, ``variable``,
``level``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``cv``, ``deff``, ``n``, ``N``,
``df``, ``reliable``, ``reliability_note``), draws it and returns the Axes. Drawers never
estimate (the numbers drawn are exactly the numbers given) and never save: saving PNG/SVG and
the CSV of the numbers drawn is ``report``'s job.

Shares arrive as proportions in [0, 1] and are shown as percentages, with the Vietnamese
decimal comma when ``language="vi"`` (the default). Every figure carries a title, an n and a
source line (:func:`annotate`); the title and footer are figure-level artists anchored to the
Axes' tight bounding box, so save with ``bbox_inches="tight"`` (:func:`set_theme` makes that
the default) to keep them on the canvas.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, Normalize, TwoSlopeNorm, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, ScalarFormatter
from matplotlib.transforms import Bbox

from satisfaction.errors import InputError, ParameterError

__all__ = [
    "LABELS",
    "LIKERT_COLOURS",
    "VIETNAMESE_GLYPHS",
    "annotate",
    "forest",
    "heatmap",
    "importance_performance",
    "likert_bars",
    "likert_palette",
    "set_theme",
    "theme_rc",
]

Language = Literal["vi", "en"]

#: Every precomposed letter Vietnamese needs beyond ASCII; the theme font must cover them all.
VIETNAMESE_GLYPHS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)

# Okabe-Ito vermillion and bluish green (designed for colour-vision deficiency), in a dark and
# a light shade each, around a neutral grey: the two sides differ in hue for normal vision
# and in hue *and* lightness order for deuteranopes/protanopes (checked in the tests by a
# Machado et al. 2009 simulation).
LIKERT_COLOURS: dict[str, str] = {
    "very_negative": "#A63D00",
    "negative": "#E98B5C",
    "neutral": "#DEDEDE",
    "positive": "#5CB896",
    "very_positive": "#00664A",
}
_INK = "#1A1A1A"
_MUTED = "#6B6B6B"
_UNRELIABLE = "#9A9A9A"
_POINT = "#2B3A55"
_ABOVE = LIKERT_COLOURS["very_positive"]
_BELOW = "#C85200"
_BLUE = "#0072B2"
_HIGHLIGHT_BAND = "#FFF1CC"

LABELS: dict[str, dict[str, Any]] = {
    "vi": {
        "scale": {
            3: ("Không hài lòng", "Bình thường", "Hài lòng"),
            4: ("Rất không hài lòng", "Không hài lòng", "Hài lòng", "Rất hài lòng"),
            5: (
                "Rất không hài lòng",
                "Không hài lòng",
                "Bình thường",
                "Hài lòng",
                "Rất hài lòng",
            ),
        },
        "source": "Nguồn",
        "note": "Ghi chú",
        "source_missing": "chưa khai báo",
        "n_range": "n = {lo}–{hi} mỗi {unit}",
        "unit": {"bar": "thanh", "row": "dòng", "cell": "ô", "point": "điểm"},
        "overall": "Chung",
        "sig_above": "Cao hơn mức chung có ý nghĩa",
        "sig_below": "Thấp hơn mức chung có ý nghĩa",
        "unreliable": "Không đủ tin cậy (n nhỏ)",
        "unreliable_note": "* Ước lượng không đủ tin cậy (cỡ mẫu nhỏ), chỉ để tham khảo.",
        "ci_lines": "Đoạn ngang: khoảng tin cậy 95%.",
        "satisfied_ci": "KTC 95% của tỷ lệ hài lòng",
        "likert_note": "Số trên thanh: tỷ lệ % có trọng số.",
        "neutral_note": "Mức trung lập được đặt giữa trục 0.",
        "likert_axis": "Tỷ lệ người trả lời (%)",
        "satisfied_axis": "Tỷ lệ hài lòng (%)",
        "importance_axis": "Mức độ quan trọng",
        "missing_cell": "–",
        "missing_note": "–: không có số liệu.",
        "cut_note": "Đường cắt: {how}.",
        "cut_mean": "giá trị trung bình của các điểm",
        "cut_given": "giá trị do người dùng chọn",
        "quadrants": {
            "concentrate": "Tập trung cải thiện",
            "keep_up": "Tiếp tục duy trì",
            "low_priority": "Ưu tiên thấp",
            "overkill": "Có thể dư thừa",
        },
        "titles": {
            "likert": "Phân bố mức độ hài lòng",
            "forest": "Tỷ lệ hài lòng",
            "heatmap": "Tỷ lệ hài lòng theo tiêu chí",
            "ipa": "Ma trận tầm quan trọng – mức độ hài lòng",
        },
    },
    "en": {
        "scale": {
            3: ("Dissatisfied", "Neutral", "Satisfied"),
            4: ("Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"),
            5: (
                "Very dissatisfied",
                "Dissatisfied",
                "Neutral",
                "Satisfied",
                "Very satisfied",
            ),
        },
        "source": "Source",
        "note": "Note",
        "source_missing": "not declared",
        "n_range": "n = {lo}–{hi} per {unit}",
        "unit": {"bar": "bar", "row": "row", "cell": "cell", "point": "point"},
        "overall": "Overall",
        "sig_above": "Significantly above overall",
        "sig_below": "Significantly below overall",
        "unreliable": "Unreliable (small n)",
        "unreliable_note": "* Unreliable estimate (small sample); indicative only.",
        "ci_lines": "Horizontal lines: 95% confidence intervals.",
        "satisfied_ci": "95% CI of the satisfied share",
        "likert_note": "Numbers on bars: weighted %.",
        "neutral_note": "The neutral level is centred on 0.",
        "likert_axis": "Share of respondents (%)",
        "satisfied_axis": "Satisfied share (%)",
        "importance_axis": "Importance",
        "missing_cell": "–",
        "missing_note": "–: no data.",
        "cut_note": "Cut lines: {how}.",
        "cut_mean": "mean of the points",
        "cut_given": "chosen by the user",
        "quadrants": {
            "concentrate": "Concentrate here",
            "keep_up": "Keep up the good work",
            "low_priority": "Low priority",
            "overkill": "Possible overkill",
        },
        "titles": {
            "likert": "Distribution of satisfaction",
            "forest": "Satisfied share",
            "heatmap": "Satisfied share by criterion",
            "ipa": "Importance-performance matrix",
        },
    },
}

_GID_TITLE = "figure-title"
_GID_FOOTER = "figure-source"
_GID_RESET = "figure-anchor-reset"
_SHARE_TOL = 1e-9


# --------------------------------------------------------------------------------------
# Theme
# --------------------------------------------------------------------------------------


def _bundled_dejavu() -> Path:
    return Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _missing_glyphs(font_path: str | Path, text: str = VIETNAMESE_GLYPHS) -> list[str]:
    """Characters of ``text`` that the font's best cmap does not map."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), fontNumber=0, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return [ch for ch in text if ord(ch) not in cmap]


def _resolve_font(font: str | None) -> tuple[str, Path]:
    """The first usable family among ``font`` and DejaVu Sans, with its file."""
    candidates = [font] if font else []
    candidates.append("DejaVu Sans")
    for name in candidates:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=name), fallback_to_default=False
            )
        except ValueError:
            warnings.warn(f"set_theme: font {name!r} not found", UserWarning, stacklevel=3)
            continue
        found = font_manager.FontProperties(fname=path).get_name()
        if found.casefold() != name.casefold():
            warnings.warn(
                f"set_theme: font {name!r} not found (matched {found!r})",
                UserWarning,
                stacklevel=3,
            )
            continue
        missing = _missing_glyphs(path)
        if missing:
            warnings.warn(
                f"set_theme: font {name!r} lacks Vietnamese glyphs {''.join(missing[:10])!r}",
                UserWarning,
                stacklevel=3,
            )
            continue
        return name, Path(path)
    # DejaVu Sans ships inside matplotlib: register the bundled file if the cache lost it.
    bundled = _bundled_dejavu()
    font_manager.fontManager.addfont(str(bundled))
    return "DejaVu Sans", bundled


def theme_rc(font: str = "DejaVu Sans", base_size: float = 10.0) -> dict[str, Any]:
    """The rcParams of the house theme (usable with ``matplotlib.rc_context``)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font, "DejaVu Sans"],
        "font.size": base_size,
        "axes.titlesize": base_size * 1.2,
        "axes.labelsize": base_size,
        "xtick.labelsize": base_size * 0.9,
        "ytick.labelsize": base_size * 0.95,
        "legend.fontsize": base_size * 0.9,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#4D4D4D",
        "axes.labelcolor": _INK,
        "axes.linewidth": 0.8,
        "axes.grid": False,
        "grid.color": "#E3E3E3",
        "grid.linewidth": 0.6,
        "xtick.color": "#4D4D4D",
        "ytick.color": "#4D4D4D",
        "text.color": _INK,
        "axes.prop_cycle": cycler(
            color=[_BLUE, "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
        ),
        "figure.facecolor": "white",
        "figure.dpi": 100,
        "savefig.dpi": 200,
        "savefig.bbox": "tight",
        "savefig.facecolor": "white",
        # Text stays text in SVG (searchable, editable in Word/Inkscape) and fonts embed as
        # TrueType in PDF/PS so Vietnamese diacritics survive.
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
    }


def set_theme(font: str | None = None, *, base_size: float = 10.0) -> Path:
    """Apply the house theme to matplotlib and return the font file it resolved to.

    The font must cover every Vietnamese letter (checked in its cmap with fontTools); a
    requested font that is missing or incomplete falls back, with a warning, to DejaVu Sans,
    which ships with matplotlib. SVG text is kept as text (``svg.fonttype = "none"``) and
    figures save at 200 dpi with a tight bounding box.
    """
    if base_size <= 0:
        raise ParameterError(f"set_theme: base_size must be positive, got {base_size!r}")
    name, path = _resolve_font(font)
    mpl.rcParams.update(theme_rc(name, base_size))
    return path


def _side_colours(count: int, side: Literal["left", "right"]) -> list[str]:
    """``count`` shades from dark to light (left) or light to dark (right)."""
    dark_light = (
        (LIKERT_COLOURS["very_negative"], LIKERT_COLOURS["negative"])
        if side == "left"
        else (LIKERT_COLOURS["very_positive"], LIKERT_COLOURS["positive"])
    )
    if count == 0:
        return []
    if count == 1:
        shades = [dark_light[0]]
    else:
        ramp = LinearSegmentedColormap.from_list(side, dark_light)
        shades = [mpl.colors.to_hex(ramp(t)).upper() for t in np.linspace(0, 1, count)]
        shades[0], shades[-1] = dark_light  # exactly as declared: interpolation rounds
    return shades if side == "left" else shades[::-1]


def _palette(n_negative: int, n_positive: int, neutral: bool) -> list[str]:
    middle = [LIKERT_COLOURS["neutral"]] if neutral else []
    return [*_side_colours(n_negative, "left"), *middle, *_side_colours(n_positive, "right")]


def likert_palette(n_levels: int, *, neutral: bool | None = None) -> list[str]:
    """Colours for an ordered scale of 2-7 levels, negative to positive.

    ``neutral`` says whether the middle level is neutral (grey); by default odd scales have
    one and even scales do not. An odd scale without a neutral gives the extra level to the
    positive side.
    """
    if not 2 <= n_levels <= 7:
        raise ParameterError(f"likert_palette: n_levels must be 2..7, got {n_levels}")
    if neutral is None:
        neutral = n_levels % 2 == 1
    if neutral and n_levels % 2 == 0:
        raise ParameterError("likert_palette: an even scale cannot have a single neutral level")
    n_negative = n_levels // 2
    return _palette(n_negative, n_levels - n_negative - int(neutral), neutral)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _labels(language: str) -> dict[str, Any]:
    if language not in LABELS:
        raise ParameterError(f"language must be one of {sorted(LABELS)}, got {language!r}")
    return LABELS[language]


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value))


def _fmt_number(value: float, digits: int, language: str) -> str:
    text = f"{value:,.{digits}f}"
    if language == "vi":  # Vietnamese: "." groups thousands, "," marks decimals
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _fmt_pct(share: float, digits: int, language: str, sign: bool = True) -> str:
    return _fmt_number(100 * share, digits, language) + ("%" if sign else "")


def _fmt_n(n: int | float, language: str) -> str:
    return _fmt_number(float(n), 0, language)


def _check_frame(data: object, columns: Iterable[str | None], func: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{func}: data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise InputError(
            f"{func}: data has no column {missing[0]!r} (columns: {list(data.columns)})",
            column=str(missing[0]),
        )
    if data.empty:
        raise InputError(f"{func}: data has no rows")
    return data


def _check_shares(
    data: pd.DataFrame, columns: Iterable[str], func: str, raw_option: bool = True
) -> None:
    """Shares must be proportions: figures show them as % and would mislead otherwise."""
    hint = "divide percentages by 100" + (", or pass percent=False" if raw_option else "")
    for col in columns:
        values = pd.to_numeric(data[col], errors="coerce")
        bad = data.index[(values < -_SHARE_TOL) | (values > 1 + _SHARE_TOL)]
        if len(bad):
            raise InputError(
                f"{func}: column {col!r} holds {values[bad[0]]!r}, outside [0, 1]; figures "
                f"expect proportions ({hint})",
                column=col,
                row=str(bad[0]),
            )


def _check_unique(data: pd.DataFrame, keys: list[str], func: str) -> None:
    dup = data.duplicated(subset=keys, keep=False)
    if dup.any():
        first = data.loc[dup, keys].iloc[0].to_dict()
        where = ", ".join(f"{k}={v!r}" for k, v in first.items())
        hint = ""
        if "variable" in data.columns and "variable" not in keys:
            hint = "; filter the frame to one variable first"
        raise InputError(f"{func}: more than one row for {where}{hint}")


def _reliable_mask(data: pd.DataFrame, reliable: str | None) -> pd.Series:
    if reliable is None or reliable not in data.columns:
        return pd.Series(True, index=data.index)
    return data[reliable].fillna(False).astype(bool)


def _category_order(values: pd.Series, order: Sequence[Hashable] | None, func: str) -> list:
    present = list(pd.unique(values.dropna()))
    if order is None:
        return present
    order = list(order)
    absent = [c for c in order if c not in set(present)]
    if absent:
        raise ParameterError(f"{func}: order names {absent[0]!r}, which is not in the data")
    return order


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


def _n_summary(
    data: pd.DataFrame | pd.Series, n_col: str | None, unit: str, language: str
) -> int | str | None:
    """The n for the footer when the caller gave none: one value, or the range per unit.

    Totals are not summed: rows may be overlapping domains (criteria answered by the same
    respondents), so only the caller knows the number of respondents.
    """
    if isinstance(data, pd.Series):
        values = pd.to_numeric(data, errors="coerce").dropna()
    elif n_col is None or n_col not in data.columns:
        return None
    else:
        values = pd.to_numeric(data[n_col], errors="coerce").dropna()
    if values.empty:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo == hi:
        return lo
    words = _labels(language)
    return words["n_range"].format(
        lo=_fmt_n(lo, language), hi=_fmt_n(hi, language), unit=words["unit"][unit]
    )


def _level_key(level: object) -> object:
    """1.0 and 1 name the same scale code."""
    if isinstance(level, float | np.floating) and float(level).is_integer():
        return int(level)
    if isinstance(level, np.integer):
        return int(level)
    return level


def _percent_formatter(language: str, absolute: bool = False) -> FuncFormatter:
    def fmt(value: float, _pos: int) -> str:
        shown = abs(value) if absolute else value
        return _fmt_number(shown, 0, language) + "%"

    return FuncFormatter(fmt)


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


# --------------------------------------------------------------------------------------
# annotate
# --------------------------------------------------------------------------------------


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


def _join_notes(*notes: str | None) -> str | None:
    kept = [_nfc(n) for n in notes if n]
    return "\n".join(kept) if kept else None


# --------------------------------------------------------------------------------------
# likert_bars
# --------------------------------------------------------------------------------------


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
        ``neutral/2 + ci_low`` to ``neutral/2 + ci_high``).
    n
        Column with the unweighted n shown beside each bar: if a category's rows share one
        value (the domain n) it is shown; if they differ they are taken as per-level
        counts and summed.
    reliable
        Column of reliability flags; a category with any unreliable row is marked "*".
    min_label
        Segments narrower than this share carry no number.

    Returns the Axes. Bars are drawn in percent units (x = 100 * share); each level is one
    ``BarContainer`` (gid ``likert-level-<i>``), whiskers have gid ``likert-satisfied-ci``.
    """
    func = "likert_bars"
    words = _labels(language)
    _check_frame(data, [y, level, estimate], func)
    _check_shares(data, [estimate], func, raw_option=False)
    _check_unique(data, [y, level], func)

    categories = _category_order(data[y], order, func)
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

    frame = data[data[y].isin(categories)]
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

    k = len(categories)
    ax = _new_axes(ax, (9.0, 0.5 * k + 1.6))
    ypos = np.arange(k)
    has_neutral = neutral is not None
    colours = _palette(len(negatives), len(levels) - len(negatives) - has_neutral, has_neutral)
    level_names = _scale_labels(levels, labels, language)
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

    right_edge = (100 * (lefts.iloc[:, -1] + shares.iloc[:, -1])).max()
    left_edge = (100 * lefts.iloc[:, 0]).min()
    handles, names = ax.get_legend_handles_labels()
    whiskers: dict[int, tuple[float, float]] = {}
    if satisfied_share is not None:
        sat = _check_frame(satisfied_share, [y, "estimate", "ci_low", "ci_high"], func)
        _check_shares(sat, ["estimate", "ci_low", "ci_high"], func, raw_option=False)
        _check_unique(sat, [y], func)
        sat = sat.set_index(y).reindex(categories)
        pos_start = 100 * (
            np.asarray(neutral_share, dtype=float) / 2 if neutral is not None else 0.0
        )
        est = pos_start + 100 * sat["estimate"].to_numpy(dtype=float)
        low = pos_start + 100 * sat["ci_low"].to_numpy(dtype=float)
        high = pos_start + 100 * sat["ci_high"].to_numpy(dtype=float)
        keep = ~np.isnan(est)
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
        if keep.any():
            right_edge = max(right_edge, np.nanmax(high))
        handles.append(
            Line2D([], [], color=_INK, marker="|", markersize=8, linewidth=1.3, linestyle="-")
        )
        names.append(words["satisfied_ci"])

    # Numbers on segments; a number the CI whisker would cross moves to the free part of
    # its segment left of the whisker, or is dropped if that part is too narrow.
    room = 100 * min_label
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

    # Unreliable categories: "*" on the label, greyed.
    mask = _reliable_mask(frame, reliable)
    unreliable = set(frame.loc[~mask, y])
    tick_labels = [_nfc(c) + (" *" if c in unreliable else "") for c in categories]
    ax.set_yticks(ypos, tick_labels)
    for tick, cat in zip(ax.get_yticklabels(), categories, strict=True):
        if cat in unreliable:
            tick.set_color(_UNRELIABLE)
    ax.tick_params(axis="y", length=0)

    # n beside each bar, in a column right of the plot.
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
            [_MUTED] * k,
            "likert-n",
        )

    pad = 3.0
    lo_lim = min(-10.0, np.floor((left_edge - pad) / 10) * 10)
    hi_lim = max(10.0, np.ceil((right_edge + pad) / 10) * 10)
    ax.set_xlim(lo_lim, hi_lim)
    ax.set_ylim(k - 0.5, -0.5)
    ax.xaxis.set_major_formatter(_percent_formatter(language, absolute=True))
    ax.set_xlabel(words["likert_axis"])
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)
    _top_legend(ax, handles, names, ncol=len(handles))
    auto_note = _join_notes(
        words["likert_note"] + (" " + words["neutral_note"] if neutral is not None else ""),
        words["unreliable_note"] if unreliable else None,
        note,
    )
    annotate(
        ax,
        title=title or words["titles"]["likert"],
        n=n_total if n_total is not None else _n_summary(per_cat, None, "bar", language),
        source=source,
        note=auto_note,
        language=language,
    )
    return ax


# --------------------------------------------------------------------------------------
# forest
# --------------------------------------------------------------------------------------


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
    ``forest-overall``; row i sits at y = i, top to bottom.
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
    if sig is not None and sig in frame.columns:
        flags = frame[sig].fillna("").astype(str).str.strip().str.lower()
        unknown = sorted(set(flags) - {"above", "below", ""})
        if unknown:
            raise InputError(
                f"{func}: column {sig!r} holds {unknown[0]!r}; expected 'above', 'below' or ''",
                column=sig,
            )
        flags = flags.to_numpy()
    else:
        flags = np.array([""] * k)
    if highlight is None:
        wanted: set = set()
    elif isinstance(highlight, str) or not isinstance(highlight, Iterable):
        wanted = {highlight}
    else:
        wanted = set(highlight)

    ax = _new_axes(ax, (7.5, 0.32 * k + 1.6))
    ypos = np.arange(k)
    categories = list(frame[y])
    for yy, cat in zip(ypos, categories, strict=True):
        if cat in wanted:
            ax.axhspan(yy - 0.5, yy + 0.5, color=_HIGHLIGHT_BAND, zorder=0, gid="forest-highlight")

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
    if overall is not None:
        line = ax.axvline(
            overall * scale, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.1, zorder=1
        )
        line.set_gid("forest-overall")
        shown = (
            _fmt_pct(overall, digits, language)
            if percent
            else _fmt_number(overall, digits, language)
        )
        handles.insert(0, line)
        names.insert(0, f"{words['overall']}: {shown}")

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
    ax.set_ylim(k - 0.5, -0.5)

    finite = np.concatenate([low, high, est])
    finite = finite[np.isfinite(finite)]
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
    ax.xaxis.set_major_formatter(
        _percent_formatter(language) if percent else _LocaleFormatter(language)
    )
    ax.set_xlabel(xlabel or (words["satisfied_axis"] if percent else ""))
    ax.grid(axis="x", zorder=0)
    ax.spines["left"].set_visible(False)

    if show_values:
        _side_column(
            ax,
            ypos,
            [
                None
                if np.isnan(v)
                else _fmt_number(v, digits, language) + ("%" if percent else "")
                for v in est
            ],
            [_INK if good else _UNRELIABLE for good in ok],
            "forest-value",
        )
    if handles:
        _top_legend(ax, handles, names, ncol=min(len(handles), 2))
    annotate(
        ax,
        title=title or words["titles"]["forest"],
        n=n_total if n_total is not None else _n_summary(frame, n, "row", language),
        source=source,
        note=_join_notes(
            words["ci_lines"],
            words["unreliable_note"] if (~ok).any() else None,
            note,
        ),
        language=language,
    )
    return ax


# --------------------------------------------------------------------------------------
# heatmap
# --------------------------------------------------------------------------------------


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
    ax: Axes | None = None,
) -> Axes:
    """Grid of ``value`` (e.g. satisfied share) for ``y`` (criteria) x ``x`` (fields).

    Cells are annotated in % (Vietnamese decimal comma with ``language="vi"``). Unreliable
    cells are hatched, their number greyed and starred; absent cells are light grey with "–".
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
    grid = (
        frame.pivot(index=y, columns=x, values=value).reindex(index=rows, columns=cols) * scale
    ).astype(float)
    flags = (
        frame.assign(_ok=_reliable_mask(frame, reliable))
        .pivot(index=y, columns=x, values="_ok")
        .reindex(index=rows, columns=cols)
    )
    values = grid.to_numpy()
    ny, nx = values.shape

    width = max(5.5, 0.95 * nx + 3.5)
    ax = _new_axes(ax, (width, 0.42 * ny + 2.2))
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
    if cbar:
        cax = ax.inset_axes([1.03, 0.0, 0.035, 1.0] if ny >= 4 else [1.03, 0.0, 0.05, 1.0])
        bar = ax.figure.colorbar(mesh, cax=cax)
        bar.outline.set_visible(False)
        bar.ax.yaxis.set_major_formatter(
            _percent_formatter(language) if percent else _LocaleFormatter(language)
        )
        bar.ax.tick_params(labelsize=mpl.rcParams["font.size"] * 0.8, length=2)
    annotate(
        ax,
        title=title or words["titles"]["heatmap"],
        n=n_total if n_total is not None else _n_summary(frame, n, "cell", language),
        source=source,
        note=_join_notes(
            words["unreliable_note"] if any_unreliable else None,
            words["missing_note"] if any_missing else None,
            note,
        ),
        language=language,
    )
    return ax


# --------------------------------------------------------------------------------------
# importance_performance
# --------------------------------------------------------------------------------------

_QUADRANT_COLOURS = {
    "concentrate": _BELOW,
    "keep_up": _ABOVE,
    "low_priority": "#7A7A7A",
    "overkill": _BLUE,
}


def _quadrant(importance: float, performance: float, x_cut: float, y_cut: float) -> str:
    high_imp = importance >= x_cut
    high_perf = performance >= y_cut
    if high_imp:
        return "keep_up" if high_perf else "concentrate"
    return "overkill" if high_perf else "low_priority"


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


_LABEL_SPOTS = [
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (6, 6, "left", "bottom"),
    (-6, 6, "right", "bottom"),
    (6, -6, "left", "top"),
    (-6, -6, "right", "top"),
]
# Farther spots get a leader line so the label still points at its dot.
_FAR_SPOTS = [
    (16, 14, "left", "bottom"),
    (-16, 14, "right", "bottom"),
    (16, -14, "left", "top"),
    (-16, -14, "right", "top"),
    (0, 22, "center", "bottom"),
    (0, -22, "center", "top"),
    (26, 24, "left", "bottom"),
    (-26, 24, "right", "bottom"),
    (26, -24, "left", "top"),
    (-26, -24, "right", "top"),
]


def _place_labels(
    ax: Axes, xs: np.ndarray, ys: np.ndarray, texts: list[str], avoid: list[Bbox]
) -> list[Annotation]:
    """Greedy placement: each label takes the first nearby spot that overlaps nothing drawn.

    Candidates are tried in a fixed order around the point, near ones first; the spot with
    the least overlap (with earlier labels, the points, the quadrant names and the Axes
    edge) wins. Labels placed at a far spot get a thin leader line to their point.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    dot = fig.dpi / 72 * 4.5
    dots = [
        Bbox.from_extents(px - dot, py - dot, px + dot, py + dot)
        for px, py in ax.transData.transform(np.column_stack([xs, ys]))
    ]
    frame_box = ax.get_window_extent(renderer)
    style = {
        "fontsize": mpl.rcParams["font.size"] * 0.85,
        "color": _INK,
        "zorder": 4,
        "annotation_clip": False,
        "textcoords": "offset points",
    }
    placed: list[Bbox] = list(avoid)
    out: list[Annotation] = []
    for idx, (xv, yv, text) in enumerate(zip(xs, ys, texts, strict=True)):
        others = placed + dots[:idx] + dots[idx + 1 :]
        probe = ax.annotate(text, (xv, yv), xytext=(0, 0), **style)
        best: tuple[float, int] | None = None
        spots = _LABEL_SPOTS + _FAR_SPOTS
        for i, (dx, dy, ha, va) in enumerate(spots):
            probe.set_position((dx, dy))
            probe.set_ha(ha)
            probe.set_va(va)
            box = probe.get_window_extent(renderer)
            cost = sum(_overlap(box, other) for other in others)
            cost += 2 * (box.width * box.height - _overlap(box, frame_box))
            if best is None or cost < best[0]:
                best = (cost, i)
            if cost == 0:
                break
        probe.remove()
        assert best is not None
        dx, dy, ha, va = spots[best[1]]
        far = best[1] >= len(_LABEL_SPOTS)
        ann = ax.annotate(
            text,
            (xv, yv),
            xytext=(dx, dy),
            ha=ha,
            va=va,
            arrowprops=(
                {"arrowstyle": "-", "color": _MUTED, "lw": 0.6, "shrinkA": 1, "shrinkB": 5}
                if far
                else None
            ),
            **style,
        )
        ann.set_gid("ipa-label")
        placed.append(Text.get_window_extent(ann, renderer))  # the text, not its leader
        out.append(ann)
    return out


def importance_performance(
    data: pd.DataFrame,
    *,
    importance: str,
    performance: str,
    label: str,
    x_cut: float | None = None,
    y_cut: float | None = None,
    reliable: str | None = "reliable",
    percent: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
    n: str | None = "n",
    language: Language = "vi",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    n_total: int | str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Importance-performance quadrant chart (Martilla & James 1977) of criteria.

    x = ``importance`` (e.g. a driver coefficient or correlation with overall
    satisfaction, as given), y = ``performance`` (satisfied share, shown in % when
    ``percent``). Cut lines default to the means of the points drawn (the data-centred
    variant); pass ``x_cut``/``y_cut`` (``y_cut`` as a proportion) for scale-centred or
    target cuts. Quadrants: high importance & low performance = "Concentrate here", high &
    high = "Keep up the good work", low & low = "Low priority", low importance & high
    performance = "Possible overkill". A point on a cut counts as high.

    Points are one collection (gid ``ipa-points``, offsets (importance, performance in %));
    cut lines have gids ``ipa-x-cut``/``ipa-y-cut``; quadrant names ``ipa-quadrant-<key>``.
    """
    func = "importance_performance"
    words = _labels(language)
    _check_frame(data, [importance, performance, label], func)
    if percent:
        _check_shares(data, [performance], func)
        if y_cut is not None and not 0 <= y_cut <= 1:
            raise ParameterError(f"{func}: y_cut={y_cut!r} is not a proportion in [0, 1]")
    frame = data.dropna(subset=[importance, performance])
    if frame.empty:
        raise InputError(f"{func}: no row has both {importance!r} and {performance!r}")
    scale = 100.0 if percent else 1.0
    xs = frame[importance].to_numpy(dtype=float)
    ys = frame[performance].to_numpy(dtype=float) * scale
    cut_how = words["cut_given"] if (x_cut is not None or y_cut is not None) else None
    xc = float(np.mean(xs)) if x_cut is None else float(x_cut)
    yc = float(np.mean(ys)) if y_cut is None else float(y_cut) * scale
    if x_cut is None and y_cut is None:
        cut_how = words["cut_mean"]
    ok = _reliable_mask(frame, reliable).to_numpy()
    quadrants = [_quadrant(a, b, xc, yc) for a, b in zip(xs, ys, strict=True)]

    ax = _new_axes(ax, (8.0, 6.2))
    xspan = max(xs.max(), xc) - min(xs.min(), xc) or abs(xc) or 1.0
    yspan = max(ys.max(), yc) - min(ys.min(), yc) or abs(yc) or 1.0
    ax.set_xlim(min(xs.min(), xc) - 0.18 * xspan, max(xs.max(), xc) + 0.18 * xspan)
    ylo = min(ys.min(), yc) - 0.2 * yspan
    yhi = max(ys.max(), yc) + 0.2 * yspan
    if percent:
        ylo, yhi = max(ylo, 0.0), min(yhi, 100.0)
    ax.set_ylim(ylo, yhi)

    ax.axvline(xc, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.0, zorder=1, gid="ipa-x-cut")
    ax.axhline(yc, color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.0, zorder=1, gid="ipa-y-cut")
    colours = [_QUADRANT_COLOURS[q] for q in quadrants]
    faces = [c if good else "white" for c, good in zip(colours, ok, strict=True)]
    edges = [c if good else _UNRELIABLE for c, good in zip(colours, ok, strict=True)]
    ax.scatter(
        xs,
        ys,
        s=52,
        facecolors=faces,
        edgecolors=edges,
        linewidths=1.3,
        zorder=3,
        gid="ipa-points",
    )

    corners = {
        "overkill": (0.015, 0.985, "left", "top"),
        "keep_up": (0.985, 0.985, "right", "top"),
        "low_priority": (0.015, 0.015, "left", "bottom"),
        "concentrate": (0.985, 0.015, "right", "bottom"),
    }
    renderer = _renderer(ax.figure)
    avoid = []
    for key, (cx, cy, ha, va) in corners.items():
        text = ax.text(
            cx,
            cy,
            words["quadrants"][key],
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=mpl.rcParams["font.size"] * 0.95,
            fontweight="bold",
            color=_QUADRANT_COLOURS[key],
            zorder=2,
            gid=f"ipa-quadrant-{key}",
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85},
        )
        avoid.append(text.get_window_extent(renderer))
    labels = [_nfc(t) + ("" if good else " *") for t, good in zip(frame[label], ok, strict=True)]
    _place_labels(ax, xs, ys, labels, avoid)

    ax.set_xlabel(xlabel or words["importance_axis"])
    ax.set_ylabel(ylabel or (words["satisfied_axis"] if percent else performance))
    ax.yaxis.set_major_formatter(
        _percent_formatter(language) if percent else _LocaleFormatter(language)
    )
    ax.xaxis.set_major_formatter(_LocaleFormatter(language))
    ax.grid(True, zorder=0)
    annotate(
        ax,
        title=title or words["titles"]["ipa"],
        n=n_total if n_total is not None else _n_summary(frame, n, "point", language),
        source=source,
        note=_join_notes(
            words["cut_note"].format(how=cut_how),
            words["unreliable_note"] if (~ok).any() else None,
            note,
        ),
        language=language,
    )
    return ax
