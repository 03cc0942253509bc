"""Walking a Dash component tree in tests (layout and control tests share it)."""

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
