"""Tests of safe file names and save_figure: files read back and compared."""

from __future__ import annotations

import re
import struct
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from writers_data import forest, tidy_estimates

from satisfaction.errors import InputError, ParameterError
from satisfaction.present import figures
from satisfaction.present.files import figure_title, safe_stem, save_figure


@pytest.fixture(autouse=True)
def _theme():
    with matplotlib.rc_context():
        figures.set_theme()
        yield
    plt.close("all")


@pytest.fixture
def tidy() -> pd.DataFrame:
    return tidy_estimates()


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Hình 1: Đất đai", "hinh-1-dat-dai"),
        ("Tỷ_lệ HÀI LÒNG", "ty_le-hai-long"),
        ("forest_province-2024", "forest_province-2024"),
        ("  Thủ tục.v2 ", "thu-tuc-v2"),
        ("Ưu tiên #1 (Đồng Tháp)", "uu-tien-1-dong-thap"),
        ("__a__b__", "a_b"),
        ("CON", "con-1"),
    ],
)
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


@pytest.mark.parametrize("name", ["../x", "a/b", "a\\b", "", "   ", "..", "!!!", "_!_", "x\x00"])
def test_safe_stem_rejects_unsafe_names(name):
    with pytest.raises(ParameterError):
        safe_stem(name)


def _png_dpi(path) -> tuple[float, float]:
    """Dots per inch from the PNG pHYs chunk (pixels per metre, unit byte 1)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", body)
            assert unit == 1
            return x * 0.0254, y * 0.0254
        pos += 12 + length
    raise AssertionError("no pHYs chunk")


def test_save_figure_writes_png_svg_csv(tmp_path, tidy):
    title = "Tỷ lệ hài lòng theo lĩnh vực – tỉnh Đồng Tháp"
    ax = forest(tidy, title)
    fig = ax.figure
    out = tmp_path / "hình"
    paths = save_figure(ax, out, "Hình 1: Lĩnh vực", data=tidy)

    assert paths == {
        ext: (out / f"hinh-1-linh-vuc.{ext}").resolve() for ext in ("png", "svg", "csv")
    }
    assert sorted(p.name for p in out.iterdir()) == [
        "hinh-1-linh-vuc.csv",
        "hinh-1-linh-vuc.png",
        "hinh-1-linh-vuc.svg",
    ]  # no temporary files left behind
    assert not plt.fignum_exists(fig.number)

    dpi_x, dpi_y = _png_dpi(paths["png"])
    assert dpi_x == pytest.approx(200, abs=0.01) and dpi_y == pytest.approx(200, abs=0.01)

    svg = paths["svg"].read_text(encoding="utf-8")
    assert f">{title}<" in svg  # text kept as text, verbatim, NFC
    assert "Nguồn: Khảo sát SIPAS 2024" in svg  # the footer outside the Axes is saved
    assert "<dc:date>" not in svg

    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Đất đai".encode() in raw
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig", keep_default_na=False)
    pd.testing.assert_frame_equal(back, tidy)


def test_save_figure_higher_dpi_and_figure_argument(tmp_path, tidy):
    ax = forest(tidy, "Hình")
    paths = save_figure(ax.figure, tmp_path, "f", data=tidy, dpi=300)
    assert _png_dpi(paths["png"])[0] == pytest.approx(300, abs=0.01)


def test_png_is_opaque_rgb_with_title_and_smallest_text(tmp_path, tidy):
    # Drawn on white, the PNG needs no alpha channel (smaller and faster to encode); its
    # text chunks are the ones matplotlib writes, plus the title and the smallest text.
    from PIL import Image

    from satisfaction.present.files import SMALLEST_TEXT

    paths = save_figure(forest(tidy, "Hình – Đất đai"), tmp_path, "f", data=tidy)
    with Image.open(paths["png"]) as image:
        assert image.mode == "RGB"
        assert image.info["Title"] == "Hình – Đất đai"
        assert float(image.info[SMALLEST_TEXT]) >= 8
        assert image.info["Software"].startswith("Matplotlib")


def test_save_figure_svg_is_reproducible(tmp_path, tidy):
    first = save_figure(forest(tidy, "Lần 1"), tmp_path / "a", "f", data=tidy)
    second = save_figure(forest(tidy, "Lần 1"), tmp_path / "b", "f", data=tidy)
    assert first["svg"].read_bytes() == second["svg"].read_bytes()


def _ink(path) -> np.ndarray:
    """Dark pixels of a PNG, as a boolean image (what a reader sees, not its shading)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L")) < 128


def _savefig_tight(fig, path) -> None:
    """The picture matplotlib's own tight box gives: a layout draw, then a draw of the box."""
    fig.savefig(path, dpi=200, bbox_inches="tight", facecolor="white")


def test_save_figure_one_raster_pass_gives_savefigs_tight_picture(tmp_path, tidy):
    reference = tmp_path / "reference.png"
    _savefig_tight(forest(tidy, "Hình 1: Lĩnh vực").figure, reference)
    paths = save_figure(forest(tidy, "Hình 1: Lĩnh vực"), tmp_path, "f", data=tidy)
    ours, theirs = _ink(paths["png"]), _ink(reference)
    # the same box within a few pixels (text measured at 200 dpi rather than 100), the same ink
    assert (
        abs(ours.shape[0] - theirs.shape[0]) <= 12 and abs(ours.shape[1] - theirs.shape[1]) <= 48
    )
    assert ours.sum() == pytest.approx(theirs.sum(), rel=0.02)
    # the padding around the ink is the same: nothing cut off, nothing added
    for axis in (0, 1):
        first = [np.flatnonzero(image.any(axis=axis))[0] for image in (ours, theirs)]
        assert abs(first[0] - first[1]) <= 3


def test_save_figure_text_past_the_margin_is_drawn_whole(tmp_path, tidy):
    ax = forest(tidy, "Hình 2")
    ax.figure.text(-4.0, 0.5, "nhãn rất xa bên trái", fontsize=10)  # 32 inches to the left
    reference = tmp_path / "reference.png"
    _savefig_tight(forest(tidy, "Hình 2").figure, reference)
    paths = save_figure(ax, tmp_path, "far", data=tidy)
    far, near = _ink(paths["png"]), _ink(reference)
    assert far.shape[1] > near.shape[1] + 200 * 25  # the canvas reaches the far text
    assert far[:, : 200 * 3].sum() > 0  # and it is drawn


def _svg_box(svg: str) -> tuple[list[float], list[float]]:
    """(width and height in pt, view box) of an SVG's root element."""
    root = re.search(r"<svg\b[^>]*>", svg).group(0)
    size = [float(re.search(rf'\s{k}="([0-9.]+)pt"', root).group(1)) for k in ("width", "height")]
    view = [float(v) for v in re.search(r'viewBox="([^"]+)"', root).group(1).split()]
    return size, view


def _title_xy(svg: str, title: str) -> tuple[float, float]:
    found = re.search(rf'<text [^>]*x="([-0-9.]+)" y="([-0-9.]+)"[^>]*>{re.escape(title)}<', svg)
    return float(found.group(1)), float(found.group(2))


def test_save_figure_svg_only_is_savefigs_tight_svg_drawn_once(tmp_path, tidy):
    title = "Hình 3: Lĩnh vực – Đồng Tháp"
    reference = tmp_path / "reference.svg"
    forest(tidy, title).figure.savefig(reference, format="svg", bbox_inches="tight")
    ax = forest(tidy, title)
    draws = []
    ax.figure.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    paths = save_figure(ax, tmp_path / "out", "f", data=tidy, formats=("svg", "csv"))

    assert set(paths) == {"svg", "csv"}  # no PNG: the costly raster is skipped
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f.csv", "f.svg"]
    assert len(draws) == 1  # one draw writes and measures the SVG
    ours, theirs = paths["svg"].read_text(encoding="utf-8"), reference.read_text("utf-8")
    (size, view), (ref_size, ref_view) = _svg_box(ours), _svg_box(theirs)
    assert size == pytest.approx(view[2:], abs=0.01)  # shown at its natural size
    assert size == pytest.approx(ref_size, abs=2.0)  # savefig's tight box, within 2 pt
    # the title sits at the same place within the shown box as in savefig's picture
    x, y = _title_xy(ours, title)
    ref_x, ref_y = _title_xy(theirs, title)
    assert x - view[0] == pytest.approx(ref_x - ref_view[0], abs=2.0)
    assert y - view[1] == pytest.approx(ref_y - ref_view[1], abs=2.0)
    assert figure_title(paths["svg"]) == title


def _small_heatmap() -> tuple[object, pd.DataFrame]:
    grid = pd.DataFrame(
        {
            "field": ["Đất đai", "Hộ tịch"] * 2,
            "criterion": ["A", "A", "B", "B"],
            "estimate": [0.6, 0.7, 0.8, 0.9],
            "reliable": [True, False, True, True],
        }
    )
    ax = figures.heatmap(grid, x="field", y="criterion", source="X")  # with a colour bar
    return ax, grid


def test_save_figure_reuses_the_axes_boxes_without_changing_the_svg(tmp_path, tidy, monkeypatch):
    import contextlib

    from satisfaction.present import files

    first = [
        save_figure(forest(tidy, "Hình 1"), tmp_path / "a", "f", data=tidy, formats=("svg",)),
        save_figure(_small_heatmap()[0], tmp_path / "a", "h", data=tidy, formats=("svg",)),
    ]
    monkeypatch.setattr(files, "_axes_boxes_once", lambda fig: contextlib.nullcontext())
    second = [
        save_figure(forest(tidy, "Hình 1"), tmp_path / "b", "f", data=tidy, formats=("svg",)),
        save_figure(_small_heatmap()[0], tmp_path / "b", "h", data=tidy, formats=("svg",)),
    ]
    for kept, again in zip(first, second, strict=True):
        assert kept["svg"].read_bytes() == again["svg"].read_bytes()


def test_figure_title_reads_png_and_svg_and_survives_bad_files(tmp_path, tidy):
    title = "Tỷ lệ <hài lòng> & ý kiến"
    paths = save_figure(forest(tidy, title), tmp_path, "f", data=tidy)
    assert figure_title(paths["png"]) == title == figure_title(paths["svg"])
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    assert figure_title(tmp_path / "broken.png") == ""
    assert figure_title(tmp_path / "missing.svg") == ""


def test_save_figure_refuses_unknown_formats(tmp_path, tidy):
    with pytest.raises(ParameterError, match="formats"):
        save_figure(forest(tidy, "x"), tmp_path, "f", data=tidy, formats=("pdf",))
    with pytest.raises(ParameterError, match="formats"):
        save_figure(forest(tidy, "x"), tmp_path, "f", data=tidy, formats="png")
    with pytest.raises(ParameterError, match="formats"):
        save_figure(forest(tidy, "x"), tmp_path, "f", data=tidy, formats=("csv",))
    assert list(tmp_path.iterdir()) == []


def test_save_figure_png_alone_for_word(tmp_path, tidy):
    paths = save_figure(forest(tidy, "Hình 4"), tmp_path, "w", data=tidy, formats=("png",))
    assert set(paths) == {"png", "csv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.csv", "w.png"]
    assert figure_title(paths["png"]) == "Hình 4"


@pytest.mark.parametrize("name", ["../x", "a/b", "", "a\\b"])
def test_save_figure_unsafe_name_writes_nothing(tmp_path, tidy, name):
    ax = forest(tidy, "x")
    out = tmp_path / "out"
    with pytest.raises(ParameterError):
        save_figure(ax, out, name, data=tidy)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_save_figure_refuses_symlink_out_of_folder(tmp_path, tidy):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.png"
    (out / "f.png").symlink_to(outside)
    with pytest.raises(ParameterError, match="outside"):
        save_figure(forest(tidy, "x"), out, "f", data=tidy)
    assert not outside.exists()
    assert sorted(p.name for p in out.iterdir()) == ["f.png"]


def test_save_figure_argument_errors(tmp_path, tidy):
    ax = forest(tidy, "x")
    with pytest.raises(ParameterError, match="dpi"):
        save_figure(ax, tmp_path, "f", data=tidy, dpi=100)
    with pytest.raises(InputError, match="DataFrame"):
        save_figure(ax, tmp_path, "f", data=tidy.to_dict())
    with pytest.raises(ParameterError, match="Axes or Figure"):
        save_figure("not a figure", tmp_path, "f", data=tidy)
    assert list(tmp_path.iterdir()) == []
