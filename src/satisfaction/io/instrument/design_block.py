"""The `design:` section: the design's columns and the variance rules declared beside them.

```yaml
design:
  weight: trong_so          # columns: weight, strata, psu, ssu, fpc, fpc2
  strata: tang
  psu: ma_xa
  lonely_psu: adjust        # fail / remove / certainty / adjust / average (R's rules)
  adjust_domain_lonely: false
  domain_df: rows           # rows (R) / answered
  replicates:               # replicate weights delivered with the data
    columns: [rw1, rw2]     # or prefix: rw and count: 80 (rw1 ... rw80)
    method: JKn             # JK1 / JKn / BRR / Fay / bootstrap / successive-difference / other
    rscales: [...]          # optional: scale, rscales, rho (Fay), mse
```
"""

from __future__ import annotations

from typing import Any

from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.model import (
    DESIGN_ROLES,
    DOMAIN_DF_RULES,
    LONELY_PSU_RULES,
    REPLICATE_METHODS,
    DesignRules,
    ReplicateColumns,
)
from satisfaction.io.instrument.sections import _roles

__all__: list[str] = []

_RULE_KEYS = ("lonely_psu", "adjust_domain_lonely", "domain_df", "replicates")


def _design(check: _Checker, value: Any) -> tuple[dict[str, str], DesignRules]:
    """The design's column roles and its `DesignRules`."""
    spec = check.mapping(value, "design", required=False)
    check.unknown_keys(spec, (*DESIGN_ROLES, *_RULE_KEYS), "design")
    columns = {k: v for k, v in spec.items() if k in DESIGN_ROLES}
    roles = _roles(check, columns, "design", DESIGN_ROLES)
    defaults = DesignRules()
    lonely = _choice(check, spec.get("lonely_psu"), "design.lonely_psu", LONELY_PSU_RULES)
    domain_df = _choice(check, spec.get("domain_df"), "design.domain_df", DOMAIN_DF_RULES)
    adjust = spec.get("adjust_domain_lonely", defaults.adjust_domain_lonely)
    if not isinstance(adjust, bool):
        check.fail("design.adjust_domain_lonely", f"must be true or false, got {adjust!r}")
        adjust = defaults.adjust_domain_lonely
    rules = DesignRules(
        lonely_psu=lonely or defaults.lonely_psu,
        adjust_domain_lonely=adjust,
        domain_df=domain_df or defaults.domain_df,
        replicates=_replicates(check, spec.get("replicates")),
    )
    return roles, rules


def _choice(check: _Checker, value: Any, key: str, allowed: tuple[str, ...]) -> str | None:
    text = check.text(value, key, required=False) or None
    if text is not None and text not in allowed:
        check.fail(key, f"unknown value {text!r}; use one of {', '.join(allowed)}")
        return None
    return text


def _number(check: _Checker, value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        check.fail(key, f"must be a number >= 0, got {value!r}")
        return None
    return float(value)


def _replicates(check: _Checker, value: Any) -> ReplicateColumns | None:
    if value is None:
        return None
    key = "design.replicates"
    spec = check.mapping(value, key)
    allowed = ("columns", "prefix", "count", "method", "scale", "rscales", "rho", "mse")
    check.unknown_keys(spec, allowed, key)
    columns = _replicate_columns(check, spec, key)
    method = _choice(check, spec.get("method"), f"{key}.method", REPLICATE_METHODS)
    if method is None and spec.get("method") is None:
        check.fail(f"{key}.method", f"required: one of {', '.join(REPLICATE_METHODS)}")
    rscales = None
    if spec.get("rscales") is not None:
        values = check.sequence(spec["rscales"], f"{key}.rscales")
        numbers = [_number(check, v, f"{key}.rscales[{i}]") for i, v in enumerate(values)]
        if len(numbers) != len(columns):
            check.fail(f"{key}.rscales", f"needs one value per column ({len(columns)})")
        rscales = tuple(float(v or 0.0) for v in numbers)
    mse = spec.get("mse", False)
    if not isinstance(mse, bool):
        check.fail(f"{key}.mse", f"must be true or false, got {mse!r}")
        mse = False
    return ReplicateColumns(
        columns=columns,
        method=method or "other",
        scale=_number(check, spec.get("scale"), f"{key}.scale"),
        rscales=rscales,
        rho=_number(check, spec.get("rho"), f"{key}.rho"),
        mse=mse,
    )


def _replicate_columns(check: _Checker, spec: dict[str, Any], key: str) -> tuple[str, ...]:
    """`columns: [...]`, or `prefix:` with `count:` (prefix1 ... prefixN)."""
    if spec.get("columns") is not None:
        items = check.sequence(spec["columns"], f"{key}.columns")
        columns = tuple(check.text(c, f"{key}.columns[{i}]") for i, c in enumerate(items))
    else:
        prefix = check.text(spec.get("prefix"), f"{key}.prefix")
        count = spec.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 2:
            check.fail(f"{key}.count", f"must be a whole number >= 2, got {count!r}")
            return ()
        columns = tuple(f"{prefix}{i}" for i in range(1, count + 1))
    if len(columns) < 2:
        check.fail(f"{key}.columns", "name at least two replicate weight columns")
    return columns
