"""bench/load_test.py runs simulated users against real gunicorn (2 workers) and reports each
level; it loads nothing but 127.0.0.1. Timings are the script's to print, never asserted here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load_test import parse_args

# The load test starts gunicorn: left out of scripts/test --fast.
pytestmark = pytest.mark.slow


def test_a_tiny_level_runs_against_real_gunicorn_without_errors(
    repo_root: Path, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "bench/load_test.py", "--users", "2", "--duration", "4",
         "--think", "0.1", "0.3", "--json", str(report_path)],
        cwd=repo_root, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(report_path.read_text())
    assert report["workers"] == 2 and report["settings"] == {"default": []}
    [level] = report["levels"]
    assert (level["setting"], level["users"]) == ("default", 2)
    assert level["errors"] == 0, level["error_samples"]
    # Each user loaded the page (3 GETs, then the page callback: an action); at least one
    # slider move followed.
    assert level["actions"] >= 2 + 1
    assert level["requests"] >= 2 * 3 + level["actions"]
    assert level["request_ms"].keys() == {"page", "callback", "all"}
    for latencies in [level["action_ms"], *level["request_ms"].values()]:
        assert latencies["p50"] <= latencies["p95"] <= latencies["p99"]
    assert level["requests_per_s"] > 0 and level["server_cpu_ms_per_action"] > 0
    assert level["alive_users_at_end"] == 0
    # The printed table has one row per level.
    rows = [line for line in result.stdout.splitlines() if line.split()[:2] == ["default", "2"]]
    assert len(rows) == 1


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5:8050", "http://localhost:8050", "https://127.0.0.1:8050", "http://0.0.0.0:1"],
)
def test_any_server_but_127_0_0_1_is_refused(url: str, capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        parse_args(["--server", url])
    assert refused.value.code == 2
    assert "only http://127.0.0.1:PORT may be load-tested" in capsys.readouterr().err


def test_a_local_server_is_accepted_and_levels_are_bounded() -> None:
    args = parse_args(["--server", "http://127.0.0.1:8050/", "--users", "5"])
    assert args.server == "http://127.0.0.1:8050" and args.users == [5]
    for bad in (["--users", "0"], ["--duration", "3600"], ["--think", "3", "1"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
