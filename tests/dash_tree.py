"""Walking a Dash component tree in tests (layout and control tests share it), as Python
components or as the layout's JSON (the first-drawing tests and the Docker check's client)."""

from __future__ import annotations

from collections.abc import Iterator


def walk(component) -> Iterator:
    """Every component in a Dash tree, depth first in document order."""
    if isinstance(component, list | tuple):
        for child in component:
            yield from walk(child)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    yield component
    yield from walk(getattr(component, "children", None))


def layout_components(node: object) -> Iterator[dict]:
    """Every component of a layout's JSON (``/_dash-layout``), depth first."""
    if isinstance(node, list):
        for item in node:
            yield from layout_components(item)
    elif isinstance(node, dict):
        is_component = {"type", "namespace", "props"} <= node.keys()
        if is_component:
            yield node
        for value in (node["props"] if is_component else node).values():
            yield from layout_components(value)
