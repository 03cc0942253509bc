"""bench/bench_cache.py fills a cache folder as a server in service would hold it, and compares
storing into it with cachelib's cache and ours. Timings are the script's to print, never
asserted here."""

import subprocess
import sys
from pathlib import Path

from bench.bench_cache import fill
from dashboard.cache import RunFileCache
from model import SimulationResult


def test_a_filled_folder_is_read_by_the_apps_cache_with_its_count(tmp_path: Path) -> None:
    fill(str(tmp_path), 25, threshold=30)
    runs = RunFileCache(str(tmp_path), threshold=30)
    assert runs._file_count == 25
    assert isinstance(runs.get("fill-0"), SimulationResult)
    assert isinstance(runs.get("fill-24"), SimulationResult)
    assert runs.get("fill-25") is None
    times = sorted(p.stat().st_mtime_ns for p in tmp_path.iterdir())
    assert len(set(times)) >= 25  # written apart: the oldest are removed first


def test_the_script_compares_both_caches_on_a_small_folder(repo_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_cache.py", "--stored", "40", "--stores", "5"],
        cwd=repo_root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("5 stores into a folder holding 40 runs")
    assert "reference: cachelib FileSystemCache" in lines[1] and "files left 45" in lines[1]
    assert "ours RunFileCache" in lines[2] and "files left 45" in lines[2]
    assert lines[3].startswith("ours stores ") and lines[3].endswith("(means, pruning included)")
