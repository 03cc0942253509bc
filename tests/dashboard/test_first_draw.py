"""A page opened without a query gets its layout with the Explore tab already drawn, and the
page callback's answer on its load draws nothing again (dashboard/page.py, ``build_layout``'s
``drawn``, ``page_answer``); dcc's lazily loaded parts come as scripts of the page."""

from __future__ import annotations

import json
import re

import brotli
import pytest
from dash import dcc as dash_dcc
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import ids
from dashboard.callbacks import opens_first_state
from dashboard.explore import OUTPUTS
from dashboard.page import DCC_CHUNKS, dcc_chunks_first, referring_query
from dashboard.state import PageState, to_query
from tests.dash_tree import layout_components

LLC = PageState.for_scenario("kaplan2005-llc")
BREAST = PageState.for_scenario("breast-resection-dormancy")
PAGE = "http://localhost/"
#: What a page load answer writes that a drawn layout already holds: the Explore tab's outputs
#: and the two texts of the controls column.
DRAWN_IDS = {o.component_id for o in OUTPUTS} | {ids.SCENARIO_TEXT, ids.HYPOTHESIS_TEXT}


def _layout(page, referrer: str | None):
    headers = {"Referer": referrer} if referrer is not None else {}
    answer = page.client.get("/_dash-layout", headers=headers)
    assert answer.status_code == 200
    return answer


def _props(layout: dict) -> dict[str, dict]:
    """Every component's props in the layout JSON, by id."""
    return {
        component["props"]["id"]: component["props"]
        for component in layout_components(layout)
        if isinstance(component["props"].get("id"), str)
    }


def _answer(page, **kwargs) -> dict:
    """The page callback's answer (``DashPage.update_state``), ``{}`` for 204."""
    response = page.update_state(LLC, **kwargs)
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def _drawn(view: dict | None = None) -> dict:
    return {"first-drawn.data": True} | (view or {})


def test_a_page_opened_without_a_query_gets_the_explore_tab_drawn(page) -> None:
    answer = _layout(page, PAGE + "some/path")
    props = _props(answer.get_json())
    assert props[ids.FIRST_DRAWN]["data"] is True
    for graph in (ids.CASCADE_GRAPH, ids.ORGAN_GRAPH, ids.BURDEN_GRAPH):
        assert props[graph]["figure"]["data"], graph
    assert "readout-table-inner" in props[ids.READOUTS_TEXT]["children"]
    assert props[ids.SCENARIO_TEXT]["children"] and props[ids.HYPOTHESIS_TEXT]["children"]
    assert props[ids.STATE]["data"] == LLC.to_store()
    assert "Referer" in answer.headers["Vary"]


def test_a_page_opened_on_the_first_state_gets_it_drawn(page) -> None:
    """The page's own link to its first state (its address after a first load: a reload)."""
    props = _props(_layout(page, PAGE + to_query(LLC)).get_json())
    assert props[ids.FIRST_DRAWN]["data"] is True and props[ids.CASCADE_GRAPH]["figure"]


@pytest.mark.parametrize("referrer", [PAGE + "?days=45", PAGE + "?days=abc", None, ""])
def test_a_page_opened_with_a_link_or_unknown_gets_the_tab_empty(page, referrer) -> None:
    """A link's state is drawn by the answer: the page never shows the first state's
    figures first. A page that sends no ``Referer`` is treated as a link."""
    answer = _layout(page, referrer)
    props = _props(answer.get_json())
    assert props[ids.FIRST_DRAWN]["data"] is False
    assert "figure" not in props[ids.CASCADE_GRAPH]
    assert props[ids.READOUTS_TEXT].get("children") is None
    assert props[ids.SCENARIO_TEXT].get("children") is None
    assert "Referer" in answer.headers["Vary"]


def test_the_drawn_layout_holds_what_the_page_load_answer_writes(page) -> None:
    """The answer to a page load of an empty tab, written into the layout: every property it
    writes of the tab and the two texts is in the drawn layout, with the same value."""
    answer = _answer(page, changed=None, search="")
    written = {i: p for i, p in answer.items() if i in DRAWN_IDS}
    assert {ids.CASCADE_GRAPH, ids.READOUTS_TEXT, ids.SCENARIO_TEXT} <= written.keys()
    props = _props(_layout(page, PAGE).get_json())
    for component_id, values in written.items():
        for name, value in values.items():
            assert props[component_id].get(name) == value, (component_id, name)


def test_the_page_load_of_a_drawn_page_draws_nothing_again(page) -> None:
    answer = _answer(page, changed=None, search="", view=_drawn())
    assert not DRAWN_IDS & answer.keys()
    assert answer.keys() <= {ids.URL}  # the query the state is shared by, at most


def test_a_drawn_page_opened_on_its_own_state_draws_nothing_again(page) -> None:
    answer = _answer(page, changed=ids.URL, search=to_query(LLC), view=_drawn())
    assert not DRAWN_IDS & answer.keys()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"changed": None, "search": to_query(BREAST)},  # a link's own state
        {"changed": ids.URL, "search": to_query(BREAST)},  # back to another state
        {"changed": None, "search": "", "stored": {"days": "x"}},  # a forged store
        {"changed": ids.DAYS, "days": 45},  # any change
    ],
)
def test_a_drawn_page_draws_a_state_it_does_not_show(page, kwargs) -> None:
    answer = _answer(page, **kwargs, view=_drawn())
    assert {ids.CASCADE_GRAPH, ids.READOUTS_TEXT} <= answer.keys()


def test_a_view_change_on_a_drawn_page_is_drawn(page) -> None:
    answer = _answer(page, changed=ids.AXIS_SCALE, view=_drawn({"axis-scale.value": "linear"}))
    assert ids.CASCADE_GRAPH in answer


def test_a_refused_link_on_a_drawn_page_keeps_the_drawing_and_says_why(page) -> None:
    answer = _answer(page, changed=None, search="?days=abc", view=_drawn())
    assert answer[ids.MESSAGE]["is_open"] is True
    assert "days" in answer[ids.MESSAGE]["children"]
    assert not DRAWN_IDS & answer.keys()


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://host/", ""),
        ("http://host/prefix/page", ""),
        ("https://host:8050/?", ""),  # an empty query: the page's location.search is ""
        ("http://host/?scenario=kaplan2005-llc", "scenario=kaplan2005-llc"),
        ("", None),
        (None, None),
        ("http://[::1/?x=1", None),  # no URL: urlsplit refuses it
    ],
)
def test_referring_query(referrer, expected) -> None:
    assert referring_query(referrer) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", True),
        (to_query(LLC).lstrip("?"), True),  # the page's own link to its first state
        ("scenario=kaplan2005-llc", True),  # a scenario named alone opens as it was run
        ("days=30&scenario=kaplan2005-llc", True),
        ("scenario=kaplan2005-llc&days=31", False),
        (to_query(BREAST).lstrip("?"), False),
        ("days=abc", False),  # refused: the answer says why, the tab stays empty
        ("scenario=kaplan2005-llc&scenario=kaplan2005-llc", False),
    ],
)
def test_opens_first_state(query, expected) -> None:
    assert opens_first_state(query) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_opens_first_state_takes_any_text(query) -> None:
    """A ``Referer`` is the client's to write: any query is an answer, never an error."""
    assert opens_first_state(query) in (True, False)


@pytest.mark.parametrize("referrer", ["http://[::1", "not a url?%ff", "?" + "a=1&" * 2000])
def test_a_strange_referer_gets_the_tab_empty(page, referrer) -> None:
    props = _props(_layout(page, referrer).get_json())
    assert props[ids.FIRST_DRAWN]["data"] is False


def test_the_two_layouts_are_compressed_and_kept_apart(page) -> None:
    def layout(referrer: str | None) -> bytes:
        headers = {"Accept-Encoding": "br"} | ({"Referer": referrer} if referrer else {})
        answer = page.client.get("/_dash-layout", headers=headers)
        assert answer.headers["Content-Encoding"] == "br"
        return brotli.decompress(answer.get_data())

    for _ in range(2):  # the second time, from the cache of compressed bytes
        assert layout(PAGE) == page.app.layout_json(drawn=True).encode()
        assert layout(None) == page.app.layout_json().encode()
    assert page.app.layout_json(drawn=True) != page.app.layout_json()


def test_dccs_parts_load_as_scripts_before_its_bundle(page) -> None:
    """dashboard/page.py, dcc_chunks_first: dcc's shared chunk, then each lazily loaded part,
    right before dcc's bundle, named with its fingerprint; every one is served."""
    html = page.client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    dcc = [s for s in scripts if "/dash/dcc/" in s]
    names = [re.sub(r"\.v[0-9a-z_]+\.js$", "", s.split("/")[-1]) for s in dcc]
    assert names == ["dash_core_components-shared", *DCC_CHUNKS, "dash_core_components"]
    fingerprint = re.search(r"(\.v[0-9a-z_]+\.js)$", dcc[-1]).group(1)
    assert all(s.endswith(fingerprint) for s in dcc[1:])
    start = scripts.index(dcc[0])
    assert scripts[start : start + len(dcc)] == dcc  # together
    for src in dcc:
        assert page.client.get(src).status_code == 200, src


def test_every_part_dcc_loads_lazily_is_on_the_page_but_mathjax_and_highlight() -> None:
    """A Dash release that adds a lazily loaded part fails here: it would load as the page
    renders, and React would show the components waiting for it up to 0.5 s late."""
    declared = {
        entry["relative_package_path"].removeprefix("dcc/").removesuffix(".js")
        for entry in dash_dcc._js_dist
        if entry.get("async") is True
    }
    assert declared - set(DCC_CHUNKS) == {"async-mathjax", "async-highlight"}
    assert set(DCC_CHUNKS) <= declared


def test_dcc_chunks_first_leaves_a_page_without_dccs_tags_alone() -> None:
    react = '<script src="/_dash-component-suites/dash/deps/react@18.v4m1.3.1.min.js"></script>\n'
    assert dcc_chunks_first(react) == react
    suites = "/_dash-component-suites/dash/dcc"
    bundle = f'<script src="{suites}/dash_core_components.v4_4_1m9.js"></script>\n'
    shared = f'<script src="{suites}/dash_core_components-shared.v4_4_1m9.js"></script>\n'
    moved = dcc_chunks_first(react + bundle + shared)
    assert moved.startswith(react + shared) and moved.endswith(bundle)
    assert moved.count("async-") == len(DCC_CHUNKS) and moved.count("-shared") == 1


def test_the_layout_json_is_the_layout_serialised(page) -> None:
    """``layout_json`` (made once per kind) is what the server sends."""
    assert json.loads(page.app.layout_json(drawn=True)) == _layout(page, PAGE).get_json()
    assert json.loads(page.app.layout_json()) == _layout(page, None).get_json()
