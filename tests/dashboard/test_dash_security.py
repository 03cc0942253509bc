"""Security headers on every kind of response, and the shared-secret rule for several workers."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from dashboard.security import (
    VersionlessRequestHandler,
    content_security_policy,
    secret_key_problem,
)
from dashboard.state import PageState
from model import Parameters


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def _assert_secure(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert _directives(response)["frame-ancestors"] == ["'none'"]
    assert not re.search(r"\d", response.headers.get("Server", ""))  # no version named


@pytest.mark.parametrize(
    "path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css", "/health", "/nope"]
)
def test_every_response_carries_the_security_headers(page, path) -> None:
    with page.client.get(path) as response:  # a static file stays open until closed
        _assert_secure(response)


def test_callback_responses_and_guard_refusals_carry_them_too(page) -> None:
    ok = page.update_state(PageState(Parameters()), changed=None, search="")
    assert ok.status_code == 200
    _assert_secure(ok)
    refused = page.client.post("/_dash-update-component", json={"output": "nope"})
    assert refused.status_code == 400
    _assert_secure(refused)


def test_scripts_run_only_from_the_app_and_its_own_inline_scripts(page) -> None:
    directives = _directives(page.client.get("/"))
    hashes = list(page.app.csp_hashes())
    # The renderer's start-up line and the two clientside callbacks.
    assert len(hashes) >= 3
    assert directives["script-src"] == ["'self'", *hashes]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert {"data:", "blob:"} <= set(directives["img-src"])  # PNG and SVG export


def test_the_inline_scripts_of_the_page_are_all_hashed_as_a_browser_hashes_them(page) -> None:
    html = page.client.get("/").get_data(as_text=True)
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # Dash's IE notice is never run
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    executed = [body for attrs, body in inline if "application/json" not in attrs]
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in executed
    }
    assert executed and hashes <= set(_directives(page.client.get("/"))["script-src"])


def test_the_policy_text() -> None:
    assert content_security_policy(["'sha256-abc='"]) == (
        "default-src 'self'; script-src 'self' 'sha256-abc='; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )


def test_the_development_server_names_no_version(page) -> None:
    """``python app.py`` serves with this handler; Werkzeug's own names itself and Python."""
    server = make_server("127.0.0.1", 0, page.app.server, request_handler=VersionlessRequestHandler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/health", timeout=5) as answer:
            assert answer.headers.get_all("Server") == ["Werkzeug"]
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("workers", "env", "refused"),
    [
        (1, {}, False),
        (2, {}, True),
        (2, {"DASH_SECRET_KEY": ""}, True),
        (4, {"DASH_SECRET_KEY": "s3cret"}, False),
    ],
)
def test_several_workers_need_a_shared_secret(workers, env, refused) -> None:
    problem = secret_key_problem(workers, env)
    assert (problem is not None) == refused
    if refused:
        assert "DASH_SECRET_KEY" in problem and "\n" not in problem
