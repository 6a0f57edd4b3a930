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
from satisfaction.present.workbook import write_workbook
from satisfaction.studies import kinds

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
        "compare_title": "Chỉ số hài lòng chung theo {unit} (so với toàn bộ)",
        "breakdown_title": "Chỉ số hài lòng chung theo nhóm — {where}",
        "expect_title": "Kỳ vọng cải thiện và mức hài lòng theo yếu tố — {where}",
        "ranking_title": "{field}: chỉ số hài lòng theo {unit}",
        "field_heatmap_title": "{field}: tỷ lệ hài lòng theo tiêu chí và {unit}",
        "expectation": "Tỷ lệ mong muốn cải thiện",
        "satisfaction": "Chỉ số hài lòng",
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
        "rule": "Aggregation: element = {element}; overall = {overall}",
        "method": "Method",
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
        """How the numbers were made: the kind of sample first, then the index rules."""
        level = float((self.estimates.meta.get("options") or {}).get("level", 0.95))
        study = kinds.kind_sentences(self.study, self.language, level=level)
        return [*study, self.rule_note + "."]

    @property
    def rule_note(self) -> str:
        meta = self.estimates.meta
        rule = self.text["rule"].format(element=meta["element_rule"], overall=meta["overall_rule"])
        lonely = (meta.get("lonely_psu_note") or {}).get(self.language)
        return f"{rule}; {lonely}" if lonely else rule

    def header(self) -> Any:
        """The report's scope, its kind of sample, and how its numbers were made."""
        from IPython.display import Markdown

        scope = getattr(self, "where", None) or getattr(self, "field_name", "")
        line = kinds.kind_line(self.study, self.language)
        return Markdown(f"**{scope}** — {line}\n\n" + " ".join(self.method_sentences))

    def _table(
        self, key: str, frame: pd.DataFrame, *, by: Sequence[str] = (), extra: Sequence[str] = ()
    ) -> pd.DataFrame:
        unit = self.unit_words()
        other_unit = self.study.get("unit") not in (None, "province")
        table = estimates_table(
            frame,
            language=self.language,
            by=list(by),
            extra=extra,
            interval=self.interval,
            by_labels={"province": unit[:1].upper() + unit[1:]} if other_unit else None,
        )
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
        method = pd.DataFrame({self.text["method"]: [self.source, *self.method_sentences]})
        sheets = {**self.tables, self.text["method"]: method}
        write_workbook(path, sheets, notes=self.source)
        return path
