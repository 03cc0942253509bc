"""gunicorn reads this file from the working directory (the repository root; /app in the image).

More than one worker starts only with a shared DASH_SECRET_KEY
(``dashboard.security.secret_key_problem``). Each worker answers several requests at once in
threads (``gthread``), so a long render or a slow client no longer holds up the quick state
callbacks queued behind it. With 50 simulated users on 2 workers (bench/load_test.py, the
settings taking turns in one run) its action p95 beat the one-request ``sync`` worker's in 5 of
7 paired levels (125-150 ms against 224-517 ms on the quietest machine; 2.4 s against 17 s
under load average 15) and trailed in 2 (144-254 against 59-78 ms); 2 threads did worse than
4, 8 no better. The command line sets the rest (and may override these).

Before the workers serve, the files a first visit fetches are compressed (``when_ready`` with
``--preload``, as in the Dockerfile: once, inherited by every worker; ``post_worker_init``
otherwise), so no visitor waits for it.
"""

from dashboard.compression import warm_bundles
from dashboard.security import secret_key_problem

worker_class = "gthread"
threads = 4


def on_starting(server) -> None:
    """Stop before any worker starts; gunicorn prints "Error: <reason>" and exits with 1."""
    problem = secret_key_problem(server.cfg.workers)
    if problem:
        raise RuntimeError(problem)


def _warm(wsgi_app, log) -> None:
    """Compress what a first visit fetches (``dashboard.compression.warm_bundles``), and say so."""
    log.info("Compressed the %d files a first visit fetches", len(warm_bundles(wsgi_app)))


def when_ready(server) -> None:
    """With --preload the app is built here, before any worker: compress once, and every
    worker inherits it."""
    if server.cfg.preload_app:
        _warm(server.app.wsgi(), server.log)


def post_worker_init(worker) -> None:
    """Without --preload each worker builds its own app: it compresses its own copy."""
    if not worker.cfg.preload_app:
        _warm(worker.wsgi, worker.log)
