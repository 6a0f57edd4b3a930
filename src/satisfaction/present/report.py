"""Report writers: figures to files, formatted Excel workbooks, Word documents.

This is the only module that writes analysis outputs. Figures (``satisfaction.present.figures``)
draw and return an Axes; notebooks and the batch engine hand them here to be saved.

- :func:`save_figure` writes ``<stem>.png`` (>= 200 dpi), ``<stem>.svg`` (text kept as text,
  so Vietnamese stays searchable and editable) and ``<stem>.csv`` (the numbers drawn, UTF-8
  with a BOM so Excel shows Vietnamese), with a tight bounding box because titles and
  footers sit outside the Axes.
- :func:`estimates_table` turns a tidy estimates frame into a presentation table with
  Vietnamese (or English) headers; numbers stay numbers.
- :func:`write_workbook` writes formatted xlsx sheets: shares stored as numbers 0..1 with the
  ``0.0%`` format, counts with ``#,##0``, a bold wrapped frozen header, autofilter, fitted
  column widths, an optional title row and a notes row (source, method, date).
- :class:`DocxReport` builds Word documents in the Vietnamese administrative style (A4,
  Times New Roman 13 pt, margins of Decree 30/2020/ND-CP), with tables whose numbers use
  the Vietnamese conventions ("82,3%", "1.234") and numbered figures ("Hình 1. ...").
- :func:`write_remediation_docx` lays out a remediation plan: results, limitations, causes
  (headings left for the analyst) and a table of solutions and tasks.

Every writer validates its arguments before it creates any file, and writes through a
temporary file in the target folder, so a failure never leaves a half-written output.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.stats.estimate import ESTIMATE_COLUMNS

__all__ = [
    "COLUMN_LABELS",
    "PLAN_COLUMNS",
    "REMEDIATION_HEADINGS",
    "DocxReport",
    "estimates_table",
    "format_number",
    "format_percent",
    "format_table",
    "note_line",
    "remediation_plan_rows",
    "safe_stem",
    "sanitise_sheet_name",
    "save_figure",
    "write_remediation_docx",
    "write_workbook",
]

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

#: The headings of a remediation plan, in order (level 1, except the two causes at level 2).
REMEDIATION_HEADINGS: tuple[tuple[int, str], ...] = (
    (1, "Kết quả khảo sát"),
    (1, "Hạn chế, tồn tại"),
    (1, "Nguyên nhân"),
    (2, "Nguyên nhân khách quan"),
    (2, "Nguyên nhân chủ quan"),
    (1, "Giải pháp, nhiệm vụ"),
)

#: Columns of the solutions-and-tasks table; the last two are left for the analyst.
PLAN_COLUMNS: tuple[str, ...] = (
    "Lĩnh vực",
    "Tiêu chí",
    "Chỉ số hiện tại (KTC 95%)",
    "Thay đổi so với kỳ trước",
    "Mức ưu tiên",
    "Đơn vị chủ trì",
    "Thời hạn",
)

_PLACEHOLDER_CAUSE = "(Đơn vị phân tích, bổ sung.)"
_UNRELIABLE_NOTE = "* Ước lượng không đủ tin cậy (cỡ mẫu nhỏ), chỉ để tham khảo."
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


# --------------------------------------------------------------------------------------
# Safe names and atomic writes
# --------------------------------------------------------------------------------------

_STEM_MAX = 100


def safe_stem(name: str) -> str:
    """A safe file stem: ``"Hình 1: Đất đai"`` -> ``"hinh-1-dat-dai"``.

    Lower-case ASCII letters, digits, ``-`` and ``_``; Vietnamese diacritics are stripped
    (đ -> d) and every other run of characters becomes one ``-`` (as
    ``params.slugify``, which also renames Windows device names: "con" -> "con-1"). Names
    holding ``..``, ``/``, ``\\`` or NUL and names that leave nothing raise
    ``ParameterError``: a caller passing a path where a name belongs has made a mistake,
    which silently flattening would hide.
    """
    if not isinstance(name, str):
        raise ParameterError(f"a file name must be text, got {type(name).__name__}", key="name")
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise ParameterError("file name is empty", key="name")
    for bad in ("..", "/", "\\", "\x00"):
        if bad in text:
            shown = {"\x00": "a NUL character"}.get(bad, repr(bad))
            raise ParameterError(f"file name {name!r} holds {shown}", key="name")
    # Underscores are kept: each piece between them is slugged as folder names are.
    pieces = []
    for piece in re.split(r"_+", text):
        try:
            pieces.append(slugify(piece, max_length=_STEM_MAX))
        except ParameterError:
            continue  # a piece with no letters or digits
    stem = "_".join(pieces)[:_STEM_MAX].rstrip("-_")
    if not stem:
        raise ParameterError(f"file name {name!r} leaves no letters or digits", key="name")
    return stem


@contextmanager
def _atomic_paths(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``; moved onto them only if the block succeeds."""
    temps: list[Path] = []
    try:
        for target in targets:
            handle, name = tempfile.mkstemp(
                prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
            )
            os.close(handle)
            temps.append(Path(name))
        yield temps
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    finally:
        for temp in temps:
            if temp.exists():
                temp.unlink()


def _output_file(path: str | Path, suffix: str, func: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ParameterError(f"{func}: {str(target)!r} must end with {suffix}", key="path")
    if target.is_dir():
        raise ParameterError(f"{func}: {str(target)!r} is a folder", key="path")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


def _root_figure(ax_or_fig: object) -> Figure:
    if isinstance(ax_or_fig, Axes):
        fig = ax_or_fig.figure
    elif isinstance(ax_or_fig, Figure | SubFigure):
        fig = ax_or_fig
    else:
        raise ParameterError(
            f"save_figure: expected a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}"
        )
    while isinstance(fig, SubFigure):
        fig = fig.figure
    return fig


def save_figure(
    ax_or_fig: Axes | Figure,
    out_dir: str | Path,
    name: str,
    *,
    data: pd.DataFrame,
    dpi: int = 200,
) -> dict[str, Path]:
    """Write ``<stem>.png``, ``<stem>.svg`` and ``<stem>.csv`` and close the figure.

    ``name`` goes through :func:`safe_stem`; the three files must resolve inside ``out_dir``
    (created if missing). The PNG has ``dpi`` (>= 200) in its pHYs chunk; the SVG keeps text
    as text (``svg.fonttype = "none"``), has no date and fixed ids so re-running gives the
    same bytes; the CSV holds ``data`` (the numbers drawn, as given) in UTF-8 with a BOM.
    Both images use ``bbox_inches="tight"``, since titles and footers sit outside the Axes.
    Returns ``{"png": path, "svg": path, "csv": path}``.
    """
    fig = _root_figure(ax_or_fig)
    stem = safe_stem(name)
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"save_figure: data must be the DataFrame drawn, got {type(data).__name__}"
        )
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not dpi >= 200:
        raise ParameterError(f"save_figure: dpi must be at least 200, got {dpi!r}", key="dpi")
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise ParameterError(f"save_figure: {str(root)!r} is not a folder", key="out_dir")
    paths = {ext: safe_output_path(root, f"{stem}.{ext}") for ext in ("png", "svg", "csv")}
    root.mkdir(parents=True, exist_ok=True)
    table = _flatten_columns(data)
    rc = {"svg.fonttype": "none", "svg.hashsalt": f"satisfaction-{stem}", "pdf.fonttype": 42}
    try:
        with mpl.rc_context(rc), _atomic_paths(list(paths.values())) as temps:
            png, svg, csv = temps
            # The tight box (titles and footers sit outside the Axes) is measured once, after
            # one draw that lets drawers place their annotations, and used by both formats:
            # savefig would otherwise draw the figure again for each of them.
            fig.draw_without_rendering()
            tight = fig.get_tightbbox(fig.canvas.get_renderer()).padded(
                mpl.rcParams["savefig.pad_inches"]
            )
            common = {"bbox_inches": tight, "facecolor": "white"}
            fig.savefig(png, format="png", dpi=dpi, **common)
            fig.savefig(svg, format="svg", metadata={"Date": None}, **common)
            table.to_csv(csv, index=False, encoding="utf-8-sig", lineterminator="\n")
    finally:
        plt.close(fig)
    return paths


# --------------------------------------------------------------------------------------
# Presentation table of estimates
# --------------------------------------------------------------------------------------

_EXTRA_COLUMNS = ("N", "cv", "deff", "df")


def estimates_table(
    frame: pd.DataFrame,
    *,
    language: Language = "vi",
    percent: bool = True,
    by_labels: Mapping[str, str] | None = None,
    by: Sequence[str] | None = None,
    extra: Sequence[str] = (),
    keep_constant: bool = False,
) -> pd.DataFrame:
    """A presentation table from a tidy estimates frame; numbers stay numbers.

    Columns: the by-columns (default: the non-tidy columns before ``estimate``, as every
    estimator returns them), ``variable`` and ``level`` unless they hold one value
    (``keep_constant`` keeps them), then "Ước lượng (%)", "Sai số chuẩn", "KTC 95% dưới",
    "KTC 95% trên", "n", any of ``extra`` (``N``, ``cv``, ``deff``, ``df``), "Tin cậy"
    (Có/Không) and "Ghi chú" (English headers with ``language="en"``). By-columns are
    renamed with ``by_labels`` over the built-in labels (province -> "Tỉnh/thành phố" ...).

    With ``percent`` the estimate, SE and CI stay proportions in [0, 1] (checked) and their
    headers are listed in ``result.attrs["percent_columns"]``, which :func:`write_workbook`
    formats as ``0.0%`` and :func:`format_table` as "82,3%".
    """
    func = "estimates_table"
    _words(language)
    labels = COLUMN_LABELS[language]
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{func}: expected a DataFrame, got {type(frame).__name__}")
    required = ["estimate", "se", "ci_low", "ci_high", "n"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{func}: the frame has no column {missing[0]!r}; expected the tidy estimate shape",
            column=missing[0],
        )
    bad_extra = [c for c in extra if c not in _EXTRA_COLUMNS]
    if bad_extra:
        raise ParameterError(
            f"{func}: extra column {bad_extra[0]!r} is not one of {list(_EXTRA_COLUMNS)}",
            key="extra",
        )
    absent = [c for c in extra if c not in frame.columns]
    if absent:
        raise InputError(f"{func}: the frame has no column {absent[0]!r}", column=absent[0])
    if by is None:
        cut = list(frame.columns).index("estimate")
        by = [c for c in frame.columns[:cut] if c not in ESTIMATE_COLUMNS]
    else:
        lost = [c for c in by if c not in frame.columns]
        if lost:
            raise InputError(f"{func}: by-column {lost[0]!r} is not in the frame", column=lost[0])
    share_cols = ["estimate", "se", "ci_low", "ci_high"]
    if percent:
        for col in ["estimate", "ci_low", "ci_high"]:
            values = pd.to_numeric(frame[col], errors="coerce")
            outside = frame.index[(values < -_SHARE_TOL) | (values > 1 + _SHARE_TOL)]
            if len(outside):
                raise InputError(
                    f"{func}: column {col!r} holds {values[outside[0]]!r}, outside [0, 1]; "
                    "shares must be proportions (or pass percent=False)",
                    column=col,
                    row=str(outside[0]),
                )
    names = {**labels, **{k: _nfc(v) for k, v in (by_labels or {}).items()}}
    out = pd.DataFrame(index=frame.index)
    for col in by:
        out[names.get(col, _nfc(col))] = frame[col].map(
            lambda v: _nfc(v) if isinstance(v, str) else v
        )
    for col in ("variable", "level"):
        if col in frame.columns and col not in by:
            if keep_constant or frame[col].nunique(dropna=False) > 1:
                out[names[col]] = frame[col]
    estimate_header = labels["estimate_pct"] if percent else labels["estimate"]
    headers = {"estimate": estimate_header}
    for col in [*share_cols, "n", *extra]:
        header = headers.get(col, labels[col])
        out[header] = pd.to_numeric(frame[col], errors="coerce")
    if "n" in out.columns and _is_whole_column(out["n"]):
        out["n"] = out["n"].astype("Int64")
    if "reliable" in frame.columns:
        words = _words(language)
        out[labels["reliable"]] = frame["reliable"].map(
            lambda v: "" if _is_missing(v) else (words["yes"] if bool(v) else words["no"])
        )
    if "reliability_note" in frame.columns:
        out[labels["reliability_note"]] = frame["reliability_note"].map(
            lambda v: "" if _is_missing(v) else _nfc(v)
        )
    out = out.reset_index(drop=True)
    out.attrs["percent_columns"] = (
        [estimate_header, labels["se"], labels["ci_low"], labels["ci_high"]] if percent else []
    )
    return out


# --------------------------------------------------------------------------------------
# Excel workbooks
# --------------------------------------------------------------------------------------

# Excel forbids [ ] : * ? / \ in sheet names: keep the meaning where a look-alike exists.
_SHEET_REPLACE = str.maketrans(
    {"[": "(", "]": ")", ":": " -", "/": "-", "\\": "-", "*": "", "?": ""}
)
_SHEET_MAX = 31
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384
_EXCEL_MAX_TEXT = 32_767
_PERCENT_FORMAT = "0.0%"
_INTEGER_FORMAT = "#,##0"
_FLOAT_FORMAT = "#,##0.00"
_DATE_FORMAT = "dd/mm/yyyy"
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_WIDTH_MIN, _WIDTH_MAX = 6.0, 60.0


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_utf16(text: str, limit: int) -> str:
    out = ""
    for ch in text:
        if _utf16_len(out + ch) > limit:
            break
        out += ch
    return out


def _trim_sheet(text: str) -> str:
    """No dangling separator or apostrophe where a name was cut."""
    return text.rstrip(" -'") or "Sheet"


def sanitise_sheet_name(name: object, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts, unique (case-insensitively) among ``taken``.

    NFC; ``[ ] : * ? / \\`` become ``-``; control characters and leading/trailing
    apostrophes and spaces go; at most 31 characters (UTF-16 units, as Excel counts);
    "History" (reserved by Excel) and blank names are changed; a clash gets " (2)", " (3)"...
    Vietnamese letters are kept.
    """
    text = _nfc(name).translate(_SHEET_REPLACE)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    text = re.sub(r"\s+", " ", text).strip().strip("'").strip()
    if not text:
        text = "Sheet"
    if text.casefold() == "history":
        text = "History (1)"
    text = _trim_sheet(_cut_utf16(text, _SHEET_MAX))
    used = {t.casefold() for t in taken}
    if text.casefold() not in used:
        return text
    k = 2
    while True:
        tail = f" ({k})"
        head = _trim_sheet(_cut_utf16(text, _SHEET_MAX - len(tail)))
        candidate = head + tail
        if candidate.casefold() not in used:
            return candidate
        k += 1


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


def _header_width(text: str) -> float:
    """Headers wrap: fit the longest word, and up to 18 characters on one line."""
    words = text.split()
    longest = max((_display_width(w) for w in words), default=0.0)
    return max(longest, min(_display_width(text), 18.0)) * 1.1  # bold is wider


def _per_sheet(
    value: object, keys: Sequence[str], what: str, kinds: tuple[type, ...]
) -> dict[str, Any]:
    """Expand a per-workbook value or a per-sheet mapping to a value for each sheet key."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise ParameterError(
                f"write_workbook: {what} names sheet {unknown[0]!r}, which is not among "
                f"{list(keys)}",
                key=what,
            )
        return dict(value)
    if isinstance(value, kinds):
        return dict.fromkeys(keys, value)
    raise ParameterError(
        f"write_workbook: {what} must be text or a mapping of sheet to text, "
        f"got {type(value).__name__}",
        key=what,
    )


def _excel_value(value: Any) -> tuple[Any, str | None]:
    """A cell value openpyxl stores natively, and its kind (number/int/date/bool/text)."""
    if _is_missing(value):
        return None, None
    if isinstance(value, bool | np.bool_):
        return bool(value), "bool"
    if isinstance(value, int | np.integer):
        return int(value), "int"
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None, None  # Excel has no infinity
        return number, "float"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.to_pydatetime(), "date" if stamp == stamp.normalize() else "datetime"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "date"
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return str(value), "text"
    return _nfc(value), "text"


_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


def write_workbook(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    notes: str | Mapping[str, str] | None = None,
    percent_columns: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    title: str | Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    """Write DataFrames as formatted sheets of one xlsx workbook; returns the path.

    Each sheet: an optional bold title row (``title``: one text for every sheet or a mapping
    by sheet key), an optional grey notes row (``notes``, e.g. from :func:`note_line`:
    source, method, date), then a bold wrapped header row that is frozen and carries an
    autofilter, then the data. Numbers are stored as numbers: share columns
    (``percent_columns``: a list for every sheet or a mapping by sheet key; by default each
    frame's ``attrs["percent_columns"]``, which :func:`estimates_table` sets) hold 0..1
    with the format ``0.0%``; whole-number columns ``#,##0``; other numbers ``#,##0.00``;
    dates ``dd/mm/yyyy``. ``number_formats`` overrides the format of named columns. Column
    widths fit the content (Vietnamese and wide characters measured as displayed).

    Sheet names are made valid and unique (:func:`sanitise_sheet_name`). Text starting with
    "=" is stored as text, never as a formula; control characters Excel rejects are dropped.
    """
    func = "write_workbook"
    target = Path(path)
    if not isinstance(sheets, Mapping) or not sheets:
        raise ParameterError(f"{func}: sheets must be a non-empty mapping of name to DataFrame")
    keys = list(sheets)
    for key in keys:
        if not isinstance(sheets[key], pd.DataFrame):
            raise InputError(
                f"{func}: sheet {key!r} is a {type(sheets[key]).__name__}, not a DataFrame",
                sheet=str(key),
            )
    titles = _per_sheet(title, keys, "title", (str,))
    note_texts = _per_sheet(notes, keys, "notes", (str,))
    if isinstance(percent_columns, Mapping):
        shares_by_sheet = _per_sheet(percent_columns, keys, "percent_columns", (list, tuple))
    elif percent_columns is None:
        shares_by_sheet = {}
    elif isinstance(percent_columns, str):
        raise ParameterError(f"{func}: percent_columns must be a list of column names")
    else:
        shares_by_sheet = {key: tuple(percent_columns) for key in keys}
    frames = {key: _flatten_columns(sheets[key]) for key in keys}
    if isinstance(percent_columns, Sequence) and not isinstance(percent_columns, str):
        everywhere = {_nfc(c) for f in frames.values() for c in f.columns}
        lost = [c for c in percent_columns if _nfc(c) not in everywhere]
        if lost:
            raise ParameterError(
                f"{func}: percent column {lost[0]!r} is in no sheet", key="percent_columns"
            )
    formats = {_nfc(k): v for k, v in (number_formats or {}).items()}

    plans = []
    taken: list[str] = []
    for key in keys:
        frame = frames[key]
        sheet_name = sanitise_sheet_name(key, taken)
        taken.append(sheet_name)
        header_row = 1 + int(key in titles) + int(key in note_texts)
        if header_row + len(frame) > _EXCEL_MAX_ROWS or frame.shape[1] > _EXCEL_MAX_COLS:
            raise InputError(
                f"{func}: {frame.shape[0]} rows x {frame.shape[1]} columns exceed an Excel sheet",
                sheet=str(key),
            )
        given = shares_by_sheet.get(key)
        if given is not None:
            missing = [c for c in given if c not in frame.columns]
            if isinstance(percent_columns, Mapping) and missing:
                raise ParameterError(
                    f"{func}: percent column {missing[0]!r} is not in sheet {key!r}",
                    key="percent_columns",
                )
        shares = _percent_columns_of(frame, given)
        for col in shares:
            _check_share_column(frame[col], key, col, func)
        plans.append((key, sheet_name, frame, header_row, set(shares)))

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, sheet_name, frame, header_row, shares in plans:
        sheet = workbook.create_sheet(sheet_name)
        _fill_sheet(
            sheet, frame, key, header_row, shares, formats, titles.get(key), note_texts.get(key)
        )
    target = _output_file(target, ".xlsx", func)
    with _atomic_paths([target]) as (temp,):
        workbook.save(temp)
    return target


def _check_share_column(values: pd.Series, sheet: str, column: str, func: str) -> None:
    if pd.api.types.is_bool_dtype(values):
        raise InputError(f"{func}: percent column holds booleans", sheet=sheet, column=column)
    numeric = pd.to_numeric(values, errors="coerce")
    text = values[numeric.isna() & values.notna()]
    if len(text):
        raise InputError(
            f"{func}: percent column holds text {text.iloc[0]!r}; shares must be numbers",
            sheet=sheet,
            column=str(column),
            row=str(text.index[0]),
        )
    # Changes and differences may be negative; anything beyond 1 in size is a percentage.
    outside = numeric.index[numeric.abs() > 1 + _SHARE_TOL]
    if len(outside):
        raise InputError(
            f"{func}: percent column holds {numeric[outside[0]]!r}, outside [-1, 1]; store "
            "shares as proportions (divide percentages by 100)",
            sheet=sheet,
            column=str(column),
            row=str(outside[0]),
        )


def _fill_sheet(
    sheet: Any,
    frame: pd.DataFrame,
    key: str,
    header_row: int,
    shares: set[str],
    formats: Mapping[str, str],
    title: str | None,
    note: str | None,
) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    row = 1
    if title is not None:
        cell = sheet.cell(row=row, column=1, value=_ILLEGAL_XML.sub("", _nfc(title)))
        cell.font = Font(bold=True, size=14)
        cell.data_type = "s"
        row += 1
    if note is not None:
        cell = sheet.cell(row=row, column=1, value=_ILLEGAL_XML.sub("", _nfc(note)))
        cell.font = Font(italic=True, color="595959")
        cell.data_type = "s"
        row += 1
    assert row == header_row

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E7EEF7")
    header_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_border = Border(bottom=Side(style="thin", color="7F7F7F"))
    headers = [_nfc(c) for c in frame.columns]
    widths = [_header_width(h) for h in headers]
    for pos, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=pos, value=_ILLEGAL_XML.sub("", header))
        cell.data_type = "s"
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_align
        cell.border = header_border

    for pos, header in enumerate(headers, start=1):
        values = frame.iloc[:, pos - 1]
        is_share = header in shares
        whole = (
            not is_share
            and pd.api.types.is_numeric_dtype(values)
            and not pd.api.types.is_bool_dtype(values)
            and _is_whole_column(values.astype(float))
        )
        number_format = formats.get(header)
        for offset, raw in enumerate(values.tolist(), start=1):
            value, kind = _excel_value(raw)
            if value is None:
                continue
            if kind == "text":
                if len(value) > _EXCEL_MAX_TEXT:
                    raise InputError(
                        f"write_workbook: text of {len(value)} characters exceeds Excel's "
                        f"{_EXCEL_MAX_TEXT}",
                        sheet=str(key),
                        row=offset,
                        column=header,
                    )
                value = _ILLEGAL_XML.sub("", value)
            cell = sheet.cell(row=header_row + offset, column=pos, value=value)
            if kind == "text":
                cell.data_type = "s"  # "=..." stays text: never a formula
            elif kind in ("int", "float"):
                if number_format is not None:
                    cell.number_format = number_format
                elif is_share:
                    cell.number_format = _PERCENT_FORMAT
                elif kind == "int" or whole:
                    cell.number_format = _INTEGER_FORMAT
                else:
                    cell.number_format = _FLOAT_FORMAT
            elif kind in ("date", "datetime"):
                default = _DATE_FORMAT if kind == "date" else _DATETIME_FORMAT
                cell.number_format = number_format or default
            widths[pos - 1] = max(widths[pos - 1], _shown_width(value, kind, cell.number_format))
        letter = get_column_letter(pos)
        sheet.column_dimensions[letter].width = min(
            max(widths[pos - 1] + 2, _WIDTH_MIN), _WIDTH_MAX
        )
    if headers:
        last = get_column_letter(len(headers))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(frame), 1)}"
        sheet.row_dimensions[header_row].height = None
    sheet.sheet_view.zoomScale = 100


def _shown_width(value: Any, kind: str | None, number_format: str) -> float:
    """How wide a cell looks in Excel under its number format (for column widths)."""
    if kind in ("int", "float"):
        decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
        if number_format.endswith("%"):
            return len(f"{100 * value:,.{decimals}f}%")
        return len(f"{value:,.{decimals}f}")
    if kind in ("date", "datetime"):
        return len(number_format)
    if kind == "bool":
        return len("FALSE")
    return _display_width(str(value))


# --------------------------------------------------------------------------------------
# Word documents
# --------------------------------------------------------------------------------------

_A4 = (210.0, 297.0)  # mm
# Decree 30/2020/ND-CP (Appendix I): top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
_MARGINS = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}
_KEEP_TOGETHER_ROWS = 15
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"}


def _set_fonts(rpr: Any, font: str) -> None:
    """Use ``font`` for every script slot (Latin, high ANSI, East Asian, complex).

    Theme font attributes win over explicit names in Word, so they are removed; Vietnamese
    letters outside Latin-1 fall in the hAnsi slot, and Word may pick the East Asian slot
    for some of them, so all four are set.
    """
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _set_size(rpr: Any, size_pt: float) -> None:
    """Font size for Latin and complex scripts (``w:sz`` and ``w:szCs``, in half-points)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    size = rpr.get_or_add_sz()
    size.val = Pt(size_pt)
    complex_size = rpr.find(qn("w:szCs"))
    if complex_size is None:
        complex_size = rpr.makeelement(qn("w:szCs"), {})
        size.addnext(complex_size)
    complex_size.set(qn("w:val"), str(round(size_pt * 2)))


_PT_MM = 25.4 / 72
_CELL_PADDING_MM = 2 * 108 / 1440 * 25.4  # Table Grid: 108 twips left and right


def _words_of(text: str) -> list[str]:
    """Pieces a line may break between (not at no-break spaces)."""
    return [w for w in re.split(r"[ \t\n\r]+", text) if w]


def _column_widths_mm(text: pd.DataFrame, total_mm: float, size_pt: float) -> list[float]:
    """Share ``total_mm`` among columns: every column fits its longest word, then the rest
    goes where content is longest, so words never break inside a cell when they can fit.

    Times New Roman averages about half an em per character (bold headers ~10% more).
    """
    char_mm = 0.5 * size_pt * _PT_MM
    minimum, wanted = [], []
    for i, header in enumerate(text.columns):
        cells = [str(v) for v in text.iloc[:, i]]
        header_word = max((_display_width(w) for w in _words_of(header)), default=0.0) * 1.1
        cell_word = max((_display_width(w) for v in cells for w in _words_of(v)), default=0.0)
        longest_cell = max((_display_width(v) for v in cells), default=0.0)
        head_line = min(_display_width(header), 8.0) * 1.1  # headers may wrap; cells less so
        minimum.append(max(header_word, cell_word, 2.0) * char_mm + _CELL_PADDING_MM)
        wanted.append(max(head_line, min(longest_cell, 40.0), 2.0) * char_mm + _CELL_PADDING_MM)
    wanted = [max(w, m) for w, m in zip(wanted, minimum, strict=True)]
    if sum(minimum) >= total_mm:
        return [total_mm * m / sum(minimum) for m in minimum]
    if sum(wanted) <= total_mm:
        return [total_mm * w / sum(wanted) for w in wanted]
    # Water-filling: each column gets up to a common extra L beyond its minimum, so short
    # columns ("Xây dựng", "Cao") fit on one line and long texts share what is left.
    slack = [w - m for w, m in zip(wanted, minimum, strict=True)]
    spare = total_mm - sum(minimum)
    level, remaining, open_columns = 0.0, spare, len(slack)
    for value in sorted(slack):
        if (value - level) * open_columns > remaining:
            level += remaining / open_columns
            break
        remaining -= (value - level) * open_columns
        level = value
        open_columns -= 1
    return [m + min(s, level) for m, s in zip(minimum, slack, strict=True)]


class DocxReport:
    """A Word document in the Vietnamese administrative style, built top to bottom.

    A4 portrait, margins of Decree 30/2020/ND-CP (top/bottom 20 mm, left 30 mm, right
    15 mm), Times New Roman 13 pt in every script slot, language vi-VN, black headings
    (levels 1-3), justified body paragraphs with a 1 cm first-line indent, page numbers
    centred in the footer. Tables get "Bảng k." captions above, figures "Hình k." below.
    """

    def __init__(
        self,
        *,
        font: str = "Times New Roman",
        size_pt: float = 13.0,
        language: Language = "vi",
        page_numbers: bool = True,
    ) -> None:
        import docx
        from docx.shared import Mm

        self.language: Language = language
        self._words = _words(language)
        if not size_pt > 0:
            raise ParameterError(f"DocxReport: size_pt must be positive, got {size_pt!r}")
        self.font = font
        self.size_pt = float(size_pt)
        self.document = docx.Document()
        self._tables = 0
        self._figures = 0
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(_A4[0]), Mm(_A4[1])
        section.top_margin = Mm(_MARGINS["top"])
        section.bottom_margin = Mm(_MARGINS["bottom"])
        section.left_margin = Mm(_MARGINS["left"])
        section.right_margin = Mm(_MARGINS["right"])
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        self._style()
        if page_numbers:
            self._page_number_footer()

    # -- set-up --------------------------------------------------------------------------

    @property
    def text_width_mm(self) -> float:
        """Width between the margins of the current (last) section."""
        from docx.enum.section import WD_ORIENT

        landscape = self.document.sections[-1].orientation == WD_ORIENT.LANDSCAPE
        return _A4[1 if landscape else 0] - _MARGINS["left"] - _MARGINS["right"]

    def landscape_section(self) -> None:
        """Go on on a new A4 landscape page (wide tables such as the remediation plan)."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(_A4[1]), Mm(_A4[0])

    def _style(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, self.font)
        _set_size(rpr, self.size_pt)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN" if self.language == "vi" else "en-GB")

        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), self.font)
        normal.font.size = Pt(self.size_pt)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15

        black = RGBColor(0, 0, 0)
        for style_name, size, italic, before, after in (
            ("Title", self.size_pt + 1, False, 0, 12),
            ("Heading 1", self.size_pt, False, 12, 6),
            ("Heading 2", self.size_pt, False, 10, 4),
            ("Heading 3", self.size_pt, True, 8, 4),
        ):
            style = styles[style_name]
            style_rpr = style.element.get_or_add_rPr()
            _set_fonts(style_rpr, self.font)
            style_rpr._remove_color()
            style.font.color.rgb = black
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = italic
            _set_size(style_rpr, size)
            pf = style.paragraph_format
            pf.space_before, pf.space_after = Pt(before), Pt(after)
            pf.keep_with_next = True
            pf.line_spacing = 1.0
        styles["Heading 1"].font.all_caps = True  # "KẾT QUẢ KHẢO SÁT": shown, not stored
        title = styles["Title"]
        ppr = title.element.get_or_add_pPr()
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.font.spacing = Pt(0)

        caption = styles["Caption"]
        cap_rpr = caption.element.get_or_add_rPr()
        _set_fonts(cap_rpr, self.font)
        cap_rpr._remove_color()
        caption.font.color.rgb = black
        caption.font.bold = False
        caption.font.size = Pt(self.size_pt - 1)
        _set_size(cap_rpr, self.size_pt - 1)
        caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.space_before = Pt(3)
        caption.paragraph_format.space_after = Pt(9)

    def _page_number_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    # -- content -------------------------------------------------------------------------

    def title(self, text: str, *, subtitle: str | None = None) -> Any:
        """The document title (style Title, centred, bold) and an optional italic subtitle."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.document.add_paragraph(_nfc(text), style="Title")
        if subtitle:
            sub = self.document.add_paragraph()
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            sub.add_run(_nfc(subtitle)).italic = True
        return paragraph

    def heading(self, text: str, level: int = 1) -> Any:
        """A heading of level 1, 2 or 3 (Word's "Heading n" styles, so the outline works)."""
        if isinstance(level, bool) or level not in (1, 2, 3):
            raise ParameterError(f"heading: level must be 1, 2 or 3, got {level!r}", key="level")
        return self.document.add_heading(_nfc(text), level=level)

    def paragraph(
        self,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        align: Literal["justify", "left", "center", "right"] = "justify",
        indent: bool = True,
    ) -> Any:
        """A body paragraph: justified with a 1 cm first-line indent unless told otherwise."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        alignments = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }
        if align not in alignments:
            raise ParameterError(f"paragraph: align must be one of {list(alignments)}")
        paragraph = self.document.add_paragraph()
        run = paragraph.add_run(_nfc(text))
        run.bold, run.italic = bold, italic
        paragraph.alignment = alignments[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1)
        return paragraph

    def bullets(self, items: Iterable[str]) -> list[Any]:
        """A bulleted list, one paragraph per item (style "List Bullet")."""
        if isinstance(items, str):
            raise ParameterError("bullets: items must be a list of texts, got one text")
        return [self.document.add_paragraph(_nfc(item), style="List Bullet") for item in items]

    def page_break(self) -> None:
        self.document.add_page_break()

    def _caption(self, label: str, number: int, text: str) -> Any:
        paragraph = self.document.add_paragraph(style="Caption")
        paragraph.add_run(f"{label} {number}. ").bold = True
        paragraph.add_run(_nfc(text)).italic = True
        return paragraph

    def table(
        self,
        frame: pd.DataFrame,
        *,
        caption: str | None = None,
        percent_columns: Iterable[str] | None = None,
        digits: int = 1,
        float_digits: int = 2,
        note: str | None = None,
        size_pt: float | None = None,
    ) -> Any:
        """A table from a DataFrame, numbers in the document's language conventions.

        Cells hold :func:`format_table` text ("82,3%", "1.234", "Có"); the header row is bold,
        centred and repeated on every page; numeric columns are right-aligned. Column widths
        share the text width in proportion to their content. ``caption`` becomes
        "Bảng k. caption" above the table, ``note`` a small italic line below it.
        """
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"table: expected a DataFrame, got {type(frame).__name__}")
        flat = _flatten_columns(frame)
        if flat.shape[1] == 0:
            raise InputError("table: the frame has no columns")
        text = format_table(
            flat,
            percent_columns=percent_columns,
            digits=digits,
            float_digits=float_digits,
            language=self.language,
        )
        numeric = [
            pd.api.types.is_numeric_dtype(flat.iloc[:, i])
            and not pd.api.types.is_bool_dtype(flat.iloc[:, i])
            for i in range(flat.shape[1])
        ]
        if caption:
            self._tables += 1
            cap = self._caption(self._words["table"], self._tables, caption)
            cap.paragraph_format.keep_with_next = True
        size = Pt(size_pt if size_pt is not None else self.size_pt - 1)
        rows, cols = text.shape
        table = self.document.add_table(rows=rows + 1, cols=cols)
        table.style = self.document.styles["Table Grid"]
        table.autofit = False

        size_value = size_pt if size_pt is not None else self.size_pt - 1
        widths = [Mm(w) for w in _column_widths_mm(text, self.text_width_mm, size_value)]

        def fill(cell: Any, value: str, *, bold: bool, align: Any) -> None:
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.bold = bold
            run.font.size = size
            paragraph.alignment = align
            pf = paragraph.paragraph_format
            pf.space_before, pf.space_after, pf.line_spacing = Pt(2), Pt(2), 1.0
            pf.first_line_indent = Pt(0)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

        header_cells = table.rows[0].cells
        for i, header in enumerate(text.columns):
            fill(header_cells[i], header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for position, row in enumerate(table.rows):
            # Rows never break across pages; the header row repeats on every page.
            tr_pr = row._tr.get_or_add_trPr()
            flags = ("w:cantSplit", "w:tblHeader") if position == 0 else ("w:cantSplit",)
            for flag in flags:
                element = OxmlElement(flag)
                element.set(qn("w:val"), "true")
                tr_pr.append(element)
        for r in range(rows):
            cells = table.rows[r + 1].cells
            for i in range(cols):
                align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[i] else WD_ALIGN_PARAGRAPH.LEFT
                fill(cells[i], text.iat[r, i], bold=False, align=align)
        if rows <= _KEEP_TOGETHER_ROWS:
            # A short table moves to the next page whole rather than split after one row.
            for row in table.rows[:-1]:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        for i, width in enumerate(widths):
            table.columns[i].width = width
            for cell in table.columns[i].cells:
                cell.width = width
        if note:
            paragraph = self.document.add_paragraph()
            run = paragraph.add_run(_nfc(note))
            run.italic = True
            run.font.size = Pt(self.size_pt - 2)
            paragraph.paragraph_format.space_before = Pt(3)
        else:
            self.document.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def figure(
        self,
        image: str | Path | Mapping[str, Path],
        *,
        caption: str,
        width_mm: float | None = None,
    ) -> Any:
        """An embedded picture, centred, with "Hình k. caption" below it.

        ``image`` is a PNG/JPEG path or the dict :func:`save_figure` returns (its PNG is
        used: Word cannot embed SVG through python-docx). The width defaults to the natural
        size at the image's dpi, shrunk to the text width.
        """
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.image.image import Image
        from docx.shared import Mm

        if isinstance(image, Mapping):
            if "png" not in image:
                raise ParameterError("figure: the mapping has no 'png' entry", key="image")
            image = image["png"]
        source = Path(image)
        if source.suffix.lower() not in _IMAGE_SUFFIXES:
            raise ParameterError(
                f"figure: {str(source)!r} is not a PNG/JPEG picture (pass the .png)", key="image"
            )
        if not source.is_file():
            raise InputError(f"figure: picture {str(source)!r} does not exist", file=source)
        natural = Image.from_file(str(source)).width  # EMU at the file's dpi
        limit = Mm(self.text_width_mm)
        width = Mm(width_mm) if width_mm is not None else min(natural, limit)
        width = min(width, limit)
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.first_line_indent = Mm(0)
        paragraph.add_run().add_picture(str(source), width=width)
        self._figures += 1
        self._caption(self._words["figure"], self._figures, caption)
        return paragraph

    def save(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write the document (atomically) to a ``.docx`` path; returns the path."""
        target = _output_file(path, ".docx", "DocxReport.save")
        props = self.document.core_properties
        props.language = "vi-VN" if self.language == "vi" else "en-GB"
        props.author = "satisfaction"
        props.last_modified_by = "satisfaction"
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        props.created = now
        props.modified = now
        if title:
            props.title = _nfc(title)
        else:
            titles = [p.text for p in self.document.paragraphs if p.style.name == "Title"]
            if titles:
                props.title = titles[0]
        with _atomic_paths([target]) as (temp,):
            self.document.save(str(temp))
        return target


# --------------------------------------------------------------------------------------
# Remediation plan
# --------------------------------------------------------------------------------------


def remediation_plan_rows(
    frame: pd.DataFrame,
    *,
    field: str = "field",
    criterion: str = "item",
    estimate: str = "estimate",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    n: str | None = "n",
    change: str | None = "change",
    priority: str | None = "priority",
    unit: str | None = None,
    deadline: str | None = None,
    reliable: str | None = "reliable",
    digits: int = 1,
) -> pd.DataFrame:
    """The solutions-and-tasks table (``PLAN_COLUMNS``) as text, one row per weak criterion.

    "Chỉ số hiện tại (KTC 95%)" reads ``"78,4% (75,1–81,5), n = 312"`` (shares are
    proportions; ``n`` optional); a row whose ``reliable`` is False gets " *". "Thay đổi so
    với kỳ trước" is the change in percentage points, signed (``"-3,2 điểm %"``; "–" when
    missing or when the frame has no ``change`` column). "Đơn vị chủ trì" and "Thời hạn" are
    blank unless ``unit``/``deadline`` name columns: the analyst assigns them.
    """
    func = "remediation_plan_rows"
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{func}: expected a DataFrame, got {type(frame).__name__}")
    needed = [field, criterion, estimate, *ci]
    needed += [c for c in (unit, deadline) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{func}: the frame has no column {missing[0]!r}", column=missing[0])
    for col in (estimate, *ci):
        values = pd.to_numeric(frame[col], errors="coerce")
        outside = frame.index[(values < -_SHARE_TOL) | (values > 1 + _SHARE_TOL)]
        if len(outside):
            raise InputError(
                f"{func}: column {col!r} holds {values[outside[0]]!r}, outside [0, 1]",
                column=col,
                row=str(outside[0]),
            )

    def current(row: pd.Series) -> str:
        text = format_percent(row[estimate], digits=digits)
        low = format_number(100 * row[ci[0]], digits=digits) if not _is_missing(row[ci[0]]) else ""
        high = (
            format_number(100 * row[ci[1]], digits=digits) if not _is_missing(row[ci[1]]) else ""
        )
        if low and high:
            text += f"\u00a0({low}–{high})"
        if n is not None and n in frame.columns and not _is_missing(row[n]):
            text += f"\nn\u00a0=\u00a0{format_number(row[n], digits=0)}"
        if reliable is not None and reliable in frame.columns:
            flag = row[reliable]
            if not _is_missing(flag) and not bool(flag):
                text += " *"
        return text

    def moved(value: object) -> str:
        if _is_missing(value):
            return "–"
        points = format_percent(float(value), digits=digits, sign=True).removesuffix("%")
        return f"{points}\u00a0điểm\u00a0%"

    def text_of(value: object) -> str:
        return "" if _is_missing(value) else _nfc(value)

    rows = {
        PLAN_COLUMNS[0]: frame[field].map(text_of),
        PLAN_COLUMNS[1]: frame[criterion].map(text_of),
        PLAN_COLUMNS[2]: frame.apply(current, axis=1) if len(frame) else pd.Series(dtype=object),
        PLAN_COLUMNS[3]: (
            frame[change].map(moved)
            if change is not None and change in frame.columns
            else pd.Series("–", index=frame.index)
        ),
        PLAN_COLUMNS[4]: (
            frame[priority].map(text_of)
            if priority is not None and priority in frame.columns
            else pd.Series("", index=frame.index)
        ),
        PLAN_COLUMNS[5]: frame[unit].map(text_of) if unit else pd.Series("", index=frame.index),
        PLAN_COLUMNS[6]: (
            frame[deadline].map(text_of) if deadline else pd.Series("", index=frame.index)
        ),
    }
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS)).reset_index(drop=True).astype(object)


FigureSpec = tuple[str | Path | Mapping[str, Path], str]


def _presentable(frame: pd.DataFrame) -> pd.DataFrame:
    """A tidy estimates frame becomes its presentation table; anything else is kept."""
    tidy = {"estimate", "se", "ci_low", "ci_high", "n"}
    return estimates_table(frame) if tidy <= set(frame.columns) else frame


def write_remediation_docx(
    path: str | Path,
    *,
    title: str,
    results_paragraphs: Sequence[str],
    figures: Sequence[FigureSpec] = (),
    limitations: pd.DataFrame | Sequence[str],
    plan_table: pd.DataFrame,
    subtitle: str | None = None,
    method_note: str | None = None,
    results_table: pd.DataFrame | None = None,
    results_table_caption: str = "Kết quả khảo sát theo lĩnh vực",
    limitation_paragraphs: Sequence[str] = (),
    limitations_caption: str = "Các lĩnh vực, tiêu chí có chỉ số hài lòng thấp nhất",
    causes: Mapping[str, Sequence[str]] | None = None,
    plan_caption: str = "Giải pháp, nhiệm vụ ưu tiên",
    plan_columns: Mapping[str, str | None] | None = None,
    plan_note: str | None = None,
) -> Path:
    """Write a remediation plan (kế hoạch khắc phục) as a Word document; returns the path.

    Structure (``REMEDIATION_HEADINGS``): "Kết quả khảo sát" (``results_paragraphs``, an
    optional ``results_table``, then each ``(picture, caption)`` of ``figures``); "Hạn chế,
    tồn tại" (``limitation_paragraphs``, then ``limitations``: a DataFrame becomes a table,
    a list of texts a bulleted list; a tidy estimates frame is shown through
    :func:`estimates_table`); "Nguyên nhân" with "Nguyên nhân khách quan" and "Nguyên nhân
    chủ quan" (paragraphs from ``causes`` keyed by those headings, else a placeholder for
    the analyst); "Giải pháp, nhiệm vụ" (the table of ``PLAN_COLUMNS``). ``plan_table``
    either already has those columns or is turned into them by
    :func:`remediation_plan_rows` (``plan_columns`` passes its column names).

    The analysis behind the tables is not done here: the frames are shown as given.
    """
    if isinstance(results_paragraphs, str):
        raise ParameterError("results_paragraphs must be a list of paragraphs, not one text")
    if not isinstance(plan_table, pd.DataFrame):
        raise InputError(f"plan_table must be a DataFrame, got {type(plan_table).__name__}")
    cause_keys = [h for level, h in REMEDIATION_HEADINGS if level == 2]
    causes = dict(causes or {})
    unknown = [k for k in causes if _nfc(k) not in cause_keys]
    if unknown:
        raise ParameterError(f"causes: unknown heading {unknown[0]!r}; use one of {cause_keys}")
    causes = {_nfc(k): v for k, v in causes.items()}
    if set(PLAN_COLUMNS[:5]) <= {_nfc(c) for c in plan_table.columns}:
        plan = plan_table.rename(columns=_nfc).copy()
        for col in PLAN_COLUMNS[5:]:
            if col not in plan.columns:
                plan[col] = ""
        plan = plan[list(PLAN_COLUMNS)]
        unreliable_marked = plan[PLAN_COLUMNS[2]].astype(str).str.endswith("*").any()
    else:
        plan = remediation_plan_rows(plan_table, **dict(plan_columns or {}))  # type: ignore[arg-type]
        unreliable_marked = plan[PLAN_COLUMNS[2]].str.endswith("*").any()
    for picture, _caption in figures:
        source = Path(picture["png"] if isinstance(picture, Mapping) else picture)
        if not source.is_file():
            raise InputError(f"figure picture {str(source)!r} does not exist", file=source)

    report = DocxReport()
    report.title(title, subtitle=subtitle)
    if method_note:
        report.paragraph(method_note, italic=True, indent=False)
    headings = iter(REMEDIATION_HEADINGS)

    def next_heading() -> None:
        level, text = next(headings)
        report.heading(text, level)

    next_heading()  # Kết quả khảo sát
    for text in results_paragraphs:
        report.paragraph(text)
    if results_table is not None:
        report.table(_presentable(results_table), caption=results_table_caption)
    for picture, caption in figures:
        report.figure(picture, caption=caption)

    next_heading()  # Hạn chế, tồn tại
    for text in limitation_paragraphs:
        report.paragraph(text)
    if isinstance(limitations, pd.DataFrame):
        shown = _presentable(limitations)
        report.table(shown, caption=limitations_caption)
    elif isinstance(limitations, str):
        raise ParameterError("limitations must be a DataFrame or a list of texts, not one text")
    else:
        report.bullets(limitations)

    next_heading()  # Nguyên nhân
    for _ in cause_keys:
        level, text = next(headings)
        report.heading(text, level)
        given = causes.get(text)
        if given:
            for item in given:
                report.paragraph(item)
        else:
            report.paragraph(_PLACEHOLDER_CAUSE, italic=True)

    # Seven columns, two left blank for the analyst: the plan gets a landscape page so the
    # criterion column does not wrap to five lines.
    report.landscape_section()
    next_heading()  # Giải pháp, nhiệm vụ
    note = plan_note
    if unreliable_marked:
        note = f"{_UNRELIABLE_NOTE} {plan_note}" if plan_note else _UNRELIABLE_NOTE
    report.table(plan, caption=plan_caption, note=note, size_pt=report.size_pt - 1)
    return report.save(path, title=title)
