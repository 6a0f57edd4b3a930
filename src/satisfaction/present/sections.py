"""Report sections for the notebooks: what every report's sections share.

A notebook opens a `ProvinceReport` (`province_report`), a `FieldReport` (`field_report`) or
a `RemediationReport` (`plan`) and calls one method per section; each method returns a
presentation table (displayed by the notebook) and draws, shows and saves its figure (PNG +
SVG + CSV of the numbers drawn, via `files.save_figure`). `finish()` writes every table of
the report to one Excel workbook. This module holds their shared base `_Report` and words;
nothing here estimates: the numbers come from `analysis.compute_estimates`, computed once per
survey and option set (`survey_choice.ensure_estimates`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.analysis.estimates import ALL, Estimates
from satisfaction.errors import ParameterError
from satisfaction.present import figures
from satisfaction.present.figures.notes import fit_width
from satisfaction.present.files import _title_of, figure_title, save_figure
from satisfaction.present.formatting import COLUMN_LABELS
from satisfaction.present.html_table import ShownTable, show, table_html
from satisfaction.present.tables import estimates_table
from satisfaction.present.wording import (
    MethodFacts,
    facts_from_meta,
    index_rule_words,
    method_sentences,
)
from satisfaction.present.workbook import write_workbook
from satisfaction.studies import kinds

__all__ = ["TEXT", "rows_size", "show_files", "show_heading"]

TEXT: dict[str, dict[str, Any]] = {
    "vi": {
        "all": "Toàn bộ khảo sát",
        "source": "Nguồn: {title}",
        "overall": "Chỉ số hài lòng chung",
        "elements_title": "Chỉ số hài lòng theo yếu tố — {where}",
        "fields_title": "Mức độ hài lòng chung theo lĩnh vực — {where}",
        "element_questions_title": "Mức độ hài lòng theo từng yếu tố — {where}",
        "heatmap_title": "Tỷ lệ hài lòng theo tiêu chí và lĩnh vực — {where}",
        "compare_title": "Chỉ số hài lòng chung theo {unit} (so với toàn bộ)",
        "breakdown_title": "Chỉ số hài lòng chung theo nhóm — {where}",
        "expect_title": "Kỳ vọng cải thiện và mức hài lòng theo yếu tố — {where}",
        "ranking_title": "{field}: chỉ số hài lòng theo {unit}",
        "field_heatmap_title": "{field}: tỷ lệ hài lòng theo tiêu chí và {unit}",
        "expectation": "Tỷ lệ mong muốn cải thiện",
        "satisfaction": "Chỉ số hài lòng",
        "report_title": "{kind}: {scope}",
        "province_report": "Báo cáo sự hài lòng",
        "field_report": "Báo cáo theo lĩnh vực",
        "plan_report": "Kế hoạch khắc phục",
        "more": "Bảng đầy đủ (cả sai số chuẩn và các cột chi tiết) trong tệp {file}.",
        "files": "Tệp số liệu",
        "label_key": ("Nhãn trên biểu đồ", "Tiêu chí đầy đủ"),
        "label_key_caption": "Chú giải: nhãn ngắn trên biểu đồ và tiêu chí đầy đủ",
        "sheets": {
            "sample": "Mẫu",
            "data_quality": "Xử lý dữ liệu",
            "indices": "Chỉ số",
            "by_field": "Theo lĩnh vực",
            "criteria_by_field": "Tiêu chí theo lĩnh vực",
            "weakest": "Tiêu chí thấp nhất",
            "compare": "So sánh",
            "breakdowns": "Theo nhóm",
            "expectations": "Kỳ vọng",
            "ranking": "Xếp hạng tỉnh",
            "criteria": "Tiêu chí theo tỉnh",
        },
        "compare_note": "Kiểm định Wald theo thiết kế mẫu; giá trị p đã hiệu chỉnh Holm trong "
        "từng nhóm so sánh (chỉ số chung; các yếu tố), để tránh kết luận nhầm khi so sánh nhiều "
        "lần.",
        "sections": {
            "sample": "1. Mẫu và chất lượng dữ liệu",
            "data_quality": "Xử lý dữ liệu trước khi phân tích (toàn bộ khảo sát)",
            "indices": "2. Chỉ số hài lòng chung và theo yếu tố",
            "by_field": "3. Theo lĩnh vực",
            "criterion_heatmap": "4. Tiêu chí theo lĩnh vực",
            "weakest": "5. Tiêu chí thấp nhất của mỗi lĩnh vực",
            "compare": "6. So sánh với toàn bộ khảo sát",
            "breakdowns": "7. Theo nhóm người trả lời",
            "expectations": "8. Kỳ vọng cải thiện",
            "ranking": "1. Xếp hạng các tỉnh",
            "criteria": "2. Tiêu chí theo tỉnh",
            "priorities": "1. Thứ tự ưu tiên khắc phục",
            "plan_by_field": "2. Mọi tiêu chí của mọi lĩnh vực",
            "change": "3. Thay đổi so với kỳ trước",
            "drivers": "4. Yếu tố tác động đến mức hài lòng chung",
            "reliability": "5. Độ tin cậy của thang đo",
            "comments": "6. Ý kiến góp ý",
            "documents": "7. Tài liệu",
        },
        "question_note": "Thanh: câu trả lời cho câu hỏi hài lòng chung; đoạn đen: KTC 95% của "
        "tỷ lệ hài lòng ở câu hỏi đó.\nBảng dưới hình là chỉ số hài lòng chung tính từ các "
        "tiêu chí: một thước đo khác.",
        "element_question_note": "Thanh: câu hỏi hài lòng chung của từng yếu tố; hình trên và "
        "bảng là chỉ số yếu tố\ntính từ các tiêu chí: một thước đo khác.",
        "question_note_ref": "Thanh: câu trả lời cho câu hỏi hài lòng chung; đoạn đen: khoảng "
        "tham chiếu 95% của tỷ lệ hài lòng ở câu hỏi đó.\nBảng dưới hình là chỉ số hài lòng "
        "chung tính từ các tiêu chí: một thước đo khác.",
        "question_note_none": "Thanh: câu trả lời cho câu hỏi hài lòng chung.\nBảng dưới hình "
        "là chỉ số hài lòng chung tính từ các tiêu chí: một thước đo khác.",
        "compare_note_ref": "Chênh lệch giữa từng đơn vị và toàn bộ; không kiểm định.",
        "compare_note_none": "Chênh lệch giữa những người đã trả lời ở từng đơn vị và toàn bộ; "
        "không kiểm định.",
        "rule": "Quy tắc tổng hợp: yếu tố = {element}; chung = {overall}",
        "method": "Phương pháp",
    },
    "en": {
        "all": "Whole survey",
        "source": "Source: {title}",
        "overall": "Overall satisfaction index",
        "elements_title": "Satisfaction index by element — {where}",
        "fields_title": "Overall satisfaction by field — {where}",
        "element_questions_title": "Satisfaction with each element — {where}",
        "heatmap_title": "Satisfied share by criterion and field — {where}",
        "compare_title": "Overall satisfaction index by {unit} (against the whole survey)",
        "breakdown_title": "Overall satisfaction index by group — {where}",
        "expect_title": "Expectations and satisfaction by element — {where}",
        "ranking_title": "{field}: satisfaction index by {unit}",
        "field_heatmap_title": "{field}: satisfied share by criterion and {unit}",
        "expectation": "Share wanting improvement",
        "satisfaction": "Satisfaction index",
        "report_title": "{kind}: {scope}",
        "province_report": "Satisfaction report",
        "field_report": "Field report",
        "plan_report": "Remediation plan",
        "more": "The full table (with standard errors and detail columns) is in {file}.",
        "files": "Data files",
        "label_key": ("Label on the chart", "Criterion in full"),
        "label_key_caption": "Key: the chart's short labels and the criteria in full",
        "sheets": {
            "sample": "Sample",
            "data_quality": "Data processing",
            "indices": "Indices",
            "by_field": "By field",
            "criteria_by_field": "Criteria by field",
            "weakest": "Weakest criteria",
            "compare": "Comparison",
            "breakdowns": "By group",
            "expectations": "Expectations",
            "ranking": "Provinces ranked",
            "criteria": "Criteria by province",
        },
        "compare_note": "Design-based Wald tests; p-values Holm-adjusted within each family of "
        "comparisons (the overall index; the elements), so that many comparisons do not "
        "produce false findings.",
        "sections": {
            "sample": "1. Sample and data quality",
            "data_quality": "Data processing before the analysis (whole survey)",
            "indices": "2. Overall and element indices",
            "by_field": "3. By field",
            "criterion_heatmap": "4. Criteria by field",
            "weakest": "5. Weakest criteria of each field",
            "compare": "6. Against the whole survey",
            "breakdowns": "7. By respondent group",
            "expectations": "8. Expectations",
            "ranking": "1. Provinces ranked",
            "criteria": "2. Criteria by province",
            "priorities": "1. What to fix first",
            "plan_by_field": "2. Every criterion of every field",
            "change": "3. Change since the previous wave",
            "drivers": "4. What drives overall satisfaction",
            "reliability": "5. Scale reliability",
            "comments": "6. Comments",
            "documents": "7. Documents",
        },
        "question_note": "Bars: answers to the overall satisfaction question; black whisker: 95% "
        "CI of its satisfied share.\nThe table below is the overall index made from the "
        "criteria: another measure.",
        "element_question_note": "Bars: each element's own satisfaction question; the figure "
        "above and the table\nshow the element index made from the criteria: another measure.",
        "question_note_ref": "Bars: answers to the overall satisfaction question; black "
        "whisker: 95% reference interval of its satisfied share.\nThe table below is the "
        "overall index made from the criteria: another measure.",
        "question_note_none": "Bars: answers to the overall satisfaction question.\nThe table "
        "below is the overall index made from the criteria: another measure.",
        "compare_note_ref": "Differences between each unit and the whole; not tested.",
        "compare_note_none": "Differences between those who answered in each unit and in the "
        "whole; not tested.",
        "rule": "Aggregation: element = {element}; overall = {overall}",
        "method": "Method",
    },
}


# ------------------------------------------------------------------------------ base
def _display_html(markup: str) -> None:
    """Show ready HTML in the notebook (nothing outside IPython). Callers escape data."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython comes with jupyter
        return
    if get_ipython() is not None:
        display(HTML(markup))


def rows_size(rows: int, width: float = 8.0) -> tuple[float, float]:
    """The size of a chart with one line per unit: 4.5 inches tall up to a dozen lines, then
    taller by a line's height per line, so 34 or 63 province names never overlap."""
    return width, max(4.5, 2.6 + 0.23 * rows)


def _show(written: Path | dict[str, Path], alt: str = "") -> None:
    """Show a saved figure in the notebook from its file (rendering it again would double
    the drawing time of a report, which dominates a batch), with its title as alt text.

    ``written`` is what `save_figure` returned (the SVG is shown when there is one: crisp at
    any zoom, and drawn without the PNG's raster cost) or a PNG's path; ``alt`` defaults to
    the title `save_figure` stored in the image."""
    image = (
        Path(written["svg"] if "svg" in written else written["png"])
        if isinstance(written, dict)
        else Path(written)
    )
    kind = "svg+xml" if image.suffix.lower() == ".svg" else "png"
    if not alt:
        alt = figure_title(image)
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    _display_html(
        f'<img src="data:image/{kind};base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'width="860" style="max-width: 100%; height: auto;">'
    )


def show_heading(title: str, note: str | None = None, *, level: int = 2) -> None:
    """Show a heading (and a short note under it) written by the report, escaped."""
    extra = f"<p>{html.escape(note)}</p>" if note else ""
    _display_html(f"<h{level}>{html.escape(title)}</h{level}>{extra}")


def show_files(label: str, paths: Sequence[Path]) -> None:
    """Links to a report's files by their names (never a path), e.g. its workbook."""
    links = ", ".join(f'<a href="{quote(p.name)}">{html.escape(p.name)}</a>' for p in paths)
    _display_html(f'<p class="files">{html.escape(label)}: {links}</p>')


@dataclass
class _Report:
    estimates: Estimates
    language: str
    output_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures_written: list[Path] = field(default_factory=list)
    # figures drawn to print at their natural size within this width (None: as drawn)
    print_width_in: float | None = None
    # said once under the title: labels the instrument gives only in another language
    language_note: str | None = None
    # also write each figure as a 200-dpi PNG (a Word document places it; users paste it
    # into slides); the HTML shows the SVG, so a report without Word skips the costly raster
    png: bool = False

    def __post_init__(self) -> None:
        if self.language not in TEXT:
            raise ParameterError(
                f"language must be one of {sorted(TEXT)}, got {self.language!r}",
                key="parameter 'language'",
            )
        self.output_dir = Path(self.output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        figures.set_theme()

    # helpers
    @property
    def text(self) -> dict[str, Any]:
        return TEXT[self.language]

    @property
    def study(self) -> dict[str, Any]:
        """The kind of sample and the reporting unit the estimates were made for."""
        return kinds.study_of_meta(self.estimates.meta)

    @property
    def interval(self) -> str | None:
        """What intervals are: "confidence", "reference" (quota) or None (none shown)."""
        return kinds.INTERVALS[self.study["kind"]]

    def unit_words(self, *, plural: bool = False) -> str:
        """The reporting unit as a reader says it ("xã, phường", "provinces")."""
        return kinds.unit_words(self.study.get("unit"), self.language, plural=plural)

    def _title(self, key: str, **values: Any) -> str:
        """A title of `TEXT` with the report's place, unit and field filled in."""
        return self.text[key].format(unit=self.unit_words(), **values)

    @property
    def _drawn_as(self) -> dict[str, Any]:
        """What every interval drawer needs to name its intervals for the kind of sample."""
        return {"interval": self.interval}

    @property
    def source(self) -> str:
        """Every figure's source line: the survey, its year and its kind of sample."""
        meta = self.estimates.meta
        title = f"{meta.get('title', meta.get('survey'))} ({meta.get('year')})"
        line = kinds.kind_line(self.study, self.language)
        return self.text["source"].format(title=title) + f". {line}"

    @property
    def method_sentences(self) -> list[str]:
        """How the numbers were made, one sentence per declared fact: the kind of sample
        first (its writer in `wording.STUDY_KINDS`), then index rules, geography, flags."""
        return method_sentences(self.facts, self.language)

    @property
    def facts(self) -> MethodFacts:
        """What the method note states, from the metadata beside the estimates."""
        return facts_from_meta(self.estimates.meta)

    @property
    def rule_note(self) -> str:
        """The index rules in one short sentence (figure footers, workbook notes)."""
        return index_rule_words(self.facts, self.language)

    @property
    def method_note(self) -> str:
        """The report's method note: kind of sample and design, intervals, index rules,
        geography, flags (`present.wording`, one language)."""
        return " ".join(self.method_sentences)

    @property
    def title(self) -> str:
        """The report's title in its language (the first heading of the page)."""
        scope = getattr(self, "where", None) or getattr(self, "field_name", "")
        return self.text["report_title"].format(kind=self.text[self._kind], scope=scope)

    _kind = "province_report"

    def short_labels(self, items: pd.Series) -> pd.Series:
        """The few words a chart shows for each criterion id (its full text when the
        instrument gives none); the tables keep the full text."""
        shorts = self.estimates.meta.get("short_labels") or {}
        return items.map(lambda i: (shorts.get(str(i)) or {}).get(self.language) or None)

    def _show_label_key(self, shorts: pd.Series, labels: pd.Series) -> None:
        """Under a figure drawn with the instrument's short labels: the criterion each short
        label stands for, in full, once each (nothing when every label is drawn in full)."""
        key = pd.DataFrame({"short": list(shorts), "label": list(labels)}).dropna()
        key = key[key["short"] != key["label"]].drop_duplicates()
        if key.empty:
            return
        short, full = self.text["label_key"]
        table = key.rename(columns={"short": short, "label": full}).reset_index(drop=True)
        caption = self.text["label_key_caption"]
        _display_html(table_html(show(table, language=self.language, caption=caption)))  # type: ignore[arg-type]

    def header(self) -> None:
        """Show the report's title, source (with its kind of sample) and method note."""
        _display_html(
            f"<h1>{html.escape(self.title)}</h1>"
            f'<p class="source">{html.escape(self.source)}</p>'
            f'<p class="method">{html.escape(self.method_note)}</p>'
            + (f'<p class="note">{html.escape(note)}</p>' if (note := self.language_note) else "")
        )

    def _for_kind(self, key: str) -> str:
        """The text `key` worded for the kind of sample's intervals: confidence (as is),
        reference (``_ref``) or none shown (``_none``)."""
        suffix = {"confidence": "", "reference": "_ref"}.get(self.interval or "", "_none")
        return self.text.get(key + suffix, self.text[key])

    def _heading(self, key: str, note: str | None = None) -> None:
        """Show a section heading (and a short note under it) in the report's language."""
        show_heading(self.text["sections"][key], note)

    def _table(
        self,
        key: str,
        frame: pd.DataFrame,
        *,
        by: Sequence[str] = (),
        extra: Sequence[str] = (),
        labels: dict[str, str] | None = None,
    ) -> ShownTable:
        """The tidy ``frame`` as a presentation table: kept for the workbook, shown in the
        report with labels (never ids), percentages, intervals, every row."""
        frame = frame.drop(columns=[c for c in ("variable", "level") if c not in by])
        if self.language != "vi":
            frame = frame.replace({ALL: self.text["all"]})
        unit = self.unit_words()
        other_unit = self.study.get("unit") not in (None, "province")
        names = {"province": unit[:1].upper() + unit[1:]} if other_unit else {}
        table = estimates_table(
            frame,
            language=self.language,
            by=list(by),
            extra=extra,
            interval=self.interval,
            by_labels={**names, **(labels or {})} or None,
        )
        self.tables[key] = table
        return self._shown(table, hidden=[COLUMN_LABELS[self.language]["se"]])

    def _shown(
        self,
        table: pd.DataFrame,
        *,
        hidden: Sequence[str] = (),
        points: Sequence[str] = (),
        p_values: Sequence[str] = (),
    ) -> ShownTable:
        """How a table of this report is shown (the workbook keeps every column)."""
        more = self.text["more"].format(file=self._workbook_name) if hidden else None
        return show(
            table,
            language=self.language,  # type: ignore[arg-type]
            hidden_columns=hidden,
            points_columns=points,
            p_columns=p_values,
            more=more,
        )

    _workbook_name = "tables.xlsx"

    def _figure(
        self,
        name: str,
        draw: Callable[[plt.Axes], Any],
        data: pd.DataFrame,
        size: tuple[float, float] = (8.0, 4.5),
    ) -> dict[str, Path]:
        fig, ax = plt.subplots(figsize=size)
        draw(ax)
        if self.print_width_in is not None:
            fit_width(fig, self.print_width_in)
        title = _title_of(fig)
        written = save_figure(
            fig, self.output_dir / "figures", name, data=data, formats=self.figure_formats
        )
        _show(written, title)
        self.figures_written.extend(written.values())
        return written

    @property
    def figure_formats(self) -> tuple[str, ...]:
        """The files of each figure: SVG (the HTML shows it) and its numbers; PNG too when
        asked (`png`)."""
        return ("png", "svg", "csv") if self.png else ("svg", "csv")

    def finish(self, name: str = "tables") -> Path:
        """Write every table of this report into `<output_dir>/<name>.xlsx`; the report shows
        a link to it by its file name."""
        path = self.output_dir / f"{name}.xlsx"
        sheets = {self.text["sheets"].get(key, key): table for key, table in self.tables.items()}
        method = pd.DataFrame({self.text["method"]: [self.source, *self.method_sentences]})
        sheets[self.text["method"]] = method
        write_workbook(path, sheets, notes=self.source)
        self._show_files([path])
        return path

    def _show_files(self, paths: Sequence[Path]) -> None:
        show_files(self.text["files"], paths)
