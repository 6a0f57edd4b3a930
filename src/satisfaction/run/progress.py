"""Progress of a long job: each named step shows a spinner while it runs and one line with
its time when it ends; the times are kept for the job's summary and the benchmarks.

`Steps` is the step hook (`cleaning.survey.StepHook`) the job hands to the read, clean and
estimate steps; the notebooks have their own bar (`batch`). With ``show=False`` (tests,
notebooks) nothing is printed, and the times are still kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from rich.console import Console

__all__ = ["Steps"]


class Steps:
    """Named, timed steps: wall and CPU seconds per step name (summed when repeated)."""

    def __init__(self, show: bool = True, console: Console | None = None) -> None:
        self.show = show
        self.console = console or Console(stderr=True, highlight=False)
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        # epoch seconds of each step's first start and last end: another process (a
        # benchmark sampling memory) can tell which step ran when
        self.spans: dict[str, tuple[float, float]] = {}

    @contextmanager
    def __call__(self, name: str, what: str, *, spinner: bool = True) -> Iterator[None]:
        """Run one step: `name` keys its time ("read", "clean" ...), `what` is shown.

        `spinner=False` for a step that draws its own bar (the notebooks).
        """
        start, cpu, began = time.perf_counter(), time.process_time(), time.time()
        status: Any = (
            self.console.status(f"{what} ...") if self.show and spinner else nullcontext()
        )
        with status:
            yield
        wall = time.perf_counter() - start
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
        self.spans[name] = (self.spans.get(name, (began, 0.0))[0], time.time())
        if self.show:
            self.console.print(f"{what}: {wall:.1f} s", markup=False, soft_wrap=True)

    @property
    def total(self) -> float:
        """Wall seconds of every step so far."""
        return sum(self.wall.values())
