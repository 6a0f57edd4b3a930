"""Progress of the job: timed steps shown (or not), and the one-line summary at the end."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from satisfaction.run.progress import Steps


def test_a_step_prints_one_line_with_its_time_and_keeps_it():
    out = io.StringIO()
    steps = Steps(console=Console(file=out, width=200))
    with steps("clean", "cleaning 40,000 forms"):
        pass
    with steps("clean", "cleaning 10 more forms"):
        pass
    assert "cleaning 40,000 forms: 0.0 s" in out.getvalue()
    assert set(steps.wall) == {"clean"} and steps.cpu["clean"] >= 0 and steps.total >= 0
    began, ended = steps.spans["clean"]  # from the first start to the last end
    assert 0 < began <= ended


def test_quiet_steps_print_nothing_but_still_time(capsys):
    out = io.StringIO()
    steps = Steps(show=False, console=Console(file=out))
    with pytest.raises(ValueError), steps("read", "reading"):
        raise ValueError("a failed step is not timed")
    with steps("estimate", "estimating"):
        pass
    assert out.getvalue() == "" and capsys.readouterr() == ("", "")
    assert set(steps.wall) == {"estimate"}


def test_the_job_times_its_steps_and_sums_up_in_one_line(demo_reports):
    assert "notebooks" in demo_reports.times
    line = demo_reports.summary()
    units = len(demo_reports.manifest.units)  # and the demo's PAPI and one-stop reports
    assert line.startswith("5 province reports, 5 field reports, 5 remediation plans")
    assert f"({units} ok) in " in line
    assert line.endswith(f"open {demo_reports.index}") and "\n" not in line
