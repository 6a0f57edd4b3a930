"""The words of one-stop reports: period names, the report sentences, the tables by field.

Ward and district reports quote the one-stop system in fixed sentences: "tiếp nhận 1.058 hồ
sơ (trực tuyến: 1.049 hồ sơ; trực tiếp và qua dịch vụ bưu chính: 9 hồ sơ) ... giải quyết
trước hạn: 1.054 hồ sơ, đúng hạn: 5 hồ sơ, quá hạn: 0 hồ sơ". These functions write them from
one row of `satisfaction.studies.onestop.dossier_metrics`, numbers in the report's language
(Vietnamese: 1.058 and 98,7%). The two satisfaction measures always carry their own names;
the Wilson interval belongs to the rated-only share alone and says what it assumes.
"""

from __future__ import annotations

import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.present.formatting import format_number, format_percent

__all__ = [
    "CENSUS_TEXT",
    "field_table",
    "formulas_table",
    "measures_table",
    "period_name",
    "report_sentences",
    "trend_table",
]

CENSUS_TEXT = {
    "vi": (
        "Số liệu là toàn bộ hồ sơ của kỳ trên hệ thống một cửa điện tử (không phải mẫu): các "
        "số đếm và tỷ lệ là chính xác, không có sai số chọn mẫu. Tỷ lệ hài lòng theo QĐ "
        "766/QĐ-TTg tính hồ sơ không được đánh giá là hài lòng, nên luôn đi kèm độ phủ đánh "
        "giá và tỷ lệ hài lòng trong số hồ sơ được đánh giá; không so sánh tỷ lệ này với tỷ "
        "lệ hài lòng của khảo sát."
    ),
    "en": (
        "These are all the period's dossiers in the one-stop e-system (a census, not a "
        "sample): counts and rates are exact, with no sampling error. The QĐ 766 rate counts "
        "unrated dossiers as satisfied, so it is always shown with the rating coverage and "
        "the rated-only satisfied share; do not compare it with a survey's satisfied share."
    ),
}
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}

_COLUMNS = {
    "vi": {
        "field": "Lĩnh vực",
        "received": "Tiếp nhận",
        "online": "Trực tuyến",
        "offline": "Trực tiếp, bưu chính",
        "settled": "Đã giải quyết",
        "early": "Trước hạn",
        "on_day": "Đúng hạn",
        "late": "Quá hạn",
        "pending": "Đang giải quyết",
        "on_time_share": "Tỷ lệ đúng và trước hạn",
        "qd766_rate": "Tỷ lệ hài lòng theo QĐ 766 (hồ sơ không đánh giá tính là hài lòng)",
        "rated": "Số hồ sơ được đánh giá",
        "coverage": "Độ phủ đánh giá",
        "rated_satisfied_share": "Tỷ lệ hài lòng trong số hồ sơ được đánh giá",
        "rated_ci_low": "KTC Wilson 95% dưới (tham khảo)",
        "rated_ci_high": "KTC Wilson 95% trên (tham khảo)",
        "total": "Tổng cộng",
        "period": "Kỳ",
        "on_time": "Đúng và trước hạn",
        "direct": "Trực tiếp",
        "postal": "Bưu chính công ích",
        "rated_ci": "KTC Wilson 95% (tham khảo)",
        "metric": "Chỉ tiêu",
        "formula": "Cách tính",
    },
    "en": {
        "field": "Field",
        "received": "Received",
        "online": "Online",
        "offline": "Desk and post",
        "settled": "Settled",
        "early": "Early",
        "on_day": "On the due date",
        "late": "Late",
        "pending": "Pending",
        "on_time_share": "On time or early",
        "qd766_rate": "QĐ 766 satisfaction rate (unrated counted as satisfied)",
        "rated": "Rated dossiers",
        "coverage": "Rating coverage",
        "rated_satisfied_share": "Satisfied share among rated dossiers",
        "rated_ci_low": "Wilson 95% CI lower (reference)",
        "rated_ci_high": "Wilson 95% CI upper (reference)",
        "total": "Total",
        "period": "Period",
        "on_time": "On time or early",
        "direct": "At the desk",
        "postal": "By public post",
        "rated_ci": "Wilson 95% CI (reference)",
        "metric": "Metric",
        "formula": "How it is made",
    },
}


def _language(language: str) -> str:
    if language not in _COLUMNS:
        raise ParameterError(f"language must be 'vi' or 'en', got {language!r}")
    return language


def period_name(period: str, language: str = "vi") -> str:
    """ "2024-Q4" -> "quý IV/2024", "2024-03" -> "tháng 3/2024", "2024" -> "năm 2024"."""
    text = str(period)
    if "-Q" in text:
        year, quarter = text.split("-Q")
        if language == "vi":
            return f"quý {_ROMAN.get(quarter, quarter)}/{year}"
        return f"Q{quarter} {year}"
    if "-" in text:
        year, month = text.split("-")
        return f"tháng {int(month)}/{year}" if language == "vi" else f"{year}-{month}"
    return f"năm {text}" if language == "vi" else text


def _n(value: float, language: str) -> str:
    return format_number(value, digits=0, language=language)  # type: ignore[arg-type]


def _pct(value: float, language: str) -> str:
    return format_percent(value, digits=1, language=language)  # type: ignore[arg-type]


def report_sentences(row: pd.Series, where: str, language: str = "vi") -> list[str]:
    """The report's sentences for one area and period (one row of `dossier_metrics`)."""
    lang = _language(language)
    n = lambda column: _n(row[column], lang)  # noqa: E731
    offline = _n(row["direct"] + row["postal"], lang)
    period = period_name(row["period"], lang)
    if lang == "vi":
        first = (
            f"Trong {period}, {where} tiếp nhận {n('received')} hồ sơ (trực tuyến: "
            f"{n('online')} hồ sơ; trực tiếp và qua dịch vụ bưu chính: {offline} hồ sơ"
            + (f"; không rõ kênh: {n('channel_unknown')} hồ sơ" if row["channel_unknown"] else "")
            + f"); đã giải quyết {n('settled')} hồ sơ, trong đó giải quyết trước hạn: "
            f"{n('early')} hồ sơ, đúng hạn: {n('on_day')} hồ sơ, quá hạn: {n('late')} hồ sơ"
            + (
                f", chưa xác định được hạn: {n('timeliness_unknown')} hồ sơ"
                if row["timeliness_unknown"]
                else ""
            )
            + f"; đang giải quyết: {n('pending')} hồ sơ."
        )
        second = (
            f"Tỷ lệ hài lòng theo QĐ 766/QĐ-TTg: {_pct(row['qd766_rate'], lang)} (hồ sơ không "
            "được đánh giá được tính là hài lòng)."
        )
        if row["rated"]:
            second += (
                f" Trong {n('rated')} hồ sơ được đánh giá (độ phủ đánh giá "
                f"{_pct(row['coverage'], lang)}), tỷ lệ đánh giá hài lòng là "
                f"{_pct(row['rated_satisfied_share'], lang)} (khoảng Wilson 95%: "
                f"{_pct(row['rated_ci_low'], lang)} – {_pct(row['rated_ci_high'], lang)}; khoảng "
                "tham khảo, coi người đánh giá như được chọn ngẫu nhiên)."
            )
        else:
            second += " Không có hồ sơ nào được đánh giá trong kỳ."
        return [first, second]
    first = (
        f"In {period}, {where} received {n('received')} dossiers (online: {n('online')}; at "
        f"the desk or by post: {offline}); settled {n('settled')}: early {n('early')}, on the "
        f"due date {n('on_day')}, late {n('late')}; pending: {n('pending')}."
    )
    second = (
        f"QĐ 766 satisfaction rate: {_pct(row['qd766_rate'], lang)} (unrated dossiers count "
        "as satisfied)."
    )
    if row["rated"]:
        second += (
            f" Of {n('rated')} rated dossiers (coverage {_pct(row['coverage'], lang)}), "
            f"{_pct(row['rated_satisfied_share'], lang)} were rated satisfied (Wilson 95% "
            f"interval {_pct(row['rated_ci_low'], lang)} – {_pct(row['rated_ci_high'], lang)}, "
            "a reference that treats raters as if chosen at random)."
        )
    return [first, second]


def _with_total(by_field: pd.DataFrame, total: pd.Series, language: str) -> pd.DataFrame:
    row = total.copy()
    row["field"] = _COLUMNS[language]["total"]
    return pd.concat([by_field, row.to_frame().T], ignore_index=True)


def field_table(by_field: pd.DataFrame, total: pd.Series, language: str = "vi") -> pd.DataFrame:
    """The one-stop table by field (received, online, desk and post, settled, early, on the
    due date, late, pending, on-time share) with a total row; labelled columns."""
    lang = _language(language)
    frame = _with_total(by_field, total, lang)
    frame["offline"] = frame["direct"] + frame["postal"]
    columns = ["field", "received", "online", "offline", "settled", "early", "on_day", "late",
               "pending", "on_time_share"]  # fmt: skip
    out = frame[columns].rename(columns=_COLUMNS[lang])
    counts = [_COLUMNS[lang][c] for c in columns[1:-1]]
    out[counts] = out[counts].astype("int64")
    out[_COLUMNS[lang]["on_time_share"]] = out[_COLUMNS[lang]["on_time_share"]].astype(float)
    out.attrs["percent_columns"] = [_COLUMNS[lang]["on_time_share"]]
    return out


def measures_table(by_field: pd.DataFrame, total: pd.Series, language: str = "vi") -> pd.DataFrame:
    """The two satisfaction measures by field, each under its own name, with the coverage."""
    lang = _language(language)
    frame = _with_total(by_field, total, lang)
    columns = ["field", "settled", "qd766_rate", "rated", "coverage", "rated_satisfied_share",
               "rated_ci_low", "rated_ci_high"]  # fmt: skip
    out = frame[columns].rename(columns=_COLUMNS[lang])
    shares = [_COLUMNS[lang][c] for c in columns if c not in ("field", "settled", "rated")]
    out[shares] = out[shares].astype(float)
    for column in ("settled", "rated"):
        out[_COLUMNS[lang][column]] = out[_COLUMNS[lang][column]].astype("int64")
    out.attrs["percent_columns"] = shares
    return out


def trend_table(monthly: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """Month by month: received, online, settled, on time, late, pending, both measures."""
    lang = _language(language)
    columns = ["period", "received", "online", "settled", "on_time", "late", "pending",
               "qd766_rate", "rated", "coverage", "rated_satisfied_share"]  # fmt: skip
    out = monthly[columns].copy()
    out["period"] = out["period"].map(lambda p: period_name(p, lang))
    out = out.rename(columns=_COLUMNS[lang])
    out.attrs["percent_columns"] = [
        _COLUMNS[lang][c] for c in ("qd766_rate", "coverage", "rated_satisfied_share")
    ]
    return out


def formulas_table(formulas: dict[str, tuple[str, str]], language: str = "vi") -> pd.DataFrame:
    """How each metric is made, each named by its label (the Wilson bounds once)."""
    lang = _language(language)
    words = _COLUMNS[lang]
    rows = []
    for metric, (vi, en) in formulas.items():
        if metric == "rated_ci_high":
            continue
        name = words["rated_ci"] if metric == "rated_ci_low" else words.get(metric, metric)
        rows.append((name, vi if lang == "vi" else en))
    return pd.DataFrame(rows, columns=[words["metric"], words["formula"]])
