"""satisfaction: design-based analysis of Vietnamese citizen-satisfaction and governance surveys.

Data flows one way: instrument + raw responses -> clean (with a cleaning log) -> design and
estimates -> indices, comparisons, drivers -> figures and tables -> notebooks -> reports.

The names below are the public entry points; modules (`satisfaction.estimate`,
`satisfaction.weighting`, `satisfaction.figures`, ...) hold the rest.
"""

from __future__ import annotations

from satisfaction import estimate, weighting
from satisfaction.clean import CleanResult, clean
from satisfaction.design import Design
from satisfaction.errors import (
    DesignError,
    InputError,
    InstrumentError,
    ParameterError,
    SatisfactionError,
)
from satisfaction.instrument import Instrument, load_instrument
from satisfaction.read import RawResponses, read_responses

__version__ = "0.1.0"

__all__ = [
    "CleanResult",
    "Design",
    "DesignError",
    "InputError",
    "Instrument",
    "InstrumentError",
    "ParameterError",
    "RawResponses",
    "SatisfactionError",
    "__version__",
    "clean",
    "estimate",
    "load_instrument",
    "read_responses",
    "weighting",
]
