"""dashboard.controls: one control per parameter declaration, derived, never hand-written; and
the page lists them in the order the page callback assumes."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pytest
from dash import dcc

from dashboard.controls import (
    CONTROL_SPECS,
    GROUP_BLURBS,
    INPUT,
    SLIDER,
    control_for,
    slider_step,
)
from dashboard.ids import control_id
from dashboard.layout import build_layout
from dashboard.state import PageState
from model import GROUPS, PARAMETER_SPECS, Parameters
from model.hypotheses import HYPOTHESES
from tests.dash_tree import walk

SLIDERS = [s for s in CONTROL_SPECS if not s.optional]


def _ids(tree, kind: str) -> list[str]:
    """The parameters whose control of ``kind`` (SLIDER, INPUT) is in ``tree``, in order."""
    names = {control_id(kind, s.name): s.name for s in PARAMETER_SPECS}
    return [names[c.id] for c in walk(tree) if isinstance(getattr(c, "id", None), str)
            and c.id in names]  # fmt: skip


def _slider(spec) -> dcc.Slider:
    (slider,) = [c for c in walk(control_for(spec, spec.default)) if isinstance(c, dcc.Slider)]
    return slider


def test_one_control_per_parameter() -> None:
    assert sorted(s.name for s in CONTROL_SPECS) == sorted(s.name for s in PARAMETER_SPECS)
    layout = build_layout()
    assert sorted(_ids(layout, INPUT)) == sorted(s.name for s in PARAMETER_SPECS)


def test_controls_are_grouped_in_the_order_of_the_groups() -> None:
    groups = [s.group for s in CONTROL_SPECS]
    assert groups == sorted(groups, key=GROUPS.index)


def test_control_specs_order_is_the_layout_order() -> None:
    """The page shows the controls in the order the page callback lists them."""
    layout = build_layout()
    assert _ids(layout, INPUT) == [s.name for s in CONTROL_SPECS]
    assert _ids(layout, SLIDER) == [s.name for s in SLIDERS]


@pytest.mark.parametrize("spec", PARAMETER_SPECS, ids=lambda s: s.name)
def test_each_control_has_a_number_box_and_a_slider_unless_optional(spec) -> None:
    control = control_for(spec, spec.default)
    assert _ids(control, INPUT) == [spec.name]
    assert _ids(control, SLIDER) == ([] if spec.optional else [spec.name])


def test_resection_day_has_no_slider_and_says_never_when_empty() -> None:
    (spec,) = [s for s in PARAMETER_SPECS if s.name == "resection_day"]
    control = control_for(spec, None)
    assert _ids(control, SLIDER) == []
    (box,) = [c for c in walk(control) if isinstance(c, dbc.Input)]
    assert box.value is None
    assert box.placeholder == "never"


@pytest.mark.parametrize("spec", [s for s in SLIDERS if s.scale == "log"], ids=lambda s: s.name)
def test_log_sliders_run_over_log10_of_the_range(spec) -> None:
    slider = _slider(spec)
    assert slider.min == pytest.approx(math.log10(spec.low))
    assert slider.max == pytest.approx(math.log10(spec.high))
    assert slider.value == pytest.approx(math.log10(spec.default))
    for position in slider.marks:
        assert slider.min - 1e-9 <= position <= slider.max + 1e-9


@pytest.mark.parametrize("spec", [s for s in SLIDERS if s.scale == "linear"], ids=lambda s: s.name)
def test_linear_sliders_run_over_the_range(spec) -> None:
    slider = _slider(spec)
    assert (slider.min, slider.max, slider.value) == (spec.low, spec.high, spec.default)
    # The step divides the range, so both ends can be reached.
    steps = (spec.high - spec.low) / slider.step
    assert steps == pytest.approx(round(steps))


@pytest.mark.parametrize("spec", SLIDERS, ids=lambda s: s.name)
def test_every_slider_has_an_explicit_step(spec) -> None:
    slider = _slider(spec)
    assert slider.step is not None
    assert slider.step == slider_step(spec)
    assert 0 < slider.step <= (slider.max - slider.min) / 50  # at least 50 positions


def test_control_shows_the_given_value_not_the_default() -> None:
    (spec,) = [s for s in PARAMETER_SPECS if s.name == "tumor_growth_rate"]
    control = control_for(spec, 0.01)
    (box,) = [c for c in walk(control) if isinstance(c, dbc.Input)]
    assert box.value == 0.01
    assert _slider_value(control) == pytest.approx(-2.0)


def _slider_value(control) -> float:
    (slider,) = [c for c in walk(control) if isinstance(c, dcc.Slider)]
    return slider.value


def _box_values(layout) -> dict:
    """Each parameter's number box value, by parameter name."""
    names = {control_id(INPUT, s.name): s.name for s in PARAMETER_SPECS}
    return {names[c.id]: c.value for c in walk(layout) if isinstance(c, dbc.Input)
            and c.id in names}  # fmt: skip


def test_layout_starts_at_the_given_state() -> None:
    initial = PageState.for_scenario("breast-resection-dormancy")
    layout = build_layout(initial)
    assert _box_values(layout) == dict(initial.params.items())
    (store,) = [c for c in walk(layout) if getattr(c, "id", None) == "state"]
    assert PageState.from_store(store.data) == initial


def test_default_layout_shows_defaults() -> None:
    layout = build_layout()
    assert _box_values(layout) == dict(Parameters().items())


def test_every_group_has_a_blurb() -> None:
    assert set(GROUP_BLURBS) == set(GROUPS)


def _by_id(tree, component_id: str):
    (found,) = [c for c in walk(tree) if getattr(c, "id", None) == component_id]
    return found


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        (Parameters(), "kaplan-lyden"),
        (HYPOTHESES["ewing"].apply(Parameters()), "ewing"),
        (Parameters(organ_soil=0.5), None),
    ],
)
def test_hypothesis_menus_list_every_hypothesis_and_start_at_the_state(params, shown) -> None:
    layout = build_layout(PageState(params))
    menu = _by_id(layout, "hypothesis")
    assert [o["value"] for o in menu.options] == list(HYPOTHESES)
    assert [o["label"] for o in menu.options] == [h.title for h in HYPOTHESES.values()]
    assert menu.value == shown and menu.clearable is False
    assert "Custom mix" in menu.placeholder
    compare = _by_id(layout, "compare-hypothesis")
    assert compare.options == menu.options and compare.value is None and compare.clearable


@pytest.mark.parametrize("spec", CONTROL_SPECS, ids=lambda s: s.name)
def test_number_boxes_are_plain_text_fields_applied_on_enter_or_leaving(spec) -> None:
    """Not Dash 4's number input: its -/+ steppers took the focus and its field scrolled inside
    a fixed box; the wheel and the step changed typed values. The server parses the text."""
    (box,) = [c for c in walk(control_for(spec, spec.default)) if isinstance(c, dbc.Input)]
    assert box.id == control_id(INPUT, spec.name)
    assert box.type == "text"
    assert box.debounce is True
    assert getattr(box, "step", None) is None
    assert "param-number" in box.class_name


@pytest.mark.parametrize("spec", SLIDERS, ids=lambda s: s.name)
def test_a_slider_names_its_handle_and_says_whether_it_runs_over_log10(spec) -> None:
    """Dash 4's slider takes no ARIA props: assets/a11y.js names the handle from these, and a
    screen reader hears a log slider's value, not its logarithm."""
    control = control_for(spec, spec.default)
    assert [c for c in walk(control) if isinstance(c, dcc.Slider)]
    assert getattr(control, "data-thumb-label") == f"{spec.title} ({spec.unit})"
    assert getattr(control, "data-log-scale") == ("true" if spec.scale == "log" else "false")


@pytest.mark.parametrize("spec", CONTROL_SPECS, ids=lambda s: s.name)
def test_a_control_is_few_components_and_names_its_number_box(spec) -> None:
    """Dash's renderer checks every component on each store update: a control is its
    wrapper, header, info icon, slider and box (assets/a11y.js names the box from
    ``data-box-label``; the icon's CSS shows ``data-unit``)."""
    control = control_for(spec, spec.default)
    assert len(list(walk(control))) == (4 if spec.optional else 5)
    assert getattr(control, "data-box-label") == f"{spec.title} value ({spec.unit})"
    header = control.children[0]
    assert header.children[0] == spec.title
    assert getattr(header.children[1], "data-unit") == f"({spec.unit})"


@pytest.mark.parametrize("component_id", ["axis-scale", "export-format"])
def test_choices_are_native_radio_buttons(component_id) -> None:
    """Not dcc.RadioItems: Dash 4 renders it as a listbox of options wrapping radio inputs
    (axe-core: invalid roles, interactive elements nested)."""
    choice = _by_id(build_layout(), component_id)
    assert isinstance(choice, dbc.RadioItems) and choice.inline
    assert choice.name == component_id  # one radio group for the keyboard
    assert all(isinstance(o["label"], str) and o["label"] == o["label"].strip()
               for o in choice.options)  # fmt: skip


def test_the_controls_can_be_folded_away_by_a_button_that_says_so() -> None:
    layout = build_layout()
    toggle = _by_id(layout, "controls-toggle")
    assert getattr(toggle, "aria-controls") == "controls-column"
    assert getattr(toggle, "aria-expanded") == "true" and toggle.type == "button"
    assert [span.children for span in toggle.children] == ["Hide controls", "Show controls"]
    column = _by_id(layout, "controls-column")
    assert "controls-column" in column.class_name
    assert "workspace" in _by_id(layout, "workspace").class_name


@pytest.mark.parametrize("spec", CONTROL_SPECS, ids=lambda s: s.name)
def test_each_info_icon_carries_its_parameters_meaning_and_source(spec) -> None:
    """assets/param-info.js shows them in the tooltip: no Dash component per tooltip."""
    (icon,) = [
        c
        for c in walk(control_for(spec, spec.default))
        if getattr(c, "className", None) == "param-info"
    ]
    props = icon.to_plotly_json()["props"]
    assert props["data-meaning"] == spec.meaning and props["data-source"] == spec.source
    assert props["aria-label"] == f"About {spec.title}"
    assert not [c for c in walk(control_for(spec, spec.default)) if isinstance(c, dbc.Tooltip)]
