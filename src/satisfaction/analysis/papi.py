"""Every estimate a PAPI-style report needs, computed once per survey and written to disk.

For each wave: the composites of every province with their SEs, rank intervals and group
probabilities of the total, and the above/below test against all provinces -- under the
geography the wave was collected in and, for a wave collected before 1 July 2025, also
re-estimated under the 34 current provinces (from its microdata and weights). The method
breaks between waves (a wave collected under a different geography, hence a different
sample design) are recorded so trend charts draw them, and so is how each wave's SEs were
made (``meta["variance"]``: linearisation, or replicate weights with their method and
count -- delivered with the data, or built from the design when a composite is nonlinear
or the instrument asks for them; `studies.papi_replicates`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from satisfaction.cleaning.survey import input_hash
from satisfaction.errors import InstrumentError
from satisfaction.io.papi_instrument import load_papi_instrument, read_papi_wave
from satisfaction.studies.indices import design_of
from satisfaction.studies.papi_composites import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    compare_to_all,
    composite_scores,
    papi_frame,
    rank_uncertainty,
)
from satisfaction.studies.papi_replicates import variance_design, variance_method

__all__ = [
    "BREAK_LABELS",
    "PapiEstimates",
    "compute_papi_estimates",
    "ensure_papi_estimates",
    "load_papi_estimates",
    "papi_input_files",
    "write_papi_estimates",
]

BREAK_LABELS = {
    "vi": "Từ 01/7/2025: 34 tỉnh, mẫu chọn theo tỉnh mới",
    "en": "From 1 July 2025: 34 provinces, sample drawn by the new provinces",
}
_FILES = ("scores", "ranks", "compare")


@dataclass(frozen=True)
class PapiEstimates:
    """Composites, ranks and comparisons of every wave; ``meta`` says how they were made."""

    scores: pd.DataFrame
    ranks: pd.DataFrame
    compare: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.scores["year"].unique())

    def provinces(self, geography: str = "current_34") -> list[str]:
        rows = self.scores[self.scores["geography"] == geography]
        return sorted(rows["province"].unique())

    def breaks(self, language: str = "vi") -> dict[int, str]:
        """First wave after each method break -> its label."""
        return {int(y): BREAK_LABELS[language] for y in self.meta.get("breaks", [])}


def compute_papi_estimates(
    survey_dir: str | Path, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
) -> PapiEstimates:
    """Read every wave of a PAPI-style survey folder and compute what its reports show."""
    instrument = load_papi_instrument(survey_dir)
    design = design_of(instrument)  # type: ignore[arg-type]  # reads its `.design` roles
    if design is None:
        raise InstrumentError(
            "a PAPI-style survey needs its design (weight, strata, psu)",
            file=instrument.source,
            key="design",
        )
    scores, ranks, compare = [], [], []
    variances: dict[int, dict] = {}
    for wave in instrument.waves:
        raw = read_papi_wave(instrument, wave.year)
        targets = [wave.geography]
        if wave.geography == "historical_63":
            targets.append("current_34")
        for geography in targets:
            frame = papi_frame(
                raw, instrument, design, collected=wave.geography, geography=geography
            )
            variance = variance_design(frame, design, instrument)  # replicates built once
            variances.setdefault(wave.year, variance_method(frame, variance))
            tag = {"year": wave.year, "geography": geography}
            scores.append(composite_scores(frame, variance, instrument).assign(**tag))
            ranked = rank_uncertainty(frame, variance, instrument, draws=draws, seed=seed)
            ranks.append(ranked.assign(**tag))
            compare.append(compare_to_all(frame, variance, instrument).assign(**tag))
    geographies = [w.geography for w in instrument.waves]
    breaks = [
        w.year for i, w in enumerate(instrument.waves) if i and geographies[i - 1] != w.geography
    ]
    meta = {
        "survey": instrument.id,
        "title": instrument.title.vi,
        "title_en": instrument.title.en,
        "waves": {w.year: w.geography for w in instrument.waves},
        "breaks": breaks,
        "scale": list(instrument.scale),
        "total_range": list(instrument.total_range),
        "draws": draws,
        "seed": seed,
        "design": dict(instrument.design),
        "variance": variances,
        "relative_indicators": [i.id for i in instrument.indicators if i.rescale != "range"],
    }
    return PapiEstimates(
        pd.concat(scores, ignore_index=True),
        pd.concat(ranks, ignore_index=True),
        pd.concat(compare, ignore_index=True),
        meta,
    )


def write_papi_estimates(estimates: PapiEstimates, folder: str | Path) -> Path:
    """Write the three tables (Parquet) and ``meta.json`` into ``folder``."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        getattr(estimates, name).to_parquet(target / f"{name}.parquet", index=False)
    text = json.dumps(estimates.meta, ensure_ascii=False, indent=1, default=str)
    (target / "meta.json").write_text(text, encoding="utf-8")
    return target


def load_papi_estimates(folder: str | Path) -> PapiEstimates:
    """Read what `write_papi_estimates` wrote."""
    source = Path(folder)
    tables = [pd.read_parquet(source / f"{name}.parquet") for name in _FILES]
    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    return PapiEstimates(*tables, meta=meta)


def papi_input_files(survey_dir: str | Path) -> list[Path]:
    """The files a PAPI-style survey's estimates depend on: its instrument and wave files."""
    instrument = load_papi_instrument(survey_dir)
    assert instrument.source is not None
    return [instrument.source, *(instrument.source.parent / w.file for w in instrument.waves)]


def ensure_papi_estimates(
    survey_dir: str | Path, folder: str | Path, *, force: bool = False
) -> tuple[PapiEstimates, bool]:
    """The survey's estimates from ``folder``, recomputed when an input or the package
    changed (a hash of the inputs is kept beside them). Returns (estimates, recomputed?)."""
    from satisfaction import __version__

    target = Path(folder)
    digest = input_hash(*papi_input_files(survey_dir)) + f"/{__version__}"
    stamp = target / "inputs.sha256"
    if not force and stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
        return load_papi_estimates(target), False
    estimates = compute_papi_estimates(survey_dir)
    write_papi_estimates(estimates, target)
    stamp.write_text(digest, encoding="utf-8")
    return estimates, True
