"""dashboard.callbacks.next_state: every user action as a pure state transition; and the scenario
card text."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dashboard.callbacks import (
    DEFAULT_SCENARIO,
    hypothesis_text,
    next_state,
    scenario_changed,
    scenario_text,
)
from dashboard.controls import INPUT, SLIDER
from dashboard.explore import reference_label, resolve_reference
from dashboard.figures import PINNED, Labels
from dashboard.ids import control_id
from dashboard.state import PageState, to_query
from model import PARAMETER_SPECS, InvalidInput, Parameters
from model.hypotheses import HYPOTHESES, SWITCHES, hypothesis_of
from model.scenarios import SCENARIOS

LLC = PageState.for_scenario(DEFAULT_SCENARIO)
REDIRECT = "conditioned-medium-redirect"


def _diff(a: Parameters, b: Parameters) -> set[str]:
    return {k for k in a if a[k] != b[k]}


def _text(children) -> str:
    """All the text in a Dash component tree."""
    if children is None:
        return ""
    if isinstance(children, str | int | float):
        return str(children)
    if isinstance(children, list | tuple):
        return " ".join(_text(c) for c in children)
    return _text(getattr(children, "children", None))


# --- Page load --------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", [None, "url"])
@pytest.mark.parametrize("search", [None, "", "?"])
def test_first_load_without_query_shows_the_llc_scenario(trigger, search) -> None:
    state = next_state(PageState(Parameters()), trigger, None, search=search)
    assert state == PageState.for_scenario("kaplan2005-llc")


@pytest.mark.parametrize(
    "state",
    [
        PageState.for_scenario("breast-resection-dormancy"),
        PageState(Parameters({"tropism.lung": 0.25}), 45.0, None),
        PageState(SCENARIOS["vla4-blockade"].parameters().replace(resection_day=10), 30.0, None),
    ],
)
def test_load_with_query_restores_the_state(state: PageState) -> None:
    assert next_state(LLC, None, None, search=to_query(state)) == state


def test_load_with_bad_query_is_refused() -> None:
    with pytest.raises(InvalidInput, match="vegfr1_signalling"):
        next_state(LLC, "url", None, search="?vegfr1_signalling=1000")


# --- Scenario ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_picking_a_scenario_sets_every_parameter_and_days(name: str) -> None:
    edited = PageState(Parameters({"tropism.lung": 0.3, "vegfr1_signalling": 11}), 77.0, None)
    state = next_state(edited, "scenario", name)
    scenario = SCENARIOS[name]
    assert state.scenario == name
    assert state.days == scenario.days
    assert dict(state.params.items()) == dict(scenario.parameters().items())


def test_clearing_the_scenario_keeps_the_parameters_and_days() -> None:
    current = PageState.for_scenario(REDIRECT)
    state = next_state(current, "scenario", None)
    assert state == dataclasses.replace(current, scenario=None)


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no-such-scenario"):
        next_state(LLC, "scenario", "no-such-scenario")


def test_scenario_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(InvalidInput):
        next_state(LLC, "scenario", ["kaplan2005-llc"])


# --- Sliders and number boxes -------------------------------------------------------------------


def test_log_slider_changes_exactly_that_parameter() -> None:
    trigger = control_id(SLIDER, "tumor_growth_rate")
    state = next_state(LLC, trigger, -1.5)  # 10**-1.5 = 0.0316...
    assert state.params["tumor_growth_rate"] == 0.0316
    assert _diff(state.params, LLC.params) == {"tumor_growth_rate"}
    assert (state.days, state.scenario) == (LLC.days, LLC.scenario)


def test_linear_slider_takes_the_position_as_the_value() -> None:
    state = next_state(LLC, control_id(SLIDER, "tropism.liver"), 0.45)
    assert state.params["tropism.liver"] == 0.45
    assert _diff(state.params, LLC.params) == {"tropism.liver"}


@pytest.mark.parametrize("position", [None, "x", True, math.nan, 5.0])
def test_bad_log_slider_position_is_refused(position) -> None:
    # 5.0 is 1e5 /day: outside tumor_growth_rate's range.
    with pytest.raises(InvalidInput, match="tumor_growth_rate"):
        next_state(LLC, control_id(SLIDER, "tumor_growth_rate"), position)


def test_number_box_sets_the_typed_value() -> None:
    state = next_state(LLC, control_id(INPUT, "vegfr1_signalling"), 8)
    assert state.params["vegfr1_signalling"] == 8.0
    assert _diff(state.params, LLC.params) == {"vegfr1_signalling"}


@pytest.mark.parametrize("value", [25, -1, None, math.inf, "abc", True])
def test_bad_number_box_value_is_refused_naming_the_parameter(value) -> None:
    with pytest.raises(InvalidInput, match="vegfr1_signalling"):
        next_state(LLC, control_id(INPUT, "vegfr1_signalling"), value)


def test_empty_resection_box_means_no_resection() -> None:
    current = PageState.for_scenario("breast-resection-dormancy")
    assert current.params["resection_day"] == 1034.0
    state = next_state(current, control_id(INPUT, "resection_day"), None)
    assert state.params["resection_day"] is None
    assert _diff(state.params, current.params) == {"resection_day"}


def test_resection_box_takes_a_day() -> None:
    state = next_state(LLC, control_id(INPUT, "resection_day"), 14)
    assert state.params["resection_day"] == 14.0


@pytest.mark.parametrize("kind", [SLIDER, INPUT])
def test_control_for_unknown_parameter_is_refused(kind: str) -> None:
    with pytest.raises(InvalidInput, match="no_such_parameter"):
        next_state(LLC, control_id(kind, "no_such_parameter"), 1.0)


# --- Resets -----------------------------------------------------------------------------------


def _edited(base: PageState) -> PageState:
    params = base.params.replace(
        {"tropism.lung": 0.3, "tropism.liver": 0.9, "vegfr1_signalling": 9}
    )
    return dataclasses.replace(base, params=params)


def test_reset_group_restores_the_scenarios_values_for_that_group_only() -> None:
    current = _edited(PageState.for_scenario(REDIRECT))
    state = next_state(current, {"type": "reset-group", "group": "Organ tropism"}, 1)
    scenario = SCENARIOS[REDIRECT].parameters()
    for spec in PARAMETER_SPECS:
        if spec.group == "Organ tropism":
            assert state.params[spec.name] == scenario[spec.name], spec.name
    assert state.params["tropism.liver"] == 0.65  # the scenario's, not the default 0.05
    assert state.params["vegfr1_signalling"] == 9.0  # other groups untouched
    assert _diff(state.params, current.params) == {"tropism.lung", "tropism.liver"}


def test_reset_group_without_scenario_restores_defaults() -> None:
    current = _edited(dataclasses.replace(PageState.for_scenario(REDIRECT), scenario=None))
    state = next_state(current, {"type": "reset-group", "group": "Organ tropism"}, 1)
    for spec in PARAMETER_SPECS:
        if spec.group == "Organ tropism":
            assert state.params[spec.name] == spec.default, spec.name
    assert state.params["vegfr1_signalling"] == 9.0


def test_reset_all_restores_the_scenario_and_keeps_days() -> None:
    current = dataclasses.replace(_edited(PageState.for_scenario(REDIRECT)), days=50.0)
    state = next_state(current, "reset-all", 1)
    assert state == PageState(SCENARIOS[REDIRECT].parameters(), 50.0, REDIRECT)


def test_reset_all_without_scenario_restores_defaults() -> None:
    current = _edited(PageState(Parameters(), 30.0, None))
    assert next_state(current, "reset-all", 1) == PageState(Parameters(), 30.0, None)


# --- Days, upload, unknown --------------------------------------------------------------------


def test_days_sets_the_span_only() -> None:
    state = next_state(LLC, "days", 60)
    assert state == dataclasses.replace(LLC, days=60.0)


@pytest.mark.parametrize("days", [0, -3, None, "abc", math.nan, math.inf, 36_501])
def test_bad_days_are_refused(days) -> None:
    with pytest.raises(InvalidInput, match="days"):
        next_state(LLC, "days", days)


def test_upload_replaces_the_state(data_url) -> None:
    contents = data_url({"tropism.bone": 0.7})
    state = next_state(LLC, "upload", contents, filename="p.json")
    assert state == PageState(Parameters({"tropism.bone": 0.7}))


@pytest.mark.parametrize(
    "trigger",
    ["something-else", "message", {"type": "param-info", "name": "tropism.lung"}, {"x": 1}],
)
def test_unknown_trigger_is_refused(trigger) -> None:
    with pytest.raises(InvalidInput, match="unexpected input"):
        next_state(LLC, trigger, 1)


def test_reset_group_trigger_without_group_is_refused() -> None:
    with pytest.raises(InvalidInput):
        next_state(LLC, {"type": "reset-group"}, 1)


# --- Scenario card ----------------------------------------------------------------------------


def test_scenario_card_describes_the_scenario() -> None:
    text = _text(scenario_text(LLC))
    scenario = SCENARIOS[DEFAULT_SCENARIO]
    assert scenario.title in text
    assert scenario.expected in text
    assert not scenario_changed(LLC)


def test_scenario_card_notes_changed_parameters() -> None:
    assert scenario_changed(next_state(LLC, control_id(INPUT, "vegfr1_signalling"), 8))


def test_scenario_card_notes_changed_days() -> None:
    assert scenario_changed(next_state(LLC, "days", 45))


def test_scenario_card_loses_the_note_after_reset_all() -> None:
    edited = next_state(LLC, control_id(INPUT, "vegfr1_signalling"), 8)
    assert not scenario_changed(next_state(edited, "reset-all", 1))


def test_custom_settings_card() -> None:
    state = PageState(Parameters({"tropism.lung": 0.2}))
    assert "Custom settings" in _text(scenario_text(state))
    assert not scenario_changed(state)


# --- Hypotheses -------------------------------------------------------------------------------

ANTI_VEGFR1 = PageState.for_scenario("kaplan2005-anti-vegfr1")


@pytest.mark.parametrize("name", HYPOTHESES)
def test_choosing_a_hypothesis_sets_its_switches_only(name: str) -> None:
    """Like a scenario sets its overrides, but every other setting (the experiment) stays."""
    state = next_state(ANTI_VEGFR1, "hypothesis", name)
    assert hypothesis_of(state.params) == name
    assert {k: state.params[k] for k in SWITCHES} == dict(HYPOTHESES[name].switches)
    assert _diff(state.params, ANTI_VEGFR1.params) <= set(SWITCHES)
    assert (state.days, state.scenario) == (ANTI_VEGFR1.days, ANTI_VEGFR1.scenario)


def test_a_switch_slider_stays_editable_and_makes_a_custom_mix() -> None:
    state = next_state(LLC, control_id(SLIDER, "vegfr1_dependence"), 0.3)
    assert state.params["vegfr1_dependence"] == 0.3
    assert hypothesis_of(state.params) is None
    assert "Custom mix" in _text(hypothesis_text(state))


def test_the_dawson_scenario_loads_the_dawson_hypothesis() -> None:
    state = next_state(LLC, "scenario", "dawson2009")
    assert hypothesis_of(state.params) == "dawson"
    assert HYPOTHESES["dawson"].claim in _text(hypothesis_text(state))


def test_reset_of_the_mechanisms_group_returns_to_the_scenarios_hypothesis() -> None:
    mixed = next_state(LLC, "hypothesis", "ewing")
    state = next_state(mixed, {"type": "reset-group", "group": "Mechanisms (hypothesis)"}, 1)
    assert state == LLC


@pytest.mark.parametrize("value", ["lamarck", 3, ["dawson"]])
def test_unknown_hypothesis_is_refused(value) -> None:
    with pytest.raises(InvalidInput, match="hypothesis"):
        next_state(LLC, "hypothesis", value)


def test_an_empty_hypothesis_choice_changes_nothing() -> None:
    assert next_state(LLC, "hypothesis", None) == LLC


# --- Reference: pinned run or the same experiment under another hypothesis ----------------------


def test_no_reference() -> None:
    assert resolve_reference(LLC, None) == (None, PINNED)
    assert reference_label(None) == ""


def test_a_pinned_reference_is_the_stored_state() -> None:
    reference, labels = resolve_reference(LLC, ANTI_VEGFR1.to_store())
    assert reference == ANTI_VEGFR1 and labels == PINNED
    assert reference_label(ANTI_VEGFR1.to_store()) == (
        "Reference pinned (dashed): LLC with anti-VEGFR1 from day 0, 30 days, Kaplan-Lyden."
    )


def test_a_hypothesis_reference_runs_the_current_experiment_under_it() -> None:
    reference, labels = resolve_reference(ANTI_VEGFR1, {"hypothesis": "dawson"})
    assert reference == PageState(
        HYPOTHESES["dawson"].apply(ANTI_VEGFR1.params), ANTI_VEGFR1.days, ANTI_VEGFR1.scenario
    )
    assert labels == Labels("Kaplan-Lyden", "Dawson")
    # It follows the experiment: edit the current run, the reference moves with it.
    edited = next_state(ANTI_VEGFR1, control_id(INPUT, "anti_vegfr1_efficacy"), 0.5)
    moved, _ = resolve_reference(edited, {"hypothesis": "dawson"})
    assert moved.params["anti_vegfr1_efficacy"] == 0.5
    assert "Dawson: niche without VEGFR1" in reference_label({"hypothesis": "dawson"})


def test_a_custom_mix_is_named_so_against_a_hypothesis() -> None:
    mixed = PageState(Parameters(vegfr1_dependence=0.3))
    assert resolve_reference(mixed, {"hypothesis": "paget"})[1] == Labels("custom mix", "Paget")


@pytest.mark.parametrize(
    "stored", [{"hypothesis": "lamarck"}, {"hypothesis": ["dawson"]}, {"changed": {"x": 1}}]
)
def test_a_forged_reference_is_refused(stored) -> None:
    with pytest.raises(InvalidInput):
        resolve_reference(LLC, stored)
