"""Words and number formatting shared by every writer (Vietnamese conventions).

Vietnamese "." groups thousands and "," marks decimals ("1.234,5", "82,3%"). This module
holds the column headers (:data:`COLUMN_LABELS`), :func:`format_number`,
:func:`format_percent`, :func:`format_table` (every cell as display text, as Word tables show
it) and :func:`note_line` (a table's source, method and date), with the small helpers the
workbook and Word writers share (missing values, NFC text, flattened headers, text widths).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError

__all__ = ["COLUMN_LABELS", "format_number", "format_percent", "format_table", "note_line"]

Language = Literal["vi", "en"]

# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------

#: Presentation headers of the tidy estimate columns and of common by-columns.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "estimate_pct": "Ước lượng (%)",
        "estimate": "Ước lượng",
        "se": "Sai số chuẩn",
        "ci_low": "KTC 95% dưới",
        "ci_high": "KTC 95% trên",
        "ref_low": "Khoảng tham chiếu 95% dưới",
        "ref_high": "Khoảng tham chiếu 95% trên",
        "n": "n",
        "N": "N (có trọng số)",
        "cv": "Hệ số biến thiên",
        "deff": "Hiệu ứng thiết kế",
        "df": "Bậc tự do",
        "reliable": "Tin cậy",
        "reliability_note": "Ghi chú",
        "variable": "Chỉ tiêu",
        "level": "Mức",
        "province": "Tỉnh/thành phố",
        "district": "Quận/huyện",
        "commune": "Xã/phường",
        "unit": "Đơn vị",
        "field": "Lĩnh vực",
        "procedure": "Thủ tục",
        "item": "Tiêu chí",
        "criterion": "Tiêu chí",
        "element": "Yếu tố",
        "group": "Nhóm đối tượng",
        "respondent_group": "Nhóm đối tượng",
        "sex": "Giới tính",
        "age_band": "Nhóm tuổi",
        "ethnicity": "Dân tộc",
        "urban": "Thành thị/nông thôn",
        "year": "Năm",
        "wave": "Kỳ khảo sát",
    },
    "en": {
        "estimate_pct": "Estimate (%)",
        "estimate": "Estimate",
        "se": "Standard error",
        "ci_low": "95% CI lower",
        "ci_high": "95% CI upper",
        "ref_low": "95% reference interval, lower",
        "ref_high": "95% reference interval, upper",
        "n": "n",
        "N": "N (weighted)",
        "cv": "Coefficient of variation",
        "deff": "Design effect",
        "df": "Degrees of freedom",
        "reliable": "Reliable",
        "reliability_note": "Note",
        "variable": "Variable",
        "level": "Level",
        "province": "Province",
        "district": "District",
        "commune": "Commune",
        "unit": "Unit",
        "field": "Field",
        "procedure": "Procedure",
        "item": "Criterion",
        "criterion": "Criterion",
        "element": "Element",
        "group": "Respondent group",
        "respondent_group": "Respondent group",
        "sex": "Sex",
        "age_band": "Age band",
        "ethnicity": "Ethnicity",
        "urban": "Urban/rural",
        "year": "Year",
        "wave": "Wave",
    },
}

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "yes": "Có",
        "no": "Không",
        "figure": "Hình",
        "table": "Bảng",
        "source": "Nguồn",
        "method": "Phương pháp",
        "date": "Ngày lập",
    },
    "en": {
        "yes": "Yes",
        "no": "No",
        "figure": "Figure",
        "table": "Table",
        "source": "Source",
        "method": "Method",
        "date": "Date",
    },
}

#: How far outside [0, 1] a share may stray (rounding) before it is refused.
_SHARE_TOL = 1e-9


def _words(language: str) -> dict[str, str]:
    if language not in _WORDS:
        raise ParameterError(f"language must be one of {sorted(_WORDS)}, got {language!r}")
    return _WORDS[language]


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value))


# --------------------------------------------------------------------------------------
# Number formatting (Vietnamese: "." groups thousands, "," marks decimals)
# --------------------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def format_number(value: float, *, digits: int = 1, language: Language = "vi") -> str:
    """``1234.5`` -> ``"1.234,5"`` (vi) or ``"1,234.5"`` (en); missing values give ``""``."""
    _words(language)
    if _is_missing(value):
        return ""
    text = f"{float(value):,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0,0"
    if language == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(
    share: float, *, digits: int = 1, language: Language = "vi", sign: bool = False
) -> str:
    """A proportion as a percentage: ``0.823`` -> ``"82,3%"``; ``sign`` adds "+" to gains."""
    if _is_missing(share):
        return ""
    text = format_number(100 * float(share), digits=digits, language=language)
    if sign and not text.startswith("-") and text.strip("0,.") != "":
        text = "+" + text  # a change that rounds to zero gets no sign
    return text + "%"


def _is_whole_column(values: pd.Series) -> bool:
    finite = values.dropna()
    finite = finite[np.isfinite(finite.astype(float))]
    return bool(len(finite)) and bool((finite.astype(float) % 1 == 0).all())


def _format_date(value: Any) -> str:
    stamp = pd.Timestamp(value)
    return (
        stamp.strftime("%d/%m/%Y")
        if stamp == stamp.normalize()
        else stamp.strftime("%d/%m/%Y %H:%M")
    )


def _percent_columns_of(frame: pd.DataFrame, given: Iterable[str] | None) -> list[str]:
    """Share columns: as given, else those an upstream function recorded in ``attrs``."""
    if given is None:
        given = frame.attrs.get("percent_columns", ())
    return [c for c in given if c in frame.columns]


def _flatten_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Named or multi-level indexes become columns; multi-level headers are joined."""
    out = frame
    index_names = [n for n in frame.index.names if n is not None]
    if isinstance(frame.index, pd.MultiIndex) or index_names:
        out = frame.reset_index()
    if isinstance(out.columns, pd.MultiIndex):
        out = out.copy()
        out.columns = [" - ".join(_nfc(p) for p in parts if str(p) != "") for parts in out.columns]
    if out is not frame:
        out.attrs = dict(frame.attrs)
    return out


def format_table(
    frame: pd.DataFrame,
    *,
    percent_columns: Iterable[str] | None = None,
    digits: int = 1,
    float_digits: int = 2,
    language: Language = "vi",
) -> pd.DataFrame:
    """Every cell as display text, as it appears in Word tables.

    Shares (``percent_columns``, default ``frame.attrs["percent_columns"]``) become
    ``"82,3%"`` with ``digits`` decimals; whole-number columns ``"1.234"``; other numbers
    ``float_digits`` decimals; booleans "Có"/"Không"; dates dd/mm/yyyy; missing values "".
    Headers are NFC strings.
    """
    words = _words(language)
    frame = _flatten_columns(frame)
    shares = set(_percent_columns_of(frame, percent_columns))
    columns: list[list[str]] = []
    for pos, name in enumerate(frame.columns):
        values = frame.iloc[:, pos]
        columns.append(
            _format_column(values, name in shares, digits, float_digits, language, words)
        )
    out = pd.DataFrame(
        dict(enumerate(columns)) if columns else {}, index=range(len(frame)), dtype=object
    )
    out.columns = [_nfc(c) for c in frame.columns]
    return out


def _format_column(
    values: pd.Series,
    is_share: bool,
    digits: int,
    float_digits: int,
    language: Language,
    words: Mapping[str, str],
) -> list[str]:
    if pd.api.types.is_bool_dtype(values):
        return ["" if _is_missing(v) else (words["yes"] if v else words["no"]) for v in values]
    if pd.api.types.is_datetime64_any_dtype(values):
        return ["" if _is_missing(v) else _format_date(v) for v in values]
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.astype(float)
        whole = not is_share and _is_whole_column(numeric)
        return [
            _format_scalar(v, is_share, whole, digits, float_digits, language) for v in numeric
        ]
    out = []
    for v in values:
        if isinstance(v, bool | np.bool_):
            out.append(words["yes"] if v else words["no"])
        elif isinstance(v, dt.date | pd.Timestamp) and not _is_missing(v):
            out.append(_format_date(v))
        elif isinstance(v, int | float | np.integer | np.floating):
            whole = not is_share and float(v).is_integer()
            out.append(_format_scalar(v, is_share, whole, digits, float_digits, language))
        elif _is_missing(v):
            out.append("")
        else:
            out.append(_nfc(v))
    return out


def _format_scalar(
    value: float, is_share: bool, whole: bool, digits: int, float_digits: int, language: Language
) -> str:
    if _is_missing(value):
        return ""
    if not math.isfinite(float(value)):
        return "∞" if value > 0 else "-∞"
    if is_share:
        return format_percent(value, digits=digits, language=language)
    return format_number(value, digits=0 if whole else float_digits, language=language)


def note_line(
    *,
    source: str | None = None,
    method: str | None = None,
    date: dt.date | str | None = None,
    language: Language = "vi",
) -> str:
    """The notes line of a table: ``"Nguồn: …. Phương pháp: …. Ngày lập: 05/03/2025."``.

    ``date`` defaults to today; pass ``""`` to leave it out.
    """
    words = _words(language)
    if date is None:
        date = dt.date.today()
    parts = []
    for key, value in (("source", source), ("method", method), ("date", date)):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else _nfc(value)
        parts.append(f"{words[key]}: {text.strip().rstrip('.')}.")
    return " ".join(parts)


def _display_width(text: str) -> float:
    """Width of text in Excel character units: wide CJK counts 2, combining marks 0."""
    best = 0.0
    for line in text.split("\n"):
        width = 0.0
        for ch in unicodedata.normalize("NFC", line):
            if unicodedata.combining(ch):
                continue
            width += 2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0
        best = max(best, width)
    return best
