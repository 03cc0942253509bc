"""Limits for a shared server: callback requests per client (429 with a reason), running
background jobs per client and in all (the page says why a job did not start).

Real apps over the Flask test client, each with its own caches and job store; clients differ by
``REMOTE_ADDR``. Jobs are real processes: a ``sleep`` stands in for a sweep's process where a
job must keep running until the test ends it, and one real sweep runs to its result. Redis is a
real redis-server (tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import diskcache
import pytest
import redis
from celery import Celery
from dash import DiskcacheManager
from flask import Flask

from dashboard.jobs import JobRefused, WatchedCeleryManager, WatchedDiskcacheManager
from dashboard.limits import callback_limits, job_caps, trusted_proxies
from model import InvalidInput
from tests.dash_requests import CallbackRequests
from tests.test_serving import get_status, server_env, serving

ABOUT = "about.is_open"  # the cheapest callback: opens the model documentation
SWEEP = "sweep-result.data"


class Client:
    """One browser at ``address``: a page load's ``endId``, and callback requests built from
    the app's own dependency list."""

    def __init__(self, app, address: str) -> None:
        self.client = app.server.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        page = self.client.get("/").get_data(as_text=True)
        config = re.search(r'id="_dash-config" type="application/json">(.*?)</script>', page)
        self.end_id = json.loads(config.group(1))["end_id"]
        self.requests = CallbackRequests(
            self.client.get("/_dash-dependencies").get_json(),
            self.client.get("/_dash-layout").get_json(),
        )

    def post(self, body: dict, **query: str):
        response = self.client.post("/_dash-update-component", json=body, query_string=query)
        assert response.status_code != 500 and "Traceback" not in response.get_data(as_text=True)
        return response

    def about(self):
        values = {"about-btn.n_clicks": 1, "about.is_open": False}
        return self.post(self.requests.body(ABOUT, values, changed=["about-btn.n_clicks"]))

    def sweep_body(self, points: int = 3) -> dict:
        values = {
            "sweep-run.n_clicks": 1,
            "sweep-mode.value": "2d",
            "sweep-x.value": "vegfr1_signalling",
            "sweep-x-from.value": None,
            "sweep-x-to.value": None,
            "sweep-x-n.value": points,
            "sweep-y.value": "dormancy_exit_rate",
            "sweep-y-from.value": None,
            "sweep-y-to.value": None,
            "sweep-y-n.value": points,
            "sweep-outcome.value": "burden.lung",
            "state.data": None,  # the defaults
        }
        return self.requests.body(SWEEP, values, changed=["sweep-run.n_clicks"])

    def run_sweep(self, points: int = 3, **query: str) -> dict:
        """Click "Run sweep": the job's signed handles, or the page's answer if refused."""
        response = self.post(self.sweep_body(points), endId=self.end_id, **query)
        assert response.status_code == 200
        return response.get_json()

    def cancel(self, handles: dict):
        body = self.requests.body(
            "sweep-cancel.id", {"sweep-cancel.n_clicks": 1}, changed=["sweep-cancel.n_clicks"]
        )
        return self.post(body, endId=self.end_id, cancelJob=handles["job"])

    def poll(self, handles: dict, points: int = 3):
        """One poll of a running sweep, as the renderer sends it."""
        return self.post(
            self.sweep_body(points),
            endId=self.end_id,
            cacheKey=handles["cacheKey"],
            job=handles["job"],
        )


def _message(answer: dict) -> str | None:
    return answer.get("response", {}).get("sweep-message", {}).get("children")


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """``make_app(**env)``: a fresh app with its own caches and job store."""

    def make(**env: str):
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("SEED_SOIL_JOBS_DIR", str(tmp_path / "jobs"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        from dashboard import create_app

        return create_app()

    return make


# --- Callback requests per client -------------------------------------------------------------


def test_a_burst_over_the_limit_gets_429_with_a_reason_and_retry_after(make_app) -> None:
    app = make_app(SEED_SOIL_CALLBACKS_PER_SECOND="0", SEED_SOIL_CALLBACKS_PER_MINUTE="5")
    client = Client(app, "203.0.113.7")
    answers = [client.about() for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    assert refused.mimetype == "text/plain"
    assert refused.get_data(as_text=True).startswith(
        "Too many requests: at most 5 per 1 minute from one client; retry in "
    )
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another client has its own allowance; /health, the page and its files are never limited.
    assert Client(app, "203.0.113.8").about().status_code == 200
    for path in ("/health", "/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"):
        assert client.client.get(path).status_code in (200, 404), path
    assert client.client.get("/health").status_code == 200


def test_the_per_second_limit_refuses_a_flood(make_app) -> None:
    app = make_app(SEED_SOIL_CALLBACKS_PER_SECOND="1", SEED_SOIL_CALLBACKS_PER_MINUTE="0")
    client = Client(app, "198.51.100.1")
    codes = [client.about().status_code for _ in range(20)]
    assert codes[0] == 200 and 429 in codes


def test_the_default_limits_let_a_page_load_through_and_stop_a_flood(make_app) -> None:
    assert callback_limits({}) == ["20 per 1 second", "600 per 1 minute"]
    app = make_app()
    client = Client(app, "192.0.2.50")
    codes = [client.about().status_code for _ in range(620)]  # a script's flood
    assert codes[:20] == [200] * 20  # twice a page load's burst of callbacks, at once
    assert codes.count(429) >= 20  # 600 a minute at most (20 a second while it lasts)


def test_the_machine_itself_is_not_limited(make_app) -> None:
    """Loopback: the host's own probes and scripts, or an undeclared proxy's many users."""
    app = make_app(SEED_SOIL_CALLBACKS_PER_SECOND="0", SEED_SOIL_CALLBACKS_PER_MINUTE="2")
    client = Client(app, "127.0.0.1")
    assert {client.about().status_code for _ in range(5)} == {200}


def test_behind_a_declared_proxy_the_forwarded_address_is_the_client(make_app) -> None:
    app = make_app(
        SEED_SOIL_CALLBACKS_PER_SECOND="0",
        SEED_SOIL_CALLBACKS_PER_MINUTE="2",
        SEED_SOIL_TRUSTED_PROXIES="1",
    )
    proxy = Client(app, "10.0.0.2")  # every request arrives from the proxy
    body = proxy.requests.body(
        ABOUT, {"about-btn.n_clicks": 1, "about.is_open": False}, changed=["about-btn.n_clicks"]
    )

    def from_user(user: str) -> int:
        headers = {"X-Forwarded-For": user}
        return proxy.client.post("/_dash-update-component", json=body, headers=headers).status_code

    assert [from_user("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert from_user("203.0.113.2") == 200  # another user behind the same proxy
    # A forwarded loopback address is a claim, not the machine itself: it is limited too.
    assert [from_user("127.0.0.1") for _ in range(3)] == [200, 200, 429]


def test_an_ipv6_client_counts_by_its_64_network(make_app) -> None:
    """One host holds a whole /64: rotating through it gives no fresh allowance."""
    app = make_app(SEED_SOIL_CALLBACKS_PER_SECOND="0", SEED_SOIL_CALLBACKS_PER_MINUTE="2")
    answers = [Client(app, f"2001:db8:1:2::{k}").about().status_code for k in (1, 2, 3)]
    assert answers == [200, 200, 429]
    assert Client(app, "2001:db8:1:3::1").about().status_code == 200  # another network


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("SEED_SOIL_CALLBACKS_PER_SECOND", callback_limits),
        ("SEED_SOIL_CALLBACKS_PER_MINUTE", callback_limits),
        ("SEED_SOIL_TRUSTED_PROXIES", trusted_proxies),
        ("SEED_SOIL_MAX_JOBS_PER_CLIENT", job_caps),
        ("SEED_SOIL_MAX_JOBS", job_caps),
    ],
)
def test_bad_settings_are_refused_with_their_name_and_range(name, read) -> None:
    for bad in ("-1", "1.5", "ten", "", " 3", "1000001", "٣"):
        with pytest.raises(InvalidInput, match=rf"^{name}='.*' must be a whole number \d+\.\.\d+$"):
            read({name: bad})


def test_settings_are_read_from_the_environment() -> None:
    env = {"SEED_SOIL_CALLBACKS_PER_SECOND": "50", "SEED_SOIL_CALLBACKS_PER_MINUTE": "0"}
    assert callback_limits(env) == ["50 per 1 second"]
    assert trusted_proxies({}) == 0 and trusted_proxies({"SEED_SOIL_TRUSTED_PROXIES": "2"}) == 2
    caps = job_caps({"SEED_SOIL_MAX_JOBS_PER_CLIENT": "1", "SEED_SOIL_MAX_JOBS": "8"})
    assert (caps.per_client, caps.in_all) == (1, 8)
    assert (job_caps({}).per_client, job_caps({}).in_all) == (2, 4)
    for name in ("SEED_SOIL_MAX_JOBS_PER_CLIENT", "SEED_SOIL_MAX_JOBS"):
        with pytest.raises(InvalidInput, match=name):
            job_caps({name: "0"})


@pytest.mark.slow
def test_a_bad_setting_stops_start_up_with_one_line(repo_root, tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SEED_SOIL_CACHE_DIR": str(tmp_path / "cache"),
        "SEED_SOIL_JOBS_DIR": str(tmp_path / "jobs"),
        "SEED_SOIL_CALLBACKS_PER_MINUTE": "lots",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "app.py: configuration error: SEED_SOIL_CALLBACKS_PER_MINUTE='lots' "
        "must be a whole number 0..1000000"
    )


@pytest.mark.slow
def test_gunicorn_answers_a_flood_through_a_proxy_with_429(free_port, tmp_path) -> None:
    """The production command: two workers (each counts alone without Redis), the client
    named by a declared proxy's X-Forwarded-For."""
    env = server_env(
        DASH_SECRET_KEY="test-secret",
        SEED_SOIL_CACHE_DIR=str(tmp_path / "cache"),
        SEED_SOIL_JOBS_DIR=str(tmp_path / "jobs"),
        SEED_SOIL_CALLBACKS_PER_SECOND="0",
        SEED_SOIL_CALLBACKS_PER_MINUTE="3",
        SEED_SOIL_TRUSTED_PROXIES="1",
    )
    env.pop("REDIS_URL", None)
    with serving(free_port, env, tmp_path / "gunicorn.log") as base:
        with urllib.request.urlopen(f"{base}/_dash-dependencies", timeout=10) as answer:
            dependencies = json.load(answer)
        with urllib.request.urlopen(f"{base}/_dash-layout", timeout=10) as answer:
            layout = json.load(answer)
        body = CallbackRequests(dependencies, layout).body(
            ABOUT, {"about-btn.n_clicks": 1, "about.is_open": False}, changed=["about-btn.n_clicks"]
        )
        request = urllib.request.Request(
            f"{base}/_dash-update-component",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.60"},
        )
        codes, refusals = [], []
        for _ in range(10):
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    codes.append(answer.status)
            except urllib.error.HTTPError as refused:
                codes.append(refused.code)
                refusals.append((refused.headers["Retry-After"], refused.read().decode()))
        assert set(codes) <= {200, 429} and codes.count(200) <= 2 * 3, codes
        retry_after, reason = refusals[-1]
        assert reason.startswith("Too many requests: at most 3 per 1 minute") and int(retry_after)
        assert get_status(f"{base}/health") == 200


# --- Callback limits in Redis ---------------------------------------------------------------


def test_with_redis_every_worker_shares_the_count_and_an_outage_is_no_error(
    make_app, redis_server
) -> None:
    env = {
        "REDIS_URL": redis_server.url,
        "SEED_SOIL_CALLBACKS_PER_SECOND": "0",
        "SEED_SOIL_CALLBACKS_PER_MINUTE": "3",
    }
    address = "203.0.113.9"
    # Two gunicorn workers, say: the same client reaches either.
    first, second = (Client(make_app(**env), address) for _ in range(2))
    assert [first.about().status_code for _ in range(3)] == [200] * 3
    assert second.about().status_code == 429
    with redis.Redis.from_url(redis_server.url) as store:
        assert any(address in key.decode() for key in store.keys("*seed-soil*"))

    redis_server.stop()  # the counts fall back to each worker's memory meanwhile
    assert second.about().status_code == 200


# --- Running background jobs ------------------------------------------------------------------


@pytest.fixture
def held_jobs(monkeypatch):
    """Jobs that run until the test ends them: each start is a real ``sleep`` process in
    place of the sweep's process (its pid is the job id, as with Dash's own manager)."""
    processes: list[subprocess.Popen] = []

    def start(self, key, job_fn, args, context) -> int:
        processes.append(subprocess.Popen(["sleep", "120"]))
        return processes[-1].pid

    monkeypatch.setattr(DiskcacheManager, "call_job_fn", start)
    yield processes
    for process in processes:
        process.kill()
        process.wait()


@pytest.fixture
def job_app(make_app):
    return make_app(
        SEED_SOIL_CALLBACKS_PER_SECOND="0",
        SEED_SOIL_CALLBACKS_PER_MINUTE="0",
        SEED_SOIL_MAX_JOBS_PER_CLIENT="2",
        SEED_SOIL_MAX_JOBS="3",
    )


def test_a_third_job_from_one_client_is_refused_until_one_ends(job_app, held_jobs) -> None:
    client = Client(job_app, "203.0.113.20")
    first, second = client.run_sweep(3), client.run_sweep(4)
    assert "job" in first and "job" in second
    refused = client.run_sweep(5)
    assert "job" not in refused and len(held_jobs) == 2
    assert _message(refused) == (
        "Sweep not started: too many jobs running: you already have 2 running (limit 2); "
        "wait for one to finish or cancel it."
    )
    assert refused["response"]["sweep-message"]["is_open"] is True

    held_jobs[0].kill()  # its process ends (done, or died): the slot is free
    held_jobs[0].wait()
    assert "job" in client.run_sweep(5)


def test_cancel_and_a_newer_run_free_the_slot(job_app, held_jobs) -> None:
    client = Client(job_app, "203.0.113.21")
    first, second = client.run_sweep(3), client.run_sweep(4)
    assert client.cancel(first).status_code == 200
    assert held_jobs[0].wait(10) is not None  # Cancel stopped the process
    third = client.run_sweep(5)
    assert "job" in third
    # Clicking Run again while a job runs replaces it (the renderer names it as oldJob).
    fourth = client.run_sweep(6, oldJob=second["job"])
    assert "job" in fourth and held_jobs[1].wait(10) is not None
    assert "job" not in client.run_sweep(7)  # third and fourth still run: 2 of 2


def test_the_server_wide_cap_counts_every_client(job_app, held_jobs) -> None:
    a, b, c = (Client(job_app, f"198.51.100.{n}") for n in (1, 2, 3))
    assert all("job" in answer for answer in (a.run_sweep(3), a.run_sweep(4), b.run_sweep(3)))
    refused = c.run_sweep(3)
    assert _message(refused) == (
        "Sweep not started: the server is busy: 3 jobs running (limit 3); try again in a minute."
    )
    held_jobs[2].kill()
    held_jobs[2].wait()
    assert "job" in c.run_sweep(3)


def test_a_real_sweep_frees_its_slot_when_done(make_app, tmp_path) -> None:
    app = make_app(SEED_SOIL_MAX_JOBS_PER_CLIENT="1", SEED_SOIL_CALLBACKS_PER_SECOND="0")
    client = Client(app, "203.0.113.30")
    handles = client.run_sweep(3)
    assert "job" in handles
    deadline = time.monotonic() + 120
    while True:  # poll as the renderer does, until the result arrives
        assert time.monotonic() < deadline, "the sweep gave no result"
        answer = client.poll(handles).get_json() or {}
        if "response" in answer:
            break
        time.sleep(0.2)
    assert answer["response"]["sweep-result"]["data"]["outcome"] == "burden.lung"
    assert "job" in client.run_sweep(3)  # the finished job no longer counts against 1


# --- Job slots in Redis (Celery) --------------------------------------------------------------


def test_celery_jobs_hold_their_slots_in_redis(redis_server, monkeypatch) -> None:
    """Queued Celery jobs (a worker is alive, none takes them yet) hold slots in Redis,
    shared by every web worker; a stop or a vanished worker frees them."""
    monkeypatch.setenv("SEED_SOIL_MAX_JOBS_PER_CLIENT", "1")
    monkeypatch.setenv("SEED_SOIL_MAX_JOBS", "2")
    celery_app = Celery("limits_test", broker=redis_server.url, backend=redis_server.url)
    manager = WatchedCeleryManager(celery_app)
    job_fn = manager.make_job_fn(lambda *args: None, False, key="limits-test")
    store = celery_app.backend.client
    store.set("seed-soil-workers-alive", "1")  # what a live worker keeps beating
    web = Flask("web")

    def start(address: str) -> str:
        with web.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return manager.call_job_fn(f"key-{address}", job_fn, [], {})

    first = start("203.0.113.40")
    with pytest.raises(JobRefused, match="you already have 1 running"):
        start("203.0.113.40")
    second = start("203.0.113.41")
    with pytest.raises(JobRefused, match="the server is busy: 2 jobs running"):
        start("203.0.113.42")
    slots = json.loads(store.get("seed-soil-job-slots"))
    assert set(slots) == {first, second} and 0 < store.ttl("seed-soil-job-slots") <= 3600
    # Another web worker sees the same slots.
    assert set(WatchedCeleryManager(celery_app).running_jobs()) == {first, second}

    manager.terminate_job(first)  # Cancel
    assert set(manager.running_jobs()) == {second}
    store.delete("seed-soil-workers-alive")  # every worker gone: queued jobs will never run
    assert manager.running_jobs() == {}
    store.set("seed-soil-workers-alive", "1")
    assert start("203.0.113.42") in manager.running_jobs()


def test_outside_a_request_only_the_server_wide_cap_applies(
    tmp_path, held_jobs, monkeypatch
) -> None:
    monkeypatch.delenv("SEED_SOIL_MAX_JOBS", raising=False)
    cache = diskcache.Cache(str(tmp_path / "jobs"))
    manager = WatchedDiskcacheManager(cache)
    try:
        jobs = [manager.call_job_fn(f"key-{n}", None, [], {}) for n in range(4)]
        assert set(manager.running_jobs()) == {str(job) for job in jobs}
        with pytest.raises(JobRefused, match="the server is busy: 4 jobs running"):
            manager.call_job_fn("key-5", None, [], {})
    finally:
        cache.close()
