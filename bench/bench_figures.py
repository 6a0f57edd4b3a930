"""Time to draw and save the figures at report size (PNG 200 dpi + SVG); prints seconds.

Run: .venv/bin/python bench/bench_figures.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from satisfaction.present.figures import (
    forest,
    heatmap,
    importance_performance,
    likert_bars,
    set_theme,
)


def _frames(rng: np.random.Generator) -> dict[str, tuple]:
    provinces = [f"Tỉnh số {i}" for i in range(63)]
    share = rng.uniform(0.70, 0.93, 63)
    ranking = pd.DataFrame(
        {
            "province": provinces,
            "estimate": share,
            "ci_low": share - 0.03,
            "ci_high": np.minimum(share + 0.03, 1),
            "n": rng.integers(20, 900, 63),
        }
    ).assign(reliable=lambda d: d["n"] >= 30)
    fields = [f"Lĩnh vực {j}" for j in range(16)]
    criteria = [f"E{e}.{i}" for e, k in enumerate([4, 5, 6, 3, 4], 1) for i in range(1, k + 1)]
    grid = pd.DataFrame(
        [(c, f, rng.uniform(0.6, 0.97), rng.integers(10, 500)) for c in criteria for f in fields],
        columns=["criterion", "field", "estimate", "n"],
    ).assign(reliable=lambda d: d["n"] >= 30)
    raw = rng.dirichlet(np.ones(5) * 3, size=16)
    likert = pd.DataFrame(
        [(f, lev + 1, raw[j, lev], 300) for j, f in enumerate(fields) for lev in range(5)],
        columns=["field", "level", "estimate", "n"],
    )
    ipa = pd.DataFrame(
        {
            "criterion": criteria,
            "importance": rng.uniform(0.1, 0.5, 22),
            "estimate": rng.uniform(0.7, 0.92, 22),
        }
    )
    return {
        "forest, 63 provinces": (forest, ranking, {"y": "province", "overall": 0.83}),
        "heatmap, 22 x 16": (heatmap, grid, {"x": "field", "y": "criterion"}),
        "likert, 16 fields": (likert_bars, likert, {"y": "field"}),
        "ipa, 22 criteria": (
            importance_performance,
            ipa,
            {"importance": "importance", "performance": "estimate", "label": "criterion"},
        ),
    }


def main() -> None:
    set_theme()
    rng = np.random.default_rng(2024)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (draw, data, kwargs) in _frames(rng).items():
            start = time.perf_counter()
            ax = draw(data, source="bench", **kwargs)
            drawn = time.perf_counter()
            ax.figure.savefig(Path(tmp) / "f.png")
            ax.figure.savefig(Path(tmp) / "f.svg")
            saved = time.perf_counter()
            plt.close(ax.figure)
            print(f"{name:24s} draw {drawn - start:6.2f} s   save png+svg {saved - drawn:6.2f} s")


if __name__ == "__main__":
    main()
