"""bench/ab_server.py's summary: medians and p95s of each kind of time, and the ratios
old / new; bench/serving.py's ``checkout`` of a directory."""

import pytest

from bench.ab_server import summary
from bench.serving import checkout


def test_the_summary_gives_medians_p95s_and_ratios_old_over_new() -> None:
    old = {"round trip": [0.012, 0.010, 0.020, 0.011], "in the server": [0.009, 0.008, 0.016]}
    new = {"round trip": [0.006, 0.005, 0.010, 0.008], "in the server": [0.006, 0.004, 0.020]}
    assert summary(old, new).splitlines() == [
        "               old median new median  ratio    old p95  new p95  ratio",
        "round trip          11.50       7.00   1.64      20.00    10.00   2.00",
        "in the server        9.00       6.00   1.50      16.00    20.00   0.80",
    ]


def test_a_directory_is_checked_out_as_it_is(tmp_path) -> None:
    with checkout(str(tmp_path)) as root:
        assert root == tmp_path
    assert tmp_path.is_dir()  # not removed: it was not made here


def test_a_commit_is_checked_out_in_a_worktree_removed_afterwards() -> None:
    import subprocess

    from bench.serving import ROOT

    with checkout("HEAD") as root:
        assert (root / "app.py").is_file() and (root / "bench" / "serving.py").is_file()
        listed = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout  # fmt: skip
        assert str(root) in listed
    assert not root.exists()
    listed = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    assert str(root) not in listed


@pytest.mark.slow  # starts two gunicorn servers
def test_a_short_run_serves_both_and_times_every_change_in_the_server(repo_root) -> None:
    """This checkout against itself (a directory: no worktree), the old one run by the
    interpreter given: both are served, and timed both ways (round trip, and in the server by
    gunicorn's log)."""
    import re
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "bench/ab_server.py", str(repo_root), "--old-python", sys.executable,
         "--changes", "4", "--turn", "2", "--workers", "1"],
        cwd=repo_root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {
        line[:14].strip(): [float(n) for n in re.findall(r"\d+\.\d+", line[14:])]
        for line in result.stdout.splitlines()[2:]
    }
    assert rows.keys() == {"round trip", "in the server"}
    for numbers in rows.values():
        assert len(numbers) == 6 and all(n > 0 for n in numbers)
    # A change's time in the server is part of its round trip.
    assert rows["in the server"][0] < rows["round trip"][0]
