"""The Dockerfile, docker-compose.yml and .dockerignore, checked without a Docker engine.

scripts/docker-check builds and runs the real image (and the compose setup) where an engine can
be installed; these fast checks run everywhere: the build-time steps the image relies on, the
multi-stage layout, the runtime settings, and that what the build drops is never imported.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuations joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def _stages(text: str) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions(text):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO_ROOT / "Dockerfile").read_text()


def _warm_up_command(dockerfile: str) -> list[str]:
    """The ``RUN python -c ...`` step that fills the numba cache (line continuations joined)."""
    joined = dockerfile.replace("\\\n", " ")
    match = re.search(r"^RUN (python -c .*?)(?: && |$)", joined, flags=re.MULTILINE)
    assert match, "the Dockerfile no longer warms the numba cache at build time"
    return shlex.split(match.group(1))


@pytest.mark.slow
def test_the_image_build_compiles_the_model_and_the_batch_solver(repo_root, tmp_path) -> None:
    dockerfile = (repo_root / "Dockerfile").read_text()
    assert "NUMBA_CACHE_DIR=/tmp/numba-cache" in dockerfile
    command = _warm_up_command(dockerfile)
    cache = tmp_path / "numba-cache"
    done = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=repo_root,
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    cached = {Path(f).name.split(".")[0] for f in map(str, cache.rglob("*.nbi"))}
    assert {"equations", "batch"} <= cached, cached  # both compiled modules left their index


def test_the_final_stage_gets_only_the_built_venv_and_the_app(dockerfile: str) -> None:
    build, final = _stages(dockerfile)
    assert build[0] == ("FROM", "python:3.11-slim AS build")
    assert final[0] == ("FROM", "python:3.11-slim")
    assert ("COPY", "--from=build /opt/venv /opt/venv") in final
    # Nothing is installed in the final stage: no compiler, apt list or pip cache can reach it.
    runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert "apt-get" not in runs and "pip " not in runs, runs
    # The warm-up runs in the final stage, where /app and NUMBA_CACHE_DIR are the ones served.
    assert any(k == "RUN" and rest.startswith("python -c") for k, rest in final)
    assert any(k == "ENV" and "PIP_NO_CACHE_DIR=1" in rest for k, rest in build)


def test_the_final_stage_runs_unprivileged_healthy_and_preloaded(dockerfile: str) -> None:
    final = _stages(dockerfile)[-1]
    settings = dict(final)
    assert any(k == "RUN" and "useradd --uid 10001" in rest for k, rest in final)
    assert settings["USER"] == "10001:10001"
    users = [i for i, (k, _) in enumerate(final) if k == "USER"]
    assert users[-1] > max(i for i, (k, _) in enumerate(final) if k in ("RUN", "COPY"))
    assert "/health" in settings["HEALTHCHECK"] and "--interval=" in settings["HEALTHCHECK"]
    command = settings["CMD"]
    for flag in ('"gunicorn"', '"--preload"', '"--no-control-socket"', '"0.0.0.0:8050"'):
        assert flag in command, command
    assert command.endswith('"app:server"]')
    assert settings["EXPOSE"] == "8050"


def test_no_secret_is_baked_into_the_image(dockerfile: str) -> None:
    for keyword, rest in _instructions(dockerfile):
        if keyword in ("ENV", "ARG", "LABEL"):
            assert "SECRET" not in rest.upper(), (keyword, rest)


def _dropped_distributions(dockerfile: str) -> list[str]:
    build = _stages(dockerfile)[0]
    install = next(rest for keyword, rest in build if keyword == "RUN" and "pip install" in rest)
    names = []
    for match in re.finditer(r"pip uninstall --yes ([^&]+)", install):
        names += match.group(1).split()
    assert "matplotlib" in names, names
    return [name for name in names if name not in ("pip", "setuptools")]


def _dropped_subpackages(dockerfile: str) -> list[str]:
    """Modules whose directories the build stage deletes (``rm -rf scipy/io ...``), dotted."""
    build = _stages(dockerfile)[0]
    names = []
    for keyword, rest in build:
        for match in re.finditer(r"rm -rf ([^&]+)", rest if keyword == "RUN" else ""):
            for path in match.group(1).split():
                parts = path.split("/")
                if len(parts) > 1 and all(part.isidentifier() for part in parts):
                    names.append(".".join(parts))
    return names


def test_the_build_trims_strips_and_compiles_the_venv(dockerfile: str) -> None:
    build = _stages(dockerfile)[0]
    runs = " ".join(rest for keyword, rest in build if keyword == "RUN")
    assert "strip --strip-unneeded" in runs
    assert "-name tests" in runs  # the packages' test suites
    assert "dash_renderer.dev.js" in runs  # development bundles
    # Bytecode in place of the libraries' sources, numba and llvmlite keeping theirs.
    assert "compileall" in runs and " -b " in runs and "(numba|llvmlite)" in runs
    assert {"scipy.io", "numba.cuda", "numpy.distutils"} <= set(_dropped_subpackages(dockerfile))
    final_runs = " ".join(rest for keyword, rest in _stages(dockerfile)[-1] if keyword == "RUN")
    assert "compileall" in final_runs and "/app" in final_runs  # the app's own bytecode


@pytest.mark.slow
def test_what_the_build_drops_is_never_imported(dockerfile: str, repo_root: Path) -> None:
    """The image uninstalls matplotlib and its own dependencies and deletes subpackages nothing
    imports (scipy.io, numba.cuda, ...); the app, a simulation, a sweep, SBML export, a Sobol'
    analysis, Celery, every project module and every library's subpackages
    (tests/docker/exercise.py) must run with those modules missing, as in the image."""
    dropped = _dropped_distributions(dockerfile)
    by_distribution: dict[str, set[str]] = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            by_distribution.setdefault(distribution.lower(), set()).add(module)
    modules = sorted(set().union(*(by_distribution.get(d.lower(), set()) for d in dropped)))
    subpackages = _dropped_subpackages(dockerfile)
    if not modules:
        pytest.skip(f"none of {dropped} is installed here: nothing to hide")
    hide = (
        "import sys\n"
        "class Missing:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {modules!r} or any(\n"
        f"            name == s or name.startswith(s + '.') for s in {subpackages!r}\n"
        "        ):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Missing())\n"
        "import runpy\n"
        "runpy.run_path('tests/docker/exercise.py', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all 9 steps passed" in done.stdout, done.stdout


def test_dockerignore_keeps_the_build_context_to_the_app() -> None:
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    for entry in (".git/", ".venv/", "tests/", "scripts/", "**/__pycache__/"):
        assert entry in ignored, entry
    assert "!docs/*.md" in ignored  # "About the model" reads docs/model.md


def test_compose_runs_web_worker_and_redis_with_one_secret() -> None:
    compose = (REPO_ROOT / "docker-compose.yml").read_text()
    for service in ("web:", "worker:", "redis:"):
        assert f"\n  {service}" in compose, service
    assert "redis://redis:6379/0" in compose
    assert "DASH_SECRET_KEY: ${DASH_SECRET_KEY:?" in compose  # required, shared via x-app
    assert compose.count("<<: *app") == 2
    assert '"127.0.0.1:${SEED_SOIL_PORT:-8050}:8050"' in compose
    assert compose.count("ports:") == 1  # only the web publishes, on the loopback
    assert '"celery", "-A", "app:celery_app", "worker", "--concurrency=1"' in compose
    assert "--pool" not in compose  # the default prefork pool: Cancel can stop a running job
    assert compose.count("healthcheck:") == 2  # worker and redis; the web's is the image's
    assert "condition: service_healthy" in compose


# A command position in a shell line: after the start, a separator, `then`, `do` or `else`.
_UNBOUNDED = re.compile(
    r"(?:^|[;&|(!]|\bthen|\bdo|\belse)\s*"
    r'("\$DOCKER"|"\$COMPOSE"|apt-get|debootstrap|"?\$lint_venv/bin/\w+)(?=\s)'
)


def test_docker_check_is_executable_bounded_and_cleans_up() -> None:
    script = REPO_ROOT / "scripts" / "docker-check"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "trap cleanup EXIT" in text
    assert "SEED_SOIL_SKIP_DOCKER" in text
    # Every run of the engine, compose, apt, debootstrap or hadolint has a `timeout` in front
    # (the compose() helper wraps docker-compose in one).
    unbounded = [
        line.strip()
        for line in text.replace("\\\n", " ").splitlines()
        if not line.lstrip().startswith(("#", "RUN ")) and _UNBOUNDED.search(line.split(" #")[0])
    ]
    assert unbounded == [], unbounded


@pytest.mark.slow
def test_docker_check_skips_without_root_or_when_asked(tmp_path: Path) -> None:
    env = {**os.environ, "SEED_SOIL_SKIP_DOCKER": "1"}
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "docker-check")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped" in done.stdout
