"""The running app, no browser: callback requests posted to /_dash-update-component exactly as
the renderer sends them (see ``DashPage`` in conftest.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from dashboard import figures
from dashboard.compression import PLOTLY_BUNDLE
from dashboard.controls import INPUT, SLIDER
from dashboard.ids import control_id
from dashboard.layout import GRAPH_IDS
from dashboard.page import ASSET_MAX_AGE, PRELOADED, plotly_deferred, without_polyfill
from dashboard.state import PageState, slider_position, to_query
from model import Parameters, simulate, spec_for

ASSETS = Path(__file__).resolve().parents[2] / "assets"

#: What the ids of the parameters' sliders and boxes start with.
CONTROL_PREFIXES = (f"{SLIDER}-", f"{INPUT}-")

LLC = PageState.for_scenario("kaplan2005-llc")


def _response(resp) -> dict:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    data = resp.get_json()
    assert data["multi"] is True
    return data["response"]


def test_health_endpoint(page) -> None:
    response = page.client.get("/health")
    assert response.status_code == 200


def test_initial_load_without_query_shows_the_default_scenario(page) -> None:
    out = _response(page.update_state(PageState(Parameters()), changed=None, search=""))
    assert out["state"]["data"] == LLC.to_store()
    assert out["scenario"]["value"] == "kaplan2005-llc"
    assert out["url"]["search"] == "?scenario=kaplan2005-llc&days=30"
    assert "message" not in out  # closed, and left closed


def test_initial_load_restores_the_state_from_the_link(page) -> None:
    search = "?days=45&tropism.liver=0.5&resection_day=20"
    out = _response(page.update_state(LLC, changed=None, search=search))
    state = PageState.from_store(out["state"]["data"])
    assert state == PageState(Parameters({"tropism.liver": 0.5, "resection_day": 20}), 45.0)
    box = control_id(INPUT, "tropism.liver")
    assert out[box]["value"] == 0.5


def test_a_link_naming_only_a_scenario_opens_it_unchanged(page) -> None:
    """A hand-written ``?scenario=NAME`` loads that scenario's settings and run length; the
    card shows it without the "settings changed" note, and the address becomes the page's
    own link for it."""
    breast = PageState.for_scenario("breast-resection-dormancy")
    search = "?scenario=breast-resection-dormancy"
    out = _response(page.update_state(LLC, changed=None, search=search))
    assert PageState.from_store(out["state"]["data"]) == breast
    assert out["scenario"]["value"] == "breast-resection-dormancy"
    assert "scenario-changed" not in out  # its note stays hidden (only a change is written)
    assert out["url"]["search"] == to_query(breast) != search
    assert "Relapse since resection" in [t["name"] for t in out["risk-graph"]["figure"]["data"]]


def test_slider_change_updates_state_and_link(page) -> None:
    trigger = control_id(SLIDER, "tumor_growth_rate")
    out = _response(
        page.update_state(LLC, changed=trigger, slider_values={"tumor_growth_rate": -1.5})
    )
    assert out["state"]["data"]["changed"] == {"tumor_growth_rate": 0.0316}
    assert "tumor_growth_rate=0.0316" in out["url"]["search"]
    assert "message" not in out  # closed, and left closed
    # The number box follows the slider.
    box = control_id(INPUT, "tumor_growth_rate")
    assert out[box]["value"] == 0.0316
    # Nothing else is rewritten: every updated control costs the browser's renderer time.
    controls = [key for key in out if key.startswith(CONTROL_PREFIXES)]
    slider = control_id(SLIDER, "tumor_growth_rate")
    assert sorted(controls) == sorted([box, slider])
    assert "scenario" not in out and "days" not in out and "hypothesis" not in out
    # The card's text stays; only its note that the settings were changed is shown.
    assert "scenario-text" not in out and out["scenario-changed"] == {"hidden": False}


def test_page_load_without_a_link_rewrites_no_control(page) -> None:
    out = _response(page.update_state(LLC, changed=None, search=""))
    assert not [key for key in out if key.startswith(CONTROL_PREFIXES)]
    assert "state" not in out  # the layout's store already holds it: one render, not two
    assert "LLC" in json.dumps(out["scenario-text"]["children"])  # the card is filled on load


def test_unchanged_value_typed_again_rewrites_only_its_own_box(page) -> None:
    """Typed "4" where 4 applied: the box shows the number; nothing else moves."""
    trigger = control_id(INPUT, "vegfr1_signalling")
    out = _response(
        page.update_state(
            LLC, changed=trigger, input_values={"vegfr1_signalling": "4"}, search=to_query(LLC)
        )
    )
    assert "state" not in out and "url" not in out
    assert "cascade-graph" not in out  # the same state: nothing to draw
    box = trigger
    assert out[box]["value"] == 4.0
    assert [key for key in out if key.startswith(CONTROL_PREFIXES)] == [box]


def test_a_control_whose_change_never_reached_the_store_is_put_back(page) -> None:
    """Slider A moved, its answer dropped (the renderer keeps only the newest of two requests
    in flight, or the request was refused), then slider B: A must not keep showing a value the
    store, the URL and the figures never got."""
    moved = {"tumor_growth_rate": -1.2}  # A shows this; the store still has the default
    trigger = control_id(SLIDER, "homing_rate")
    homing = slider_position(spec_for("homing_rate"), LLC.params["homing_rate"]) + 0.5
    out = _response(
        page.update_state(
            LLC,
            changed=trigger,
            slider_values=moved | {"homing_rate": homing},
            search=to_query(LLC),
        )
    )
    state = PageState.from_store(out["state"]["data"])
    assert state.params["tumor_growth_rate"] == LLC.params["tumor_growth_rate"]
    slider_a = control_id(SLIDER, "tumor_growth_rate")
    expected = slider_position(spec_for("tumor_growth_rate"), LLC.params["tumor_growth_rate"])
    assert out[slider_a]["value"] == pytest.approx(expected)


def test_out_of_range_number_keeps_the_last_good_state_with_a_message(page) -> None:
    current = PageState(Parameters({"tropism.lung": 0.5}), 30.0, "kaplan2005-llc")
    out = _response(
        page.update_state(
            current,
            changed=control_id(INPUT, "vegfr1_signalling"),
            input_values={"vegfr1_signalling": 25},
        )
    )
    assert "state" not in out  # the store keeps the last good state: no re-render
    assert out["message"]["is_open"] is True
    message = out["message"]["children"]
    assert "vegfr1_signalling" in message
    assert "[0, 20]" in message
    # The box is put back to the last good value.
    box = control_id(INPUT, "vegfr1_signalling")
    assert out[box]["value"] == 4.0


def test_bad_upload_keeps_the_last_good_state_with_a_message(page, data_url) -> None:
    out = _response(
        page.update_state(
            LLC, changed="upload", upload=data_url({"tropism.lung": 7}), filename="p.json"
        )
    )
    assert "state" not in out
    assert out["message"]["is_open"] is True
    assert "tropism.lung" in out["message"]["children"]


def test_forged_store_in_update_state_falls_back_to_the_default_scenario(page) -> None:
    forged = {"changed": {"vegfr1_signalling": 1e9}, "days": 30, "scenario": None}
    out = _response(
        page.update_state(LLC, changed=control_id(SLIDER, "tropism.lung"), stored=forged)
    )
    assert out["state"]["data"]["changed"] == {}  # tropism.lung slider shows the default 1.0


def test_upload_with_a_list_as_scenario_shows_a_message(page, data_url) -> None:
    upload = data_url({"parameters": {}, "scenario": ["kaplan2005-llc"]})
    out = _response(page.update_state(LLC, changed="upload", upload=upload, filename="p.json"))
    assert out["message"]["is_open"] is True


def test_render_draws_the_figures(page) -> None:
    out = _response(page.render(LLC.to_store()))
    cascade = out["cascade-graph"]["figure"]
    assert [t["name"] for t in cascade["data"]][0] == "Primary tumor"
    assert isinstance(cascade["data"][0]["y"], list)
    text = out["readouts-text"]["children"]
    assert '<th scope="row" class="organ organ-lung">Lung</th>' in text
    assert '<p id="readout-summary" class="readout-summary">Biomarker: peak' in text
    # What the page already shows is not written again (the slider at day 30, the long-run
    # section hidden for a mouse run).
    assert "burden-day" not in out and "risk-section" not in out


def test_a_slider_move_draws_the_new_run_in_the_same_answer(page) -> None:
    """One round trip: the state and the Explore tab drawn for it."""
    trigger = control_id(SLIDER, "vegfr1_signalling")
    out = _response(page.update_state(LLC, changed=trigger, slider_values={"vegfr1_signalling": 8}))
    state = PageState.from_store(out["state"]["data"])
    assert state.params["vegfr1_signalling"] == 8
    drawn = figures.readout_table(simulate(state.params, state.days)).html()
    assert out["readouts-text"]["children"] == drawn
    assert drawn != figures.readout_table(simulate(LLC.params, LLC.days)).html()
    assert {"cascade-graph", "organ-graph", "burden-graph"} <= out.keys()


def test_a_link_refused_on_page_load_still_draws_the_last_good_state(page) -> None:
    out = _response(page.update_state(LLC, changed=None, search="?vegfr1_signalling=999"))
    assert out["message"]["is_open"] is True and "vegfr1_signalling" in out["message"]["children"]
    assert "state" not in out  # the layout's store: the default scenario
    assert (
        out["readouts-text"]["children"] == figures.readout_table(simulate(LLC.params, 30.0)).html()
    )


def test_a_good_change_closes_an_open_message(page) -> None:
    trigger = control_id(SLIDER, "vegfr1_signalling")
    out = _response(
        page.update_state(
            LLC,
            changed=trigger,
            slider_values={"vegfr1_signalling": 8},
            view={"message.is_open": True},
        )
    )
    assert out["message"] == {"is_open": False}  # its text stays: see update_page


def test_page_load_draws_the_explore_tab(page) -> None:
    out = _response(page.update_state(LLC, changed=None, search=""))
    assert {"cascade-graph", "organ-graph", "burden-graph", "readouts-text"} <= out.keys()


def test_a_new_run_length_puts_the_burden_slider_at_its_end(page) -> None:
    out = _response(page.update_state(LLC, changed="days", days=45))
    assert out["burden-day"] == {"max": 45.0, "value": 45.0}


def test_the_burden_day_redraws_only_the_burden_chart(page) -> None:
    out = _response(page.render(LLC.to_store(), changed="burden-day", burden_day=10.0))
    assert set(out) == {"burden-graph"}
    assert "day 10" in json.dumps(out["burden-graph"]["figure"]["layout"]["title"])


@pytest.mark.parametrize("day", [1e9, -5, float("nan"), "x", True])
def test_a_burden_day_off_the_slider_is_put_back_on_it(page, day) -> None:
    out = _response(page.render(LLC.to_store(), changed="burden-day", burden_day=day))
    assert out["burden-day"]["value"] == (0.0 if day == -5 else 30.0)
    assert out["burden-graph"]["figure"]["data"]


def test_the_axis_redraws_only_the_cell_figures(page) -> None:
    out = _response(
        page.render(LLC.to_store(), changed="axis-scale", view={"axis-scale.value": "linear"})
    )
    assert set(out) == {"cascade-graph", "organ-graph", "burden-graph"}
    assert out["cascade-graph"]["figure"]["layout"]["yaxis"]["type"] == "linear"


def test_presentation_mode_redraws_the_figures_in_larger_type(page) -> None:
    out = _response(
        page.render(LLC.to_store(), changed="presentation", view={"presentation.value": True})
    )
    assert out["cascade-graph"]["figure"]["layout"]["font"]["size"] == 18
    assert "readouts-text" not in out and "state" not in out


def test_render_with_reference_overlays_it(page) -> None:
    reference = PageState.for_scenario("kaplan2005-anti-vegfr1").to_store()
    out = _response(page.render(LLC.to_store(), reference=reference))
    assert len(out["cascade-graph"]["figure"]["data"]) == 6


def _counting(run_cache, monkeypatch) -> tuple[list, list]:
    """Lists that record each store into the shared cache (whether it came while a request was
    being answered) and each run of the model."""
    from flask import has_request_context

    stores, runs = [], []
    store, run = run_cache._store, run_cache._run
    monkeypatch.setattr(
        run_cache, "_store", lambda *a: (stores.append(has_request_context()), store(*a))[1]
    )
    monkeypatch.setattr(run_cache, "_run", lambda state: (runs.append(state), run(state))[1])
    return stores, runs


def test_a_long_run_is_shared_after_its_answer_is_sent_and_found_by_another_worker(
    page, monkeypatch
) -> None:
    from dashboard import cache as run_cache

    monkeypatch.setattr(run_cache, "SHARE_AFTER_S", 0.0)  # every run counts as long
    stores, runs = _counting(run_cache, monkeypatch)
    first = _response(page.render(LLC.to_store()))
    assert stores == [False]  # once, when the response was closed: not while it was waited for
    with page.app.server.app_context():
        cached = run_cache.cache.cache.get(run_cache.run_key(LLC))
    assert cached.frame.equals(simulate(LLC.params, LLC.days).frame)
    second = _response(page.render(LLC.to_store()))
    assert second == first and len(runs) == 1 and stores == [False]
    # Another worker (its own recent runs, none yet) reads it from the shared cache.
    page.app.server.extensions[run_cache._RECENT_KEY] = run_cache.RecentRuns()
    third = _response(page.render(LLC.to_store()))
    assert third == first and len(runs) == 1 and stores == [False]


def test_a_short_run_is_kept_by_its_worker_not_shared(page, monkeypatch) -> None:
    from dashboard import cache as run_cache

    monkeypatch.setattr(run_cache, "SHARE_AFTER_S", float("inf"))  # every run counts as short
    stores, runs = _counting(run_cache, monkeypatch)
    first = _response(page.render(LLC.to_store()))
    second = _response(page.render(LLC.to_store()))
    assert second == first and len(runs) == 1 and stores == []
    with page.app.server.app_context():
        assert run_cache.cache.cache.get(run_cache.run_key(LLC)) is None
    # Another worker runs it again.
    page.app.server.extensions[run_cache._RECENT_KEY] = run_cache.RecentRuns()
    assert _response(page.render(LLC.to_store())) == first and len(runs) == 2


def test_outside_a_request_a_long_run_is_shared_at_once(page, monkeypatch) -> None:
    from dashboard import cache as run_cache

    monkeypatch.setattr(run_cache, "SHARE_AFTER_S", 0.0)
    state = PageState(Parameters(), 12.0)
    with page.app.server.app_context():
        result = run_cache.simulate_state(state)
        assert run_cache.cache.cache.get(run_cache.run_key(state)).frame.equals(result.frame)


def test_a_worker_keeps_its_last_runs_dropping_the_least_recently_used() -> None:
    from dashboard.cache import RecentRuns

    recent = RecentRuns()
    results = {f"run:{k}": simulate(Parameters(), 1.0 + k) for k in range(RecentRuns.SIZE)}
    for key, result in results.items():
        recent.put(key, result)
    assert recent.get("run:0") is results["run:0"]  # now the most recently used
    recent.put("run:new", results["run:1"])
    assert len(recent) == RecentRuns.SIZE
    assert recent.get("run:1") is None  # the least recently used went
    assert recent.get("run:0") is results["run:0"] and recent.get("run:2") is results["run:2"]
    assert recent.get("run:new") is results["run:1"]


def test_a_runs_cache_key_names_the_model_version(monkeypatch) -> None:
    """Runs shared through Redis outlive a deployment: a new model version is not answered with
    the old one's runs. The scenario's name alone does not change the run, or its key."""
    from dashboard import cache as run_cache

    key = run_cache.run_key(LLC)
    assert run_cache.run_key(dataclasses.replace(LLC, scenario=None)) == key
    assert run_cache.run_key(dataclasses.replace(LLC, days=31.0)) != key
    monkeypatch.setattr(run_cache, "MODEL_VERSION", "99.0")
    assert run_cache.run_key(LLC) != key


@pytest.mark.parametrize(
    "forged",
    [
        {"changed": {"vegfr1_signalling": 99}, "days": 30, "scenario": None},
        {"changed": {"no_such_parameter": 1}, "days": 30, "scenario": None},
        {"changed": {}, "days": 0, "scenario": None},
        {"changed": {}, "days": 30, "scenario": "made-up"},
        [1, 2],
        {"changed": {}, "days": 30, "scenario": ["kaplan2005-llc"]},
    ],
)
def test_a_forged_store_is_replaced_by_the_default_scenario_drawn(page, forged) -> None:
    out = _response(page.render(forged))
    assert out["state"]["data"] == LLC.to_store()
    assert out["cascade-graph"]["figure"]["data"]
    assert "message" not in out  # closed, and left closed


def test_a_forged_reference_is_refused_and_the_figures_stay(page) -> None:
    forged = {"changed": {"tropism.lung": -1}, "days": 30, "scenario": None}
    out = _response(page.render(LLC.to_store(), reference=forged))
    assert out["message"]["is_open"] is True and "tropism.lung" in out["message"]["children"]
    assert "cascade-graph" not in out and "state" not in out


def _download(page, target: str, stored: object):
    return page.post(
        {
            "output": f"{target}.data",
            "outputs": {"id": target, "property": "data"},
            "inputs": [{"id": f"{target}-btn", "property": "n_clicks", "value": 1}],
            "state": [{"id": "state", "property": "data", "value": stored}],
            "changedPropIds": [f"{target}-btn.n_clicks"],
        }
    )


@pytest.mark.parametrize(
    "target, marker, suffix",
    [
        (
            "download-sbml",
            '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core"',
            ".sbml.xml",
        ),
        ("download-params", '"format": "seed-soil-explorer/parameters"', "-parameters.json"),
        ("download-csv", "day,tumor,factor", ".csv"),
    ],
)
def test_downloads_send_the_current_state(page, target, marker, suffix) -> None:
    state = PageState.for_scenario("breast-resection-dormancy")
    response = _download(page, target, state.to_store())
    assert response.status_code == 200
    data = response.get_json()["response"][target]["data"]
    assert marker in data["content"]
    # The file name says the scenario and the hypothesis.
    assert data["filename"] == f"seed-soil-breast-resection-dormancy-kaplan-lyden{suffix}"


def test_download_with_a_forged_store_is_no_update(page) -> None:
    forged = {"changed": {"vegfr1_signalling": 1e9}, "days": 30, "scenario": None}
    assert _download(page, "download-sbml", forged).status_code == 204


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_export_switch_sets_every_graphs_camera_button(page, fmt) -> None:
    """Explore, Sweep and Sensitivity graphs all export in the chosen format."""
    body = page.requests.body(
        "cascade-graph.config", {"export-format.value": fmt}, changed=["export-format.value"]
    )
    reply = page.post(body).get_json()["response"]
    assert set(reply) == set(GRAPH_IDS) >= {"sweep-graph", "sens-graph"}
    for graph in GRAPH_IDS:
        assert reply[graph]["config"]["toImageButtonOptions"]["format"] == fmt


def test_a_forged_export_format_changes_nothing(page) -> None:
    body = page.requests.body(
        "cascade-graph.config", {"export-format.value": "exe"}, changed=["export-format.value"]
    )
    assert page.post(body).status_code == 204


# --- Hypotheses ---------------------------------------------------------------------------------

ANTI_VEGFR1 = PageState.for_scenario("kaplan2005-anti-vegfr1")


def test_choosing_a_hypothesis_sets_the_switches_and_the_link(page) -> None:
    out = _response(page.update_state(ANTI_VEGFR1, changed="hypothesis", hypothesis="dawson"))
    assert out["state"]["data"]["changed"]["vegfr1_dependence"] == 0.0
    assert "vegfr1_dependence=0" in out["url"]["search"]
    assert "hypothesis" not in out  # the menu already shows what was chosen
    assert "VEGFR1-independent" in json.dumps(out["hypothesis-text"]["children"])
    box = control_id(INPUT, "vegfr1_dependence")
    assert out[box]["value"] == 0.0  # the switch's own control follows


def test_a_switch_moved_by_hand_shows_a_custom_mix(page) -> None:
    out = _response(
        page.update_state(
            LLC,
            changed=control_id(SLIDER, "organ_soil"),
            slider_values={"organ_soil": 0.5},
        )
    )
    assert out["hypothesis"]["value"] is None
    assert "Custom mix" in json.dumps(out["hypothesis-text"]["children"])


def _set_reference(page, changed: str, *, compare=None, reference=None):
    values = {
        "pin.n_clicks": 1,
        "unpin.n_clicks": None,
        "compare-hypothesis.value": compare,
        "state.data": ANTI_VEGFR1.to_store(),
        "reference.data": reference,
    }
    return page.post(page.requests.body("reference.data", values, changed=[changed]))


def test_compare_with_a_hypothesis_stores_only_its_name(page) -> None:
    out = _response(_set_reference(page, "compare-hypothesis.value", compare="dawson"))
    assert out["reference"]["data"] == {"hypothesis": "dawson"}
    assert "Dawson: niche without VEGFR1" in out["reference-label"]["children"]


def test_pinning_a_run_ends_a_comparison(page) -> None:
    out = _response(_set_reference(page, "pin.n_clicks", reference={"hypothesis": "dawson"}))
    assert out["reference"]["data"] == ANTI_VEGFR1.to_store()
    assert out["compare-hypothesis"]["value"] is None


def test_clearing_the_comparison_keeps_a_pinned_run(page) -> None:
    response = _set_reference(page, "compare-hypothesis.value", reference=LLC.to_store())
    assert response.status_code == 204
    out = _response(
        _set_reference(page, "compare-hypothesis.value", reference={"hypothesis": "paget"})
    )
    assert out["reference"]["data"] is None


def test_a_forged_hypothesis_to_compare_with_changes_nothing(page) -> None:
    assert _set_reference(page, "compare-hypothesis.value", compare="lamarck").status_code == 204
    forged = {"hypothesis": "lamarck"}
    out = _response(page.render(ANTI_VEGFR1.to_store(), reference=forged))
    assert out["message"]["is_open"] is True and "cascade-graph" not in out


def test_render_compares_two_hypotheses_on_the_same_experiment(page) -> None:
    out = _response(page.render(ANTI_VEGFR1.to_store(), reference={"hypothesis": "dawson"}))
    names = [t["name"] for t in out["cascade-graph"]["figure"]["data"]]
    assert "Primary tumor (Kaplan-Lyden)" in names and "Primary tumor (Dawson)" in names
    text = out["readouts-text"]["children"]
    assert "in brackets: the same experiment under Dawson" in text
    assert "(Dawson " in text
    assert "risk-section" not in out and "risk-graph" not in out  # a mouse run: stays hidden


def test_render_of_a_long_run_shows_the_risk_figures(page) -> None:
    out = _response(page.render(PageState.for_scenario("breast-resection-dormancy").to_store()))
    assert out["risk-section"]["style"] == {}
    risk_names = [t["name"] for t in out["risk-graph"]["figure"]["data"]]
    assert "Relapse since resection" in risk_names
    assert any(n.startswith("Published: Pan 2017") for n in risk_names)
    organ_names = [t["name"] for t in out["organ-risk-graph"]["figure"]["data"]]
    assert any("autopsies" in n for n in organ_names)


def test_the_page_loads_no_polyfill_and_defines_regenerator_runtime_first(page) -> None:
    """dashboard/page.py: no Babel polyfill in the page; the regenerator runtime the bundles'
    lazy loaders call is an asset, loaded before the renderer that calls it; every other
    script Dash lists is still there (React first)."""
    html = page.client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not [s for s in scripts if "polyfill" in s]
    assert scripts[0].split("/")[-1].startswith("react@")
    runtime = next(k for k, s in enumerate(scripts) if "/assets/regenerator-runtime-" in s)
    renderer = next(k for k, s in enumerate(scripts) if "dash_renderer" in s)
    assert runtime < renderer
    asset = page.client.get(scripts[runtime].split("?")[0])
    assert asset.status_code == 200 and b"regeneratorRuntime = runtime" in asset.get_data()


def test_plotly_and_its_wrappers_load_deferred_and_the_graphs_wait_for_them(page) -> None:
    """dashboard/page.py: Plotly's bundle and the scripts wrapping it load deferred (first in
    the page, the bundle before its wrappers and at high priority), none of them blocking;
    assets/await-plotly.js, which makes the graphs wait for them, is an ordinary script that
    runs before the renderer."""
    html = page.client.get("/").get_data(as_text=True)
    deferred = re.findall(r'<script defer( fetchpriority="high")? src="([^"]+)"></script>', html)
    names = [src.split("/")[-1].split("?")[0] for _, src in deferred]
    wrappers = sorted(p.name for p in ASSETS.glob("plotly-*.js") if p.name != PLOTLY_BUNDLE)
    assert wrappers == ["plotly-fast.js", "plotly-offscreen.js", "plotly-resize.js"]
    assert names == [PLOTLY_BUNDLE, *wrappers]
    assert [bool(high) for high, _ in deferred] == [True, False, False, False]
    assert html.index(deferred[-1][1]) < html.index("react@")
    blocking = re.findall(r'<script src="([^"]+)"', html)
    assert not [s for s in blocking if "/assets/plotly-" in s]
    waits = next(k for k, s in enumerate(blocking) if "/assets/await-plotly.js" in s)
    assert waits < next(k for k, s in enumerate(blocking) if "dash_renderer" in s)
    for _, src in deferred:
        assert page.client.get(src).status_code == 200


def test_plotly_deferred_moves_only_plotlys_tags() -> None:
    react = '<script src="/_dash-component-suites/dash/deps/react@18.v4m17.3.1.min.js"></script>\n'
    fast = '<script src="/assets/plotly-fast.js?m=2"></script>\n'
    bundle = f'<script src="/assets/{PLOTLY_BUNDLE}?m=1"></script>\n'
    other = '<script src="/assets/share-link.js?m=3"></script>\n'
    assert plotly_deferred(react + fast + bundle + other) == (
        f'<script defer fetchpriority="high" src="/assets/{PLOTLY_BUNDLE}?m=1"></script>\n'
        '<script defer src="/assets/plotly-fast.js?m=2"></script>\n' + react + other
    )
    assert plotly_deferred(react + other) == react + other


def test_the_page_preloads_the_layout_and_the_callback_list(page) -> None:
    """dashboard/page.py: the head asks for what the renderer fetches first, each a GET the
    server answers, in the mode of the renderer's fetch (CORS, same-origin credentials)."""
    html = page.client.get("/").get_data(as_text=True)
    head = html.split("</head>")[0]
    links = re.findall(
        r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">', head
    )
    assert links == [f"/{path}" for path in PRELOADED]
    for link in links:
        answer = page.client.get(link)
        assert answer.status_code == 200 and answer.is_json


def test_without_polyfill_removes_only_the_polyfills_and_dash_tables_tags() -> None:
    deps = "/_dash-component-suites/dash/deps"
    polyfill = f'<script src="{deps}/polyfill@7.v4_4_1m17.12.1.min.js"></script>\n'
    react = f'<script src="{deps}/react@18.v4_4_1m17.3.1.min.js"></script>'
    table = '<script src="/_dash-component-suites/dash/dash_table/bundle.v7_4_1m17.js"></script>\n'
    assert without_polyfill(polyfill + table + react) == react
    assert without_polyfill(react) == react


def test_the_page_loads_no_dash_table(page) -> None:
    """dashboard/page.py: dash_table's bundle is not in the page (nothing on it is a table),
    and no component of the layout is one of dash_table's."""
    html = page.client.get("/").get_data(as_text=True)
    assert not [s for s in re.findall(r'<script src="([^"]+)"', html) if "dash_table" in s]
    namespaces = set(re.findall(r'"namespace":\s*"(\w+)"', page.client.get("/_dash-layout").text))
    assert "dash_core_components" in namespaces and "dash_table" not in namespaces


def test_the_layout_is_made_once_and_served_the_same_to_every_visitor(page, monkeypatch) -> None:
    """dashboard/page.py: building and serialising the layout is done once per app."""
    first = page.client.get("/_dash-layout").get_data()
    made = []
    monkeypatch.setattr(page.app, "get_layout", lambda: made.append(1))
    assert [page.client.get("/_dash-layout").get_data() for _ in range(3)] == [first] * 3
    assert page.client.get("/").status_code == 200 and made == []


def test_versioned_assets_may_be_kept_a_year_and_nothing_else_changes(page) -> None:
    """dashboard/page.py: a file of ``assets/`` asked for with its version (as the page names
    it) may be kept a year, also when revalidated (304); without a version, missing, or any
    other file, the answer's caching is Flask's or Dash's as before."""
    html = page.client.get("/").get_data(as_text=True)
    assets = [u for u in re.findall(r'(?:src|href)="([^"]+)"', html) if "/assets/" in u]
    assert len(assets) >= 10 and all("?m=" in u for u in assets)
    year = f"public, max-age={ASSET_MAX_AGE}, immutable"
    for url in assets:
        answer = page.client.get(url)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == year, url
        again = page.client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304 and again.headers["Cache-Control"] == year, url
    assert page.client.get(assets[0].split("?")[0]).headers["Cache-Control"] == "no-cache"
    assert page.client.get("/assets/no-such-file.js?m=1").status_code == 404
    assert "immutable" not in page.client.get("/assets/no-such-file.js?m=1").headers.get(
        "Cache-Control", ""
    )
    for path in ("/", "/_dash-layout", "/_dash-dependencies"):
        assert "immutable" not in page.client.get(path).headers.get("Cache-Control", ""), path
