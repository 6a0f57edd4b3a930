"""Everything a report needs, computed once: estimates, remediation priorities, comments.

- `estimates`: every estimate the reports read, computed once per survey and written to disk.
- `frame`: the analysis frame (satisfied indicators, the reporting unit, labelled roles).
- `sampling`: the design of each kind of sample and what its estimates may then show.
- `remediation`: priorities and tiers, drivers, reliability and comments of a plan.
- `cells`: the cells of a plan (criterion x field) and their comparison with a reference.
- `change`: change between waves, method breaks.
- `comments`: most frequent phrases of free-text comments (no personal data).
"""

from __future__ import annotations

from satisfaction.analysis import cells, change, comments, estimates, remediation
from satisfaction.analysis.change import MethodBreakError
from satisfaction.analysis.estimates import (
    AnalysisOptions,
    Estimates,
    analysis_frame,
    compute_estimates,
    load_estimates,
    write_estimates,
)
from satisfaction.analysis.remediation import remediation_analysis

__all__ = [
    "AnalysisOptions",
    "Estimates",
    "MethodBreakError",
    "analysis_frame",
    "cells",
    "change",
    "comments",
    "compute_estimates",
    "estimates",
    "load_estimates",
    "remediation",
    "remediation_analysis",
    "write_estimates",
]
