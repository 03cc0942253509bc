"""With REDIS_URL set, a sweep runs on a real Celery worker through a real Redis server.

The test starts Debian's redis-server on a free 127.0.0.1 port and a Celery worker process
(`celery -A app:celery_app worker`, the command a lab runs), then runs a sweep from the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from dashboard import create_app
from tests.chromium import open_page
from tests.processes import stop

pytestmark = pytest.mark.browser


@pytest.fixture
def redis_url(redis_server) -> str:
    return redis_server.url


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path


@pytest.fixture
def celery_worker(redis_url: str, repo_root: Path, tmp_path: Path):
    log = tmp_path / "worker.log"
    env = {**os.environ, "REDIS_URL": redis_url, "SEED_SOIL_CACHE_DIR": str(tmp_path / "cache")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "app:celery_app", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
             "--hostname", f"test-{os.getpid()}@%h"],
            cwd=repo_root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        until(lambda: "ready." in log.read_text() or process.poll() is not None, timeout=90)
        assert process.poll() is None, log.read_text()
        yield Worker(process, log)
    finally:
        stop(process, log)


@pytest.fixture
def sweep_tab(dash_duo, free_port, redis_url, monkeypatch, tmp_path, click):
    """Open the app (REDIS_URL set) at ``path`` on its Sweep tab, with the grid ``n`` x ``n``."""

    def open_tab(path: str = "/", n: int = 3) -> None:
        monkeypatch.setenv("REDIS_URL", redis_url)
        monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "app-cache"))
        open_page(dash_duo, create_app(), free_port, path)
        click(dash_duo.driver.find_element(By.XPATH, "//a[normalize-space()='Sweep']"))
        for box_id in ("#sweep-x-n", "#sweep-y-n"):
            box = dash_duo.find_element(box_id)
            box.clear()
            box.send_keys(str(n))

    return open_tab


def _stopped_message(dash_duo) -> str:
    """Wait for the job to end with a message; buttons back to idle."""
    until(lambda: dash_duo.find_element("#sweep-run").is_enabled(), timeout=60)
    until(lambda: dash_duo.find_element("#sweep-message").text, timeout=30)
    assert not dash_duo.find_element("#sweep-cancel").is_enabled()
    return dash_duo.find_element("#sweep-message").text


def test_a_sweep_runs_on_a_celery_worker(dash_duo, celery_worker, sweep_tab, click) -> None:
    sweep_tab()
    click(dash_duo.find_element("#sweep-run"))
    until(
        lambda: dash_duo.driver.execute_script(
            "var g = document.querySelector('#sweep-graph .js-plotly-plot');"
            "return g && g.data && g.data.length && g.data[0].type === 'heatmap';"
        ),
        timeout=90,
    )
    time.sleep(0.5)  # the worker's log is written after the result is stored
    worker_log = celery_worker.log.read_text()
    assert "background_callback_" in worker_log and "succeeded" in worker_log, worker_log
    assert dash_duo.get_logs() == []


def test_a_sweep_whose_worker_dies_says_so(
    dash_duo, redis_url, celery_worker, sweep_tab, click
) -> None:
    """The worker is killed outright mid-sweep (its task stays PENDING in Celery): the page
    says the job was lost once its heartbeat stops, instead of polling for ever."""
    sweep_tab("/?days=3650", n=50)  # long runs: a slow 50 x 50 map
    click(dash_duo.find_element("#sweep-run"))
    store = redis.Redis.from_url(redis_url)
    # The job has started: its heartbeat beats, then it is marked started (killed between the
    # two, it would still look queued, and a queued job with no worker is "no worker").
    until(lambda: store.keys("seed-soil-started-*"), timeout=60)
    celery_worker.process.kill()
    celery_worker.process.wait(timeout=10)
    message = _stopped_message(dash_duo)
    assert message.startswith("Sweep stopped: its process ended without a result"), message
    assert dash_duo.get_logs() == []


def test_a_sweep_with_no_worker_running_is_refused_not_left_waiting(
    dash_duo, sweep_tab, click
) -> None:
    """REDIS_URL is set but nobody started a worker: the job would sit in the queue for ever."""
    sweep_tab()
    click(dash_duo.find_element("#sweep-run"))
    message = _stopped_message(dash_duo)
    assert message.startswith("Sweep stopped: no Celery worker is running to take it"), message
    assert dash_duo.get_logs() == []
