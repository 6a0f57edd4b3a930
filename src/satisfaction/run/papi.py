"""PAPI-style jobs: a published index workbook -> checked tables, league tables and maps.

`publish_tables(FILE.xlsx)` (the command `satisfaction papi published FILE.xlsx`) writes into
``outputs/papi/<file name>/``:

- ``scores.csv``: the tidy table (year, province code, province, level, dimension,
  sub-dimension, score, and the sheet/row/column each score was read from);
- ``checks.csv``: every check of every sheet (sums, provinces, excluded rows, unpublished
  provinces, sub-dimension changes), status ok / note / problem;
- ``quartile_groups.csv``: the quartile group of each province per year, for the total and
  each dimension, with the cut points and the rule;
- ``league_tables.xlsx``: one sheet per year (rank out of the published provinces, total,
  group, dimensions) and the checks, each with a notes row saying how the numbers were made;
- ``maps/``: a tile-grid map of the 63 provinces per year coloured by quartile group (PNG,
  SVG and the CSV of what is drawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from satisfaction.io.papi_workbook import read_papi_workbook, tidy_scores
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.present.figures import set_theme, tile_map
from satisfaction.present.files import save_figure
from satisfaction.present.formatting import note_line
from satisfaction.present.papi_tables import checks_presentation, league_presentation
from satisfaction.present.workbook import write_workbook
from satisfaction.studies.papi_published import (
    QUARTILE_RULE,
    league_table,
    quartile_groups,
    sheet_checks,
)

__all__ = ["PublishedTables", "publish_tables"]


@dataclass(frozen=True)
class PublishedTables:
    """What `publish_tables` wrote, and the checks it ran."""

    folder: Path
    files: tuple[Path, ...]
    checks: pd.DataFrame
    years: tuple[int, ...]

    @property
    def problems(self) -> pd.DataFrame:
        return self.checks[self.checks["status"] == "problem"]


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def publish_tables(
    workbook_path: str | Path, outputs: str | Path = "outputs", *, language: str = "vi"
) -> PublishedTables:
    """Read, check, group and rank a published PAPI-style workbook; write the outputs."""
    source = Path(workbook_path)
    workbook = read_papi_workbook(source)
    tidy = tidy_scores(workbook)
    checks = sheet_checks(workbook)
    folder = safe_output_path(outputs, "papi", slugify(source.stem))
    folder.mkdir(parents=True, exist_ok=True)
    files = [_csv(tidy, folder / "scores.csv"), _csv(checks, folder / "checks.csv")]
    dimensions = ["total", *tidy.loc[tidy["level"] == "dimension", "dimension_id"].unique()]
    groups = pd.concat(
        [quartile_groups(tidy, dimension=d, language=language) for d in dimensions],
        ignore_index=True,
    )
    files.append(_csv(groups, folder / "quartile_groups.csv"))
    years = tuple(int(y) for y in sorted(tidy["year"].unique()))
    sheets = {}
    for year in years:
        table = league_table(tidy, year, language=language)
        sheets[str(year)] = league_presentation(table, language=language)
    check_sheet = "Kiểm tra" if language == "vi" else "Checks"
    sheets[check_sheet] = checks_presentation(checks, language=language)
    method = (
        "Điểm công bố, không tính lại; tổng = cộng các lĩnh vực (không trọng số). "
        if language == "vi"
        else "Published scores, not recomputed; total = sum of the dimensions (unweighted). "
    ) + QUARTILE_RULE[language]
    notes = note_line(source=source.name, method=method, language=language)  # type: ignore[arg-type]
    files.append(write_workbook(folder / "league_tables.xlsx", sheets, notes=notes))
    totals = groups[groups["dimension_id"] == "total"]
    files += _quartile_maps(totals, folder / "maps", source.name, language)
    return PublishedTables(folder, tuple(files), checks, years)


def _quartile_maps(groups: pd.DataFrame, folder: Path, source: str, language: str) -> list[Path]:
    """One tile map of the 63 provinces per year, coloured by the total's quartile group."""
    set_theme()
    out = []
    title = "Nhóm tỉnh theo chỉ số PAPI, năm {year}" if language == "vi" else "PAPI groups, {year}"
    for year, part in groups.groupby("year", sort=True):
        shown = part[["province", "score", "group", "group_label", "p25", "p50", "p75"]]
        ax = tile_map(
            shown,
            system="historical_63",
            value="score",
            language=language,  # type: ignore[arg-type]
            title=title.format(year=year),
            source=source,
            note=QUARTILE_RULE[language],
        )
        paths = save_figure(ax, folder, f"quartile_map_{year}", data=shown)
        out += [paths["png"], paths["svg"], paths["csv"]]
    return out
