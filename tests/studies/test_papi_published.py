"""Checks, quartile groups, league tables and comparisons of published PAPI tables: on the
real workbook (skipped when absent) and on the LibreOffice-saved fixture."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from satisfaction.errors import ParameterError
from satisfaction.io.papi_workbook import read_papi_workbook, tidy_scores
from satisfaction.studies.papi_published import (
    GROUP_LABELS,
    compare_years,
    league_table,
    quartile_groups,
    sheet_checks,
    sub_dimension_changes,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "papi"
REAL = Path(
    os.environ.get(
        "PAPI_WORKBOOK", ROOT.parent / "shared" / "data" / "papi" / "PAPI_2011-2016.xlsx"
    )
)


@pytest.fixture(scope="module")
def real():
    if not REAL.is_file():
        pytest.skip(f"real PAPI workbook not found at {REAL}")
    workbook = read_papi_workbook(REAL)
    return workbook, tidy_scores(workbook), sheet_checks(workbook)


def _check(checks, year, name):
    rows = checks[(checks["year"] == year) & (checks["check"] == name)]
    assert len(rows) == 1, (year, name)
    return rows.iloc[0]


def test_real_sheets_add_up(real):
    _, _, checks = real
    for year in range(2011, 2017):
        assert _check(checks, year, "provinces")["value"] == 63
        dimension = _check(checks, year, "dimension_sum")
        assert dimension["status"] == "ok" and dimension["value"] <= 1e-5
        total = _check(checks, year, "total_sum")
        assert total["status"] == "ok" and total["value"] <= 1e-9
        assert _check(checks, year, "sub_dimension_share")["status"] == "ok"
        assert "equals the column maxima" in _check(checks, year, "excluded_row")["message"]
    assert (checks["status"] != "problem").all()


def test_real_2014_empty_provinces_reported(real):
    _, _, checks = real
    row = _check(checks, 2014, "not_published")
    assert row["where"] == "Bắc Giang, Đồng Tháp"
    assert "never counted as 0" in row["message"]
    assert not ((checks["check"] == "not_published") & (checks["year"] != 2014)).any()


def test_real_2016_sub_dimension_change_reported(real):
    workbook, _, checks = real
    changes = sub_dimension_changes(workbook)
    sets = changes[changes["kind"] == "set"]
    assert list(sets["year"]) == [2016]
    assert sets.iloc[0]["dimension_id"] == "accountability"
    assert sets.iloc[0]["dropped"] == "Community Investment Boards"
    assert sets.iloc[0]["added"] == "Responsive to Citizen Actions"
    labels = changes[changes["kind"] == "label"]
    assert "People's Inspection Boards" in labels.iloc[0]["message"]
    assert _check(checks, 2016, "sub_dimension_set")["status"] == "note"
    assert _check(checks, 2015, "sub_dimension_set")["status"] == "ok"


def _hand_percentile(sorted_values, q):
    """Excel PERCENTILE.INC by hand: linear between the order statistics at (n-1)q."""
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (position - low) * (sorted_values[high] - sorted_values[low])


def test_real_quartile_groups_equal_a_hand_computation(real):
    _, tidy, _ = real
    groups = quartile_groups(tidy)
    totals = tidy[(tidy["level"] == "total") & tidy["score"].notna()]
    for year in range(2011, 2017):
        year_rows = totals[totals["year"] == year]
        scores = dict(zip(year_rows["province"], year_rows["score"], strict=True))
        ordered = sorted(scores.values())
        p25, p50, p75 = (_hand_percentile(ordered, q) for q in (0.25, 0.5, 0.75))
        expected = {
            name: 1 if s >= p75 else 2 if s >= p50 else 3 if s >= p25 else 4
            for name, s in scores.items()
        }
        mine = groups[groups["year"] == year].set_index("province")["group"].to_dict()
        assert mine == expected
    counts = groups.groupby(["year", "group"]).size().unstack()
    assert counts.loc[2016].tolist() == [16, 16, 15, 16]  # 63: cut positions 15.5, 31, 46.5
    assert counts.loc[2014].tolist() == [16, 15, 15, 15]  # 61 published
    assert set(groups["group_label"]) == set(GROUP_LABELS["vi"].values())


def test_real_league_table_ranks_out_of_published(real):
    _, tidy, _ = real
    table = league_table(tidy, 2014)
    assert table["out_of"].iloc[0] == 61
    assert table["rank"].iloc[0] == 1 and table["rank"].max() == 61
    assert (
        table["total"].is_monotonic_decreasing or table["total"].iloc[:61].is_monotonic_decreasing
    )
    assert list(table["province"].iloc[-2:]) == ["Bắc Giang", "Đồng Tháp"]
    assert table["rank"].iloc[-2:].isna().all()
    assert "Cung ứng dịch vụ công" in table.columns


def test_real_comparison_across_the_2016_change_says_so(real):
    _, tidy, _ = real
    change = compare_years(tidy, 2015, 2016)
    accountability = change[change["dimension_id"] == "accountability"]
    assert not accountability["comparable"].any()
    assert accountability["break_note"].str.contains("method break").all()
    assert not change[change["level"] == "total"]["comparable"].any()
    assert change[change["dimension_id"] == "services"]["comparable"].all()
    same = compare_years(tidy, 2014, 2015)
    assert same["comparable"].all()


def test_totals_across_eras_are_refused():
    tidy = tidy_scores(read_papi_workbook(FIXTURES / "papi_two_eras.xlsx"))
    with pytest.raises(ParameterError, match="different ranges"):
        compare_years(tidy, 2017, 2018)
    dims = compare_years(tidy, 2017, 2018, levels=["dimension"])
    assert set(dims["dimension_id"]) == {
        "participation", "transparency", "accountability", "corruption", "procedures",
        "services",
    }  # fmt: skip


def test_fixture_checks_flag_too_few_provinces_and_new_dimensions():
    workbook = read_papi_workbook(FIXTURES / "papi_two_eras.xlsx")
    checks = sheet_checks(workbook)
    assert _check(checks, 2017, "provinces")["status"] == "problem"
    news = checks[(checks["year"] == 2018) & (checks["check"] == "sub_dimension_set")]
    assert len(news) == 2 and news["message"].str.contains("a dimension new since 2017").all()
    assert "sheet_skipped" in set(checks["check"])
    assert _check(checks, 2018, "era")["message"].startswith("2018-: 8 dimensions")
