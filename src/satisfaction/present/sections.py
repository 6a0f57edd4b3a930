"""Report sections for the notebooks: tables and figures from the up-front estimates.

A notebook opens a `ProvinceReport` or `FieldReport` and calls one method per section; each
method returns a presentation table (displayed by the notebook) and draws, shows and saves
its figure (PNG + SVG + CSV of the numbers drawn, via `report.save_figure`). `finish()`
writes every table of the report to one Excel workbook. Nothing here estimates: the
numbers come from `analysis.compute_estimates`, computed once per survey and option set.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.analysis.estimates import (
    ALL,
    BREAKDOWN_LABELS,
    AnalysisOptions,
    Estimates,
    compute_estimates,
    load_estimates,
    write_estimates,
)
from satisfaction.errors import InputError, ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.tables import estimates_table
from satisfaction.present.workbook import write_workbook

__all__ = [
    "FieldReport",
    "ProvinceReport",
    "choose_many",
    "choose_one",
    "ensure_estimates",
    "estimates_dir",
    "find_root",
    "load_or_clean",
    "survey_folder",
]

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
        "rule": "Quy tắc tổng hợp: yếu tố = {element}; chung = {overall}; KTC {level:.0%}",
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
        "rule": "Aggregation: element = {element}; overall = {overall}; {level:.0%} CI",
    },
}


# ------------------------------------------------------------------------------ locations
def find_root(start: str | Path | None = None) -> Path:
    """The project folder holding `surveys/` (SATISFACTION_ROOT wins when set)."""
    env = os.environ.get("SATISFACTION_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "surveys").is_dir():
            return folder
    raise InputError(
        "cannot find the project folder (no surveys/ above here); set SATISFACTION_ROOT", file=here
    )


def survey_folder(
    root: Path, name: str, parameter: str = "survey", *, exclude: str | None = None
) -> Path:
    """`surveys/<name>/` when it holds an instrument; else an error listing the surveys
    (without `exclude`, e.g. the current wave when asking for the previous one)."""
    folder = root / "surveys" / name
    if "/" in name or "\\" in name or not (folder / "instrument.yaml").is_file():
        valid = sorted(
            p.name
            for p in (root / "surveys").iterdir()
            if (p / "instrument.yaml").is_file() and p.name != exclude
        )
        raise ParameterError(
            f"{name!r} is not a survey folder; valid: {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return folder


def choose_one(value: str, valid: list[str], parameter: str) -> str:
    """One value of the data, or `ALL` for "all"; else an error listing the valid ones."""
    if value in ("all", ALL):
        return ALL
    if value not in valid:
        raise ParameterError(
            f"{value!r} is not in the survey; valid: all, {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return value


def _split_names(text_value: str, valid: list[str]) -> list[str]:
    """Comma-separated names, where a name may itself hold commas ("Công chứng, chứng
    thực"): adjacent parts are joined while they make up a valid name."""
    if text_value.strip() in valid:
        return [text_value.strip()]
    parts = [part.strip() for part in text_value.split(",") if part.strip()]
    names, pending = [], ""
    for part in parts:
        pending = f"{pending}, {part}" if pending else part
        if pending in valid or pending == "all":
            names.append(pending)
            pending = ""
    if pending:  # what is left is unknown: report it as typed
        names.append(pending)
    return names


def choose_many(requested: str | Sequence[str], valid: list[str], parameter: str) -> list[str]:
    """Values of the data: "all", a list, or comma-separated text; unknown ones refused."""
    if isinstance(requested, str):
        requested = _split_names(requested, valid)
    if list(requested) in ([], ["all"]):
        return list(valid)
    unknown = [r for r in requested if r not in valid]
    if unknown:
        raise ParameterError(
            f"{unknown[0]!r} is not in the survey; valid: all, {', '.join(valid)}",
            key=f"parameter '{parameter}'",
        )
    return list(requested)


def load_or_clean(root: Path, survey: str) -> tuple[Instrument, pd.DataFrame]:
    """The survey's instrument and clean data, cleaning first when there is none yet."""
    from satisfaction.cleaning.survey import clean_survey, load_clean
    from satisfaction.io.instrument import load_instrument

    folder = survey_folder(root, survey)
    instrument = load_instrument(folder / "instrument.yaml")
    outputs = root / "outputs"
    try:
        return instrument, load_clean(outputs, instrument.id)
    except InputError:
        return instrument, clean_survey(folder, outputs).data


def estimates_dir(root: Path, survey: str, options: AnalysisOptions) -> Path:
    """Where estimates for these options live: the default options get `estimates/`."""
    base = root / "outputs" / survey / "estimates"
    if options == AnalysisOptions():
        return base
    key = hashlib.sha256(json.dumps(options.__dict__, sort_keys=True).encode()).hexdigest()
    return base / f"options-{key[:12]}"


def ensure_estimates(
    survey: str, options: AnalysisOptions | None = None, *, root: Path | None = None
) -> Estimates:
    """Load the survey's estimates, cleaning and estimating first when they are missing."""
    options = options or AnalysisOptions()
    root = root or find_root()
    target = estimates_dir(root, survey, options)
    if (target / "meta.json").exists():
        return load_estimates(target)
    instrument, clean = load_or_clean(root, survey)
    estimates = compute_estimates(clean, instrument, options)
    write_estimates(estimates, target)
    return estimates


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
    def rule_note(self) -> str:
        meta = self.estimates.meta
        return self.text["rule"].format(
            element=meta["element_rule"],
            overall=meta["overall_rule"],
            level=meta["options"]["level"],
        )

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


# ------------------------------------------------------------------------------ province
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
        fields: str | list[str] = "all",
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
    ) -> ProvinceReport:
        """Load (or compute) the survey's estimates and check the province and fields."""
        root_path = Path(root) if root else find_root()
        options = AnalysisOptions(level=level, min_n=min_n)
        estimates = ensure_estimates(survey, options, root=root_path)
        chosen = choose_one(province, estimates.provinces, "province")
        wanted = choose_many(
            fields if isinstance(fields, list) else [fields], estimates.fields, "fields"
        )
        out = Path(output_dir) if output_dir else root_path / "outputs" / survey / "notebook"
        return cls(
            estimates=estimates, language=language, output_dir=out, province=chosen, fields=wanted
        )

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
    def sample(self) -> pd.DataFrame:
        """Respondents (unweighted n) and weighted N by field."""
        sample = self.estimates["sample"]
        mine = sample[(sample["province"] == self.province)]
        mine = mine[mine["field"].isin([*self.fields, ALL])].copy()
        mine["N"] = mine["N"].round(0).astype("int64").astype("int64")
        table = mine[["field", "n", "N"]].rename(
            columns={"field": "Lĩnh vực" if self.language == "vi" else "Field"}
        )
        self.tables["sample"] = table.reset_index(drop=True)
        return self.tables["sample"]

    def data_quality(self) -> pd.DataFrame:
        """What cleaning did to the whole survey's data, per rule (from the cleaning log)."""
        path = (self.clean_dir or Path()) / "cleaning_summary.csv"
        if not path.exists():
            return pd.DataFrame()
        summary = pd.read_csv(path, encoding="utf-8-sig")
        text = "vi" if self.language == "vi" else "en"
        table = (
            summary.groupby(["rule", "kind", text], sort=False)["count"]
            .sum()
            .reset_index()
            .rename(columns={text: "meaning"})
        )
        self.tables["data_quality"] = table
        return table

    def indices(self) -> pd.DataFrame:
        """Overall and element indices with CIs (table and forest figure)."""
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
        return self._table("indices", both, by=["label"])

    def _element_distribution(self) -> None:
        """Answers to each element's satisfaction question, with its satisfied-share CI."""
        frames = self.estimates.frames
        if "likert_elements" not in frames or "element_questions" not in frames:
            return
        likert = self._mine("likert_elements")
        share = self._mine("element_questions")
        if likert.empty or share.empty:
            return
        flags = share.set_index("label")["reliable"]
        likert = likert.assign(
            level=likert["level"].astype(float), reliable=likert["label"].map(flags).fillna(False)
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
                ax=ax,
                n_total=n_total,
                title=self.text["element_questions_title"].format(where=self.where),
                source=self.source,
            )

        self._figure(
            "phan-bo-theo-yeu-to",
            draw,
            likert[["label", "level", "estimate", "ci_low", "ci_high", "n"]],
        )

    def by_field(self) -> pd.DataFrame:
        """Overall index by field, with the answer distribution of the overall question."""
        overall = self._mine("overall", field_all=False)
        likert = self.estimates["likert_overall"]
        likert = likert[(likert["province"] == self.province) & likert["field"].isin(self.fields)]
        if not likert.empty:
            share = overall.rename(columns={"field": "field"})[
                ["field", "estimate", "ci_low", "ci_high"]
            ]
            n_total = self._n_total
            # a bar is starred when its satisfied share is unreliable, not when a rare level is
            flags = overall.set_index("field")["reliable"]
            likert = likert.assign(reliable=likert["field"].map(flags).fillna(False))

            labels = self._likert_labels
            likert = likert.assign(level=likert["level"].astype(float))

            def draw(ax: plt.Axes) -> None:
                figures.likert_bars(
                    likert,
                    labels=labels,
                    y="field",
                    level="level",
                    satisfied_share=share,
                    language=self.language,
                    ax=ax,
                    n_total=n_total,
                    title=self.text["fields_title"].format(where=self.where),
                    source=self.source,
                    note=self.rule_note,
                )

            self._figure(
                "hai-long-theo-linh-vuc",
                draw,
                likert[["field", "level", "estimate", "ci_low", "ci_high", "n"]],
            )
        return self._table("by_field", overall, by=["field"])

    def criterion_heatmap(self) -> pd.DataFrame:
        """Satisfied share of every criterion in every field; unreliable cells hatched."""
        criteria = self._mine("criteria", field_all=False)
        n_total = self._n_total

        def draw(ax: plt.Axes) -> None:
            figures.heatmap(
                criteria,
                x="field",
                y="item",
                language=self.language,
                ax=ax,
                n_total=n_total,
                title=self.text["heatmap_title"].format(where=self.where),
                source=self.source,
            )

        self._figure(
            "tieu-chi-linh-vuc",
            draw,
            criteria[["field", "item", "label", "estimate", "ci_low", "ci_high", "n", "reliable"]],
            size=(8.0, 8.5),
        )
        return self._table("criteria_by_field", criteria, by=["field", "item", "label"])

    def weakest(self, k: int = 3) -> pd.DataFrame:
        """The k criteria with the lowest satisfied share in each field (reliable cells)."""
        criteria = self._mine("criteria", field_all=False)
        reliable = criteria[criteria["reliable"]]
        weakest = (
            reliable.sort_values("estimate")
            .groupby("field", sort=True)
            .head(k)
            .sort_values(["field", "estimate"])
        )
        return self._table("weakest", weakest, by=["field", "item", "label"])

    def compare(self) -> pd.DataFrame:
        """Every province's overall index against the whole survey, significance marked."""
        overall = self.estimates["overall"]
        by_province = overall[(overall["province"] != ALL) & (overall["field"] == ALL)].copy()
        if "compare_province" not in self.estimates.frames or by_province.empty:
            return pd.DataFrame()
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
                ax=ax,
                title=self.text["compare_title"],
                source=self.source,
                note=self.rule_note,
            )

        self._figure(
            "so-sanh-tinh",
            draw,
            merged[
                ["province", "estimate", "ci_low", "ci_high", "n", "reliable", "sig", "p_adjusted"]
            ],
        )
        elements = self.estimates["compare_province"]
        mine = (
            elements if self.province == ALL else elements[elements["province"] == self.province]
        )
        table = mine[mine["family"] != "criterion"][
            [
                "province",
                "statistic",
                "estimate",
                "overall",
                "difference",
                "se",
                "p_value",
                "p_adjusted",
                "sig",
            ]
        ].reset_index(drop=True)
        self.tables["compare"] = table
        return table

    def breakdowns(self) -> pd.DataFrame:
        """Overall index by sex, age band, respondent group and urban/rural."""
        frame = self.estimates["breakdowns"]
        if frame.empty:
            return frame
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
        return self._table("breakdowns", mine, by=["breakdown", "category"])

    def expectations(self) -> pd.DataFrame:
        """What respondents want improved first, against each element's satisfaction."""
        if "expectations" not in self.estimates.frames:
            return pd.DataFrame()
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
        return self._table("expectations", expect, by=["label"])


# ------------------------------------------------------------------------------ field
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
        level: float = 0.95,
        min_n: int = 30,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
    ) -> FieldReport:
        root_path = Path(root) if root else find_root()
        estimates = ensure_estimates(
            survey, AnalysisOptions(level=level, min_n=min_n), root=root_path
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
        return cls(
            estimates=estimates,
            language=language,
            output_dir=out,
            field_name=field_name,
            provinces=wanted,
        )

    def ranking(self) -> pd.DataFrame:
        """Overall index of the field in each province, against the field's overall value."""
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
                title=self.text["ranking_title"].format(field=self.field_name),
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
        self._figure("xep-hang-tinh", draw, mine[columns])
        table = self._table(
            "ranking", mine.sort_values("estimate", ascending=False), by=["province"]
        )
        if "sig" in mine.columns:
            table = table.assign(
                **{
                    "So với chung"
                    if self.language == "vi"
                    else "Against overall": mine.sort_values("estimate", ascending=False)[
                        "sig"
                    ].to_numpy()
                }
            )
            self.tables["ranking"] = table
        return table

    def criteria(self) -> pd.DataFrame:
        """Satisfied share of every criterion of the field in each province."""
        criteria = self.estimates["criteria"]
        mine = criteria[
            (criteria["field"] == self.field_name)
            & criteria["province"].isin([*self.provinces, ALL])
        ].copy()
        mine["province"] = mine["province"].replace({ALL: self.text["all"]})

        def draw(ax: plt.Axes) -> None:
            figures.heatmap(
                mine,
                x="province",
                y="item",
                language=self.language,
                ax=ax,
                title=self.text["field_heatmap_title"].format(field=self.field_name),
                source=self.source,
            )

        self._figure(
            "tieu-chi-tinh",
            draw,
            mine[["province", "item", "label", "estimate", "ci_low", "ci_high", "n", "reliable"]],
            size=(7.5, 8.5),
        )
        return self._table("criteria", mine, by=["province", "item", "label"])
