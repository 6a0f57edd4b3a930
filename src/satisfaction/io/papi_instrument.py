"""A PAPI-style instrument as data: indicators, sub-dimensions, dimensions and the total.

PAPI's aggregation (CECODES/UNDP; see the project's domain notes): every indicator is
rescaled to a common scale (1-10 by default) with its direction (a "negative" indicator,
such as paying a bribe, is reversed); a sub-dimension is the mean of its rescaled
indicators times its equal share of the dimension (1/k of k sub-dimensions), so the
sub-dimensions of a dimension add up to it (1-10); the total is the plain sum of the
dimensions (6-60 with six dimensions, 8-80 with eight). Each indicator mean is taken over
the respondents who answered it (its own denominator).

Rescaling of an indicator (``rescale:``):

- ``range`` (default; PAPI's): its province mean m on its declared range [low, high] maps
  linearly to the scale [a, b]: a + (b - a)(m - low)/(high - low). Every composite is then
  linear in the indicator means, and its SE comes by linearisation.
- ``provinces``: min-max over the provinces' means, a + (b - a)(m - min)/(max - min), the
  min and max taken over the provinces estimated together -- the best province scores b,
  the worst a (relative scoring, as the PCI normalises to the best and worst provinces; for
  indicators without a natural range, such as a count of visits or an amount paid). The
  score depends on the estimated min and max, so it is not linear: its SEs come from
  replicate weights, the whole composite recomputed on every replicate. It also depends on
  which provinces are estimated together, so it is not comparable across waves or
  geographies; reports say so.

A negative indicator is reversed in either case. Replicate weights are the design's own
(``design.replicates``: columns delivered with the data, as in a SIPAS instrument) or built
from its strata and PSUs (``replicate_method``: auto -- R's as.svrepdesign default, JKn for
a stratified design, JK1 otherwise -- or JK1, JKn, BRR, Fay, bootstrap,
successive-difference). Without a ``provinces`` indicator, supplied replicate columns or a
declared ``replicate_method``, SEs are linearised.

``papi_instrument.yaml``::

    kind: papi
    id: papi-demo
    title: {vi: ..., en: ...}
    province: province            # the column naming each respondent's province
    scale: [1, 10]
    design: {weight: weight, strata: stratum, psu: psu}   # and the rules of a SIPAS design
    replicate_method: auto        # optional: replicate weights built from the design
    waves:                        # year -> data file (CSV, UTF-8) and its geography
      2024: {file: papi_2024.csv, geography: historical_63}
    dimensions:
      - id: participation
        label: {vi: ..., en: ...}
        sub_dimensions:
          - id: civic_knowledge
            label: {vi: ..., en: ...}
            indicators:
              - {id: d1_1, text: {vi: ..., en: ...}, direction: positive, range: [0, 1]}
              - {id: d1_9, text: ..., direction: negative, range: [0, 50], rescale: provinces}

Every problem is reported at once with its key path (``InstrumentError``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from satisfaction.errors import InputError, InstrumentError, ProblemCollector
from satisfaction.io.instrument.checks import _Checker
from satisfaction.io.instrument.design_block import _design
from satisfaction.io.instrument.load import _read_yaml
from satisfaction.io.instrument.model import DesignRules, Label

__all__ = [
    "Dimension",
    "Indicator",
    "PapiInstrument",
    "SubDimension",
    "Wave",
    "load_papi_instrument",
    "papi_instrument_from_dict",
    "read_papi_wave",
]

Direction = Literal["positive", "negative"]
Rescale = Literal["range", "provinces"]
GEOGRAPHIES = ("historical_63", "current_34")
RESCALINGS = ("range", "provinces")
REPLICATE_BUILDS = ("auto", "JK1", "JKn", "BRR", "Fay", "bootstrap", "successive-difference")


@dataclass(frozen=True)
class Indicator:
    """One indicator: its column, direction, the range its answers take and how its mean
    is rescaled (module docstring)."""

    id: str
    text: Label
    direction: Direction
    low: float
    high: float
    rescale: Rescale = "range"


@dataclass(frozen=True)
class SubDimension:
    id: str
    label: Label
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Dimension:
    id: str
    label: Label
    sub_dimensions: tuple[SubDimension, ...]


@dataclass(frozen=True)
class Wave:
    year: int
    file: str
    geography: str


@dataclass(frozen=True)
class PapiInstrument:
    """A validated PAPI-style instrument (module docstring)."""

    id: str
    title: Label
    province: str
    scale: tuple[float, float]
    design: tuple[tuple[str, str], ...]
    waves: tuple[Wave, ...]
    dimensions: tuple[Dimension, ...]
    source: Path | None = None
    design_rules: DesignRules = field(default_factory=DesignRules)
    replicate_method: str | None = None

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.dimensions for s in d.sub_dimensions for i in s.indicators)

    @property
    def nonlinear(self) -> bool:
        """True when a composite is not linear in the indicator means (a ``provinces``
        rescaling): its SEs need replicate weights."""
        return any(i.rescale != "range" for i in self.indicators)

    @property
    def total_range(self) -> tuple[float, float]:
        """The total's possible range (e.g. 8-80 with eight dimensions on 1-10)."""
        k = len(self.dimensions)
        return self.scale[0] * k, self.scale[1] * k

    def wave(self, year: int) -> Wave:
        for wave in self.waves:
            if wave.year == year:
                return wave
        raise KeyError(year)


def load_papi_instrument(path: str | Path) -> PapiInstrument:
    """Load and validate ``papi_instrument.yaml`` (a file, or a folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "papi_instrument.yaml"
    return papi_instrument_from_dict(_read_yaml(path), source=path)


def _label(value: Any, key: str, problems: ProblemCollector) -> Label:
    if isinstance(value, str) and value.strip():
        return Label(value.strip())
    if isinstance(value, dict) and isinstance(value.get("vi"), str) and value["vi"].strip():
        return Label(value["vi"].strip(), str(value.get("en") or "").strip())
    problems.add("needs a label: text, or {vi: ..., en: ...}", key=key)
    return Label("?")


def _identifier(value: Any, key: str, seen: set[str], problems: ProblemCollector) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        problems.add(f"id {value!r} must be letters, digits and _ (a column name)", key=key)
        return str(value)
    if value in seen:
        problems.add(f"id {value!r} is used twice", key=key)
    seen.add(value)
    return value


def _indicator(spec: Any, key: str, seen: set[str], problems: ProblemCollector) -> Indicator:
    if not isinstance(spec, dict):
        problems.add("must be a mapping with id, text, direction, range", key=key)
        return Indicator("?", Label("?"), "positive", 0.0, 1.0)
    ident = _identifier(spec.get("id"), f"{key}.id", seen, problems)
    direction = spec.get("direction", "positive")
    if direction not in ("positive", "negative"):
        problems.add(
            f"direction {direction!r} is not positive or negative", key=f"{key}.direction"
        )
        direction = "positive"
    bounds = spec.get("range")
    ok = (
        isinstance(bounds, list | tuple)
        and len(bounds) == 2
        and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        and bounds[0] < bounds[1]
    )
    if not ok:
        problems.add(f"range {bounds!r} must be [low, high] with low < high", key=f"{key}.range")
        bounds = (0.0, 1.0)
    text = _label(spec.get("text", ident), f"{key}.text", problems)
    rescale = spec.get("rescale", "range")
    if rescale not in RESCALINGS:
        problems.add(f"rescale {rescale!r} is not one of {RESCALINGS}", key=f"{key}.rescale")
        rescale = "range"
    return Indicator(ident, text, direction, float(bounds[0]), float(bounds[1]), rescale)


def _children(spec: Any, name: str, key: str, problems: ProblemCollector) -> list[Any]:
    items = spec.get(name) if isinstance(spec, dict) else None
    if not isinstance(items, list) or not items:
        problems.add(f"needs a non-empty list {name!r}", key=key)
        return []
    return items


def _dimensions(spec: dict, problems: ProblemCollector) -> tuple[Dimension, ...]:
    seen_dims: set[str] = set()
    seen_subs: set[str] = set()
    seen_indicators: set[str] = set()
    dimensions = []
    for d, dim in enumerate(_children(spec, "dimensions", "dimensions", problems)):
        dkey = f"dimensions[{d}]"
        subs = []
        for s, sub in enumerate(_children(dim, "sub_dimensions", dkey, problems)):
            skey = f"{dkey}.sub_dimensions[{s}]"
            indicators = tuple(
                _indicator(i, f"{skey}.indicators[{j}]", seen_indicators, problems)
                for j, i in enumerate(_children(sub, "indicators", skey, problems))
            )
            subs.append(
                SubDimension(
                    _identifier(sub.get("id"), f"{skey}.id", seen_subs, problems),
                    _label(sub.get("label"), f"{skey}.label", problems),
                    indicators,
                )
            )
        if isinstance(dim, dict):
            ident = _identifier(dim.get("id"), f"{dkey}.id", seen_dims, problems)
            dimensions.append(
                Dimension(ident, _label(dim.get("label"), f"{dkey}.label", problems), tuple(subs))
            )
    return tuple(dimensions)


def _waves(spec: dict, problems: ProblemCollector) -> tuple[Wave, ...]:
    waves = []
    for year, wave in (spec.get("waves") or {}).items():
        key = f"waves.{year}"
        if not isinstance(year, int) or not isinstance(wave, dict) or "file" not in wave:
            problems.add("each wave is YEAR: {file: ..., geography: ...}", key=key)
            continue
        geography = wave.get("geography", "current_34")
        if geography not in GEOGRAPHIES:
            problems.add(f"geography {geography!r} is not one of {GEOGRAPHIES}", key=key)
        name = str(wave["file"])
        if Path(name).name != name:
            problems.add(f"file {name!r} must be a file name in the survey folder", key=key)
        waves.append(Wave(year, name, str(geography)))
    return tuple(sorted(waves, key=lambda w: w.year))


def papi_instrument_from_dict(spec: Any, *, source: str | Path | None = None) -> PapiInstrument:
    """Validate a PAPI-style instrument given as a mapping (as read from YAML)."""
    problems = ProblemCollector()
    if not isinstance(spec, dict):
        raise InstrumentError("the instrument must be a mapping", file=source)
    if spec.get("kind") != "papi":
        problems.add("kind must be 'papi'", key="kind")
    scale = spec.get("scale", [1, 10])
    if not (isinstance(scale, list) and len(scale) == 2 and scale[0] < scale[1]):
        problems.add(f"scale {scale!r} must be [low, high]", key="scale")
        scale = [1, 10]
    check = _Checker(source)
    design, rules = _design(check, spec.get("design"))
    problems.problems.extend(check.problems)
    replicate_method = spec.get("replicate_method")
    if replicate_method is not None and replicate_method not in REPLICATE_BUILDS:
        problems.add(
            f"replicate_method {replicate_method!r} is not one of {REPLICATE_BUILDS}",
            key="replicate_method",
        )
        replicate_method = None
    if replicate_method is not None and rules.replicates is not None:
        problems.add(
            "give design.replicates (columns delivered with the data) or replicate_method "
            "(built from the design), not both",
            key="replicate_method",
        )
    province = spec.get("province")
    if not isinstance(province, str) or not province:
        problems.add("name the column holding the province", key="province")
    instrument = PapiInstrument(
        id=str(spec.get("id", "papi")),
        title=_label(spec.get("title", spec.get("id", "PAPI")), "title", problems),
        province=str(province),
        scale=(float(scale[0]), float(scale[1])),
        design=tuple((str(k), str(v)) for k, v in design.items()),
        waves=_waves(spec, problems),
        dimensions=_dimensions(spec, problems),
        source=Path(source) if source is not None else None,
        design_rules=rules,
        replicate_method=replicate_method,
    )
    if problems.problems:
        located = [replace(p, file=source) for p in problems.problems]
        raise InstrumentError(problems=located)
    return instrument


def read_papi_wave(instrument: PapiInstrument, year: int) -> pd.DataFrame:
    """One wave's responses as delivered (CSV in UTF-8, or the first sheet of an xlsx).

    Nothing is changed here; `studies.papi_composites.papi_frame` checks every indicator
    against its declared range. The frame's index is the row number in the file (header =
    row 1), so an error names the row a user would scroll to.
    """
    if instrument.source is None:
        raise InstrumentError("the instrument was not loaded from a survey folder")
    try:
        wave = instrument.wave(year)
    except KeyError:
        years = [w.year for w in instrument.waves]
        raise InstrumentError(f"no wave {year}; waves: {years}", key="waves") from None
    path = instrument.source.parent / wave.file
    if not path.is_file():
        raise InputError("wave file not found", file=path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, engine="calamine", keep_default_na=False, na_values=[""])
        else:
            frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except Exception as err:  # pandas raises many types on broken files
        raise InputError(f"cannot be read ({err})", file=path) from None
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame
