"""The page callback's direct answer (``dashboard.direct``) is Dash's own, byte for byte.

Every request is posted twice to one app: once through the server's view as it stands (the
direct answer) and once through Dash's own dispatch, which the direct one wraps. Status,
content type and body must be the same, for every kind of trigger the page sends, for values
the page refuses, for a bad store and for random values anywhere in the request. Derandomized.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import ids
from dashboard.controls import INPUT, SLIDER
from dashboard.direct import DirectAnswer
from dashboard.guard import UPDATE_PATH
from dashboard.ids import control_id
from dashboard.state import PageState, slider_position, to_download, to_query
from model import GROUPS
from model.hypotheses import HYPOTHESES
from model.scenarios import SCENARIOS
from tests.dash_requests import prop_id
from tests.dashboard.conftest import SLIDER_SPECS, DashPage, _data_url
from tests.dashboard.fuzzing import JSON_VALUES, derandomized, item_names

ENDPOINT = "/" + UPDATE_PATH
LLC = PageState.for_scenario("kaplan2005-llc")
BREAST = PageState.for_scenario("breast-resection-dormancy")
#: BREAST's parameter file, as dcc.Upload sends it.
UPLOADED = _data_url(to_download(BREAST), raw=True)


class Twin:
    """One app, asked through its direct answer and through Dash's dispatch."""

    def __init__(self, page: DashPage) -> None:
        self.page = page
        self.views = page.app.server.view_functions
        self.direct_view = self.views[ENDPOINT]
        self.dash_view = self.direct_view.__wrapped__
        self.direct: DirectAnswer = self.direct_view.direct
        self.answered = 0
        respond = self.direct.respond

        def counted(body):
            self.answered += 1
            return respond(body)

        self.direct.respond = counted  # type: ignore[method-assign]

    def _post(self, body: dict, view) -> tuple[int, str, bytes]:
        self.views[ENDPOINT] = view
        try:
            response = self.page.post(body)
        finally:
            self.views[ENDPOINT] = self.direct_view
        return response.status_code, response.content_type, response.get_data()

    def assert_same(self, body: dict) -> tuple[int, bytes]:
        """Both answers to ``body`` (the same); checks that the direct one took it."""
        before = self.answered
        direct = self._post(body, self.direct_view)
        assert self.answered == before + 1, "the direct answer did not take a renderer request"
        dash = self._post(body, self.dash_view)
        assert direct[:2] == dash[:2]
        assert direct[2] == dash[2], _first_difference(direct[2], dash[2])
        return direct[0], direct[2]


def _first_difference(a: bytes, b: bytes) -> str:
    k = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"differ at byte {k}: {a[k - 60 : k + 60]!r} vs {b[k - 60 : k + 60]!r}"


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Twin:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.delenv("REDIS_URL", raising=False)
        from dashboard import create_app

        return Twin(DashPage(create_app()))


def _cases() -> list[tuple[str, PageState, dict]]:
    """(name, state the page shows, ``DashPage.state_body`` arguments): every kind of
    trigger of the page callback, with values it takes and values it refuses."""
    rng = random.Random(10)
    sweep = {"x_name": "homing_rate", "y_name": None, "base": LLC.to_store()}
    cases = [
        ("page load", LLC, {"changed": None, "search": ""}),
        ("page load, link", BREAST, {"changed": None, "search": to_query(BREAST)}),
        ("page load, bad link", LLC, {"changed": None, "search": "?days=abc"}),
        ("link", LLC, {"changed": ids.URL, "search": to_query(BREAST)}),
        ("scenario cleared", LLC, {"changed": ids.SCENARIO, "view": {"scenario.value": None}}),
        ("hypothesis cleared", LLC, {"changed": ids.HYPOTHESIS, "hypothesis": None}),
        ("days", LLC, {"changed": ids.DAYS, "days": 45}),
        ("bad days", LLC, {"changed": ids.DAYS, "days": -3}),
        ("days as text", LLC, {"changed": ids.DAYS, "days": "forty"}),
        ("reset all", BREAST, {"changed": ids.RESET_ALL}),
        ("upload", LLC, {"changed": ids.UPLOAD, "upload": UPLOADED, "filename": "b.json"}),
        ("bad upload", LLC, {"changed": ids.UPLOAD, "upload": "data:x", "filename": "b.json"}),
        (
            "sweep click",
            LLC,
            {"changed": ids.SWEEP_GRAPH, "sweep": sweep, "click": {"points": [{"x": 2.5}]}},
        ),  # fmt: skip
        ("bad sweep click", LLC, {"changed": ids.SWEEP_GRAPH, "sweep": sweep, "click": {}}),
        (
            "reference pinned",
            LLC,
            {"changed": ids.REFERENCE, "view": {"reference.data": BREAST.to_store()}},
        ),  # fmt: skip
        ("bad reference", LLC, {"changed": ids.REFERENCE, "view": {"reference.data": [1]}}),
        (
            "linear axis",
            LLC,
            {"changed": ids.AXIS_SCALE, "view": {"axis-scale.value": "linear"}},
        ),  # fmt: skip
        (
            "presentation",
            LLC,
            {"changed": ids.PRESENTATION, "view": {"presentation.value": True}},
        ),  # fmt: skip
        ("burden day", BREAST, {"changed": ids.BURDEN_DAY, "view": {"burden-day.value": 99}}),
        ("bad store", LLC, {"changed": ids.DAYS, "days": 40, "stored": {"days": "x"}}),
        ("no store, page load", LLC, {"changed": None, "stored": None}),
    ]
    cases += [(f"scenario {name}", LLC, {"changed": ids.SCENARIO,
               "view": {"scenario.value": name}}) for name in SCENARIOS]  # fmt: skip
    cases += [("unknown scenario", LLC, {"changed": ids.SCENARIO,
               "view": {"scenario.value": "nope"}})]  # fmt: skip
    cases += [(f"hypothesis {name}", LLC, {"changed": ids.HYPOTHESIS, "hypothesis": name})
              for name in [*HYPOTHESES, "nope"]]  # fmt: skip
    cases += [(f"reset {group}", BREAST, {"changed": {"type": ids.RESET_GROUP, "group": group}})
              for group in GROUPS]  # fmt: skip
    for spec in SLIDER_SPECS:
        low, high = slider_position(spec, spec.low), slider_position(spec, spec.high)
        position = round(rng.uniform(low, high), 3)
        cases.append((f"slider {spec.name}", LLC, {
            "changed": _slider(spec.name),
            "slider_values": {spec.name: position}}))  # fmt: skip
    for spec in SLIDER_SPECS[::5]:
        box = _box(spec.name)
        for value in (LLC.params[spec.name] * 1.1, "abc", None, "1e-3", -1e300):
            cases.append((f"box {spec.name} {value!r}", LLC,
                          {"changed": box, "input_values": {spec.name: value}}))  # fmt: skip
    return cases


def _slider(name: str) -> str:
    return control_id(SLIDER, name)


def _box(name: str) -> str:
    return control_id(INPUT, name)


CASES = _cases()


@pytest.mark.parametrize(("state", "arguments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_kind_of_page_request_is_answered_as_dash_answers_it(
    twin: Twin, state: PageState, arguments: dict
) -> None:
    body = twin.page.state_body(state, **arguments)
    twin.assert_same(body)


def test_the_cases_reach_every_answer(twin: Twin) -> None:
    """The cases above are not all refusals: slider moves draw, refusals say so."""
    status, body = twin.assert_same(twin.page.state_body(LLC, changed=None, search=""))
    drawn = json.loads(body)["response"]
    assert status == 200 and {"cascade-graph", "readouts-text", "url"} <= drawn.keys()
    spec = SLIDER_SPECS[0]
    moved = {spec.name: slider_position(spec, LLC.params[spec.name] * 1.5)}
    status, body = twin.assert_same(
        twin.page.state_body(LLC, changed=_slider(SLIDER_SPECS[0].name), slider_values=moved)
    )
    assert {"state", "cascade-graph", _box(SLIDER_SPECS[0].name)} <= (
        json.loads(body)["response"].keys()
    )
    status, body = twin.assert_same(twin.page.state_body(LLC, changed=ids.DAYS, days="x"))
    assert json.loads(body)["response"]["message"]["children"].startswith("Not applied")
    # The page shows its state already and nothing moved: nothing to update, 204, both ways.
    status, _ = twin.assert_same(twin.page.state_body(LLC, changed=ids.DAYS, days=LLC.days))
    assert status in (200, 204)


def test_two_changed_inputs_take_the_first(twin: Twin) -> None:
    body = twin.page.state_body(LLC, changed=ids.DAYS, days=40)
    body["changedPropIds"].append(prop_id(ids.SCENARIO, "value"))
    twin.assert_same(body)
    body["changedPropIds"].reverse()
    twin.assert_same(body)


def test_a_changed_id_that_is_no_input_is_answered_as_dash_answers_it(twin: Twin) -> None:
    body = twin.page.state_body(LLC, changed=None)
    body["changedPropIds"] = ["state.data", '{"group":"nope","type":"reset-group"}.n_clicks']
    twin.assert_same(body)


@derandomized(150)
@given(data=st.data())
def test_random_values_anywhere_are_answered_as_dash_answers_them(twin: Twin, data) -> None:
    base = twin.page.state_body(LLC, changed=None)
    dependency = next(d for d in twin.page.requests.dependencies if d["output"] == base["output"])
    inputs, states = item_names(twin.page.requests, dependency)
    changed = data.draw(st.lists(st.sampled_from(inputs), max_size=2, unique=True))
    fuzzed = data.draw(st.lists(st.sampled_from(inputs + states), max_size=5, unique=True))
    values = {name: data.draw(JSON_VALUES, label=name) for name in dict.fromkeys(changed + fuzzed)}
    body = json.loads(json.dumps(base))
    for entry in [*body["inputs"], *body["state"]]:
        for item in entry if isinstance(entry, list) else [entry]:
            name = prop_id(item["id"], item["property"])
            item["value"] = values.get(name, item["value"])
    body["changedPropIds"] = changed
    twin.assert_same(body)


def test_requests_for_other_outputs_go_to_dash(twin: Twin) -> None:
    """Outputs in another order are refused by the guard (400); outputs with a key more are
    Dash's to answer (it reads only ids and properties); the direct answer takes neither."""
    body = twin.page.state_body(LLC, changed=ids.DAYS, days=41)
    assert twin.direct.takes(body)
    swapped = json.loads(json.dumps(body))
    swapped["outputs"][0], swapped["outputs"][1] = swapped["outputs"][1], swapped["outputs"][0]
    extra = json.loads(json.dumps(body))
    extra["outputs"][0]["extra"] = 1
    for other, status in ((swapped, 400), (extra, 200)):
        assert not twin.direct.takes(other)
        before = twin.answered
        response = twin.page.client.post(ENDPOINT, json=other)
        assert twin.answered == before
        assert response.status_code == status


def test_in_debug_mode_dash_answers_everything(twin: Twin) -> None:
    server = twin.page.app.server
    before = twin.answered
    server.debug = True
    try:
        response = twin.page.post(twin.page.state_body(LLC, changed=ids.DAYS, days=42))
    finally:
        server.debug = False
    assert response.status_code == 200 and twin.answered == before


def test_only_a_registered_foreground_callback_of_plain_outputs_is_taken(twin: Twin) -> None:
    """What the direct answer cannot write as Dash would is refused when the app starts."""
    from dash import Output

    from dashboard.direct import register_direct

    with pytest.raises(ValueError, match="is not a callback of this app"):
        register_direct(twin.page.app, lambda: None, lambda *a: ())
    plain = {"output": [Output("a", "children")], "inputs_state_indices": [0],
             "outputs_indices": [0]}  # fmt: skip
    DirectAnswer("a.children", plain, lambda *a: ())
    for bad, why in (
        ({"output": [Output({"type": "t", "i": 1}, "children")]}, "plain output ids"),
        ({"output": [Output("a", "children", allow_duplicate=True)]}, "allow_duplicate"),
        ({"background": {"progress": None}}, "foreground"),
        ({"inputs_state_indices": {"x": 0}}, "lists of arguments"),
        ({"outputs_indices": [[0, [1]]]}, "lists of arguments"),
    ):
        with pytest.raises(ValueError, match=why):
            DirectAnswer("a.children", plain | bad, lambda *a: ())
