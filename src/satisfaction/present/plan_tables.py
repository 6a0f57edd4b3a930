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
    "criterion_names",
    "drivers_table",
    "limitations_table",
    "plan_keys",
    "plan_table",
    "reliability_table",
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
# changes and gaps of shares: shown in percentage points
_POINTS = ("gap", "change", "change_ci_low", "change_ci_high")
# columns the workbook keeps and the HTML report leaves out (it says where they are)
_DETAIL = (
    "item",
    "group_label",
    "N",
    "reliable_text",
    "target",
    "p_adjusted",
    "significant_text",
    "volume",
    "volume_share",
    "previous",
    "change_ci_low",
    "change_ci_high",
    "change_p_adjusted",
    "unit",
    "deadline",
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
    index_of = {key: _COLUMNS[key][index] for key in keys}
    out.attrs["points_columns"] = [index_of[k] for k in _POINTS if k in index_of]
    p_keys = ("p_adjusted", "change_p_adjusted")
    out.attrs["p_columns"] = [index_of[k] for k in p_keys if k in index_of]
    out.attrs["hidden_columns"] = [index_of[k] for k in _DETAIL if k in index_of]
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
    return _change_sheet(change, language, inference)


def drivers_table(result: PlanAnalysis, language: str = "vi") -> pd.DataFrame:
    """The notebook's table of drivers (elements, then criteria) with their IPA quadrant."""
    return _drivers_sheet(result, language)


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
        sheets["Thay đổi chung"] = _change_sheet(
            result.change_overall, "vi", result.rule.inference
        )
    elif result.change_refused:
        sheets["Thay đổi chung"] = pd.DataFrame(
            {"Không so sánh với kỳ trước": [result.change_refused]}
        )
    if result.element_drivers is not None and result.quadrants is not None:
        sheets["Động lực"] = _drivers_sheet(result, "vi")
    if result.reliability is not None:
        sheets["Độ tin cậy thang đo"] = reliability_table(report, "vi")
    if result.comments is not None and len(result.comments):
        sheets["Ý kiến góp ý"] = _comments_sheet(result.comments, "vi")
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


# key -> (Vietnamese header, English header) of the change, drivers, reliability and
# comment tables (the workbook's sheets in Vietnamese, the notebook's in its language)
_HEADERS: dict[str, tuple[str, str]] = {
    "field": ("Lĩnh vực", "Field"),
    "index": ("Chỉ số", "Index"),
    "previous": ("Kỳ trước (%)", "Previous (%)"),
    "current": ("Kỳ này (%)", "Current (%)"),
    "change": ("Thay đổi (điểm %)", "Change (points)"),
    "ci_low": ("KTC 95% dưới", "95% CI lower"),
    "ci_high": ("KTC 95% trên", "95% CI upper"),
    "df": ("Bậc tự do", "Degrees of freedom"),
    "p_adjusted": ("p (hiệu chỉnh)", "p (adjusted)"),
    "direction": ("Xu hướng", "Direction"),
    "reliable": ("Tin cậy", "Reliable"),
    "predictor": ("Mã", "Code"),
    "label": ("Nội dung", "Item"),
    "method": ("Phương pháp", "Method"),
    "coefficient": ("Hệ số", "Coefficient"),
    "se": ("Sai số chuẩn", "Standard error"),
    "importance": ("Tầm quan trọng", "Importance"),
    "rank": ("Thứ hạng", "Rank"),
    "n": ("n", "n"),
    "performance": ("Tỷ lệ hài lòng (%)", "Satisfied (%)"),
    "quadrant": ("Góc phần tư", "Quadrant"),
    "note": ("Ghi chú", "Note"),
    "element": ("Yếu tố", "Element"),
    "criterion": ("Tiêu chí", "Criterion"),
    "alpha": ("Cronbach alpha", "Cronbach's alpha"),
    "item_rest": ("Tương quan với các tiêu chí còn lại", "Item-rest correlation"),
    "alpha_if_deleted": ("Alpha nếu bỏ tiêu chí", "Alpha if deleted"),
    "flag": ("Gắn cờ", "Flagged"),
    "order": ("Thứ tự", "Rank"),
    "phrase": ("Cụm từ", "Phrase"),
    "count": ("Số ý kiến có cụm từ", "Comments with the phrase"),
    "comments": ("Số ý kiến", "Comments"),
    "share": ("Tỷ lệ (%)", "Share (%)"),
}
_YES_NO = {"vi": {True: "Có", False: "Không"}, "en": {True: "Yes", False: "No"}}
_METHODS = {
    "vi": {"ordinal": "Mô hình logit thứ bậc", "correlation": "Hệ số tương quan"},
    "en": {"ordinal": "Ordinal logit model", "correlation": "Correlation"},
}


def _h(key: str, language: str) -> str:
    return _HEADERS[key][0 if language == "vi" else 1]


def _change_sheet(change: pd.DataFrame, language: str, inference: bool = True) -> pd.DataFrame:
    vi = language == "vi"
    h = lambda key: _h(key, language)  # noqa: E731
    directions = {"up": "Tăng", "down": "Giảm"} if vi else {"up": "Up", "down": "Down"}
    overall = "Chỉ số hài lòng chung" if vi else "Overall index"
    table = pd.DataFrame(
        {
            h("field"): change["field"].replace({} if vi else {ALL: "All fields"}).to_numpy(),
            h("index"): change["label"].fillna(overall).to_numpy(),
            h("previous"): change["previous"].to_numpy(),
            h("current"): change["current"].to_numpy(),
            h("change"): change["change"].to_numpy(),
            h("ci_low"): change["ci_low"].to_numpy(),
            h("ci_high"): change["ci_high"].to_numpy(),
            h("df"): change["df"].to_numpy(),
            h("p_adjusted"): change["p_adjusted"].to_numpy(),
            h("direction"): change["sig"].map(directions).fillna("").to_numpy(),
            h("reliable"): change["reliable"].map(_YES_NO[language]).to_numpy(),
        }
    )
    table.attrs["percent_columns"] = [
        h(k) for k in ("previous", "current", "change", "ci_low", "ci_high")
    ]
    table.attrs["points_columns"] = [h(k) for k in ("change", "ci_low", "ci_high")]
    table.attrs["p_columns"] = [h("p_adjusted")]
    table.attrs["hidden_columns"] = [h("df")]
    if not inference:  # a difference between those who answered: nothing tested
        dropped = [h(k) for k in ("ci_low", "ci_high", "df", "p_adjusted", "direction")]
        table = table.drop(columns=dropped)
        table = table.rename(
            columns={h("reliable"): "Đủ số người trả lời" if vi else "Enough respondents"}
        )
        table.attrs["percent_columns"] = [h(k) for k in ("previous", "current", "change")]
        table.attrs["points_columns"] = [h("change")]
        table.attrs["p_columns"] = []
        table.attrs["hidden_columns"] = []
    return table


def _drivers_sheet(result: PlanAnalysis, language: str) -> pd.DataFrame:
    h = lambda key: _h(key, language)  # noqa: E731
    both = pd.concat([result.element_drivers, result.drivers], ignore_index=True)
    quadrants = result.quadrants.set_index("variable") if result.quadrants is not None else None
    quadrant = "quadrant_vi" if language == "vi" else "quadrant_en"
    table = pd.DataFrame(
        {
            h("predictor"): both["predictor"].to_numpy(),
            h("label"): both["label"].to_numpy(),
            h("method"): both["method"].map(_METHODS[language]).fillna(both["method"]).to_numpy(),
            h("coefficient"): both["coefficient"].to_numpy(),
            h("se"): both["se"].to_numpy(),
            h("importance"): both["importance"].to_numpy(),
            h("rank"): both["rank"].to_numpy(),
            h("n"): both["n"].to_numpy(),
            h("performance"): both["predictor"]
            .map(quadrants["performance"] if quadrants is not None else {})
            .to_numpy(),
            h("quadrant"): both["predictor"]
            .map(quadrants[quadrant] if quadrants is not None else {})
            .fillna("")
            .to_numpy(),
            h("note"): both["note"].fillna("").to_numpy(),
        }
    )
    table.attrs["percent_columns"] = [h("performance")]
    table.attrs["hidden_columns"] = [h(k) for k in ("predictor", "coefficient", "se")]
    return table


def criterion_names(report: RemediationReport) -> dict[str, str]:
    """Criterion id -> its text, from the estimates (reports show names, never ids)."""
    criteria = report.estimates["criteria"].drop_duplicates("item")
    return dict(zip(criteria["item"], criteria["label"], strict=True))


def reliability_table(report: RemediationReport, language: str) -> pd.DataFrame:
    """Scale reliability per element and criterion, criteria by name."""
    return _reliability_sheet(report.result.reliability, language, criterion_names(report))


def _reliability_sheet(
    reliability: pd.DataFrame, language: str, names: dict[str, str]
) -> pd.DataFrame:
    h = lambda key: _h(key, language)  # noqa: E731
    note = "note" if language == "vi" else "note_en"
    table = pd.DataFrame(
        {
            h("element"): reliability["group_label"].to_numpy(),
            h("criterion"): reliability["item"].map(names).fillna(reliability["item"]).to_numpy(),
            h("n"): reliability["n"].to_numpy(),
            h("alpha"): reliability["alpha"].to_numpy(),
            h("item_rest"): reliability["item_rest"].to_numpy(),
            h("alpha_if_deleted"): reliability["alpha_if_deleted"].to_numpy(),
            h("flag"): reliability["flag"].map(_YES_NO[language]).to_numpy(),
            h("note"): reliability[note if note in reliability else "note"].to_numpy(),
        }
    )
    return table


def comments_table(comments: pd.DataFrame, language: str) -> pd.DataFrame:
    """The most frequent phrases of the comments per field."""
    return _comments_sheet(comments, language)


def _comments_sheet(comments: pd.DataFrame, language: str) -> pd.DataFrame:
    h = lambda key: _h(key, language)  # noqa: E731
    table = pd.DataFrame(
        {
            h("field"): comments["field"].to_numpy(),
            h("order"): comments["rank"].to_numpy(),
            h("phrase"): comments["phrase"].to_numpy(),
            h("count"): comments["count"].to_numpy(),
            h("comments"): comments["comments"].to_numpy(),
            h("share"): comments["share"].to_numpy(),
        }
    )
    table.attrs["percent_columns"] = [h("share")]
    return table
