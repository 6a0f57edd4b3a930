"""A report notebook's own time (issue 16: a notebook that draws 7 figures <= 1 s).

Builds the 34-province national demo (or uses `--project`, e.g. one `bench_national.py
--keep` left), cleans and estimates it once, then runs the cells of a province report
(7 figures), the whole-survey report and a field report in this process, as the warm
kernel does, three times each, and prints the smallest CPU and wall seconds with the
split: saving figures (`present.files.save_figure`), the workbook, the rest (drawing the
Axes, tables, reading estimates). `--png` also writes each figure's 200-dpi PNG (what
`batch --png` asks for).

Run: .venv/bin/python bench/bench_notebook_own.py [--project DIR] [--png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SURVEY = "national"
PROVINCE_STEPS = (
    "header", "sample", "data_quality", "indices", "by_field", "criterion_heatmap",
    "weakest", "compare", "breakdowns", "expectations", "finish",
)  # fmt: skip
FIELD_STEPS = ("header", "ranking", "criteria", "finish")


class _Clock:
    """CPU seconds spent inside some wrapped functions."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, module: object, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.process_time() - start

        setattr(module, name, timed)


def _project(args: argparse.Namespace) -> Path:
    if args.project:
        return Path(args.project).resolve()
    from satisfaction.demo.national import write_national_survey

    folder = Path(tempfile.mkdtemp(prefix="bench-notebook-"))
    shutil.copytree(ROOT / "surveys" / "sipas", folder / "surveys" / "sipas")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    write_national_survey(folder / "surveys" / SURVEY, provinces=34, respondents=40_000)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", help="a project folder holding surveys/national")
    parser.add_argument("--png", action="store_true", help="also write 200-dpi PNGs")
    args = parser.parse_args()
    root = _project(args)
    os.environ["SATISFACTION_ROOT"] = str(root)

    from satisfaction.present import sections
    from satisfaction.present.field_report import FieldReport
    from satisfaction.present.province_report import ProvinceReport
    from satisfaction.run.jobs import prepare_survey

    prepare_survey(SURVEY, root=root)
    sections._display_html = lambda markup: None  # no notebook: nothing to show
    clock = _Clock()
    clock.wrap(sections, "save_figure", "saving figures")
    clock.wrap(sections, "write_workbook", "workbook")
    out = Path(tempfile.mkdtemp(prefix="bench-notebook-out-"))

    def province(name: str) -> None:
        report = ProvinceReport.open(SURVEY, province=name, output_dir=out / name, png=args.png)
        for step in PROVINCE_STEPS:
            getattr(report, step)()

    def field(name: str) -> None:
        report = FieldReport.open(SURVEY, field_name=name, output_dir=out / name, png=args.png)
        for step in FIELD_STEPS:
            getattr(report, step)()

    cases = [
        ("province report, Hà Nội (7 figures)", province, "Hà Nội"),
        ("whole-survey report (7 figures, 34 provinces)", province, "all"),
        ("field report, Đất đai (2 figures, 35 x 22 grid)", field, "Đất đai"),
    ]
    print(f"project {root}; PNG {'yes' if args.png else 'no'}; load {os.getloadavg()[0]:.1f}")
    for title, run, name in cases:
        run(name)  # warm: fonts, instruments, estimates cached as in a warm kernel
        best: tuple[float, float, dict[str, float]] | None = None
        for _ in range(3):
            clock.spent.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            run(name)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if best is None or cpu < best[0]:
                best = (cpu, wall, dict(clock.spent))
        assert best is not None
        cpu, wall, spent = best
        split = ", ".join(f"{k} {v:.2f}" for k, v in spent.items())
        rest = cpu - sum(spent.values())
        print(f"  {title}: {cpu:.2f} s CPU, {wall:.2f} s wall ({split}, the rest {rest:.2f})")
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared)")


if __name__ == "__main__":
    main()
