"""The quadrant chart's leader lines: cut at the label's outline exactly as matplotlib cuts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch

from satisfaction.present.figures.quadrants import _Leader


def test_leader_is_cut_where_matplotlib_cuts_it():
    fig, ax = plt.subplots(figsize=(4, 3))
    try:
        label = ax.text(
            0.2,
            0.7,
            "Thời gian giải quyết",
            bbox={"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none"},
        )
        style = {"posA": (0.2, 0.7), "posB": (0.8, 0.2), "patchA": label, "arrowstyle": "-"}
        ours = _Leader(shrinkA=1, shrinkB=5, **style)
        theirs = FancyArrowPatch(shrinkA=1, shrinkB=5, **style)
        ax.add_patch(ours)
        ax.add_patch(theirs)
        for dpi in (72, 100, 200):
            fig.set_dpi(dpi)
            fig.draw_without_rendering()
            ours._dpi_cor = theirs._dpi_cor = dpi / 72
            np.testing.assert_array_equal(ours.get_path().vertices, theirs.get_path().vertices)
        assert not np.allclose(ours.get_path().vertices[0], (0.2, 0.7))  # cut at the box
        assert ours.patchA is label  # the label itself once the path is made
    finally:
        plt.close(fig)
