"""dashboard.ids: every component id of the page declared once, and used by name elsewhere."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import dashboard
from dashboard import ids
from dashboard.layout import build_layout
from model import PARAMETER_SPECS
from tests.dash_tree import walk

DASHBOARD = Path(dashboard.__file__).parent

#: Constants that are parts of ids (pattern-matching types, prefixes, suffixes), not ids.
PARTS = {name for name, value in vars(ids).items() if name.isupper() and value in ids.PARTS}
#: Every declared id, by constant name.
DECLARED = {
    name: value
    for name, value in vars(ids).items()
    if name.isupper() and isinstance(value, str) and name not in PARTS
}
#: Pattern-matching id types: ``{"type": ..., ...}``.
TYPES = {ids.RESET_GROUP}
#: Each parameter's slider and number box (``ids.control_id``).
CONTROL_IDS = {ids.control_id(k, s.name) for k in (ids.SLIDER, ids.INPUT) for s in PARAMETER_SPECS}

#: Quoted strings equal to an id that are not ids, by (module, string): why they stay literal.
NOT_IDS = {
    ("cache.py", "days"): "a field of the cache key (the page state's run length)",
    ("state.py", "days"): "a key of the link's query string and of the parameter file",
    ("state.py", "scenario"): "a key of the link's query string and of the parameter file",
    ("state.py", "hypothesis"): "a key of the parameter file",
    ("explore.py", "hypothesis"): "the key of the reference store's {'hypothesis': name}",
    ("figures.py", "reference"): "the default word for the reference run in figure labels",
    ("guard.py", "state"): "the 'state' list of a Dash callback request",
    ("direct.py", "state"): "the 'state' list of a Dash callback request",
    ("schematic.py", "state"): "a field of the schematic's cache key and request store",
    ("schematic.py", "presentation"): "a field of the schematic's request store",
    ("lessons.py", "lesson"): "a lesson file's table name and a link's #lesson= key",
    ("lessons.py", "scenario"): "a field of a lesson step (lesson file format)",
    ("lessons.py", "days"): "a field of a lesson step (lesson file format)",
    ("lessons.py", "hypothesis"): "a field of a lesson step and a target name (file format)",
    ("lessons.py", "readouts"): "a target name of a lesson step (lesson file format)",
    ("lessons.py", "lesson-text"): "CSS class of the element with that id",
    ("lessons.py", "lesson-bar"): "CSS class of the element with that id",
    ("links.py", "lesson"): "the link's #lesson= key (like #tab= and #step=), not the store",
    ("layout.py", "app-root"): "CSS class of the element with that id (clientside callback)",
    ("layout.py", "controls-column"): "CSS class of the element with that id",
    ("layout.py", "workspace"): "CSS class of the element with that id",
    ("schematic.py", "schematic-play"): "CSS class of the element with that id",
}


def _page_ids() -> list:
    return [c.id for c in walk(build_layout()) if getattr(c, "id", None) is not None]


def test_every_string_id_on_the_page_is_declared() -> None:
    names = {s.name for s in PARAMETER_SPECS}
    undeclared = [
        i
        for i in _page_ids()
        if isinstance(i, str)
        and i not in DECLARED.values()
        and not (i.startswith(ids.CONTROL_PREFIX) and i.removeprefix(ids.CONTROL_PREFIX) in names)
        and i not in CONTROL_IDS
    ]
    assert undeclared == []


def test_every_pattern_matching_id_has_a_declared_type() -> None:
    types = {i["type"] for i in _page_ids() if isinstance(i, dict)}
    assert types == TYPES


def test_every_declared_id_is_on_the_page() -> None:
    assert set(DECLARED.values()) - {i for i in _page_ids() if isinstance(i, str)} == set()


def test_declared_ids_are_unique() -> None:
    values = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    assert [v for v, n in Counter(values).items() if n > 1] == []
    assert len(_page_ids()) == len({str(i) for i in _page_ids()})


def _literals() -> set[tuple[str, str]]:
    """(module, id) for every quoted literal equal to a declared id outside dashboard.ids."""
    pattern = re.compile(r'"([a-z][a-z0-9-]*)"')
    found = set()
    for path in sorted(DASHBOARD.glob("*.py")):
        if path.name == "ids.py":
            continue
        for text in pattern.findall(path.read_text(encoding="utf-8")):
            if text in DECLARED.values():
                found.add((path.name, text))
    return found


def test_no_module_spells_out_an_id() -> None:
    assert _literals() - set(NOT_IDS) == set()


def test_every_exception_is_still_needed() -> None:
    assert set(NOT_IDS) - _literals() == set()


def test_each_parameter_control_has_a_plain_id_of_its_own() -> None:
    """Plain ids, not pattern-matching ones (the renderer searched those); Dash ids take no
    dots, so ``tropism.lung`` is spelt ``tropism--lung``."""
    assert len(CONTROL_IDS) == 2 * len(PARAMETER_SPECS)
    assert not [i for i in CONTROL_IDS if "." in i or "{" in i]
    assert ids.control_id(ids.SLIDER, "tropism.lung") == "param-slider-tropism--lung"
