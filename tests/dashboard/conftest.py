"""Fixtures for the dashboard tests: cached model runs, upload data URLs, and a Dash test client
that posts callback requests shaped exactly like the ones the browser's renderer sends."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import lru_cache

import pytest

from dashboard.controls import CONTROL_SPECS, INPUT, SLIDER
from dashboard.state import PageState, slider_position
from model import GROUPS, Parameters, SimulationResult, simulate
from model.scenarios import SCENARIOS

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


def stringify_id(component_id: str | dict) -> str:
    """The renderer's id string: pattern-matching ids are compact JSON with sorted keys."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def _pattern(kind: str, specs, values=None) -> list[dict]:
    items = []
    for i, spec in enumerate(specs):
        item = {"id": {"type": kind, "name": spec.name}, "property": "value"}
        if values is not None:
            item["value"] = values[i]
        items.append(item)
    return items


class DashPage:
    """Posts ``update_state`` and ``render`` requests to a Flask test client."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.server.test_client()
        assert self.client.get("/").status_code == 200  # sets up the server like a first visit
        keys = list(app.callback_map)
        self.update_key = next(k for k in keys if k.startswith("..state.data..."))
        self.render_key = next(k for k in keys if k.startswith("..cascade-graph.figure..."))

    def post(self, body: dict):
        response = self.client.post("/_dash-update-component", json=body)
        assert "Traceback" not in response.get_data(as_text=True)
        return response

    def update_state(
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
    ):
        """One ``update_state`` call; the controls show ``current`` except for the overrides."""
        sliders = [slider_position(s, current.params[s.name]) for s in SLIDER_SPECS]
        inputs = [current.params[s.name] for s in CONTROL_SPECS]
        for name, value in (slider_values or {}).items():
            sliders[[s.name for s in SLIDER_SPECS].index(name)] = value
        for name, value in (input_values or {}).items():
            inputs[[s.name for s in CONTROL_SPECS].index(name)] = value
        prop = {"upload": "contents", "reset-all": "n_clicks", "sweep-graph": "clickData"}.get(
            str(changed), "value"
        )
        if isinstance(changed, dict) and changed.get("type") == "reset-group":
            prop = "n_clicks"
        body = {
            "output": self.update_key,
            "outputs": [
                {"id": "state", "property": "data"},
                _pattern(SLIDER, SLIDER_SPECS),
                _pattern(INPUT, CONTROL_SPECS),
                {"id": "scenario", "property": "value"},
                {"id": "days", "property": "value"},
                {"id": "url", "property": "search"},
                {"id": "message", "property": "children"},
                {"id": "message", "property": "is_open"},
                {"id": "scenario-text", "property": "children"},
                {"id": "tabs", "property": "active_tab"},
            ],
            "inputs": [
                {"id": "url", "property": "search", "value": search},
                {"id": "scenario", "property": "value", "value": current.scenario},
                _pattern(SLIDER, SLIDER_SPECS, sliders),
                _pattern(INPUT, CONTROL_SPECS, inputs),
                {
                    "id": "days",
                    "property": "value",
                    "value": current.days if days is None else days,
                },
                {"id": "reset-all", "property": "n_clicks", "value": None},
                [
                    {"id": {"type": "reset-group", "group": g}, "property": "n_clicks", "value": 1}
                    for g in GROUPS
                ],
                {"id": "upload", "property": "contents", "value": upload},
                {"id": "sweep-graph", "property": "clickData", "value": click},
            ],
            "state": [
                {"id": "upload", "property": "filename", "value": filename},
                {
                    "id": "state",
                    "property": "data",
                    "value": current.to_store() if stored == "current" else stored,
                },
                {"id": "sweep-result", "property": "data", "value": sweep},
            ],
            "changedPropIds": [] if changed is None else [f"{stringify_id(changed)}.{prop}"],
        }
        return self.post(body)

    def render(self, stored: object, *, reference: object = None, burden_day: float = 30.0):
        body = {
            "output": self.render_key,
            "outputs": [
                {"id": "cascade-graph", "property": "figure"},
                {"id": "organ-graph", "property": "figure"},
                {"id": "burden-graph", "property": "figure"},
                {"id": "readouts", "property": "children"},
                {"id": "burden-day", "property": "max"},
                {"id": "burden-day", "property": "value"},
            ],
            "inputs": [
                {"id": "state", "property": "data", "value": stored},
                {"id": "reference", "property": "data", "value": reference},
                {"id": "axis-scale", "property": "value", "value": "log"},
                {"id": "presentation", "property": "value", "value": False},
                {"id": "burden-day", "property": "value", "value": burden_day},
            ],
            "state": [{"id": "burden-day", "property": "max", "value": 30.0}],
            "changedPropIds": ["state.data"],
        }
        return self.post(body)


@pytest.fixture
def page(tmp_path, monkeypatch) -> DashPage:
    """A fresh app with its own file-system cache (set before ``create_app`` reads it)."""
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    from dashboard import create_app

    return DashPage(create_app())
