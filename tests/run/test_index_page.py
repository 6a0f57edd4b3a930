"""The index page's figure captions: read from the PNG's text chunks, no pixel decoded."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from satisfaction.run.index_page import _caption


def _figure_png(path: Path, title: str | None) -> Path:
    figure, axes = plt.subplots(figsize=(2, 1))
    axes.bar(["a", "b"], [1, 2])
    metadata = {"Title": title} if title else {}
    figure.savefig(path, format="png", dpi=50, metadata=metadata)  # as present.files does
    plt.close(figure)
    return path


def test_caption_is_the_title_saved_in_the_png(tmp_path):
    png = _figure_png(tmp_path / "hai-long-theo-linh-vuc.png", "Mức độ hài lòng — Huế")
    assert _caption(png) == "Mức độ hài lòng — Huế"


def test_caption_without_a_title_is_the_file_name_in_words(tmp_path):
    png = _figure_png(tmp_path / "hai-long_theo-linh-vuc.png", None)
    assert _caption(png) == "Hai long theo linh vuc"


def test_caption_reads_no_pixels(tmp_path):
    """Truncated image data: decoding it would fail, the caption comes from the header."""
    png = _figure_png(tmp_path / "chi-so.png", "Chỉ số theo yếu tố")
    data = png.read_bytes()
    png.write_bytes(data[: data.index(b"IDAT") + 20])
    assert _caption(png) == "Chỉ số theo yếu tố"
