"""Background jobs that die are reported, cancelled ones are not (real processes, real diskcache).

A job here is a real child process (``sleep``): its pid is the job id, as with Dash's
DiskcacheManager. The Celery variant is exercised against a real worker in
tests/browser/test_celery.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import diskcache
import numba
import psutil
import pytest
from dash import DiskcacheManager, no_update

from dashboard import jobs
from dashboard.jobs import (
    JOB_LOST,
    JOB_UNWATCHED,
    RENEW_EVERY,
    SLOT_TTL,
    UNWATCHED_AFTER,
    JobRefused,
    WatchedDiskcacheManager,
    job_threads,
)
from dashboard.results import job_failed
from model import InvalidInput


@pytest.fixture
def manager(tmp_path):
    cache = diskcache.Cache(str(tmp_path / "jobs"))
    yield WatchedDiskcacheManager(cache)
    cache.close()


@pytest.fixture
def job():
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def _lost(result) -> bool:
    return isinstance(result, dict) and result["background_callback_error"]["msg"] == JOB_LOST


def test_a_running_job_has_no_result_yet(manager, job) -> None:
    assert manager.get_result("key", str(job.pid)) is manager.UNDEFINED


def test_a_job_killed_from_outside_is_reported_lost(manager, job) -> None:
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert _lost(manager.get_result("key", str(job.pid)))


def test_a_job_that_died_unreaped_as_a_zombie_is_reported_lost(manager, job) -> None:
    job.send_signal(signal.SIGKILL)
    # Not reaped: the process stays a zombie, which Dash counts as not running.
    zombie = psutil.Process(job.pid)
    deadline = time.monotonic() + 10
    while zombie.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.01)  # the kill is delivered asynchronously
    assert _lost(manager.get_result("key", str(job.pid)))


def test_a_cancelled_job_is_not_reported(manager, job) -> None:
    manager.terminate_job(str(job.pid))  # what Cancel and a superseding run do
    job.wait(5)  # gone
    assert manager.get_result("key", str(job.pid)) is manager.UNDEFINED


def test_a_new_job_on_a_reused_pid_is_not_taken_for_the_cancelled_one(
    manager, job, monkeypatch
) -> None:
    manager.terminate_job(str(job.pid))  # an old job, cancelled
    job.wait(5)
    # A new job's process is given the same pid (as the kernel may, in time), then dies.
    monkeypatch.setattr(DiskcacheManager, "call_job_fn", lambda *args: job.pid)
    assert manager.call_job_fn("key", None, [], {}) == job.pid
    assert _lost(manager.get_result("key", str(job.pid)))  # it died: said so, not "cancelled"


def test_a_finished_job_returns_its_result(manager, job) -> None:
    manager.handle.set("key", {"answer": 42})
    job.kill()
    job.wait()
    assert manager.get_result("key", str(job.pid)) == {"answer": 42}


def test_a_result_written_just_before_the_process_exits_is_not_lost(manager, job) -> None:
    """The job writes its result and exits between the manager's two looks."""
    job.kill()
    job.wait()
    real_job_running = manager.job_running

    def finishing(job_id) -> bool:
        manager.handle.set("key", {"late": True})
        return real_job_running(job_id)

    manager.job_running = finishing
    assert manager.get_result("key", str(job.pid)) == {"late": True}


def test_the_page_says_the_job_was_lost_and_keeps_the_last_result() -> None:
    result, message, is_open = job_failed("Sweep")(
        RuntimeError(f"An error occurred inside a background callback: {JOB_LOST}\n")
    )
    assert result is no_update and is_open
    assert message.startswith("Sweep stopped: its process ended without a result")
    assert "last result is kept" in message


def test_a_refused_job_is_said_not_started_and_keeps_the_last_result() -> None:
    refusal = "the server is busy: 4 jobs running (limit 4); try again in a minute"
    result, message, is_open = job_failed("Sensitivity analysis")(JobRefused(refusal))
    assert result is no_update and is_open
    assert message == f"Sensitivity analysis not started: {refusal}."


def test_a_job_holds_its_slot_while_it_runs_and_never_longer_than_the_slot_ttl(
    manager, job, monkeypatch
) -> None:
    monkeypatch.setattr(DiskcacheManager, "call_job_fn", lambda *args: job.pid)
    manager.call_job_fn("key", None, [], {})
    assert list(manager.running_jobs()) == [str(job.pid)]
    # A slot taken SLOT_TTL ago (its pid since reused by some other process, say) is free.
    slots = manager.handle.get("seed-soil-job-slots")
    slots[str(job.pid)]["since"] -= SLOT_TTL
    manager.handle.set("seed-soil-job-slots", slots)
    assert manager.running_jobs() == {}


class _Clock:
    """The jobs module's clock (``time.time``), moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_a_job_no_page_asks_after_is_stopped_and_its_page_told_why(
    manager, job, monkeypatch
) -> None:
    """A page closed or reloaded mid-sweep no longer holds a slot and a CPU until the job ends
    (or for SLOT_TTL): a job its page polls runs on, one left unpolled is stopped."""
    clock = _Clock()
    monkeypatch.setattr(jobs, "time", clock)
    monkeypatch.setattr(DiskcacheManager, "call_job_fn", lambda *args: job.pid)
    manager.call_job_fn("key", None, [], {})
    # Its page polls (Dash: get_result, every second) just within the lease, twice: it runs on,
    # although it started more than a lease ago.
    for _ in range(2):
        clock.now += UNWATCHED_AFTER - 1
        assert manager.get_result("key", str(job.pid)) is manager.UNDEFINED
    assert list(manager.running_jobs()) == [str(job.pid)] and job.poll() is None
    # Then no poll for a lease: the next look at the slots stops it and frees its slot.
    clock.now += UNWATCHED_AFTER
    assert manager.running_jobs() == {}
    job.wait(5)  # killed (reaped by the manager's kill: no exit status left to read)
    # A page that was only asleep wakes to a reason, not to a silent cancel or "lost".
    error = manager.get_result("key", str(job.pid))["background_callback_error"]
    assert error["msg"] == JOB_UNWATCHED
    message = job_failed("Sweep")(RuntimeError(error["msg"]))[1]
    assert message.startswith("Sweep stopped: no page had asked after it for 3 minutes")


def test_a_job_s_polls_renew_its_slot_at_most_every_renew_every(manager, job, monkeypatch) -> None:
    """Polls come every second; the slots (behind a lock shared by every server process) are
    rewritten once in RENEW_EVERY."""
    clock = _Clock()
    monkeypatch.setattr(jobs, "time", clock)
    monkeypatch.setattr(DiskcacheManager, "call_job_fn", lambda *args: job.pid)
    manager.call_job_fn("key", None, [], {})
    writes = []
    save = manager._save_slots
    monkeypatch.setattr(manager, "_save_slots", lambda slots: writes.append(1) or save(slots))
    for _ in range(2 * RENEW_EVERY):  # a minute of polls, one a second
        clock.now += 1
        assert manager.get_result("key", str(job.pid)) is manager.UNDEFINED
    assert len(writes) == 2


def test_job_threads_default_to_every_core_and_are_validated() -> None:
    cores = numba.config.NUMBA_NUM_THREADS
    assert job_threads({}) == cores
    assert job_threads({"SEED_SOIL_JOB_THREADS": "1"}) == 1
    for bad in ("0", str(cores + 1), "two", "-1", "1.5", "", "٣"):
        with pytest.raises(InvalidInput, match="SEED_SOIL_JOB_THREADS"):
            job_threads({"SEED_SOIL_JOB_THREADS": bad})


def test_a_job_runs_its_parallel_work_on_the_bounded_thread_count(manager, monkeypatch) -> None:
    """The manager's job function (what a job process or worker runs) sets numba's count
    in the thread that runs the job; numba's setting is per thread, so run it in a new one."""
    monkeypatch.setenv("SEED_SOIL_JOB_THREADS", "1")
    seen = []
    job = manager.make_job_fn(lambda: seen.append(numba.get_num_threads()), False)
    runner = threading.Thread(target=job, args=("result-key", "progress-key", [], {}))
    runner.start()
    runner.join(30)
    assert seen == [1]  # numba's default here is every core (2 on CI)


# As gunicorn with --preload: a process imports the app, forks a worker; the worker starts a
# job through Dash's DiskcacheManager path (a multiprocess child) that would run for a
# minute, prints its pid and exits. The first process waits for the worker.
_EXIT_WITH_A_JOB_RUNNING = """
import os, sys, time
import diskcache
from dashboard.jobs import WatchedDiskcacheManager

def job_fn(*_):
    time.sleep(60)

manager = WatchedDiskcacheManager(diskcache.Cache(sys.argv[1]))
worker = os.fork()
if worker == 0:
    print(manager.call_job_fn("key", job_fn, (), {}), flush=True)
    time.sleep(0.5)
    sys.exit(0)
_, status = os.waitpid(worker, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.slow
def test_a_server_process_exiting_stops_its_running_jobs(tmp_path, repo_root) -> None:
    """A web worker told to stop waited for its running job (gunicorn killed it after 30 s)
    and left the job running on, orphaned, for minutes."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _EXIT_WITH_A_JOB_RUNNING, str(tmp_path / "jobs")],
        cwd=repo_root, capture_output=True, text=True, timeout=50,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.monotonic() - started < 30  # not the job's minute
    job = int(done.stdout.split()[0])
    until = time.monotonic() + 5
    while psutil.pid_exists(job) and psutil.Process(job).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < until, f"job {job} still runs after its server process exited"
        time.sleep(0.05)
