"""Benchmark: one-stop metrics of 10,000,000 dossiers by unit x field x month (issue 15).

A clean-dossier Parquet file (the shape `satisfaction onestop` writes: unit, field, dates,
status, channel, rating class, complaint) is generated from a seed in a temporary folder:
600 units, 8 fields, one year. `satisfaction.studies.onestop.dossier_metrics` (DuckDB over
the Parquet file) is timed against a pandas groupby computing the same counts from the
same file (read included in both). Each engine runs in its own process so its peak memory
(max RSS) is its own. Target: DuckDB <= 5 s on 2 cores. Prints its figures; not a test.

    .venv/bin/python bench/bench_onestop.py                  # 10M rows, both engines
    .venv/bin/python bench/bench_onestop.py --rows 100000000 --no-pandas   # on demand

The 100M file (about 1.5 GB) is written in row groups of 5M rows and never held in memory;
DuckDB streams it (memory_limit defaults to 80% of RAM and spills beyond that).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

N_UNITS = 600
FIELDS = ["Đất đai", "Hộ tịch", "Chứng thực", "Bảo hiểm y tế", "Xây dựng", "Cư trú",
          "Lao động", "Kinh doanh"]  # fmt: skip
CHUNK = 5_000_000


def _chunk(rng: np.random.Generator, n: int) -> pa.Table:
    start = np.datetime64("2024-01-01")
    received = start + rng.integers(0, 366, n).astype("timedelta64[D]")
    due = received + rng.integers(1, 15, n).astype("timedelta64[D]")
    returned = received + rng.integers(0, 18, n).astype("timedelta64[D]")
    status = rng.choice(3, n, p=[0.9, 0.09, 0.01])
    rating = np.where(rng.random(n) < 0.3, rng.choice(3, n, p=[0.85, 0.05, 0.10]), -1)

    def dictionary(codes: np.ndarray, values: list[str]) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(np.maximum(codes, 0).astype(np.int32), mask=codes < 0), values
        )

    units = [f"UBND xã {i:03d}" for i in range(N_UNITS)]
    channels = ["direct", "online", "postal"]
    return pa.table(
        {
            "unit": dictionary(rng.integers(0, N_UNITS, n), units),
            "field": dictionary(rng.integers(0, len(FIELDS), n), FIELDS),
            "channel": dictionary(rng.choice(3, n, p=[0.35, 0.62, 0.03]), channels),
            "online_level": dictionary(rng.choice([-1, 0, 1], n), ["partial", "full"]),
            "received": pa.array(received.astype("datetime64[D]")),
            "due": pa.array(due.astype("datetime64[D]")),
            "returned": pa.array(returned.astype("datetime64[D]"), mask=status == 1),
            "status": dictionary(status, ["settled", "pending", "withdrawn"]),
            "rating_class": dictionary(rating, ["satisfied", "neutral", "unsatisfied"]),
            "complaint": pa.array(rng.random(n) < 0.002),
        }
    )  # fmt: skip


def make_file(path: Path, rows: int, seed: int = 15) -> None:
    rng = np.random.default_rng(seed)
    writer = None
    for offset in range(0, rows, CHUNK):
        table = _chunk(rng, min(CHUNK, rows - offset))
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1_000_000)
    assert writer is not None
    writer.close()


def pandas_metrics(path: Path) -> pd.DataFrame:
    """The same counts with a pandas groupby (received by month of receipt; settled, on
    time, late, rated, satisfied and QĐ 766 deductions by month of return)."""
    d = pd.read_parquet(path)
    d["received_month"] = pd.to_datetime(d["received"]).dt.to_period("M")
    returned = pd.to_datetime(d["returned"])
    d["returned_month"] = returned.dt.to_period("M")
    settled = d["status"] == "settled"
    timely = pd.to_datetime(d["returned"]) <= pd.to_datetime(d["due"])
    late = settled & ~timely & d["due"].notna()
    d = d.assign(
        online=(d["channel"] == "online"),
        on_time=settled & timely,
        late=late,
        rated=settled & d["rating_class"].notna(),
        satisfied=settled & (d["rating_class"] == "satisfied"),
        deducted=settled & ((d["rating_class"] == "unsatisfied") | d["complaint"] | late),
        settled=settled,
    )
    keys = ["unit", "field"]
    received = d.groupby([*keys, "received_month"], observed=True).agg(
        received=("online", "size"), online=("online", "sum")
    )
    done = (
        d[settled]
        .groupby([*keys, "returned_month"], observed=True)[
            ["settled", "on_time", "late", "rated", "satisfied", "deducted"]
        ]
        .sum()
    )
    received.index.names = done.index.names = [*keys, "period"]
    out = received.join(done, how="outer").fillna(0)
    out["qd766_rate"] = (out["settled"] - out["deducted"]) / out["settled"]
    return out


def duckdb_metrics(path: Path) -> pd.DataFrame:
    from satisfaction.studies.onestop import dossier_metrics

    return dossier_metrics(path, by="month")


def _child(engine: str, path: str, queue: mp.Queue) -> None:
    func = duckdb_metrics if engine == "duckdb" else pandas_metrics
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = func(Path(path))
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU seconds of all threads: on a shared, loaded machine wall time says little; CPU
    # time / 2 is what the run would take on two idle cores
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    peak = usage.ru_maxrss / 1024  # MiB on Linux
    received = int(result["received"].sum())
    queue.put((seconds, peak, len(result), received, cpu))


def run(engine: str, path: Path) -> tuple[float, float, int, int, float]:
    queue: mp.Queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=_child, args=(engine, str(path), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--no-pandas", action="store_true", help="DuckDB only (100M rows)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dossiers.parquet"
        start = time.perf_counter()
        make_file(path, args.rows)
        print(
            f"generated {args.rows:,} dossiers in {time.perf_counter() - start:.1f} s "
            f"({path.stat().st_size / 2**20:.0f} MiB Parquet)"
        )
        fast, fast_peak, cells, received, fast_cpu = run("duckdb", path)
        print(
            f"DuckDB : {fast:6.2f} s wall, {fast_cpu:6.2f} s CPU, peak RSS {fast_peak:7.0f} MiB, "
            f"{cells:,} unit x field x month rows, {received:,} received "
            "(target <= 5 s on 2 cores)"
        )
        if not args.no_pandas:
            slow, slow_peak, pcells, preceived, slow_cpu = run("pandas", path)
            print(
                f"pandas : {slow:6.2f} s wall, {slow_cpu:6.2f} s CPU, peak RSS {slow_peak:7.0f} "
                f"MiB, {pcells:,} rows, {preceived:,} received"
            )
            print(f"ratio  : pandas / DuckDB = {slow / fast:.1f}x wall time, "
                  f"{slow_peak / fast_peak:.1f}x memory")  # fmt: skip
        print(f"load average during the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
