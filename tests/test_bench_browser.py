"""bench/bench_browser.py times a slider move in real Chromium against real gunicorn and, with
``--profile``, splits the main thread's time per move by script. Timings are the script's to
print, never asserted here."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_browser import by_script


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
