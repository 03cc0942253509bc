"""Time storing a run into a full file-system cache: cachelib's FileSystemCache against ours.

    python bench/bench_cache.py [--stored 2000] [--stores 800]

A server that has been up a while holds ``--stored`` runs in its cache folder (the default
back-end's threshold). Each new slider position stores one more run, after its answer has
been sent but in the worker that answers the next one. This stores ``--stores`` new runs into
such a folder, once with cachelib's ``FileSystemCache`` (the reference: it prunes on every store
once full) and once with ``dashboard.cache.RunFileCache`` (prunes in batches), each in a fresh
copy of the same folder, and prints median, p95 and the mean store time (the mean counts the
batches' prunes), with their ratio. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cachelib import FileSystemCache  # noqa: E402

from bench.serving import percentile  # noqa: E402
from dashboard.cache import _THRESHOLD, _TIMEOUT_S, RunFileCache  # noqa: E402
from dashboard.state import PageState  # noqa: E402
from model import simulate  # noqa: E402


def fill(folder: str, stored: int, threshold: int = _THRESHOLD) -> None:
    """Put ``stored`` runs (copies of one real run under distinct keys, written a millisecond
    apart) into ``folder``, as the app's cache would hold them, count file included."""
    if stored <= 0:
        return
    state = PageState.for_scenario("kaplan2005-llc")
    # cachelib's own class writes the files (ours reads the same), so the folder suits an
    # older commit's server too (bench_dashboard.py --stored against it).
    cache = FileSystemCache(folder, threshold=threshold, default_timeout=_TIMEOUT_S)
    cache.set("fill-0", simulate(state.params, state.days))
    data = Path(cache._get_filename("fill-0")).read_bytes()
    start = time.time() - stored * 1e-3
    for k in range(stored):
        path = cache._get_filename(f"fill-{k}")
        Path(path).write_bytes(data)
        os.utime(path, (start + k * 1e-3, start + k * 1e-3))
    cache._update_count(value=stored)


def _stores(kind: type[FileSystemCache], folder: str, stores: int) -> list[float]:
    state = PageState.for_scenario("kaplan2005-llc")
    result = simulate(state.params, state.days)
    cache = kind(folder, threshold=_THRESHOLD, default_timeout=_TIMEOUT_S)
    seconds = []
    for k in range(stores):
        start = time.perf_counter()
        cache.set(f"new-{k}", result)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=_THRESHOLD)
    parser.add_argument("--stores", type=int, default=800)
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix="seed-soil-bench-cache-")
    try:
        fill(f"{base}/full", args.stored)
        means = {}
        print(f"{args.stores} stores into a folder holding {args.stored} runs "
              f"(threshold {_THRESHOLD}):")  # fmt: skip
        for label, kind in (("reference: cachelib", FileSystemCache), ("ours", RunFileCache)):
            folder = f"{base}/{kind.__name__}"
            shutil.copytree(f"{base}/full", folder)
            ms = [s * 1000 for s in _stores(kind, folder, args.stores)]
            means[label] = statistics.mean(ms)
            count_file = os.path.basename(
                RunFileCache(folder)._get_filename(RunFileCache._fs_count_file)
            )
            left = len(set(os.listdir(folder)) - {count_file})  # cachelib's count file, if any
            print(f"{label + ' ' + kind.__name__:40} median {statistics.median(ms):7.2f} ms   "
                  f"p95 {percentile(ms, 95):7.2f} ms   max {max(ms):7.2f} ms   "
                  f"mean {means[label]:7.2f} ms   files left {left}")  # fmt: skip
        ratio = means["reference: cachelib"] / means["ours"]
        print(f"ours stores {ratio:.1f}x faster (means, pruning included)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
