"""Report sections for the notebooks: what every report's sections share.

A notebook opens a `ProvinceReport` (`province_report`), a `FieldReport` (`field_report`) or
a `RemediationReport` (`plan`) and calls one method per section; each method returns a
presentation table (displayed by the notebook) and draws, shows and saves its figure (PNG +
SVG + CSV of the numbers drawn, via `report.save_figure`). `finish()` writes every table of
the report to one Excel workbook. This module holds their shared base `_Report` and words;
nothing here estimates: the numbers come from `analysis.compute_estimates`, computed once per
survey and option set (`survey_choice.ensure_estimates`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.analysis.estimates import Estimates
from satisfaction.errors import ParameterError
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.tables import estimates_table
from satisfaction.present.wording import (
    MethodFacts,
    facts_from_meta,
    index_rule_words,
    method_note,
)
from satisfaction.present.workbook import write_workbook

__all__ = ["TEXT"]

TEXT = {
    "vi": {
        "all": "Toàn bộ khảo sát",
        "source": "Nguồn: {title}",
        "overall": "Chỉ số hài lòng chung",
        "elements_title": "Chỉ số hài lòng theo yếu tố — {where}",
        "fields_title": "Mức độ hài lòng chung theo lĩnh vực — {where}",
        "element_questions_title": "Mức độ hài lòng theo từng yếu tố — {where}",
        "heatmap_title": "Tỷ lệ hài lòng theo tiêu chí và lĩnh vực — {where}",
        "compare_title": "Chỉ số hài lòng chung theo tỉnh (so với toàn bộ)",
        "breakdown_title": "Chỉ số hài lòng chung theo nhóm — {where}",
        "expect_title": "Kỳ vọng cải thiện và mức hài lòng theo yếu tố — {where}",
        "ranking_title": "{field}: chỉ số hài lòng theo tỉnh",
        "field_heatmap_title": "{field}: tỷ lệ hài lòng theo tiêu chí và tỉnh",
        "expectation": "Tỷ lệ mong muốn cải thiện",
        "satisfaction": "Chỉ số hài lòng",
        "question_note": "Thanh: câu trả lời cho câu hỏi hài lòng chung; đoạn đen: KTC 95% của "
        "tỷ lệ hài lòng ở câu hỏi đó.\nBảng dưới hình là chỉ số hài lòng chung tính từ các "
        "tiêu chí: một thước đo khác.",
        "element_question_note": "Thanh: câu hỏi hài lòng chung của từng yếu tố; hình trên và "
        "bảng là chỉ số yếu tố\ntính từ các tiêu chí: một thước đo khác.",
    },
    "en": {
        "all": "Whole survey",
        "source": "Source: {title}",
        "overall": "Overall satisfaction index",
        "elements_title": "Satisfaction index by element — {where}",
        "fields_title": "Overall satisfaction by field — {where}",
        "element_questions_title": "Satisfaction with each element — {where}",
        "heatmap_title": "Satisfied share by criterion and field — {where}",
        "compare_title": "Overall satisfaction index by province (against the whole survey)",
        "breakdown_title": "Overall satisfaction index by group — {where}",
        "expect_title": "Expectations and satisfaction by element — {where}",
        "ranking_title": "{field}: satisfaction index by province",
        "field_heatmap_title": "{field}: satisfied share by criterion and province",
        "expectation": "Share wanting improvement",
        "satisfaction": "Satisfaction index",
        "question_note": "Bars: answers to the overall satisfaction question; black whisker: 95% "
        "CI of its satisfied share.\nThe table below is the overall index made from the "
        "criteria: another measure.",
        "element_question_note": "Bars: each element's own satisfaction question; the figure "
        "above and the table\nshow the element index made from the criteria: another measure.",
    },
}


# ------------------------------------------------------------------------------ base
def _show(png: Path) -> None:
    """Show a saved figure in the notebook from its PNG (rendering it again would double
    the drawing time of a report, which dominates a batch)."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - IPython comes with jupyter
        return
    if get_ipython() is not None:
        display(Image(filename=str(png), width=860))


@dataclass
class _Report:
    estimates: Estimates
    language: str
    output_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures_written: list[Path] = field(default_factory=list)

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
    def text(self) -> dict[str, str]:
        return TEXT[self.language]

    @property
    def source(self) -> str:
        meta = self.estimates.meta
        title = f"{meta.get('title', meta.get('survey'))} ({meta.get('year')})"
        return self.text["source"].format(title=title)

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
        """The report's method note: design, intervals, index rules, geography, flags."""
        return method_note(self.facts, self.language)

    def header(self) -> Any:
        """A Markdown line naming the report's scope and the aggregation rules."""
        from IPython.display import Markdown

        scope = getattr(self, "where", None) or getattr(self, "field_name", "")
        return Markdown(f"**{scope}** — {self.rule_note}")

    def _table(
        self, key: str, frame: pd.DataFrame, *, by: Sequence[str] = (), extra: Sequence[str] = ()
    ) -> pd.DataFrame:
        table = estimates_table(frame, language=self.language, by=list(by), extra=extra)
        self.tables[key] = table
        return table

    def _figure(
        self,
        name: str,
        draw: Callable[[plt.Axes], Any],
        data: pd.DataFrame,
        size: tuple[float, float] = (8.0, 4.5),
    ) -> dict[str, Path]:
        fig, ax = plt.subplots(figsize=size)
        draw(ax)
        written = save_figure(fig, self.output_dir / "figures", name, data=data)
        _show(written["png"])
        self.figures_written.extend(written.values())
        return written

    def finish(self, name: str = "tables") -> Path:
        """Write every table of this report into `<output_dir>/<name>.xlsx`."""
        path = self.output_dir / f"{name}.xlsx"
        write_workbook(path, self.tables, notes=f"{self.source}. {self.rule_note}")
        return path
