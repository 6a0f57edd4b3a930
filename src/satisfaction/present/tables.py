"""The presentation table of tidy estimates: Vietnamese (or English) headers, numbers kept.

:func:`estimates_table` is the bridge between the estimators' tidy frames and the writers:
it renames and orders the columns and records which ones hold shares in
``attrs["percent_columns"]``, which :func:`~satisfaction.present.workbook.write_workbook`
formats as ``0.0%`` and :func:`~satisfaction.present.formatting.format_table` as "82,3%".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from satisfaction.errors import InputError, ParameterError
from satisfaction.present.formatting import (
    _SHARE_TOL,
    COLUMN_LABELS,
    Language,
    _is_missing,
    _is_whole_column,
    _nfc,
    _words,
)
from satisfaction.present.wording import reliability_text
from satisfaction.stats.estimate import ESTIMATE_COLUMNS

__all__ = ["estimates_table"]

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
    interval: str | None = "confidence",
) -> pd.DataFrame:
    """A presentation table from a tidy estimates frame; numbers stay numbers.

    Columns: the by-columns (default: the non-tidy columns before ``estimate``, as every
    estimator returns them), ``variable`` and ``level`` unless they hold one value
    (``keep_constant`` keeps them), then "Ước lượng (%)", "Sai số chuẩn", "KTC 95% dưới",
    "KTC 95% trên", "n", any of ``extra`` (``N``, ``cv``, ``deff``, ``df``), "Tin cậy"
    (Có/Không) and "Ghi chú" (English headers with ``language="en"``). By-columns are
    renamed with ``by_labels`` over the built-in labels (province -> "Tỉnh/thành phố" ...).

    ``interval`` says what ``ci_low``/``ci_high`` are: "confidence" (the CI headers),
    "reference" (a quota sample's reference interval, headers say so, no SE column) or None
    (a self-selected sample or a census: no SE and no interval columns).

    With ``percent`` the estimate, SE and CI stay proportions in [0, 1] (checked) and their
    headers are listed in ``result.attrs["percent_columns"]``, which :func:`write_workbook`
    formats as ``0.0%`` and :func:`format_table` as "82,3%".
    """
    func = "estimates_table"
    _words(language)
    labels = COLUMN_LABELS[language]
    _check_tidy(frame, extra, func)
    by = _by_columns(frame, by, func)
    share_cols = ["estimate", "se", "ci_low", "ci_high"]
    if percent:
        _check_proportions(frame, func)
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
    estimate_header = _nfc((by_labels or {}).get("estimate", estimate_header))
    headers = {"estimate": estimate_header}
    if interval == "reference":
        headers.update(ci_low=labels["ref_low"], ci_high=labels["ref_high"])
    hidden = {"confidence": set(), "reference": {"se"}}.get(interval, {"se", "ci_low", "ci_high"})
    shown = []
    for col in [*share_cols, "n", *extra]:
        if col in hidden:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        header = headers.get(col, labels[col])
        out[header] = values
        shown.append(header)
    if "n" in out.columns and _is_whole_column(out["n"]):
        out["n"] = out["n"].astype("Int64")
    if "reliable" in frame.columns:
        words = _words(language)
        out[labels["reliable"]] = frame["reliable"].map(
            lambda v: "" if _is_missing(v) else (words["yes"] if bool(v) else words["no"])
        )
    if "reliability_note" in frame.columns:
        out[labels["reliability_note"]] = frame["reliability_note"].map(
            lambda v: "" if _is_missing(v) else reliability_text(v, language)
        )
    out = out.reset_index(drop=True)
    share_headers = [headers.get(c, labels.get(c, c)) for c in share_cols]
    share_headers[0] = estimate_header
    out.attrs["percent_columns"] = [h for h in share_headers if h in shown] if percent else []
    return out


def _check_tidy(frame: pd.DataFrame, extra: Sequence[str], func: str) -> None:
    """The frame has the tidy estimate columns and every ``extra`` column asked for."""
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


def _by_columns(frame: pd.DataFrame, by: Sequence[str] | None, func: str) -> Sequence[str]:
    """The by-columns as given (checked), else the non-tidy columns before ``estimate``."""
    if by is None:
        cut = list(frame.columns).index("estimate")
        return [c for c in frame.columns[:cut] if c not in ESTIMATE_COLUMNS]
    lost = [c for c in by if c not in frame.columns]
    if lost:
        raise InputError(f"{func}: by-column {lost[0]!r} is not in the frame", column=lost[0])
    return by


def _check_proportions(frame: pd.DataFrame, func: str) -> None:
    """The estimate and its CI are proportions in [0, 1] (up to rounding)."""
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
