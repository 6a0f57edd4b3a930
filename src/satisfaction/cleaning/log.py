"""The cleaning log: its columns, every rule with its meaning, the builder and the summary.

The log has one row per changed, coded-missing, flagged or rejected value (row id, form id,
column, old value, new value, rule). Every rule is named in `RULES` with a Vietnamese and an
English description, so the log reads the same in every report. `_Log` accumulates entries
column-wise (vectorised) while cleaning runs; `log_summary` counts them per rule and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from satisfaction.cleaning.columns import _Col, _fmt, _isna

__all__ = [
    "HIDDEN",
    "LOG_COLUMNS",
    "RULES",
    "Rule",
    "log_summary",
]

LOG_COLUMNS = ["row_id", "form_id", "column", "old_value", "new_value", "rule"]
HIDDEN = "[ẩn]"


@dataclass(frozen=True)
class Rule:
    """A cleaning rule: what kind of entry it makes and what it means, in vi and en."""

    kind: str  # changed | missing | flagged | rejected
    vi: str
    en: str


RULES: dict[str, Rule] = {
    "legacy_tcvn3": Rule(
        "changed", "Chuyển mã TCVN3 (ABC) sang Unicode", "TCVN3 (ABC) text converted to Unicode"
    ),
    "legacy_vni": Rule("changed", "Chuyển mã VNI sang Unicode", "VNI text converted to Unicode"),
    "control_characters": Rule(
        "changed",
        "Ký tự điều khiển thay bằng \ufffd",
        "Control characters replaced by \ufffd",
    ),
    "nfc": Rule("changed", "Chuẩn hoá Unicode dựng sẵn (NFC)", "Unicode normalised to NFC"),
    "whitespace": Rule("changed", "Bỏ khoảng trắng thừa", "Stray whitespace removed"),
    "merged_cell_filled": Rule(
        "changed",
        "Ô gộp: giá trị của khối được điền cho từng dòng",
        "Merged cells: the block's value filled into each row it covers",
    ),
    "label_to_code": Rule("changed", "Nhãn được gõ thay cho mã", "Label typed instead of a code"),
    "leading_zeros": Rule("changed", "Khôi phục số 0 đầu mã", "Leading zeros restored"),
    "code_normalised": Rule(
        "changed",
        "Mã viết dạng số thập phân chuẩn hoá (189.0, 1.89e2, 189,0 -> 189)",
        "Code written as a decimal number normalised (189.0, 1.89e2, 189,0 -> 189)",
    ),
    "decimal_comma": Rule(
        "changed", "Dấu phẩy thập phân đọc thành dấu chấm", "Decimal comma read as a point"
    ),
    "unicode_digits": Rule(
        "changed", "Chữ số không phải ASCII chuyển thành 0-9", "Non-ASCII digits read as 0-9"
    ),
    "date_month_first": Rule(
        "changed",
        "Ngày viết theo tháng/ngày (cột có ngày thứ hai > 12)",
        "Date read month first (the column has second parts above 12)",
    ),
    "field_synonym": Rule(
        "changed", "Lĩnh vực chuẩn hoá theo từ điển", "Field mapped through the vocabulary"
    ),
    "province_standardised": Rule("changed", "Tên tỉnh chuẩn hoá", "Province name standardised"),
    "province_code": Rule(
        "changed", "Mã tỉnh đổi thành tên tỉnh", "Official province code replaced by its name"
    ),
    "value_label": Rule(
        "changed",
        "Mã thay bằng nhãn khai báo trong tệp hoặc bộ câu hỏi",
        "Code replaced by the label the file or the instrument declares",
    ),
    "other_specified": Rule(
        "changed",
        "Trả lời 'Khác' thay bằng nội dung ghi rõ",
        "'Other' replaced by what was specified",
    ),
    "personal_scrubbed": Rule(
        "changed",
        "Ẩn số điện thoại, thư điện tử trong văn bản",
        "Phone numbers or e-mails removed from free text",
    ),
    "personal_hashed": Rule(
        "changed", "Dữ liệu cá nhân thay bằng mã băm", "Personal data replaced by salted hashes"
    ),
    "personal_dropped": Rule(
        "changed", "Dữ liệu cá nhân bị loại bỏ", "Personal data column dropped"
    ),
    "missing_dont_know": Rule("missing", "Không biết", "Don't know"),
    "missing_refused": Rule("missing", "Không trả lời", "Refused / no answer"),
    "missing_not_applicable": Rule("missing", "Không áp dụng", "Not applicable"),
    "missing_other": Rule("missing", "Mã thiếu khác", "Other missing code"),
    "missing_blank": Rule("missing", "Để trống", "Blank"),
    "missing_user_code": Rule(
        "missing",
        "Mã thiếu do tệp khai báo (SPSS user-missing)",
        "Missing code declared by the file (SPSS user-missing)",
    ),
    "out_of_range": Rule("missing", "Giá trị ngoài thang đo", "Value outside the scale or range"),
    "unknown_label": Rule("missing", "Nhãn không nhận ra", "Label not recognised"),
    "not_a_number": Rule("missing", "Không phải số", "Not a number"),
    "not_a_date": Rule("missing", "Không phải ngày", "Not a date"),
    "date_ambiguous": Rule(
        "missing",
        "Ngày mơ hồ trong cột lẫn ngày/tháng và tháng/ngày",
        "Ambiguous date in a column mixing dd/mm and mm/dd",
    ),
    "field_unmatched": Rule(
        "missing", "Lĩnh vực không có trong từ điển", "Field not in the vocabulary"
    ),
    "invalid_weight": Rule("missing", "Trọng số không hợp lệ", "Invalid weight"),
    "province_pre2025": Rule(
        "flagged",
        "Tên tỉnh trước sáp nhập 2025 (giữ nguyên, gắn cờ)",
        "Pre-2025 province name (kept and flagged)",
    ),
    "province_unmatched": Rule(
        "flagged", "Tên tỉnh không nhận ra", "Province name not recognised"
    ),
    "straightlining": Rule(
        "flagged", "Trả lời một mức cho mọi tiêu chí", "Same answer on every criterion"
    ),
    "near_duplicate": Rule(
        "flagged", "Phiếu gần trùng với phiếu khác", "Near-duplicate of another form"
    ),
    "missing_id": Rule("flagged", "Thiếu mã phiếu", "Form id missing"),
    "duplicate_exact": Rule(
        "rejected", "Phiếu nhập trùng (bản sao bị cách ly)", "Form keyed twice (copy quarantined)"
    ),
    "duplicate_conflict": Rule(
        "rejected", "Trùng mã phiếu nhưng khác câu trả lời", "Same form id, different answers"
    ),
    "blank_row": Rule("rejected", "Dòng trống", "Blank row"),
    "totals_row": Rule("rejected", "Dòng tổng cộng", "Totals row"),
}


def log_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Count log entries per rule and column, with what each rule means."""
    if log.empty:
        return pd.DataFrame(columns=["rule", "column", "count", "kind", "vi", "en"])
    counts = log.groupby(["rule", "column"], dropna=False).size().rename("count").reset_index()
    counts["kind"] = counts["rule"].map(lambda r: RULES[r].kind)
    counts["vi"] = counts["rule"].map(lambda r: RULES[r].vi)
    counts["en"] = counts["rule"].map(lambda r: RULES[r].en)
    order = {k: i for i, k in enumerate(RULES)}
    counts["_order"] = counts["rule"].map(order)
    return counts.sort_values(["_order", "column"]).drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------- the log
class _Log:
    """Accumulates log entries column-wise (vectorised), then builds one frame."""

    def __init__(self, row_ids: pd.Series, form_ids: np.ndarray) -> None:
        self.row_ids = np.asarray(row_ids)
        self.form_ids = np.asarray(form_ids, dtype=object)
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: np.ndarray | pd.Series,
        column: str,
        old: _Col | pd.Series | str,
        new: _Col | pd.Series | str,
        rule: str,
        *,
        hide: bool = False,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        count = int(mask.sum())
        self.parts.append(
            pd.DataFrame(
                {
                    "row_id": self.row_ids[mask],
                    "form_id": self.form_ids[mask],
                    "column": column,
                    "old_value": [HIDDEN] * count if hide else _as_text(old, mask),
                    "new_value": [HIDDEN] * count if hide else _as_text(new, mask),
                    "rule": rule,
                }
            )
        )

    def add_rows(
        self,
        row_ids: Iterable[Any],
        column: str,
        rule: str,
        old: str = "",
        new: str = "",
        form_ids: Iterable[Any] | None = None,
    ) -> None:
        row_ids = list(row_ids)
        if not row_ids:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row_id": row_ids,
                    "form_id": list(form_ids) if form_ids is not None else [None] * len(row_ids),
                    "column": column,
                    "old_value": old,
                    "new_value": new,
                    "rule": rule,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in LOG_COLUMNS})
        log = pd.concat(self.parts, ignore_index=True)[LOG_COLUMNS]
        log["row_id"] = pd.array(log["row_id"], dtype="Int64")
        for column in ("form_id", "column", "old_value", "new_value", "rule"):
            log[column] = log[column].astype("string")
        return log


def _as_text(values: _Col | pd.Series | str, mask: np.ndarray) -> list[str]:
    if isinstance(values, str):
        return [values] * int(mask.sum())
    if isinstance(values, _Col):
        selected = values.values[values.codes[mask]]
    else:
        selected = values.to_numpy(dtype=object)[mask]
    return ["" if _isna(v) else _fmt(v) for v in selected]
