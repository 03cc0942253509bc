"""Every callback's ids exist in the page, checked here instead of in each browser.

The app sets ``suppress_callback_exceptions`` so that Dash does not copy the whole layout into
every page for the browser to validate callbacks against (about 260 kB, crawled on start). This
test does that validation once, on the server, against the layout the page really loads.
"""

from __future__ import annotations

import json
import re

from tests.dash_requests import _dict_ids


def _static_ids(node: object) -> set[str]:
    if isinstance(node, list):
        return set().union(*map(_static_ids, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    is_component = {"type", "namespace", "props"} <= node.keys()
    found = set()
    if is_component and isinstance(node["props"].get("id"), str):
        found.add(node["props"]["id"])
    for value in (node["props"] if is_component else node).values():
        found |= _static_ids(value)
    return found


def _references(dependency: dict) -> list[str]:
    """Every ``id`` (or pattern, as JSON) a callback names among its outputs, inputs and states."""
    output = dependency["output"]
    outputs = output[2:-2].split("...") if output.startswith("..") else [output]
    names = [o.rsplit(".", 1)[0] for o in outputs]
    names += [d["id"] for d in (*dependency["inputs"], *dependency["state"])]
    return [n if isinstance(n, str) else json.dumps(n) for n in names]


def test_every_callback_id_is_in_the_page_layout(page) -> None:
    layout = page.client.get("/_dash-layout").get_json()
    dependencies = page.client.get("/_dash-dependencies").get_json()
    static = _static_ids(layout)
    pattern_types = {d.get("type") for d in _dict_ids(layout)}
    missing = []
    for dependency in dependencies:
        for ref in _references(dependency):
            if ref.startswith("{"):
                if json.loads(ref).get("type") not in pattern_types:
                    missing.append(ref)
            elif re.fullmatch(r"[\w-]+", ref) and ref not in static:
                missing.append(ref)
    assert missing == []
    assert len(dependencies) > 20  # the check saw the app's callbacks, not an empty list


def test_the_page_does_not_carry_a_copy_of_the_layout(page) -> None:
    index = page.client.get("/").get_data(as_text=True)
    assert "validation_layout" not in index
    assert len(index) < 40_000
