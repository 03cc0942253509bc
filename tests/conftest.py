"""Fixtures shared by all tests."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.processes import stop as stop_process

REPO_ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it: xdist-safe)."""
    return _free_port()


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts a real redis-server (the ``redis_server`` fixture, directly or
    through another fixture) is slow: ``scripts/test --fast`` leaves it out."""
    for item in items:
        if "redis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_server(tmp_path: Path):
    """A real redis-server on 127.0.0.1 (random port, no persistence): ``.url``, and
    ``stop()`` / ``start()`` for outages mid-test. Skipped where redis-server is missing,
    except in CI (``CI`` set), where scripts/test installs it and its absence is a failure."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (scripts/test installs it as root)")
        pytest.skip("redis-server is not installed (run scripts/test as root)")
    port = _free_port()  # its own: a test's app may hold ``free_port``
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(tmp_path)]  # fmt: skip
    processes: list[subprocess.Popen] = []

    def start() -> None:
        processes.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        deadline = time.monotonic() + 20
        while not _accepts(port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop() -> None:
        stop_process(processes[-1])

    start()
    try:
        yield SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", start=start, stop=stop)
    finally:
        if processes[-1].poll() is None:
            stop()
