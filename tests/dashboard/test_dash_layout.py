"""dashboard.layout: what a keyboard user meets first, and where the skip link goes."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import html

from dashboard.later import Later
from dashboard.layout import FIGURES_ID, SKIP_LINK_ID, build_layout
from dashboard.state import PageState
from tests.dash_tree import walk


def _by_id(tree, component_id: str):
    (found,) = [c for c in walk(tree) if getattr(c, "id", None) == component_id]
    return found


def test_skip_link_is_the_first_link_and_points_at_the_figures() -> None:
    layout = build_layout()
    first = next(c for c in walk(layout) if isinstance(c, html.A | dbc.Button | dbc.Switch))
    assert first.id == SKIP_LINK_ID
    assert first.children == "Skip to figures"
    assert first.href == f"#{FIGURES_ID}"
    # Hidden until a keyboard user focuses it (Bootstrap), then styled in assets/style.css.
    assert "visually-hidden-focusable" in first.className


def test_figures_region_takes_focus_from_script_only() -> None:
    region = _by_id(build_layout(), FIGURES_ID)
    assert isinstance(region, html.Main)
    assert region.tabIndex == "-1"
    assert region.to_plotly_json()["props"]["aria-label"] == "Figures"
    assert _by_id(region, "tabs") is not None


def test_days_box_is_a_text_field_starting_at_the_given_days() -> None:
    initial = PageState.for_scenario("breast-resection-dormancy")
    days = _by_id(build_layout(initial), "days")
    assert isinstance(days, dbc.Input)
    assert (days.type, days.value, days.debounce) == ("text", initial.days, True)


def test_tabs_keep_their_ids_for_links_and_callbacks() -> None:
    tabs = _by_id(build_layout(), "tabs")
    assert [t.tab_id for t in tabs.children] == ["explore", "sweep", "sensitivity", "schematic"]
    assert [t.label for t in tabs.children] == ["Explore", "Sweep", "Sensitivity", "Schematic"]


def test_the_page_declares_its_language(page) -> None:
    """Screen readers pick the voice from <html lang>."""
    assert '<html lang="en">' in page.client.get("/").get_data(as_text=True)


def test_later_is_the_component_assets_later_js_defines_with_a_checked_priority() -> None:
    later = Later(html.P("text"), priority="user-blocking")
    assert later.to_plotly_json() == {
        "namespace": "seed_soil",
        "type": "Later",
        "props": {"children": later.children, "priority": "user-blocking"},
    }
    assert Later().priority == "user-visible"
    with pytest.raises(ValueError, match="soon"):
        Later(priority="soon")


def test_the_controls_and_hidden_tabs_are_rendered_later_and_the_explore_tab_first() -> None:
    """dashboard.later: the first render holds the Explore tab (figures, readouts); the
    controls column is one Later, rendered first after the first figure's paint, and each
    hidden tab's panel one more, rendered after the other figures' first drawings."""
    layout = build_layout(drawn=True)
    column = _by_id(layout, "controls-column")
    (controls,) = [c for c in walk(column) if isinstance(c, Later)]
    assert controls.priority == "user-blocking"
    # The whole column (its own id first): toolbar, parameter groups, share box.
    assert len(_ids(controls.children)) > 100
    assert _ids(controls.children) == _ids(column)[1:]
    explore, *hidden = _by_id(layout, "tabs").children
    assert not [c for c in walk(explore) if isinstance(c, Later)]
    assert _by_id(explore, "cascade-graph").figure  # drawn in the layout, first rendered
    assert _by_id(explore, "readouts")
    assert [(tab.tab_id, type(tab.children), tab.children.priority) for tab in hidden] == [
        (name, Later, "user-visible") for name in ("sweep", "sensitivity", "schematic")
    ]
    assert len([c for c in walk(layout) if isinstance(c, Later)]) == 4


def _ids(tree) -> list:
    return [c.id for c in walk(tree) if getattr(c, "id", None)]
