"""Benchmark `read_responses`: a 1,000,000 x 40 CSV and a 10,000 x 45 XLSX.

Targets (from the foundation issue): each reads in a few seconds. Prints the figures.
Run: .venv/bin/python bench/bench_read.py [--rows-csv N] [--rows-xlsx N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction.io.read import read_responses

VIETNAMESE = ["Hài lòng", "Rất hài lòng", "Bình thường", "Không hài lòng", "Đất đai", "Hộ tịch"]


def _survey_frame(rows: int, columns: int, seed: int = 7) -> pd.DataFrame:
    """Codes 1-5 in most columns, a leading-zero id, two Vietnamese text columns."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {"ma_phieu": [f"{i:07d}" for i in range(1, rows + 1)]}
    for j in range(columns - 3):
        data[f"c{j}"] = rng.integers(1, 6, size=rows)
    data["linh_vuc"] = rng.choice(VIETNAMESE, size=rows)
    data["y_kien"] = rng.choice([*VIETNAMESE, ""], size=rows)
    return pd.DataFrame(data)


def bench_csv(rows: int, folder: Path) -> None:
    frame = _survey_frame(rows, 40)
    path = folder / "big.csv"
    frame.to_csv(path, index=False)
    size_mb = path.stat().st_size / 1e6
    wall, cpu = min(_timed(lambda: read_responses(path)) for _ in range(2))
    raw = read_responses(path)
    assert raw.frame.shape == (rows, 41), raw.frame.shape
    assert raw.frame["ma_phieu"].iloc[0] == "0000001"
    print(f"csv  {rows:>9,} x 40  {size_mb:7.1f} MB  read in {wall:6.2f} s (cpu {cpu:6.2f} s)")


def bench_xlsx(rows: int, folder: Path) -> None:
    frame = _survey_frame(rows, 45)
    path = folder / "big.xlsx"
    frame.to_excel(path, index=False, engine="openpyxl")
    wall, cpu = min(_timed(lambda: read_responses(path)) for _ in range(2))
    raw = read_responses(path)
    assert raw.frame.shape == (rows, 46), raw.frame.shape
    size_mb = path.stat().st_size / 1e6
    print(f"xlsx {rows:>9,} x 45  {size_mb:7.1f} MB  read in {wall:6.2f} s (cpu {cpu:6.2f} s)")


def _timed(action) -> tuple[float, float]:
    """(wall, process CPU) seconds; CPU counts every thread of this process."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - start_cpu


def calibration() -> float:
    """Seconds for 10 million additions in pure Python: about 0.4 s on a 2024 laptop.

    Printed so figures from a loaded or slow machine can be read in proportion.
    """
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows-csv", type=int, default=1_000_000)
    parser.add_argument("--rows-xlsx", type=int, default=10_000)
    args = parser.parse_args()
    print(f"calibration: 10M Python additions in {calibration():.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        bench_csv(args.rows_csv, Path(tmp))
        bench_xlsx(args.rows_xlsx, Path(tmp))


if __name__ == "__main__":
    main()
