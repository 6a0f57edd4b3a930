"""The `sample:` section: the kind of sample, its quota variables and population margins.

```yaml
sample:
  kind: quota                      # probability | quota | convenience | census
  quota: [commune, respondent_group]
  margins:                         # optional: population counts per quota variable
    source: {vi: Niên giám thống kê 2024, en: Statistical yearbook 2024}
    respondent_group: {Cán bộ: 420, Đảng viên: 2600, Nhân dân: 31000}
  period: 03/2025                  # optional, any kind
  channel: {vi: Phiếu giấy, en: Paper forms}   # optional: how answers came
  population: {vi: ..., en: ...}   # optional: what a census counted in full
```

Without a `sample:` block the builder leaves `Instrument.sample` empty and
`Instrument.study` assumes the kind (a `design:` block: probability; none: convenience).
A `design:` block describes how a probability sample was drawn, so any other kind refuses
one: a quota poll declares margins instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.model import SAMPLE_KINDS, Label, Sample, SampleMargins

__all__: list[str] = []

_KEYS = ("kind", "quota", "margins", "period", "channel", "population")
# Margins whose totals differ by more than this (relative) cannot all be matched by raking.
_TOTALS_AGREE = 1e-6


def _sample(
    check: _Checker, value: Any, respondent: Mapping[str, str], design: Mapping[str, str]
) -> Sample | None:
    if value is None:
        return None
    spec = check.mapping(value, "sample")
    if not spec:
        return None
    check.unknown_keys(spec, _KEYS, "sample")
    kind = check.text(spec.get("kind"), "sample.kind")
    if kind and kind not in SAMPLE_KINDS:
        check.fail("sample.kind", f"unknown kind {kind!r}; use one of {SAMPLE_KINDS}")
    if kind and kind != "probability" and design:
        check.fail(
            "design",
            f"a design block describes a probability sample, not a {kind} one"
            + ("; declare population margins under sample.margins instead" * (kind == "quota")),
        )
    quota = _quota(check, spec.get("quota"), respondent, kind)
    margins = _margins(check, spec.get("margins"), quota)
    if margins is not None and kind != "quota":
        check.fail("sample.margins", "margins belong to a quota sample (kind: quota)")
    period = check.text(spec.get("period"), "sample.period", required=False)
    return Sample(
        kind=kind,
        declared=True,
        quota=quota,
        margins=margins,
        channel=_optional_label(check, spec.get("channel"), "sample.channel"),
        period=period,
        population=_optional_label(check, spec.get("population"), "sample.population"),
    )


def _optional_label(check: _Checker, value: Any, key: str) -> Label | None:
    if value is None:
        return None
    return check.label(value, key)


def _quota(
    check: _Checker, value: Any, respondent: Mapping[str, str], kind: str
) -> tuple[str, ...]:
    roles = check.sequence(value, "sample.quota", required=kind == "quota")
    if roles and kind != "quota":
        check.fail("sample.quota", "quota variables belong to a quota sample (kind: quota)")
    out: list[str] = []
    for i, role in enumerate(roles):
        name = check.text(role, f"sample.quota[{i}]")
        if name and name not in respondent:
            declared = ", ".join(sorted(respondent)) or "none"
            check.fail(
                f"sample.quota[{i}]",
                f"{name!r} is not a respondent role of this instrument (declared: {declared})",
            )
        elif name in out:
            check.fail(f"sample.quota[{i}]", f"{name!r} is named twice")
        elif name:
            out.append(name)
    return tuple(out)


def _margins(check: _Checker, value: Any, quota: tuple[str, ...]) -> SampleMargins | None:
    if value is None:
        return None
    spec = check.mapping(value, "sample.margins")
    if not spec:
        return None
    source = check.label(spec.get("source"), "sample.margins.source")
    counts: dict[str, dict[str, float]] = {}
    for variable, table in spec.items():
        if variable == "source":
            continue
        key = f"sample.margins.{variable}"
        if variable not in quota:
            check.fail(key, f"{variable!r} is not a quota variable (sample.quota)")
            continue
        cells = check.mapping(table, key)
        parsed: dict[str, float] = {}
        for category, count in cells.items():
            if isinstance(count, bool) or not isinstance(count, (int, float)) or not count > 0:
                check.fail(f"{key}.{category}", f"must be a population count > 0, got {count!r}")
                continue
            parsed[check.text(category, f"{key}.{category}")] = float(count)
        if parsed:
            counts[variable] = parsed
    if not counts:
        check.fail("sample.margins", "names no quota variable's population counts")
        return None
    totals = {variable: sum(cells.values()) for variable, cells in counts.items()}
    largest = max(totals.values())
    if largest - min(totals.values()) > _TOTALS_AGREE * largest:
        shown = ", ".join(f"{k} {v:g}" for k, v in totals.items())
        check.fail(
            "sample.margins",
            f"the margins add up to different population totals ({shown}); each must count "
            "the same population",
        )
    return SampleMargins(source=source, counts=counts)
