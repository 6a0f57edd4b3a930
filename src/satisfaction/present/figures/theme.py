"""The house theme, the Likert palette and the wording and number formats every chart shares.

The theme font must cover every Vietnamese letter (checked with fontTools); the palette is
colour-vision-deficiency safe; ``LABELS`` holds the Vietnamese and English wording of axes,
legends and notes; numbers get the Vietnamese decimal comma with ``language="vi"``.
"""

from __future__ import annotations

import unicodedata
import warnings
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib import font_manager
from matplotlib.colors import LinearSegmentedColormap

from satisfaction.errors import ParameterError

__all__ = [
    "LABELS",
    "LIKERT_COLOURS",
    "VIETNAMESE_GLYPHS",
    "Language",
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
        "unreliable": "Chưa đủ tin cậy",
        "unreliable_note": "* Ước lượng chưa đủ tin cậy, chỉ để tham khảo{why}.",
        "ci_lines": "Đoạn ngang: khoảng tin cậy 95%.",
        "satisfied_ci": "KTC 95% của tỷ lệ hài lòng",
        "ref_lines": "Đoạn ngang: khoảng tham chiếu 95% (giả định chọn ngẫu nhiên trong "
        "từng nhóm hạn ngạch).",
        "satisfied_ref": "Khoảng tham chiếu 95% của tỷ lệ hài lòng",
        "likert_note": "Số trên thanh: tỷ lệ % có trọng số.",
        "likert_note_plain": "Số trên thanh: tỷ lệ % trong số người đã trả lời.",
        "neutral_note": "Mức trung lập được đặt giữa trục 0.",
        "likert_axis": "Tỷ lệ người trả lời (%)",
        "satisfied_axis": "Tỷ lệ hài lòng (%)",
        "importance_axis": "Mức độ quan trọng",
        "missing_cell": "–",
        "missing_note": "–: không có số liệu.",
        "missing_grey_note": "Ô xám nhạt: không có số liệu.",
        "hatched_note": "Ô gạch chéo: ước lượng chưa đủ tin cậy, chỉ để tham khảo{why}.",
        "no_cell_labels_note": "Ô quá nhỏ để ghi số: giá trị từng ô ở bảng dưới hình và "
        "tệp số liệu (.csv).",
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
        "unreliable": "Unreliable",
        "unreliable_note": "* Unreliable estimate, indicative only{why}.",
        "ci_lines": "Horizontal lines: 95% confidence intervals.",
        "satisfied_ci": "95% CI of the satisfied share",
        "ref_lines": "Horizontal lines: 95% reference intervals (assume random selection "
        "within each quota group).",
        "satisfied_ref": "95% reference interval of the satisfied share",
        "likert_note": "Numbers on bars: weighted %.",
        "likert_note_plain": "Numbers on bars: % of those who answered.",
        "neutral_note": "The neutral level is centred on 0.",
        "likert_axis": "Share of respondents (%)",
        "satisfied_axis": "Satisfied share (%)",
        "importance_axis": "Importance",
        "missing_cell": "–",
        "missing_note": "–: no data.",
        "missing_grey_note": "Light grey cells: no data.",
        "hatched_note": "Hatched cells: unreliable estimates, indicative only{why}.",
        "no_cell_labels_note": "Cells too small for numbers: each cell's value is in the "
        "table below and in the data file (.csv).",
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
# Wording and numbers
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
