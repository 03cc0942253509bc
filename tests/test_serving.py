"""The production command, `gunicorn app:server`, serves the page on a real socket."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# create_app() warms up the model (numba load or compile): slow on a busy 2-core machine.
STARTUP_SECONDS = 90


def get_status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited during start-up"
        try:
            if get_status(url) == 200:
                return
        except OSError:  # refused, reset, or timed out while the worker is still booting
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not healthy within {STARTUP_SECONDS} s")


def test_gunicorn_serves_health_and_page(free_port: int, repo_root: Path, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port}"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{free_port}"]
            # gunicorn 27's control socket is one per user ($HOME/.gunicorn/gunicorn.ctl):
            # parallel instances would take it from each other.
            + ["--workers", "2", "--preload", "--no-control-socket", "app:server"],
            cwd=repo_root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(f"{base}/health", process)
        assert get_status(f"{base}/") == 200
    except BaseException:
        print(log_path.read_text())
        raise
    finally:
        process.terminate()
        process.wait(timeout=30)
