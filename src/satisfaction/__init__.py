"""satisfaction: design-based analysis of Vietnamese citizen-satisfaction and governance surveys.

Data flows one way: instrument + raw responses -> clean (with a cleaning log) -> design and
estimates -> indices, comparisons, drivers -> figures and tables -> notebooks -> reports.
"""

from __future__ import annotations

from satisfaction.errors import (
    DesignError,
    InputError,
    InstrumentError,
    ParameterError,
    SatisfactionError,
)

__version__ = "0.1.0"

__all__ = [
    "DesignError",
    "InputError",
    "InstrumentError",
    "ParameterError",
    "SatisfactionError",
    "__version__",
]
