"""The Sweep tab's pure parts: request validation, running, figures, loading a clicked point."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, no_update

from dashboard.callbacks import next_state
from dashboard.figures import ORGAN_COLOURS
from dashboard.links import DEFAULTS, from_fragment, to_fragment
from dashboard.results import job_failed
from dashboard.sensitivity import sensitivity_panel
from dashboard.state import PageState
from dashboard.sweeps import (
    SWEEP_DEFAULTS,
    load_point,
    parse_request,
    run_request,
    sweep_budget,
    sweep_figure,
    sweep_panel,
)
from model import ORGAN_LABELS, ORGANS, InvalidInput, Parameters, spec_for

LLC = PageState.for_scenario("kaplan2005-llc")
X = ("vegfr1_signalling", 2.0, 8.0, 4)
Y = ("dormancy_exit_rate", None, None, 3)


def test_a_valid_2d_request_spans_the_asked_ranges() -> None:
    request = parse_request("2d", X, Y, "burden.lung", budget=2500)
    assert request.x_values == (2.0, 4.0, 6.0, 8.0)
    assert request.y_values[0] == 1e-7 and request.y_values[-1] == 1.0  # whole declared range
    assert request.runs == 12


@pytest.mark.parametrize(
    "mode, x, y, outcome, budget, message",
    [
        ("3d", X, Y, "burden.lung", 2500, "unknown sweep mode"),
        ("1d", X, Y, "burden.moon", 2500, "unknown outcome"),
        ("1d", ("no_such", None, None, 5), Y, "burden.lung", 2500, "unknown parameter"),
        ("1d", ("vegfr1_signalling", None, None, 51), Y, "burden.lung", 2500, "from 2 to 50"),
        ("1d", ("vegfr1_signalling", None, None, 2.5), Y, "burden.lung", 2500, "whole number"),
        ("1d", ("vegfr1_signalling", -1, 5, 5), Y, "burden.lung", 2500, "allowed range"),
        ("1d", ("vegfr1_signalling", "a", 5, 5), Y, "burden.lung", 2500, "must be a number"),
        ("2d", X, X, "burden.lung", 2500, "two different"),
        ("2d", X, Y, "burden.lung", 10, "12 runs requested; this server allows 10"),
        ("1d", ("resection_day", None, None, 5), Y, "burden.lung", 2500, "cannot be swept"),
    ],
)
def test_bad_requests_are_refused_with_a_message(mode, x, y, outcome, budget, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_request(mode, x, y, outcome, budget)


def test_range_boxes_are_plain_text_fields_sent_as_typed() -> None:
    """Not Dash 4's number input (its -/+ steppers replaced a value tabbed onto, its field
    scrolled inside a fixed box): the server parses the text when Run is pressed."""
    panel = sweep_panel()
    for axis in ("x", "y"):
        for end in ("from", "to", "n"):
            box = _find(panel, f"sweep-{axis}-{end}")
            assert isinstance(box, dbc.Input) and box.type == "text"
            assert box.debounce is False  # a shared link follows the typing
            assert getattr(box, "step", None) is None
        assert _find(panel, f"sweep-{axis}-n").value == SWEEP_DEFAULTS[f"sweep-{axis}-n"]
    assert not [c for c in _walk(panel) if isinstance(c, dcc.Input)]


def test_typed_text_runs_like_numbers() -> None:
    typed = parse_request(
        "2d", ("vegfr1_signalling", " 2", "8 ", "4"), ("dormancy_exit_rate", "", " ", "3.0"),
        "burden.lung", budget=2500,
    )  # fmt: skip
    assert typed == parse_request("2d", X, Y, "burden.lung", budget=2500)
    assert parse_request("1d", ("homing_rate", "1e-3", "0.5", "2"), Y, "burden.lung",
                         2500).x_values == (0.001, 0.5)  # fmt: skip


@pytest.mark.parametrize(
    "low, high, points, message",
    [
        ("abc", None, "5", "sweep of vegfr1_signalling: 'from' must be a number, got 'abc'"),
        (None, "nan", "5", "'to' must be a finite number, got 'nan'"),
        ("-1e999", None, "5", "'from' must be a finite number"),
        ("9", "2", "5", "the start 9 must be below the end 2"),
        ("0", "99", "5", "leaves its allowed range"),
        (None, None, "2.5", "points=2.5 must be a whole number from 2 to 50"),
        (None, None, "", "points='' must be a whole number"),
        (None, None, "lots", "points='lots' must be a whole number"),
        (None, None, "51", "from 2 to 50"),
    ],
)
def test_bad_text_is_refused_with_the_sweeps_message(low, high, points, message) -> None:
    """The Sweep tab shows "Sweep not started: <message>." and keeps its last result."""
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        parse_request("1d", ("vegfr1_signalling", low, high, points), Y, "burden.lung", 2500)


def test_typed_settings_round_trip_through_a_link() -> None:
    typed = {**DEFAULTS, "tab": "sweep", "sweep-x-from": "0.5", "sweep-x-to": " ",
             "sweep-x-n": "25", "sweep-y-n": "7"}  # fmt: skip
    fragment = to_fragment(typed)
    assert fragment == "#tab=sweep&sweep-x-from=0.5&sweep-y-n=7"  # defaults stay out
    restored = from_fragment(fragment)
    assert restored["sweep-x-from"] == 0.5 and restored["sweep-y-n"] == 7
    assert restored["sweep-x-to"] is None and restored["sweep-x-n"] == 25
    assert to_fragment(restored) == fragment


def test_budget_comes_from_the_environment_and_is_validated() -> None:
    assert sweep_budget({}) == 2500
    assert sweep_budget({"SEED_SOIL_SWEEP_BUDGET": "400"}) == 400
    for bad in ("0", "lots", "99999", "-5"):
        with pytest.raises(InvalidInput, match="SEED_SOIL_SWEEP_BUDGET"):
            sweep_budget({"SEED_SOIL_SWEEP_BUDGET": bad})


def test_a_2d_sweep_result_is_plain_json_and_draws_a_heatmap_with_the_current_point() -> None:
    seen = []
    result = run_request(
        parse_request("2d", X, Y, "niche_onset_day.lung", 2500),
        LLC,
        lambda done, total: seen.append((done, total)),
    )
    json.dumps(result, allow_nan=False)  # NaN (never) travels as null
    assert seen[-1] == (12, 12)
    assert len(result["z"]) == 3 and len(result["z"][0]) == 4
    fig = sweep_figure(result)
    heatmap, current = fig["data"]
    assert heatmap["type"] == "heatmap" and heatmap["z"] == result["z"]
    assert (current["x"], current["y"]) == ([4.0], [0.01])  # the LLC defaults
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_a_1d_sweep_draws_a_curve_with_the_current_value_marked() -> None:
    result = run_request(parse_request("1d", X, Y, "burden.lung", 2500), LLC)
    fig = sweep_figure(result)
    assert [t["type"] for t in fig["data"]] == ["scatter"]
    (series,) = result["series"]
    assert series["name"] == "burden.lung"
    lung = series["values"]
    assert fig["data"][0]["y"] == lung and lung == sorted(lung)  # more signalling, more burden
    assert fig["layout"]["shapes"][0]["x0"] == 4.0
    assert fig["layout"]["yaxis"]["type"] == "log"  # cells span decades
    # ... unless the page's "Cell axes" choice is linear, as for every burden chart.
    assert sweep_figure(result, log_y=False)["layout"]["yaxis"]["type"] == "-"


def test_sweep_curves_follow_the_cell_axes_choice(page) -> None:
    result = run_request(parse_request("1d", X, Y, "burden.lung", 2500), LLC)
    for axis, shown in (("linear", "-"), ("log", "log")):
        drawn = _post_result_view(
            page,
            "sweep-graph.figure",
            [
                {"id": "sweep-result", "property": "data", "value": result},
                {"id": "presentation", "property": "value", "value": False},
                {"id": "axis-scale", "property": "value", "value": axis},
            ],
            [],
        ).get_json()["response"]["sweep-graph"]["figure"]
        assert drawn["layout"]["yaxis"]["type"] == shown


def test_a_1d_sweep_of_every_organ_shows_which_organ_wins() -> None:
    """Liver tropism from low to high: one curve per organ in its own colour; the liver
    overtakes, and the lung (which loses arrest share) does not grow."""
    request = parse_request("1d", ("tropism.liver", 0.05, 1.0, 5), Y, "burden.each_organ", 2500)
    result = run_request(request, LLC)
    json.dumps(result, allow_nan=False)
    assert [s["name"] for s in result["series"]] == [f"burden.{o}" for o in ORGANS]
    series = {s["name"]: s["values"] for s in result["series"]}
    fig = sweep_figure(result)
    # Named as the Explore tab's panels: "Other", not its long label (legend columns take
    # the widest name's width).
    names = ["Lymph node", "Lung", "Liver", "Bone", "Brain", "Other"]
    assert [t["name"] for t in fig["data"]] == names
    assert all(ORGAN_LABELS[o].startswith(n) for o, n in zip(ORGANS, names, strict=True))
    assert [t["line"]["color"] for t in fig["data"]] == [ORGAN_COLOURS[o] for o in ORGANS]
    assert fig["layout"]["title"]["text"] == "DTC burden, final, each organ (cells)"
    liver, lung = series["burden.liver"], series["burden.lung"]
    assert liver == sorted(liver) and liver[-1] > 10 * liver[0]
    assert lung[-1] <= lung[0]


def test_a_2d_map_of_every_organ_is_refused() -> None:
    with pytest.raises(InvalidInput, match="a 2-D map shows one outcome: choose one organ"):
        parse_request("2d", X, Y, "burden.each_organ", 2500)


def test_clicking_a_cell_loads_that_parameter_set() -> None:
    result = run_request(parse_request("2d", X, Y, "burden.lung", 2500), LLC)
    click = {"points": [{"x": 6.0, "y": 1e-3, "z": 1.0}]}
    state = next_state(LLC, "sweep-graph", click, sweep=result)
    assert state.params == LLC.params.replace(vegfr1_signalling=6.0, dormancy_exit_rate=1e-3)
    assert state.days == LLC.days


@pytest.mark.parametrize(
    "click, result",
    [
        (None, {"x_name": "vegfr1_signalling", "y_name": None}),
        ({"points": []}, {"x_name": "vegfr1_signalling", "y_name": None}),
        ({"points": [{"x": 99.0}]}, {"x_name": "vegfr1_signalling", "y_name": None,
                                     "base": LLC.to_store()}),
        ({"points": [{"x": 1.0}]}, "not a dict"),
        ({"points": [{"x": 1.0}]}, {"x_name": ["x"], "y_name": None, "base": LLC.to_store()}),
    ],
)  # fmt: skip
def test_a_forged_or_empty_click_is_refused(click, result) -> None:
    with pytest.raises(InvalidInput):
        load_point(LLC, click, result)


@pytest.mark.parametrize(
    "name, clicked, loaded",
    [
        ("vegfr1_signalling", 17.77777777777778, 17.78),  # the cell
        ("homing_rate", 0.0025763013859408167, 0.002576),  # a log-spaced value
        ("homing_rate", 5.0, 5.0),  # the range's end stays the end
        ("vegfr1_signalling", 0.0, 0.0),
    ],
)
def test_a_clicked_value_loads_rounded_for_the_number_box_and_inside_its_range(
    name, clicked, loaded
) -> None:
    result = {"x_name": name, "y_name": None, "base": LLC.to_store()}
    state = load_point(LLC, {"points": [{"x": clicked}]}, result)
    assert state.params[name] == loaded
    assert repr(state.params[name]) == repr(loaded)


def test_rounding_never_carries_a_value_past_the_range_end() -> None:
    spec = spec_for("homing_rate")
    result = {"x_name": "homing_rate", "y_name": None, "base": LLC.to_store()}
    near_top = spec.high * (1 - 1e-6)  # 4 significant digits would round it onto or past high
    state = load_point(LLC, {"points": [{"x": near_top}]}, result)
    assert spec.low <= state.params["homing_rate"] <= spec.high


def test_loading_keeps_base_of_the_sweep_not_later_edits() -> None:
    result = run_request(parse_request("1d", X, Y, "burden.lung", 2500), LLC)
    edited = PageState(Parameters(homing_rate=1.0), 30.0)
    state = load_point(edited, {"points": [{"x": 2.0}]}, result)
    assert state.params["homing_rate"] == LLC.params["homing_rate"]
    assert state.params["vegfr1_signalling"] == 2.0


def _post_result_view(page, output: str, inputs: list, state: list):
    return page.post(
        {
            "output": output,
            "outputs": {"id": output.split(".")[0], "property": output.split(".")[1]},
            "inputs": inputs,
            "state": state,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        }
    )


def _sweep_csv(page, result: dict) -> dict:
    """What the 'Sweep data (CSV)' button sends for a stored ``result``: content, filename."""
    response = _post_result_view(
        page,
        "download-sweep.data",
        [{"id": "download-sweep-btn", "property": "n_clicks", "value": 1}],
        [{"id": "sweep-result", "property": "data", "value": result}],
    )
    return response.get_json()["response"]["download-sweep"]["data"]


def test_sweep_csv_and_figure_come_from_the_stored_result(page) -> None:
    result = run_request(parse_request("2d", X, Y, "burden.lung", 2500), LLC)
    data = _sweep_csv(page, result)
    lines = [line for line in data["content"].splitlines() if not line.startswith("#")]
    assert lines[0] == "vegfr1_signalling,dormancy_exit_rate,burden.lung"
    assert len(lines) == 1 + 12 and data["filename"] == "seed-soil-sweep-burden.lung.csv"
    assert data["content"].startswith("# Seed & Soil Explorer: parameter sweep\n")
    drawn = _post_result_view(
        page,
        "sweep-graph.figure",
        [
            {"id": "sweep-result", "property": "data", "value": result},
            {"id": "presentation", "property": "value", "value": True},
            {"id": "axis-scale", "property": "value", "value": "log"},
        ],
        [],
    ).get_json()["response"]["sweep-graph"]["figure"]
    assert drawn["data"][0]["type"] == "heatmap" and drawn["layout"]["font"]["size"] == 18


def test_a_1d_sweep_csv_has_one_column_per_curve(page) -> None:
    result = run_request(parse_request("1d", X, Y, "niche_onset_day.each_organ", 2500), LLC)
    content = _sweep_csv(page, result)["content"]
    lines = [line for line in content.splitlines() if not line.startswith("#")]
    assert lines[0].split(",") == ["vegfr1_signalling"] + [f"niche_onset_day.{o}" for o in ORGANS]
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "4", "6", "8"]
    # A niche that never forms inside the run is an empty cell, not 'nan'.
    assert "nan" not in "".join(lines) and any(",," in line or line.endswith(",") for line in lines)


def test_a_forged_sweep_result_changes_nothing(page) -> None:
    forged = {"x_name": "vegfr1_signalling", "y_name": None, "outcome": "burden.moon"}
    response = _post_result_view(
        page,
        "sweep-graph.figure",
        [
            {"id": "sweep-result", "property": "data", "value": forged},
            {"id": "presentation", "property": "value", "value": False},
            {"id": "axis-scale", "property": "value", "value": "log"},
        ],
        [],
    )
    assert response.status_code in (200, 204)
    assert response.status_code == 204 or "sweep-graph" not in response.get_json()["response"]


def test_a_failed_job_keeps_the_last_result_and_says_so() -> None:
    result, message, is_open = job_failed("Sweep")(RuntimeError("worker lost"))
    assert result is no_update and is_open
    assert message == "Sweep failed on the server; the last result is kept."


def _find(component, component_id: str):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize(
    "panel, graph, words",
    [(sweep_panel, "sweep-graph", "Run sweep"), (sensitivity_panel, "sens-graph", "Run analysis")],
)
def test_a_job_graph_starts_with_guidance_not_empty_axes(panel, graph, words) -> None:
    figure = _find(panel(), graph).figure
    assert figure["data"] == []
    assert figure["layout"]["xaxis"]["visible"] is False
    assert words in figure["layout"]["annotations"][0]["text"]


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)
