"""The remediation plan of one province (or the whole survey): notebook sections and documents.

`RemediationReport.open(survey, province=..., previous_wave=..., target=...)` loads the
survey's up-front estimates (and the previous wave's), the clean data, and runs
`remediation.remediation_analysis` once. Each section method returns a presentation table and
draws, shows and saves its figure, as `province_report.ProvinceReport` does. `finish()` writes the
two documents from ONE set of frames:

* ``remediation_plan.xlsx``: "Tổng hợp" (every cell below target, first to fix first), one
  sheet per field (all its criteria), the province x field x criterion cells of a whole-survey
  plan ("Theo tỉnh"), change of the overall and element indices, drivers and quadrants,
  scale reliability, comment phrases, and the rule ("Phương pháp"). Vietnamese headers;
  shares, CIs, targets, gaps and changes are numbers (0..1 with a ``0.0%`` format), n and
  volumes whole numbers, p-values numbers.
* ``remediation_plan.docx`` (Vietnamese, the usual report structure: Kết quả khảo sát;
  Hạn chế, tồn tại; Nguyên nhân with headings left for the analyst; Giải pháp, nhiệm vụ),
  whose solutions-and-tasks table is `remediation_docs.remediation_plan_rows` of the first
  rows of the same frame as the "Tổng hợp" sheet, and whose figures are the PNGs saved by
  the sections.

The documents are always Vietnamese (the administrative genre); `language` sets the
notebook's tables and the figures' words. This module holds the report and its sections;
the columns and sheets are in `plan_tables`, the figures in `plan_figures`, the words and
sentences in `plan_text`, the writing of both documents in `plan_documents`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from satisfaction.analysis.estimates import ALL, AnalysisOptions
from satisfaction.analysis.remediation import (
    PlanAnalysis,
    PriorityRule,
    remediation_analysis,
)
from satisfaction.errors import ParameterError
from satisfaction.io.instrument import load_instrument
from satisfaction.present.html_table import ShownTable
from satisfaction.present.plan_documents import write_plan_documents
from satisfaction.present.plan_figures import (
    change_rows,
    draw_change,
    draw_drivers,
    draw_priorities,
    priority_rows,
)
from satisfaction.present.plan_tables import (
    cells_table,
    change_table,
    comments_table,
    drivers_table,
    reliability_table,
    workbook_sheets,
)
from satisfaction.present.plan_text import TEXT, priority_rule_text
from satisfaction.present.sections import _display_html, _Report
from satisfaction.present.survey_choice import (
    choose_one,
    ensure_estimates,
    find_root,
    load_or_clean,
    survey_folder,
)

# priority_rule_text lives in plan_text; it stays importable from here
__all__ = ["PLAN_NAME", "RemediationReport", "priority_rule_text"]

PLAN_NAME = "remediation_plan"
_DOC_ROWS = 25  # rows of the solutions-and-tasks table in the docx; the xlsx has them all
_FIGURE_ROWS = 12


@dataclass
class RemediationReport(_Report):
    """Sections and documents of a remediation plan (`province == ALL`: whole survey)."""

    analysis: PlanAnalysis | None = None
    province: str = ALL
    previous_wave: str = ""
    figure_paths: dict[str, dict[str, Path]] = field(default_factory=dict)
    # the Word plan's administrative form: number, date (dd/mm/yyyy), issuer, signer
    document: dict[str, str] = field(default_factory=dict)
    # plan figures are drawn for print: at most the A4 text width, text >= 8 pt
    print_width_in: float | None = 6.4

    @property
    def figure_formats(self) -> tuple[str, ...]:
        """A plan's figures are for Word: the PNG (its HTML shows it too) and the numbers;
        no SVG, which would cost a second drawing of each figure."""
        return ("png", "csv")

    @classmethod
    def open(
        cls,
        survey: str,
        *,
        province: str = "all",
        unit: str = "",
        previous_wave: str = "",
        target: float | str = 0.8,
        dossiers: str | Path | pd.DataFrame | None = None,
        adjust: str = "holm",
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
        document_number: str = "",
        document_date: str = "",
        issuer: str = "",
        signer: str = "",
    ) -> RemediationReport:
        """Load estimates and clean data of `survey` (and `previous_wave`) and analyse once.

        `document_number`, `document_date` (dd/mm/yyyy), `issuer` and `signer` fill the Word
        plan's administrative form; left empty they print the dots an official fills in.
        """
        root_path = Path(root) if root else find_root()
        options = AnalysisOptions(level=level, min_n=min_n, adjust=adjust, unit=unit or None)
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
            language_note=_PLAN_IN_VIETNAMESE if language == "en" else None,
            document={
                "number": document_number,
                "date": document_date,
                "issuer": issuer,
                "signer": signer,
            },
        )

    _kind = "plan_report"
    _workbook_name = f"{PLAN_NAME}.xlsx"

    # -------------------------------------------------------------------------- helpers
    @property
    def plan_text(self) -> dict[str, str]:
        return TEXT[self.language]

    @property
    def where(self) -> str:
        return self.plan_text["all"] if self.province == ALL else self.province

    @property
    def interval_vi(self) -> str:
        """What a share's brackets hold in the (always Vietnamese) documents."""
        return {"confidence": "KTC 95%", "reference": "khoảng tham chiếu 95%"}.get(
            str(self.interval), ""
        )

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
            weighted=bool(self.study.get("weighted")),
        )

    @property
    def previous_label(self) -> str:
        meta = self.result.meta.get("previous") or {}
        year = meta.get("year")
        return f"năm {year}" if year else "kỳ trước"

    # -------------------------------------------------------------------------- sections
    def header(self) -> None:
        """The plan's title, source, method note and priority rule (one language)."""
        super().header()
        _display_html(f'<p class="method">{html.escape(self.rule_text)}</p>')

    def priorities(self) -> ShownTable:
        """Every cell below target, first to fix first (table) and the top cells (figure)."""
        self._heading("priorities")
        plan = self.result.plan
        table = cells_table(self, plan, self.language, summary=True)
        self.tables["plan"] = table
        top = plan.head(_FIGURE_ROWS)
        if len(top):
            top = priority_rows(top, self.short_labels(top["item"]))
            draw = partial(
                draw_priorities,
                top=top,
                fixed=self.result.rule.fixed_target,
                words=self.plan_text,
                language=self.language,
                where=self.where,
                source=self.source,
                interval=self.interval,
            )
            self.figure_paths["priorities"] = self._figure(
                "uu-tien",
                draw,
                top[["rank", "priority", "field", "item", "estimate", "ci_low", "ci_high", "n"]],
                size=(8.0, 0.34 * len(top) + 1.9),
            )
            self._show_label_key(self.short_labels(top["item"]), top["label"])
        return self._shown(table, hidden=table.attrs["hidden_columns"])

    def by_field(self) -> ShownTable:
        """Every criterion of every field (the xlsx has one sheet per field)."""
        self._heading("plan_by_field")
        cells = self.result.cells.sort_values(["field", "item"], kind="stable")
        table = cells_table(self, cells, self.language, summary=False)
        self.tables["by_field"] = table
        return self._shown(table, hidden=table.attrs["hidden_columns"])

    def change(self) -> ShownTable | None:
        """Change of the overall and element indices by field since the previous wave."""
        result = self.result
        if result.change_refused or result.change_overall is not None:
            inference = result.rule.inference
            self._heading(
                "change", self.plan_text["change_note" if inference else "change_note_none"]
            )
        if result.change_refused:
            _display_html(f"<p>{html.escape(self.plan_text['refused'])}</p>")
            table = pd.DataFrame({self.plan_text["refused_header"]: [result.change_refused]})
            self.tables["change"] = table
            return None
        change = result.change_overall
        if change is None:
            return None
        overall = change_rows(change)
        if len(overall):
            draw = partial(
                draw_change,
                overall=overall,
                words=self.plan_text,
                language=self.language,
                previous=self.previous_label,
                where=self.where,
                source=self.source,
                interval=self.interval if self.result.rule.inference else None,
            )
            self.figure_paths["change"] = self._figure(
                "thay-doi",
                draw,
                overall[
                    ["field", "previous", "current", "change", "ci_low", "ci_high", "p_adjusted"]
                ],
                size=(7.5, 0.4 * len(overall) + 1.9),
            )
        table = change_table(change, self.language, inference=self.result.rule.inference)
        self.tables["change"] = table
        return self._shown(table, hidden=table.attrs["hidden_columns"])

    def drivers(self) -> ShownTable | None:
        """What moves overall satisfaction (elements and criteria) and the IPA quadrants."""
        result = self.result
        if result.element_drivers is None or result.quadrants is None:
            return None
        self._heading("drivers")
        table = drivers_table(result, self.language)
        self.tables["drivers"] = table
        quadrants = result.quadrants.assign(
            name=lambda q: self.short_labels(q["variable"]).fillna(
                q["label"] if "label" in q.columns else q["variable"]
            )
        )
        draw = partial(
            draw_drivers,
            quadrants=quadrants,
            ordinal=bool((result.drivers["method"] == "ordinal").all()),
            words=self.plan_text,
            language=self.language,
            where=self.where,
            source=self.source,
        )
        self.figure_paths["drivers"] = self._figure(
            "tam-quan-trong", draw, quadrants, size=(7.0, 5.0)
        )
        if "label" in quadrants.columns:
            self._show_label_key(quadrants["name"], quadrants["label"])
        return self._shown(table, hidden=table.attrs["hidden_columns"])

    def reliability(self) -> ShownTable | None:
        """Cronbach's alpha and item-rest correlation per element; misfitting criteria."""
        if self.result.reliability is None:
            return None
        self._heading("reliability")
        table = reliability_table(self, self.language)
        self.tables["reliability"] = table
        return self._shown(table)

    def comments(self) -> ShownTable | None:
        """The most frequent phrases of the comments per field (personal data never shown)."""
        if self.result.comments is None:
            return None
        self._heading("comments")
        table = comments_table(self.result.comments, self.language)
        self.tables["comments"] = table
        return self._shown(table)

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
        return workbook_sheets(self)

    def docx_plan_frame(self) -> pd.DataFrame:
        """The cells of the docx's solutions-and-tasks table: the first rows of "Tổng hợp"."""
        plan = self.result.plan.head(_DOC_ROWS)
        return plan.assign(field=plan["field"].replace({ALL: "Chung"}))

    def finish(self, name: str = PLAN_NAME) -> dict[str, Path]:
        """Write `<name>.xlsx` and `<name>.docx` into the output folder; returns both paths
        (the report shows links to them by file name)."""
        self._ensure_sections()
        written = write_plan_documents(self, name)
        self._heading("documents")
        self._show_files(list(written.values()))
        return written


#: An English plan's one sentence on what stays Vietnamese: its analysis and documents are
#: the administrative plan's (the Word form is Vietnamese by Decree 30).
_PLAN_IN_VIETNAMESE = (
    "The priority rule, the priorities, their reasons and the field and criterion names are "
    "shown in Vietnamese, as in the plan's Word document (an administrative document in "
    "Vietnamese)."
)


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
