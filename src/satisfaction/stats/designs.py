"""Any survey design, as every consumer sees it: its analysis weights and where it comes from.

Estimators, indices, comparisons, drivers, remediation and reports never read a weight
column themselves: they ask `analysis_weights(df, design)`, which gives the weights R's
`weights(design)` gives, whatever the design holds:

- a weight column (`Design(weight=...)`), zero weights included;
- no weight column but `fpc` (and `fpc2`): the product over stages of N/n, as `svydesign`
  derives them (a design read as unweighted here would give unweighted shares and standard
  errors many times too large);
- calibrated weights (post-stratified, raked, trimmed): the design names the new column;
- a replicate-weight design: its full-sample weights.

`design_of(instrument)` is the design an instrument's `design` block declares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from satisfaction.errors import ParameterError
from satisfaction.io.instrument import Instrument
from satisfaction.io.instrument.model import DesignRules
from satisfaction.stats.design import Design, prepare
from satisfaction.stats.replicate import ReplicateDesign, prepare_replicates

__all__ = ["analysis_weights", "design_of"]


def analysis_weights(df: pd.DataFrame, design: Design | ReplicateDesign) -> np.ndarray:
    """The weights every estimate uses, one per row of `df` (R: `weights(design)`).

    Checks the design against `df` first (a `DesignError` names every problem), so a
    consumer never reads a weight column the design does not vouch for.
    """
    if isinstance(design, Design):
        return prepare(df, design, check_lonely=False).weights
    if isinstance(design, ReplicateDesign):
        return prepare_replicates(df, design).weights
    raise ParameterError(
        f"design must be a satisfaction.Design or ReplicateDesign, got {type(design).__name__}"
    )


def design_of(instrument: Instrument) -> Design | ReplicateDesign | None:
    """The survey design the instrument declares, or None (descriptive results only).

    Its columns and its variance rules (`DesignRules`: the lonely-PSU rule, R's
    adjust.domain.lonely, the domain df convention); a `ReplicateDesign` when the block
    declares replicate weight columns.
    """
    roles = dict(instrument.design)
    # an instrument without declared rules (e.g. a PAPI-style one) takes the defaults
    rules = getattr(instrument, "design_rules", None) or DesignRules()
    if rules.replicates is not None:
        supplied = rules.replicates
        return ReplicateDesign(
            weight=roles.get("weight"),
            replicates=supplied.columns,
            method=supplied.method,
            scale=supplied.scale,
            rscales=supplied.rscales,
            rho=supplied.rho,
            mse=supplied.mse,
            domain_df=rules.domain_df,
        )
    if not roles:
        return None
    return Design(
        weight=roles.get("weight"),
        strata=roles.get("strata"),
        psu=roles.get("psu"),
        ssu=roles.get("ssu"),
        fpc=roles.get("fpc"),
        fpc2=roles.get("fpc2"),
        lonely_psu=rules.lonely_psu,
        adjust_domain_lonely=rules.adjust_domain_lonely,
        domain_df=rules.domain_df,
    )
