"""The one-stop report of a ward, a district, a province or every unit: sections for the
notebook `onestop_report.ipynb`, and its Excel and Word files.

`OnestopReport.open(survey, level=..., name=..., by=..., period=...)` reads the clean
dossiers `satisfaction onestop surveys/<survey>` wrote, and each section returns a table or
draws a figure: the census statement, the report sentences, the table by field, the two
satisfaction measures side by side (each under its own name, with the rating coverage),
funnel plots of units' on-time rates, the monthly trend; `finish()` writes
`onestop_report.xlsx` and `onestop_report.docx`. Counting is DuckDB's
(`studies.onestop.dossier_metrics`), limits are `studies.funnel`'s: nothing here computes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.errors import InputError, ParameterError, SatisfactionError
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.formatting import note_line
from satisfaction.present.html_table import ShownTable, show
from satisfaction.present.onestop_text import (
    CENSUS_TEXT,
    field_table,
    formulas_table,
    measures_table,
    period_name,
    report_sentences,
    trend_table,
)
from satisfaction.present.sections import _display_html, _show, show_files, show_heading
from satisfaction.present.survey_choice import find_root
from satisfaction.present.word import DocxReport
from satisfaction.present.workbook import write_workbook
from satisfaction.studies.funnel import funnel_points
from satisfaction.studies.onestop import PERIODS, dossier_metrics

__all__ = ["LEVELS", "OnestopReport", "as_markdown_text"]

LEVELS = ("all", "province", "district", "unit")
_WORDS = {
    "vi": {
        "all": "toàn bộ các đơn vị",
        "title": "Báo cáo kết quả giải quyết thủ tục hành chính qua hệ thống một cửa",
        "field_table": "Kết quả tiếp nhận và giải quyết hồ sơ theo lĩnh vực, {period}",
        "measures": "Hai thước đo sự hài lòng theo lĩnh vực, {period}",
        "trend": "Theo tháng",
        "trend_caption": "Diễn biến theo tháng",
        "funnel": "Tỷ lệ hồ sơ giải quyết đúng và trước hạn theo đơn vị — {where}, {period}",
        "funnel_field": "{field}: tỷ lệ giải quyết đúng và trước hạn theo đơn vị — {period}",
        "on_time": "Tỷ lệ đúng và trước hạn",
        "note": "Giới hạn kiểm soát thể hiện dao động giữa các đơn vị, không phải sai số mẫu",
        "source": "Hệ thống một cửa điện tử: {title}",
        "sections": {
            "summary": "1. Kết quả tiếp nhận, giải quyết hồ sơ",
            "measures": "2. Hai thước đo sự hài lòng",
            "funnels": "3. Đơn vị nào thực sự khác biệt",
            "trend": "4. Diễn biến theo tháng",
            "survey": "5. Khảo sát và hồ sơ một cửa",
        },
        "notes": {
            "measures": (
                "Tỷ lệ theo QĐ 766/QĐ-TTg tính hồ sơ không được đánh giá là hài lòng; tỷ lệ "
                "trong số hồ sơ được đánh giá chỉ tính người đã đánh giá (xem độ phủ)."
            ),
            "funnels": (
                "Biểu đồ phễu: tỷ lệ đúng hạn theo số hồ sơ, với giới hạn kiểm soát 95% và 99,8%."
            ),
            "survey": (
                "Hai nguồn đo những điều khác nhau: đặt cạnh nhau để đối chiếu, không so sánh "
                "trực tiếp."
            ),
        },
        "files": "Tệp báo cáo",
    },
    "en": {
        "all": "all units",
        "title": "One-stop administrative procedures report",
        "field_table": "Dossiers received and settled by field, {period}",
        "measures": "The two satisfaction measures by field, {period}",
        "trend": "By month",
        "trend_caption": "Month by month",
        "funnel": "Share settled on time or early by unit — {where}, {period}",
        "funnel_field": "{field}: share settled on time or early by unit — {period}",
        "on_time": "On time or early",
        "note": "Control limits show variation between units, not sampling error",
        "source": "One-stop e-system: {title}",
        "sections": {
            "summary": "1. Dossiers received and settled",
            "measures": "2. The two satisfaction measures",
            "funnels": "3. Units that really differ",
            "trend": "4. Month by month",
            "survey": "5. Survey beside one-stop records",
        },
        "notes": {
            "measures": (
                "The QĐ 766 rate counts unrated dossiers as satisfied; the rated-only share "
                "counts raters only (see the coverage)."
            ),
            "funnels": (
                "Funnel plots: on-time share against volume, with 95% and 99.8% control limits."
            ),
            "survey": (
                "Different sources measuring different things: side by side, not compared one "
                "to one."
            ),
        },
        "files": "Report files",
        # the export records its fields and units in Vietnamese, with no English names
        "names_note": (
            "Field and unit names are shown as the one-stop system records them, in Vietnamese."
        ),
    },
}


def _clean_dossiers(root: Path, survey: str) -> Path:
    if "/" in survey or "\\" in survey or survey in ("", ".", ".."):
        raise ParameterError(f"{survey!r} is not a survey folder name", key="parameter 'survey'")
    path = root / "outputs" / survey / "onestop" / "clean" / "dossiers.parquet"
    if not path.is_file():
        raise InputError(
            f"no clean dossiers; run `satisfaction onestop surveys/{survey}` first", file=path
        )
    return path


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def as_markdown_text(text: str) -> str:
    """Text from the data (unit names ...) shown as plain text in Markdown: HTML escaped and
    Markdown's special characters backslashed, so a cell never becomes markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _export_title(folder: Path, language: str) -> str:
    from satisfaction.io.dossiers import load_dossier_spec

    try:
        spec = load_dossier_spec(folder)
    except SatisfactionError:  # the yaml moved since the dossiers were cleaned: no title
        return ""
    return spec.title_vi if language == "vi" else spec.title_en


@dataclass
class OnestopReport:
    """One area's one-stop report for one period; see the module docstring."""

    survey: str
    level: str
    name: str
    by: str
    period: str
    language: str
    output_dir: Path
    dossiers: Path
    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures_written: list[dict[str, Path]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)
    export_title: str = ""  # the export's title in dossiers.yaml: a label, not a folder name

    @classmethod
    def open(
        cls,
        survey: str,
        *,
        level: str = "all",
        name: str = "all",
        by: str = "quarter",
        period: str = "latest",
        language: str = "vi",
        output_dir: str | Path | None = None,
    ) -> OnestopReport:
        """The report of `name` (a province, district or unit; "all" for every unit)."""
        if level not in LEVELS:
            raise ParameterError(f"level must be one of {LEVELS}, got {level!r}", key="level")
        if by not in PERIODS:
            raise ParameterError(f"by must be one of {PERIODS}, got {by!r}", key="by")
        if language not in _WORDS:
            raise ParameterError(f"language must be 'vi' or 'en', got {language!r}")
        root = find_root()
        dossiers = _clean_dossiers(root, survey)
        report = cls(
            survey, level, name, by, "", language,
            Path(output_dir) if output_dir else root / "outputs" / survey / "onestop" / "report",
            dossiers, "",
        )  # fmt: skip
        report._choose(period)
        report.export_title = _export_title(root / "surveys" / survey, language)
        report.output_dir.mkdir(parents=True, exist_ok=True)
        return report

    # -- scope ---------------------------------------------------------------------------
    @property
    def where(self) -> dict[str, str]:
        return {} if self.level == "all" else {self.level: self.name}

    @property
    def place(self) -> str:
        return _WORDS[self.language]["all"] if self.level == "all" else self.name

    def _metrics(self, dims: tuple[str, ...], where: dict[str, str] | None = None) -> pd.DataFrame:
        return dossier_metrics(
            self.dossiers, by=self.by, dims=dims, where=self.where if where is None else where
        )

    def _choose(self, period: str) -> None:
        total = self._metrics(())
        if total.empty:
            valid = self._valid_names()
            raise ParameterError(
                f"{self.name!r} has no dossiers; valid {self.level} names: {', '.join(valid)}",
                key="parameter 'name'",
            )
        periods = list(total["period"])
        if period == "latest":
            period = periods[-1]
        if period not in periods:
            raise ParameterError(
                f"no dossiers in {period!r}; periods: {', '.join(periods)}",
                key="parameter 'period'",
            )
        self.period = period
        self.title = f"{_WORDS[self.language]['title']} — {self.place}, " + period_name(
            period, self.language
        )

    def _valid_names(self) -> list[str]:
        import duckdb

        column = {"province": "province", "district": "district", "unit": "unit"}[self.level]
        rows = duckdb.execute(
            f"SELECT DISTINCT {column} FROM read_parquet(?) ORDER BY 1", [str(self.dossiers)]
        ).fetchall()
        return [str(r[0]) for r in rows if r[0] is not None][:60]

    @property
    def source(self) -> str:
        return _WORDS[self.language]["source"].format(title=self.export_title or self.survey)

    # -- sections ------------------------------------------------------------------------
    def _heading(self, key: str) -> None:
        words = _WORDS[self.language]
        show_heading(words["sections"][key], words["notes"].get(key))

    def header(self) -> None:
        """The report's scope as its title, and that it is a census of the period's dossiers."""
        words = _WORDS[self.language]
        _display_html(
            f"<h1>{html.escape(self.title)}</h1>"
            f'<p class="source">{html.escape(self.source)}</p>'
            f'<p class="method">{html.escape(CENSUS_TEXT[self.language])}</p>'
            + (f'<p class="note">{html.escape(n)}</p>' if (n := words.get("names_note")) else "")
        )

    def summary(self) -> Any:
        """The report sentences (dossiers received, settled on time, the two measures)."""
        from IPython.display import Markdown

        self._heading("summary")
        self.sentences = report_sentences(self._total(), self.place, self.language)
        return Markdown("\n\n".join(as_markdown_text(s) for s in self.sentences))

    def _total(self) -> pd.Series:
        total = self._metrics(())
        return total[total["period"] == self.period].iloc[0]

    def _by_field(self) -> tuple[pd.DataFrame, pd.Series]:
        fields = self._metrics(("field",))
        return fields[fields["period"] == self.period], self._total()

    def by_field(self) -> ShownTable:
        """Received, online, desk and post, settled early / on the due date / late, pending."""
        table = field_table(*self._by_field(), language=self.language)
        return self._keep("Theo lĩnh vực" if self.language == "vi" else "By field", table,
                          "field_table")  # fmt: skip

    def _keep(self, sheet: str, table: pd.DataFrame, caption: str) -> ShownTable:
        """Keep the table for the workbook and the Word file; show it as a leader reads it
        (`html_table`: shares as "96,8%", no index, every row)."""
        period = period_name(self.period, self.language)
        self.tables[sheet] = table
        self.captions[sheet] = _WORDS[self.language][caption].format(period=period)
        return show(table, language=self.language)  # type: ignore[arg-type]

    def measures(self) -> ShownTable:
        """The QĐ 766 rate and the rated-only satisfied share, never under one name."""
        self._heading("measures")
        table = measures_table(*self._by_field(), language=self.language)
        return self._keep("Hai thước đo" if self.language == "vi" else "Two measures", table,
                          "measures")  # fmt: skip

    def trend(self) -> ShownTable:
        """Month by month: received, settled, late, the two measures and the coverage."""
        self._heading("trend")
        monthly = dossier_metrics(self.dossiers, by="month", dims=(), where=self.where)
        table = trend_table(monthly, self.language)
        self._trend_figure(monthly)
        return self._keep(_WORDS[self.language]["trend"], table, "trend_caption")

    def _trend_figure(self, monthly: pd.DataFrame) -> None:
        """On-time share, QĐ 766 rate and rating coverage month by month, one line each."""
        vi = self.language == "vi"
        lines = {
            "on_time_share": "Tỷ lệ đúng và trước hạn" if vi else "On time or early",
            "qd766_rate": "Tỷ lệ hài lòng theo QĐ 766" if vi else "QĐ 766 satisfaction rate",
            "rated_satisfied_share": (
                "Hài lòng trong số hồ sơ được đánh giá" if vi else "Satisfied among rated"
            ),
            "coverage": "Độ phủ đánh giá" if vi else "Rating coverage",
        }
        short = [f"{int(p[5:])}/{p[:4]}" for p in monthly["period"]]  # "2024-03" -> "3/2024"
        data = monthly.assign(label=short)
        title = ("Diễn biến theo tháng — " if vi else "Month by month — ") + self.place
        fig, ax = plt.subplots(figsize=(8.0, 4.2))
        figures.trend(
            data, x="label", lines=lines, language=self.language, title=title,
            source=self.source, note=CENSUS_TEXT[self.language].split(":")[0],
            ax=ax,
        )  # fmt: skip
        drawn = data[["label", *lines]]
        written = save_figure(fig, self.output_dir / "figures", "trend", data=drawn)
        _show(written)
        self.figures_written.append(written)
        self.captions[str(written["png"])] = title

    def funnels(self) -> None:
        """The section's heading, the area's funnel and that of its field with the lowest
        on-time share."""
        self._heading("funnels")
        self.funnel()
        self.funnel("lowest")

    def funnel(self, field_name: str | None = None) -> dict[str, Path] | None:
        """Units' on-time shares against their volume, with 95% and 99.8% control limits.

        The units are those of the area (for a ward: the wards of its district, its peers);
        `field_name` restricts to one field, "lowest" to the area's field with the lowest
        on-time share. Returns the written figure files, or None with fewer than 3 units.
        """
        area = self._peer_area()
        where = dict(area)
        if field_name == "lowest":
            fields = self._metrics(("field",), where=area)
            fields = fields[(fields["period"] == self.period) & (fields["settled"] > 0)]
            field_name = str(fields.sort_values("on_time_share").iloc[0]["field"])
        if field_name:
            where["field"] = field_name
        units = self._metrics(("unit",), where=where)
        units = units[units["period"] == self.period].assign(
            timed=lambda f: f["settled"] - f["timeliness_unknown"]
        )
        if (units["timed"] > 0).sum() < 3:
            return None
        points, limits, target = funnel_points(
            units, label="unit", events="on_time", volume="timed"
        )
        words = _WORDS[self.language]
        period = period_name(self.period, self.language)
        title = (
            words["funnel_field"].format(field=field_name, period=period)
            if field_name
            else words["funnel"].format(where=self.place, period=period)
        )
        fig, ax = plt.subplots(figsize=(8.0, 4.8))
        highlight = self.name if self.level == "unit" else None
        figures.funnel(
            points, limits, target=target, highlight=highlight, ylabel=words["on_time"],
            language=self.language, title=title, source=self.source, note=words["note"], ax=ax,
        )  # fmt: skip
        stem = "funnel-" + (field_name or "all")
        written = save_figure(fig, self.output_dir / "figures", stem, data=points)
        _show(written)
        self.figures_written.append(written)
        self.captions[str(written["png"])] = title
        return written

    def _peer_area(self) -> dict[str, str]:
        if self.level != "unit":
            return self.where
        import duckdb

        row = duckdb.execute(
            "SELECT district, province FROM read_parquet(?) WHERE unit = ? LIMIT 1",
            [str(self.dossiers), self.name],
        ).fetchone()
        if row and row[0]:
            return {"district": row[0]}
        return {"province": row[1]} if row and row[1] else {}

    def beside_survey(self, survey: str) -> ShownTable | None:
        """Per field, the survey's satisfaction index (design-based, 95% CI) beside the two
        administrative measures and the coverage -- side by side, never merged: they measure
        different things (sampled respondents vs every dossier; unrated counted as satisfied
        vs raters only). The survey's province is the area's (for a district or ward, its
        province). None when `survey` is empty or has no estimates yet."""
        from satisfaction.analysis.estimates import ALL, load_estimates

        folder = find_root() / "outputs" / survey / "estimates" if survey else None
        if folder is None or not (folder / "meta.json").exists():
            return None
        estimates = load_estimates(folder)
        overall = estimates["overall"]
        province = self._province()
        rows = overall[(overall["province"] == (province or ALL)) & (overall["field"] != ALL)]
        fields, _ = self._by_field()
        merged = rows[["field", "estimate", "ci_low", "ci_high"]].merge(
            fields[["field", "qd766_rate", "rated_satisfied_share", "coverage"]], on="field",
            how="outer",
        )  # fmt: skip
        year = estimates.meta.get("year", "")
        vi = self.language == "vi"
        names = {
            "field": "Lĩnh vực" if vi else "Field",
            "estimate": f"Khảo sát {year}: chỉ số hài lòng" if vi else f"Survey {year}: index",
            "ci_low": "Khảo sát: KTC 95% dưới" if vi else "Survey: 95% CI lower",
            "ci_high": "Khảo sát: KTC 95% trên" if vi else "Survey: 95% CI upper",
            "qd766_rate": "Một cửa: tỷ lệ theo QĐ 766" if vi else "One-stop: QĐ 766 rate",
            "rated_satisfied_share": (
                "Một cửa: hài lòng trong số hồ sơ được đánh giá" if vi else "One-stop: rated-only"
            ),
            "coverage": "Một cửa: độ phủ đánh giá" if vi else "One-stop: coverage",
        }
        table = merged.rename(columns=names)
        table.attrs["percent_columns"] = [v for k, v in names.items() if k != "field"]
        sheet = "Khảo sát và một cửa" if vi else "Survey and one-stop"
        self._heading("survey")
        self.tables[sheet] = table
        self.captions[sheet] = (
            f"Khảo sát ({province or ALL}) và hồ sơ một cửa: các thước đo khác nhau, đặt cạnh "
            "nhau để đối chiếu, không so sánh trực tiếp; tỷ lệ QĐ 766 phụ thuộc độ phủ đánh giá"
            if vi
            else f"Survey ({province or 'all'}) beside one-stop records: different measures, "
            "shown side by side, not compared one to one; the QĐ 766 rate depends on coverage"
        )
        return show(table, language=self.language)  # type: ignore[arg-type]

    def _province(self) -> str | None:
        if self.level == "province":
            return self.name
        if self.level == "all":
            return None
        import duckdb

        row = duckdb.execute(
            f"SELECT province FROM read_parquet(?) WHERE {self.level} = ? LIMIT 1",
            [str(self.dossiers), self.name],
        ).fetchone()
        return row[0] if row else None

    # -- files ---------------------------------------------------------------------------
    def finish(self) -> dict[str, Path]:
        """`onestop_report.xlsx` (every table, with the formulas) and `onestop_report.docx`."""
        from satisfaction.studies.onestop import FORMULAS

        if not self.sentences:
            self.summary()
        note = note_line(source=self.source, method=CENSUS_TEXT[self.language],
                         language=self.language)  # type: ignore[arg-type]  # fmt: skip
        formulas = formulas_table(FORMULAS, self.language)
        sheets = {**self.tables, ("Cách tính" if self.language == "vi" else "Formulas"): formulas}
        titles = {sheet: self.captions.get(sheet, self.title) for sheet in sheets}
        xlsx = write_workbook(self.output_dir / "onestop_report.xlsx", sheets, notes=note,
                              title=titles)  # fmt: skip
        doc = DocxReport(language=self.language)  # type: ignore[arg-type]
        doc.title(self.title)
        doc.paragraph(CENSUS_TEXT[self.language], italic=True)
        for sentence in self.sentences:
            doc.paragraph(sentence)
        for sheet, table in self.tables.items():
            doc.table(table, caption=self.captions.get(sheet, sheet), note=note)
        for written in self.figures_written:
            doc.figure(written, caption=self.captions.get(str(written["png"]), ""))
        docx = doc.save(self.output_dir / "onestop_report.docx", title=self.title)
        show_files(_WORDS[self.language]["files"], [xlsx, docx])
        return {"xlsx": xlsx, "docx": docx}
