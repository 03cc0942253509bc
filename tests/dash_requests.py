"""Bodies for Dash's ``POST /_dash-update-component``, shaped like the ones the renderer sends.

The app describes itself: ``GET /_dash-dependencies`` lists each callback's outputs, inputs and
states in order, and ``GET /_dash-layout`` holds every component id, so the caller only supplies
values. A callback whose inputs change makes the caller fail loudly (a value missing, or one for
an input the callback no longer has) instead of silently posting a stale request.

Shared by tests/dashboard/conftest.py (Flask test client) and bench/bench_dashboard.py (gunicorn
over HTTP), both of which import it as ``tests.dash_requests`` with the repository root on
``sys.path``; standard library only, so the bench needs no pytest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from tests.dash_tree import layout_components


def prop_id(component_id: str | Mapping[str, object], prop: str) -> str:
    """``id.property`` as the renderer writes it (pattern-matching ids: compact sorted JSON)."""
    if isinstance(component_id, Mapping):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"{component_id}.{prop}"


def _dict_ids(node: object) -> Iterator[dict]:
    """The dict (pattern-matching) ids of a layout, depth first: the renderer's order."""
    for component in layout_components(node):
        if isinstance(component["props"].get("id"), dict):
            yield component["props"]["id"]


def _split(output: str) -> list[str]:
    """The ``id.property`` parts of a dependency's output string (``..a.b...c.d..`` if several)."""
    return output[2:-2].split("...") if output.startswith("..") else [output]


class CallbackRequests:
    """Request bodies for one running app, given what it serves at ``/_dash-dependencies`` and
    ``/_dash-layout``."""

    def __init__(self, dependencies: Sequence[Mapping], layout: Mapping) -> None:
        self.dependencies = dependencies
        self.ids = list(_dict_ids(layout))

    def _resolve(self, spec: str, prop: str) -> tuple[dict | list[dict], list[str]]:
        """A dependency entry as the renderer sends it (a list of the concrete ids an ``ALL``
        pattern matches, in layout order) and the ``id.property`` names of its items."""
        if not spec.startswith("{"):
            return {"id": spec, "property": prop}, [prop_id(spec, prop)]
        pattern = json.loads(spec)
        if any(isinstance(v, list) and v != ["ALL"] for v in pattern.values()):
            raise ValueError(f"only ALL wildcards are supported, not {spec}")
        matches = [
            component_id
            for component_id in self.ids
            if component_id.keys() == pattern.keys()
            and all(v == ["ALL"] or component_id[k] == v for k, v in pattern.items())
        ]
        return (
            [{"id": m, "property": prop} for m in matches],
            [prop_id(m, prop) for m in matches],
        )

    def body(
        self, output: str, values: Mapping[str, object], *, changed: Sequence[str] = ()
    ) -> dict:
        """The request for the callback whose first output is ``output`` (``"id.property"``;
        an output another callback shares is named with or without Dash's ``@hash`` suffix).

        ``values`` maps every input and state item, by its ``prop_id``, to its value: one entry per
        component an ``ALL`` pattern matches. ``None`` must be given explicitly; a missing or an
        unknown entry raises ``ValueError``. ``changed`` lists the ``prop_id``s of the inputs
        that triggered the call (empty for the initial call on page load).
        """
        found = [
            d
            for d in self.dependencies
            if output in (first := _split(d["output"])[0], first.split("@")[0])
        ]
        if len(found) != 1:
            raise ValueError(f"{len(found)} callbacks have the first output {output!r}")
        dependency = found[0]
        inputs = [self._resolve(d["id"], d["property"]) for d in dependency["inputs"]]
        states = [self._resolve(d["id"], d["property"]) for d in dependency["state"]]
        input_names = [name for _, item_names in inputs for name in item_names]
        all_names = input_names + [name for _, item_names in states for name in item_names]
        problems = {
            "no value given for": [name for name in all_names if name not in values],
            "a value given for what is no input or state": [
                name for name in values if name not in all_names
            ],
            "changed but no input": [name for name in changed if name not in input_names],
        }
        if any(problems.values()):
            detail = "; ".join(f"{what} {names}" for what, names in problems.items() if names)
            raise ValueError(f"callback {output!r}: {detail}")

        def fill(entries: list[tuple[dict | list[dict], list[str]]]) -> list:
            return [
                {**items, "value": values[names[0]]}
                if isinstance(items, dict)
                else [{**item, "value": values[n]} for item, n in zip(items, names, strict=True)]
                for items, names in entries
            ]

        outputs = [self._resolve(*part.rsplit(".", 1))[0] for part in _split(dependency["output"])]
        body = {
            "output": dependency["output"],
            "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
            "inputs": fill(inputs),
        }
        if states:  # the renderer leaves "state" out when the callback has none
            body["state"] = fill(states)
        body["changedPropIds"] = list(changed)
        return body
