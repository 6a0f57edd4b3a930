"""Benchmark cleaning: generated 1,000,000-row survey files, read and cleaned.

Target (foundation issue): under 60 s and under 4 GB peak memory on 2 cores, for each case:

- shuffled: the demo survey (with all its planted dirt) scaled up to 40 columns: the demo
  rows are repeated with new form ids, and in each copy the answers are shuffled within
  every column, so copies are not duplicates of each other but keep realistic codes, labels,
  missing codes, legacy-encoded text and personal data;
- copies (issue 16): a national survey (`satisfaction.demo.national`: 34 provinces, ~8,000
  communes, correlated answers, light dirt) where 20% of the forms are copies or near-copies
  of another form of their commune -- the data that made the near-duplicate pass grow much
  faster than the rows. Every copy must be flagged, in near-linear time.

The clean step runs in a child process so its peak memory (max RSS) is measured alone; CPU
seconds are printed beside wall seconds, with the load average (the machine is shared).

Run: .venv/bin/python bench/bench_clean.py [--rows 1000000] [--case both] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DROP = ["dia_chi", "ngay", "dtv", "nhom", "dan_toc", "khu_vuc", "ky_vong"]  # 47 -> 40 columns


def make_copies_file(rows: int, folder: Path, share: float) -> tuple[Path, Path, int]:
    """A national survey in which `share` of the forms are copies; (file, instrument, copies)."""
    from satisfaction.demo.national import write_national_survey

    (folder / "surveys").mkdir(exist_ok=True)
    sipas = folder / "surveys" / "sipas"
    if not sipas.exists():
        shutil.copytree(ROOT / "surveys" / "sipas", sipas)
    survey = folder / "surveys" / "national"
    written = write_national_survey(
        survey, provinces=34, respondents=rows, copies=share, file_format="csv"
    )
    planted = len(set(written.copies["copy"]) | set(written.copies["source"]))
    return survey / "responses.csv", survey / "instrument.yaml", planted


def make_file(rows: int, folder: Path) -> tuple[Path, Path]:
    from satisfaction.demo.sipas import generate_demo

    demo = generate_demo().raw.drop(columns=DROP)
    rng = np.random.default_rng(11)
    copies = -(-rows // len(demo))
    parts = []
    for k in range(copies):
        part = demo.copy()
        if k:
            for column in part.columns:
                if column not in ("tinh", "xa", "ma_xa", "tang", "trong_so"):
                    part[column] = rng.permutation(part[column].to_numpy())
            part["ma_phieu"] = part["ma_phieu"].astype(str) + f"-{k}"
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True).head(rows)
    path = folder / "responses.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    instrument = folder / "instrument.yaml"
    instrument.write_text(
        f"extends: {ROOT / 'surveys' / 'sipas' / 'instrument.yaml'}\n"
        "id: bench\n"
        "data: {file: responses.csv}\n"
        "design: {weight: trong_so, strata: tang, psu: ma_xa}\n"
        # the columns dropped above are not in this file
        "respondent: {province: tinh, commune: xa, sex: gioi_tinh, age: tuoi}\n"
        "items:\n"
        + "".join(
            f"  - {{id: {c}, type: likert, scale: sat5, role: criterion, group: E{c[1]}}}\n"
            for c in frame.columns
            if c[0] == "c" and c[1].isdigit()
        )
        + "".join(
            f"  - {{id: e{k}, type: likert, scale: sat5, role: element_satisfaction, "
            f"group: E{k}}}\n"
            for k in range(1, 6)
        )
        + "  - {id: hl_chung, type: likert, scale: sat5, role: overall}\n"
        "  - {id: y_kien, type: text, role: comment}\n"
        "  - {id: gioi_tinh, type: single, scale: sex, role: respondent}\n"
        "  - {id: tuoi, type: numeric, min: 18, max: 100, role: respondent}\n"
        "  - {id: ma_xa, type: text, width: 5, role: respondent}\n"
        "personal_data: [{column: ho_ten, action: drop}, {column: so_dien_thoai, action: hash},"
        " {column: y_kien, action: scrub}]\n",
        encoding="utf-8",
    )
    return path, instrument


CHILD = """
import json, sys, time
from satisfaction.io.instrument import load_instrument
from satisfaction.io.read import read_responses
from satisfaction.cleaning.rules import clean
t0, c0 = time.perf_counter(), time.process_time()
instrument = load_instrument(sys.argv[1])
raw = read_responses(sys.argv[2], expected_columns=instrument.expected_columns())
t1, c1 = time.perf_counter(), time.process_time()
result = clean(raw, instrument)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"read_s": t1 - t0, "clean_s": t2 - t1, "read_cpu": c1 - c0,
                  "clean_cpu": c2 - c1, "rows": len(raw.frame),
                  "columns": len(raw.columns), "log_rows": len(result.log),
                  "quarantined": len(result.quarantine),
                  "near_duplicate_rows": int(result.data["flag_near_duplicate"].sum()),
                  "rules": result.log["rule"].value_counts().to_dict()}))
"""


def run_case(case: str, rows: int, folder: Path, share: float) -> None:
    t = time.perf_counter()
    planted = None
    if case == "copies":
        path, instrument, planted = make_copies_file(rows, folder, share)
    else:
        path, instrument = make_file(rows, folder)
    made = time.perf_counter() - t
    print(
        f"== {case}: generated {rows:,} rows in {made:.1f} s: {path.name} "
        f"({path.stat().st_size / 1e6:.0f} MB)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(instrument), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        print(child.stderr)
        raise SystemExit(child.returncode)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    peak_gb = usage.ru_maxrss / 1024**2  # the largest child so far
    print(f"rows x columns:   {figures['rows']:,} x {figures['columns']}")
    print(f"read:             {figures['read_s']:.1f} s (CPU {figures['read_cpu']:.1f} s)")
    print(f"clean:            {figures['clean_s']:.1f} s (CPU {figures['clean_cpu']:.1f} s)")
    print(f"total (process):  {wall:.1f} s, CPU {cpu:.1f} s   (target < 60 s)")
    print(f"peak memory:      {peak_gb:.2f} GB (target < 4 GB)")
    print(
        f"log rows:         {figures['log_rows']:,}; quarantined: {figures['quarantined']:,}; "
        f"near-duplicate rows flagged: {figures['near_duplicate_rows']:,}"
        + (f" (forms in planted copy pairs: {planted:,})" if planted is not None else "")
    )
    top = sorted(figures["rules"].items(), key=lambda kv: -kv[1])[:8]
    print("top rules:        " + ", ".join(f"{k} {v:,}" for k, v in top))
    print(f"load average:     {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--case", choices=["shuffled", "copies", "both"], default="both")
    parser.add_argument("--copies", type=float, default=0.2, help="share of copied forms")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-clean-"))
    try:
        for case in ("shuffled", "copies") if args.case == "both" else (args.case,):
            run_case(case, args.rows, folder, args.copies)
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
