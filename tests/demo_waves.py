"""The demo's previous wave, generated once per test session and shared by test modules.

(Generating a wave takes seconds; test_demo.py and test_remediation.py both need 2024.)
"""

from __future__ import annotations

from functools import cache


@cache
def previous_wave():
    """`generate_demo(wave=PREVIOUS_WAVE)`: the wave behind surveys/demo-2024/."""
    from satisfaction.demo.sipas import generate_demo
    from satisfaction.demo.spec import PREVIOUS_WAVE

    return generate_demo(wave=PREVIOUS_WAVE)
