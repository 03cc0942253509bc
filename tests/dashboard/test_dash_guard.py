"""The 500s a fuzzer found (issue 9): each input is now refused with the page's message (last good
state kept), and a malformed request gets a 400 from the guard (``dashboard/guard.py``)."""

from __future__ import annotations

import json

import pytest

from dashboard.controls import INPUT, SLIDER
from dashboard.guard import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    _depth_problem,
    _is_output,
    envelope_problem,
)
from dashboard.ids import control_id
from dashboard.state import PageState
from tests.dash_requests import _split

LLC = PageState.for_scenario("kaplan2005-llc")
HUGE = 10**400  # valid JSON; read as a browser reads it, a double: inf


def _out(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _refused(response) -> str:
    """The page's refusal: the message banner opens and the last good state stays."""
    out = _out(response)
    assert out["message"]["is_open"] is True
    assert "state" not in out  # not rewritten: the store keeps the last good state
    return out["message"]["children"]


def _call(page, output: str, values: dict, changed: list[str]):
    """A request for the callback whose first output is ``output``: ``None`` for every input and
    state but those in ``values``."""
    (dependency,) = [d for d in page.requests.dependencies if _split(d["output"])[0] == output]
    names = [
        name
        for entry in dependency["inputs"] + dependency["state"]
        for name in page.requests._resolve(entry["id"], entry["property"])[1]
    ]
    body = page.requests.body(output, {n: None for n in names} | values, changed=changed)
    return page.post(body)


def _state_call(page, values: dict, changed: str):
    return _call(page, "state.data", {"state.data": LLC.to_store()} | values, [changed])


# --- The 13 kinds of 500, each now handled ----------------------------------------------------


@pytest.mark.parametrize(
    ("changed", "overrides", "message"),
    [
        (
            control_id(INPUT, "homing_rate"),
            {"input_values": {"homing_rate": HUGE}},
            "homing_rate=inf is not a finite number; allowed range",
        ),
        ("days", {"days": HUGE}, "days=inf is outside the allowed range"),
        (
            control_id(SLIDER, "homing_rate"),
            {"slider_values": {"homing_rate": HUGE}},
            "homing_rate: slider position inf is not a number",
        ),
    ],
    ids=["parameter", "days", "slider"],
)
def test_an_integer_too_large_for_a_float_is_refused_with_a_message(
    page, changed, overrides, message
) -> None:
    assert message in _refused(page.update_state(LLC, changed=changed, **overrides))


def test_a_sweep_click_at_2_to_the_64_is_refused_with_a_message(page) -> None:
    sweep = {"x_name": "homing_rate", "y_name": None, "base": {}}
    values = {"sweep-graph.clickData": {"points": [{"x": 2**64}]}, "sweep-result.data": sweep}
    message = _refused(_state_call(page, values, "sweep-graph.clickData"))
    assert "homing_rate=1.84467e+19 is outside its allowed range" in message


def test_a_burden_day_too_large_for_a_float_shows_the_last_day(page) -> None:
    out = _out(page.render(LLC.to_store(), burden_day=HUGE))
    assert out["burden-day"]["value"] == LLC.days


def test_a_log_slider_far_past_its_end_is_refused_with_a_message(page) -> None:
    trigger = control_id(SLIDER, "initial_tumor_cells")  # log scale: 10**400 overflows
    response = page.update_state(LLC, changed=trigger, slider_values={"initial_tumor_cells": 400})
    assert "initial_tumor_cells: slider position 400 is outside the slider" in _refused(response)


@pytest.mark.parametrize("prop", ["search", "hash"])
def test_a_link_that_is_not_text_is_refused(page, prop) -> None:
    if prop == "search":
        message = _refused(_state_call(page, {"url.search": 5}, "url.search"))
        assert "the link's query is not text" in message
    else:
        out = _out(_call(page, "url.hash", {"url.hash": 5}, ["url.hash"]))
        assert "the link's #fragment is not text" in out["link-message"]["children"]


def test_upload_contents_that_are_not_a_data_url_are_refused(page) -> None:
    message = _refused(_state_call(page, {"upload.contents": 5}, "upload.contents"))
    assert "nothing was uploaded" in message


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"parameters": {}, "days": ' + b"1" * 5000 + b"}", "days=inf is outside"),
        (b"[" * 50_000 + b"]" * 50_000, "p.json is nested too deep"),
    ],
    ids=["5000-digit integer", "50000 nested arrays"],
)
def test_an_upload_python_could_not_parse_is_refused(page, data_url, payload, message) -> None:
    values = {"upload.contents": data_url(payload, raw=True), "upload.filename": "p.json"}
    assert message in _refused(_state_call(page, values, "upload.contents"))


def test_a_lone_surrogate_in_an_upload_filename_is_shown_replaced(page) -> None:
    values = {"upload.contents": "not a data url", "upload.filename": "a\ud800.json"}
    assert "a\ufffd.json: nothing was uploaded" in _refused(
        _state_call(page, values, "upload.contents")
    )


def test_a_lone_surrogate_in_a_sweep_control_keeps_the_link_writable(page) -> None:
    out = _out(_call(page, "url.hash", {"sweep-x.value": "\ud800"}, ["sweep-x.value"]))
    assert out["url"]["hash"].startswith("#") and "sweep-x=%3F" in out["url"]["hash"]


def test_a_sweep_result_holding_2_to_the_64_still_draws(page) -> None:
    result = {
        "x_name": "homing_rate",
        "x": [2**64, 1.0],
        "y_name": None,
        "outcome": "burden.lung",
        "series": [{"name": "burden.lung", "values": [2**64, None]}],
        "base": {},
    }
    out = _out(_call(page, "sweep-graph.figure", {"sweep-result.data": result},
                     ["sweep-result.data"]))  # fmt: skip
    assert out["sweep-graph"]["figure"]["data"][0]["x"] == [2.0**64, 1.0]


@pytest.mark.parametrize(
    "changed", [["{bad.value"], ['{"a": [1]}.value'], ["novalue"], [5], "url.search"]
)
def test_malformed_changed_prop_ids_are_a_400(page, changed) -> None:
    body = page.requests.body("about.is_open", {"about-btn.n_clicks": 1, "about.is_open": False})
    response = page.client.post("/_dash-update-component", json=body | {"changedPropIds": changed})
    assert response.status_code == 400
    assert "changedPropIds" in response.get_json()["error"]


# --- Malformed envelopes ----------------------------------------------------------------------


def _about(page) -> dict:
    return page.requests.body(
        "about.is_open", {"about-btn.n_clicks": 1, "about.is_open": False},
        changed=["about-btn.n_clicks"],
    )  # fmt: skip


def test_a_well_formed_request_passes_the_guard(page) -> None:
    assert _out(page.post(_about(page)))["about"]["is_open"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"output": "nope.children"},
        {"output": "share-link.value"},  # a clientside callback: the server runs none
        {"output": 5},
        {"outputs": "x"},
        {"outputs": [5]},
        {"outputs": {"id": "nope", "property": "is_open"}},  # Dash answered these 500
        {"outputs": {"id": "about", "property": "children"}},
        {"outputs": {"id": "about"}},
        {"inputs": "x"},
        {"inputs": []},
        {"inputs": [5]},
        {"inputs": [{"id": "about-btn"}]},
        {"state": [[{"id": "about", "property": "is_open"}]]},
        {"changedPropIds": "about-btn.n_clicks"},
    ],
)
def test_a_malformed_envelope_is_a_400_with_its_reason(page, change) -> None:
    response = page.client.post("/_dash-update-component", json=_about(page) | change)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("bad callback request: ")


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'"text"', b"{" * 3, b"[" * 50_000 + b"]" * 50_000,
     b'{"output": ' + b"9" * 5000 + b"}"],
    ids=["empty", "text", "list", "string", "truncated", "deep", "long integer"],
)  # fmt: skip
def test_a_body_that_is_no_json_object_is_a_400(page, raw) -> None:
    response = page.client.post(
        "/_dash-update-component", data=raw, content_type="application/json"
    )
    assert response.status_code == 400


def test_multi_output_callbacks_need_every_output(page) -> None:
    body = page.requests.body(
        "reference.data",
        {"pin.n_clicks": 1, "unpin.n_clicks": None, "compare-hypothesis.value": None,
         "state.data": None, "reference.data": None},
        changed=["pin.n_clicks"],
    )  # fmt: skip
    assert page.post(body).status_code == 200
    short = body | {"outputs": body["outputs"][:1]}
    assert page.client.post("/_dash-update-component", json=short).status_code == 400
    # In another order, or another callback's: Dash answered 500 ("Output does not match").
    swapped = body | {"outputs": body["outputs"][::-1]}
    response = page.client.post("/_dash-update-component", json=swapped)
    assert response.status_code == 400 and "is not this callback's output" in response.text


def test_pattern_matching_outputs_are_matched_by_their_wildcards() -> None:
    """The app declares no pattern-matching output today; the guard knows them for the day
    one is added."""
    pattern = '{"index":["ALL"],"type":"row"}'
    assert _is_output({"type": "row", "index": 3}, pattern)
    assert not _is_output({"type": "cell", "index": 3}, pattern)
    assert not _is_output({"type": "row", "index": 3, "x": 1}, pattern)
    assert not _is_output("row", pattern)
    assert _is_output("about", "about") and not _is_output("abouts", "about")
    callbacks = {'..a.b...{"i":["MATCH"]}.c..': {"callback": None, "inputs": [], "state": []}}
    body = {
        "output": next(iter(callbacks)),
        "outputs": [{"id": "a", "property": "b"}, {"id": {"i": 2}, "property": "c"}],
    }
    assert envelope_problem(body, callbacks) is None
    body["outputs"][1]["id"] = {"j": 2}
    assert "is not this callback's output" in envelope_problem(body, callbacks)
    single = {'{"i":["ALL"]}.c': {"callback": None, "inputs": [], "state": []}}
    body = {"output": next(iter(single)), "outputs": [{"id": {"i": 1}, "property": "c"}]}
    assert envelope_problem(body, single) is None
    assert envelope_problem(body | {"outputs": None}, single) is not None


def test_nesting_deeper_than_the_bound_is_a_400(page) -> None:
    deep: object = 1
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    body = _about(page)
    body["state"][0]["value"] = deep
    assert page.client.post("/_dash-update-component", json=body).status_code == 400


def _nested(levels: int, inner: object) -> object:
    for _ in range(levels):
        inner = [inner]
    return inner


@pytest.mark.parametrize(
    ("value", "too_deep"),
    [
        (_nested(MAX_DEPTH, 1), False),  # the number sits at depth MAX_DEPTH
        (_nested(MAX_DEPTH + 1, 1), True),
        (_nested(MAX_DEPTH, []), False),  # an empty list at depth MAX_DEPTH
        (_nested(MAX_DEPTH, {}), False),
        (_nested(MAX_DEPTH + 1, []), True),
        (_nested(MAX_DEPTH - 2, {"a": 1, "b": [2]}), False),  # 2 at depth MAX_DEPTH
        (_nested(MAX_DEPTH - 1, {"a": 1, "b": [2]}), True),
        (7, False),
    ],
)
def test_the_depth_bound_counts_every_value_by_its_level(value, too_deep) -> None:
    assert (_depth_problem(value) is not None) is too_deep


def test_no_update_and_prevent_update_still_answer_204(page) -> None:
    """A callback that raises PreventUpdate (unknown export format) passes the guard: 204."""
    body = page.requests.body("cascade-graph.config", {"export-format.value": "gif"},
                              changed=["export-format.value"])  # fmt: skip
    assert page.post(body).status_code == 204


def test_envelope_problem_is_none_for_what_the_renderer_sends(page) -> None:
    assert envelope_problem(json.loads(json.dumps(_about(page))), page.app.callback_map) is None


def test_an_upload_of_a_few_megabytes_still_gets_the_page_message(page, data_url) -> None:
    values = {"upload.contents": data_url(b" " * 3_000_000, raw=True), "upload.filename": "b.json"}
    assert "b.json is larger than 1 MB" in _refused(_state_call(page, values, "upload.contents"))


def test_a_body_over_the_bound_is_a_400(page) -> None:
    body = _about(page)
    body["state"][0]["value"] = "x" * MAX_BODY_BYTES
    response = page.client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert "larger than" in response.get_json()["error"]
