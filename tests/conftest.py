"""Shared fixtures: the demo survey is generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_survey():
    from satisfaction.demo import generate_demo

    return generate_demo()


@pytest.fixture(scope="session")
def sipas_instrument():
    from satisfaction.instrument import load_instrument

    return load_instrument(ROOT / "surveys" / "sipas" / "instrument.yaml")


@pytest.fixture(scope="session")
def demo_instrument():
    from satisfaction.instrument import load_instrument

    return load_instrument(ROOT / "surveys" / "demo" / "instrument.yaml")
