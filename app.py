"""Entry point: `gunicorn app:server` in production, `python app.py` for a local run.

`python app.py` serves on HOST (default 127.0.0.1) and PORT (default 8050); Dash's debug
mode (hot reload, in-page error overlay) only when SEED_SOIL_DEBUG=1.
"""

import os
import signal
import sys

from dashboard import create_app
from dashboard.compression import warm_bundles
from dashboard.security import VersionlessRequestHandler
from model import InvalidInput

#: ``python app.py`` with SEED_SOIL_DEBUG=1: Dash's debug mode (never under gunicorn).
DEBUG = __name__ == "__main__" and os.environ.get("SEED_SOIL_DEBUG") == "1"

try:
    app = create_app(debug=DEBUG)
except InvalidInput as exc:  # a bad environment variable: say which, and stop
    sys.exit(f"app.py: configuration error: {exc}")
server = app.server
celery_app = app.celery_app  # with REDIS_URL set: `celery -A app:celery_app worker`


def port_from_env() -> int:
    """The PORT environment variable as a TCP port; exits with a one-line message if invalid."""
    raw = os.environ.get("PORT", "8050")
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 65535):
        sys.exit(f"app.py: PORT must be an integer from 1 to 65535, got {raw!r}")
    return int(raw)


if __name__ == "__main__":
    port = port_from_env()
    # A stop by a service manager (SIGTERM) exits as Ctrl-C does, through the exit handlers:
    # the sweeps and analyses still running stop with the server (``dashboard.jobs``). Killed
    # outright by the default handler, it left them running on, orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The first visit's files compressed before it (gunicorn.conf.py too). Not in debug mode:
    # Dash then serves its development bundles, and sets its tools up as it starts, which Flask
    # refuses once a request has been answered (warming is one).
    if not DEBUG:
        warm_bundles(server)
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=port,
        debug=DEBUG,
        # Dash's tools would ask plotly.com for a newer version: the page's CSP refuses it.
        dev_tools_disable_version_check=True,
        request_handler=VersionlessRequestHandler,  # a Server header without versions
    )
