"""The page callback answered directly, past Dash's generic dispatch (issue 10).

A slider move is one request to the page callback (``dashboard.callbacks.page_answer``), whose
~130 inputs, states and outputs Dash's dispatch handled one by one, generically: an attribute
dict and a grouping entry per argument, the output spec and the return value validated
against the declared ones, a context for the call. That was ~3.5 ms of a ~14 ms answer here
(``bench/bench_dispatch.py``), as much as the figures; the callback reads only two things of
the context: the input that changed and its value.

``register_direct`` wraps Dash's view of ``POST /_dash-update-component``. A request for the
page callback whose outputs are exactly the declared ones, in order, is answered here:

- the arguments are the entries' values, grouped as declared (``inputs_state_indices``);
- the input that changed is the first of ``changedPropIds`` (its id, a pattern-matching one
  parsed), with its value as the inputs hold it;
- the answer is written as Dash writes it, ``{"multi": true, "response": {id: {property:
  value}}}`` with every ``no_update`` left out, through Dash's encoder (Plotly's
  ``to_json_plotly``); nothing to update answers 204, as Dash does.

Any other request, and every request in debug mode (Dash's error overlay comes from its
dispatch), goes to Dash as before. Either way the request has passed the rate limits and the
guard (``dashboard.guard``). What is relied on: the wire protocol between Dash's renderer and
its server, and the callback's registration in ``app.callback_map`` (its outputs and how its
arguments and outputs are grouped), as the guard reads it; no Dash function is called on the
way. ``tests/dashboard/test_direct.py`` checks that the answer is byte for byte Dash's own
for every kind of request the page sends (each kind of trigger, refused values, a bad store,
a page load, a link) and for random ones, so a Dash upgrade that changes any of it fails
there; a browser test checks that the renderer's own requests are answered here.

The callback runs without Dash's callback context: it must not call ``dash.set_props`` or read
``dash.ctx`` (``page_answer`` takes what it needs as arguments).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from dash import Dash, NoUpdate
from dash.exceptions import PreventUpdate
from flask import Response, current_app, request
from plotly.io.json import to_json_plotly

from dashboard.guard import UPDATE_PATH

__all__ = ["DirectAnswer", "register_direct"]

#: ``answer(args, trigger, value)``: the callback's outputs for its grouped arguments.
Answer = Callable[[Sequence, object, object], Sequence]


def _grouped(values: list, indices: list) -> list:
    """``values`` (flat) in the shape of ``indices``: an int takes one, a list a list."""
    return [values[i] if isinstance(i, int) else [values[j] for j in i] for i in indices]


def _flat_indices(indices: object) -> bool:
    """Whether ``indices`` is a list of ints and lists of ints (what ``_grouped`` handles)."""
    return isinstance(indices, list) and all(
        isinstance(i, int) or (isinstance(i, list) and all(isinstance(j, int) for j in i))
        for i in indices
    )


def _id_text(component_id: object) -> str:
    """An id as Dash keys it: a pattern-matching id as compact JSON with sorted keys."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


class DirectAnswer:
    """Answers one callback's requests (``answer``) as Dash would, given its registration in
    ``app.callback_map`` under ``key``."""

    def __init__(self, key: str, registration: dict, answer: Answer) -> None:
        outputs = registration["output"]
        if not all(isinstance(o.component_id, str) for o in outputs):
            raise ValueError("direct answers take plain output ids, not patterns")
        if any(getattr(o, "allow_duplicate", False) for o in outputs):
            raise ValueError("direct answers take no allow_duplicate outputs")
        ins, outs = registration["inputs_state_indices"], registration["outputs_indices"]
        if registration.get("background") or not (_flat_indices(ins) and _flat_indices(outs)):
            raise ValueError("direct answers take foreground callbacks with lists of arguments")
        self.key = key
        self.answer = answer
        self.outputs = [{"id": o.component_id, "property": o.component_property} for o in outputs]
        self.arguments = ins
        #: The position of each output in the answer, flattened (an int, or a list's slots).
        self.output_groups = outs

    def takes(self, body: dict) -> bool:
        """Whether ``body`` (passed by the guard) asks for this callback's declared outputs."""
        return body.get("output") == self.key and body.get("outputs") == self.outputs

    def respond(self, body: dict) -> Response:
        """The callback's answer to ``body``; raises ``PreventUpdate`` (204) if nothing changes."""
        inputs, states = body.get("inputs", []), body.get("state", [])
        entries = [*inputs, *states]
        values = [
            [item.get("value") for item in e] if isinstance(e, list) else e.get("value")
            for e in entries
        ]
        trigger, value = None, None
        changed = body.get("changedPropIds", [])
        if changed:
            prop_id = changed[0]
            trigger = prop_id.rpartition(".")[0]
            if trigger.startswith("{"):
                trigger = json.loads(trigger)  # the guard checked it parses to an id
            value = _input_value(inputs, prop_id)
        result = self.answer(_grouped(values, self.arguments), trigger, value)
        updates: dict[str, dict] = {}
        for slot, returned in zip(self.output_groups, result, strict=True):
            one = isinstance(slot, int)
            pairs = [(slot, returned)] if one else zip(slot, returned, strict=True)
            for position, output in pairs:
                if not NoUpdate.is_no_update(output):
                    spec = self.outputs[position]
                    updates.setdefault(spec["id"], {})[spec["property"]] = output
        if not updates:
            raise PreventUpdate
        return Response(
            to_json_plotly({"multi": True, "response": updates}), content_type="application/json"
        )


def _input_value(inputs: list, prop_id: str) -> object:
    """The value the inputs hold for ``prop_id`` (``id.property``), the last one if several
    do, None if none does (as Dash looks it up)."""
    found = None
    for entry in inputs:
        for item in entry if isinstance(entry, list) else (entry,):
            item_id = item["id"]
            if isinstance(item_id, str) and not prop_id.startswith(item_id):
                continue  # most of them: no text to build
            if f"{_id_text(item_id)}.{item['property']}" == prop_id:
                found = item.get("value")
    return found


def register_direct(app: Dash, callback: Callable, answer: Answer) -> DirectAnswer:
    """Answer ``callback`` (as registered with ``app.callback``) by ``answer`` directly, past
    Dash's dispatch; every other callback request still goes to Dash."""
    key = next(  # Dash keeps its wrapper of the function (``functools.wraps``)
        (
            k
            for k, entry in app.callback_map.items()
            if getattr(entry.get("callback"), "__wrapped__", None) is callback
        ),
        None,
    )
    if key is None:
        raise ValueError(f"{callback.__name__} is not a callback of this app")
    direct = DirectAnswer(key, app.callback_map[key], answer)
    endpoint = app.config.routes_pathname_prefix + UPDATE_PATH
    dash_view = app.server.view_functions[endpoint]

    def dispatch():
        body = request.get_json()
        if not current_app.debug and isinstance(body, dict) and direct.takes(body):
            return direct.respond(body)
        return dash_view()

    dispatch.__wrapped__ = dash_view  # type: ignore[attr-defined]
    dispatch.direct = direct  # type: ignore[attr-defined]
    app.server.view_functions[endpoint] = dispatch
    return direct
