"""Fixtures for the dashboard tests: cached model runs, upload data URLs, and a Dash test client
that posts callback requests shaped exactly like the ones the browser's renderer sends."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import lru_cache

import pytest

from dashboard.callbacks import scenario_changed
from dashboard.controls import CONTROL_SPECS, INPUT, SLIDER
from dashboard.ids import control_id
from dashboard.state import PageState, slider_position, to_query
from model import GROUPS, InvalidInput, Parameters, SimulationResult, simulate
from model.hypotheses import HYPOTHESES, hypothesis_of
from model.scenarios import SCENARIOS
from tests.dash_requests import CallbackRequests, prop_id

SLIDER_SPECS = tuple(s for s in CONTROL_SPECS if not s.optional)


@lru_cache(maxsize=16)
def _simulate_cached(params: Parameters, days: float) -> SimulationResult:
    return simulate(params, days)


@pytest.fixture(scope="session")
def default_result() -> SimulationResult:
    """The default (Kaplan 2005 LLC) run over 30 days."""
    return _simulate_cached(Parameters(), 30.0)


@pytest.fixture(scope="session")
def reference_result() -> SimulationResult:
    """A different 30-day run to pin as reference: the anti-VEGFR1 scenario."""
    return _simulate_cached(SCENARIOS["kaplan2005-anti-vegfr1"].parameters(), 30.0)


@pytest.fixture(scope="session")
def breast_result() -> SimulationResult:
    """A long human run: breast cancer resected on day 1,034, 20 years of follow-up."""
    scenario = SCENARIOS["breast-resection-dormancy"]
    return _simulate_cached(scenario.parameters(), scenario.days)


@pytest.fixture(scope="session")
def dawson_reference() -> SimulationResult:
    """The anti-VEGFR1 experiment under the Dawson hypothesis (niche without VEGFR1)."""
    params = HYPOTHESES["dawson"].apply(SCENARIOS["kaplan2005-anti-vegfr1"].parameters())
    return _simulate_cached(params, 30.0)


def _data_url(payload: bytes | str | object, *, raw: bool = False) -> str:
    if raw:
        data = payload if isinstance(payload, bytes) else str(payload).encode()
    else:
        data = json.dumps(payload).encode()
    return "data:application/json;base64," + base64.b64encode(data).decode()


@pytest.fixture(scope="session")
def data_url() -> Callable[..., str]:
    """``data_url(obj)``: what ``dcc.Upload`` sends for a JSON file holding ``obj``;
    ``data_url(b"...", raw=True)`` for arbitrary bytes."""
    return _data_url


# --- The running app ------------------------------------------------------------------------


class DashPage:
    """Posts requests for the page callback (``update_page``: the state and the Explore tab in
    one answer) to a Flask test client, built from the app's own dependency list and layout
    (see tests/dash_requests.py)."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.server.test_client()
        assert self.client.get("/").status_code == 200  # sets up the server like a first visit
        self.requests = CallbackRequests(
            self.client.get("/_dash-dependencies").get_json(),
            self.client.get("/_dash-layout").get_json(),
        )

    def post(self, body: dict):
        # Buffered: the answer is read and closed as a server sends it (work the app does on
        # close, such as storing a new run in the cache, then happens).
        response = self.client.post("/_dash-update-component", json=body, buffered=True)
        assert "Traceback" not in response.get_data(as_text=True)
        return response

    def update_state(self, current: PageState, **kwargs):
        """One page callback (``state_body``'s request) posted; the answer."""
        return self.post(self.state_body(current, **kwargs))

    def state_body(
        self,
        current: PageState,
        *,
        changed: str | dict | None,
        search: str | None = None,
        slider_values: dict | None = None,
        input_values: dict | None = None,
        days: object = None,
        upload: str | None = None,
        filename: str | None = None,
        stored: object = "current",
        click: object = None,
        sweep: object = None,
        hypothesis: str | None = None,
        view: dict | None = None,
    ) -> dict:
        """The page callback's request: the controls show ``current`` except for the
        overrides, the view settings are the layout's (the burden slider at the run's end)
        updated by ``view`` (``{"axis-scale.value": "linear"}``, ...)."""
        sliders = {s.name: slider_position(s, current.params[s.name]) for s in SLIDER_SPECS}
        inputs = {s.name: current.params[s.name] for s in CONTROL_SPECS}
        prop = {
            "upload": "contents",
            "reset-all": "n_clicks",
            "sweep-graph": "clickData",
            "reference": "data",
            "url": "search",
        }.get(str(changed), "value")
        if isinstance(changed, dict) and changed.get("type") == "reset-group":
            prop = "n_clicks"
        values = {
            "url.search": search,
            "scenario.value": current.scenario,
            "hypothesis.value": hypothesis_of(current.params) if hypothesis is None else hypothesis,
            **{
                prop_id(control_id(SLIDER, name), "value"): value
                for name, value in (sliders | (slider_values or {})).items()
            },
            **{
                prop_id(control_id(INPUT, name), "value"): value
                for name, value in (inputs | (input_values or {})).items()
            },
            "days.value": current.days if days is None else days,
            "reset-all.n_clicks": None,
            **{prop_id({"type": "reset-group", "group": g}, "n_clicks"): 1 for g in GROUPS},
            "upload.contents": upload,
            "sweep-graph.clickData": click,
            "reference.data": None,
            "axis-scale.value": "log",
            "presentation.value": False,
            "burden-day.value": current.days,
            "upload.filename": filename,
            "state.data": current.to_store() if stored == "current" else stored,
            "sweep-result.data": sweep,
            "message.is_open": False,
            "tabs.active_tab": "explore",
            "scenario-changed.hidden": not scenario_changed(current),
            "burden-day.max": current.days,
            "risk-section.style": {"display": "none"},
            "first-drawn.data": False,
            **(view or {}),
        }
        changed_ids = [] if changed is None else [prop_id(changed, prop)]
        return self.requests.body("state.data", values, changed=changed_ids)

    def render(
        self,
        stored: object,
        *,
        reference: object = None,
        burden_day: float = 30.0,
        changed: str = "reference",
        view: dict | None = None,
    ):
        """The page callback after the view setting ``changed`` did (the reference, by
        default: everything is drawn), the store holding ``stored`` and the controls showing
        it (the default scenario if it is no valid state)."""
        try:
            shown = PageState.from_store(stored)
        except InvalidInput:
            shown = PageState.for_scenario("kaplan2005-llc")
        return self.update_state(
            shown,
            changed=changed,
            stored=stored,
            search=to_query(shown),
            view={"reference.data": reference, "burden-day.value": burden_day} | (view or {}),
        )


@pytest.fixture
def page(tmp_path, monkeypatch) -> DashPage:
    """A fresh app with its own file-system cache (set before ``create_app`` reads it)."""
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    from dashboard import create_app

    return DashPage(create_app())
