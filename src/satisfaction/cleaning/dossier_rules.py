"""The rules of dossier cleaning, the cleaning log they write, and the clean/quarantine split.

Every rule is named in `DOSSIER_RULES` with its kind and a Vietnamese and an English
description, so the log reads the same in every report. The log is built in DuckDB: one
SELECT per rule and export column over the judged rows (`satisfaction.cleaning.dossiers`).
"""

from __future__ import annotations

from typing import Any

from satisfaction.cleaning.log import Rule
from satisfaction.io.dossiers import DossierSpec, RawDossiers, quote_name
from satisfaction.io.read import ROW_COLUMN

__all__ = ["CLEAN_COLUMNS", "DOSSIER_LOG_COLUMNS", "DOSSIER_RULES"]

DOSSIER_LOG_COLUMNS = ["row_id", "dossier_id", "column", "old_value", "new_value", "rule"]

#: Columns of the clean table, in order (roles the export does not map stay NULL).
CLEAN_COLUMNS = (
    "_row",
    "dossier_id",
    "unit",
    "district",
    "province",
    "field",
    "procedure",
    "channel",
    "online_level",
    "received",
    "due",
    "due_source",
    "returned",
    "status",
    "rating",
    "rating_class",
    "complaint",
)


DOSSIER_RULES: dict[str, Rule] = {  # the survey log's rule record
    "text_normalised": Rule(
        "changed", "Chuẩn hoá Unicode (NFC) và khoảng trắng", "Unicode NFC and spacing normalised"
    ),
    "field_synonym": Rule(
        "changed", "Lĩnh vực chuẩn hoá theo từ điển", "Field mapped through the vocabulary"
    ),
    "status_from_dates": Rule(
        "changed",
        "Trạng thái trống, suy ra từ ngày trả kết quả",
        "Blank status taken from the return date",
    ),
    "due_from_calendar": Rule(
        "changed",
        "Ngày hẹn trả tính theo thời hạn và lịch ngày làm việc",
        "Due date from the time limit and the working-day calendar",
    ),
    "bad_date": Rule("missing", "Không phải ngày", "Not a date"),
    "returned_on_pending": Rule(
        "missing",
        "Hồ sơ đang giải quyết nhưng có ngày trả (bỏ ngày trả)",
        "Pending dossier with a return date (date dropped)",
    ),
    "missing_channel": Rule("missing", "Thiếu kênh nộp", "Channel blank"),
    "unknown_online_level": Rule(
        "missing", "Mức độ trực tuyến không nhận ra", "Online level not recognised"
    ),
    "unknown_rating": Rule("missing", "Đánh giá ngoài thang đo", "Rating not on the form's scale"),
    "unknown_complaint": Rule(
        "missing", "Cờ phản ánh không nhận ra", "Complaint flag not recognised"
    ),
    "due_unknown": Rule(
        "flagged",
        "Không có ngày hẹn trả: không xác định đúng hạn/quá hạn",
        "No due date: on time or late cannot be told",
    ),
    "rating_not_counted": Rule(
        "flagged",
        "Đánh giá trên hồ sơ chưa giải quyết (không tính)",
        "Rating on a dossier not settled (not counted)",
    ),
    "field_not_in_vocabulary": Rule(
        "flagged", "Lĩnh vực không có trong từ điển", "Field not in the vocabulary"
    ),
    "missing_id": Rule("rejected", "Thiếu mã hồ sơ", "Dossier id blank"),
    "unknown_status": Rule("rejected", "Trạng thái không nhận ra", "Status not in the vocabulary"),
    "unknown_channel": Rule("rejected", "Kênh nộp không nhận ra", "Channel not in the vocabulary"),
    "bad_received_date": Rule(
        "rejected", "Ngày tiếp nhận trống hoặc sai", "Received date blank or not a date"
    ),
    "missing_unit": Rule("rejected", "Thiếu đơn vị", "Unit blank"),
    "missing_field": Rule("rejected", "Thiếu lĩnh vực", "Field blank"),
    "settled_without_return_date": Rule(
        "rejected",
        "Đã giải quyết nhưng không có ngày trả kết quả",
        "Settled without a (valid) return date",
    ),
    "returned_before_received": Rule(
        "rejected", "Ngày trả trước ngày tiếp nhận", "Returned before it was received"
    ),
    "duplicate_exact": Rule(
        "rejected", "Hồ sơ xuất trùng (bản sao bị cách ly)", "Dossier exported twice (copy)"
    ),
    "duplicate_conflict": Rule(
        "rejected",
        "Trùng mã hồ sơ nhưng khác nội dung",
        "Same dossier id, different content",
    ),
    "blank_row": Rule("rejected", "Dòng trống", "Blank row"),
    "totals_row": Rule("rejected", "Dòng tổng cộng", "Totals row"),
}

_TEXT_ROLES = ("unit", "district", "province", "field", "procedure")
_CODED_ROLES = {
    "channel": "channels",
    "online_level": "online_levels",
    "status": "statuses",
    "complaint": "complaint",
}
# Rejection rules in the order a quarantined row lists them, with the role they concern.
_REJECTIONS = (
    ("missing_id", "dossier_id", "dossier_id IS NULL"),
    ("unknown_status", "status", "status_unknown"),
    ("unknown_channel", "channel", "channel_unknown"),
    ("bad_received_date", "received", "received IS NULL"),
    ("missing_unit", "unit", "unit IS NULL"),
    ("missing_field", "field", "field IS NULL"),
    (
        "settled_without_return_date",
        "returned",
        "status = 'settled' AND returned IS NULL",
    ),
    ("returned_before_received", "returned", "returned < received"),
    ("duplicate_exact", "dossier_id", "dup_copies = 1 AND _row <> dup_first"),
    ("duplicate_conflict", "dossier_id", "dup_copies > 1"),
)


# ------------------------------------------------------------------------------- the log
def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _entries(spec: DossierSpec) -> list[str]:
    """One SELECT per rule and column, each giving rows of the cleaning log."""

    def entry(role: str, old: str, new: str, rule: str, where: str, table: str = "judged") -> str:
        header = _lit(spec.columns.get(role, role))
        return (
            f"SELECT _row AS row_id, CAST(dossier_id AS VARCHAR) AS dossier_id, "
            f'{header} AS "column", CAST({old} AS VARCHAR) AS old_value, '
            f"CAST({new} AS VARCHAR) AS new_value, {rule} AS rule FROM {table} WHERE {where}"
        )

    kept = "len(reasons) = 0"
    selects = []
    selects.append(
        entry(
            "dossier_id", "r_dossier_id", "dossier_id", "'text_normalised'",
            "r_dossier_id <> dossier_id",
        )
    )  # fmt: skip
    for role in _TEXT_ROLES:
        if role in spec.columns:
            selects.append(
                entry(
                    role,
                    f"r_{role}",
                    "m.clean",
                    "m.rule",
                    "m.rule IS NOT NULL",
                    f"judged JOIN map_{role} AS m ON m.raw = judged.r_{role}",
                )
            )
    selects += [
        entry("status", "''", "status", "'status_from_dates'", "r_status IS NULL"),
        entry("received", "r_received", "''", "'bad_received_date'", "received IS NULL"),
        entry("returned", "r_returned", "''", "'bad_date'", "r_returned IS NOT NULL "
              "AND returned_parsed IS NULL"),
        entry("returned", "r_returned", "''", "'returned_on_pending'",
              "status = 'pending' AND returned_parsed IS NOT NULL"),
        entry("channel", "''", "''", "'missing_channel'", "r_channel IS NULL"),
    ]  # fmt: skip
    optional = [
        ("due", "r_due", "''", "'bad_date'", "r_due IS NOT NULL AND due_export IS NULL"),
        ("due", "coalesce(r_due, '')", "strftime(due, '%Y-%m-%d')", "'due_from_calendar'",
         "due_source = 'calendar'"),
        ("online_level", "r_online_level", "''", "'unknown_online_level'",
         "r_online_level IS NOT NULL AND online_level IS NULL"),
        ("rating", "r_rating", "''", "'unknown_rating'",
         "r_rating IS NOT NULL AND rating IS NULL"),
        ("complaint", "r_complaint", "''", "'unknown_complaint'",
         "r_complaint IS NOT NULL AND complaint IS NULL"),
        ("rating", "r_rating", "r_rating", "'rating_not_counted'",
         f"{kept} AND rating IS NOT NULL AND status <> 'settled'"),
    ]  # fmt: skip
    for role, old, new, rule, where in optional:
        if role in spec.columns or rule == "'due_from_calendar'":
            selects.append(entry(role, old, new, rule, where))
    due_role = "due" if "due" in spec.columns else "returned"
    selects.append(
        entry(due_role, "r_due", "''", "'due_unknown'", f"{kept} AND status = 'settled' "
              "AND due IS NULL")
    )  # fmt: skip
    for rule, role, _ in _REJECTIONS:
        if rule == "bad_received_date":
            continue  # logged above, with the value that could not be read
        selects.append(
            entry(role, f"r_{role}", "''", _lit(rule), f"list_contains(reasons, {_lit(rule)})")
        )
    return selects


def _write_log(con: Any, spec: DossierSpec, raw: RawDossiers) -> None:
    removed = raw.removed[["_row", "_reason"]].rename(columns={"_row": "row_id"})
    con.register("removed_frame", removed.astype({"row_id": "int64", "_reason": "string"}))
    reader = (
        "SELECT CAST(row_id AS BIGINT), CAST(NULL AS VARCHAR), '', '', '', "
        "CAST(_reason AS VARCHAR) FROM removed_frame"
    )
    con.execute(
        "CREATE OR REPLACE TABLE cleaning_log AS "
        + "\nUNION ALL\n".join([*_entries(spec), reader])
    )
    con.unregister("removed_frame")


# ------------------------------------------------------------------------------- splitting
def _split(con: Any, raw: RawDossiers) -> None:
    """`clean` (kept rows, typed) and `quarantine` (rejected rows as exported, + reasons)."""
    columns = ", ".join(CLEAN_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TABLE clean AS SELECT {columns} FROM judged "
        "WHERE len(reasons) = 0 ORDER BY _row"
    )
    as_text = ", ".join(
        f"CAST(r.{quote_name(c)} AS VARCHAR) AS {quote_name(c)}" for c in raw.columns
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE quarantine AS
        SELECT r.{ROW_COLUMN} AS _row, {as_text},
            array_to_string(j.reasons, '; ') AS quarantine_reason
        FROM raw AS r JOIN judged AS j ON r.{ROW_COLUMN} = j._row
        WHERE len(j.reasons) > 0
        """
    )
    if len(raw.removed):
        frame = raw.removed.copy()
        keep = [c for c in frame.columns if c in raw.columns]
        frame = frame[["_row", *keep, "_reason"]].astype({"_row": "int64"})
        frame[keep] = frame[keep].astype("string")
        frame = frame.rename(columns={"_reason": "quarantine_reason"}).astype(
            {"quarantine_reason": "string"}
        )
        con.register("removed_rows", frame)
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM removed_rows")
        con.unregister("removed_rows")
