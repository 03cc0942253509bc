"""Run inside the image (``docker run -i --rm IMAGE python - < tests/docker/exercise.py``):
every feature the slimmed image must still serve, each through the code the app runs.

Covers what the Dockerfile's trimming could break: the app and its callbacks import, a
simulation, a sweep (batch solver, numba cache), SBML export (libSBML), a Sobol' analysis (SALib,
SciPy's statistics), Celery with its Redis transport, every module of the project and every
installed library with its subpackages (the image keeps most of them as bytecode only, strips
their shared libraries and drops some subpackages), and every file Dash serves to a browser
(the image drops the development bundles). Prints one line per step and, with
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


@step("every module of the project imports")
def _project_modules() -> None:
    import importlib
    import pkgutil

    names = ["app"]
    for package in ("model", "dashboard"):
        names.append(package)
        found = pkgutil.walk_packages([os.path.join(os.getcwd(), package)], prefix=f"{package}.")
        names += [info.name for info in found if not info.name.endswith(".__main__")]
    for name in names:
        importlib.import_module(name)
    assert len(names) > 20, names


# Subpackages of the installed libraries that the image cannot import and the app never does:
# they need what it leaves out on purpose (test tools, Jupyter, matplotlib, a browser driver,
# Windows) or optional packages we do not install. Nothing in the application imports them.
_OPTIONAL = {
    "dash.testing": "pytest and selenium",
    "dash.nbextension": "Jupyter",
    "plotly.matplotlylib": "matplotlib",
    "plotly.basewidget": "ipywidgets (traitlets)",
    "SALib.plotting": "matplotlib",
    "numpy.conftest": "pytest",
    "scipy.conftest": "pytest",
    "pandas.conftest": "pytest",
    "celery.contrib": "pytest and sphinx",
    "pydantic.mypy": "mypy",
    "numba.pycc": "setuptools (ahead-of-time compilation; the image has no build tools)",
    "celery.security": "cryptography (message signing)",
    "redis.ocsp": "cryptography (OCSP stapling)",
    "narwhals.sql": "duckdb",
    "narwhals.this": "prints its zen on import",
    "diskcache.djangocache": "Django",
    "billiard.popen_spawn_win32": "Windows",
    "multiprocess.popen_spawn_win32": "Windows",
    "dateutil.tzwin": "Windows",
}


def _runtime_modules() -> list[str]:
    """Top-level modules of requirements.txt and everything it requires, as installed here."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    with open("requirements.txt") as lines:
        todo = [Requirement(line.strip()) for line in lines if line.strip() and line[0] != "#"]
    wanted: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # the image uninstalls a few (matplotlib and what only it needs)
        extras = requirement.extras or {""}
        for text in distribution.requires or []:
            needed = Requirement(text)
            marker = needed.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in extras):
                todo.append(needed)
        wanted.add(name)
    return sorted(
        module
        for module, names in metadata.packages_distributions().items()
        if not module.startswith("_") and {canonicalize_name(n) for n in names} & wanted
    )


def _import(name: str, failed: dict[str, str]) -> object | None:
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # a module it needs is missing: that is a failure
            failed[name] = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001  report every failure at once
        failed[name] = f"{type(exc).__name__}: {exc}"
    return None  # absent itself: uninstalled (the image) or hidden (tests/test_dockerfile.py)


@step("every installed library and its subpackages import")
def _libraries() -> None:
    import pkgutil
    import warnings

    failed: dict[str, str] = {}
    imported = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation notices of modules nobody imports
        for name in _runtime_modules():
            module = _import(name, failed)
            imported += module is not None
            for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
                child = f"{name}.{info.name}"
                if not info.name.startswith("_") and child not in _OPTIONAL:
                    imported += _import(child, failed) is not None
    assert not failed, "\n".join(f"{k}: {v}" for k, v in sorted(failed.items()))
    assert imported > 200, imported


@step("every script and stylesheet Dash serves to a browser is there")
def _served_files() -> None:
    import app

    client = app.server.test_client()
    page = client.get("/")
    assert page.status_code == 200, page.status_code
    missing = []
    served = 0
    for namespace, paths in app.app.registered_paths.items():
        root = os.path.dirname(sys.modules[namespace].__file__)
        for path in paths:
            if path.endswith(".map"):  # source maps: a browser's developer tools only
                continue
            served += 1
            if not os.path.isfile(os.path.join(root, path)):
                missing.append(f"{namespace}/{path}")
    assert not missing, missing
    assert served > 10, served


if "--census" in sys.argv:
    loaded = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    with open("/proc/self/maps") as maps:
        loaded |= {line.split()[-1] for line in maps if "/site-packages/" in line}
    for path in sorted(p for p in loaded if p and "/site-packages/" in p):
        print("census:", path)
print(f"exercise: all {len(steps)} steps passed in {sum(t for _, t in steps):.1f} s")
