"""``Later``: a part of the page rendered just after the page's first figure.

A cold page's first figure came once React had rendered the whole layout (~480 components),
the ~55 sliders, ~60 number boxes and the hidden tabs' dropdowns among them, in the same task
that then drew the figure: the controls column and the hidden tabs were most of that task
(issue 10). ``Later`` keeps them in the layout and leaves them out of the first render only:
the first render shows the navbar and the Explore tab (figures, readouts), the first figure
is drawn and painted, and a task after that paint renders what ``Later`` holds
(``assets/later.js``); until then it holds an empty, ``aria-busy`` placeholder. The first
figure came 1.43x sooner, and the controls as soon as before (README, Performance).

Nothing else changes: Dash's renderer keeps every component of the layout in its store, and
its callbacks read and write that store, not the DOM, so a control that is not rendered yet
takes part in the page-load callbacks as before. A user cannot reach it before it is
rendered, a few frames after the first figure.

Written by hand (no JavaScript build here): the class says what the renderer needs, a
namespace and a type (``window.seed_soil.Later``, defined by ``assets/later.js``, which runs
before the renderer), and takes two properties, its children and ``priority``.
"""

from __future__ import annotations

from dash.development.base_component import Component

#: The class of the placeholder shown until the children are rendered (assets/later.js writes
#: it; the browser tests wait for the last one to go).
PLACEHOLDER_CLASS = "later-placeholder"


#: When a ``Later`` renders its children: the priority of the task that does it, after the
#: first paint (the Prioritized Task Scheduling API's names).
PRIORITIES = ("user-blocking", "user-visible")


class Later(Component):
    """Its children, rendered in a task after the first figure's paint: with ``priority``
    "user-blocking" before the other tasks waiting then (the page-load callbacks' bookkeeping,
    the other figures' first drawings), with "user-visible" after them."""

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "seed_soil"
    _type = "Later"

    def __init__(
        self, children: Component | list | None = None, *, priority: str = "user-visible"
    ) -> None:
        if priority not in PRIORITIES:
            raise ValueError(f"priority {priority!r} is not one of {PRIORITIES}")
        self._prop_names = ["children", "priority"]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = ["children", "priority"]
        self.available_wildcard_properties: list[str] = []
        super().__init__(children=children, priority=priority)
