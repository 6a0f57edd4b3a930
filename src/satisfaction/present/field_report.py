"""The field report of the notebooks: one field across provinces.

`FieldReport.open(survey, field_name=..., provinces=...)` loads (or computes) the survey's
estimates; `ranking()` and `criteria()` return their tables and draw, show and save their
figures (the shared machinery is `sections._Report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt

from satisfaction.analysis.estimates import ALL, AnalysisOptions
from satisfaction.errors import ParameterError
from satisfaction.present import figures
from satisfaction.present.comparison import verdict_words
from satisfaction.present.english import report_language
from satisfaction.present.formatting import COLUMN_LABELS
from satisfaction.present.html_table import ShownTable
from satisfaction.present.sections import _Report, rows_size
from satisfaction.present.survey_choice import choose_many, ensure_estimates, find_root
from satisfaction.present.tables import estimates_table

#: Up to this many units the criteria heatmap has a column per unit; more get a row each.
_UNITS_ACROSS = 12

__all__ = ["FieldReport"]


@dataclass
class FieldReport(_Report):
    """One field across provinces: ranking with CIs, provinces above or below overall."""

    field_name: str = ""
    provinces: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        survey: str,
        *,
        field_name: str,
        provinces: str | list[str] = "all",
        unit: str = "",
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
        png: bool = False,
    ) -> FieldReport:
        root_path = Path(root) if root else find_root()
        estimates = ensure_estimates(
            survey, AnalysisOptions(level=level, min_n=min_n, unit=unit or None), root=root_path
        )
        if field_name not in estimates.fields:
            raise ParameterError(
                f"{field_name!r} is not a field of the survey; valid: "
                f"{', '.join(estimates.fields)}",
                key="parameter 'field'",
            )
        wanted = choose_many(
            provinces if isinstance(provinces, list) else [provinces],
            estimates.provinces,
            "provinces",
        )
        out = Path(output_dir) if output_dir else root_path / "outputs" / survey / "notebook"
        estimates, english, note = report_language(estimates, survey, language, root_path)
        return cls(
            png=png,
            estimates=estimates,
            language=language,
            output_dir=out,
            field_name=english.get(field_name, field_name),
            provinces=wanted,
            language_note=note,
        )

    _kind = "field_report"

    def ranking(self) -> ShownTable:
        """Overall index of the field in each province, against the field's overall value."""
        self._heading("ranking")
        overall = self.estimates["overall"]
        mine = overall[
            (overall["field"] == self.field_name) & overall["province"].isin(self.provinces)
        ]
        whole = overall[(overall["field"] == self.field_name) & (overall["province"] == ALL)]
        compare = self.estimates.frames.get("compare_province_field")
        if compare is not None:
            compare = compare[compare["field"] == self.field_name][
                ["province", "sig", "p_adjusted"]
            ]
            mine = mine.merge(compare, on="province", how="left")
        whole_value = float(whole["estimate"].iloc[0])
        n_total = int(whole["n"].iloc[0])

        def draw(ax: plt.Axes) -> None:
            figures.forest(
                mine,
                y="province",
                overall=whole_value,
                language=self.language,
                ax=ax,
                n_total=n_total,
                sig="sig" if "sig" in mine.columns else None,
                **self._drawn_as,
                title=self._title("ranking_title", field=self.field_name),
                source=self.source,
            )

        columns = [
            c
            for c in (
                "province",
                "estimate",
                "ci_low",
                "ci_high",
                "n",
                "reliable",
                "sig",
                "p_adjusted",
            )
            if c in mine.columns
        ]
        self._figure("xep-hang-tinh", draw, mine[columns], size=rows_size(len(mine)))
        ranked = mine.sort_values("estimate", ascending=False)
        table = estimates_table(
            ranked,
            language=self.language,
            by=["province"],
            interval=self.interval,  # type: ignore[arg-type]
        )
        if "sig" in ranked.columns and self.interval == "confidence":
            verdict = "So với chung" if self.language == "vi" else "Against overall"
            table[verdict] = verdict_words(ranked["sig"], self.language).to_numpy()
        self.tables["ranking"] = table
        return self._shown(table, hidden=[COLUMN_LABELS[self.language]["se"]])

    def criteria(self) -> ShownTable:
        """Satisfied share of every criterion of the field in each province."""
        self._heading("criteria")
        criteria = self.estimates["criteria"]
        mine = criteria[
            (criteria["field"] == self.field_name)
            & criteria["province"].isin([*self.provinces, ALL])
        ].copy()
        mine["province"] = mine["province"].replace({ALL: self.text["all"]})
        mine["short"] = self.short_labels(mine["item"]).fillna(mine["label"])

        # a few provinces are columns; a national survey's 34 or 63 are rows, one line each
        units = mine["province"].nunique()
        across, down = ("province", "short") if units <= _UNITS_ACROSS else ("short", "province")

        def draw(ax: plt.Axes) -> None:
            figures.heatmap(
                mine,
                x=across,
                y=down,
                language=self.language,
                ax=ax,
                title=self._title("field_heatmap_title", field=self.field_name),
                source=self.source,
            )

        self._figure(
            "tieu-chi-tinh",
            draw,
            mine[["province", "short", "label", "estimate", "ci_low", "ci_high", "n", "reliable"]],
            size=(7.5, 8.5) if units <= _UNITS_ACROSS else rows_size(units, width=8.5),
        )
        self._show_label_key(mine["short"], mine["label"])
        return self._table(
            "criteria",
            mine,
            by=["province", "label"],
            labels={"label": "Tiêu chí" if self.language == "vi" else "Criterion"},
        )
