"""fit_width lays a figure out with one renderer across its rounds: the same layout."""

from __future__ import annotations

import contextlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from satisfaction.present.figures import importance_performance, notes


def _narrowed(monkeypatch, *, shared: bool) -> tuple[np.ndarray, list, object]:
    """A crowded quadrant chart fitted to 5.5 inches (resized, its labels laid out again)."""
    rng = np.random.default_rng(16)
    frame = pd.DataFrame(
        {
            "criterion": [f"Tiêu chí số {i}" for i in range(18)],
            "importance": rng.uniform(0.02, 0.13, 18),
            "estimate": rng.uniform(0.55, 0.9, 18),
        }
    )
    fig, ax = plt.subplots(figsize=(8.0, 5.0))
    canvas = fig.canvas
    importance_performance(
        frame, importance="importance", performance="estimate", label="criterion", ax=ax
    )
    with monkeypatch.context() as patch:
        if not shared:  # each round on the figure's own canvas, as before
            patch.setattr(notes, "_LayoutCanvas", lambda fig: contextlib.nullcontext())
        notes.fit_width(fig, 5.5)
    labels = [t.get_position() for t in ax.texts if t.get_gid() == "ipa-label"]
    size = fig.get_size_inches().copy()
    assert fig.canvas is canvas  # the figure's own canvas is back
    plt.close(fig)
    return size, labels, canvas


def test_one_layout_renderer_gives_the_same_layout(monkeypatch):
    size, labels, _ = _narrowed(monkeypatch, shared=True)
    before_size, before_labels, _ = _narrowed(monkeypatch, shared=False)
    assert size[0] < 8.0  # it was narrowed
    np.testing.assert_array_equal(size, before_size)
    np.testing.assert_array_equal(np.array(labels), np.array(before_labels))
