"""satisfaction: design-based analysis of Vietnamese citizen-satisfaction and governance surveys.

Data flows one way: instrument + raw responses -> clean (with a cleaning log) -> design and
estimates -> indices, comparisons, drivers -> figures and tables -> notebooks -> reports.

The subpackages are the stages, in the order data flow through them: `io` (files, text,
the instrument), `cleaning`, `stats` (design, estimation, weighting, models), `studies`
(indices of each kind of study), `analysis` (everything a report needs, computed once),
`present` (figures, tables, documents), `run` (notebooks, batches, the main job), then
`cli`. A module imports only from its own stage and stages before it (a contract test checks
this). The names below are the public entry points; each subpackage's `__init__` names the
rest.
"""

from __future__ import annotations

from satisfaction.cleaning import CleanResult, clean
from satisfaction.errors import (
    DesignError,
    InputError,
    InstrumentError,
    ParameterError,
    SatisfactionError,
)
from satisfaction.io import Instrument, RawResponses, load_instrument, read_responses
from satisfaction.stats import Design, estimate, weighting
from satisfaction.stats.replicate import ReplicateDesign, make_replicate_weights

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
    "ReplicateDesign",
    "SatisfactionError",
    "__version__",
    "clean",
    "estimate",
    "load_instrument",
    "make_replicate_weights",
    "read_responses",
    "weighting",
]
