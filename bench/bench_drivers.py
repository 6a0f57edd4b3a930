"""Benchmark: drivers (ordinal logit with PSU sandwich), alpha and comment phrases (seconds).

A province-sized survey: the demo wave stacked 10 times (~90,000 forms, 22 criteria, 780
PSUs). Interactive use wants each call well under 10 s. Run: ``python bench/bench_drivers.py``
(small dense matrix products suffer badly from BLAS thread oversubscription on busy
machines; compare with ``OPENBLAS_NUM_THREADS=1``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from satisfaction.analysis.comments import top_phrases
from satisfaction.demo.sipas import generate_demo
from satisfaction.io.instrument import load_instrument
from satisfaction.stats.drivers import drivers
from satisfaction.stats.reliability import element_reliability

ROOT = Path(__file__).resolve().parents[1]
COPIES = 10


def _timed(label: str, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<55} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    instrument = load_instrument(ROOT / "surveys" / "demo" / "instrument.yaml")
    truth = generate_demo().truth
    truth = truth[~truth["quarantined"]]
    frames = []
    for copy in range(COPIES):
        frame = truth.copy()
        frame["ma_xa"] = frame["ma_xa"] + f"-{copy}"
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    for item in instrument.items:
        if item.type == "likert":
            df[item.id] = pd.to_numeric(df[item.id]).astype("Int64")
    print(f"{len(df):,} forms, {df['ma_xa'].nunique()} PSUs")
    _timed("drivers, 22 criteria, ordinal", lambda: drivers(df, instrument))
    _timed("drivers, 5 elements, ordinal", lambda: drivers(df, instrument, predictors="elements"))
    _timed(
        "drivers, 22 criteria, correlation", lambda: drivers(df, instrument, method="correlation")
    )
    _timed(
        "element_reliability, weighted", lambda: element_reliability(df, instrument, "trong_so")
    )
    _timed("top_phrases by field", lambda: top_phrases(df, "y_kien", by="linh_vuc"))


if __name__ == "__main__":
    main()
