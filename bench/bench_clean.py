"""Benchmark cleaning: a generated 1,000,000-row x 40-column survey file, read and cleaned.

Target (foundation issue): under 60 s and under 4 GB peak memory on 2 cores.
The file is the demo survey (with all its planted dirt) scaled up: the demo rows are
repeated with new form ids, and in each copy the answers are shuffled within every column,
so copies are not duplicates of each other but keep realistic codes, labels, missing codes,
legacy-encoded text and personal data. The clean step runs in a child process so its peak
memory (max RSS) is measured alone.

Run: .venv/bin/python bench/bench_clean.py [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DROP = ["dia_chi", "ngay", "dtv", "nhom", "dan_toc", "khu_vuc", "ky_vong"]  # 47 -> 40 columns


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
t0 = time.perf_counter()
instrument = load_instrument(sys.argv[1])
raw = read_responses(sys.argv[2], expected_columns=instrument.expected_columns())
t1 = time.perf_counter()
result = clean(raw, instrument)
t2 = time.perf_counter()
print(json.dumps({"read_s": t1 - t0, "clean_s": t2 - t1, "rows": len(raw.frame),
                  "columns": len(raw.columns), "log_rows": len(result.log),
                  "quarantined": len(result.quarantine),
                  "near_duplicate_rows": int(result.data["flag_near_duplicate"].sum()),
                  "rules": result.log["rule"].value_counts().to_dict()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-clean-"))
    t = time.perf_counter()
    path, instrument = make_file(args.rows, folder)
    made = time.perf_counter() - t
    print(
        f"generated {args.rows:,} rows in {made:.1f} s: {path} "
        f"({path.stat().st_size / 1e6:.0f} MB)"
    )
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(instrument), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if child.returncode != 0:
        print(child.stderr)
        raise SystemExit(child.returncode)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    print(f"rows x columns:   {figures['rows']:,} x {figures['columns']}")
    print(f"read:             {figures['read_s']:.1f} s")
    print(f"clean:            {figures['clean_s']:.1f} s")
    print(f"total (process):  {wall:.1f} s   (target < 60 s)")
    print(f"peak memory:      {peak_gb:.2f} GB (target < 4 GB)")
    print(
        f"log rows:         {figures['log_rows']:,}; quarantined: {figures['quarantined']:,}; "
        f"near-duplicate rows flagged: {figures['near_duplicate_rows']:,}"
    )
    top = sorted(figures["rules"].items(), key=lambda kv: -kv[1])[:8]
    print("top rules:        " + ", ".join(f"{k} {v:,}" for k, v in top))
    if not args.keep:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
