"""The remediation plan's tables: columns, the notebook's tables and the workbook's sheets.

Every table keeps its numbers as numbers (shares 0..1 listed in `attrs["percent_columns"]`,
n and volumes whole) with headers in the notebook's language, or in Vietnamese for the
documents: the cells of the plan ("Tổng hợp", one sheet per field, "Theo tỉnh"), change
since the previous wave, drivers and quadrants, scale reliability, comment phrases, and the
docx's results and limitations tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from satisfaction.analysis.estimates import ALL
from satisfaction.analysis.remediation import PlanAnalysis, PriorityRule
from satisfaction.present.formatting import format_number
from satisfaction.present.plan_text import TEXT, _points, _reason, method_lines
from satisfaction.studies import kinds

if TYPE_CHECKING:
    from satisfaction.present.plan import RemediationReport

__all__ = [
    "cells_table",
    "change_table",
    "drivers_table",
    "limitations_table",
    "plan_keys",
    "plan_table",
    "results_table",
    "workbook_sheets",
]

# key -> (Vietnamese header, English header, share?)
_COLUMNS: dict[str, tuple[str, str, bool]] = {
    "rank": ("Thứ tự", "Rank", False),
    "priority": ("Mức ưu tiên", "Priority", False),
    "province": ("Tỉnh/thành phố", "Province", False),
    "field": ("Lĩnh vực", "Field", False),
    "item": ("Mã tiêu chí", "Criterion code", False),
    "label": ("Tiêu chí", "Criterion", False),
    "group_label": ("Yếu tố", "Element", False),
    "estimate": ("Tỷ lệ hài lòng (%)", "Satisfied (%)", True),
    "ci_low": ("KTC 95% dưới", "95% CI lower", True),
    "ci_high": ("KTC 95% trên", "95% CI upper", True),
    "n": ("n", "n", False),
    "N": ("N (có trọng số)", "N (weighted)", False),
    "reliable_text": ("Tin cậy", "Reliable", False),
    "target": ("Mục tiêu (%)", "Target (%)", True),
    "gap": ("Chênh lệch so với mục tiêu (điểm %)", "Gap to target (points)", True),
    "p_adjusted": ("p một phía (hiệu chỉnh)", "One-sided p (adjusted)", False),
    "significant_text": ("Thấp hơn mục tiêu có ý nghĩa", "Significantly below target", False),
    "volume": ("Khối lượng", "Volume", False),
    "volume_share": ("Tỷ trọng khối lượng (%)", "Volume share (%)", True),
    "previous": ("Kỳ trước (%)", "Previous wave (%)", True),
    "change": ("Thay đổi so với kỳ trước (điểm %)", "Change since previous wave (points)", True),
    "change_ci_low": ("KTC 95% thay đổi dưới", "Change 95% CI lower", True),
    "change_ci_high": ("KTC 95% thay đổi trên", "Change 95% CI upper", True),
    "change_p_adjusted": ("p thay đổi (hiệu chỉnh)", "Change p (adjusted)", False),
    "reason": ("Căn cứ xếp mức", "Why this priority", False),
    "unit": ("Đơn vị chủ trì", "Lead unit", False),
    "deadline": ("Thời hạn", "Deadline", False),
}
_P_FORMAT = "0.0000"
_CHANGE_HEADERS = (
    [
        *("Lĩnh vực", "Chỉ số", "Kỳ trước (%)", "Kỳ này (%)", "Thay đổi (điểm %)"),
        *("KTC 95% dưới", "KTC 95% trên", "Bậc tự do", "p (hiệu chỉnh)", "Xu hướng"),
    ],
    [
        *("Field", "Index", "Previous (%)", "Current (%)", "Change (points)"),
        *("95% CI lower", "95% CI upper", "df", "p (adjusted)", "Direction"),
    ],
)


def plan_table(
    cells: pd.DataFrame,
    keys: list[str],
    language: str,
    *,
    rule: PriorityRule,
    elements: pd.DataFrame,
    study: dict | None = None,
) -> pd.DataFrame:
    """Cells as a presentation table: chosen columns, headers in `language`, numbers kept.

    `elements` (the estimates' elements frame) names each cell's element; `rule` gives the
    reason of each cell's priority; `study` (the estimates' kind of sample and unit) names
    the unit column and what the intervals are.
    """
    work = cells.copy()
    elements = elements.drop_duplicates("group")
    labels = dict(zip(elements["group"], elements["label"], strict=True))
    work["group_label"] = work["group"].map(labels) if "group" in work.columns else None
    words = TEXT[language]
    work["reliable_text"] = work["reliable"].map(lambda v: words["yes"] if v else words["no"])
    work["significant_text"] = work["significant"].map(
        lambda v: words["yes"] if v else words["no"]
    )
    work["reason"] = [_reason(row, rule) for _, row in work.iterrows()]
    work["volume"] = work["volume"].astype(float).round(0)
    work["N"] = work["N"].astype(float).round(0)
    index = 0 if language == "vi" else 1
    headers = _headers(study or {}, rule, index)
    out = pd.DataFrame(index=work.index)
    shares = []
    for key in keys:
        if key not in work.columns:
            if key in ("unit", "deadline"):
                work[key] = ""
            else:
                continue
        header = headers.get(key, _COLUMNS[key][index])
        values = work[key]
        if key in ("n", "rank", "volume", "N"):
            values = pd.to_numeric(values, errors="coerce").astype("Int64")
        out[header] = values
        if _COLUMNS[key][2]:
            shares.append(header)
    out = out.reset_index(drop=True)
    out.attrs["percent_columns"] = shares
    return out


def _headers(study: dict, rule: PriorityRule, index: int) -> dict[str, str]:
    """Headers that depend on the kind of sample: the unit, the intervals, the n flag."""
    headers = {}
    if study.get("unit") not in (None, "province"):
        unit = kinds.unit_words(study["unit"], "vi" if index == 0 else "en")
        headers["province"] = unit[:1].upper() + unit[1:]
    if kinds.INTERVALS.get(study.get("kind", "probability")) == "reference":
        headers["ci_low"] = ("Khoảng tham chiếu 95% dưới", "95% reference interval, lower")[index]
        headers["ci_high"] = ("Khoảng tham chiếu 95% trên", "95% reference interval, upper")[index]
    if not rule.inference:
        headers["reliable_text"] = ("Đủ số người trả lời", "Enough answers")[index]
    return headers


def plan_keys(result: PlanAnalysis, *, summary: bool, province: bool = False) -> list[str]:
    """The columns of a plan table: the summary has rank, lead unit and deadline; the
    change since the previous wave when there is one. A sample not drawn at random has no
    test columns; a self-selected sample or a census no interval; an unweighted one no N."""
    study = kinds.study_of_meta(result.meta)
    inference = result.rule.inference
    keys = ["rank", "priority"] if summary else ["priority"]
    keys += ["province"] if province else []
    keys += ["field"] if result.meta.get("fields") else []
    keys += ["item", "label", "group_label", "estimate"]
    keys += ["ci_low", "ci_high"] if kinds.INTERVALS.get(study["kind"]) else []
    keys += ["n", "N"] if study.get("weighted") else ["n"]
    keys += ["reliable_text", "target", "gap"]
    keys += ["p_adjusted", "significant_text"] if inference else []
    keys += ["volume", "volume_share"]
    if "change" in result.cells.columns:
        keys += ["previous", "change"]
        keys += ["change_ci_low", "change_ci_high", "change_p_adjusted"] if inference else []
    keys += ["reason"]
    keys += ["unit", "deadline"] if summary else []
    return keys


def cells_table(
    report: RemediationReport,
    cells: pd.DataFrame,
    language: str,
    *,
    summary: bool,
    province: bool = False,
) -> pd.DataFrame:
    """`plan_table` of these cells with the plan's columns (`plan_keys`)."""
    result = report.result
    return plan_table(
        cells,
        plan_keys(result, summary=summary, province=province),
        language,
        rule=result.rule,
        elements=report.estimates["elements"],
        study=report.study,
    )


def change_table(change: pd.DataFrame, language: str, *, inference: bool = True) -> pd.DataFrame:
    """The notebook's table of the change of the overall and element indices by field
    (without interval and test columns when the sample was not drawn at random)."""
    vi = language == "vi"
    table = change.assign(
        label=change["label"].fillna("Chỉ số hài lòng chung" if vi else "Overall index")
    )[["field", "label", "previous", "current", "change", "ci_low", "ci_high", "df"]]
    table = table.assign(p_adjusted=change["p_adjusted"], sig=change["sig"])
    headers = _CHANGE_HEADERS[0 if vi else 1]
    table.columns = headers
    table = table.reset_index(drop=True)
    table.attrs["percent_columns"] = headers[2:7]
    if not inference:
        table = table[headers[:5]]
        table.attrs["percent_columns"] = headers[2:5]
    return table


def drivers_table(result: PlanAnalysis) -> pd.DataFrame:
    """The notebook's table of drivers (elements, then criteria) with their IPA quadrant."""
    columns = ["predictor", "label", "method", "importance", "se", "p", "rank", "n", "note"]
    table = pd.concat(
        [result.element_drivers[columns], result.drivers[columns]], ignore_index=True
    )
    quadrants = result.quadrants
    table = table.merge(
        quadrants[["variable", "performance", "quadrant_vi", "quadrant_en"]],
        left_on="predictor",
        right_on="variable",
        how="left",
    ).drop(columns="variable")
    table.attrs["percent_columns"] = ["performance"]
    return table


def workbook_sheets(report: RemediationReport) -> dict[str, pd.DataFrame]:
    """The sheets of remediation_plan.xlsx, Vietnamese headers, numbers as numbers."""
    result = report.result
    sheets: dict[str, pd.DataFrame] = {
        "Tổng hợp": cells_table(report, result.plan, "vi", summary=True)
    }
    for name in sorted(f for f in result.cells["field"].unique() if f != ALL):
        mine = result.cells[result.cells["field"] == name].sort_values("item", kind="stable")
        sheets[name] = cells_table(report, mine, "vi", summary=False)
    if result.by_province is not None:
        wide = result.by_province[result.by_province["tier"].notna()]
        role = report.study.get("unit") or "province"
        unit = "tỉnh" if role == "province" else kinds.unit_words(role, "vi")
        sheets[f"Theo {unit}"] = cells_table(report, wide, "vi", summary=False, province=True)
    if result.change_overall is not None:
        sheets["Thay đổi chung"] = _change_sheet(result.change_overall, result.rule.inference)
    elif result.change_refused:
        sheets["Thay đổi chung"] = pd.DataFrame(
            {"Không so sánh với kỳ trước": [result.change_refused]}
        )
    if result.element_drivers is not None and result.quadrants is not None:
        sheets["Động lực"] = _drivers_sheet(result)
    if result.reliability is not None:
        sheets["Độ tin cậy thang đo"] = _reliability_sheet(result.reliability)
    if result.comments is not None and len(result.comments):
        sheets["Ý kiến góp ý"] = _comments_sheet(result.comments)
    sheets["Phương pháp"] = pd.DataFrame({"Ghi chú": method_lines(report)})
    return sheets


def results_table(report: RemediationReport) -> pd.DataFrame:
    """The docx's results table: the overall index by field, its change, Priority-1 counts."""
    overall = report.estimates["overall"]
    mine = overall[(overall["province"] == report.province)].copy()
    mine["order"] = (mine["field"] == ALL).astype(int)
    mine = mine.sort_values(["order", "estimate"], ascending=[True, False])
    table = pd.DataFrame(
        {
            "Lĩnh vực": mine["field"].replace({ALL: "Chung"}).to_numpy(),
            "Chỉ số hài lòng chung (%)": mine["estimate"].to_numpy(),
        }
    )
    shares = ["Chỉ số hài lòng chung (%)"]
    if report.interval_vi:
        low, high = (
            f"{report.interval_vi[:1].upper()}{report.interval_vi[1:]} dưới",
            (f"{report.interval_vi[:1].upper()}{report.interval_vi[1:]} trên"),
        )
        table[low], table[high] = mine["ci_low"].to_numpy(), mine["ci_high"].to_numpy()
        shares += [low, high]
    table["n"] = mine["n"].astype("Int64").to_numpy()
    enough = "Tin cậy" if report.result.rule.inference else "Đủ số người trả lời"
    table[enough] = mine["reliable"].map({True: "Có", False: "Không"}).to_numpy()
    change = report.result.change_overall
    if change is not None:
        moved = change[change["variable"] == "overall"].set_index("field")["change"]
        table["Thay đổi so với kỳ trước"] = [
            _points(v) if pd.notna(v) else "–" for v in mine["field"].map(moved)
        ]
    counts = report.result.plan[report.result.plan["tier"] == 1].groupby("field").size()
    table["Số tiêu chí Ưu tiên 1"] = mine["field"].map(counts).fillna(0).astype(int).to_numpy()
    table.loc[table["Lĩnh vực"] == "Chung", "Số tiêu chí Ưu tiên 1"] = int(counts.sum())
    table.attrs["percent_columns"] = shares
    return table


def limitations_table(plan: pd.DataFrame, interval: str = "KTC 95%") -> pd.DataFrame:
    """The docx's limitations table: the first ten cells of Priority 1 and 2 (``interval``:
    the header of their intervals, "" when the kind of sample has none)."""
    worst = plan[plan["tier"].isin([1, 2])].head(10)
    table = pd.DataFrame(
        {
            "Lĩnh vực": worst["field"].replace({ALL: "Chung"}).to_numpy(),
            "Tiêu chí": worst["label"].to_numpy(),
            "Tỷ lệ hài lòng (%)": worst["estimate"].to_numpy(),
            interval: [
                f"{format_number(100 * a, digits=1)}–{format_number(100 * b, digits=1)}"
                for a, b in zip(worst["ci_low"], worst["ci_high"], strict=True)
            ],
            "n": worst["n"].astype("Int64").to_numpy(),
            "Chênh lệch (điểm %)": [format_number(100 * v, digits=1) for v in worst["gap"]],
            "Mức ưu tiên": worst["priority"].to_numpy(),
        }
    )
    if not interval:
        table = table.drop(columns=[interval])
    table.attrs["percent_columns"] = ["Tỷ lệ hài lòng (%)"]
    return table


def _change_sheet(change: pd.DataFrame, inference: bool = True) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Lĩnh vực": change["field"].to_numpy(),
            "Chỉ số": change["label"].fillna("Chỉ số hài lòng chung").to_numpy(),
            "Kỳ trước (%)": change["previous"].to_numpy(),
            "Kỳ này (%)": change["current"].to_numpy(),
            "Thay đổi (điểm %)": change["change"].to_numpy(),
            "KTC 95% dưới": change["ci_low"].to_numpy(),
            "KTC 95% trên": change["ci_high"].to_numpy(),
            "Bậc tự do": change["df"].to_numpy(),
            "p (hiệu chỉnh)": change["p_adjusted"].to_numpy(),
            "Xu hướng": change["sig"].map({"up": "Tăng", "down": "Giảm"}).fillna("").to_numpy(),
            "Tin cậy": change["reliable"].map({True: "Có", False: "Không"}).to_numpy(),
        }
    )
    table.attrs["percent_columns"] = [
        "Kỳ trước (%)",
        "Kỳ này (%)",
        "Thay đổi (điểm %)",
        "KTC 95% dưới",
        "KTC 95% trên",
    ]
    if not inference:  # a difference between those who answered: nothing tested
        table = table.drop(
            columns=["KTC 95% dưới", "KTC 95% trên", "Bậc tự do", "p (hiệu chỉnh)", "Xu hướng"]
        )
        table = table.rename(columns={"Tin cậy": "Đủ số người trả lời"})
        table.attrs["percent_columns"] = ["Kỳ trước (%)", "Kỳ này (%)", "Thay đổi (điểm %)"]
    return table


def _drivers_sheet(result: PlanAnalysis) -> pd.DataFrame:
    both = pd.concat([result.element_drivers, result.drivers], ignore_index=True)
    quadrants = result.quadrants.set_index("variable") if result.quadrants is not None else None
    table = pd.DataFrame(
        {
            "Biến": both["predictor"].to_numpy(),
            "Nội dung": both["label"].to_numpy(),
            "Phương pháp": both["method"].to_numpy(),
            "Hệ số": both["coefficient"].to_numpy(),
            "Sai số chuẩn": both["se"].to_numpy(),
            "Tầm quan trọng": both["importance"].to_numpy(),
            "Thứ hạng": both["rank"].to_numpy(),
            "n": both["n"].to_numpy(),
            "Tỷ lệ hài lòng (%)": both["predictor"]
            .map(quadrants["performance"] if quadrants is not None else {})
            .to_numpy(),
            "Góc phần tư": both["predictor"]
            .map(quadrants["quadrant_vi"] if quadrants is not None else {})
            .fillna("")
            .to_numpy(),
            "Ghi chú": both["note"].fillna("").to_numpy(),
        }
    )
    table.attrs["percent_columns"] = ["Tỷ lệ hài lòng (%)"]
    return table


def _reliability_sheet(reliability: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Yếu tố": reliability["group_label"].to_numpy(),
            "Tiêu chí": reliability["item"].to_numpy(),
            "n": reliability["n"].to_numpy(),
            "Cronbach alpha": reliability["alpha"].to_numpy(),
            "Tương quan với các tiêu chí còn lại": reliability["item_rest"].to_numpy(),
            "Alpha nếu bỏ tiêu chí": reliability["alpha_if_deleted"].to_numpy(),
            "Gắn cờ": reliability["flag"].map({True: "Có", False: "Không"}).to_numpy(),
            "Ghi chú": reliability["note"].to_numpy(),
        }
    )


def _comments_sheet(comments: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Lĩnh vực": comments["field"].to_numpy(),
            "Thứ tự": comments["rank"].to_numpy(),
            "Cụm từ": comments["phrase"].to_numpy(),
            "Số ý kiến có cụm từ": comments["count"].to_numpy(),
            "Số ý kiến": comments["comments"].to_numpy(),
            "Tỷ lệ (%)": comments["share"].to_numpy(),
        }
    )
    table.attrs["percent_columns"] = ["Tỷ lệ (%)"]
    return table
