"""PAPI-style charts: tile map, rank intervals and slope chart, read back from their artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.geography import CURRENT_34, HISTORICAL_63
from satisfaction.present.figures import rank_intervals, slope, tile_map, tile_positions
from satisfaction.present.figures._papi import GROUP_COLOURS, NO_DATA


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


@pytest.mark.parametrize(("system", "names"), [("current_34", CURRENT_34),
                                               ("historical_63", HISTORICAL_63)])  # fmt: skip
def test_tile_grids_cover_every_province_once(system, names):
    tiles = tile_positions(system)
    assert sorted(tiles["name"]) == sorted(names)
    assert not tiles.duplicated(["row", "col"]).any()
    # neighbours stay near: Hà Nội is north of Hồ Chí Minh, Cà Mau is the southern tip
    at = tiles.set_index("name")
    assert at.loc["Hà Nội", "row"] < at.loc["Huế", "row"] < at.loc["Hồ Chí Minh", "row"]
    assert at.loc["Cà Mau", "row"] == at["row"].max()


def test_tile_map_colours_are_the_groups_and_missing_is_no_data():
    data = pd.DataFrame({"province": ["Hà Nội", "Vinh Long", "Cần Thơ", "Huế"],
                         "group": [1, 2, 3, 4]})  # fmt: skip
    ax = tile_map(data, source="test")
    tiles = {p.get_label(): to_hex(p.get_facecolor()) for p in by_gid(ax, "tile")}
    assert len(tiles) == 34
    assert tiles["Hà Nội"] == GROUP_COLOURS[1].lower()
    assert tiles["Vĩnh Long"] == GROUP_COLOURS[2].lower()  # matched without diacritics
    assert tiles["Cần Thơ"] == GROUP_COLOURS[3].lower()
    assert tiles["Huế"] == GROUP_COLOURS[4].lower()
    assert tiles["Cà Mau"] == NO_DATA.lower()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(
        ["Cao nhất", "Trung bình cao", "Trung bình thấp", "Thấp nhất", "Không có số liệu"]
    )


def test_tile_map_refuses_a_pre_2025_province_on_the_34_map():
    data = pd.DataFrame({"province": ["Trà Vinh"], "group": [1]})
    with pytest.raises(InputError, match="part of Vĩnh Long since 1 July 2025"):
        tile_map(data)
    ax = tile_map(data, system="historical_63")
    assert len(by_gid(ax, "tile")) == 63


def test_tile_map_refuses_bad_groups_and_duplicates():
    with pytest.raises(InputError, match="quartile groups are 1"):
        tile_map(pd.DataFrame({"province": ["Hà Nội"], "group": [5]}))
    with pytest.raises(InputError, match="more than one row"):
        tile_map(pd.DataFrame({"province": ["Hà Nội", "Ha Noi"], "group": [1, 2]}))
    with pytest.raises(ParameterError, match="system"):
        tile_map(pd.DataFrame({"province": ["Hà Nội"], "group": [1]}), system="world")


def test_tile_map_values_use_the_vietnamese_comma():
    data = pd.DataFrame({"province": ["Hà Nội"], "group": [1], "score": [36.405]})
    ax = tile_map(data, value="score")
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "tile-label"]
    assert "Hà Nội\n36,4" in labels


LEAGUE = pd.DataFrame(
    {
        "province": ["A", "B", "C", "D"],
        "rank": [1, 2, 3, np.nan],
        "rank_low": [1, 1, 2, np.nan],
        "rank_high": [2, 3, 3, np.nan],
        "group": [1, 2, 4, pd.NA],
        "score": [40.1, 39.0, 35.5, np.nan],
    }
)


def test_rank_intervals_points_and_lines_are_the_ranks():
    ax = rank_intervals(LEAGUE, value="score")
    (points,) = by_gid(ax, "rank-point")
    assert points.get_offsets()[:, 0].tolist() == [1, 2, 3]
    (lines,) = by_gid(ax, "rank-interval")
    segments = [(s[0][0], s[1][0]) for s in lines.get_segments()]
    assert segments == [(1, 2), (1, 3), (2, 3)]
    assert [to_hex(c) for c in points.get_facecolors()] == [
        GROUP_COLOURS[g].lower() for g in (1, 2, 4)
    ]
    values = [t.get_text() for t in ax.texts if t.get_gid() == "rank-value"]
    assert values == ["40,10", "39,00", "35,50"]
    footer = next(a for a in ax.figure.artists if a.get_gid() == "figure-source").get_text()
    assert "1 tỉnh không có hạng" in footer


def test_rank_intervals_without_intervals_and_bad_intervals():
    ax = rank_intervals(LEAGUE.drop(columns=["rank_low", "rank_high"]))
    assert by_gid(ax, "rank-interval") == []
    bad = LEAGUE.assign(rank_high=[0, 3, 3, np.nan])
    with pytest.raises(InputError, match="outside its interval"):
        rank_intervals(bad)


WAVES = pd.DataFrame(
    {
        "province": ["Hà Nội"] * 3 + ["Huế"] * 3,
        "year": [2015, 2016, 2017] * 2,
        "score": [34.1, 33.8, 35.0, 37.0, 36.0, 36.5],
    }
)


def test_slope_does_not_join_points_across_a_method_break():
    ax = slope(WAVES, breaks={2016: "bộ chỉ số mới"})
    lines = [line for line in ax.get_lines() if line.get_gid() == "slope-line"]
    hanoi = [line for line in lines if line.get_label() == "Hà Nội"]
    assert [list(line.get_xdata()) for line in hanoi] == [[0], [1, 2]]
    assert [list(line.get_ydata()) for line in hanoi] == [[34.1], [33.8, 35.0]]
    (brk,) = [line for line in ax.get_lines() if line.get_gid() == "slope-break"]
    assert list(brk.get_xdata()) == [0.5, 0.5]
    footer = next(a for a in ax.figure.artists if a.get_gid() == "figure-source").get_text()
    assert "không nối điểm" in footer


def test_slope_refuses_breaks_not_between_waves():
    with pytest.raises(ParameterError, match="not a wave"):
        slope(WAVES, breaks={2030: "x"})
    with pytest.raises(ParameterError, match="must come after a wave"):
        slope(WAVES, breaks={2015: "x"})
