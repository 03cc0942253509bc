"""Fixtures for the model tests: scenario runs are cached per worker (each takes milliseconds,
but several test files read the same runs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pytest

from model import Parameters, SimulationResult, simulate
from model.scenarios import SCENARIOS


@lru_cache(maxsize=64)
def _simulate_cached(params: Parameters, days: float) -> SimulationResult:
    return simulate(params, days)


@pytest.fixture(scope="session")
def run() -> Callable[..., SimulationResult]:
    """``run(params, days)``: a cached ``simulate`` (parameter sets are hashable)."""
    return _simulate_cached


@pytest.fixture(scope="session")
def run_scenario() -> Callable[..., SimulationResult]:
    """``run_scenario(name, **overrides)``: the named scenario over its own span, cached."""

    def _run(name: str, **overrides: float | None) -> SimulationResult:
        scenario = SCENARIOS[name]
        return _simulate_cached(scenario.parameters().replace(overrides), scenario.days)

    return _run
