"""The runs' cache back-ends hold a bounded number of runs: ``RunFileCache`` (the default) prunes
a full folder in batches, oldest first, and what is left is read back as stored (real files in
a temporary folder); ``RunRedisCache`` (with REDIS_URL) keeps at most its threshold of runs in a
real redis-server, the newest."""

from __future__ import annotations

import os
import time

import pytest
import redis

from dashboard.cache import _THRESHOLD, RunFileCache, RunRedisCache, cache, cache_config
from dashboard.state import PageState
from model import SimulationResult, simulate

THRESHOLD = 10
KEEP = int(THRESHOLD * RunFileCache.LOW_WATER)


def _files(folder) -> set[str]:
    """Cache entries on disk (not the count file)."""
    count_file = os.path.basename(
        RunFileCache(str(folder))._get_filename(RunFileCache._fs_count_file)
    )
    return {name for name in os.listdir(folder) if name != count_file}


@pytest.fixture
def full(tmp_path) -> RunFileCache:
    """A cache holding ``THRESHOLD`` entries ``old-0`` (oldest) ... ``old-9``, a second apart."""
    runs = RunFileCache(str(tmp_path), threshold=THRESHOLD, default_timeout=3600)
    start = time.time() - 100
    for k in range(THRESHOLD):
        runs.set(f"old-{k}", {"run": k})
        os.utime(runs._get_filename(f"old-{k}"), (start + k, start + k))
    return runs


def test_a_store_into_a_full_folder_removes_the_oldest_down_to_the_low_water_mark(
    full, tmp_path
) -> None:
    full.set("one-more", {"run": "new"})  # the folder holds THRESHOLD + 1: over the threshold
    assert len(_files(tmp_path)) == THRESHOLD + 1
    full.set("next", {"run": "next"})  # finds it over: prunes, then stores
    files = _files(tmp_path)
    assert len(files) == KEEP + 1
    gone = THRESHOLD + 1 - KEEP
    for k in range(THRESHOLD):
        assert (full.get(f"old-{k}") is None) == (k < gone), k
    assert full.get("one-more") == {"run": "new"}
    assert full.get("next") == {"run": "next"}
    assert full._file_count == len(files)


def test_after_a_prune_the_next_stores_remove_nothing_until_the_folder_is_full_again(
    full, tmp_path
) -> None:
    full.set("one-more", {"run": "new"})
    full.set("prune", {"run": "prune"})
    kept = _files(tmp_path)
    for k in range(THRESHOLD - KEEP):  # back to THRESHOLD + 1 files: nothing removed
        full.set(f"after-{k}", k)
        assert kept <= _files(tmp_path)
    assert len(_files(tmp_path)) == THRESHOLD + 1
    full.set("prunes-again", 0)
    assert len(_files(tmp_path)) == KEEP + 1


def test_a_folder_below_the_threshold_is_left_alone(tmp_path) -> None:
    """Even when every store scans it (``RECOUNT_EVERY`` 1)."""

    class Scanning(RunFileCache):
        RECOUNT_EVERY = 1

    runs = Scanning(str(tmp_path), threshold=THRESHOLD, default_timeout=3600)
    for k in range(THRESHOLD):
        runs.set(f"run-{k}", k)
    assert len(_files(tmp_path)) == THRESHOLD
    assert [runs.get(f"run-{k}") for k in range(THRESHOLD)] == list(range(THRESHOLD))


def test_files_being_written_by_another_worker_are_neither_counted_nor_removed(
    full, tmp_path
) -> None:
    partial = tmp_path / f"tmpwriting{full._fs_transaction_suffix}"
    partial.write_bytes(b"half a run")
    full.set("one-more", 1)
    full.set("prune", 2)
    assert partial.exists()
    assert full._file_count == len(_files(tmp_path)) - 1 == KEEP + 1


def test_two_workers_storing_in_one_folder_keep_it_near_the_threshold(tmp_path) -> None:
    """Each worker counts its own stores and scans the folder every ``RECOUNT_EVERY`` of them:
    the folder never holds more than the threshold plus that many a worker."""

    class Worker(RunFileCache):
        RECOUNT_EVERY = 3

    workers = [Worker(str(tmp_path), threshold=THRESHOLD) for _ in range(2)]
    sizes = []
    for k in range(60):
        workers[k % 2].set(f"run-{k}", k)
        sizes.append(len(_files(tmp_path)))
    assert max(sizes) <= THRESHOLD + 2 * Worker.RECOUNT_EVERY
    assert max(sizes) > THRESHOLD  # neither worker alone saw the folder full at once
    assert min(sizes[THRESHOLD:]) >= KEEP
    # The last run, written after its store's prune, is read by either worker. (Which older
    # ones survive depends on file times, which the file system may round: not asserted.)
    assert workers[0].get("run-59") == workers[1].get("run-59") == 59


def test_the_app_stores_runs_in_a_run_file_cache_by_default(page, tmp_path) -> None:
    """Without REDIS_URL the app's runs go to ``RunFileCache`` in SEED_SOIL_CACHE_DIR (the
    ``page`` fixture sets it), with the default threshold."""
    with page.app.server.app_context():
        runs = cache.cache
    assert isinstance(runs, RunFileCache)
    assert runs._path == str(tmp_path / "cache")
    assert runs._threshold == cache_config()["CACHE_THRESHOLD"] == _THRESHOLD


def _run_keys(client: redis.Redis) -> set[str]:
    return {k.decode() for k in client.keys("seed-soil:run:*")}


def test_redis_keeps_at_most_the_threshold_of_runs_the_newest(redis_server) -> None:
    runs = RunRedisCache(
        redis.from_url(redis_server.url), key_prefix="seed-soil:", threshold=THRESHOLD
    )
    client = redis.from_url(redis_server.url)
    for k in range(THRESHOLD):
        runs.set(f"run:{k}", {"run": k}, timeout=3600)
    assert len(_run_keys(client)) == THRESHOLD
    runs.set(f"run:{THRESHOLD}", {"run": THRESHOLD}, timeout=3600)  # one over: pruned
    kept = _run_keys(client)
    assert kept == {f"seed-soil:run:{k}" for k in range(THRESHOLD + 1 - KEEP, THRESHOLD + 1)}
    assert runs.get(f"run:{THRESHOLD}") == {"run": THRESHOLD}
    assert runs.get("run:0") is None
    assert 0 < client.ttl("seed-soil:run:9") <= 3600
    assert 0 < client.ttl(f"seed-soil:{RunRedisCache.INDEX}") <= 3600


def test_two_workers_storing_real_runs_keep_redis_within_the_threshold(redis_server) -> None:
    """60 runs of ~240 kB through two workers' caches: never more than the threshold of runs,
    and Redis's memory stays near what that many take."""
    state = PageState.for_scenario("kaplan2005-llc")
    result = simulate(state.params, state.days)
    workers = [
        RunRedisCache(
            redis.from_url(redis_server.url), key_prefix="seed-soil:", threshold=THRESHOLD
        )
        for _ in range(2)
    ]
    client = redis.from_url(redis_server.url)
    size = len(workers[0].serializer.dumps(result))
    for k in range(60):
        workers[k % 2].set(f"run:{k}", result, timeout=3600)
        assert len(_run_keys(client)) <= THRESHOLD
    assert client.info("memory")["used_memory"] < 2 * THRESHOLD * size
    assert isinstance(workers[1].get("run:58"), SimulationResult)
    assert workers[0].get("run:0") is None


def test_runs_already_expired_leave_the_index_and_are_not_counted(redis_server) -> None:
    runs = RunRedisCache(redis.from_url(redis_server.url), key_prefix="p:", threshold=THRESHOLD)
    client = redis.from_url(redis_server.url)
    index = f"p:{RunRedisCache.INDEX}"
    for k in range(THRESHOLD - 1):
        runs.set(f"old-{k}", k, timeout=3600)
    # As if stored two hours ago: their keys gone, their index entries old.
    client.zadd(index, {f"old-{k}": time.time() - 7200 for k in range(THRESHOLD - 1)})
    client.delete(*(f"p:old-{k}" for k in range(THRESHOLD - 1)))
    runs.set("new", 1, timeout=3600)
    assert client.zrange(index, 0, -1) == [b"new"]
    assert runs.get("new") == 1


def test_with_redis_the_app_stores_runs_in_a_run_redis_cache(redis_server, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    config = cache_config()
    assert config["CACHE_THRESHOLD"] == _THRESHOLD
    from dashboard import create_app

    app = create_app()
    with app.server.app_context():
        runs = cache.cache
    assert isinstance(runs, RunRedisCache) and runs._threshold == _THRESHOLD
    runs.set("run:probe", 1, timeout=60)
    assert redis.from_url(redis_server.url).exists("seed-soil:run:probe")
