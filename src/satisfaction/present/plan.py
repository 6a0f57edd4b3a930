"""The remediation plan of one province (or the whole survey): notebook sections and documents.

`RemediationReport.open(survey, province=..., previous_wave=..., target=...)` loads the
survey's up-front estimates (and the previous wave's), the clean data, and runs
`remediation.remediation_analysis` once. Each section method returns a presentation table and
draws, shows and saves its figure, as `sections.ProvinceReport` does. `finish()` writes the
two documents from ONE set of frames:

* ``remediation_plan.xlsx``: "Tổng hợp" (every cell below target, first to fix first), one
  sheet per field (all its criteria), the province x field x criterion cells of a whole-survey
  plan ("Theo tỉnh"), change of the overall and element indices, drivers and quadrants,
  scale reliability, comment phrases, and the rule ("Phương pháp"). Vietnamese headers;
  shares, CIs, targets, gaps and changes are numbers (0..1 with a ``0.0%`` format), n and
  volumes whole numbers, p-values numbers.
* ``remediation_plan.docx`` (Vietnamese, the usual report structure: Kết quả khảo sát;
  Hạn chế, tồn tại; Nguyên nhân with headings left for the analyst; Giải pháp, nhiệm vụ),
  whose solutions-and-tasks table is `report.remediation_plan_rows` of the first rows of the
  same frame as the "Tổng hợp" sheet, and whose figures are the PNGs saved by the sections.

The documents are always Vietnamese (the administrative genre); `language` sets the
notebook's tables and the figures' words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from satisfaction.analysis.estimates import ALL, AnalysisOptions
from satisfaction.analysis.remediation import (
    PlanAnalysis,
    PriorityRule,
    remediation_analysis,
)
from satisfaction.errors import ParameterError
from satisfaction.io.instrument import load_instrument
from satisfaction.present import figures
from satisfaction.present.report import (
    format_number,
    format_percent,
    remediation_plan_rows,
    write_remediation_docx,
    write_workbook,
)
from satisfaction.present.sections import _Report
from satisfaction.present.survey_choice import (
    choose_one,
    ensure_estimates,
    find_root,
    load_or_clean,
    survey_folder,
)

__all__ = ["PLAN_NAME", "RemediationReport", "priority_rule_text"]

PLAN_NAME = "remediation_plan"
_DOC_ROWS = 25  # rows of the solutions-and-tasks table in the docx; the xlsx has them all
_FIGURE_ROWS = 12

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
    },
}


def _pct(value: float, *, sign: bool = False) -> str:
    return format_percent(value, sign=sign)


def _points(value: float) -> str:
    """A change or gap in percentage points: ``0.131`` -> ``"+13,1 điểm %"`` (no-break)."""
    return format_percent(value, sign=True).removesuffix("%") + "\u00a0điểm\u00a0%"


def _p_text(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "không kiểm định được"
    if value < 0.001:
        return "p < 0,001"
    return f"p = {format_number(value, digits=3)}"


def _target_text(rule: PriorityRule, whole: bool) -> str:
    if rule.fixed_target is not None:
        return _pct(rule.fixed_target, sign=False).replace(",0%", "%")
    return (
        "giá trị của cùng tiêu chí trên toàn bộ các lĩnh vực"
        if whole
        else "giá trị của cùng lĩnh vực, tiêu chí trên toàn bộ các tỉnh"
    )


def priority_rule_text(rule: PriorityRule, *, cells: int, volume_source: str, whole: bool) -> str:
    """The "Cách xếp mức ưu tiên" note of the documents (Vietnamese)."""
    adjust = "Holm" if rule.adjust == "holm" else "Benjamini–Hochberg"
    volume = "số hồ sơ" if volume_source == "dossiers" else "số người sử dụng dịch vụ ước tính"
    third = format_number(100 * rule.tier1_volume, digits=0)
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
    if not bool(row["reliable"]):
        note = str(row.get("reliability_note") or "").strip()
        return f"Ước lượng không đủ tin cậy{f' ({note})' if note else ''}; {gap.lower()}"
    parts = [gap]
    parts.append(
        f"có ý nghĩa thống kê ({_p_text(row['p_adjusted'])})"
        if bool(row["significant"])
        else f"chưa có ý nghĩa thống kê ({_p_text(row['p_adjusted'])})"
    )
    if row.get("tier") == 1 and bool(row["top_volume"]) and not bool(row["large_gap"]):
        parts.append("lĩnh vực có khối lượng lớn")
    return "; ".join(parts)


@dataclass
class RemediationReport(_Report):
    """Sections and documents of a remediation plan (`province == ALL`: whole survey)."""

    analysis: PlanAnalysis | None = None
    province: str = ALL
    previous_wave: str = ""
    figure_paths: dict[str, dict[str, Path]] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        survey: str,
        *,
        province: str = "all",
        previous_wave: str = "",
        target: float | str = 0.8,
        dossiers: str | Path | pd.DataFrame | None = None,
        adjust: str = "holm",
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
    ) -> RemediationReport:
        """Load estimates and clean data of `survey` (and `previous_wave`) and analyse once."""
        root_path = Path(root) if root else find_root()
        options = AnalysisOptions(level=level, min_n=min_n, adjust=adjust)
        rule = PriorityRule(target=target, adjust=adjust, alpha=options.alpha)
        estimates = ensure_estimates(survey, options, root=root_path)
        chosen = choose_one(province, estimates.provinces, "province")
        instrument, clean = load_or_clean(root_path, survey)
        previous = previous_instrument = None
        if previous_wave:
            folder = survey_folder(root_path, previous_wave, "previous_wave", exclude=survey)
            previous = ensure_estimates(previous_wave, options, root=root_path)
            previous_instrument = load_instrument(folder / "instrument.yaml")
        counts = _read_dossiers(dossiers, root_path / "surveys" / survey)
        analysis = remediation_analysis(
            clean,
            instrument,
            estimates,
            province=chosen,
            previous=previous,
            previous_instrument=previous_instrument,
            rule=rule,
            dossiers=counts,
        )
        out = Path(output_dir) if output_dir else root_path / "outputs" / survey / "plan"
        return cls(
            estimates=estimates,
            language=language,
            output_dir=out,
            analysis=analysis,
            province=chosen,
            previous_wave=previous_wave,
        )

    # -------------------------------------------------------------------------- helpers
    @property
    def plan_text(self) -> dict[str, str]:
        return TEXT[self.language]

    @property
    def where(self) -> str:
        return self.plan_text["all"] if self.province == ALL else self.province

    @property
    def result(self) -> PlanAnalysis:
        assert self.analysis is not None
        return self.analysis

    @property
    def rule_text(self) -> str:
        """The priority rule in Vietnamese, as the documents print it."""
        result = self.result
        return priority_rule_text(
            result.rule,
            cells=len(result.cells),
            volume_source=result.meta["volume_source"],
            whole=self.province == ALL,
        )

    @property
    def previous_label(self) -> str:
        meta = self.result.meta.get("previous") or {}
        year = meta.get("year")
        return f"năm {year}" if year else "kỳ trước"

    def _numbers(self, cells: pd.DataFrame, keys: list[str], language: str) -> pd.DataFrame:
        """Cells as a presentation table: chosen columns, headers in `language`, numbers kept."""
        rule = self.result.rule
        work = cells.copy()
        elements = self.estimates["elements"].drop_duplicates("group")
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
        out = pd.DataFrame(index=work.index)
        shares = []
        for key in keys:
            if key not in work.columns:
                if key in ("unit", "deadline"):
                    work[key] = ""
                else:
                    continue
            header = _COLUMNS[key][index]
            values = work[key]
            if key in ("n", "rank", "volume", "N"):
                values = pd.to_numeric(values, errors="coerce").astype("Int64")
            out[header] = values
            if _COLUMNS[key][2]:
                shares.append(header)
        out = out.reset_index(drop=True)
        out.attrs["percent_columns"] = shares
        return out

    def _plan_keys(self, *, summary: bool, province: bool = False) -> list[str]:
        keys = ["rank", "priority"] if summary else ["priority"]
        keys += ["province"] if province else []
        keys += ["field", "item", "label", "group_label", "estimate", "ci_low", "ci_high", "n"]
        keys += ["N", "reliable_text", "target", "gap", "p_adjusted", "significant_text"]
        keys += ["volume", "volume_share"]
        if "change" in self.result.cells.columns:
            keys += ["previous", "change", "change_ci_low", "change_ci_high", "change_p_adjusted"]
        keys += ["reason"]
        keys += ["unit", "deadline"] if summary else []
        return keys

    # -------------------------------------------------------------------------- sections
    def priorities(self) -> pd.DataFrame:
        """Every cell below target, first to fix first (table) and the top cells (figure)."""
        plan = self.result.plan
        table = self._numbers(plan, self._plan_keys(summary=True), self.language)
        self.tables["plan"] = table
        top = plan.head(_FIGURE_ROWS).copy()
        if len(top):
            top["row"] = [
                f"{f} – {i}: {_short(lab)}"
                for f, i, lab in zip(top["field"], top["item"], top["label"], strict=True)
            ]
            top["sig"] = np.where(top["significant"], "below", "")
            fixed = self.result.rule.fixed_target
            target_note = (
                self.plan_text["target_note"].format(target=_pct(fixed)) if fixed else None
            )

            def draw(ax: plt.Axes) -> None:
                figures.forest(
                    top,
                    y="row",
                    overall=fixed,
                    sort=False,
                    language=self.language,
                    ax=ax,
                    title=self.plan_text["priority_title"].format(where=self.where),
                    source=self.source,
                    note=target_note,
                )
                _relabel_legend(
                    ax,
                    self.language,
                    {
                        "overall": f"{self.plan_text['target']}: {_pct(fixed)}" if fixed else "",
                        "sig_below": self.plan_text["sig_below_target"],
                    },
                )

            self.figure_paths["priorities"] = self._figure(
                "uu-tien",
                draw,
                top[["rank", "priority", "field", "item", "estimate", "ci_low", "ci_high", "n"]],
                size=(8.0, 0.34 * len(top) + 1.9),
            )
        return table

    def by_field(self) -> pd.DataFrame:
        """Every criterion of every field (the xlsx has one sheet per field)."""
        cells = self.result.cells.sort_values(["field", "item"], kind="stable")
        table = self._numbers(cells, self._plan_keys(summary=False), self.language)
        self.tables["by_field"] = table
        return table

    def change(self) -> pd.DataFrame:
        """Change of the overall and element indices by field since the previous wave."""
        result = self.result
        if result.change_refused:
            table = pd.DataFrame({"": [result.change_refused]})
            self.tables["change"] = table
            return table
        change = result.change_overall
        if change is None:
            return pd.DataFrame()
        overall = change[(change["variable"] == "overall") & (change["field"] != ALL)].copy()
        if len(overall):
            overall["row"] = overall["field"]
            for column in ("change", "ci_low", "ci_high"):
                overall[f"{column}_points"] = 100 * overall[column]
            overall["sig_plot"] = overall["sig"].map({"up": "above", "down": "below"}).fillna("")

            def draw(ax: plt.Axes) -> None:
                figures.forest(
                    overall,
                    y="row",
                    estimate="change_points",
                    ci=("ci_low_points", "ci_high_points"),
                    overall=0.0,
                    percent=False,
                    sig="sig_plot",
                    n=None,
                    xlabel=self.plan_text["change_axis"],
                    language=self.language,
                    ax=ax,
                    title=self.plan_text["change_title"].format(
                        previous=self.previous_label, where=self.where
                    ),
                    source=self.source,
                )
                _relabel_legend(
                    ax,
                    self.language,
                    {
                        "overall": self.plan_text["no_change"],
                        "sig_above": self.plan_text["sig_up"],
                        "sig_below": self.plan_text["sig_down"],
                    },
                )

            self.figure_paths["change"] = self._figure(
                "thay-doi",
                draw,
                overall[
                    ["field", "previous", "current", "change", "ci_low", "ci_high", "p_adjusted"]
                ],
                size=(7.5, 0.4 * len(overall) + 1.9),
            )
        vi = self.language == "vi"
        table = change.assign(
            label=change["label"].fillna("Chỉ số hài lòng chung" if vi else "Overall index")
        )[["field", "label", "previous", "current", "change", "ci_low", "ci_high", "df"]]
        table = table.assign(p_adjusted=change["p_adjusted"], sig=change["sig"])
        headers = _CHANGE_HEADERS[0 if vi else 1]
        table.columns = headers
        table = table.reset_index(drop=True)
        table.attrs["percent_columns"] = headers[2:7]
        self.tables["change"] = table
        return table

    def drivers(self) -> pd.DataFrame:
        """What moves overall satisfaction (elements and criteria) and the IPA quadrants."""
        result = self.result
        if result.element_drivers is None or result.quadrants is None:
            return pd.DataFrame()
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
        self.tables["drivers"] = table
        ordinal = (result.drivers["method"] == "ordinal").all()
        xlabel = self.plan_text["importance" if ordinal else "importance_r"]

        def draw(ax: plt.Axes) -> None:
            figures.importance_performance(
                quadrants,
                importance="importance",
                performance="performance",
                label="variable",
                x_cut=float(quadrants["importance_cut"].iloc[0]),
                y_cut=float(quadrants["performance_cut"].iloc[0]),
                xlabel=xlabel,
                ylabel=self.plan_text["performance"],
                language=self.language,
                ax=ax,
                title=self.plan_text["ipa_title"].format(where=self.where),
                source=self.source,
            )

        self.figure_paths["drivers"] = self._figure(
            "tam-quan-trong", draw, quadrants, size=(7.0, 5.0)
        )
        return table

    def reliability(self) -> pd.DataFrame:
        """Cronbach's alpha and item-rest correlation per element; misfitting criteria."""
        table = self.result.reliability
        if table is None:
            return pd.DataFrame()
        self.tables["reliability"] = table
        return table

    def comments(self) -> pd.DataFrame:
        """The most frequent phrases of the comments per field (personal data never shown)."""
        table = self.result.comments
        if table is None:
            return pd.DataFrame()
        self.tables["comments"] = table
        return table

    # -------------------------------------------------------------------------- documents
    def _ensure_sections(self) -> None:
        if "plan" not in self.tables:
            self.priorities()
        if "change" not in self.tables and (
            self.result.change_overall is not None or self.result.change_refused
        ):
            self.change()
        if "drivers" not in self.tables:
            self.drivers()

    def workbook_sheets(self) -> dict[str, pd.DataFrame]:
        """The sheets of remediation_plan.xlsx, Vietnamese headers, numbers as numbers."""
        result = self.result
        sheets: dict[str, pd.DataFrame] = {
            "Tổng hợp": self._numbers(result.plan, self._plan_keys(summary=True), "vi")
        }
        for name in sorted(result.cells["field"].unique()):
            mine = result.cells[result.cells["field"] == name].sort_values("item", kind="stable")
            sheets[name] = self._numbers(mine, self._plan_keys(summary=False), "vi")
        if result.by_province is not None:
            wide = result.by_province[result.by_province["tier"].notna()]
            sheets["Theo tỉnh"] = self._numbers(
                wide, self._plan_keys(summary=False, province=True), "vi"
            )
        if result.change_overall is not None:
            sheets["Thay đổi chung"] = _change_sheet(result.change_overall)
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
        sheets["Phương pháp"] = pd.DataFrame({"Ghi chú": self._method_lines()})
        return sheets

    def _method_lines(self) -> list[str]:
        result = self.result
        meta = self.estimates.meta
        lines = [
            self.rule_text,
            f"{self.source}. {self.rule_note}.",
            f"Thiết kế mẫu: {meta.get('design')}. Địa giới: {meta.get('geography')}.",
        ]
        if result.change_refused:
            lines.append(f"Không so sánh với kỳ trước: {result.change_refused}")
        elif result.change_overall is not None:
            lines.append(
                f"Thay đổi so với {self.previous_label}: hai mẫu độc lập cùng phiên bản công cụ "
                f"({meta.get('instrument_version')}); sai số chuẩn của hiệu = căn bậc hai tổng "
                "bình phương sai số chuẩn hai kỳ; kiểm định t hai phía, hiệu chỉnh "
                f"{'Holm' if result.rule.adjust == 'holm' else 'Benjamini–Hochberg'}."
            )
        if result.drivers is not None:
            method = result.drivers.attrs.get("method", "")
            reason = result.drivers.attrs.get("fallback_reason", "")
            lines.append(
                "Động lực: mô hình logit thứ bậc có trọng số (svyolr) của mức hài lòng chung "
                "theo các tiêu chí; tầm quan trọng = hệ số chuẩn hoá theo biến ẩn."
                if method == "ordinal"
                else "Động lực: hệ số tương quan có trọng số với mức hài lòng chung (mô hình "
                f"logit thứ bậc không dùng được: {reason})."
            )
        return lines

    def _results_paragraphs(self) -> list[str]:
        result = self.result
        est = self.estimates
        overall = est["overall"]
        mine = overall[(overall["province"] == self.province)]
        whole = mine[mine["field"] == ALL].iloc[0]
        meta = est.meta
        sample = est["sample"]
        n = sample[(sample["province"] == self.province) & (sample["field"] == ALL)]["n"]
        where = "toàn bộ khảo sát" if self.province == ALL else self.province
        first = (
            f"{meta.get('title')} năm {meta.get('year')} có "
            f"{format_number(n.iloc[0], digits=0)} phiếu hợp lệ tại {where}. Chỉ số hài lòng "
            f"chung đạt {_pct(whole['estimate'])} "
            f"(khoảng tin cậy 95%: {_pct(whole['ci_low'])}–{_pct(whole['ci_high'])})."
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
                first += (
                    f" So với {self.previous_label} ({_pct(row['previous'])}), chỉ số {moved} "
                    f"(KTC 95%: {_points(row['ci_low'])} đến {_points(row['ci_high'])}; "
                    f"{_p_text(row['p_adjusted'])}), {verdict}."
                )
        elif result.change_refused:
            first += " Không so sánh với kỳ trước vì khác phương pháp (xem phần Hạn chế)."
        paragraphs = [first]
        elements = est["elements"]
        elements = elements[(elements["province"] == self.province) & (elements["field"] == ALL)]
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
        drivers = result.element_drivers
        if drivers is not None and len(drivers):
            top = drivers.iloc[0]
            how = (
                "mô hình logit thứ bậc có trọng số"
                if top["method"] == "ordinal"
                else "tương quan có trọng số"
            )
            paragraphs.append(
                f"Yếu tố tác động mạnh nhất đến mức hài lòng chung là “{top['label']}” "
                f"(tầm quan trọng {format_number(top['importance'], digits=2)}; {how})."
            )
        return paragraphs

    def _results_table(self) -> pd.DataFrame:
        overall = self.estimates["overall"]
        mine = overall[(overall["province"] == self.province)].copy()
        mine["order"] = (mine["field"] == ALL).astype(int)
        mine = mine.sort_values(["order", "estimate"], ascending=[True, False])
        table = pd.DataFrame(
            {
                "Lĩnh vực": mine["field"].replace({ALL: "Chung"}).to_numpy(),
                "Chỉ số hài lòng chung (%)": mine["estimate"].to_numpy(),
                "KTC 95% dưới": mine["ci_low"].to_numpy(),
                "KTC 95% trên": mine["ci_high"].to_numpy(),
                "n": mine["n"].astype("Int64").to_numpy(),
            }
        )
        shares = ["Chỉ số hài lòng chung (%)", "KTC 95% dưới", "KTC 95% trên"]
        table["Tin cậy"] = mine["reliable"].map({True: "Có", False: "Không"}).to_numpy()
        change = self.result.change_overall
        if change is not None:
            moved = change[change["variable"] == "overall"].set_index("field")["change"]
            table["Thay đổi so với kỳ trước"] = [
                _points(v) if pd.notna(v) else "–" for v in mine["field"].map(moved)
            ]
        counts = self.result.plan[self.result.plan["tier"] == 1].groupby("field").size()
        table["Số tiêu chí Ưu tiên 1"] = mine["field"].map(counts).fillna(0).astype(int).to_numpy()
        table.loc[table["Lĩnh vực"] == "Chung", "Số tiêu chí Ưu tiên 1"] = int(counts.sum())
        table.attrs["percent_columns"] = shares
        return table

    def _limitations(self) -> tuple[list[str], pd.DataFrame]:
        result = self.result
        plan = result.plan
        tiers = plan["tier"].value_counts()
        target = _target_text(result.rule, self.province == ALL)
        paragraphs = [
            f"Đối chiếu với mục tiêu ({target}), trong {len(result.cells)} ô lĩnh vực × tiêu "
            f"chí có {int(tiers.get(1, 0))} ô ở mức Ưu tiên 1, {int(tiers.get(2, 0))} ô Ưu tiên "
            f"2 và {int(tiers.get(3, 0))} ô Ưu tiên 3."
        ]
        phrases = result.comments if result.comments is not None else pd.DataFrame()
        for _, row in plan[plan["tier"] == 1].head(5).iterrows():
            text = (
                f"{row['field']}, tiêu chí “{row['label']}”: {_pct(row['estimate'])} (KTC 95%: "
                f"{_pct(row['ci_low'])}–{_pct(row['ci_high'])}; n = "
                f"{format_number(row['n'], digits=0)}), thấp hơn mục tiêu "
                f"{_points(row['gap']).lstrip('+')} ({_p_text(row['p_adjusted'])})"
            )
            if "change" in row.index and pd.notna(row.get("change")):
                text += f"; so với {self.previous_label}: {_points(row['change'])}"
            said = phrases[phrases["field"] == row["field"]] if len(phrases) else phrases
            if len(said):
                # a phrase of three words or more says what is wrong; one word ("đất") does not
                long = said[said["words"] >= 3]
                top = (long if len(long) else said).iloc[0]
                text += (
                    f". Ý kiến góp ý thường gặp: “{top['phrase']}” ({int(top['count'])}/"
                    f"{int(top['comments'])} ý kiến)"
                )
            paragraphs.append(text + ".")
        flagged = (
            result.reliability[result.reliability["flag"] | result.reliability["alpha_low"]]
            if result.reliability is not None
            else pd.DataFrame()
        )
        if len(flagged):
            for _, row in flagged.iterrows():
                paragraphs.append(
                    f"Thang đo {row['group_label']}, tiêu chí {row['item']}: {row['note']}."
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
        worst = plan[plan["tier"].isin([1, 2])].head(10)
        table = pd.DataFrame(
            {
                "Lĩnh vực": worst["field"].to_numpy(),
                "Tiêu chí": worst["label"].to_numpy(),
                "Tỷ lệ hài lòng (%)": worst["estimate"].to_numpy(),
                "KTC 95%": [
                    f"{format_number(100 * a, digits=1)}–{format_number(100 * b, digits=1)}"
                    for a, b in zip(worst["ci_low"], worst["ci_high"], strict=True)
                ],
                "n": worst["n"].astype("Int64").to_numpy(),
                "Chênh lệch (điểm %)": [format_number(100 * v, digits=1) for v in worst["gap"]],
                "Mức ưu tiên": worst["priority"].to_numpy(),
            }
        )
        table.attrs["percent_columns"] = ["Tỷ lệ hài lòng (%)"]
        return paragraphs, table

    def docx_plan_frame(self) -> pd.DataFrame:
        """The cells of the docx's solutions-and-tasks table: the first rows of "Tổng hợp"."""
        return self.result.plan.head(_DOC_ROWS)

    def finish(self, name: str = PLAN_NAME) -> dict[str, Path]:
        """Write `<name>.xlsx` and `<name>.docx` into the output folder; returns both paths."""
        self._ensure_sections()
        result = self.result
        notes = (
            f"{self.source}. {self.rule_note}. Mục tiêu: "
            f"{_target_text(result.rule, self.province == ALL)}."
        )
        title = f"Kế hoạch khắc phục — {self.where}"
        sheets = self.workbook_sheets()
        formats = {_COLUMNS[key][0]: _P_FORMAT for key in ("p_adjusted", "change_p_adjusted")} | {
            "p (hiệu chỉnh)": _P_FORMAT,
            "Hệ số": "0.000",
            "Sai số chuẩn": "0.000",
        }
        xlsx = write_workbook(
            self.output_dir / f"{name}.xlsx",
            sheets,
            notes=notes,
            title=title,
            number_formats=formats,
        )
        shown = self.docx_plan_frame()
        plan_rows = remediation_plan_rows(
            shown, criterion="label", change="change", priority="priority"
        )
        rule_text = self.rule_text
        if len(result.plan) > len(shown):
            rule_text += (
                f" Bảng nêu {len(shown)}/{len(result.plan)} mục đầu; danh sách đầy đủ ở trang "
                f"“Tổng hợp” của {name}.xlsx."
            )
        limitation_paragraphs, limitations = self._limitations()
        figure_specs = []
        captions = {
            "priorities": "Các tiêu chí cần ưu tiên khắc phục (điểm: tỷ lệ hài lòng; "
            "đoạn: KTC 95%)",
            "drivers": "Tầm quan trọng và mức hài lòng của các tiêu chí",
            "change": f"Thay đổi chỉ số hài lòng chung theo lĩnh vực so với {self.previous_label}",
        }
        for key in ("priorities", "drivers", "change"):
            if key in self.figure_paths:
                figure_specs.append((self.figure_paths[key], captions[key]))
        meta = self.estimates.meta
        docx = write_remediation_docx(
            self.output_dir / f"{name}.docx",
            title=f"KẾ HOẠCH KHẮC PHỤC HẠN CHẾ VỀ SỰ HÀI LÒNG — {self.where.upper()}",
            subtitle=f"{meta.get('title')} năm {meta.get('year')}",
            method_note=f"{self.source}. {self.rule_note}. Địa giới: {meta.get('geography')}.",
            results_paragraphs=self._results_paragraphs(),
            results_table=self._results_table(),
            results_table_caption="Chỉ số hài lòng chung theo lĩnh vực",
            figures=figure_specs,
            limitation_paragraphs=limitation_paragraphs,
            limitations=limitations
            if len(limitations)
            else ["Không có tiêu chí ở mức Ưu tiên 1 hoặc 2."],
            plan_table=plan_rows,
            plan_note=rule_text,
        )
        return {"xlsx": xlsx, "docx": docx}


def _relabel_legend(ax: plt.Axes, language: str, names: dict[str, str]) -> None:
    """Rename the legend entries `figures.forest` names after the overall value.

    Its reference line is a target (or zero change) here, and its marks mean significantly
    below the target (or a significant rise or fall).
    """
    legend = ax.get_legend()
    if legend is None:
        return
    words = figures.LABELS[language]
    for text in legend.get_texts():
        for key, new in names.items():
            if new and text.get_text().startswith(words[key]):
                text.set_text(new)
                break


def _short(text: str, limit: int = 38) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,") + "…"


def _read_dossiers(
    dossiers: str | Path | pd.DataFrame | None, survey_dir: Path
) -> pd.DataFrame | None:
    if dossiers is None or (isinstance(dossiers, str) and not dossiers.strip()):
        return None
    if isinstance(dossiers, pd.DataFrame):
        return dossiers
    path = Path(dossiers)
    if not path.is_absolute():
        path = survey_dir / path
    if not path.is_file():
        raise ParameterError(
            f"dossier counts file {str(path)!r} not found", key="parameter 'dossiers'"
        )
    return pd.read_csv(path, encoding="utf-8-sig")


def _change_sheet(change: pd.DataFrame) -> pd.DataFrame:
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
