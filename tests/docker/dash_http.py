"""Drive a served Seed & Soil app over plain HTTP, as the browser's Dash renderer does.

Used by scripts/docker-check against the container's published port (standard library only, so
the host needs no project virtualenv):

    python3 tests/docker/dash_http.py http://127.0.0.1:PORT page    # page load: files, 2 callbacks
    python3 tests/docker/dash_http.py http://127.0.0.1:PORT sweep   # a 3 x 3 background sweep

``page`` replays what a first page load sends: a GET of every script and stylesheet the page
links from the server (the image drops files Dash serves only in debug mode), the page-state
callback (every input as the layout holds it, the URL empty), then the render callback with
the page state (it simulates the model and draws every figure). ``sweep`` clicks "Run sweep"
on a 3 x 3 map and polls the background job to its end, as the renderer does (signed
``cacheKey``/``job`` handles bound to the page's ``endId``). Each prints one line of JSON; any
failure exits 1 with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.dash_requests import CallbackRequests, prop_id  # noqa: E402
from tests.dash_tree import layout_components  # noqa: E402


class CheckFailed(Exception):
    """A check did not pass: the message is the one-line reason."""


def _split(output: str) -> list[str]:
    return output[2:-2].split("...") if output.startswith("..") else [output]


class App:
    """One served app: its callbacks, its layout and the page's ``endId``."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        page = self._get("/").decode()
        self.page = page
        found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page)
        if not found:
            raise CheckFailed("the page has no _dash-config")
        self.config = json.loads(found.group(1))
        self.dependencies = json.loads(self._get("/_dash-dependencies"))
        self.layout = json.loads(self._get("/_dash-layout"))
        self.requests = CallbackRequests(self.dependencies, self.layout)
        self.props: dict[str, dict] = {}
        for component in layout_components(self.layout):
            component_id = component["props"].get("id")
            if component_id is not None:
                key = prop_id(component_id, "")[:-1]
                self.props[key] = {"_type": component["type"], **component["props"]}

    def _get(self, path: str) -> bytes:
        try:
            with urllib.request.urlopen(self.base + path, timeout=self.timeout) as response:
                return response.read()
        except (OSError, urllib.error.HTTPError) as exc:
            raise CheckFailed(f"GET {path} failed: {exc}") from exc

    def post(self, body: dict, **query: str) -> tuple[int, dict]:
        """POST /_dash-update-component; (status, JSON answer or {})."""
        url = f"{self.base}/_dash-update-component"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else {}
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            raise CheckFailed(
                f"callback {body['output'][:60]} answered {exc.code}: {detail}"
            ) from exc
        except OSError as exc:
            raise CheckFailed(f"callback {body['output'][:60]} failed: {exc}") from exc

    def _dependency(self, output: str) -> dict:
        found = [d for d in self.dependencies if _split(d["output"])[0] == output]
        if len(found) != 1:
            raise CheckFailed(f"{len(found)} callbacks have the first output {output!r}")
        return found[0]

    def _names(self, entry: Mapping) -> list[str]:
        """``id.property`` of each item of one input or state (every match of an ALL id)."""
        spec, prop = entry["id"], entry["property"]
        if not spec.startswith("{"):
            return [prop_id(spec, prop)]
        pattern = json.loads(spec)
        return [
            f"{key}.{prop}"
            for key in self.props
            if key.startswith("{")
            and (component_id := json.loads(key)).keys() == pattern.keys()
            and all(v == ["ALL"] or component_id[k] == v for k, v in pattern.items())
        ]

    def body(self, output: str, overrides: Mapping[str, object], changed=()) -> dict:
        """The request for the callback whose first output is ``output``: every input and
        state as the layout holds it (the renderer's first call), then ``overrides``; a
        ``dcc.Location`` reads as the page ``/`` with no query or fragment."""
        dependency = self._dependency(output)
        values = {}
        for entry in [*dependency["inputs"], *dependency["state"]]:
            for name in self._names(entry):
                key, prop = name.rsplit(".", 1)
                props = self.props.get(key, {})
                if props.get("_type") == "Location":
                    location = {"pathname": "/", "search": "", "hash": "", "href": self.base + "/"}
                    values[name] = location.get(prop)
                else:
                    values[name] = props.get(prop)
        unknown = set(overrides) - set(values)
        if unknown:
            raise CheckFailed(f"callback {output}: no input or state {sorted(unknown)}")
        values.update(overrides)
        try:
            return self.requests.body(output, values, changed=changed)
        except ValueError as exc:
            raise CheckFailed(str(exc)) from exc


def page_state(app: App, answer: dict) -> object:
    """The page state after the page-state callback: what it wrote, or (when it left the
    store as it was, nothing having changed) the store's value in the layout."""
    written = answer.get("response", {}).get("state", {}).get("data")
    return written if written is not None else app.props.get("state", {}).get("data")


def page_files(app: App) -> int:
    """GET every script and stylesheet the page links from this server, as a browser does on
    load; the number of files (each must answer 200 with a body)."""
    paths = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="(/[^"/][^"]*)"', app.page)
    for path in paths:
        if not app._get(path.replace("&amp;", "&")):
            raise CheckFailed(f"GET {path} answered an empty body")
    return len(paths)


def page_load(app: App) -> dict:
    """The page's scripts and stylesheets, then the page callback's first call: the state and
    the Explore tab drawn for it (a simulation, every figure) in one answer."""
    started = time.perf_counter()
    files = page_files(app)
    status, answer = app.post(app.body("state.data", {}))
    state = page_state(app, answer)
    if status != 200 or not isinstance(state, dict):
        raise CheckFailed(f"the page callback answered {status} without a state: {answer}")
    figure = answer.get("response", {}).get("cascade-graph", {}).get("figure") or {}
    traces = len(figure.get("data") or [])
    if traces == 0:
        raise CheckFailed("the page callback answered without the cascade figure's traces")
    return {
        "files": files,
        "callbacks": 1,
        "traces": traces,
        "seconds": round(time.perf_counter() - started, 2),
    }


def sweep(app: App, points: int = 3, timeout: float = 180.0) -> dict:
    """Click "Run sweep" (a ``points`` x ``points`` map) and poll the job to its result."""
    started = time.perf_counter()
    status, answer = app.post(app.body("state.data", {}))
    state = page_state(app, answer)
    overrides = {
        "sweep-run.n_clicks": 1,
        "sweep-mode.value": "2d",
        "sweep-x-n.value": points,
        "sweep-y-n.value": points,
        "state.data": state,
    }
    body = app.body("sweep-result.data", overrides, ["sweep-run.n_clicks"])
    end_id = app.config.get("end_id")
    if not end_id:
        raise CheckFailed("the page config has no end_id (a newer Dash?)")
    status, started_job = app.post(body, endId=end_id)
    if status != 200 or "job" not in started_job or "cacheKey" not in started_job:
        raise CheckFailed(f"the sweep did not start as a background job: {status} {started_job}")
    # Polls carry the handles and, like the renderer's, no input or state values.
    poll = json.loads(json.dumps(body))
    for item in [*poll["inputs"], *poll.get("state", [])]:
        for each in item if isinstance(item, list) else [item]:
            each["value"] = None
    query = {"endId": end_id, "cacheKey": started_job["cacheKey"], "job": started_job["job"]}
    polls = 0
    while True:
        if time.perf_counter() - started > timeout:
            raise CheckFailed(f"the sweep had no result after {timeout:.0f} s ({polls} polls)")
        time.sleep(0.5)
        polls += 1
        status, answer = app.post(poll, **query)
        if status == 204:
            raise CheckFailed("the sweep ended without a result (cancelled or lost)")
        if "response" in answer:
            break
    response = answer["response"]
    message = response.get("sweep-message", {}).get("children")
    result = response.get("sweep-result", {}).get("data")
    if not isinstance(result, dict):
        raise CheckFailed(f"the sweep answered without a result: {message or answer}")
    z = result.get("z") or []
    if len(z) != points or any(len(row) != points for row in z):
        raise CheckFailed(f"the sweep result is not {points} x {points}: {result}")
    return {
        # The job handle is "<job>~<signature>": the Celery task id (or the local process id)
        # that scripts/docker-check looks for in the worker's log.
        "job": str(started_job["job"]).rpartition("~")[0],
        "sweep": f"{points}x{points}",
        "outcome": result.get("outcome"),
        "polls": polls,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the served app, e.g. http://127.0.0.1:8050")
    parser.add_argument("what", choices=["page", "sweep"])
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds (sweep)")
    args = parser.parse_args()
    try:
        app = App(args.base)
        done = page_load(app) if args.what == "page" else sweep(app, timeout=args.timeout)
    except CheckFailed as exc:
        print(f"dash_http: {args.what}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
