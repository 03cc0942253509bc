"""Stopping the servers the tests start (gunicorn, Celery, redis-server) so none outlives its
test, however loaded the machine."""

import subprocess
from pathlib import Path

#: gunicorn's graceful stop gives its workers graceful_timeout (30 s) before it kills them, so
#: a stop must be allowed longer than that: on a loaded 2-core CI machine (Chromium and the
#: Docker check's containers running beside the tests) a stop once took longer than that.
STOP_SECONDS = 60


def stop(process: subprocess.Popen, log: Path | None = None) -> None:
    """SIGTERM ``process`` (as ``docker stop`` would) and reap it. If it is still running after
    STOP_SECONDS it is killed, reaped, and the stop fails with the tail of ``log``: a
    server that ignores SIGTERM is a defect, and no process is ever left behind."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
        raise AssertionError(
            f"{process.args} still ran {STOP_SECONDS} s after SIGTERM; killed.\n{tail}"
        ) from None
