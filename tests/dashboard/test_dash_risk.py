"""dashboard.risk: a long run's risk over the years and per organ, next to patient data.
Checked on the breast scenario (resection on day 1,034, 20 years of follow-up)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from plotly.io.json import to_json_plotly

from dashboard.figures import ORGAN_COLOURS, PUBLISHED, Labels
from dashboard.risk import detected_since, organ_probability_figure, risk_figure
from model import ORGANS, simulate
from model.data import AUTOPSY_BREAST, PAN_2017
from model.probability import YEAR_DAYS


def _named(fig: dict, start: str) -> list[dict]:
    return [t for t in fig["data"] if t["name"].startswith(start)]


def test_relapse_curve_starts_at_resection_and_ends_at_the_relapse_probability(
    breast_result,
) -> None:
    years, chance = detected_since(breast_result, 1034.0)
    assert (years[0], chance[0]) == (0.0, 0.0)
    assert np.all(np.diff(chance) >= -1e-12)  # a probability of "by then" never falls
    assert chance[-1] == pytest.approx(breast_result.readouts.relapse_probability, rel=1e-6)
    (curve,) = _named(risk_figure(breast_result), "Relapse since resection")
    assert curve["y"][-1] == pytest.approx(breast_result.readouts.relapse_probability, rel=1e-3)


def test_hazard_bars_are_the_yearly_hazards(breast_result) -> None:
    (bars,) = _named(risk_figure(breast_result), "Yearly hazard")
    hazard = breast_result.readouts.annual_hazard
    assert bars["type"] == "bar" and bars["yaxis"] == "y2"
    assert bars["x"] == [k + 0.5 for k in range(len(hazard))]
    assert bars["y"] == pytest.approx(list(hazard), rel=1e-3, abs=1e-12)


def test_pan_2017_lines_run_over_years_5_to_20(breast_result) -> None:
    fig = risk_figure(breast_result)
    (pan,) = _named(fig, f"{PUBLISHED}Pan 2017")
    assert pan["x"] == [5.0, 20.0, None] * 3
    assert pan["y"][1::3] == [p.value for p in PAN_2017.points] == [0.13, 0.20, 0.34]
    assert "T1N0 13%" in pan["text"]
    assert all("N Engl J Med 2017" in h for h in pan["hovertext"] if h)
    # ...next to the model's matching quantity: relapse after year 5 for women free then.
    (same,) = _named(fig, "Relapse after year 5")
    assert (same["x"][0], same["y"][0]) == (5.0, 0.0)


def test_demicheli_peaks_at_two_and_five_years(breast_result) -> None:
    (peaks,) = _named(risk_figure(breast_result), f"{PUBLISHED}Demicheli 2008")
    assert peaks["x"] == [2.0, 5.0] and peaks["yaxis"] == "y2"
    assert all("Breast Cancer Res 2008" in h for h in peaks["hovertext"])


def test_without_resection_risk_counts_from_day_0_and_no_patient_data(breast_result) -> None:
    unresected = simulate(breast_result.params.replace(resection_day=None), 3000.0)
    fig = risk_figure(unresected)
    assert _named(fig, PUBLISHED) == []
    assert [t["name"] for t in fig["data"]] == ["Metastasis since day 0", "Yearly hazard"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "years after day 0"
    assert fig["layout"]["xaxis"]["range"] == [0, pytest.approx(3000.0 / YEAR_DAYS)]


def test_a_compared_hypothesis_is_dashed_and_named(breast_result) -> None:
    from model.hypotheses import HYPOTHESES

    other = simulate(HYPOTHESES["paget"].apply(breast_result.params), breast_result.days)
    labels = Labels("Kaplan-Lyden", "Paget")
    fig = risk_figure(breast_result, other, labels=labels)
    (theirs,) = _named(fig, "Relapse since resection (Paget)")
    assert theirs["line"]["dash"] == "dash"
    (bars,) = _named(fig, "Yearly hazard (Paget)")
    assert bars["marker"]["pattern"]["shape"] == "/"
    organs = organ_probability_figure(breast_result, other, labels=labels)
    assert [t["name"] for t in organs["data"]][:2] == [
        "Model: metastasis by day 8400 (Kaplan-Lyden)",
        "Model: metastasis by day 8400 (Paget)",
    ]


def test_organ_probabilities_next_to_autopsy_involvement(breast_result) -> None:
    fig = organ_probability_figure(breast_result)
    model, autopsy = fig["data"]
    organs = breast_result.readouts.organs
    assert model["y"] == pytest.approx([organs[o].metastasis_probability for o in ORGANS], rel=1e-3)
    assert model["marker"]["color"] == [ORGAN_COLOURS[o] for o in ORGANS]
    assert autopsy["name"].startswith(PUBLISHED)
    shares = {p.organ: p.value for p in AUTOPSY_BREAST.points}
    assert autopsy["y"] == [shares.get(o) for o in ORGANS]
    assert autopsy["y"][ORGANS.index("other")] is None  # no published share
    assert "Cummings et al., J Pathol 2014" in autopsy["hovertext"][ORGANS.index("lung")]
    assert "Tsukada et al., Cancer 1983" in autopsy["hovertext"][ORGANS.index("brain")]


@pytest.mark.parametrize("size", [13, 18])
def test_fonts_titles_and_json(size: int, breast_result) -> None:
    for fig in (
        risk_figure(breast_result, font_size=size),
        organ_probability_figure(breast_result, font_size=size),
    ):
        assert fig["layout"]["font"]["size"] == size
        assert fig["layout"]["title"]["subtitle"]["text"] == "Hypothesis: Kaplan-Lyden"
        sent = to_json_plotly(fig)
        assert json.loads(json.dumps(json.loads(sent), allow_nan=False))  # strict JSON
        assert len(sent) < 60_000
