"""A guard in front of Dash's callback endpoint: a malformed request gets 400, never a 500.

Dash trusts the body of ``POST /_dash-update-component`` to be what its renderer sends; a forged
or truncated one (no ``inputs``, a string where a list belongs, an unknown callback, a
``changedPropIds`` entry that is not ``id.property``, nesting thousands of levels deep) made
Dash itself raise and answer 500; so did ``outputs`` other than the callback's own, in its
order. The guard checks the envelope's shape against the callback it names and answers 400
with a one-line reason; the *values* inside a well-formed envelope are the callbacks' business,
validated there so that the user sees the page's refusal message. Request bodies are read as a
browser reads JSON (``BrowserJSON``): an integer literal beyond what a double holds exactly
becomes a double.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping

from dash import Dash
from flask import Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from dashboard.state import parse_json_int

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "BrowserJSON", "envelope_problem", "register_guard"]

#: Largest request body. Files up to ~7 MB (base64 in the body) still reach ``from_upload``,
#: whose banner says what the limit is (1 MB); larger bodies get the guard's 400.
MAX_BODY_BYTES = 10_000_000
#: Deepest nesting of lists and objects (a figure's clickData is about 5 levels).
MAX_DEPTH = 32
UPDATE_PATH = "_dash-update-component"


def _is_id(value: object) -> bool:
    """A component id: a string, or a pattern-matching id (an object of strings, numbers and
    booleans)."""
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and all(isinstance(v, str | int | float) for v in value.values())


def _is_item(item: object) -> bool:
    """An input, state or output entry: an object with an id and a property string."""
    return (
        isinstance(item, dict) and _is_id(item.get("id")) and isinstance(item.get("property"), str)
    )


def _item_problem(item: object, where: str) -> str | None:
    if _is_item(item):
        return None
    if not isinstance(item, dict):
        return f"{where} is not an object"
    return f"{where} needs an 'id' and a 'property' string"


def _entries_problem(entries: object, declared: list[Mapping], key: str) -> str | None:
    """Inputs or states: one entry per declared dependency, a list for an ALL pattern."""
    if not isinstance(entries, list):
        return f"'{key}' must be a list"
    if len(entries) != len(declared):
        return f"'{key}' has {len(entries)} entries; this callback takes {len(declared)}"
    for i, (entry, spec) in enumerate(zip(entries, declared, strict=True)):
        pattern = str(spec["id"]).startswith("{")
        items = entry if pattern else [entry]
        if not isinstance(items, list):
            return f"{key}[{i}] must be a list (a pattern-matching dependency)"
        for j, item in enumerate(items):
            if not _is_item(item):  # the message is written only for a bad one: ~130 a body
                return _item_problem(item, f"{key}[{i}][{j}]" if pattern else f"{key}[{i}]")
    return None


#: What a pattern-matching id's value may be in a declared output: a wildcard.
_WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])


def _is_output(component_id: object, declared: str) -> bool:
    """Whether ``component_id`` is the declared output id ``declared`` (a string; a pattern's
    JSON, whose wildcards match any value)."""
    if not declared.startswith("{"):
        return component_id == declared
    pattern = json.loads(declared)
    return (
        isinstance(component_id, dict)
        and component_id.keys() == pattern.keys()
        and all(v in _WILDCARDS or component_id[k] == v for k, v in pattern.items())
    )


# Both cached by the callbacks' output keys (the guard checks the key first): a bounded set.
@functools.lru_cache(maxsize=256)
def _declared_outputs(output: str) -> tuple[tuple[str, str], ...]:
    """(id, property) of each output a callback's key names: ``a.b`` or ``..a.b...c.d..``."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return tuple((component, prop) for component, prop in (p.rsplit(".", 1) for p in parts))


@functools.lru_cache(maxsize=256)
def _renderers_outputs(output: str) -> object:
    """``outputs`` as the renderer sends them for plain ids (None if any is a pattern); only
    compared with, never changed."""
    declared = _declared_outputs(output)
    if any(component.startswith("{") for component, _ in declared):
        return None
    entries = [{"id": component, "property": prop} for component, prop in declared]
    return entries if output.startswith("..") else entries[0]


def _outputs_problem(outputs: object, output: str) -> str | None:
    """The ``outputs`` entries against the outputs the key ``output`` declares, in order: each
    the declared id and property (Dash's ``@`` suffix aside), a list for a pattern. Dash
    answered 500 to any other ("Output does not match callback definition")."""
    expected = _renderers_outputs(output)
    if expected is not None and outputs == expected:  # what the page sends: one comparison
        return None
    several = output.startswith("..")
    declared = _declared_outputs(output)
    entries = outputs if several else [outputs]
    if not isinstance(entries, list) or len(entries) != len(declared):
        return f"'outputs' must be a list of {len(declared)} entries"
    for k, (entry, (component, prop)) in enumerate(zip(entries, declared, strict=True)):
        where = f"outputs[{k}]" if several else "'outputs'"
        pattern = component.startswith("{")
        items = entry if pattern and isinstance(entry, list) else [entry]
        for item in items:
            problem = _item_problem(item, where)
            if problem:
                return problem
            same_property = item["property"].split("@")[0] == prop.split("@")[0]
            if not same_property or not _is_output(item["id"], component):
                return f"{where} is not this callback's output {component}.{prop.split('@')[0]}"
    return None


def _changed_problem(changed: object) -> str | None:
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' must be a list of strings"
    for prop_id in changed:
        component, dot, prop = prop_id.rpartition(".")
        if not dot or not component or not prop:
            return "a 'changedPropIds' entry is not 'id.property'"
        if component.startswith("{"):
            try:
                parsed = json.loads(component)
            except (ValueError, RecursionError):
                parsed = None
            if not _is_id(parsed) or not isinstance(parsed, dict):
                return "a 'changedPropIds' entry has a malformed pattern-matching id"
    return None


_CONTAINERS = frozenset({dict, list})


def _depth_problem(value: object) -> str | None:
    """Nesting deeper than ``MAX_DEPTH`` (level by level: depth costs no recursion here).

    ``value`` is parsed JSON: its containers are exactly ``dict`` and ``list``."""
    # Only containers are kept: a callback body has ~1,000 values, mostly numbers and text
    # (a type looked up in a set: a quarter of ``isinstance``'s time on them).
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        below: list = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            if depth >= MAX_DEPTH and children:  # its values sit deeper than the bound
                return f"nested deeper than {MAX_DEPTH} levels"
            below += [child for child in children if type(child) in _CONTAINERS]
        level, depth = below, depth + 1
    return None


def envelope_problem(body: object, callbacks: Mapping[str, Mapping]) -> str | None:
    """Why ``body`` is not a callback request Dash can run, or None if it is one.

    ``callbacks`` is the app's ``callback_map``: the output key names the callback, whose
    declared inputs and states fix how many entries (and which are ALL lists) must come.
    """
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in callbacks.get(output, {}):
        return "'output' names no server-side callback of this app"
    callback = callbacks[output]
    problem = _outputs_problem(body.get("outputs"), output)
    if problem:
        return problem
    for name, declared in (("inputs", callback["inputs"]), ("state", callback["state"])):
        if name in body or declared:
            problem = _entries_problem(body.get(name, []), declared, name)
            if problem:
                return problem
    return _changed_problem(body.get("changedPropIds", [])) or _depth_problem(body)


class BrowserJSON(DefaultJSONProvider):
    """Flask's JSON, but request bodies read integers as a browser does (``parse_json_int``)."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        return super().loads(s, **{"parse_int": parse_json_int, **kwargs})


def register_guard(app: Dash) -> None:
    """Read request bodies as a browser's JSON, and check every callback request before Dash
    sees it (a Flask ``before_request``)."""
    path = app.config.routes_pathname_prefix + UPDATE_PATH
    server = app.server
    server.json = BrowserJSON(server)

    @server.before_request
    def guard_callback_request() -> Response | None:
        if request.method != "POST" or request.path != path:
            return None
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _refuse(f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            # Flask caches the parsed body: Dash's own get_json() reuses it.
            body = request.get_json(force=True)
        except (BadRequest, RecursionError):  # not JSON; nested too deep for the parser
            return _refuse("the body is not valid JSON")
        problem = envelope_problem(body, app.callback_map)
        return _refuse(problem) if problem else None


def _refuse(reason: str) -> Response:
    return Response(
        json.dumps({"error": f"bad callback request: {reason}"}),
        status=400,
        mimetype="application/json",
    )
