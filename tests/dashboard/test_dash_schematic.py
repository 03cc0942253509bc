"""The Schematic tab: boxes for every compartment, arrows whose widths follow the flows, a day
scrubber that changes them, and inputs from the browser that cannot break it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from dashboard.ids import INPUT, SLIDER, control_id
from dashboard.schematic import (
    _REQUEST_JS,
    ARROWS,
    BOXES,
    FRAMES,
    MAX_WIDTH,
    MIN_WIDTH,
    ZERO_WIDTH,
    arrow_width,
    figure_at,
    frame_index,
    schematic_data,
)
from dashboard.state import PageState
from model import ORGAN_LABELS, ORGANS, InvalidInput, Parameters, simulate
from model.flows import COMPARTMENTS, flow_specs, flows_at
from model.scenarios import SCENARIOS

LLC = PageState.for_scenario("kaplan2005-llc")


@pytest.fixture(scope="module")
def data(default_result) -> dict:
    return schematic_data(default_result)


def _arrows(figure: dict) -> dict[str, dict]:
    return {t["meta"]: t for t in figure["data"] if t.get("meta")}


def _boxes(figure: dict) -> dict[str, tuple[str, str]]:
    trace = figure["data"][0]
    return {
        b.key: (text, hover)
        for b, text, hover in zip(BOXES, trace["text"], trace["hovertext"], strict=True)
    }


def test_the_data_is_json_with_one_frame_per_drawn_day(data, default_result) -> None:
    json.dumps(data, allow_nan=False)
    days = [f["day"] for f in data["frames"]]
    assert len(days) == FRAMES
    assert days[0] == 0.0 and days[-1] == default_result.days
    assert days == sorted(days)


def test_every_compartment_has_a_box_that_shows_its_value(data, default_result) -> None:
    boxes = _boxes(figure_at(data, FRAMES - 1))
    texts = " ".join(text for text, _ in boxes.values())
    for word in ("Primary tumor", "Tumor factor", "Bone marrow", "VEGFR1+", "CTCs"):
        assert word in texts
    for organ in ORGANS:
        assert ORGAN_LABELS[organ].split(" (")[0] in boxes[f"soil.{organ}"][0]
        assert {f"dormant.{organ}", f"prolif.{organ}"} <= boxes.keys()
    # Every state the schematic stands for is named in a box's hover, organ states per organ.
    said = {
        "tumor": "Primary tumor", "factor": "Tumor factor", "marrow_hpc": "in the marrow",
        "circulating_hpc": "Circulating VEGFR1+", "ctc": "Circulating tumor cells",
        "fibronectin": "fibronectin", "niche": "niche clusters", "solitary": "solitary",
        "proliferating": "proliferating", "quiescent": "quiescent", "clones": "clones founded",
    }  # fmt: skip
    hovers = {key: hover for key, (_, hover) in boxes.items()}
    for comp in COMPARTMENTS:
        block = comp.name.split(".")[-1]
        shown = [k for k, h in hovers.items() if said[block] in h]
        if comp.organ:
            shown = [k for k in shown if k.endswith(f".{comp.organ}")]
        assert shown, comp.name
    lung_cells = default_result.frame["lung.proliferating"].iloc[-1]
    assert f"{lung_cells / 1e3:.3g}k" in boxes["prolif.lung"][0]


def test_every_arrow_stands_for_real_flows_of_one_unit() -> None:
    specs = {s.name: s for s in flow_specs()}
    for arrow in ARROWS:
        units = {(specs[f].drain_unit or specs[f].unit) if arrow.drain else specs[f].unit
                 for f in arrow.flows}  # fmt: skip
        assert len(units) == 1, arrow.key
    drawn = {f for a in ARROWS for f in a.flows}
    # Every organ gets the same arrows.
    for organ in ORGANS:
        assert sum(1 for a in ARROWS if a.key.endswith(f".{organ}")) == 9
    assert "ctc.settle.lung" in drawn and "hpc.homing.bone" in drawn


def test_arrow_width_is_monotone_in_the_flow_and_bounded() -> None:
    top = 1e6
    values = [0.0, 1e-12, 1e-3, 0.5, 1.0, 10.0, 1e3, 1e5, 1e6, 1e9]
    widths = [arrow_width(v, top, 6.0) for v in values]
    assert widths == sorted(widths)
    assert widths[0] == ZERO_WIDTH
    assert all(MIN_WIDTH <= w <= MAX_WIDTH for w in widths[1:])
    assert widths[-2] == MAX_WIDTH
    assert arrow_width(math.nan, top, 6.0) == ZERO_WIDTH
    assert arrow_width(1.0, 0.0, 6.0) == ZERO_WIDTH


def test_within_a_unit_the_wider_arrow_carries_the_larger_flow(data, default_result) -> None:
    index = 40
    figure = figure_at(data, index)
    flows = flows_at(default_result, data["frames"][index]["day"])
    arrows = _arrows(figure)
    by_unit: dict[str, list[tuple[float, float]]] = {}
    for arrow in ARROWS:
        source = flows.drain if arrow.drain else flows.value
        value = float(sum(source[f][0] for f in arrow.flows))
        by_unit.setdefault(arrow.unit, []).append((value, arrows[arrow.key]["line"]["width"]))
    for unit, pairs in by_unit.items():
        pairs.sort()
        widths = [w for _, w in pairs]
        assert widths == sorted(widths), unit
    cells = sorted(by_unit["cells/day"])
    assert cells[-1][1] > cells[0][1]


def test_moving_the_day_changes_the_arrows_and_the_values(data) -> None:
    early, late = figure_at(data, 5), figure_at(data, 50)
    a, b = _arrows(early), _arrows(late)
    changed = [k for k in a if a[k]["line"]["width"] != b[k]["line"]["width"]]
    assert len(changed) > len(a) // 2
    assert a["settle.lung"]["line"]["width"] < b["settle.lung"]["line"]["width"]
    assert a["settle.lung"]["text"] != b["settle.lung"]["text"]
    assert early["data"][0]["text"] != late["data"][0]["text"]
    assert "Day 2.5 " in early["layout"]["title"]["text"]
    # The arrowhead grows with its line.
    assert a["settle.lung"]["marker"]["size"][-1] < b["settle.lung"]["marker"]["size"][-1]


def test_a_switched_off_mechanism_is_a_hairline(default_result) -> None:
    vla4 = simulate(Parameters().replace({"vla4_block_efficacy": 1.0}), 30.0)
    arrows = _arrows(figure_at(schematic_data(vla4), FRAMES - 1))
    for organ in ORGANS:
        assert arrows[f"homing.{organ}"]["line"]["width"] == ZERO_WIDTH
        assert arrows[f"myeloid.{organ}"]["line"]["width"] == ZERO_WIDTH
        assert arrows[f"homing.{organ}"]["text"].startswith("0 ")
    normal = _arrows(figure_at(schematic_data(default_result), FRAMES - 1))
    assert normal["homing.lung"]["line"]["width"] > MIN_WIDTH


def test_the_anti_vegfr1_run_thins_hpc_homing(default_result, reference_result) -> None:
    """The same scale is not shared between runs, so compare the flows the hover states."""
    treated = flows_at(reference_result, 20.0).value["hpc.homing.lung"][0]
    untreated = flows_at(default_result, 20.0).value["hpc.homing.lung"][0]
    assert treated < 0.05 * untreated


@pytest.mark.parametrize(
    "bad", [-1, FRAMES, 2.5, math.nan, math.inf, 10**400, -(10**400), "3", None, True, [1]]
)
def test_a_bad_day_step_is_refused(data, bad) -> None:
    with pytest.raises(InvalidInput):
        frame_index(data, bad)
    with pytest.raises(InvalidInput):
        figure_at(data, bad)


def test_a_long_run_draws_over_years(breast_result) -> None:
    data = schematic_data(breast_result, font_size=19)
    assert len(data["frames"]) == FRAMES
    figure = figure_at(data, 0)
    assert figure["layout"]["font"]["size"] == 19
    assert figure["data"][0]["textfont"]["size"] >= 14


def test_fonts_are_projector_sized(data) -> None:
    figure = figure_at(data, 0)
    assert figure["layout"]["font"]["size"] >= 14
    assert figure["layout"]["legend"]["font"]["size"] >= 14
    assert figure["data"][0]["textfont"]["size"] >= 14


# --- Through the running app -----------------------------------------------------------------


def _prepare(page, stored, *, position=None, previous=None, request="default"):
    """The schematic's server callback, as the browser's gate (``_REQUEST_JS``) calls it while
    the tab is open: with the page state and presentation mode."""
    values = {
        "schematic-request.data": (
            {"state": stored, "presentation": False} if request == "default" else request
        ),
        "schematic-day.value": position,
        "schematic-shown.data": previous,
    }
    body = page.requests.body("schematic-data.data", values, changed=["schematic-request.data"])
    return page.post(body)


def _outputs(response) -> dict:
    return response.get_json()["response"]


def test_the_app_sends_the_current_runs_flows(page) -> None:
    response = _prepare(page, LLC.to_store())
    assert response.status_code == 200
    out = _outputs(response)
    data = out["schematic-data"]["data"]
    assert out["schematic-day"]["max"] == FRAMES - 1
    assert out["schematic-day"]["value"] == FRAMES - 1
    assert len(out["schematic-day"]["marks"]) >= 4
    expected = schematic_data(simulate(LLC.params, LLC.days), 15, data["key"])
    assert figure_at(data, 30) == json.loads(json.dumps(figure_at(expected, 30)))


def test_the_app_keeps_the_day_when_the_run_changes(page) -> None:
    first = _outputs(_prepare(page, LLC.to_store()))["schematic-shown"]["data"]
    assert len(json.dumps(first)) < 3_000  # what every later state change sends back
    longer = PageState(LLC.params, 60.0, None).to_store()
    out = _outputs(_prepare(page, longer, position=30, previous=first))
    days = [f["day"] for f in out["schematic-data"]["data"]["frames"]]
    assert days[out["schematic-day"]["value"]] == pytest.approx(15.0)


def test_the_server_hears_of_a_state_change_only_while_the_tab_is_open(page) -> None:
    """The page callback passes the state on only while the Schematic tab is open, and opening
    the tab passes it on in the browser: on the other tabs a slider move costs no request for
    the schematic (tests/browser/test_dashboard.py counts them)."""
    trigger = control_id(SLIDER, "vegfr1_signalling")
    moved = {"slider_values": {"vegfr1_signalling": 8}, "changed": trigger}
    out = _outputs(page.update_state(LLC, **moved))
    assert "schematic-request" not in out
    out = _outputs(page.update_state(LLC, **moved, view={"tabs.active_tab": "schematic"}))
    assert out["schematic-request"]["data"] == {
        "state": out["state"]["data"],
        "presentation": False,
    }
    (gate,) = [
        d
        for d in page.requests.dependencies
        if "schematic-request.data" in d["output"] and d["clientside_function"]
    ]
    assert [i["id"] for i in gate["inputs"]] == ["tabs"]
    assert 'tab !== "schematic"' in _REQUEST_JS
    (prepare,) = [d for d in page.requests.dependencies if "schematic-shown.data" in d["output"]]
    assert [i["id"] for i in prepare["inputs"]] == ["schematic-request"]


def test_presentation_mode_redraws_an_open_schematic_in_larger_type(page) -> None:
    view = {"tabs.active_tab": "schematic", "presentation.value": True}
    out = _outputs(page.update_state(LLC, changed="presentation", view=view))
    assert out["schematic-request"]["data"] == {"state": LLC.to_store(), "presentation": True}


def test_a_refused_change_sends_the_schematic_nothing(page) -> None:
    out = _outputs(
        page.update_state(
            LLC,
            changed=control_id(INPUT, "vegfr1_signalling"),
            input_values={"vegfr1_signalling": 99},
            view={"tabs.active_tab": "schematic"},
        )
    )
    assert out["message"]["is_open"] is True and "schematic-request" not in out


@pytest.mark.parametrize(
    "request_",
    [None, "x", {"state": LLC.to_store()}, {"state": 1, "presentation": 0, "x": 2}, [1, 2]],
)
def test_a_forged_request_is_ignored(page, request_) -> None:
    assert _prepare(page, None, request=request_).status_code == 204


def test_the_same_run_is_not_sent_again(page) -> None:
    shown = _outputs(_prepare(page, LLC.to_store()))["schematic-shown"]["data"]
    assert _prepare(page, LLC.to_store(), position=3, previous=shown).status_code == 204


def test_the_big_data_store_is_never_sent_to_the_server(page) -> None:
    (prepare,) = [d for d in page.requests.dependencies if "schematic-shown.data" in d["output"]]
    assert "schematic-data" not in {s["id"] for s in (*prepare["inputs"], *prepare["state"])}


@pytest.mark.parametrize(
    ("stored", "position", "previous"),
    [
        ({"changed": {"vegfr1_signalling": 1e9}}, None, None),
        ("nonsense", None, None),
        (LLC.to_store(), "day", {"frames": "x"}),
        (LLC.to_store(), 1e300, {"frames": [{"day": "soon"}], "key": 1}),
        (LLC.to_store(), -5, []),
        (LLC.to_store(), 10**400, {"frames": [{"day": 1.0}], "key": ""}),
        (LLC.to_store(), 0, {"frames": [{"day": 10**400}], "key": ""}),
        (LLC.to_store(), 0, {"frames": [{"day": "nan"}], "key": ""}),
        (LLC.to_store(), 0, {"frames": [{"day": {"a": 1}}], "key": ""}),
    ],
)
def test_forged_browser_values_are_refused_or_ignored(page, stored, position, previous) -> None:
    response = _prepare(page, stored, position=position, previous=previous)
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert _outputs(response)["schematic-day"]["value"] == FRAMES - 1


def test_drawn_days_are_grid_days(default_result, data) -> None:
    grid = default_result.frame["day"].to_numpy()
    for frame in data["frames"]:
        assert np.min(np.abs(grid - frame["day"])) == 0.0
    assert SCENARIOS["kaplan2005-llc"].days == default_result.days
