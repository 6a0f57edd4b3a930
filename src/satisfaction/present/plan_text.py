"""The remediation plan's words: notebook labels, numbers in Vietnamese, and the sentences.

Shares, percentage points and p-values as the documents print them, the priority rule
(`priority_rule_text`, the "Cách xếp mức ưu tiên" note), why a cell got its priority, and
the paragraphs of the docx ("Kết quả khảo sát", "Hạn chế, tồn tại") and of the workbook's
"Phương pháp" sheet. The documents are always Vietnamese; `TEXT` holds the notebook's
words in both languages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from satisfaction.analysis.comments import VIETNAMESE_STOPWORDS
from satisfaction.analysis.estimates import ALL
from satisfaction.analysis.remediation import PriorityRule
from satisfaction.io.text import match_key
from satisfaction.present.formatting import format_number, format_percent
from satisfaction.present.wording import comparison_words, method_sentences, reliability_text
from satisfaction.studies import kinds

if TYPE_CHECKING:
    from satisfaction.present.plan import RemediationReport

__all__ = [
    "TEXT",
    "limitation_paragraphs",
    "method_lines",
    "priority_rule_text",
    "results_paragraphs",
]

TEXT = {
    "vi": {
        "all": "Toàn bộ khảo sát",
        "priority_title": "Các tiêu chí cần ưu tiên khắc phục — {where}",
        "ipa_title": "Tầm quan trọng và mức hài lòng của các tiêu chí — {where}",
        "change_title": "Thay đổi chỉ số hài lòng chung so với {previous} — {where}",
        "importance": "Tầm quan trọng (hệ số chuẩn hoá)",
        "importance_r": "Tầm quan trọng (hệ số tương quan)",
        "performance": "Tỷ lệ hài lòng",
        "change_axis": "Thay đổi (điểm %)",
        "target_note": "Đường đứt: mục tiêu {target}",
        "yes": "Có",
        "no": "Không",
        "target": "Mục tiêu",
        "sig_below_target": "Thấp hơn mục tiêu có ý nghĩa",
        "no_change": "Không đổi",
        "sig_up": "Tăng có ý nghĩa",
        "sig_down": "Giảm có ý nghĩa",
        "change_note": "Hai mẫu độc lập cùng phiên bản công cụ. Thay đổi của chỉ số chung trên "
        "toàn bộ các lĩnh vực là phép so sánh chính, không hiệu chỉnh; các thay đổi khác có giá "
        "trị p đã hiệu chỉnh cho nhiều phép so sánh.",
        "refused": "Không so sánh với kỳ trước: hai kỳ khảo sát đo khác nhau (khác phương pháp).",
        "refused_header": "Không so sánh với kỳ trước",
        "change_note_none": "Chênh lệch giữa những người đã trả lời ở hai kỳ; không kiểm định.",
    },
    "en": {
        "all": "Whole survey",
        "priority_title": "Criteria to fix first — {where}",
        "ipa_title": "Importance and satisfaction of the criteria — {where}",
        "change_title": "Change of overall satisfaction since {previous} — {where}",
        "importance": "Importance (standardised coefficient)",
        "importance_r": "Importance (correlation)",
        "performance": "Satisfied share",
        "change_axis": "Change (percentage points)",
        "target_note": "Dashed line: target {target}",
        "yes": "Yes",
        "no": "No",
        "target": "Target",
        "sig_below_target": "Significantly below target",
        "no_change": "No change",
        "sig_up": "Significant rise",
        "sig_down": "Significant fall",
        "change_note": "Two independent samples of one instrument version. The change of the "
        "overall index over all fields is the primary comparison, not adjusted; the other "
        "changes have p-values adjusted for multiple comparisons.",
        "refused": "Not compared with the previous wave: the two waves were measured "
        "differently (a method break).",
        "refused_header": "Not compared with the previous wave",
        "change_note_none": "Differences between those who answered in the two waves; not tested.",
    },
}


def _pct(value: float, *, sign: bool = False) -> str:
    return format_percent(value, sign=sign)


def _points(value: float) -> str:
    """A change or gap in percentage points: ``0.131`` -> ``"+13,1 điểm %"`` (no-break)."""
    return format_percent(value, sign=True).removesuffix("%") + "\u00a0điểm\u00a0%"


def p_value_text(value: float) -> str:
    """A p-value with 3 significant digits, Vietnamese comma: 0.0195 -> "0,0195"."""
    if value is None or not np.isfinite(value):
        return ""
    if value < 0.001:
        return "< 0,001"
    if value >= 0.9995:
        return "1"
    return f"{value:.3g}".replace(".", ",")


def _p_text(value: float, *, adjusted: bool = True) -> str:
    """A p-value in a sentence: "p đã hiệu chỉnh = 0,195", "p < 0,001"."""
    if value is None or not np.isfinite(value):
        return "không kiểm định được"
    shown = p_value_text(value)
    name = "p đã hiệu chỉnh" if adjusted else "p"
    return f"{name} {shown}" if shown.startswith("<") else f"{name} = {shown}"


def _target_text(rule: PriorityRule, whole: bool) -> str:
    if rule.fixed_target is not None:
        return _pct(rule.fixed_target, sign=False).replace(",0%", "%")
    return (
        "giá trị của cùng tiêu chí trên toàn bộ các lĩnh vực"
        if whole
        else "giá trị của cùng lĩnh vực, tiêu chí trên toàn bộ các tỉnh"
    )


def priority_rule_text(
    rule: PriorityRule, *, cells: int, volume_source: str, whole: bool, weighted: bool = True
) -> str:
    """The "Cách xếp mức ưu tiên" note of the documents (Vietnamese).

    A sample not drawn at random (``rule.inference`` False) ranks gaps by size and n, and
    the note says so without any word of testing."""
    adjust = "Holm" if rule.adjust == "holm" else "Benjamini–Hochberg"
    volume = "số hồ sơ" if volume_source == "dossiers" else "số người sử dụng dịch vụ ước tính"
    if volume_source != "dossiers" and not weighted:
        volume = "số người trả lời"
    third = format_number(100 * rule.tier1_volume, digits=0)
    if not rule.inference:
        return (
            f"Cách xếp mức ưu tiên: mục tiêu là {_target_text(rule, whole)}; chênh lệch = mục "
            "tiêu − tỷ lệ hài lòng. Người trả lời không được chọn ngẫu nhiên nên không kiểm "
            f"định: {cells} ô lĩnh vực × tiêu chí được xếp theo độ lớn của chênh lệch và số "
            "người trả lời. Ưu tiên 1: đủ số người trả lời và chênh lệch từ "
            f"{format_number(100 * rule.tier1_gap, digits=0)} điểm % trở lên. Ưu tiên 2: đủ "
            f"số người trả lời và chênh lệch từ {format_number(100 * rule.tier2_gap, digits=0)}"
            " điểm % trở lên. Ưu tiên 3: các ô còn lại thấp hơn mục tiêu, kể cả ô có ít người "
            f"trả lời. Trong mỗi mức, xếp theo chênh lệch × tỷ trọng khối lượng ({volume})."
        )
    return (
        f"Cách xếp mức ưu tiên: mục tiêu là {_target_text(rule, whole)}; chênh lệch = mục tiêu "
        "− tỷ lệ hài lòng. Kiểm định một phía theo thiết kế mẫu (thống kê t, bậc tự do của "
        f"thiết kế), hiệu chỉnh {adjust} trên toàn bộ {cells} ô lĩnh vực × tiêu chí, mức ý "
        f"nghĩa {format_number(100 * rule.alpha, digits=0)}%. Ưu tiên 1: ước lượng tin cậy, "
        "thấp hơn mục tiêu có ý nghĩa thống kê và chênh lệch từ "
        f"{format_number(100 * rule.tier1_gap, digits=0)} điểm % trở lên hoặc lĩnh vực thuộc "
        f"nhóm {third}% có khối lượng ({volume}) lớn nhất. Ưu tiên 2: ước lượng tin cậy, "
        "thấp hơn mục tiêu, có ý nghĩa thống kê hoặc chênh lệch từ "
        f"{format_number(100 * rule.tier2_gap, digits=0)} điểm % trở lên. Ưu tiên 3: các ô "
        "còn lại thấp hơn mục tiêu, kể cả ô không đủ tin cậy (không bao giờ xếp Ưu tiên 1). "
        "Trong mỗi mức, xếp theo chênh lệch × tỷ trọng khối lượng."
    )


def _reason(row: pd.Series, rule: PriorityRule) -> str:
    """Why a cell got its priority, in a short Vietnamese phrase."""
    if not bool(row["below_target"]):
        return "Đạt hoặc vượt mục tiêu"
    gap = f"Thấp hơn mục tiêu {_points(row['gap']).lstrip('+')}"
    if not rule.inference:  # gaps by size and n, nothing tested
        n = f"n\u00a0=\u00a0{format_number(row['n'], digits=0)}"
        return (
            f"{gap} ({n})" if bool(row["reliable"]) else f"Ít người trả lời ({n}); {gap.lower()}"
        )
    if not bool(row["reliable"]):
        note = reliability_text(row.get("reliability_note"), "vi")
        return f"Ước lượng chưa đủ tin cậy{f' ({note})' if note else ''}; {gap.lower()}"
    parts = [gap]
    parts.append(
        f"có ý nghĩa thống kê ({_p_text(row['p_adjusted'])})"
        if bool(row["significant"])
        else f"chưa có ý nghĩa thống kê ({_p_text(row['p_adjusted'])})"
    )
    if row.get("tier") == 1 and bool(row["top_volume"]) and not bool(row["large_gap"]):
        parts.append("lĩnh vực có khối lượng lớn")
    return "; ".join(parts)


def _evidence(said: pd.DataFrame, criterion: str, field: str) -> pd.Series | None:
    """The field's most frequent comment phrase that speaks of this criterion: it shares
    two content syllables with the criterion's text (not counting stopwords and the field's
    own name), so "nơi ngồi chờ chật chội" supports "Nơi ngồi chờ có đủ chỗ ngồi" and not
    "Thời hạn giải quyết đúng quy định". None when no phrase does."""
    if not len(said):
        return None
    own = set(match_key(field).split())
    wanted = {w for w in match_key(criterion).split() if w not in VIETNAMESE_STOPWORDS} - own
    for _, phrase in said.sort_values(["count", "words"], ascending=False).iterrows():
        if len(wanted & set(match_key(str(phrase["phrase"])).split())) >= 2:
            return phrase
    return None


def method_lines(report: RemediationReport) -> list[str]:
    """The "Phương pháp" sheet: the priority rule, sources, design, change and drivers."""
    result = report.result
    meta = report.estimates.meta
    lines = [report.rule_text, f"{report.source}.", *method_sentences(report.facts, "vi")]
    if result.change_refused:
        lines.append(f"Không so sánh với kỳ trước: {result.change_refused}")
    elif result.change_overall is not None and not result.rule.inference:
        lines.append(
            f"Thay đổi so với {report.previous_label}: chênh lệch giữa những người đã trả lời ở "
            "hai kỳ, cùng phiên bản công cụ; không kiểm định."
        )
    elif result.change_overall is not None:
        lines.append(
            f"Thay đổi so với {report.previous_label}: hai mẫu độc lập cùng phiên bản công cụ "
            f"({meta.get('instrument_version')}); sai số chuẩn của hiệu = căn bậc hai tổng "
            "bình phương sai số chuẩn hai kỳ; kiểm định t hai phía. Thay đổi của chỉ số "
            "chung trên toàn bộ các lĩnh vực là phép so sánh chính, không hiệu chỉnh. "
            + comparison_words(result.rule.adjust, None, "vi")
            + " Ô có dưới "
            + format_number((meta.get("options") or {}).get("min_n", 30), digits=0)
            + " người trả lời ở một kỳ không được kiểm định."
        )
    if result.drivers is not None:
        method = result.drivers.attrs.get("method", "")
        reason = result.drivers.attrs.get("fallback_reason", "")
        # the drivers' own weights: a raked quota poll's drivers are fitted unweighted
        weighted = " có trọng số" if result.drivers.attrs.get("weight") else ""
        lines.append(
            f"Động lực: mô hình logit thứ bậc{weighted} (svyolr) của mức hài lòng chung "
            "theo các tiêu chí; tầm quan trọng = hệ số chuẩn hoá theo biến ẩn."
            if method == "ordinal"
            else f"Động lực: hệ số tương quan{weighted} với mức hài lòng chung (mô hình "
            f"logit thứ bậc không dùng được: {reason})."
        )
        if not result.rule.inference:
            lines.append(
                "Động lực mô tả mối liên hệ trong số những người đã trả lời, không suy rộng."
            )
    return lines


def _study_lines(report: RemediationReport) -> list[str]:
    """The kind of sample in the documents' words (always Vietnamese), and the geography."""
    meta = report.estimates.meta
    lines = kinds.kind_sentences(report.study, "vi")
    if report.result.rule.inference and meta.get("design"):
        lines.append(f"Thiết kế mẫu: {meta.get('design')}.")
    lines.append(f"Địa giới: {meta.get('geography')}.")
    return lines


def _bracket(report: RemediationReport, row: pd.Series, n: object) -> str:
    """What follows a share in a sentence: its interval for the kind of sample, or its n."""
    if report.interval_vi and pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")):
        return f"{report.interval_vi}: {_pct(row['ci_low'])}–{_pct(row['ci_high'])}"
    return f"n = {format_number(n, digits=0)}"


def results_paragraphs(report: RemediationReport) -> list[str]:
    """The "Kết quả khảo sát" paragraphs: sample and overall index (and its change since the
    previous wave), best and worst element and field, the strongest driver."""
    result = report.result
    est = report.estimates
    overall = est["overall"]
    mine = overall[(overall["province"] == report.province)]
    whole = mine[mine["field"] == ALL].iloc[0]
    meta = est.meta
    sample = est["sample"]
    n = sample[(sample["province"] == report.province) & (sample["field"] == ALL)]["n"]
    where = "toàn bộ khảo sát" if report.province == ALL else report.province
    first = (
        f"{meta.get('title')} năm {meta.get('year')} có "
        f"{format_number(n.iloc[0], digits=0)} phiếu hợp lệ tại {where}. Chỉ số hài lòng "
        f"chung đạt {_pct(whole['estimate'])} ({_bracket(report, whole, whole['n'])})."
    )
    change = result.change_overall
    if change is not None:
        row = change[(change["variable"] == "overall") & (change["field"] == ALL)]
        if len(row):
            row = row.iloc[0]
            moved = (
                "tăng" if row["change"] > 0 else "giảm"
            ) + f" {_points(abs(row['change'])).lstrip('+')}"
            verdict = "có ý nghĩa thống kê" if row["sig"] else "chưa có ý nghĩa thống kê"
            if not result.rule.inference:
                first += (
                    f" So với {report.previous_label} ({_pct(row['previous'])}), chỉ số {moved}"
                    " (chênh lệch giữa những người đã trả lời ở hai kỳ, không kiểm định)."
                )
            elif bool(row.get("suppressed", False)):
                first += (
                    f" So với {report.previous_label} ({_pct(row['previous'])}), chỉ số "
                    f"{moved}; một trong hai kỳ có quá ít người trả lời nên không kiểm định."
                )
            else:
                # the one primary comparison: its p is not adjusted and agrees with its CI
                first += (
                    f" So với {report.previous_label} ({_pct(row['previous'])}), chỉ số "
                    f"{moved} (KTC 95%: {_points(row['ci_low'])} đến "
                    f"{_points(row['ci_high'])}; {_p_text(row['p_value'], adjusted=False)}), "
                    f"{verdict}."
                )
    elif result.change_refused:
        first += " Không so sánh với kỳ trước vì khác phương pháp (xem phần Hạn chế)."
    paragraphs = [first]
    elements = est["elements"]
    elements = elements[(elements["province"] == report.province) & (elements["field"] == ALL)]
    if len(elements):
        best = elements.loc[elements["estimate"].idxmax()]
        worst = elements.loc[elements["estimate"].idxmin()]
        paragraphs.append(
            f"Theo yếu tố, cao nhất là “{best['label']}” ({_pct(best['estimate'])}), thấp "
            f"nhất là “{worst['label']}” ({_pct(worst['estimate'])})."
        )
    fields = mine[mine["field"] != ALL]
    reliable = fields[fields["reliable"].fillna(False).astype(bool)]
    if len(reliable) >= 2:
        best = reliable.loc[reliable["estimate"].idxmax()]
        worst = reliable.loc[reliable["estimate"].idxmin()]
        paragraphs.append(
            f"Theo lĩnh vực, {best['field']} có chỉ số cao nhất ({_pct(best['estimate'])}), "
            f"{worst['field']} thấp nhất ({_pct(worst['estimate'])})."
        )
    groups = _by_group(report)
    if groups:
        paragraphs.append(groups)
    drivers = result.element_drivers
    if drivers is not None and len(drivers):
        top = drivers.iloc[0]
        weighted = " có trọng số" if drivers.attrs.get("weight") else ""
        how = (
            f"mô hình logit thứ bậc{weighted}"
            if top["method"] == "ordinal"
            else f"tương quan{weighted}"
        )
        paragraphs.append(
            f"Yếu tố tác động mạnh nhất đến mức hài lòng chung là “{top['label']}” "
            f"(tầm quan trọng {format_number(top['importance'], digits=2)}; {how})."
        )
    return paragraphs


def _by_group(report: RemediationReport) -> str:
    """The overall index per respondent group (a quota poll's primary breakdown), or ""."""
    frame = report.estimates.frames.get("breakdowns")
    if frame is None or frame.empty:
        return ""
    mine = frame[
        (frame["province"] == report.province)
        & (frame["breakdown"] == "respondent_group")
        & (frame["variable"] == "overall")
        & (frame["field"] == ALL)
    ]
    parts = [
        f"{row['category']} {_pct(row['estimate'])} (n = {format_number(row['n'], digits=0)})"
        for _, row in mine.iterrows()
        if pd.notna(row["estimate"])
    ]
    if not parts:
        return ""
    return "Theo nhóm người trả lời, chỉ số hài lòng chung: " + "; ".join(parts) + "."


def _place(row: pd.Series) -> str:
    """ "Đất đai, " before a criterion; nothing for a survey with no field column."""
    return "" if row["field"] == ALL else f"{row['field']}, "


def limitation_paragraphs(report: RemediationReport) -> list[str]:
    """The "Hạn chế, tồn tại" paragraphs: cells per tier, the first Priority-1 cells (with
    their change and most frequent comment), scale reliability, a refused comparison."""
    result = report.result
    plan = result.plan
    tiers = plan["tier"].value_counts()
    target = _target_text(result.rule, report.province == ALL)
    paragraphs = [
        f"Đối chiếu với mục tiêu ({target}), trong {len(result.cells)} ô lĩnh vực × tiêu "
        f"chí có {int(tiers.get(1, 0))} ô ở mức Ưu tiên 1, {int(tiers.get(2, 0))} ô Ưu tiên "
        f"2 và {int(tiers.get(3, 0))} ô Ưu tiên 3."
    ]
    phrases = result.comments if result.comments is not None else pd.DataFrame()
    for _, row in plan[plan["tier"] == 1].head(5).iterrows():
        bracket = _bracket(report, row, row["n"])
        if not bracket.startswith("n ="):
            bracket += f"; n = {format_number(row['n'], digits=0)}"
        text = (
            f"{_place(row)}tiêu chí “{row['label']}”: {_pct(row['estimate'])} ({bracket}), "
            f"thấp hơn mục tiêu {_points(row['gap']).lstrip('+')}"
        )
        if result.rule.inference:
            text += f" ({_p_text(row['p_adjusted'])})"
        if "change" in row.index and pd.notna(row.get("change")):
            text += f"; so với {report.previous_label}: {_points(row['change'])}"
        said = phrases[phrases["field"] == row["field"]] if len(phrases) else phrases
        top = _evidence(said, str(row["label"]), str(row["field"]))
        if top is not None:
            text += (
                f". Ý kiến góp ý về nội dung này: “{top['phrase']}” ({int(top['count'])}/"
                f"{int(top['comments'])} ý kiến)"
            )
        paragraphs.append(text + ".")
    flagged = (
        result.reliability[result.reliability["flag"] | result.reliability["alpha_low"]]
        if result.reliability is not None
        else pd.DataFrame()
    )
    if len(flagged):
        criteria = report.estimates["criteria"].drop_duplicates("item")
        names = dict(zip(criteria["item"], criteria["label"], strict=True))
        for _, row in flagged.iterrows():
            paragraphs.append(
                f"Thang đo {row['group_label']}, tiêu chí "
                f"“{names.get(row['item'], row['item'])}”: {row['note']}."
            )
    elif result.reliability is not None:
        alphas = result.reliability.groupby("group")["alpha"].first()
        paragraphs.append(
            "Các tiêu chí của mỗi yếu tố đo cùng một nội dung (hệ số Cronbach alpha từ "
            f"{format_number(alphas.min(), digits=2)} đến "
            f"{format_number(alphas.max(), digits=2)}; "
            "không tiêu chí nào bị gắn cờ không phù hợp)."
        )
    if result.change_refused:
        paragraphs.append(f"Không so sánh với kỳ trước: {result.change_refused}.")
    return paragraphs
