"""The PAPI-style province report (``notebooks/papi_report.ipynb``), one method per section.

Nothing here estimates: the numbers come from `analysis.papi` (computed once per survey and
kept under ``outputs/<survey>/papi-estimates``). Every section states how its numbers were
made in plain words: design-based estimates, 95% intervals, ranks from the joint
uncertainty of all provinces, Holm-adjusted comparisons, the geography used (the 34 provinces
from 1 July 2025; the 2024 wave re-estimated under them from its microdata and weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from satisfaction.analysis.estimates import ALL
from satisfaction.analysis.papi import PapiEstimates, ensure_papi_estimates
from satisfaction.errors import ParameterError
from satisfaction.io.paths import slugify
from satisfaction.present import figures
from satisfaction.present.files import save_figure
from satisfaction.present.formatting import format_number, format_percent
from satisfaction.present.html_table import ShownTable, show
from satisfaction.present.sections import _display_html, _show, show_files, show_heading
from satisfaction.present.survey_choice import choose_one, find_root
from satisfaction.present.workbook import write_workbook
from satisfaction.studies.papi_published import GROUP_LABELS

__all__ = ["PapiReport", "papi_estimates_dir"]

GEOGRAPHY = "current_34"
WORDS = {
    "vi": {
        "method": (
            "Ước lượng theo thiết kế mẫu (phân tầng, nhiều giai đoạn, có trọng số), khoảng tin "
            "cậy 95%; mỗi chỉ báo quy về thang 1-10 theo chiều của nó, chỉ số thành phần = "
            "trung bình chỉ báo × tỷ trọng, lĩnh vực = tổng chỉ số thành phần, chỉ số tổng hợp "
            "= tổng {k} lĩnh vực ({low:g}-{high:g}). Địa giới: 34 tỉnh từ 01/7/2025; năm 2024 "
            "được ước lượng lại theo tỉnh mới từ dữ liệu gốc và trọng số. {variance}{relative}"
        ),
        "linearisation": (
            "Sai số chuẩn và khoảng tin cậy: phương pháp tuyến tính hóa Taylor theo thiết kế "
            "mẫu."
        ),
        "replicate": (
            "Sai số chuẩn và khoảng tin cậy: phương pháp trọng số lặp ({method}, {count} bộ "
            "trọng số {origin}); toàn bộ chỉ số, thứ hạng và so sánh được tính lại trên từng "
            "bộ."
        ),
        "built": "tạo từ các đơn vị mẫu cấp 1 của thiết kế",
        "supplied": "đi kèm dữ liệu",
        "replicate_methods": {
            "JKn": "jackknife phân tầng JKn", "JK1": "jackknife JK1",
            "BRR": "nửa mẫu cân bằng BRR", "Fay": "BRR cải tiến của Fay",
            "bootstrap": "bootstrap", "successive-difference": "sai phân liên tiếp",
            "other": "trọng số lặp của đơn vị khảo sát",
        },
        "relative": (
            " {count} chỉ báo được quy về thang theo mức thấp nhất và cao nhất giữa các tỉnh "
            "(tỉnh tốt nhất {high:g}, kém nhất {low:g}): điểm của chúng phụ thuộc các tỉnh được "
            "ước lượng cùng, nên không so sánh được giữa các kỳ."
        ),
        "summary": (
            "**{province}, {year}**: chỉ số tổng hợp {estimate} (KTC 95%: {low}–{high}); "
            "hạng {rank}/{out_of} (khoảng hạng 95%: {rank_low}–{rank_high}, mô phỏng "
            "{draws} lần từ độ bất định chung của các tỉnh). Khả năng thuộc nhóm: {groups}. "
            "So với mức chung của các tỉnh ({overall}): {versus}."
        ),
        "above": "cao hơn có ý nghĩa",
        "below": "thấp hơn có ý nghĩa",
        "same": "không khác biệt có ý nghĩa (Holm)",
        "all_summary": "**{year}**: {n} tỉnh; chỉ số tổng hợp từ {low} đến {high}.",
        "columns": {
            "province": "Tỉnh/thành phố", "level_name": "Cấp", "label": "Chỉ số",
            "estimate": "Điểm", "ci_low": "KTC 95% dưới", "ci_high": "KTC 95% trên",
            "n": "n", "overall": "Mức chung", "difference": "Chênh lệch",
            "p_adjusted": "p (hiệu chỉnh Holm)", "sig": "Kết luận", "year": "Năm",
        },
        "title": "Chỉ số quản trị kiểu PAPI — {place}, {year}",
        "all": "tất cả các tỉnh",
        "source_line": "Nguồn: {title}",
        "sections": {
            "summary": "1. Tóm tắt",
            "scores": "2. Điểm theo lĩnh vực, khoảng tin cậy 95%",
            "ranking": "3. Xếp hạng và khoảng hạng",
            "map": "4. Bản đồ nhóm tỉnh",
            "trend": "5. Xu hướng qua các kỳ",
            "compare": "6. So với mức chung của các tỉnh",
        },
        "notes": {
            "ranking": (
                "Khoảng hạng tính từ độ bất định chung của mọi tỉnh (mô phỏng có hạt giống cố "
                "định), không từng tỉnh riêng lẻ."
            ),
            "trend": (
                "Năm 2024 được ước lượng lại theo 34 tỉnh từ dữ liệu gốc và trọng số, không "
                "lấy bình quân chỉ số các tỉnh cũ."
            ),
            "compare": (
                "Giá trị p được hiệu chỉnh theo phương pháp Holm cho mọi tỉnh và mọi chỉ số."
            ),
        },
        "sheets": {"scores": "Điểm", "compare": "So với mức chung"},
        "files": "Tệp số liệu",
        "levels": {"total": "Tổng hợp", "dimension": "Lĩnh vực",
                   "sub_dimension": "Chỉ số thành phần"},
        "sig": {"above": "Cao hơn", "below": "Thấp hơn", "": "Không khác biệt"},
        "rank_title": "Xếp hạng chỉ số tổng hợp, {year}",
        "map_title": "Nhóm tỉnh theo chỉ số tổng hợp, {year}",
        "trend_title": "Chỉ số tổng hợp qua các kỳ",
        "source": "{title}",
    },
    "en": {
        "method": (
            "Design-based estimates (stratified multi-stage, weighted), 95% intervals; each "
            "indicator rescaled to 1-10 with its direction, sub-dimension = mean of its "
            "indicators x its share, dimension = sum of its sub-dimensions, total = sum of the "
            "{k} dimensions ({low:g}-{high:g}). Geography: the 34 provinces from 1 July 2025; "
            "2024 re-estimated under them from its microdata and weights. {variance}{relative}"
        ),
        "linearisation": "Standard errors and intervals: Taylor linearisation of the design.",
        "replicate": (
            "Standard errors and intervals: replicate weights ({method}, {count} replicates "
            "{origin}); every index, rank and comparison recomputed on each replicate."
        ),
        "built": "built from the design's primary sampling units",
        "supplied": "delivered with the data",
        "replicate_methods": {
            "JKn": "stratified jackknife JKn", "JK1": "jackknife JK1",
            "BRR": "balanced repeated replication BRR", "Fay": "Fay's BRR",
            "bootstrap": "bootstrap", "successive-difference": "successive differences",
            "other": "the survey's own replicate weights",
        },
        "relative": (
            " {count} indicator(s) rescaled between the lowest and highest province (best "
            "{high:g}, worst {low:g}): their scores depend on the provinces estimated "
            "together, so they do not compare across waves."
        ),
        "summary": (
            "**{province}, {year}**: total index {estimate} (95% CI {low}–{high}); rank "
            "{rank}/{out_of} (95% rank interval {rank_low}–{rank_high}, {draws} draws from "
            "the joint uncertainty of all provinces). Chance of each group: {groups}. "
            "Against all provinces ({overall}): {versus}."
        ),
        "above": "significantly above",
        "below": "significantly below",
        "same": "no significant difference (Holm)",
        "all_summary": "**{year}**: {n} provinces; total index from {low} to {high}.",
        "columns": {
            "province": "Province", "level_name": "Level", "label": "Index",
            "estimate": "Score", "ci_low": "95% CI lower", "ci_high": "95% CI upper",
            "n": "n", "overall": "All provinces", "difference": "Difference",
            "p_adjusted": "p (Holm)", "sig": "Finding", "year": "Year",
        },
        "title": "PAPI-style governance index — {place}, {year}",
        "all": "all provinces",
        "source_line": "Source: {title}",
        "sections": {
            "summary": "1. Summary",
            "scores": "2. Scores with 95% confidence intervals",
            "ranking": "3. Ranking with rank intervals",
            "map": "4. Map of province groups",
            "trend": "5. Trend across waves",
            "compare": "6. Against all provinces",
        },
        "notes": {
            "ranking": (
                "Rank intervals come from the joint uncertainty of all provinces (a seeded "
                "simulation), not from each province alone."
            ),
            "trend": (
                "2024 is re-estimated under the 34 provinces from its microdata and weights, "
                "not averaged from the old provinces' indices."
            ),
            "compare": "p-values adjusted by Holm's method over every province and index.",
        },
        "sheets": {"scores": "Scores", "compare": "Against all"},
        "files": "Data files",
        "levels": {"total": "Total", "dimension": "Dimension", "sub_dimension": "Sub-dimension"},
        "sig": {"above": "Above", "below": "Below", "": "No difference"},
        "rank_title": "Ranking of the total index, {year}",
        "map_title": "Provinces by group of the total index, {year}",
        "trend_title": "Total index across waves",
        "source": "{title}",
    },
}  # fmt: skip


def _in_english(estimates: PapiEstimates, instrument_path: Path) -> PapiEstimates:
    """The estimates with each index named by the English label its instrument declares
    (the estimates keep the Vietnamese one); an index without one keeps its name."""
    import dataclasses

    from satisfaction.io.papi_instrument import load_papi_instrument
    from satisfaction.studies.papi_composites import composites

    english = {
        c.key: c.label.en for c in composites(load_papi_instrument(instrument_path)) if c.label.en
    }

    def relabel(frame: pd.DataFrame) -> pd.DataFrame:
        names = frame["composite"].map(english)
        return frame.assign(label=names.fillna(frame["label"]))

    return dataclasses.replace(
        estimates, scores=relabel(estimates.scores), compare=relabel(estimates.compare)
    )


def papi_estimates_dir(root: Path, survey: str) -> Path:
    return root / "outputs" / slugify(survey) / "papi-estimates"


@dataclass
class PapiReport:
    """Sections of one province's (or every province's) PAPI-style report."""

    estimates: PapiEstimates
    province: str
    year: int
    language: str
    output_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures_written: list[Path] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        survey: str = "papi-demo",
        *,
        province: str = "all",
        year: int = 0,
        language: str = "vi",
        output_dir: str | Path | None = None,
        root: str | Path | None = None,
    ) -> PapiReport:
        """Load (or compute once) the survey's estimates; ``year=0`` is the latest wave."""
        if language not in WORDS:
            raise ParameterError(
                f"language must be 'vi' or 'en', got {language!r}", key="parameter 'language'"
            )
        root_path = Path(root) if root else find_root()
        folder = root_path / "surveys" / survey
        if "/" in survey or not (folder / "papi_instrument.yaml").is_file():
            raise ParameterError(
                f"{survey!r} is not a PAPI-style survey folder (no papi_instrument.yaml)",
                key="parameter 'survey'",
            )
        estimates, _ = ensure_papi_estimates(folder, papi_estimates_dir(root_path, survey))
        if language == "en":
            estimates = _in_english(estimates, folder / "papi_instrument.yaml")
        chosen_year = year or estimates.years[-1]
        if chosen_year not in estimates.years:
            raise ParameterError(
                f"{year} is not a wave; waves: {estimates.years}", key="parameter 'year'"
            )
        chosen = choose_one(province, estimates.provinces(GEOGRAPHY), "province")
        out = Path(output_dir) if output_dir else root_path / "outputs" / survey / "papi"
        out.mkdir(parents=True, exist_ok=True)
        figures.set_theme()
        return cls(estimates, chosen, chosen_year, language, out)

    # ------------------------------------------------------------------------ helpers
    @property
    def words(self) -> dict[str, Any]:
        return WORDS[self.language]

    @property
    def source(self) -> str:
        meta = self.estimates.meta
        return str(meta.get("title_en") if self.language == "en" else meta.get("title"))

    def _rows(self, frame: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
        year = year or self.year
        return frame[(frame["geography"] == GEOGRAPHY) & (frame["year"] == year)]

    def _number(self, value: float, digits: int = 2) -> str:
        return format_number(float(value), digits=digits, language=self.language)  # type: ignore[arg-type]

    def _percent(self, share: float) -> str:
        return format_percent(float(share), digits=0, language=self.language)  # type: ignore[arg-type]

    def _figure(self, name: str, ax: Any, data: pd.DataFrame) -> dict[str, Path]:
        written = save_figure(ax, self.output_dir / "figures", name, data=data)
        _show(written)
        self.figures_written.extend(written.values())
        return written

    @property
    def title(self) -> str:
        """The report's title in its language: the place and the wave."""
        place = self.words["all"] if self.province == ALL else self.province
        return str(self.words["title"]).format(place=place, year=self.year)

    def _heading(self, key: str) -> None:
        show_heading(self.words["sections"][key], self.words["notes"].get(key))

    # ----------------------------------------------------------------------- sections
    def header(self) -> None:
        """Show the title, the source and how the numbers were made, in one language."""
        import html

        source = str(self.words["source_line"]).format(title=self.source)
        _display_html(
            f"<h1>{html.escape(self.title)}</h1>"
            f'<p class="source">{html.escape(source)}</p>'
            f'<p class="method">{html.escape(self.method().data)}</p>'
        )

    def method(self) -> Any:
        from IPython.display import Markdown

        meta = self.estimates.meta
        low, high = meta["total_range"]
        k = round(high / meta["scale"][1])
        return Markdown(
            self.words["method"].format(
                k=k, low=low, high=high, variance=self.variance_note(), relative=self._relative()
            )
        )

    def variance_note(self) -> str:
        """How this wave's SEs were made: linearisation, or replicate weights by name."""
        words = self.words
        waves = self.estimates.meta.get("variance") or {}
        variance = waves.get(str(self.year)) or waves.get(self.year) or {}  # type: ignore[call-overload]
        if variance.get("method") != "replicate":
            return str(words["linearisation"])
        method = str(variance.get("replicate_method", "other"))
        return str(words["replicate"]).format(
            method=words["replicate_methods"].get(method, method),
            count=self._number(variance.get("replicates", 0), 0),
            origin=words["built"] if variance.get("built") else words["supplied"],
        )

    def _relative(self) -> str:
        meta = self.estimates.meta
        relative = meta.get("relative_indicators") or []
        if not relative:
            return ""
        low, high = meta["scale"]
        return str(self.words["relative"]).format(count=len(relative), low=low, high=high)

    def summary(self) -> Any:
        """One paragraph: the total, its interval, rank interval, groups, against all."""
        from IPython.display import Markdown

        words = self.words
        self._heading("summary")
        scores = self._rows(self.estimates.scores)
        totals = scores[scores["composite"] == "total"]
        if self.province == ALL:
            text = words["all_summary"].format(
                year=self.year,
                n=len(totals),
                low=self._number(totals["estimate"].min()),
                high=self._number(totals["estimate"].max()),
            )
            return Markdown(text)
        row = totals.set_index("province").loc[self.province]
        rank = self._rows(self.estimates.ranks).set_index("province").loc[self.province]
        cmp = self._rows(self.estimates.compare)
        mine = cmp[(cmp["composite"] == "total") & (cmp["province"] == self.province)].iloc[0]
        shares = {g: self._percent(rank[f"p_group_{g}"]) for g in (1, 2, 3, 4)}
        groups = ", ".join(f"{GROUP_LABELS[self.language][g]} {v}" for g, v in shares.items())
        text = words["summary"].format(
            province=self.province,
            year=self.year,
            estimate=self._number(row["estimate"]),
            low=self._number(row["ci_low"]),
            high=self._number(row["ci_high"]),
            rank=int(rank["rank"]),
            out_of=int(rank["out_of"]),
            rank_low=int(rank["rank_low"]),
            rank_high=int(rank["rank_high"]),
            draws=self._number(rank["draws"], 0),
            groups=groups,
            overall=self._number(mine["overall"]),
            versus=words[mine["sig"]] if mine["sig"] else words["same"],
        )
        return Markdown(text)

    def _display(self, key: str, table: pd.DataFrame) -> ShownTable:
        """Keep the table for the workbook; show it as a leader reads it (`html_table`):
        numbers in the language's format, intervals as one column, no index, every row."""
        self.tables[key] = table
        columns = self.words["columns"]
        return show(
            table,
            language=self.language,  # type: ignore[arg-type]
            number_columns=[columns["ci_low"], columns["ci_high"]],
            p_columns=[columns["p_adjusted"]],
        )

    def scores(self) -> Any:
        """Every level's score with its 95% CI (one province), or totals and dimensions."""
        self._heading("scores")
        rows = self._rows(self.estimates.scores)
        if self.province != ALL:
            rows = rows[rows["province"] == self.province]
        else:
            rows = rows[rows["level_name"] != "sub_dimension"]
        table = rows[["province", "level_name", "label", "estimate", "ci_low", "ci_high", "n"]]
        table = table.assign(level_name=table["level_name"].map(self.words["levels"]))
        table = table.rename(columns=self.words["columns"]).reset_index(drop=True)
        return self._display("scores", table)

    def compare(self) -> Any:
        """Above / below the all-province value, Holm-adjusted over every province x index."""
        self._heading("compare")
        rows = self._rows(self.estimates.compare)
        if self.province != ALL:
            rows = rows[rows["province"] == self.province]
        table = rows[
            ["province", "label", "estimate", "overall", "difference", "p_adjusted", "sig"]
        ]
        table = table.assign(sig=table["sig"].map(self.words["sig"]))
        table = table.rename(columns=self.words["columns"]).reset_index(drop=True)
        return self._display("compare", table)

    def ranking(self) -> dict[str, Path]:
        """Ranks with their 95% intervals, coloured by quartile group."""
        self._heading("ranking")
        data = self._rows(self.estimates.ranks)
        highlight = None if self.province == ALL else self.province
        ax = figures.rank_intervals(
            data,
            value="estimate",
            highlight=highlight,
            language=self.language,
            title=self.words["rank_title"].format(year=self.year),
            source=self.source,
        )
        return self._figure(f"xep-hang-{self.year}", ax, data)

    def map(self) -> dict[str, Path]:
        """The 34 provinces on a tile grid, coloured by the total's group (grey: no data)."""
        self._heading("map")
        data = self._rows(self.estimates.ranks)[["province", "group", "estimate"]]
        ax = figures.tile_map(
            data,
            value="estimate",
            highlight=None if self.province == ALL else self.province,
            language=self.language,
            title=self.words["map_title"].format(year=self.year),
            source=self.source,
        )
        return self._figure(f"ban-do-nhom-{self.year}", ax, data)

    def trend(self) -> dict[str, Path]:
        """The total across waves under the 34, with the 2025 method break drawn."""
        self._heading("trend")
        scores = self.estimates.scores
        data = scores[(scores["geography"] == GEOGRAPHY) & (scores["composite"] == "total")]
        data = data[["year", "province", "estimate"]]
        _, ax = plt.subplots(figsize=(8.0, 4.6))
        figures.slope(
            data,
            y="estimate",
            breaks=self.estimates.breaks(self.language),
            highlight=None if self.province == ALL else self.province,
            language=self.language,
            title=self.words["trend_title"],
            source=self.source,
            ax=ax,
        )
        return self._figure("xu-huong", ax, data)

    def finish(self) -> Path:
        """Write every table of this report into ``papi_report.xlsx`` (sheets named in the
        report's language) and show a link to it by its file name."""
        path = self.output_dir / "papi_report.xlsx"
        notes = f"{self.source}. {self.method().data}"
        if not self.tables:
            self.scores()
        sheets = {self.words["sheets"].get(k, k): table for k, table in self.tables.items()}
        write_workbook(path, sheets, notes=notes)
        show_files(self.words["files"], [path])
        return path
