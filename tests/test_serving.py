"""The production command, `gunicorn app:server`, serves the page on a real socket; /health
reports the cache back-end (a real redis-server, started and stopped by the tests)."""

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.processes import stop

REPO_ROOT = Path(__file__).resolve().parent.parent

# Every test here starts gunicorn or redis-server: left out of scripts/test --fast.
pytestmark = pytest.mark.slow

# create_app() warms up the model (numba load or compile): slow on a busy 2-core machine.
STARTUP_SECONDS = 90


def get_status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args} exited during start-up"
        try:
            if get_status(url) == 200:
                return
        except OSError:  # refused, reset, or timed out while the worker is still booting
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not healthy within {STARTUP_SECONDS} s")


def gunicorn_command(port: int, workers: int | None = 2) -> list[str]:
    """The Dockerfile's command (``workers=None``: gunicorn's default or WEB_CONCURRENCY);
    gunicorn reads gunicorn.conf.py from the repository root."""
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"] + (
        [] if workers is None else ["--workers", str(workers)]
    ) + [
        # gunicorn 27's control socket is one per user ($HOME/.gunicorn/gunicorn.ctl):
        # parallel instances would take it from each other.
        "--preload", "--no-control-socket", "app:server"
    ]  # fmt: skip


def server_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DASH_SECRET_KEY", "WEB_CONCURRENCY")}
    return env | overrides


@contextlib.contextmanager
def serving(port: int, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``gunicorn app:server`` (the Dockerfile's command, 2 workers) on 127.0.0.1:``port``
    with ``env``; yields its base URL once /health answers. Its log is printed if the test
    fails, and it is stopped on exit."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            gunicorn_command(port), cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base}/health", process)
        yield base
    except BaseException:
        print(log_path.read_text())
        raise
    finally:
        stop(process, log_path)


def test_gunicorn_serves_health_and_page(free_port: int, tmp_path: Path) -> None:
    env = server_env(DASH_SECRET_KEY="test-secret", SEED_SOIL_CACHE_DIR=str(tmp_path / "cache"))
    log = tmp_path / "gunicorn.log"
    with serving(free_port, env, log) as base:
        # A browser asks for the page's scripts all at once, from several threads of each
        # worker; none may find Dash half set up (they were answered 500 that way).
        bundle = f"{base}/_dash-component-suites/dash/deps/react@18.3.1.min.js"
        with ThreadPoolExecutor(max_workers=12) as pool:
            assert set(pool.map(get_status, [bundle] * 24)) == {200}
        with urllib.request.urlopen(f"{base}/", timeout=5) as page:
            assert page.status == 200
            headers = page.headers
        # gunicorn names itself without a version; the app adds the security headers.
        assert headers.get_all("Server") == ["gunicorn"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"]
        # A malformed callback request is refused by the guard, not a worker's 500.
        forged = urllib.request.Request(
            f"{base}/_dash-update-component",
            data=b'{"output": "about.is_open", "inputs": "x"}',
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        refused.value.close()
        assert refused.value.code == 400
        assert refused.value.headers["X-Content-Type-Options"] == "nosniff"
    # With --preload the files a first visit fetches were compressed once, before the workers
    # forked (gunicorn.conf.py's when_ready), not by each worker for its first visitor.
    warmed = re.findall(r"Compressed the (\d+) files a first visit fetches", log.read_text())
    assert len(warmed) == 1 and int(warmed[0]) > 20


@pytest.mark.parametrize(
    ("workers", "env"),
    [(2, {}), (None, {"WEB_CONCURRENCY": "3"})],
    ids=["--workers", "WEB_CONCURRENCY"],
)
def test_several_gunicorn_workers_refuse_to_start_without_a_shared_secret(
    free_port: int, repo_root: Path, workers: int | None, env: dict[str, str]
) -> None:
    result = subprocess.run(
        gunicorn_command(free_port, workers),
        cwd=repo_root,
        env=server_env(**env),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "DASH_SECRET_KEY must be set" in errors[0], result.stderr


def test_python_app_py_stops_cleanly_on_sigterm(free_port: int, tmp_path: Path) -> None:
    """A service manager's stop (SIGTERM) ends `python app.py` through its exit handlers, which
    stop the jobs still running (tests/dashboard/test_dash_jobs.py), with status 0; Python's
    default handler killed it outright (-15) and left its jobs running."""
    env = server_env(
        PORT=str(free_port),
        SEED_SOIL_CACHE_DIR=str(tmp_path / "cache"),
        SEED_SOIL_JOBS_DIR=str(tmp_path / "jobs"),
    )
    env.pop("SEED_SOIL_DEBUG", None)
    log = tmp_path / "app.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, stdout=output, stderr=output
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{free_port}/health", process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()


def test_python_app_py_starts_in_debug_mode(free_port: int, tmp_path: Path) -> None:
    """SEED_SOIL_DEBUG=1 (README) starts Dash's debug mode: its tools are on the page. It
    stopped at start-up since the app answered a request while it was set up (Flask then
    refuses the setup Dash's tools do as they start)."""
    env = server_env(
        PORT=str(free_port),
        SEED_SOIL_DEBUG="1",
        SEED_SOIL_CACHE_DIR=str(tmp_path / "cache"),
        SEED_SOIL_JOBS_DIR=str(tmp_path / "jobs"),
    )
    log = tmp_path / "app.log"
    with log.open("w") as output:  # its own group: the reloader runs the app in a child
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{free_port}/health", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{free_port}/", timeout=30) as page:
            config = re.search(
                r'<script id="_dash-config"[^>]*>(.*?)</script>', page.read().decode()
            )
        assert config, log.read_text()
        config = json.loads(config.group(1))
        # Its tools are on, and ask plotly.com for no newer version (the CSP refuses that).
        assert (config["ui"], config["disable_version_check"]) == (True, True), config
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- /health and the cache back-end ---------------------------------------------------------


@pytest.fixture
def app_with_redis(redis_server, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    from dashboard import create_app

    return create_app()


def test_health_is_ok_with_the_file_system_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    from dashboard import create_app

    response = create_app().server.test_client().get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")


def test_health_says_degraded_while_redis_is_down_logs_it_once_and_recovers(
    app_with_redis, redis_server, caplog
) -> None:
    client = app_with_redis.server.test_client()
    response = client.get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")

    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            response = client.get("/health")
            assert response.status_code == 503
            assert response.get_data(as_text=True) == "degraded: redis unreachable"
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1 and outage[0].exc_info is None

    redis_server.start()
    with caplog.at_level(logging.WARNING):
        response = client.get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")
    assert "cache back-end reachable again" in caplog.text


def test_page_runs_uncached_while_redis_is_down_with_one_log_line(
    app_with_redis, redis_server, caplog
) -> None:
    """The model still runs (flask-caching falls back to calling it); the log gets one line
    per outage, not a traceback per request."""
    from dashboard.cache import simulate_state
    from dashboard.state import PageState
    from model import Parameters

    redis_server.stop()
    with caplog.at_level(logging.WARNING), app_with_redis.server.app_context():
        for days in (5.0, 6.0, 7.0):
            assert len(simulate_state(PageState(Parameters(), days)).frame) > 0
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert "cache back-end failing" in lines[0].getMessage() and lines[0].exc_info is None
