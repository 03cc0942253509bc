"""Run inside the image (``docker run -i --rm IMAGE python - < tests/docker/exercise.py``):
every feature the slimmed image must still serve, each through the code the app runs.

Covers what the Dockerfile's trimming could break: the app and its callbacks import, a
simulation, a sweep (batch solver, numba cache), SBML export (libSBML), a Sobol' analysis (SALib,
SciPy's statistics) and Celery with its Redis transport. Prints one line per step and, with
``--census``, the loaded site-packages files (to see what the runtime never touches). Exits non-zero
on the first failure. Standard library and the project only: the image has no test tools.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.getcwd())  # the repository root, /app in the image

steps: list[tuple[str, float]] = []


def step(name: str):
    def run(fn):
        started = time.perf_counter()
        fn()
        steps.append((name, time.perf_counter() - started))
        print(f"exercise: {name} ok ({time.perf_counter() - started:.1f} s)", flush=True)
        return fn

    return run


@step("import app (the Dash app, every callback registered)")
def _import_app() -> None:
    import app  # noqa: F401


@step("simulate a scenario")
def _simulate() -> None:
    from model import SCENARIOS, simulate

    scenario = next(iter(SCENARIOS.values()))
    result = simulate(scenario.parameters(), days=scenario.days)
    assert len(result.frame) > 0


@step("a 3 x 3 sweep (batch solver) as the Sweep tab runs it")
def _sweep() -> None:
    from dashboard.state import PageState
    from dashboard.sweeps import SWEEP_DEFAULTS, parse_request, run_request

    d = SWEEP_DEFAULTS
    request = parse_request(
        "2d",
        (d["sweep-x"], None, None, 3),
        (d["sweep-y"], None, None, 3),
        d["sweep-outcome"],
        2500,
    )
    result = run_request(request, PageState.from_store(None))
    assert len(result["z"]) == 3 and len(result["z"][0]) == 3, result


@step("SBML export (libSBML)")
def _sbml() -> None:
    from model.sbml import to_sbml

    text = to_sbml()
    assert "<sbml" in text and 'level="3"' in text


@step("Sobol' indices (SALib, SciPy stats; the image has no matplotlib)")
def _sobol() -> None:
    from dashboard.sensitivity import BASE_SAMPLES, start_analysis
    from dashboard.state import PageState

    state = PageState.from_store(None)
    result = start_analysis(
        ["vegfr1_signalling", "dormancy_exit_rate"],
        "burden.lung",
        min(BASE_SAMPLES),
        "linear",
        state.to_store(),
    )
    assert result["runs"] > 0, result


@step("Celery app with its Redis transport and result backend")
def _celery() -> None:
    from celery import Celery
    from kombu.transport import redis as _redis_transport  # noqa: F401

    celery = Celery("check", broker="redis://127.0.0.1:1/0", backend="redis://127.0.0.1:1/0")
    assert type(celery.backend).__name__ == "RedisBackend"
    import celery.bin.celery  # noqa: F401  the `celery` command line
    import gunicorn.app.wsgiapp  # noqa: F401  the image's web server


if "--census" in sys.argv:
    loaded = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    with open("/proc/self/maps") as maps:
        loaded |= {line.split()[-1] for line in maps if "/site-packages/" in line}
    for path in sorted(p for p in loaded if p and "/site-packages/" in p):
        print("census:", path)
print(f"exercise: all {len(steps)} steps passed in {sum(t for _, t in steps):.1f} s")
