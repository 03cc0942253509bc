"""Fuzzing every callback: random JSON in every input and state never makes the server answer 5xx.

Requests are built from the app's own ``/_dash-dependencies`` and layout (tests/dash_requests.py),
so every callback and every input/state property is covered, and sent through Flask's test client.
A value the page cannot use is refused with its message (200) or ignored (204); the request
guard answers 400 only for a malformed envelope. Derandomized: the same examples every run.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.dash_requests import _split
from tests.dashboard.conftest import DashPage
from tests.dashboard.fuzzing import JSON_VALUES, derandomized, item_names

EXAMPLES = 400


@pytest.fixture(scope="module")
def fuzz_page(tmp_path_factory) -> DashPage:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.delenv("REDIS_URL", raising=False)
        from dashboard import create_app

        return DashPage(create_app())


def _server_callbacks(page: DashPage) -> list[dict]:
    """Every callback the server runs: not clientside ones, not background jobs (each example
    would start a process; their inputs are validated in ``test_dash_guard``/sweep tests)."""
    served = page.app.callback_map
    return [
        d
        for d in page.requests.dependencies
        if "callback" in served.get(d["output"], {}) and not served[d["output"]].get("background")
    ]


def _first_output(dependency: dict) -> str:
    return _split(dependency["output"])[0]


def test_every_callback_is_fuzzed(fuzz_page: DashPage) -> None:
    outputs = {_first_output(d) for d in _server_callbacks(fuzz_page)}
    assert {"state.data", "reference.data", "url.hash", "sweep-graph.figure"} <= outputs


@derandomized(EXAMPLES)
@given(data=st.data())
def test_random_values_never_give_a_server_error(fuzz_page: DashPage, data) -> None:
    callbacks = _server_callbacks(fuzz_page)
    # The page-state callback takes the most inputs (and all outside ones): drawn more often.
    main = [d for d in callbacks if _first_output(d) == "state.data"]
    dependency = data.draw(st.sampled_from(callbacks + main * 8), label="callback")
    inputs, states = item_names(fuzz_page.requests, dependency)
    changed = data.draw(st.lists(st.sampled_from(inputs), max_size=2, unique=True))
    # A few random values at a time (the rest None, as for a property never set), always for
    # the inputs that changed: each example reaches the check it aims at.
    fuzzed = data.draw(st.lists(st.sampled_from(inputs + states), max_size=6, unique=True))
    values = dict.fromkeys(inputs + states) | {
        name: data.draw(JSON_VALUES, label=name) for name in dict.fromkeys(changed + fuzzed)
    }
    body = fuzz_page.requests.body(_first_output(dependency), values, changed=changed)
    response = fuzz_page.client.post("/_dash-update-component", json=body)
    # The envelope is the renderer's, so not even the guard's 400 is expected: only the page's
    # answer (200, a refusal shown in its message banner) or nothing to update (204).
    assert response.status_code in (200, 204), (
        f"{response.status_code} for {json.dumps(body, default=str)[:600]}"
    )
    assert "Traceback" not in response.get_data(as_text=True)
