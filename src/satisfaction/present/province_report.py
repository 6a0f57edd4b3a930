"""The province report of the notebooks: one method per section, tables and figures.

`ProvinceReport.open(survey, province=..., fields=...)` loads (or computes) the survey's
estimates; each section method returns a presentation table and draws, shows and saves its
figure (the shared machinery is `sections._Report`). `province == ALL` is the whole survey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.analysis.estimates import ALL, BREAKDOWN_LABELS, AnalysisOptions
from satisfaction.cleaning.survey import clean_output_dir
from satisfaction.present import figures
from satisfaction.present.comparison import comparison_table, drop_tests
from satisfaction.present.english import report_language
from satisfaction.present.html_table import ShownTable
from satisfaction.present.sections import _Report, rows_size
from satisfaction.present.survey_choice import choose_many, choose_one, ensure_estimates, find_root

__all__ = ["ProvinceReport"]

# Headers of this report's tables
_SAMPLE_WORDS = {
    "vi": {
        "field": "Lĩnh vực",
        "n": "Số phiếu hợp lệ",
        "N": "Số người sử dụng dịch vụ ước tính",
        "index": "Chỉ số",
        "overall_index": "Chỉ số hài lòng chung (%)",
        "criterion": "Tiêu chí",
        "group": "Nhóm người trả lời",
        "wish": "Nội dung mong muốn cải thiện",
    },
    "en": {
        "field": "Field",
        "n": "Valid forms",
        "N": "Estimated service users",
        "index": "Index",
        "overall_index": "Overall index (%)",
        "criterion": "Criterion",
        "group": "Respondent group",
        "wish": "What respondents want improved",
    },
}

# The kinds of the cleaning summary (``cleaning.rules``), as a reader says them.
_CLEANING_WORDS = {
    "vi": {
        "what": "Nội dung xử lý",
        "kind": "Cách xử lý",
        "count": "Số lượng",
        "kinds": {
            "changed": "Đã sửa",
            "missing": "Coi là không trả lời",
            "flagged": "Giữ lại, đánh dấu",
            "rejected": "Loại khỏi phân tích",
        },
    },
    "en": {
        "what": "What was done",
        "kind": "How",
        "count": "Count",
        "kinds": {
            "changed": "Corrected",
            "missing": "Treated as no answer",
            "flagged": "Kept, flagged",
            "rejected": "Left out of the analysis",
        },
    },
}


@dataclass
class ProvinceReport(_Report):
    """Sections of a province report (`province == ALL` for the whole survey)."""

    province: str = ALL
    fields: list[str] = field(default_factory=list)
    clean_dir: Path | None = None

    @classmethod
    def open(
        cls,
        survey: str,
        *,
        province: str = "all",
        unit: str = "",
        fields: str | list[str] = "all",
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
        png: bool = False,
    ) -> ProvinceReport:
        """Load (or compute) the survey's estimates and check the unit and fields.

        ``unit``: the reporting unit the estimates are made per ("" for the survey's default,
        "commune", ...); ``province`` is then one of its values, or "all". ``png``: also
        write each figure as a 200-dpi PNG (the report shows the SVG)."""
        root_path = Path(root) if root else find_root()
        options = AnalysisOptions(level=level, min_n=min_n, unit=unit or None)
        estimates = ensure_estimates(survey, options, root=root_path)
        chosen = choose_one(province, estimates.provinces, "province")
        wanted = choose_many(
            fields if isinstance(fields, list) else [fields], estimates.fields, "fields"
        )
        if not estimates.fields:  # no field column: the field sections show the whole unit
            wanted = [ALL]
        out = Path(output_dir) if output_dir else root_path / "outputs" / survey / "notebook"
        survey_id = str(estimates.meta.get("survey") or survey)
        estimates, english, note = report_language(estimates, survey, language, root_path)
        return cls(
            png=png,
            estimates=estimates,
            language=language,
            output_dir=out,
            province=chosen,
            fields=[english.get(f, f) for f in wanted],
            clean_dir=clean_output_dir(root_path / "outputs", survey_id),
            language_note=note,
        )

    @property
    def _words(self) -> dict[str, str]:
        return _SAMPLE_WORDS[self.language]

    @property
    def where(self) -> str:
        return self.text["all"] if self.province == ALL else self.province

    def _mine(self, name: str, *, field_all: bool = True) -> pd.DataFrame:
        frame = self.estimates[name]
        frame = frame[frame["province"] == self.province]
        if field_all:
            return frame[frame["field"] == ALL].reset_index(drop=True)
        return frame[frame["field"].isin(self.fields)].reset_index(drop=True)

    @property
    def _likert_labels(self) -> dict[float, str] | None:
        """Answer code -> label of the scale drawn in the diverging bars, in the language."""
        labels = self.estimates.meta.get("likert_labels", {}).get(self.language, {})
        return {float(code): text for code, text in labels.items()} or None

    @property
    def _n_total(self) -> int:
        """Respondents behind this report (the unweighted n of its overall index)."""
        return int(self._mine("overall")["n"].iloc[0])

    # sections
    def sample(self) -> ShownTable:
        """Respondents (unweighted n) and weighted N by field."""
        self._heading("sample")
        words = _SAMPLE_WORDS[self.language]
        sample = self.estimates["sample"]
        mine = sample[(sample["province"] == self.province)]
        mine = mine[mine["field"].isin([*self.fields, ALL])].copy()
        mine["N"] = mine["N"].round(0).astype("int64")
        # N is the weighted count: the same as n when every form counts once
        shown = ["field", "n", "N"] if self.study.get("weighted") else ["field", "n"]
        table = mine[shown].rename(
            columns={"field": words["field"], "n": words["n"], "N": words["N"]}
        )
        table[words["field"]] = table[words["field"]].replace({ALL: self.text["all"]})
        self.tables["sample"] = table.reset_index(drop=True)
        return self._shown(self.tables["sample"])

    def data_quality(self) -> ShownTable | None:
        """What cleaning did to the whole survey's data (from the survey's cleaning summary):
        one row per kind of correction, in words, with the number of values or forms."""
        path = (self.clean_dir or Path()) / "cleaning_summary.csv"
        if not path.exists():
            return None
        self._heading("data_quality")
        summary = pd.read_csv(path, encoding="utf-8-sig")
        words = _CLEANING_WORDS[self.language]
        text = "vi" if self.language == "vi" else "en"
        table = (
            summary.groupby(["kind", text], sort=False)["count"]
            .sum()
            .reset_index()
            .assign(kind=lambda t: t["kind"].map(words["kinds"]).fillna(t["kind"]))
            .rename(columns={"kind": words["kind"], text: words["what"], "count": words["count"]})
        )[[words["what"], words["kind"], words["count"]]]
        self.tables["data_quality"] = table
        return self._shown(table)

    def indices(self) -> ShownTable:
        """Overall and element indices with CIs (table and forest figure)."""
        self._heading("indices")
        overall = self._mine("overall").assign(label=self.text["overall"])
        elements = self._mine("elements")
        both = pd.concat([overall, elements], ignore_index=True)
        overall_value = float(overall["estimate"].iloc[0])

        def draw(ax: plt.Axes) -> None:
            figures.forest(
                elements,
                y="label",
                overall=overall_value,
                sort=False,
                sig=None,
                language=self.language,
                **self._drawn_as,
                ax=ax,
                n_total=int(overall["n"].iloc[0]),
                title=self.text["elements_title"].format(where=self.where),
                source=self.source,
                note=self.rule_note,
            )

        self._figure(
            "chi-so-yeu-to",
            draw,
            elements[["label", "estimate", "ci_low", "ci_high", "n", "reliable"]],
        )
        self._element_distribution()
        return self._table("indices", both, by=["label"], labels={"label": self._words["index"]})

    def _element_distribution(self) -> None:
        """Answers to each element's satisfaction question, with its satisfied-share CI."""
        frames = self.estimates.frames
        if "likert_elements" not in frames or "element_questions" not in frames:
            return
        likert = self._mine("likert_elements")
        share = self._mine("element_questions")
        if likert.empty or share.empty:
            return
        flags = share.set_index("label")
        likert = likert.assign(
            level=likert["level"].astype(float),
            reliable=likert["label"].map(flags["reliable"]).fillna(False),
            reliability_note=likert["label"].map(flags["reliability_note"]).fillna(""),
        )
        labels = self._likert_labels
        n_total = self._n_total

        def draw(ax: plt.Axes) -> None:
            figures.likert_bars(
                likert,
                y="label",
                level="level",
                labels=labels,
                satisfied_share=share[["label", "estimate", "ci_low", "ci_high"]],
                language=self.language,
                **self._drawn_as,
                weighted=bool(self.study.get("weighted")),
                ax=ax,
                n_total=n_total,
                title=self.text["element_questions_title"].format(where=self.where),
                source=self.source,
                note=self.text["element_question_note"],
            )

        self._figure(
            "phan-bo-theo-yeu-to",
            draw,
            likert[["label", "level", "estimate", "ci_low", "ci_high", "n"]],
        )

    def by_field(self) -> ShownTable:
        """Overall index by field (table), and the answers to the overall question (figure).

        The bars and their whiskers are the overall satisfaction question (its satisfied
        share and that share's CI); the table is the overall index made from the criteria:
        two measures, and the figure's note says so.
        """
        self._heading("by_field")
        overall = self._mine("overall", field_all=False)
        likert = self.estimates["likert_overall"]
        likert = likert[(likert["province"] == self.province) & likert["field"].isin(self.fields)]
        if not likert.empty:
            question = self.estimates.frames.get("overall_question")
            share = None
            if question is not None:
                question = question[
                    (question["province"] == self.province) & question["field"].isin(self.fields)
                ]
                question = question.drop_duplicates("field")
                share = question[["field", "estimate", "ci_low", "ci_high"]]
                # a bar is starred when the satisfied share it carries is unreliable
                flags = question.set_index("field")
                likert = likert.assign(
                    reliable=likert["field"].map(flags["reliable"]).fillna(False),
                    reliability_note=likert["field"].map(flags["reliability_note"]).fillna(""),
                )
            n_total = self._n_total
            labels = self._likert_labels
            likert = likert.assign(level=likert["level"].astype(float))

            def draw(ax: plt.Axes) -> None:
                figures.likert_bars(
                    likert,
                    labels=labels,
                    y="field",
                    level="level",
                    # the scale's levels, so a survey answering one level still draws
                    level_order=sorted(labels) if labels else None,
                    satisfied_share=share,
                    reliable="reliable" if share is not None else None,
                    language=self.language,
                    **self._drawn_as,
                    weighted=bool(self.study.get("weighted")),
                    ax=ax,
                    n_total=n_total,
                    title=self.text["fields_title"].format(where=self.where),
                    source=self.source,
                    note=self._for_kind("question_note"),
                )

            self._figure(
                "hai-long-theo-linh-vuc",
                draw,
                likert[["field", "level", "estimate", "ci_low", "ci_high", "n"]],
            )
        return self._table(
            "by_field", overall, by=["field"], labels={"estimate": self._words["overall_index"]}
        )

    def criterion_heatmap(self) -> ShownTable:
        """Satisfied share of every criterion in every field; unreliable cells hatched."""
        self._heading("criterion_heatmap")
        criteria = self._mine("criteria", field_all=False)
        criteria = criteria.assign(
            short=self.short_labels(criteria["item"]).fillna(criteria["label"])
        )
        n_total = self._n_total

        def draw(ax: plt.Axes) -> None:
            figures.heatmap(
                criteria,
                x="field",
                y="short",
                language=self.language,
                ax=ax,
                n_total=n_total,
                title=self.text["heatmap_title"].format(where=self.where),
                source=self.source,
            )

        self._figure(
            "tieu-chi-linh-vuc",
            draw,
            criteria[
                ["field", "short", "label", "estimate", "ci_low", "ci_high", "n", "reliable"]
            ],
            size=(8.0, 8.5),
        )
        self._show_label_key(criteria["short"], criteria["label"])
        return self._table(
            "criteria_by_field",
            criteria,
            by=["field", "label"],
            labels={"label": self._words["criterion"]},
        )

    def weakest(self, k: int = 3) -> ShownTable:
        """The k criteria with the lowest satisfied share in each field (reliable cells)."""
        self._heading("weakest")
        criteria = self._mine("criteria", field_all=False)
        reliable = criteria[criteria["reliable"]]
        weakest = (
            reliable.sort_values("estimate")
            .groupby("field", sort=True)
            .head(k)
            .sort_values(["field", "estimate"])
        )
        return self._table(
            "weakest", weakest, by=["field", "label"], labels={"label": self._words["criterion"]}
        )

    def compare(self) -> ShownTable | None:
        """Every unit's overall index against the whole survey: significance marked for a
        probability sample, the difference alone for other kinds of sample."""
        overall = self.estimates["overall"]
        by_province = overall[(overall["province"] != ALL) & (overall["field"] == ALL)].copy()
        if "compare_province" not in self.estimates.frames or by_province.empty:
            return None
        self._heading("compare", self._for_kind("compare_note"))
        compare = self.estimates["compare_province"]
        compare = compare[compare["statistic"] == "overall"][["province", "sig", "p_adjusted"]]
        merged = by_province.merge(compare, on="province", how="left")
        whole = float(
            overall[(overall["province"] == ALL) & (overall["field"] == ALL)]["estimate"].iloc[0]
        )
        highlight = None if self.province == ALL else self.province

        def draw(ax: plt.Axes) -> None:
            figures.forest(
                merged,
                y="province",
                overall=whole,
                highlight=highlight,
                language=self.language,
                **self._drawn_as,
                ax=ax,
                title=self._title("compare_title"),
                source=self.source,
                note=self.rule_note,
            )

        self._figure(
            "so-sanh-tinh",
            draw,
            merged[
                ["province", "estimate", "ci_low", "ci_high", "n", "reliable", "sig", "p_adjusted"]
            ],
            size=rows_size(len(merged)),
        )
        elements = self.estimates["compare_province"]
        mine = (
            elements if self.province == ALL else elements[elements["province"] == self.province]
        )
        table = comparison_table(
            mine[mine["family"] != "criterion"], self.estimates["elements"], self.language
        )
        if self.interval != "confidence":  # differences only: nothing was tested
            table = drop_tests(table, self.language)
        self.tables["compare"] = table
        return self._shown(table)

    def breakdowns(self) -> ShownTable | None:
        """Overall index by sex, age band, respondent group and urban/rural."""
        frame = self.estimates["breakdowns"]
        if frame.empty:
            return None
        self._heading("breakdowns")
        mine = frame[(frame["province"] == self.province) & (frame["variable"] == "overall")]
        mine = mine.copy()
        index = 0 if self.language == "vi" else 1
        mine["group_label"] = [
            f"{BREAKDOWN_LABELS[b][index]}: {c}"
            for b, c in zip(mine["breakdown"], mine["category"], strict=True)
        ]
        whole = float(self._mine("overall")["estimate"].iloc[0])

        def draw(ax: plt.Axes) -> None:
            figures.forest(
                mine,
                y="group_label",
                overall=whole,
                sort=False,
                sig=None,
                language=self.language,
                **self._drawn_as,
                ax=ax,
                title=self.text["breakdown_title"].format(where=self.where),
                source=self.source,
                note=self.rule_note,
            )

        self._figure(
            "theo-nhom",
            draw,
            mine[["breakdown", "category", "estimate", "ci_low", "ci_high", "n", "reliable"]],
            size=(8.0, 5.0),
        )
        return self._table(
            "breakdowns", mine, by=["group_label"], labels={"group_label": self._words["group"]}
        )

    def expectations(self) -> ShownTable | None:
        """What respondents want improved first, against each element's satisfaction."""
        if "expectations" not in self.estimates.frames:
            return None
        self._heading("expectations")
        expect = self._mine("expectations")
        elements = self._mine("elements")[["group", "label", "estimate"]]
        by_group = (
            expect.dropna(subset=["group"])
            .groupby("group")["estimate"]
            .sum()
            .rename("importance")
            .reset_index()
        )
        ipa = elements.merge(by_group, on="group", how="inner").rename(
            columns={"estimate": "performance"}
        )
        if len(ipa) >= 2:

            def draw(ax: plt.Axes) -> None:
                figures.importance_performance(
                    ipa.assign(reliable=True),
                    importance="importance",
                    performance="performance",
                    label="label",
                    language=self.language,
                    ax=ax,
                    n=None,
                    xlabel=self.text["expectation"],
                    ylabel=self.text["satisfaction"],
                    title=self.text["expect_title"].format(where=self.where),
                    source=self.source,
                )

            self._figure("ky-vong-hai-long", draw, ipa, size=(7.5, 5.5))
        return self._table(
            "expectations", expect, by=["label"], labels={"label": self._words["wish"]}
        )
