"""tests/docker/dash_http.py, the HTTP client scripts/docker-check drives the container with,
run here against `gunicorn app:server` on the host: a Dash upgrade that changes the renderer's
protocol (callback bodies, background-job handles) fails in the fast suite, not only where a
Docker engine runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_serving import server_env, serving


@pytest.fixture
def served(free_port: int, tmp_path: Path):
    """``gunicorn app:server`` (2 workers, no Redis) as tests/test_serving.py starts it."""
    env = server_env(
        SEED_SOIL_CACHE_DIR=str(tmp_path / "cache"),
        SEED_SOIL_JOBS_DIR=str(tmp_path / "jobs"),
        DASH_SECRET_KEY="test-secret",
    )
    env.pop("REDIS_URL", None)
    with serving(free_port, env, tmp_path / "gunicorn.log") as base:
        yield base


def _client(repo_root: Path, base: str, what: str) -> dict:
    done = subprocess.run(
        [sys.executable, "tests/docker/dash_http.py", base, what, "--timeout", "120"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_client_replays_a_page_load_and_runs_a_background_sweep(
    served: str, repo_root: Path
) -> None:
    page = _client(repo_root, served, "page")
    assert page["callbacks"] == 1 and page["traces"] > 0 and page["files"] > 5, page
    sweep = _client(repo_root, served, "sweep")
    assert sweep["sweep"] == "3x3" and sweep["job"].isdigit(), sweep  # a local process id


@pytest.mark.slow
def test_the_client_fails_with_one_line_when_nothing_serves(free_port: int, repo_root) -> None:
    done = subprocess.run(
        [sys.executable, "tests/docker/dash_http.py", f"http://127.0.0.1:{free_port}", "page"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("dash_http: page: GET / failed") and done.stderr.count("\n") == 1
