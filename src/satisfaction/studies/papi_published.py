"""Published PAPI-style index tables: checks, quartile groups, league tables, comparisons.

Published scores are taken as given (they are administrative figures, not estimates): this
module checks that each sheet adds up, groups provinces as PAPI does, ranks them, and refuses
comparisons the numbers cannot carry.

Checks per sheet (`sheet_checks`): the 63 provinces are there; rows that are not provinces
("Highest") are excluded and compared with the column maxima they claim to be; provinces
not published that year are listed (their scores stay missing, never 0); each dimension
equals the sum of its sub-dimensions (worst gap, tolerance 1e-5: published sub-dimensions
carry 6-7 digits); the total equals the sum of the dimensions (tolerance 1e-9: exact up to
rounding); no sub-dimension exceeds its share of its dimension (10/k of k sub-dimensions);
which era the sheet belongs to (6 dimensions, total 6-60, until 2017; 8 dimensions, total
8-80, from 2018); and which sub-dimensions changed since the year before.

Quartile groups (`quartile_groups`): PAPI shows provinces in four colour groups by quartile
of the year's scores. Rule used here (stated in every output): the cut points are the 25th,
50th and 75th percentiles of the year's published scores computed as Excel's PERCENTILE.INC
(linear between order statistics, = numpy's default); a province on a cut point goes to the
higher group. Provinces not published that year are in no group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.papi_workbook import PapiSheet, PapiWorkbook, dimension_table

__all__ = [
    "CHECK_COLUMNS",
    "DIMENSION_SUM_TOLERANCE",
    "GROUP_LABELS",
    "QUARTILE_RULE",
    "TOTAL_SUM_TOLERANCE",
    "compare_years",
    "era_of",
    "league_table",
    "quartile_codes",
    "quartile_groups",
    "sheet_checks",
    "sub_dimension_changes",
]

DIMENSION_SUM_TOLERANCE = 1e-5
TOTAL_SUM_TOLERANCE = 1e-9
CHECK_COLUMNS = ["sheet", "year", "check", "status", "value", "where", "message"]

#: Group 1 is the best. Vietnamese names as PAPI reports print them.
GROUP_LABELS: dict[str, dict[int, str]] = {
    "vi": {1: "Cao nhất", 2: "Trung bình cao", 3: "Trung bình thấp", 4: "Thấp nhất"},
    "en": {1: "Best performers", 2: "High average", 3: "Low average", 4: "Poor performers"},
}
QUARTILE_RULE = {
    "vi": (
        "Nhóm theo tứ phân vị điểm công bố của năm (PERCENTILE.INC như Excel); tỉnh nằm đúng "
        "điểm cắt thuộc nhóm cao hơn; tỉnh không được công bố không xếp nhóm."
    ),
    "en": (
        "Groups by quartile of the year's published scores (PERCENTILE.INC as in Excel); a "
        "province on a cut point goes to the higher group; unpublished provinces are not grouped."
    ),
}


def era_of(dimension_count: int) -> str:
    """The PAPI era a sheet belongs to, from its number of dimensions."""
    if dimension_count == 6:
        return "2011-2017: 6 dimensions, total 6-60"
    if dimension_count == 8:
        return "2018-: 8 dimensions, total 8-80"
    return f"unknown era: {dimension_count} dimensions"


# ------------------------------------------------------------------------------ checks
def _check(sheet: PapiSheet, check: str, status: str, message: str, value=np.nan, where=""):
    return {
        "sheet": sheet.name,
        "year": sheet.year,
        "check": check,
        "status": status,
        "value": value,
        "where": where,
        "message": message,
    }


def _worst(gaps: pd.Series) -> tuple[float, str]:
    gaps = gaps.dropna()
    if gaps.empty:
        return np.nan, ""
    where = gaps.abs().idxmax()
    label = " / ".join(map(str, where)) if isinstance(where, tuple) else str(where)
    return float(abs(gaps[where])), label


def _sum_checks(sheet: PapiSheet) -> list[dict]:
    scores = sheet.scores.set_index("province")
    out = []
    dimensions = [c for c in sheet.columns if c.role == "dimension"]
    gaps = {}
    for dim in dimensions:
        subs = [
            c.position
            for c in sheet.columns
            if c.role == "sub_dimension" and c.dimension_id == dim.dimension_id
        ]
        if subs:
            gaps[dim.header_en or dim.dimension_id] = scores[dim.position] - scores[subs].sum(
                axis=1, min_count=len(subs)
            )
    stacked = pd.concat(gaps, names=["dimension", "province"]).swaplevel() if gaps else None
    value, where = _worst(stacked) if stacked is not None else (np.nan, "")
    ok = not value > DIMENSION_SUM_TOLERANCE
    out.append(
        _check(
            sheet,
            "dimension_sum",
            "ok" if ok else "problem",
            f"dimension = sum of its sub-dimensions: worst gap {value:.2g} "
            f"({'within' if ok else 'beyond'} {DIMENSION_SUM_TOLERANCE:g})",
            value,
            where,
        )
    )
    total = next((c for c in sheet.columns if c.role == "total"), None)
    if total is None:
        out.append(_check(sheet, "total_sum", "problem", "the sheet has no total column"))
        return out
    positions = [d.position for d in dimensions]
    published = scores[positions].notna().any(axis=1)
    no_total = scores.index[published & scores[total.position].isna()]
    if len(no_total):
        out.append(
            _check(
                sheet,
                "total_sum",
                "problem",
                f"{len(no_total)} published provinces have no total (a formula without a "
                f"saved value?): {', '.join(no_total[:5])}",
                len(no_total),
                ", ".join(no_total),
            )
        )
        return out
    gap = scores[total.position] - scores[positions].sum(axis=1, min_count=len(positions))
    value, where = _worst(gap)
    ok = not value > TOTAL_SUM_TOLERANCE
    out.append(
        _check(
            sheet,
            "total_sum",
            "ok" if ok else "problem",
            f"total = sum of the {len(dimensions)} dimensions: worst gap {value:.2g} "
            f"({'exact up to rounding' if ok else f'beyond {TOTAL_SUM_TOLERANCE:g}'})",
            value,
            where,
        )
    )
    return out


def _share_check(sheet: PapiSheet) -> dict:
    scores = sheet.scores.set_index("province")
    excess = {}
    for dim in (c for c in sheet.columns if c.role == "dimension"):
        subs = [
            c
            for c in sheet.columns
            if c.role == "sub_dimension" and c.dimension_id == dim.dimension_id
        ]
        for sub in subs:
            share = 10.0 / len(subs)
            excess[(sub.header_en or sub.header_vi, share)] = scores[sub.position] - share
    if not excess:
        return _check(sheet, "sub_dimension_share", "note", "no sub-dimensions")
    frame = pd.DataFrame({k[0]: v for k, v in excess.items()})
    worst = float(np.nanmax(frame.to_numpy())) if frame.notna().any().any() else np.nan
    ok = not worst > DIMENSION_SUM_TOLERANCE
    return _check(
        sheet,
        "sub_dimension_share",
        "ok" if ok else "problem",
        "every sub-dimension within its equal share of its dimension (10/k)"
        if ok
        else f"a sub-dimension exceeds its share 10/k by {worst:.3g}",
        worst,
    )


def _row_checks(sheet: PapiSheet) -> list[dict]:
    out = []
    count = len(sheet.scores)
    out.append(
        _check(
            sheet,
            "provinces",
            "ok" if count == 63 else "problem",
            f"{count} provinces (the historical 63 are expected)",
            count,
        )
    )
    for row in sheet.excluded:
        # a "Highest" row holds each column's maximum; its total is the sum of those maxima
        gaps = [
            abs(value - sheet.scores[c.position].max())
            for value, c in zip(row.values, sheet.columns, strict=True)
            if c.role != "total" and not np.isnan(value)
        ]
        is_max = bool(gaps) and max(gaps) <= TOTAL_SUM_TOLERANCE
        out.append(
            _check(
                sheet,
                "excluded_row",
                "note",
                f"row {row.row} {row.name!r} is {row.reason}; excluded"
                + ("; it equals the column maxima" if is_max else ""),
                max(gaps) if gaps else np.nan,
                f"row {row.row}",
            )
        )
    parts = [c.position for c in sheet.columns if c.role != "total"]
    empty = sheet.scores[sheet.scores[parts].isna().all(axis=1)]
    if len(empty):
        zero = (
            f"; their total cells hold 0 from a formula over empty cells (Excel rows "
            f"{', '.join(map(str, sheet.zero_totals_over_empty))}), read as missing"
            if sheet.zero_totals_over_empty
            else ""
        )
        out.append(
            _check(
                sheet,
                "not_published",
                "note",
                f"{len(empty)} {'province has' if len(empty) == 1 else 'provinces have'} every "
                "score empty (not published this year): "
                f"{', '.join(empty['province'])}; they are left out of ranks and groups, "
                f"never counted as 0{zero}",
                len(empty),
                ", ".join(empty["province"]),
            )
        )
    return out


def _header_notes(sheet: PapiSheet) -> list[dict]:
    out = []
    dims = sum(c.role == "dimension" for c in sheet.columns)
    out.append(_check(sheet, "era", "note", era_of(dims), dims))
    if sheet.total_header:
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", sheet.total_header)]
        if years and sheet.year not in years:
            out.append(
                _check(
                    sheet,
                    "total_header",
                    "note",
                    f"the total's header reads {sheet.total_header!r}; the year is taken from "
                    f"the sheet name ({sheet.year})",
                )
            )
    return out


def sheet_checks(workbook: PapiWorkbook) -> pd.DataFrame:
    """Every check of every sheet, in `CHECK_COLUMNS` (status: ok / note / problem)."""
    rows: list[dict] = []
    for sheet in workbook.sheets:
        rows += _row_checks(sheet)
        rows += _sum_checks(sheet)
        rows.append(_share_check(sheet))
        rows += _header_notes(sheet)
    changes = sub_dimension_changes(workbook)
    for sheet in workbook.sheets:
        mine = changes[changes["year"] == sheet.year]
        for change in mine.itertuples(index=False):
            rows.append(
                _check(
                    sheet,
                    "sub_dimension_set" if change.kind == "set" else "sub_dimension_label",
                    "note",
                    change.message,
                    where=change.dimension,
                )
            )
        if mine.empty and sheet is not workbook.sheets[0]:
            rows.append(
                _check(sheet, "sub_dimension_set", "ok", "same sub-dimensions as the year before")
            )
    for name, reason in workbook.skipped:
        rows.append(
            {
                "sheet": name,
                "year": np.nan,
                "check": "sheet_skipped",
                "status": "note",
                "value": np.nan,
                "where": "",
                "message": f"sheet skipped: {reason}",
            }
        )
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _sub_sets(sheet: PapiSheet) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    sets: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for c in sheet.columns:
        if c.role == "sub_dimension":
            sets.setdefault(c.dimension_id, {})[c.key] = (c.header_en, c.header_vi)
    return sets


_CHANGE_COLUMNS = [
    "year",
    "previous_year",
    "dimension_id",
    "dimension",
    "kind",
    "dropped",
    "added",
    "message",
]


def _relabelled(old: tuple[str | None, str | None], new: tuple[str | None, str | None]) -> bool:
    """Headers differ in a language both sheets have (a sheet may lack English headers)."""
    return any(a is not None and b is not None and a != b for a, b in zip(old, new, strict=True))


def sub_dimension_changes(workbook: PapiWorkbook) -> pd.DataFrame:
    """What changed in each dimension's sub-dimensions since the previous sheet.

    Returns year, previous_year, dimension_id, dimension, kind ("set": sub-dimensions
    dropped or added, or a new dimension, so the dimension and the total are not comparable
    without saying so; "label": same sub-dimension, reworded header), dropped, added, message.
    """
    labels = dimension_table().set_index("id")["en"].to_dict()
    rows = []
    for before, after in zip(workbook.sheets, workbook.sheets[1:], strict=False):
        old, new = _sub_sets(before), _sub_sets(after)
        for dim in sorted(set(old) | set(new), key=list(labels).index):
            a, b = old.get(dim, {}), new.get(dim, {})
            dropped = [a[k][0] or a[k][1] for k in a if k not in b]
            added = [b[k][0] or b[k][1] for k in b if k not in a]
            base = {
                "year": after.year,
                "previous_year": before.year,
                "dimension_id": dim,
                "dimension": labels[dim],
            }
            if dim not in old or dim not in new:
                message = (
                    f"{labels[dim]}: a dimension {'new' if dim not in old else 'dropped'} since "
                    f"{before.year} (another era: the totals are not comparable)"
                )
            elif dropped or added:
                message = (
                    f"{labels[dim]}: sub-dimensions changed since {before.year} (dropped: "
                    f"{', '.join(map(repr, dropped)) or 'none'}; added: "
                    f"{', '.join(map(repr, added)) or 'none'}); this dimension and the total "
                    f"are not comparable with {before.year} without saying so"
                )
            else:
                message = ""
            if message:
                rows.append(
                    {
                        **base,
                        "kind": "set",
                        "dropped": "; ".join(map(str, dropped)),
                        "added": "; ".join(map(str, added)),
                        "message": message,
                    }
                )
            for key in sorted(set(a) & set(b)):
                if _relabelled(a[key], b[key]):
                    message = (
                        f"{labels[dim]}: sub-dimension {a[key][0] or a[key][1]!r} relabelled "
                        f"({a[key][1] or a[key][0]!r} -> {b[key][1] or b[key][0]!r})"
                    )
                    rows.append(
                        {**base, "kind": "label", "dropped": "", "added": "", "message": message}
                    )
    return pd.DataFrame(rows, columns=_CHANGE_COLUMNS)


# ------------------------------------------------------------------- groups and ranks
def quartile_codes(scores: np.ndarray) -> np.ndarray:
    """Quartile group (1 best .. 4) of each value along the last axis, by the module's rule.

    Cut points are PERCENTILE.INC of the values on that axis (numpy's "linear" method); a
    value on a cut point goes to the higher group. Works row by row on a draws x provinces
    array, so simulated draws are grouped exactly as published scores are.
    """
    values = np.asarray(scores, dtype=float)
    cuts = np.percentile(values, [25, 50, 75], axis=-1, method="linear")[..., None]
    return np.where(
        values >= cuts[2], 1, np.where(values >= cuts[1], 2, np.where(values >= cuts[0], 3, 4))
    )


def quartile_groups(
    tidy: pd.DataFrame, *, dimension: str = "total", language: str = "vi"
) -> pd.DataFrame:
    """Quartile group of every published province per year, on the total or a dimension.

    Returns year, province_code, province, score, group (1 best .. 4), group_label, p25,
    p50, p75 (the year's cut points), rule (`QUARTILE_RULE`).
    """
    level = "total" if dimension == "total" else "dimension"
    rows = tidy[(tidy["level"] == level) & (tidy["dimension_id"] == dimension)]
    if rows.empty:
        raise ParameterError(f"no scores for dimension {dimension!r}", key="dimension")
    frames = []
    for _year, group in rows.groupby("year", sort=True):
        published = group.dropna(subset=["score"])
        score = published["score"].to_numpy(dtype=float)
        cuts = np.percentile(score, [25, 50, 75], method="linear")
        code = quartile_codes(score)
        frames.append(
            published[["year", "province_code", "province", "score"]].assign(
                group=code,
                group_label=[GROUP_LABELS[language][c] for c in code],
                p25=cuts[0],
                p50=cuts[1],
                p75=cuts[2],
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["dimension_id"] = dimension
    out["rule"] = QUARTILE_RULE[language]
    return out


def league_table(tidy: pd.DataFrame, year: int, *, language: str = "vi") -> pd.DataFrame:
    """One year's provinces ranked by total (1 = highest; ties share the best rank).

    Returns rank, out_of (published provinces), province_code, province, total, group,
    group_label, then one column per dimension (its Vietnamese name). Provinces not
    published that year come last with no rank.
    """
    year_rows = tidy[tidy["year"] == year]
    if year_rows.empty:
        raise ParameterError(
            f"no published table for {year}; years: {sorted(tidy['year'].unique())}", key="year"
        )
    groups = quartile_groups(year_rows, language=language)
    totals = year_rows[year_rows["level"] == "total"][["province_code", "province", "score"]]
    table = totals.rename(columns={"score": "total"}).merge(
        groups[["province_code", "group", "group_label"]], on="province_code", how="left"
    )
    table["group"] = table["group"].astype("Int64")
    table["rank"] = table["total"].rank(ascending=False, method="min").astype("Int64")
    table["out_of"] = int(table["total"].notna().sum())
    dims = year_rows[year_rows["level"] == "dimension"].pivot_table(
        index="province_code", columns="dimension", values="score", sort=False, dropna=False
    )
    table = table.merge(dims, left_on="province_code", right_index=True, how="left")
    table = table.sort_values(
        ["total", "province_code"], ascending=[False, True], na_position="last"
    )
    first = ["rank", "out_of", "province_code", "province", "total", "group", "group_label"]
    return table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)


# ----------------------------------------------------------------------- comparisons
def compare_years(
    tidy: pd.DataFrame,
    year_from: int,
    year_to: int,
    *,
    levels: Sequence[str] = ("total", "dimension"),
) -> pd.DataFrame:
    """Score change between two published years, with every method break said out loud.

    A total is compared only within one era (refused across 6 -> 8 dimensions: the totals
    are on different ranges). A dimension whose sub-dimension set changed between the two
    years keeps its change but carries ``comparable=False`` and a ``break_note``.
    Returns province_code, province, level, dimension_id, dimension, score_from, score_to,
    change, comparable, break_note.
    """
    a, b = (tidy[tidy["year"] == y] for y in (year_from, year_to))
    for year, part in ((year_from, a), (year_to, b)):
        if part.empty:
            raise ParameterError(f"no published table for {year}", key="year")
    dims = [part[part["level"] == "dimension"]["dimension_id"].nunique() for part in (a, b)]
    if dims[0] != dims[1] and "total" in levels:
        raise ParameterError(
            f"PAPI totals of {year_from} ({era_of(dims[0])}) and {year_to} ({era_of(dims[1])}) "
            "are on different ranges and cannot be compared; compare dimensions present in "
            "both years instead (levels=['dimension'])",
            key="year",
        )
    keys = ["province_code", "province", "level", "dimension_id", "dimension"]
    merged = a[a["level"].isin(levels)][[*keys, "score"]].merge(
        b[b["level"].isin(levels)][[*keys, "score"]], on=keys, suffixes=("_from", "_to")
    )
    merged["change"] = merged["score_to"] - merged["score_from"]
    broken = _broken_dimensions(tidy, year_from, year_to)
    merged["comparable"] = ~merged["dimension_id"].isin(broken)
    merged.loc[merged["level"] == "total", "comparable"] = not broken
    merged["break_note"] = ""
    for dim, note in broken.items():
        hit = (merged["dimension_id"] == dim) | (merged["level"] == "total")
        merged.loc[hit, "break_note"] = (merged.loc[hit, "break_note"] + " " + note).str.strip()
    return merged.rename(
        columns={"score_from": f"score_{year_from}", "score_to": f"score_{year_to}"}
    )


def _broken_dimensions(tidy: pd.DataFrame, year_from: int, year_to: int) -> dict[str, str]:
    subs = tidy[tidy["level"] == "sub_dimension"]
    out = {}
    for dim, part in subs.groupby("dimension_id"):
        first = set(part[part["year"] == year_from]["sub_dimension_key"])
        last = set(part[part["year"] == year_to]["sub_dimension_key"])
        if first != last:
            out[str(dim)] = (
                f"{part['dimension'].iloc[0]}: sub-dimensions differ between {year_from} and "
                f"{year_to} (method break)."
            )
    return out
