"""Figures: read the drawn artists back and compare them with the hand-written tidy frames."""

from __future__ import annotations

import itertools
import unicodedata
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.colors import to_rgb, to_rgba

from satisfaction.errors import InputError, ParameterError
from satisfaction.present import figures
from satisfaction.present.figures import (
    LABELS,
    VIETNAMESE_GLYPHS,
    annotate,
    forest,
    heatmap,
    importance_performance,
    likert_bars,
    likert_palette,
    set_theme,
)

BRIEF_GLYPHS = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ"


@pytest.fixture(autouse=True)
def _isolated_rc():
    """set_theme changes global rcParams: restore them and close figures after each test."""
    with mpl.rc_context():
        yield
    plt.close("all")


# ------------------------------------------------------------------ hand-written frames

# Shares per field for codes 1..5, unweighted n and reliability.
LIKERT_SHARES = {
    "Đất đai": ([0.10, 0.20, 0.30, 0.25, 0.15], 120, True),
    "Bảo hiểm y tế": ([0.05, 0.05, 0.10, 0.40, 0.40], 1305, True),
    "Hộ tịch": ([0.02, 0.08, 0.20, 0.30, 0.40], 20, False),
}
# Neutral centred: left edge = -(share 1 + share 2 + share 3 / 2), in %.
LIKERT_LEFTS = {
    "Đất đai": [-45, -35, -15, 15, 40],
    "Bảo hiểm y tế": [-15, -10, -5, 5, 45],
    "Hộ tịch": [-20, -18, -10, 10, 40],
}
# Satisfied share (4+5) with its CI; the whisker starts at neutral/2.
SATISFIED = {
    "Đất đai": (0.40, 0.34, 0.46),
    "Bảo hiểm y tế": (0.80, 0.72, 0.87),
    "Hộ tịch": (0.70, 0.48, 0.86),
}
WHISKERS = {"Đất đai": (49, 61), "Bảo hiểm y tế": (77, 92), "Hộ tịch": (58, 96)}


def likert_frame(shares: dict = LIKERT_SHARES) -> pd.DataFrame:
    rows = []
    for field, (values, n, ok) in shares.items():
        for code, share in enumerate(values, start=1):
            rows.append(
                {
                    "field": field,
                    "variable": "q_overall",
                    "level": code,
                    "estimate": share,
                    "n": n,
                    "reliable": ok,
                }
            )
    return pd.DataFrame(rows)


def satisfied_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"field": f, "estimate": e, "ci_low": lo, "ci_high": hi}
            for f, (e, lo, hi) in SATISFIED.items()
        ]
    )


def forest_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "province": ["Hà Nội", "Đà Nẵng", "Cần Thơ", "Lào Cai"],
            "estimate": [0.80, 0.90, 0.70, 0.85],
            "ci_low": [0.76, 0.86, 0.64, 0.70],
            "ci_high": [0.84, 0.93, 0.76, 0.95],
            "n": [400, 350, 300, 15],
            "reliable": [True, True, True, False],
            "sig": ["", "above", "below", ""],
        }
    )


def heatmap_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "criterion": ["Niêm yết công khai"] * 3 + ["Thời gian giải quyết"] * 2,
            "field": ["Đất đai", "Bảo hiểm y tế", "Hộ tịch", "Đất đai", "Bảo hiểm y tế"],
            "estimate": [0.62, 0.88, 0.95, 0.55, 0.81],
            "n": [200, 150, 25, 18, 90],
            "reliable": [True, True, False, False, True],
        }
    )


def ipa_frame() -> pd.DataFrame:
    # Means: importance 0.25, performance 80% -> one criterion in each quadrant.
    return pd.DataFrame(
        {
            "criterion": ["E1.1", "E2.1", "E3.1", "E4.1"],
            "importance": [0.10, 0.40, 0.30, 0.20],
            "estimate": [0.90, 0.70, 0.85, 0.75],
            "n": 500,
            "reliable": [True, True, True, False],
        }
    )


# ------------------------------------------------------------------ read-back helpers


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def row_of(ax) -> dict[float, str]:
    """y position -> tick label text (category) of a horizontal chart."""
    return {
        float(t): lab.get_text()
        for t, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    }


def texts(ax, gid) -> list:
    return [t for t in ax.texts if t.get_gid() == gid]


def fig_artist(fig, gid):
    found = [a for a in fig.artists if a.get_gid() == gid]
    assert len(found) == 1, f"expected one {gid}, found {len(found)}"
    return found[0]


# ------------------------------------------------------------------ theme


def test_theme_font_has_every_vietnamese_glyph():
    path = set_theme()
    cmap = TTFont(str(path)).getBestCmap()
    wanted = set(BRIEF_GLYPHS + VIETNAMESE_GLYPHS + BRIEF_GLYPHS.upper())
    assert [c for c in sorted(wanted) if ord(c) not in cmap] == []
    # The family the theme names resolves to that very file.
    family = mpl.rcParams["font.sans-serif"][0]
    resolved = font_manager.findfont(font_manager.FontProperties(family=family))
    assert resolved == str(path)
    assert mpl.rcParams["svg.fonttype"] == "none"
    assert mpl.rcParams["savefig.dpi"] >= 200


def test_theme_falls_back_from_missing_font():
    with pytest.warns(UserWarning, match="not found"):
        path = set_theme("No Such Font Xyz")
    assert path.name == "DejaVuSans.ttf"
    assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"


def test_theme_refuses_font_without_vietnamese():
    # Computer Modern ships with matplotlib and has no Vietnamese letters.
    with pytest.warns(UserWarning, match="lacks Vietnamese glyphs"):
        path = set_theme("cmr10")
    assert path.name == "DejaVuSans.ttf"


def test_theme_rejects_bad_size():
    with pytest.raises(ParameterError, match="base_size"):
        set_theme(base_size=0)


def _linear(c):
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear_rgb
    )
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009) simulation matrices, severity 1.0 (linear RGB).
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


@pytest.mark.parametrize("n_levels", [3, 4, 5])
@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_scale_palette_stays_distinct_under_colour_blindness(n_levels, deficiency):
    palette = likert_palette(n_levels)
    matrix = np.array(CVD[deficiency])
    labs = [_lab(np.clip(matrix @ _linear(to_rgb(c)), 0, 1)) for c in palette]
    closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert closest > 20  # CIE76 delta E: clearly different patches


def test_palette_shape():
    five = likert_palette(5)
    assert five[2] == figures.LIKERT_COLOURS["neutral"]
    assert likert_palette(4)[1:3] == [
        figures.LIKERT_COLOURS["negative"],
        figures.LIKERT_COLOURS["positive"],
    ]
    red, _, green = (to_rgb(c) for c in likert_palette(3))
    assert red[0] > red[1] and green[1] > green[0]
    with pytest.raises(ParameterError):
        likert_palette(4, neutral=True)


# ------------------------------------------------------------------ likert_bars


def test_likert_bars_widths_and_lefts_are_the_shares():
    ax = likert_bars(likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X")
    rows = row_of(ax)
    assert list(rows.values()) == ["Đất đai", "Bảo hiểm y tế", "Hộ tịch *"]
    for level in range(5):
        patches = by_gid(ax, f"likert-level-{level}")
        assert len(patches) == 3
        for patch in patches:
            field = rows[patch.get_y() + patch.get_height() / 2].removesuffix(" *")
            assert patch.get_width() == pytest.approx(100 * LIKERT_SHARES[field][0][level])
            assert patch.get_x() == pytest.approx(LIKERT_LEFTS[field][level])


def test_likert_bars_whiskers_are_the_satisfied_ci():
    ax = likert_bars(likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X")
    rows = row_of(ax)
    (lines,) = by_gid(ax, "likert-satisfied-ci")
    segments = lines.get_segments()
    assert len(segments) == 3
    for seg in segments:
        (x0, y0), (x1, y1) = seg
        assert y0 == y1
        field = rows[y0].removesuffix(" *")
        assert (x0, x1) == pytest.approx(WHISKERS[field])


def test_likert_whisker_of_a_share_of_100_percent_summed_past_one():
    """Every answer satisfied: the levels sum to 1.0000000000000002, a hair past the
    interval's end (1.0); the whisker is drawn (errorbar refused it: one of 35 national
    province reports failed on it), ending at 100%."""
    everyone = {"Hộ tịch": ([0.0, 0.0, 0.0, 0.6, 1.0000000000000002 - 0.6], 500, True)}
    share = pd.DataFrame([{"field": "Hộ tịch", "estimate": 1.0, "ci_low": 0.98, "ci_high": 1.0}])
    ax = likert_bars(likert_frame(everyone), y="field", satisfied_share=share, source="X")
    (lines,) = by_gid(ax, "likert-satisfied-ci")
    ((x0, _), (x1, _)) = lines.get_segments()[0]
    assert (x0, x1) == pytest.approx((98, 100))


def test_likert_whisker_is_the_ci_of_the_drawn_share_at_the_drawn_position():
    """Read back from the artists alone: each whisker's middle is the right end of the bar
    (the satisfied share drawn), and its ends are that share's CI shifted by the same
    half-neutral offset, i.e. the whisker is the CI of the drawn statistic where it is drawn."""
    ax = likert_bars(likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X")
    rows = row_of(ax)
    right_end = {}
    positive_width = {}
    for level in (3, 4):  # Hài lòng, Rất hài lòng
        for patch in by_gid(ax, f"likert-level-{level}"):
            field = rows[patch.get_y() + patch.get_height() / 2].removesuffix(" *")
            right_end[field] = max(right_end.get(field, -1e9), patch.get_x() + patch.get_width())
            positive_width[field] = positive_width.get(field, 0.0) + patch.get_width()
    (lines,) = by_gid(ax, "likert-satisfied-ci")
    for (x0, y0), (x1, _) in lines.get_segments():
        field = rows[y0].removesuffix(" *")
        share, low, high = SATISFIED[field]
        start = right_end[field] - positive_width[field]  # where the positive part starts
        assert positive_width[field] == pytest.approx(100 * share)  # the drawn statistic
        assert (x0, x1) == pytest.approx((start + 100 * low, start + 100 * high))
        assert x0 < right_end[field] < x1  # the drawn position lies inside its interval


def test_likert_refuses_the_ci_of_another_measure():
    """The overall index (88.8%) is not the satisfied share drawn (80%): no whisker from it."""
    other = satisfied_frame()
    other.loc[other["field"] == "Bảo hiểm y tế", ["estimate", "ci_low", "ci_high"]] = [
        0.888,
        0.841,
        0.923,
    ]
    with pytest.raises(ParameterError, match="interval of the drawn share"):
        likert_bars(likert_frame(), y="field", satisfied_share=other, source="X")


def test_unreliable_footnote_gives_the_reasons_that_fired():
    """A cell flagged for a wide interval at n = 186 is not called a small sample."""
    frame = heatmap_frame().assign(n=[200, 150, 186, 186, 90])
    frame["reliability_note"] = ["", "", "CI width >= 0.3", "CI width >= 0.3", ""]
    ax = heatmap(frame, x="field", y="criterion", source="X")
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert "sai số lớn" in footer and "cỡ mẫu nhỏ" not in footer


def test_percent_ticks_are_whole_steps_with_enough_decimals():
    frame = forest_frame().assign(
        estimate=[0.60, 0.62, 0.64, 0.66],
        ci_low=[0.58, 0.60, 0.62, 0.64],
        ci_high=[0.62, 0.64, 0.66, 0.68],
    )
    ax = forest(frame, y="province", source="X")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    values = [float(t.rstrip("%").replace(",", ".")) for t in labels]
    assert len(set(labels)) == len(labels)  # no "62% 65% 65%" from rounding 2.5 steps
    steps = np.round(np.diff(values), 6)
    assert len(set(steps)) == 1 and steps[0] in (0.5, 1, 2, 5, 10, 20)


def test_likert_bars_n_values_labels_and_legend():
    ax = likert_bars(likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X")
    rows = row_of(ax)
    n_by_field = {rows[t.get_position()[1]]: t.get_text() for t in texts(ax, "likert-n")}
    assert n_by_field == {
        "Đất đai": "n = 120",
        "Bảo hiểm y tế": "n = 1.305",
        "Hộ tịch *": "n = 20",
    }
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [*LABELS["vi"]["scale"][5], LABELS["vi"]["satisfied_ci"]]
    values = {
        (rows[t.get_position()[1]], t.get_text()): t.get_position()[0]
        for t in texts(ax, "likert-value")
    }
    # Neutral 30% of Đất đai sits on 0; segments under 5% carry no number.
    assert values[("Đất đai", "30")] == pytest.approx(0)
    assert ("Hộ tịch *", "2") not in values
    # Hộ tịch's level 5 spans 40..80 and its whisker 58..96 would cross the centre (60):
    # the number moves to the middle of the free part, 40..57.
    assert values[("Hộ tịch *", "40")] == pytest.approx(48.5)
    # The unreliable field is greyed and explained in the footer.
    greyed = [
        t.get_text()
        for t in ax.get_yticklabels()
        if t.get_color() != ax.get_yticklabels()[0].get_color()
    ]
    assert greyed == ["Hộ tịch *"]
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert LABELS["vi"]["unreliable_note"].format(why="") in footer
    assert footer.endswith("n = 20–1.305 mỗi thanh. Nguồn: X")


def test_likert_bars_sums_per_level_counts_for_n():
    frame = likert_frame({"Đất đai": ([0.1, 0.2, 0.3, 0.25, 0.15], 0, True)})
    frame["n"] = [12, 24, 36, 30, 18]
    ax = likert_bars(frame, y="field", source="X", language="en")
    assert [t.get_text() for t in texts(ax, "likert-n")] == ["n = 120"]
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert footer.endswith("n = 120. Source: X")


def test_likert_bars_even_scale_has_no_neutral():
    frame = pd.DataFrame(
        {"item": "Thủ tục", "level": [1, 2, 3, 4], "estimate": [0.1, 0.2, 0.3, 0.4]}
    )
    ax = likert_bars(frame, y="item", source="X")
    lefts = [by_gid(ax, f"likert-level-{i}")[0].get_x() for i in range(4)]
    assert lefts == pytest.approx([-30, -20, 0, 30])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(LABELS["vi"]["scale"][4])


def test_likert_bars_custom_labels_order_and_neutral():
    frame = likert_frame()
    ax = likert_bars(
        frame,
        y="field",
        order=["Hộ tịch", "Đất đai"],
        neutral=None,  # split 2 | 3: levels 1-2 left of zero
        labels={1: "Rất tệ", 2: "Tệ", 3: "Được", 4: "Tốt", 5: "Rất tốt"},
        source="X",
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Hộ tịch *", "Đất đai"]
    level3 = {p.get_y() + p.get_height() / 2: p.get_x() for p in by_gid(ax, "likert-level-2")}
    assert level3 == {0.0: pytest.approx(0.0), 1.0: pytest.approx(0.0)}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Rất tệ",
        "Tệ",
        "Được",
        "Tốt",
        "Rất tốt",
    ]


def test_likert_bars_rejects_bad_input():
    frame = likert_frame()
    two_variables = pd.concat([frame, frame.assign(variable="q_other")])
    with pytest.raises(InputError, match="one variable"):
        likert_bars(two_variables, y="field")
    with pytest.raises(InputError, match=r"outside \[0, 1\]"):
        likert_bars(frame.assign(estimate=frame["estimate"] * 100), y="field")
    with pytest.raises(InputError, match="no column 'level'"):
        likert_bars(frame.drop(columns="level"), y="field")
    with pytest.raises(ParameterError, match="neutral"):
        likert_bars(frame, y="field", neutral=7)
    with pytest.raises(ParameterError, match="not in the data"):
        likert_bars(frame, y="field", order=["Xây dựng"])
    with pytest.raises(ParameterError, match="language"):
        likert_bars(frame, y="field", language="fr")  # type: ignore[arg-type]


# ------------------------------------------------------------------ forest


def _points(ax) -> dict[float, tuple[float, object]]:
    """y -> (x, collection) over every forest point collection."""
    out = {}
    for coll in by_gid(ax, "forest-point"):
        for x, y in coll.get_offsets():
            out[float(y)] = (float(x), coll)
    return out


def test_forest_dots_and_intervals_are_the_estimates():
    ax = forest(forest_frame(), y="province", overall=0.8266, source="SIPAS 2023")
    # Sorted high to low, top to bottom; the unreliable row is starred.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Đà Nẵng",
        "Lào Cai *",
        "Hà Nội",
        "Cần Thơ",
    ]
    points = _points(ax)
    assert {y: x for y, (x, _) in points.items()} == pytest.approx(
        {0.0: 90.0, 1.0: 85.0, 2.0: 80.0, 3.0: 70.0}
    )
    (ci,) = by_gid(ax, "forest-ci")
    segs = {float(s[0][1]): (float(s[0][0]), float(s[1][0])) for s in ci.get_segments()}
    assert segs == {
        0.0: pytest.approx((86, 93)),
        1.0: pytest.approx((70, 95)),
        2.0: pytest.approx((76, 84)),
        3.0: pytest.approx((64, 76)),
    }
    (overall,) = by_gid(ax, "forest-overall")
    assert overall.get_xdata()[0] == pytest.approx(82.66)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Chung: 82,7%" in legend
    assert [t.get_text() for t in texts(ax, "forest-value")] == [
        "90,0%",
        "85,0%",
        "80,0%",
        "70,0%",
    ]


def test_forest_marks_unreliable_hollow_and_significance():
    ax = forest(forest_frame(), y="province", overall=0.8266, source="X")
    points = _points(ax)
    white = to_rgba("white")
    lao_cai = points[1.0][1]
    assert tuple(lao_cai.get_facecolors()[0]) == pytest.approx(white)
    for y in (0.0, 2.0, 3.0):
        assert tuple(points[y][1].get_facecolors()[0]) != pytest.approx(white)
    above, below = points[0.0][1].get_facecolors()[0], points[3.0][1].get_facecolors()[0]
    assert above[1] > above[0] and below[0] > below[1]  # green above, red-orange below
    # Up and down triangles, not only colour, carry the direction.
    assert points[0.0][1] is not points[3.0][1] is not points[2.0][1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(legend) == {
        "Chung: 82,7%",
        LABELS["vi"]["sig_above"],
        LABELS["vi"]["sig_below"],
        LABELS["vi"]["unreliable"],
    }


def test_forest_unsorted_raw_scale_and_highlight():
    frame = pd.DataFrame(
        {
            "province": ["Huế", "Quảng Ninh", "Đắk Lắk"],
            "estimate": [5.2, 6.1, 4.4],
            "ci_low": [4.9, 5.8, 4.0],
            "ci_high": [5.5, 6.4, 4.8],
        }
    )
    ax = forest(
        frame,
        y="province",
        sort=False,
        percent=False,
        highlight="Quảng Ninh",
        source="PAPI",
        language="en",
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Huế", "Quảng Ninh", "Đắk Lắk"]
    assert {y: x for y, (x, _) in _points(ax).items()} == pytest.approx(
        {0.0: 5.2, 1.0: 6.1, 2.0: 4.4}
    )
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Quảng Ninh"]
    (band,) = by_gid(ax, "forest-highlight")
    assert (band.get_y(), band.get_y() + band.get_height()) == pytest.approx((0.5, 1.5))
    assert [t.get_text() for t in texts(ax, "forest-value")] == ["5.2", "6.1", "4.4"]


def test_forest_rejects_bad_input():
    frame = forest_frame()
    with pytest.raises(InputError, match="'sig' holds 'higher'"):
        forest(frame.assign(sig=["higher", "", "", ""]), y="province")
    with pytest.raises(InputError, match="more than one row"):
        forest(pd.concat([frame, frame]), y="province")
    with pytest.raises(ParameterError, match="overall"):
        forest(frame, y="province", overall=82.66)
    with pytest.raises(InputError, match="percent=False"):
        forest(frame.assign(estimate=frame["estimate"] * 100), y="province")


# ------------------------------------------------------------------ heatmap


def test_heatmap_cells_hatches_and_labels():
    ax = heatmap(heatmap_frame(), x="field", y="criterion", source="SIPAS 2023")
    (mesh,) = by_gid(ax, "heatmap-mesh")
    values = np.ma.getdata(mesh.get_array()).reshape(2, 3)
    mask = np.ma.getmaskarray(mesh.get_array()).reshape(2, 3)
    assert values[~mask] == pytest.approx([62, 88, 95, 55, 81])
    assert mask.tolist() == [[False, False, False], [False, False, True]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Đất đai", "Bảo hiểm y tế", "Hộ tịch"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Niêm yết công khai",
        "Thời gian giải quyết",
    ]
    hatched = sorted(p.get_xy() for p in by_gid(ax, "heatmap-unreliable"))
    assert hatched == [(0, 1), (2, 0)]  # (column, row) of Đất đai x Thời gian, Hộ tịch x Niêm yết
    assert all(p.get_hatch() for p in by_gid(ax, "heatmap-unreliable"))
    labels = {t.get_position(): t.get_text() for t in texts(ax, "heatmap-label")}
    assert labels == {
        (0.5, 0.5): "62%",
        (1.5, 0.5): "88%",
        (2.5, 0.5): "95%*",
        (0.5, 1.5): "55%*",
        (1.5, 1.5): "81%",
        (2.5, 1.5): "–",
    }
    assert (mesh.norm.vmin, mesh.norm.vmax) == (55, 95)
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert LABELS["vi"]["unreliable_note"].format(why="") in footer
    assert LABELS["vi"]["missing_note"] in footer


def test_heatmap_decimal_comma_and_diverging_centre():
    frame = heatmap_frame().assign(estimate=[0.615, 0.88, 0.95, 0.55, 0.81])
    ax = heatmap(frame, x="field", y="criterion", digits=1, center=0.8, source="X")
    (mesh,) = by_gid(ax, "heatmap-mesh")
    assert mesh.norm.vcenter == pytest.approx(80)
    labels = {t.get_position(): t.get_text() for t in texts(ax, "heatmap-label")}
    assert labels[(0.5, 0.5)] == "61,5%"
    # Below the centre is red-side, above green-side.
    red, green = mesh.cmap(mesh.norm(55)), mesh.cmap(mesh.norm(95))
    assert red[0] > red[1] and green[1] > green[0]
    ax_en = heatmap(frame, x="field", y="criterion", digits=1, language="en", source="X")
    labels_en = {t.get_position(): t.get_text() for t in texts(ax_en, "heatmap-label")}
    assert labels_en[(0.5, 0.5)] == "61.5%"


def _national_grid() -> pd.DataFrame:
    """35 provinces x 22 criteria, a few unreliable cells and one absent."""
    rng = np.random.default_rng(3)
    rows = [
        {
            "province": f"Tỉnh {p:02d}",
            "criterion": f"Tiêu chí {c:02d}",
            "n": 300,
            "estimate": float(rng.uniform(0.4, 0.9)),
            "reliable": (p * c) % 17 != 0,
        }
        for p in range(35)
        for c in range(22)
        if (p, c) != (4, 7)
    ]
    return pd.DataFrame(rows)


def test_heatmap_too_small_for_numbers_colours_and_hatches_only():
    frame = _national_grid()
    _, ax = plt.subplots(figsize=(8.5, 10.65))
    heatmap(frame, x="criterion", y="province", ax=ax, source="Khảo sát quốc gia")
    assert texts(ax, "heatmap-label") == []  # 770 numbers would print on top of each other
    hatched = sorted(p.get_xy() for p in by_gid(ax, "heatmap-unreliable"))
    assert hatched == sorted(
        (c, p) for p in range(35) for c in range(22) if (p * c) % 17 == 0 and (p, c) != (4, 7)
    )
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert LABELS["vi"]["no_cell_labels_note"] in footer
    assert LABELS["vi"]["hatched_note"].format(why="")[:12] in footer
    assert LABELS["vi"]["missing_grey_note"] in footer
    assert "*" not in footer  # no star to explain: none is drawn
    # asked for, the numbers are printed whatever the size; a small grid prints them itself
    _, ax2 = plt.subplots(figsize=(8.5, 10.65))
    heatmap(frame, x="criterion", y="province", ax=ax2, source="X", cell_labels=True)
    assert len(texts(ax2, "heatmap-label")) == 35 * 22
    plt.close("all")


def test_heatmap_rejects_duplicate_cells():
    frame = heatmap_frame()
    with pytest.raises(InputError, match="more than one row"):
        heatmap(pd.concat([frame, frame.iloc[:1]]), x="field", y="criterion")


# ------------------------------------------------------------------ importance_performance


def test_ipa_points_cuts_and_quadrants():
    ax = importance_performance(
        ipa_frame(),
        importance="importance",
        performance="estimate",
        label="criterion",
        source="SIPAS 2023",
    )
    (points,) = by_gid(ax, "ipa-points")
    assert np.asarray(points.get_offsets()) == pytest.approx(
        np.array([[0.10, 90], [0.40, 70], [0.30, 85], [0.20, 75]])
    )
    (x_cut,) = by_gid(ax, "ipa-x-cut")
    (y_cut,) = by_gid(ax, "ipa-y-cut")
    assert x_cut.get_xdata()[0] == pytest.approx(0.25)
    assert y_cut.get_ydata()[0] == pytest.approx(80)
    quadrant_text = {key: texts(ax, f"ipa-quadrant-{key}")[0] for key in LABELS["vi"]["quadrants"]}
    assert {k: t.get_text() for k, t in quadrant_text.items()} == {
        "concentrate": "Tập trung cải thiện",
        "keep_up": "Tiếp tục duy trì",
        "low_priority": "Ưu tiên thấp",
        "overkill": "Có thể dư thừa",
    }
    # Each point takes its quadrant's colour: E1.1 overkill, E2.1 concentrate, E3.1 keep up.
    edges = points.get_edgecolors()
    for row, key in [(0, "overkill"), (1, "concentrate"), (2, "keep_up")]:
        assert tuple(edges[row]) == pytest.approx(to_rgba(quadrant_text[key].get_color()))
    # E4.1 (low priority) is unreliable: hollow, starred.
    assert tuple(points.get_facecolors()[3]) == pytest.approx(to_rgba("white"))
    assert sorted(t.get_text() for t in texts(ax, "ipa-label")) == [
        "E1.1",
        "E2.1",
        "E3.1",
        "E4.1 *",
    ]
    # Concentrate-here sits at high importance (right) and low performance (bottom).
    x, y = quadrant_text["concentrate"].get_position()
    assert (x, y) == pytest.approx((0.985, 0.015))


def test_ipa_given_cuts_and_english_labels():
    ax = importance_performance(
        ipa_frame(),
        importance="importance",
        performance="estimate",
        label="criterion",
        x_cut=0.35,
        y_cut=0.8,
        language="en",
        source="X",
    )
    assert by_gid(ax, "ipa-x-cut")[0].get_xdata()[0] == pytest.approx(0.35)
    assert by_gid(ax, "ipa-y-cut")[0].get_ydata()[0] == pytest.approx(80)
    names = sorted(t.get_text() for t in ax.texts if str(t.get_gid()).startswith("ipa-quadrant"))
    assert names == [
        "Concentrate here",
        "Keep up the good work",
        "Low priority",
        "Possible overkill",
    ]
    with pytest.raises(ParameterError, match="y_cut"):
        importance_performance(
            ipa_frame(),
            importance="importance",
            performance="estimate",
            label="criterion",
            y_cut=80,
        )


def test_ipa_labels_do_not_overlap():
    # Eight criteria packed close together: the greedy placement must keep labels apart.
    frame = pd.DataFrame(
        {
            "criterion": [f"Tiêu chí {i}" for i in range(8)],
            "importance": [0.30, 0.31, 0.32, 0.30, 0.31, 0.32, 0.10, 0.50],
            "estimate": [0.80, 0.80, 0.80, 0.81, 0.81, 0.81, 0.70, 0.90],
        }
    )
    ax = importance_performance(
        frame, importance="importance", performance="estimate", label="criterion", source="X"
    )
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts(ax, "ipa-label")]
    assert len(boxes) == 8
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_ipa_labels_of_a_crowded_chart_avoid_each_other_after_narrowing_for_print():
    """22 criteria, most in one corner (the demo plans' shape), narrowed for print: every
    label inside the Axes, clear of the other labels and of the quadrant names; a label
    away from its dot has a leader line."""
    from satisfaction.present.figures.notes import fit_width

    rng = np.random.default_rng(7)
    crowd = 14
    frame = pd.DataFrame(
        {
            "criterion": [f"Tiêu chí dài số {i}" for i in range(22)],
            "importance": np.r_[rng.uniform(0.02, 0.05, crowd), rng.uniform(0.06, 0.13, 8)],
            "estimate": np.r_[rng.uniform(0.84, 0.87, crowd), rng.uniform(0.55, 0.86, 8)],
        }
    )
    fig, ax = plt.subplots(figsize=(7.0, 5.0))
    importance_performance(
        frame, importance="importance", performance="estimate", label="criterion", ax=ax
    )
    fit_width(fig, 6.0)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts(ax, "ipa-label")]
    names = [
        t.get_window_extent(renderer) for t in ax.texts if str(t.get_gid()).startswith("ipa-q")
    ]
    frame_box = ax.get_window_extent(renderer).padded(1)
    assert len(boxes) == 22
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    for box in boxes:
        assert not any(box.overlaps(name) for name in names)
        assert frame_box.x0 <= box.x0 and box.x1 <= frame_box.x1
        assert frame_box.y0 <= box.y0 and box.y1 <= frame_box.y1
    assert by_gid(ax, "ipa-leader")  # the crowd is labelled with leader lines


# ------------------------------------------------------------------ annotate and language


def test_annotate_title_n_source_and_note():
    fig, ax = plt.subplots()
    annotate(ax, title="Tiêu đề", n=12345, source="SIPAS 2023", note="Ghi chú thử")
    assert fig_artist(fig, "figure-title").get_text() == "Tiêu đề"
    assert (
        fig_artist(fig, "figure-source").get_text() == "Ghi chú thử\nn = 12.345. Nguồn: SIPAS 2023"
    )
    # Calling again replaces, prefixes are not doubled, English separators.
    annotate(ax, title="Title", n=12345, source="Source: PAPI 2024", language="en")
    assert fig_artist(fig, "figure-title").get_text() == "Title"
    assert fig_artist(fig, "figure-source").get_text() == "n = 12,345. Source: PAPI 2024"
    annotate(ax, title="T", n=None, source=None)
    assert fig_artist(fig, "figure-source").get_text() == "Nguồn: chưa khai báo"
    with pytest.raises(ParameterError):
        annotate("not an axes", title="T", n=1, source="S")  # type: ignore[arg-type]


def test_title_above_and_footer_below_everything_drawn():
    ax = likert_bars(likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    content = ax.get_tightbbox(renderer)  # includes legend, tick labels, n column
    title = fig_artist(fig, "figure-title").get_window_extent(renderer)
    footer = fig_artist(fig, "figure-source").get_window_extent(renderer)
    assert title.y0 >= content.y1
    assert footer.y1 <= content.y0


def test_title_and_footer_follow_later_changes():
    ax = forest(forest_frame(), y="province", source="X")
    fig = ax.figure
    fig.canvas.draw()
    # Changes after a draw (longer labels, a taller x label) move the anchors at the next draw.
    ax.set_yticks(ax.get_yticks(), ["Một tên tỉnh rất dài để đẩy lề trái"] * 4)
    ax.set_xlabel("Nhãn trục\nhai dòng")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    content = ax.get_tightbbox(renderer)
    title = fig_artist(fig, "figure-title").get_window_extent(renderer)
    footer = fig_artist(fig, "figure-source").get_window_extent(renderer)
    assert title.x0 == pytest.approx(content.x0)
    assert title.y0 >= content.y1
    assert footer.y1 <= content.y0


def test_annotate_whole_figure_anchors_to_all_axes():
    fig, (left, right) = plt.subplots(1, 2)
    annotate(fig, title="Hai bảng", n=10, source="X")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig_artist(fig, "figure-title").get_window_extent(renderer)
    assert title.x0 == pytest.approx(left.get_tightbbox(renderer).x0)
    assert title.y0 >= right.get_tightbbox(renderer).y1


def _draw_each():
    yield "likert", lambda **kw: likert_bars(likert_frame(), y="field", **kw)
    yield "forest", lambda **kw: forest(forest_frame(), y="province", **kw)
    yield "heatmap", lambda **kw: heatmap(heatmap_frame(), x="field", y="criterion", **kw)
    yield (
        "ipa",
        lambda **kw: importance_performance(
            ipa_frame(), importance="importance", performance="estimate", label="criterion", **kw
        ),
    )


@pytest.mark.parametrize(("name", "draw"), list(_draw_each()))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_drawer_sets_title_and_source(name, draw, language):
    ax = draw(title="Tiêu đề riêng", source="Khảo sát SIPAS 2023", language=language)
    fig = ax.figure
    assert fig_artist(fig, "figure-title").get_text() == "Tiêu đề riêng"
    prefix = LABELS[language]["source"]
    footer = fig_artist(fig, "figure-source").get_text()
    assert footer.splitlines()[-1].startswith("n = ")
    assert footer.endswith(f"{prefix}: Khảo sát SIPAS 2023")
    default = draw(language=language)
    title = fig_artist(default.figure, "figure-title").get_text()
    assert title == LABELS[language]["titles"][name]
    assert (
        fig_artist(default.figure, "figure-source")
        .get_text()
        .endswith(f"{prefix}: {LABELS[language]['source_missing']}")
    )


def test_label_dictionaries_match():
    vi, en = LABELS["vi"], LABELS["en"]
    assert set(vi) == set(en)
    assert vi["scale"][5] == (
        "Rất không hài lòng",
        "Không hài lòng",
        "Bình thường",
        "Hài lòng",
        "Rất hài lòng",
    )
    for lang in (vi, en):
        assert set(lang["quadrants"]) == {"concentrate", "keep_up", "low_priority", "overkill"}

    def strings(obj):
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, dict):
            for v in obj.values():
                yield from strings(v)
        elif isinstance(obj, tuple | list):
            for v in obj:
                yield from strings(v)

    assert all(unicodedata.is_normalized("NFC", s) for s in strings(LABELS))


# ------------------------------------------------------------------ Vietnamese survives SVG


def test_vietnamese_text_survives_into_svg(tmp_path):
    set_theme()
    frame = likert_frame()
    # A decomposed (NFD) field name, as some Mac keyboards type it, must come out NFC.
    frame["field"] = frame["field"].replace({"Hộ tịch": unicodedata.normalize("NFD", "Hộ tịch")})
    ax = likert_bars(
        frame,
        y="field",
        satisfied_share=satisfied_frame().replace(
            {"Hộ tịch": unicodedata.normalize("NFD", "Hộ tịch")}
        ),
        title="Mức độ hài lòng theo lĩnh vực",
        source="Sở Nội vụ, khảo sát năm 2024",
    )
    path = tmp_path / "likert.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph missing from font" warnings
        ax.figure.savefig(path)
    svg = path.read_text(encoding="utf-8")
    assert "<text" in svg  # text kept as text, not paths
    for expected in [
        "Bảo hiểm y tế",
        "Đất đai",
        "Hộ tịch",
        "Rất không hài lòng",
        "Bình thường",
        "Mức độ hài lòng theo lĩnh vực",
        "Nguồn: Sở Nội vụ, khảo sát năm 2024",
    ]:
        assert unicodedata.normalize("NFC", expected) in svg
    assert unicodedata.normalize("NFD", "Hộ tịch") not in svg


def test_png_renders_at_report_resolution(tmp_path):
    set_theme()
    ax = heatmap(heatmap_frame(), x="field", y="criterion", source="X")
    path = tmp_path / "heatmap.png"
    ax.figure.savefig(path)
    image = plt.imread(path)
    width_in = ax.figure.get_size_inches()[0]
    # Tight bbox crops or grows the canvas a little; the density is the theme's 200 dpi.
    assert image.shape[1] / width_in > 150


def test_intervals_are_named_for_the_kind_of_sample():
    """A quota sample's lines are reference intervals; a self-selected sample draws none."""
    words = LABELS["vi"]
    ax = forest(forest_frame(), y="province", overall=0.8, source="X", interval="reference")
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert words["ref_lines"] in footer and words["ci_lines"] not in footer
    plain = forest_frame().assign(ci_low=np.nan, ci_high=np.nan)
    ax = forest(plain, y="province", overall=0.8, source="X", interval=None)
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert "khoảng" not in footer.casefold()
    ax = likert_bars(
        likert_frame(), y="field", satisfied_share=satisfied_frame(), source="X",
        interval=None, weighted=False,
    )  # fmt: skip
    assert not by_gid(ax, "likert-satisfied-ci")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(LABELS["vi"]["scale"][5])
    footer = fig_artist(ax.figure, "figure-source").get_text()
    assert words["likert_note_plain"] in footer and "trọng số" not in footer
    with pytest.raises(ParameterError):
        forest(forest_frame(), y="province", interval="credible")
