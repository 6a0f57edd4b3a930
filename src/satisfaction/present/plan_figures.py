"""The remediation plan's figures: what `figures` draws, set up for the plan's sections.

The first cells to fix against the target, the change of the overall index since the
previous wave, and the importance-performance chart of the drivers. `figures.forest` names
its reference line after an overall value; here it is a target (or no change), so its
legend is relabelled.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from satisfaction.analysis.estimates import ALL
from satisfaction.present import figures
from satisfaction.present.plan_text import _pct

__all__ = ["change_rows", "draw_change", "draw_drivers", "draw_priorities", "priority_rows"]


def priority_rows(top: pd.DataFrame, shorts: pd.Series | None = None) -> pd.DataFrame:
    """The plan's first cells, each named "field – criterion" (the criterion's short label
    from the instrument when given, else its whole text on lines of whole words) and marked
    when significantly below the target."""
    top = top.copy()
    names = top["label"] if shorts is None else shorts.fillna(top["label"])
    top["row"] = [_wrapped(f"{f} – {lab}", 48) for f, lab in zip(top["field"], names, strict=True)]
    top["sig"] = np.where(top["significant"], "below", "")
    return top


def draw_priorities(
    ax: plt.Axes,
    top: pd.DataFrame,
    *,
    fixed: float | None,
    words: dict[str, str],
    language: str,
    where: str,
    source: str,
    interval: str | None = "confidence",
) -> None:
    """The first cells to fix with their CIs, against a fixed target when there is one."""
    target_note = words["target_note"].format(target=_pct(fixed)) if fixed else None
    figures.forest(
        top,
        interval=interval,
        y="row",
        overall=fixed,
        sort=False,
        language=language,
        ax=ax,
        title=words["priority_title"].format(where=where),
        source=source,
        note=target_note,
    )
    _relabel_legend(
        ax,
        language,
        {
            "overall": f"{words['target']}: {_pct(fixed)}" if fixed else "",
            "sig_below": words["sig_below_target"],
        },
    )


def change_rows(change: pd.DataFrame) -> pd.DataFrame:
    """The change of each field's overall index, in percentage points, marked up or down."""
    overall = change[(change["variable"] == "overall") & (change["field"] != ALL)].copy()
    if len(overall):
        overall["row"] = overall["field"]
        for column in ("change", "ci_low", "ci_high"):
            overall[f"{column}_points"] = 100 * overall[column]
        overall["sig_plot"] = overall["sig"].map({"up": "above", "down": "below"}).fillna("")
    return overall


def draw_change(
    ax: plt.Axes,
    overall: pd.DataFrame,
    *,
    words: dict[str, str],
    language: str,
    previous: str,
    where: str,
    source: str,
    interval: str | None = "confidence",
) -> None:
    """The change of each field's overall index since the previous wave, around zero."""
    figures.forest(
        overall,
        interval=interval,
        y="row",
        estimate="change_points",
        ci=("ci_low_points", "ci_high_points"),
        overall=0.0,
        percent=False,
        sig="sig_plot",
        n=None,
        xlabel=words["change_axis"],
        language=language,
        ax=ax,
        title=words["change_title"].format(previous=previous, where=where),
        source=source,
    )
    _relabel_legend(
        ax,
        language,
        {
            "overall": words["no_change"],
            "sig_above": words["sig_up"],
            "sig_below": words["sig_down"],
        },
    )


def draw_drivers(
    ax: plt.Axes,
    quadrants: pd.DataFrame,
    *,
    ordinal: bool,
    words: dict[str, str],
    language: str,
    where: str,
    source: str,
) -> None:
    """Importance (ordinal-logit coefficient, or correlation) against the satisfied share."""
    figures.importance_performance(
        quadrants,
        importance="importance",
        performance="performance",
        label="name",
        x_cut=float(quadrants["importance_cut"].iloc[0]),
        y_cut=float(quadrants["performance_cut"].iloc[0]),
        xlabel=words["importance" if ordinal else "importance_r"],
        ylabel=words["performance"],
        language=language,
        ax=ax,
        title=words["ipa_title"].format(where=where),
        source=source,
    )


def _relabel_legend(ax: plt.Axes, language: str, names: dict[str, str]) -> None:
    """Rename the legend entries `figures.forest` names after the overall value.

    Its reference line is a target (or zero change) here, and its marks mean significantly
    below the target (or a significant rise or fall).
    """
    legend = ax.get_legend()
    if legend is None:
        return
    words = figures.LABELS[language]
    for text in legend.get_texts():
        for key, new in names.items():
            if new and text.get_text().startswith(words[key]):
                text.set_text(new)
                break


def _wrapped(text: str, width: int = 38) -> str:
    """The whole text on lines of at most about `width` characters, broken between words:
    a priority's name is never cut short (the instrument's short label keeps it on one)."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)
