"""bench/bench_browser.py times a slider move in real Chromium against real gunicorn and, with
``--profile``, splits the main thread's time per move by script. Timings are the script's to
print, never asserted here."""

import os
import re
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from bench.bench_browser import by_script, cpu_seconds, wait_until_idle


def _frame(name: str, url: str = "") -> dict:
    return {"functionName": name, "url": url, "scriptId": "0", "lineNumber": 0, "columnNumber": 0}


def test_profile_samples_are_summed_by_script_file_without_fingerprints_or_idle_time() -> None:
    base = "http://127.0.0.1:8050/_dash-component-suites/dash"
    profile = {
        "nodes": [
            {"id": 1, "callFrame": _frame("(idle)")},
            {"id": 2, "callFrame": _frame("a", f"{base}/dash_renderer.v4_4_1m17961.min.js")},
            {
                "id": 3,
                "callFrame": _frame("b", "http://x/assets/plotly-seedsoil-4.1.1.min.js?m=1"),
            },
            {"id": 4, "callFrame": _frame("getBBox")},
            {"id": 5, "callFrame": _frame("(program)")},
            {"id": 6, "callFrame": _frame("(garbage collector)")},
        ],
        "samples": [1, 2, 3, 3, 4, 5, 6, 2],
        "timeDeltas": [9000, 1000, 2000, 3000, 500, 700, 300, 1000],  # microseconds
    }
    assert by_script(profile) == {
        "dash_renderer": 2.0,
        "plotly-seedsoil": 5.0,
        "(DOM and built-ins)": 0.5,
        "(program)": 0.7,
        "(garbage collector)": 0.3,
    }


#: A child that uses BUSY seconds of CPU, then sleeps.
BUSY = 1.5
_SPIN = f"import time\nwhile time.process_time() < {BUSY}: pass\ntime.sleep(60)"


def test_the_browser_is_measured_once_it_is_idle_not_while_it_is_still_busy() -> None:
    # The bench waits for a started Chromium's own work to end before opening the page: a
    # process tree busy for BUSY seconds of CPU is waited for, then let go.
    parent = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys\n"
                               f"subprocess.run([sys.executable, '-c', {_SPIN!r}])"],
                              start_new_session=True)  # fmt: skip
    try:
        time.sleep(0.2)  # the child started
        used = partial(cpu_seconds, parent.pid)
        start = used()
        waited = wait_until_idle(used, window=0.25, timeout=30)
        spun = used() - start  # the child's CPU time during the wait: its spin, counted
        assert spun > BUSY - 0.6
        assert spun - 0.1 < waited < 20  # not let go before the spin ended
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the child too
        parent.wait()
    # Nothing running: let go after two quiet windows.
    assert wait_until_idle(lambda: 0.0, window=0.05) < 1


@pytest.mark.slow
def test_a_short_run_in_chromium_prints_latency_phases_and_script_time(repo_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_browser.py", "--changes", "2", "--profile", "2",
         "--width", "1024", "--height", "768", "--presentation"],
        cwd=repo_root, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    first = re.search(r"first figure drawn\s+(\d+) ms", out)
    busy = re.search(r"main thread before it\s+(\d+) ms in long tasks", out)
    assert first and busy and 0 < int(busy.group(1)) <= int(first.group(1))
    assert "1024x768, presentation mode" in out
    every = re.search(r"slider -> figures redrawn\s+median\s+(\d+) ms", out)
    seen = re.search(r"slider -> figures on screen\s+median\s+(\d+) ms", out)
    assert every and seen and int(seen.group(1)) <= int(every.group(1))
    painted = re.search(r"slider -> figures painted\s+median\s+(\d+) ms", out)
    assert painted and int(painted.group(1)) >= int(seen.group(1))  # a paint follows a draw
    assert re.search(r"requests:\s+median\s+1\b", out)  # one round trip per move
    scripts = dict(re.findall(r"^    (plotly-seedsoil|dash_renderer)\s+([\d.]+) ms", out, re.M))
    assert set(scripts) == {"plotly-seedsoil", "dash_renderer"}  # both drew in every move
    assert all(float(ms) > 0 for ms in scripts.values())
