"""Limits for a server shared by many users: how fast one client may send callback requests,
and how many background jobs may run at once (per client and in all).

Every figure, export and job goes through Dash's callback endpoint (``POST
/_dash-update-component``). Without a limit one script could ask for hundreds of renders a
second and every one was answered: Flask-Limiter now counts them per client address (in Redis
when ``REDIS_URL`` is set, so every worker and host shares the count; otherwise in each worker's
memory) and answers a client over its limit ``429`` with a one-line reason and ``Retry-After``.
Nothing else is limited: ``/health``, the page, its scripts and assets.

The defaults stay far above what a person sends (a page load is a burst of about ten
callbacks, a slider released or a number typed a few more, a running job polls once a second)
and well below a script's flood. A client's address is what the socket says; behind a reverse
proxy every user would share the proxy's, so ``SEED_SOIL_TRUSTED_PROXIES`` tells how many
proxies' ``X-Forwarded-For`` entries to believe (werkzeug's ``ProxyFix``). Without declared
proxies, requests from the machine itself (loopback) get no per-client limit: they are the
host's own probes, scripts and tests, or a proxy on the same host. A container's published
port is different: every request arrives from the Docker bridge's gateway, so all users behind
it share one client's allowance and job cap until the proxy in front is declared. Behind
declared proxies loopback is not exempt (a forged header could claim it). The server-wide cap
on running jobs applies to every request.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from dash import Dash
from flask import Response, current_app, has_request_context, request
from flask_limiter import Limiter, RequestLimit
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.cache import redis_url
from dashboard.config import whole_number

__all__ = [
    "JobCaps",
    "callback_limits",
    "client_address",
    "job_caps",
    "register_limits",
    "trusted_proxies",
]

UPDATE_PATH = "_dash-update-component"
#: Callback requests one client may send a second: a page load (~10) twice over.
PER_SECOND = 20
#: ... and a minute: 10 a second sustained for a whole minute, more than anyone clicks.
PER_MINUTE = 600
_MOST_REQUESTS = 1_000_000
#: Background jobs one client may run at once (a sweep and an analysis side by side).
JOBS_PER_CLIENT = 2
#: Background jobs running at once on the whole server (each ~250 MB and, by default, every
#: core): a few users' jobs, not six from one tab.
JOBS_IN_ALL = 4
_MOST_JOBS = 1000
_MOST_PROXIES = 5
_PROXIES_KEY = "SEED_SOIL_TRUSTED_PROXIES"  # in the Flask config, set by register_limits


def callback_limits(env: Mapping[str, str] | None = None) -> list[str]:
    """Per-client limits on callback requests, as Flask-Limiter strings (validated):
    ``SEED_SOIL_CALLBACKS_PER_SECOND`` and ``SEED_SOIL_CALLBACKS_PER_MINUTE``; 0 turns one off."""
    second = whole_number("SEED_SOIL_CALLBACKS_PER_SECOND", PER_SECOND, 0, _MOST_REQUESTS, env)
    minute = whole_number("SEED_SOIL_CALLBACKS_PER_MINUTE", PER_MINUTE, 0, _MOST_REQUESTS, env)
    return [f"{n} per 1 {unit}" for n, unit in ((second, "second"), (minute, "minute")) if n]


def trusted_proxies(env: Mapping[str, str] | None = None) -> int:
    """Reverse proxies in front of the app whose ``X-Forwarded-For`` entry names the client
    (``SEED_SOIL_TRUSTED_PROXIES``, validated; 0: none, the socket's address is the client)."""
    return whole_number("SEED_SOIL_TRUSTED_PROXIES", 0, 0, _MOST_PROXIES, env)


@dataclass(frozen=True)
class JobCaps:
    """Background jobs allowed to run at once: per client, and on the whole server."""

    per_client: int
    in_all: int


def job_caps(env: Mapping[str, str] | None = None) -> JobCaps:
    """``SEED_SOIL_MAX_JOBS_PER_CLIENT`` and ``SEED_SOIL_MAX_JOBS`` (validated)."""
    return JobCaps(
        whole_number("SEED_SOIL_MAX_JOBS_PER_CLIENT", JOBS_PER_CLIENT, 1, _MOST_JOBS, env),
        whole_number("SEED_SOIL_MAX_JOBS", JOBS_IN_ALL, 1, _MOST_JOBS, env),
    )


def client_address() -> str | None:
    """Who the current request counts against: its client's address (an IPv6 client by its
    /64 network, which one household or host holds whole); None outside a request and for the
    machine itself (loopback, or a unix socket's peer), which no per-client limit applies to.

    Behind declared proxies (``SEED_SOIL_TRUSTED_PROXIES``) the address is the forwarded one,
    and loopback is not exempt: the header could claim it."""
    if not has_request_context():
        return None
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None  # no IP address: a unix socket, on this machine
    ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:127.0.0.1 is 127.0.0.1
    # Read once by register_limits (not the environment on every request).
    if ip.is_loopback and not current_app.config.get(_PROXIES_KEY, 0):
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _too_many(limit: RequestLimit) -> Response:
    """The answer to a request over its limit: 429, one plain line, ``Retry-After``."""
    wait = max(1, math.ceil(limit.window.reset_time - time.time()))
    text = f"Too many requests: at most {limit.limit} from one client; retry in {wait} s"
    return Response(text, status=429, mimetype="text/plain", headers={"Retry-After": str(wait)})


def register_limits(app: Dash) -> Limiter:
    """Count callback requests per client (call before ``register_guard``: a refused request
    is not even parsed). Reads the settings now, so a bad one stops start-up."""
    limits = callback_limits()
    proxies = trusted_proxies()
    job_caps()  # read by the job managers at each start; checked here at start-up
    server = app.server
    server.config[_PROXIES_KEY] = proxies
    if proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies)
    path = app.config.routes_pathname_prefix + UPDATE_PATH
    url = redis_url()
    limiter = Limiter(
        lambda: client_address() or "",  # never None here: exempt() lets those through
        app=server,
        default_limits=limits,
        storage_uri=(url.replace("unix://", "redis+unix://", 1) if url else "memory://"),
        # A Redis outage must not turn every callback into a 500: count in memory meanwhile.
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1} if url else {},
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix="seed-soil",
        on_breach=_too_many,
        headers_enabled=False,  # _too_many says when to retry; other answers need no headers
    )

    @limiter.request_filter
    def exempt() -> bool:
        """Anything but a callback request, and the machine's own requests."""
        return request.method != "POST" or request.path != path or client_address() is None

    return limiter
