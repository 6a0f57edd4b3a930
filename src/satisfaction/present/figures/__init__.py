"""Figures: seaborn-style drawers. Tidy estimates in, Axes out.

Every drawer takes a frame in the project's tidy estimate shape (by-columns, ``variable``,
``level``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``cv``, ``deff``, ``n``, ``N``,
``df``, ``reliable``, ``reliability_note``), draws it and returns the Axes. Drawers never
estimate (the numbers drawn are exactly the numbers given) and never save: saving PNG/SVG and
the CSV of the numbers drawn is ``report``'s job.

Shares arrive as proportions in [0, 1] and are shown as percentages, with the Vietnamese
decimal comma when ``language="vi"`` (the default). Every figure carries a title, an n and a
source line (:func:`annotate`); the title and footer are figure-level artists anchored to the
Axes' tight bounding box, so save with ``bbox_inches="tight"`` (:func:`set_theme` makes that
the default) to keep them on the canvas.

- `theme`: the house theme, the Likert palette, the wording (``LABELS``), number formats.
- `notes`: :func:`annotate` (title, notes, n and source line).
- `likert`: :func:`likert_bars`; `forest_plot`: :func:`forest`; `heatmap_grid`:
  :func:`heatmap`; `quadrants`: :func:`importance_performance`.
- PAPI-style charts: `tile_map`: :func:`tile_map` (provinces coloured by quartile group, no
  boundary files); `rank_chart`: :func:`rank_intervals` (league table with rank intervals);
  `slope_chart`: :func:`slope` (scores across waves, method breaks drawn).
- `funnel_plot`: :func:`funnel` (units' rates against volume, inside control limits);
  `trend_lines`: :func:`trend` (shares over periods, one line each).
- `_data` (frame checks, the footer's n) and `_layout` (Axes plumbing) serve the drawers.
"""

from __future__ import annotations

from satisfaction.present.figures.forest_plot import forest
from satisfaction.present.figures.funnel_plot import funnel
from satisfaction.present.figures.heatmap_grid import heatmap
from satisfaction.present.figures.likert import likert_bars
from satisfaction.present.figures.notes import annotate
from satisfaction.present.figures.quadrants import importance_performance
from satisfaction.present.figures.rank_chart import rank_intervals
from satisfaction.present.figures.slope_chart import slope
from satisfaction.present.figures.theme import (
    LABELS,
    LIKERT_COLOURS,
    VIETNAMESE_GLYPHS,
    likert_palette,
    set_theme,
    theme_rc,
)
from satisfaction.present.figures.tile_map import tile_map, tile_positions
from satisfaction.present.figures.trend_lines import trend

__all__ = [
    "LABELS",
    "LIKERT_COLOURS",
    "VIETNAMESE_GLYPHS",
    "annotate",
    "forest",
    "funnel",
    "heatmap",
    "importance_performance",
    "likert_bars",
    "likert_palette",
    "rank_intervals",
    "set_theme",
    "slope",
    "theme_rc",
    "tile_map",
    "tile_positions",
    "trend",
]
