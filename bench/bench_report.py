"""Time the report writers at realistic sizes; prints seconds.

- write_workbook: 63 provinces x 22 criteria x 16 fields of estimates (22,176 rows, 11
  columns) as one sheet, plus a 63-row summary sheet;
- DocxReport: a 63-row estimates table and one figure; the remediation plan (20 rows);
- save_figure: a 63-province forest plot (PNG 200 dpi + SVG + CSV).

Run: .venv/bin/python bench/bench_report.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from satisfaction.present.figures import forest, set_theme
from satisfaction.present.files import save_figure
from satisfaction.present.formatting import note_line
from satisfaction.present.remediation_docs import write_remediation_docx
from satisfaction.present.tables import estimates_table
from satisfaction.present.word import DocxReport
from satisfaction.present.workbook import write_workbook


def _tidy(rng: np.random.Generator, rows: int, by: dict[str, list[str]]) -> pd.DataFrame:
    share = rng.uniform(0.6, 0.97, rows)
    se = rng.uniform(0.005, 0.05, rows)
    n = rng.integers(10, 900, rows)
    frame = pd.DataFrame(by)
    return frame.assign(
        variable="satisfied",
        level=1,
        estimate=share,
        se=se,
        ci_low=np.clip(share - 1.96 * se, 0, 1),
        ci_high=np.clip(share + 1.96 * se, 0, 1),
        cv=se / share,
        deff=rng.uniform(1, 3, rows),
        n=n,
        N=n * rng.uniform(50, 500, rows),
        df=40,
        reliable=n >= 30,
        reliability_note=np.where(n >= 30, "", "n < 30"),
    )


def main() -> None:
    rng = np.random.default_rng(7)
    set_theme()
    provinces = [f"Tỉnh số {i}" for i in range(63)]
    criteria = [f"Tiêu chí {e}.{i}" for e, k in enumerate([4, 5, 6, 3, 4], 1) for i in range(k)]
    fields = [f"Lĩnh vực {j}" for j in range(16)]
    grid = pd.MultiIndex.from_product([provinces, fields, criteria]).to_frame(index=False)
    big = _tidy(rng, len(grid), {"province": grid[0], "field": grid[1], "item": grid[2]})
    small = _tidy(rng, 63, {"province": provinces})

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        table = estimates_table(big)
        table_seconds = time.perf_counter() - start
        start = time.perf_counter()
        write_workbook(
            out / "big.xlsx",
            {"Chi tiết": table, "Theo tỉnh": estimates_table(small)},
            title="Tỷ lệ hài lòng",
            notes=note_line(source="bench", method="logit"),
        )
        xlsx_seconds = time.perf_counter() - start
        print(f"estimates_table {len(big):,} rows: {table_seconds:.2f} s")
        print(
            f"write_workbook {len(big):,} + 63 rows x {table.shape[1]} columns: "
            f"{xlsx_seconds:.2f} s ({(out / 'big.xlsx').stat().st_size / 1e6:.1f} MB)"
        )

        start = time.perf_counter()
        ax = forest(small, y="province", title="Tỷ lệ hài lòng theo tỉnh", source="bench")
        paths = save_figure(ax, out, "forest_63", data=small)
        print(f"forest 63 provinces draw + save_figure: {time.perf_counter() - start:.2f} s")

        start = time.perf_counter()
        doc = DocxReport()
        doc.title("Báo cáo")
        doc.table(estimates_table(small), caption="Theo tỉnh")
        doc.figure(paths, caption="Theo tỉnh")
        doc.save(out / "r.docx")
        print(f"DocxReport 63-row table + figure: {time.perf_counter() - start:.2f} s")

        plan = small.head(20).assign(field="Đất đai", item=criteria[:20], change=-0.01)
        start = time.perf_counter()
        write_remediation_docx(
            out / "plan.docx",
            title="Kế hoạch",
            results_paragraphs=["Kết quả."],
            figures=[(paths, "Theo tỉnh")],
            limitations=small.head(10),
            plan_table=plan,
        )
        print(f"write_remediation_docx (20-row plan): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
