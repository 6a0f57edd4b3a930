"""Safe file names, atomic writes, and figures saved as SVG, PNG and CSV.

Every writer validates its arguments before it creates any file, and writes through a
temporary file in the target folder (`satisfaction.io.write.atomic_paths`), so a failure
never leaves a half-written output, and never writes through a symbolic link.
:func:`save_figure` writes the formats asked for: ``<stem>.svg`` (text kept as text, so
Vietnamese stays searchable and editable; what the HTML reports show), ``<stem>.png``
(>= 200 dpi; what Word documents place) and always ``<stem>.csv`` (the numbers drawn, UTF-8
with a BOM so Excel shows Vietnamese; text a spreadsheet would run as a formula is quoted),
each image drawn once and cut to its tight box because titles and footers sit outside the
Axes.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib._tight_bbox import adjust_bbox
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.transforms import Bbox

from satisfaction.errors import InputError, ParameterError
from satisfaction.io.paths import safe_output_path, slugify
from satisfaction.io.write import atomic_paths, csv_into, make_folder
from satisfaction.present.formatting import _flatten_columns

__all__ = ["FIGURE_FORMATS", "figure_title", "safe_stem", "save_figure"]

# --------------------------------------------------------------------------------------
# Safe names and atomic writes
# --------------------------------------------------------------------------------------

_STEM_MAX = 100


def safe_stem(name: str) -> str:
    """A safe file stem: ``"Hình 1: Đất đai"`` -> ``"hinh-1-dat-dai"``.

    Lower-case ASCII letters, digits, ``-`` and ``_``; Vietnamese diacritics are stripped
    (đ -> d) and every other run of characters becomes one ``-`` (as
    ``io.paths.slugify``, which also renames Windows device names: "con" -> "con-1"). Names
    holding ``..``, ``/``, ``\\`` or NUL and names that leave nothing raise
    ``ParameterError``: a caller passing a path where a name belongs has made a mistake,
    which silently flattening would hide.
    """
    if not isinstance(name, str):
        raise ParameterError(f"a file name must be text, got {type(name).__name__}", key="name")
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise ParameterError("file name is empty", key="name")
    for bad in ("..", "/", "\\", "\x00"):
        if bad in text:
            shown = {"\x00": "a NUL character"}.get(bad, repr(bad))
            raise ParameterError(f"file name {name!r} holds {shown}", key="name")
    # Underscores are kept: each piece between them is slugged as folder names are.
    pieces = []
    for piece in re.split(r"_+", text):
        try:
            pieces.append(slugify(piece, max_length=_STEM_MAX))
        except ParameterError:
            continue  # a piece with no letters or digits
    stem = "_".join(pieces)[:_STEM_MAX].rstrip("-_")
    if not stem:
        raise ParameterError(f"file name {name!r} leaves no letters or digits", key="name")
    return stem


_atomic_paths = atomic_paths  # the one temp-file-and-rename writer (satisfaction.io.write)


def _output_file(path: str | Path, suffix: str, func: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ParameterError(f"{func}: {str(target)!r} must end with {suffix}", key="path")
    if target.is_dir():
        raise ParameterError(f"{func}: {str(target)!r} is a folder", key="path")
    make_folder(target.parent)
    return target


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


def _root_figure(ax_or_fig: object) -> Figure:
    if isinstance(ax_or_fig, Axes):
        fig = ax_or_fig.figure
    elif isinstance(ax_or_fig, Figure | SubFigure):
        fig = ax_or_fig
    else:
        raise ParameterError(
            f"save_figure: expected a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}"
        )
    while isinstance(fig, SubFigure):
        fig = fig.figure
    return fig


#: PNG text key holding the smallest font size (pt) drawn: a document placing the picture
#: can check its text prints at 8 pt or more.
SMALLEST_TEXT = "Smallest text pt"


def _smallest_text(fig: Figure) -> float:
    """The smallest font size (pt) of the visible, non-empty texts of the figure."""
    from matplotlib.text import Text

    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0
    ]
    return float(min(sizes)) if sizes else 0.0


def _title_of(fig: Figure) -> str:
    """The title `figures.annotate` gave the figure ("" when none)."""
    for artist in fig.artists:
        if artist.get_gid() == "figure-title":
            return str(artist.get_text())
    return ""


_SVG_TITLE = re.compile(rb"<dc:title>(.*?)</dc:title>", re.DOTALL)


def figure_title(image: str | Path) -> str:
    """The title `save_figure` stored in a figure file (PNG text chunk or SVG metadata);
    "" when there is none or the file cannot be read.

    A PNG's title is read from the chunks before its pixels (Pillow's ``info``, where Pillow
    and matplotlib write them); Pillow's ``text`` would decode every pixel to look for chunks
    after them too (60 ms for a 200-dpi figure, 15 s for the index of a national batch)."""
    path = Path(image)
    try:
        if path.suffix.lower() == ".svg":
            with path.open("rb") as handle:
                head = handle.read(65536)  # the metadata comes first in matplotlib's SVG
            found = _SVG_TITLE.search(head)
            return (
                html.unescape(found.group(1).decode("utf-8", "replace")).strip() if found else ""
            )
        from PIL import Image

        with Image.open(path) as picture:
            return str(picture.info.get("Title", "")).strip()
    except (OSError, ValueError):
        return ""


#: Inches drawn around the figure in the one raster pass of `save_figure`: titles, footers
#: and long labels reach past the figure's edges, and the tight box is cut from this canvas.
_MARGIN_IN = 3.0


def _canvas_box(fig: Figure) -> Bbox:
    """The figure's box grown by ``_MARGIN_IN`` on every side (inches): one draw on it
    holds whatever reaches past the figure's edges, and the tight box is cut from it."""
    width, height = fig.get_size_inches()
    return Bbox.from_extents(-_MARGIN_IN, -_MARGIN_IN, width + _MARGIN_IN, height + _MARGIN_IN)


def _render_tight(fig: Figure, dpi: float) -> tuple[np.ndarray | None, Bbox]:
    """Draw ``fig`` once at ``dpi`` on a white canvas reaching ``_MARGIN_IN`` past its edges
    and measure its tight box (padded) with that same draw.

    Returns (the pixels of the tight box: RGB when every pixel is opaque, as on the white
    background, else RGBA; the box in figure inches). One Agg draw does
    what savefig's tight box costs two (a layout draw, then a draw of the box): the figure
    is laid out and rendered at once, and the box is cut from the pixels. When something
    reaches past the margin, the pixels are None and the caller lets savefig draw the box.
    """
    canvas_box = _canvas_box(fig)
    old_canvas, old_dpi, old_face = fig.canvas, fig.dpi, fig.patch.get_facecolor()
    canvas = FigureCanvasAgg(fig)
    fig.dpi = dpi
    fig.patch.set_facecolor("white")
    restore = adjust_bbox(fig, canvas_box, canvas.get_renderer())
    try:
        canvas.draw()
        renderer = canvas.get_renderer()
        drawn = fig.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"])
        rgba = np.asarray(canvas.buffer_rgba())
    finally:
        restore()
        fig.dpi = old_dpi
        fig.patch.set_facecolor(old_face)
        fig.set_canvas(old_canvas)
    tight = drawn.translated(-_MARGIN_IN, -_MARGIN_IN)
    left, top = round(drawn.x0 * dpi), round((canvas_box.height - drawn.y1) * dpi)
    columns, rows = int(drawn.width * dpi), int(drawn.height * dpi)
    if left < 0 or top < 0 or left + columns > rgba.shape[1] or top + rows > rgba.shape[0]:
        return None, tight
    box = rgba[top : top + rows, left : left + columns]
    if (box[..., 3] == 255).all():  # drawn on white: the alpha channel says nothing
        return np.ascontiguousarray(box[..., :3]), tight
    return box.copy(), tight


#: zlib level of the PNGs: level 3 of RGB pixels takes ~45% less time than matplotlib's
#: level 6 of RGBA, for files ~7% smaller (the dropped alpha channel; 200-dpi figures).
_PNG_COMPRESS_LEVEL = 3


def _encode_png(path: Path, pixels: np.ndarray, dpi: float, metadata: dict[str, str]) -> None:
    """Write RGB (or RGBA) ``pixels`` as a PNG with ``dpi`` in its pHYs chunk and the text
    chunks `mpl.image.imsave` writes (Software, then ``metadata``), via Pillow directly:
    imsave always encodes RGBA at zlib level 6."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    software = f"Matplotlib version{mpl.__version__}, https://matplotlib.org/"
    for key, value in {"Software": software, **metadata}.items():
        info.add_text(key, value)
    image = Image.fromarray(pixels, "RGB" if pixels.shape[2] == 3 else "RGBA")
    image.save(
        path, format="png", dpi=(dpi, dpi), pnginfo=info, compress_level=_PNG_COMPRESS_LEVEL
    )


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")
_SVG_SIZE = re.compile(rb'\s(?:width|height|viewBox)="[^"]*"')


def _crop_svg(svg: bytes, box: Bbox, canvas_height_in: float) -> bytes:
    """The SVG drawn on the padded canvas, shown through ``box`` (inches, from the canvas's
    bottom left): its root element's size and view box are set to the box (points); what lies
    outside is not shown."""
    x0, top = box.x0 * 72, (canvas_height_in - box.y1) * 72
    width, height = box.width * 72, box.height * 72
    root = _SVG_ROOT.search(svg)
    if root is None:  # not matplotlib's SVG: leave it as drawn
        return svg
    tag = _SVG_SIZE.sub(b"", root.group(0))
    sized = (
        f' width="{width:.2f}pt" height="{height:.2f}pt"'
        f' viewBox="{x0:.2f} {top:.2f} {width:.2f} {height:.2f}"'
    ).encode()
    tag = tag[:4] + sized + tag[4:]
    return svg[: root.start()] + tag + svg[root.end() :]


@contextlib.contextmanager
def _axes_boxes_once(fig: Figure) -> Iterator[None]:
    """Within the block, each Axes' tight box is computed once per renderer.

    A tight box lays out every tick label. The title and footer anchor to the Axes' box when
    the figure is drawn (`figures.notes`), and the figure's own box is measured right after
    that draw, with the same renderer and nothing moved: the second layout would give the
    same box, so the first is reused.
    """
    kept: dict[tuple, Bbox | None] = {}
    patched = [ax for ax in fig.axes if "get_tightbbox" not in vars(ax)]

    def once(ax: Axes, original: Any) -> Any:
        def get_tightbbox(renderer: Any = None, *args: Any, **kwargs: Any) -> Bbox | None:
            try:
                given = {k: v for k, v in kwargs.items() if v is not None}  # None: the default
                key = (id(ax), id(renderer), args, tuple(sorted(given.items())))
                hash(key)
            except TypeError:  # unhashable extras: compute as usual
                return original(renderer, *args, **kwargs)
            if key not in kept:
                kept[key] = original(renderer, *args, **kwargs)
            return kept[key]

        return get_tightbbox

    for ax in patched:
        ax.get_tightbbox = once(ax, ax.get_tightbbox)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for ax in patched:
            del ax.get_tightbbox


def _svg_tight(fig: Figure, metadata: dict[str, str | None]) -> tuple[bytes | None, Bbox]:
    """Draw ``fig`` as SVG once, on a canvas reaching ``_MARGIN_IN`` past its edges, measure
    its tight box (padded) with that same draw and crop the SVG to it.

    Returns (the SVG's bytes, the tight box in figure inches). savefig's ``"tight"`` draws an
    SVG twice (once to measure); here the box is measured when the one draw ends (the
    figure's ``draw_event`` hands over the SVG renderer, whose text sizes are already laid
    out) and applied by the root element's view box. When something reaches past the margin,
    the bytes are None and the caller lets savefig draw the box.
    """
    canvas_box = _canvas_box(fig)
    measured: list[Bbox] = []

    def measure(event: object) -> None:
        renderer = event.renderer  # type: ignore[attr-defined]
        measured.append(fig.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"]))

    callback = fig.canvas.mpl_connect("draw_event", measure)
    buffer = io.BytesIO()
    try:
        with _axes_boxes_once(fig):
            fig.savefig(
                buffer, format="svg", bbox_inches=canvas_box, facecolor="white", metadata=metadata
            )
    finally:
        fig.canvas.mpl_disconnect(callback)
    drawn = measured[-1]
    tight = drawn.translated(-_MARGIN_IN, -_MARGIN_IN)
    if drawn.x0 < 0 or drawn.y0 < 0 or drawn.x1 > canvas_box.width or drawn.y1 > canvas_box.height:
        return None, tight
    return _crop_svg(buffer.getvalue(), drawn, canvas_box.height), tight


#: The files `save_figure` can write: a 200-dpi PNG (Word, slides), the SVG (the HTML
#: reports show it) and the numbers drawn.
FIGURE_FORMATS = ("png", "svg", "csv")


def save_figure(
    ax_or_fig: Axes | Figure,
    out_dir: str | Path,
    name: str,
    *,
    data: pd.DataFrame,
    dpi: int = 200,
    formats: Sequence[str] = FIGURE_FORMATS,
) -> dict[str, Path]:
    """Write the figure as ``<stem>.<format>`` for each of ``formats`` ("png", "svg") and its
    numbers as ``<stem>.csv``, and close the figure.

    ``name`` goes through :func:`safe_stem`; the files must resolve inside ``out_dir``
    (created if missing). The SVG keeps text as text (``svg.fonttype = "none"``, so
    Vietnamese stays searchable and editable), has no date and fixed ids so re-running gives
    the same bytes; the PNG has ``dpi`` (>= 200) in its pHYs chunk; the CSV holds ``data``
    (the numbers drawn, as given) in UTF-8 with a BOM. Both images carry the figure's title
    as metadata ("Title"), for captions; the PNG also the smallest font size drawn
    (``SMALLEST_TEXT``). Both are cut to the figure's tight box, since titles and footers
    sit outside the Axes. The PNG is the costly file (a 200-dpi raster of every label): the
    HTML reports show the SVG and ask for the PNG only when the user wants it; the plans,
    whose Word documents place PNGs, ask for the PNG alone. Returns ``{format: path}`` for
    the files written (the CSV always).
    """
    fig = _root_figure(ax_or_fig)
    stem = safe_stem(name)
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"save_figure: data must be the DataFrame drawn, got {type(data).__name__}"
        )
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not dpi >= 200:
        raise ParameterError(f"save_figure: dpi must be at least 200, got {dpi!r}", key="dpi")
    wanted = [ext for ext in FIGURE_FORMATS if ext in set(formats) | {"csv"}]
    unknown = sorted(set(formats) - set(FIGURE_FORMATS))
    if unknown or isinstance(formats, str) or not {"png", "svg"} & set(wanted):
        raise ParameterError(
            f"save_figure: formats must be png and/or svg (and csv), got {formats!r}",
            key="formats",
        )
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise ParameterError(f"save_figure: {str(root)!r} is not a folder", key="out_dir")
    paths = {ext: safe_output_path(root, f"{stem}.{ext}") for ext in wanted}
    make_folder(root)
    table = _flatten_columns(data)
    rc = {"svg.fonttype": "none", "svg.hashsalt": f"satisfaction-{stem}", "pdf.fonttype": 42}
    try:
        with mpl.rc_context(rc), _atomic_paths(list(paths.values())) as temps:
            temp = dict(zip(wanted, temps, strict=True))
            title = _title_of(fig)  # the index page captions the figure with it
            if "png" in temp:
                _write_png(fig, temp["png"], dpi, title)
            if "svg" in temp:
                _write_svg(fig, temp["svg"], title)
            csv_into(table, temp["csv"])
    finally:
        plt.close(fig)
    return paths


def _write_svg(fig: Figure, target: str | Path, title: str) -> None:
    """The figure as an SVG cut to its tight box, drawn once, with its title as metadata."""
    meta = {"Date": None, "Title": title}
    drawn, tight = _svg_tight(fig, meta)
    if drawn is None:  # drawn beyond the margin: let savefig draw the box
        fig.savefig(target, format="svg", metadata=meta, bbox_inches=tight, facecolor="white")
    else:
        Path(target).write_bytes(drawn)


def _write_png(fig: Figure, target: str | Path, dpi: float, title: str) -> None:
    """The figure as a PNG at ``dpi``, cut to its tight box, with its title and smallest
    text size as metadata."""
    pixels, tight = _render_tight(fig, dpi)
    png_meta = {"Title": title, SMALLEST_TEXT: f"{_smallest_text(fig):.2f}"}
    if pixels is None:  # drawn beyond the margin: let savefig draw it again, tight
        fig.savefig(
            target,
            format="png",
            dpi=dpi,
            metadata=png_meta,
            bbox_inches=tight,
            facecolor="white",
        )
    else:
        _encode_png(Path(target), pixels, dpi, png_meta)
