"""bench/ab_browser.py reads each checkout's own browser bench: what it prints, and what an older
bench (without the newer lines) leaves unknown."""

from pathlib import Path

from bench.ab_browser import Run, _bench, _pair

NEW_BENCH_OUTPUT = """\
Chromium 1400x900, gunicorn 2 workers, 127.0.0.1, load 1.00
first figure drawn              2676 ms after navigation start (target <= 2000)
  main thread before it         1421 ms in long tasks (scripts compiled and run, rendering, drawing)
every figure drawn once         3391 ms after navigation start
slider -> figures redrawn   median    432 ms   p95    565 ms   (4 changes)
slider -> figures on screen median    341 ms   p95    452 ms   (drawn by Plotly)
slider -> figures painted   median    366 ms   p95    470 ms   (the frame that shows them)
    all but (program)               445.1 ms
"""
OLD_BENCH_OUTPUT = """\
first figure drawn              2819 ms after navigation start (target <= 2000)
slider -> figures redrawn   median    468 ms   p95    565 ms   (4 changes)
"""


def _checkout(root: Path, output: str) -> Path:
    (root / "bench").mkdir(parents=True)
    (root / "bench" / "bench_browser.py").write_text(f"print({output!r}, end='')\n")
    return root


def test_a_run_is_read_from_the_checkouts_own_bench(tmp_path: Path) -> None:
    new = _bench(_checkout(tmp_path / "new", NEW_BENCH_OUTPUT), changes=4, profile=0)
    assert new == Run(slider=432, first=2676, script=445.1, seen=341, busy=1421, painted=366)
    old = _bench(_checkout(tmp_path / "old", OLD_BENCH_OUTPUT), changes=4, profile=0)
    assert old == Run(slider=468, first=2819, script=None, seen=None, busy=None)


def test_pairs_print_the_ratio_old_over_new_or_what_is_known() -> None:
    assert _pair(1891.0, 1421.0, 1000, 2) == "1.89 / 1.42 (1.33)"
    assert _pair(None, 341.0) == "n/a / 341"
    assert _pair(None, None) == "n/a"
