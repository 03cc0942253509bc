"""Background job managers that notice a job whose process died, and bound a job's threads.

Dash's managers treat "the job is not running and left no result" as a cancelled job: the
buttons reset, nothing is said, and the user cannot tell a killed worker (out of memory, a
restarted machine) from their own Cancel click. These managers remember the jobs stopped on
purpose (Cancel, a newer run, a result collected) and report any other job that vanished as a
failed one, so the page's ``on_error`` handler can say so.

On Celery a whole worker can vanish with its task still marked pending; so a Celery job beats
a heartbeat into Redis while it runs, and a started job whose heartbeat stopped is lost too.
Every worker also beats a presence key: a job still queued while no worker is alive (none was
started, or all died) is refused rather than left waiting for ever.

Both managers also cap how many jobs run at once, per client and in all (``JobCaps``): each
job holds a slot in the job store (diskcache, or Redis with Celery) from its start until it is
stopped on purpose, or found finished or dead when the next job asks; a slot also expires after
``SLOT_TTL``, so a crash can never hold one for ever. A job over a cap is refused with
``JobRefused``, whose message the page shows.

A job runs only while its page asks after it: the page polls every second, and a job no page
has polled for ``UNWATCHED_AFTER`` (its page closed or reloaded) is stopped, freeing its slot
and its CPU; were the page only asleep, it says why when it wakes (``JOB_UNWATCHED``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping

import diskcache
import multiprocess
import multiprocess.util
import numba
from celery import Celery, current_task
from celery.signals import worker_ready
from dash import CeleryManager, DiskcacheManager

from dashboard.config import whole_number
from dashboard.limits import JobCaps, client_address, job_caps

__all__ = [
    "JOB_LOST",
    "JOB_UNWATCHED",
    "NO_WORKER",
    "JobRefused",
    "WatchedCeleryManager",
    "WatchedDiskcacheManager",
    "job_threads",
    "with_thread_bound",
]

#: Seconds a running job may go without its page asking after it before it is stopped. The
#: page asks every second; a browser slows the timers of a tab in the background, to once a
#: minute after five minutes (Chrome's intensive throttling), so three minutes is no page.
UNWATCHED_AFTER = 180
#: Seconds between two renewals of a job's slot by its polls (per server process): a poll
#: every second need not take the slots' lock and rewrite them every second.
RENEW_EVERY = 30
JOB_LOST = "its process ended without a result (killed, or out of memory?)"
NO_WORKER = "no Celery worker is running to take it (start one: celery -A app:celery_app worker)"
JOB_UNWATCHED = (
    f"no page had asked after it for {UNWATCHED_AFTER // 60} minutes (closed, reloaded or "
    "asleep), so it was stopped to free the server; run it again"
)
#: What a job that ended without a result reports (``on_error`` shows it to the user).
JOB_ENDINGS = (JOB_LOST, NO_WORKER, JOB_UNWATCHED)
_STOPPED_FOR = 24 * 3600  # seconds a "stopped on purpose" mark is kept
HEARTBEAT_EVERY = 2.0  # seconds between a Celery job's heartbeats
HEARTBEAT_TTL = 15  # seconds without a heartbeat after which a started Celery job is lost
_WORKERS_KEY = "seed-soil-workers-alive"  # refreshed by every live worker, expires otherwise
SLOT_TTL = 3600  # seconds a running job's slot is held at most, whatever became of the job
_SLOTS_KEY = "seed-soil-job-slots"  # {job id: {"client": address or None, "since": epoch s}}
_SLOTS_LOCK = "seed-soil-job-slots-lock"
_LOCK_EXPIRE = 30  # seconds: a lock whose holder crashed is free again after this


class JobRefused(Exception):
    """A job not started: a cap on running jobs is reached (the message says which)."""


def _refusal(caps: JobCaps, mine: int, running: int) -> str | None:
    """Why one more job may not start while ``running`` jobs run, ``mine`` of them this
    client's (None: it may start)."""
    if mine >= caps.per_client:
        return (
            f"too many jobs running: you already have {mine} running (limit "
            f"{caps.per_client}); wait for one to finish or cancel it"
        )
    if running >= caps.in_all:
        return (
            f"the server is busy: {running} job{'s' * (running != 1)} running "
            f"(limit {caps.in_all}); try again in a minute"
        )
    return None


def _beat(redis, key: str, done: threading.Event) -> None:
    """Set ``key`` (expiring after HEARTBEAT_TTL) now, and from a daemon thread every
    HEARTBEAT_EVERY seconds until ``done`` is set."""
    redis.set(key, "1", ex=HEARTBEAT_TTL)

    def beat() -> None:
        while not done.wait(HEARTBEAT_EVERY):
            redis.set(key, "1", ex=HEARTBEAT_TTL)

    threading.Thread(target=beat, name=f"heartbeat {key}", daemon=True).start()


class _Watched:
    """Mixin over a Dash background-callback manager (``handle``, ``UNDEFINED``, ...)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._renewed: dict[str, float] = {}  # job id -> when this process last renewed it

    def _mark_stopped(self, job, why: str | None = "") -> None:
        """Remember that ``job`` was stopped on purpose: quietly (``why`` empty: Cancel, a
        newer run, a result collected) or for a reason its page is told; None forgets it (a
        new job, on a pid that may be reused)."""
        raise NotImplementedError

    def _was_stopped(self, job) -> str | None:
        """None, or why ``job`` was stopped on purpose ("" for quietly)."""
        raise NotImplementedError

    def _slots_lock(self) -> contextlib.AbstractContextManager:
        """A lock shared by every process using this job store."""
        raise NotImplementedError

    def _load_slots(self) -> dict[str, dict]:
        raise NotImplementedError

    def _save_slots(self, slots: dict[str, dict]) -> None:
        """Store ``slots``, the whole record expiring ``SLOT_TTL`` after this write."""
        raise NotImplementedError

    def _live_slots(self) -> dict[str, dict]:
        """The slots of jobs still at work (or queued for a live worker), under the lock; a
        job no page has asked after for ``UNWATCHED_AFTER`` is stopped here."""
        now = time.time()
        live = {}
        for job, slot in self._load_slots().items():
            if now - slot["since"] >= SLOT_TTL or self._ending(job) is not None:
                continue
            if now - slot.get("seen", slot["since"]) >= UNWATCHED_AFTER:
                self._mark_stopped(job, JOB_UNWATCHED)  # before the kill, as terminate_job
                super().terminate_job(job)  # the manager's own: the slot goes with ``live``
                continue
            live[job] = slot
        return live

    def running_jobs(self) -> dict[str, dict]:
        """Jobs holding a slot: job id -> {"client", "since", "seen"} (last asked after)."""
        with self._slots_lock():
            return self._live_slots()

    def call_job_fn(self, key, job_fn, args, context):
        """Start the job if the caps allow it (``JobRefused`` otherwise) and give it a slot.
        Runs inside the callback request: the client is the request's address."""
        client, caps = client_address(), job_caps()
        with self._slots_lock():
            slots = self._live_slots()
            mine = sum(1 for slot in slots.values() if client and slot["client"] == client)
            reason = _refusal(caps, mine, len(slots))
            if reason:
                raise JobRefused(reason)
            job = super().call_job_fn(key, job_fn, args, context)
            self._mark_stopped(job, None)  # a reused pid starts with a clean slate
            now = time.time()
            slots[str(job)] = {"client": client, "since": now, "seen": now}
            self._save_slots(slots)
        return job

    def _asked_after(self, job) -> None:
        """The job's page polled it: its slot is renewed, at most every ``RENEW_EVERY``
        (and then any unwatched job is stopped)."""
        now = time.time()
        if now - self._renewed.get(str(job), -math.inf) < RENEW_EVERY:
            return
        self._renewed = {j: t for j, t in self._renewed.items() if now - t < UNWATCHED_AFTER}
        self._renewed[str(job)] = now
        with self._slots_lock():
            slots = self._live_slots()
            if str(job) in slots:
                slots[str(job)]["seen"] = time.time()
            self._save_slots(slots)

    def terminate_job(self, job):
        """Cancel, a newer run, a result collected: the job stops and frees its slot."""
        if job is not None:
            self._mark_stopped(job)  # before the kill: a poll racing it must see the mark
            with self._slots_lock():
                slots = self._load_slots()
                if slots.pop(str(job), None) is not None:
                    self._save_slots(slots)
        return super().terminate_job(job)

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(with_thread_bound(fn), progress, key)

    def _ending(self, job) -> str | None:
        """None while the job is at work (here: its process runs), else why it ended."""
        return None if self.job_running(job) else JOB_LOST

    def get_result(self, key, job):
        """Called on every poll of the job's page (Dash's), with the job's id."""
        if job is not None:
            self._asked_after(job)
        result = super().get_result(key, job)
        if result is not self.UNDEFINED or job is None:
            return result
        ending = self._ending(job)
        stopped = self._was_stopped(job)
        if ending is None or stopped == "":
            return result  # still at work, or cancelled: Dash closes the loop quietly
        # The job may have written its result and exited between the two looks.
        result = super().get_result(key, job)
        if result is self.UNDEFINED:
            return {"background_callback_error": {"msg": stopped or ending, "tb": ""}}
        return result


def _stop_job_processes() -> None:
    """Kill the job processes this process started and that still run.

    A process exiting waits for its running children (multiprocess joins them at exit): a web
    worker told to stop (gunicorn's SIGTERM, Ctrl-C on ``python app.py``) with a job running
    waited for the job, was killed after gunicorn's 30 s grace, and left the job running on,
    orphaned, for minutes. Its user's page says the job was lost (``JOB_LOST``)."""
    for job in multiprocess.active_children():
        job.kill()


_stopping_in: int | None = None  # the process whose exit stops its jobs


def _stop_job_processes_at_exit() -> None:
    """Have this process's exit run ``_stop_job_processes`` (once per process).

    Run by multiprocess at exit before it joins the children (priority >= 0 comes first). A
    finalizer runs only in the process that made it, so each web worker makes its own when it
    starts its first job: one made at import would be gunicorn's master's (``--preload``)."""
    global _stopping_in
    if _stopping_in != os.getpid():
        _stopping_in = os.getpid()
        multiprocess.util.Finalize(None, _stop_job_processes, exitpriority=10)


class WatchedDiskcacheManager(_Watched, DiskcacheManager):
    """Jobs in local processes (the default, no extra server); they stop when the process that
    started them exits."""

    def call_job_fn(self, key, job_fn, args, context):
        _stop_job_processes_at_exit()
        return super().call_job_fn(key, job_fn, args, context)

    def _mark_stopped(self, job, why: str | None = "") -> None:
        if why is None:
            self.handle.delete(f"seed-soil-stopped-{job}")
        else:
            self.handle.set(f"seed-soil-stopped-{job}", why, expire=_STOPPED_FOR)

    def _was_stopped(self, job) -> str | None:
        return self.handle.get(f"seed-soil-stopped-{job}")

    def _slots_lock(self) -> contextlib.AbstractContextManager:
        # A key, not a transaction: the job process is forked while the lock is held.
        return diskcache.Lock(self.handle, _SLOTS_LOCK, expire=_LOCK_EXPIRE)

    def _load_slots(self) -> dict[str, dict]:
        return self.handle.get(_SLOTS_KEY, {})

    def _save_slots(self, slots: dict[str, dict]) -> None:
        self.handle.set(_SLOTS_KEY, slots, expire=SLOT_TTL)


class WatchedCeleryManager(_Watched, CeleryManager):
    """Jobs on Celery workers (``REDIS_URL``, a Redis result backend).

    A pool process killed mid-task leaves the task FAILED (WorkerLostError); a worker killed
    outright leaves it PENDING for ever. Dash alone takes the first for a cancellation and
    polls the second without end; here both are lost jobs."""

    def _mark_stopped(self, job, why: str | None = "") -> None:
        key = f"seed-soil-stopped-{job}"
        if why is None:
            self.handle.backend.delete(key)
        else:
            self.handle.backend.client.set(key, why, ex=_STOPPED_FOR)

    def _was_stopped(self, job) -> str | None:
        why = self.handle.backend.client.get(f"seed-soil-stopped-{job}")
        return None if why is None else why.decode()

    @contextlib.contextmanager
    def _slots_lock(self) -> Iterator[None]:
        lock = self.handle.backend.client.lock(
            _SLOTS_LOCK, timeout=_LOCK_EXPIRE, blocking_timeout=_LOCK_EXPIRE
        )
        with lock:
            yield

    def _load_slots(self) -> dict[str, dict]:
        stored = self.handle.backend.client.get(_SLOTS_KEY)
        return json.loads(stored) if stored else {}

    def _save_slots(self, slots: dict[str, dict]) -> None:
        self.handle.backend.client.set(_SLOTS_KEY, json.dumps(slots), ex=SLOT_TTL)

    def __init__(self, celery_app: Celery, *args, **kwargs):
        super().__init__(celery_app, *args, **kwargs)
        backend = celery_app.backend

        @worker_ready.connect(weak=False)
        def announce(sender=None, **_):  # in each worker process, once it is ready
            _beat(backend.client, _WORKERS_KEY, threading.Event())

    def _ending(self, job) -> str | None:
        if not self.job_running(job):
            return JOB_LOST
        backend = self.handle.backend
        if backend.get(f"seed-soil-started-{job}") is not None:
            return None if backend.get(f"seed-soil-alive-{job}") is not None else JOB_LOST
        if backend.get(_WORKERS_KEY) is not None:
            return None  # queued behind other jobs: a worker will take it
        self.handle.control.revoke(job)  # a worker started later must not run it unasked
        return NO_WORKER

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(self._with_heartbeat(fn), progress, key)

    def _with_heartbeat(self, fn):
        """``fn`` run in a worker, beating ``seed-soil-alive-<task id>`` (expiring) meanwhile."""

        @functools.wraps(fn)
        def beating(*args, **kwargs):
            job = current_task.request.id
            done = threading.Event()
            _beat(self.handle.backend.client, f"seed-soil-alive-{job}", done)
            self.handle.backend.set(f"seed-soil-started-{job}", "1")  # after the first beat
            try:
                return fn(*args, **kwargs)
            finally:
                done.set()

        return beating


def job_threads(env: Mapping[str, str] | None = None) -> int:
    """Threads one background job may use (``SEED_SOIL_JOB_THREADS``, validated).

    Default: every core numba sees (fastest sweeps). A lab serving many users on one host can
    bound it so a running sweep leaves cores to the page's own requests.
    """
    cores = numba.config.NUMBA_NUM_THREADS
    return whole_number("SEED_SOIL_JOB_THREADS", cores, 1, cores, env)


def with_thread_bound(fn: Callable) -> Callable:
    """``fn`` (a background job) running its numba-parallel work on ``job_threads()`` threads.

    numba's thread count is per calling thread, so it is set inside the job, in whatever
    process or worker runs it."""

    @functools.wraps(fn)
    def bounded(*args, **kwargs):
        numba.set_num_threads(job_threads())
        return fn(*args, **kwargs)

    return bounded
