"""Guided lessons: the shipped files validate, bad files are refused naming file, step and
field, every step's link restores its state and view, and each answer says what the model shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard.callbacks import next_state
from dashboard.lessons import (
    TARGETS,
    Lesson,
    LessonFileError,
    lessons,
    load_lesson,
    load_lessons,
    step_view,
)
from dashboard.links import DEFAULTS, from_fragment, to_fragment
from dashboard.state import PageState, to_query
from model import InvalidInput, SimulationResult, simulate
from model.hypotheses import HYPOTHESES
from model.scenarios import SCENARIOS

SHIPPED = {
    "niche-before-seed",
    "blocking-vegfr1",
    "conditioned-medium",
    "resection-dormancy-relapse",
    "biomarker-lead-time",
}


def _steps() -> list[tuple[str, int]]:
    return [
        (lesson.id, k) for lesson in lessons().values() for k in range(1, len(lesson.steps) + 1)
    ]


# --- The shipped lessons ------------------------------------------------------------------------


def test_the_five_lessons_ship_and_validate() -> None:
    shipped = load_lessons()
    assert SHIPPED <= set(shipped)
    for lesson in shipped.values():
        assert len(lesson.steps) >= 2
        assert lesson.level in ("introductory", "intermediate", "advanced")
        assert all(step.look_at in TARGETS for step in lesson.steps)


@pytest.mark.parametrize("lesson_id, number", _steps())
def test_every_step_link_restores_its_state_and_view(lesson_id: str, number: int) -> None:
    lesson = lessons()[lesson_id]
    step = lesson.steps[number - 1]
    link = urlsplit(lesson.url(number))
    search, fragment = f"?{link.query}", f"#{link.fragment}"
    # The query goes through the page's one state callback, as any shared link does.
    state = next_state(PageState.for_scenario("kaplan2005-llc"), "url", None, search=search)
    assert state == step.state
    assert to_query(state) == search  # what the page writes back: no second history entry
    view = from_fragment(fragment)
    assert view["lesson"] == lesson_id and view["step"] == number
    assert view["tab"] == step.tab
    assert view["compare-hypothesis"] == step.compare_hypothesis
    assert to_fragment(view) == fragment


def test_a_step_inherits_the_previous_state_unless_it_names_a_scenario() -> None:
    niche = lessons()["niche-before-seed"].steps
    assert niche[1].state == niche[0].state == PageState.for_scenario("kaplan2005-llc")
    assert niche[4].state.params["vegfr1_signalling"] == 8.0
    assert niche[4].state.scenario == "kaplan2005-llc"
    relapse = lessons()["resection-dormancy-relapse"].steps
    scenario = SCENARIOS["breast-resection-dormancy"]
    assert relapse[4].state.params["dormancy_exit_rate"] == 4e-6
    # The last step names its scenario again: the exit rate is back at the scenario's value.
    assert relapse[5].state.params["dormancy_exit_rate"] == scenario.overrides["dormancy_exit_rate"]


def test_the_step_view_points_at_its_target_and_links_its_neighbours() -> None:
    lesson = lessons()["blocking-vegfr1"]
    first, last = step_view(lesson.id, 1), step_view(lesson.id, len(lesson.steps))
    assert first["progress"] == f"Step 1/{len(lesson.steps)}"
    assert first["target"] == "readouts"
    assert first["back_disabled"] and not first["next_disabled"]
    assert first["next"] == lesson.url(2)
    assert last["next_disabled"] and last["back"] == lesson.url(len(lesson.steps) - 1)
    assert last["target"] == "organ-graph"


@pytest.mark.parametrize(
    "lesson, step",
    [(None, None), ("nope", 1), ("blocking-vegfr1", 0), ("blocking-vegfr1", 99),
     ("blocking-vegfr1", "2"), ("blocking-vegfr1", True), (["x"], 1), ({"a": 1}, 1)],
)  # fmt: skip
def test_a_forged_lesson_store_shows_no_step(lesson, step) -> None:
    assert step_view(lesson, step) is None


# --- Links ---------------------------------------------------------------------------------------


def test_a_lesson_without_step_opens_its_first_step() -> None:
    assert from_fragment("#lesson=conditioned-medium")["step"] == 1
    assert to_fragment({**DEFAULTS, "lesson": "conditioned-medium", "step": 1}) == (
        "#lesson=conditioned-medium&step=1"
    )


@pytest.mark.parametrize(
    "fragment, message",
    [
        ("#lesson=astrology", "#lesson='astrology' is not one of: niche-before-seed"),
        ("#lesson=niche-before-seed&step=9", "#step=9 is not a step of lesson"),
        ("#lesson=niche-before-seed&step=0", "#step=0 is not a step of lesson"),
        ("#lesson=niche-before-seed&step=1.5", "#step='1.5' is not a whole number"),
        ("#lesson=niche-before-seed&step=two", "#step='two' is not a number"),
        ("#lesson=niche-before-seed&step=inf", "not a finite number"),
        ("#step=2", "#step=2 needs a #lesson"),
        ("#lesson=niche-before-seed&lesson=blocking-vegfr1", "gives #lesson twice"),
    ],
)
def test_a_bad_lesson_link_is_refused_naming_the_setting(fragment, message) -> None:
    with pytest.raises(InvalidInput) as refused:
        from_fragment(fragment)
    assert message in str(refused.value)


# --- Bad files ------------------------------------------------------------------------------------

GOOD_STEP = """
[[steps]]
title = "A step"
text = "Some *markdown*."
look_at = "cascade"
look_for = "the biomarker."
question = "Why?"
answer = "Because."
"""
HEAD = """id = "test-lesson"
title = "A lesson"
summary = "What it shows."
audience = "Anyone"
level = "introductory"
"""


def _write(folder: Path, text: str, name: str = "lesson.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_lesson_loads(tmp_path: Path) -> None:
    lesson = load_lesson(_write(tmp_path, HEAD + GOOD_STEP * 2))
    assert isinstance(lesson, Lesson)
    assert lesson.steps[0].state == PageState(lesson.steps[0].state.params)  # model defaults
    assert lesson.steps[0].tab == "explore" and lesson.steps[0].compare_hypothesis is None


def _second_step(**fields: str) -> str:
    """The good lesson whose second step has ``fields`` added (TOML source text)."""
    return HEAD + GOOD_STEP + GOOD_STEP + "".join(f"{k} = {v}\n" for k, v in fields.items())


@pytest.mark.parametrize(
    "text, message",
    [
        ("id = ", "lesson.toml: is not valid TOML"),
        (HEAD + 'colour = "red"\n' + GOOD_STEP * 2, "lesson.toml, field 'colour': is not a field"),
        (HEAD.replace('title = "A lesson"\n', "") + GOOD_STEP * 2,
         "lesson.toml, field 'title': missing (required)"),
        (HEAD.replace('"introductory"', '"expert"') + GOOD_STEP * 2,
         "field 'level': 'expert' is not one of: introductory"),
        (HEAD.replace('"test-lesson"', '"Test Lesson"') + GOOD_STEP * 2,
         "field 'id': 'Test Lesson' must be lower-case words"),
        (HEAD.replace('title = "A lesson"', "title = 5") + GOOD_STEP * 2,
         "field 'title': must be non-empty text"),
        (HEAD + GOOD_STEP, "field 'steps': has 1 steps; a lesson has 2 to 20"),
        (HEAD, "field 'steps': missing"),
        (HEAD + GOOD_STEP + GOOD_STEP.replace('question = "Why?"\n', ""),
         "lesson.toml, step 2, field 'question': missing (required)"),
        (_second_step(colour='"red"'), "step 2, field 'colour': is not a field of a lesson step"),
        (_second_step(scenario='"kaplan2006"'),
         "step 2, field 'scenario': 'kaplan2006' is not one of: kaplan2005-llc"),
        (_second_step(set="{ vegfr1_signaling = 8 }"),
         "step 2, field 'set.vegfr1_signaling': unknown parameter 'vegfr1_signaling' (did you "
         "mean 'vegfr1_signalling'?)"),
        (_second_step(set="{ vegfr1_signalling = 80 }"),
         "step 2, field 'set.vegfr1_signalling': vegfr1_signalling=80"),
        (_second_step(set="{ tropism.lung = 1.5 }"), "step 2, field 'set.tropism.lung':"),
        (_second_step(set='{ homing_rate = "fast" }'),
         "step 2, field 'set.homing_rate': 'fast' is text"),
        (_second_step(set="{ anti_vegfr1_start_day = 20, anti_vegfr1_end_day = 10 }"),
         "step 2, field 'set': "),
        (_second_step(set="8"), "step 2, field 'set': must be a table"),
        (_second_step(days="0"), "step 2, field 'days': days=0 is outside the allowed range"),
        (_second_step(days='"long"'), "step 2, field 'days': 'long' is not a number of days"),
        (_second_step(hypothesis='"lamarck"'),
         "step 2, field 'hypothesis': 'lamarck' is not one of: kaplan-lyden"),
        (_second_step(compare_hypothesis='"lamarck"'),
         "step 2, field 'compare_hypothesis': 'lamarck' is not one of"),
        (_second_step(tab='"admin"'), "step 2, field 'tab': 'admin' is not one of: explore"),
        (HEAD + GOOD_STEP + GOOD_STEP.replace('"cascade"', '"heatmap"'),
         "step 2, field 'look_at': 'heatmap' is not one of: cascade"),
        (_second_step(tab='"sweep"'), "step 2, field 'look_at': 'cascade' is on the explore tab"),
        (HEAD + GOOD_STEP + GOOD_STEP.replace('"cascade"', '"risk"'),
         "step 2, field 'look_at': 'risk' is shown only for runs longer than 60 days"),
        (HEAD + GOOD_STEP + GOOD_STEP.replace('"Some *markdown*."', '"' + "x" * 1300 + '"'),
         "step 2, field 'text': is 1300 characters long"),
        (HEAD + "steps = [1, 2]\n", "lesson.toml, step 1: a step must be a table"),
    ],
)  # fmt: skip
def test_a_bad_lesson_file_is_refused_naming_file_step_and_field(tmp_path, text, message) -> None:
    with pytest.raises(LessonFileError) as refused:
        load_lesson(_write(tmp_path, text))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)  # one line


def test_a_long_run_may_point_at_the_risk_figures(tmp_path: Path) -> None:
    risky = GOOD_STEP.replace('"cascade"', '"risk"') + 'scenario = "breast-resection-dormancy"\n'
    text = HEAD + GOOD_STEP + risky
    assert load_lesson(_write(tmp_path, text)).steps[1].look_at == "risk"


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, HEAD + GOOD_STEP * 2, "a.toml")
    _write(tmp_path, HEAD + GOOD_STEP * 2, "b.toml")
    with pytest.raises(LessonFileError, match=r"b.toml, field 'id': 'test-lesson' is already"):
        load_lessons(tmp_path)


def test_a_bad_shipped_lesson_stops_start_up(tmp_path, monkeypatch) -> None:
    from dashboard import create_app
    from dashboard import lessons as lessons_module

    _write(tmp_path, HEAD + GOOD_STEP, "broken.toml")
    monkeypatch.setattr(lessons_module, "LESSON_DIR", tmp_path)
    monkeypatch.setenv("SEED_SOIL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    lessons_module.lessons.cache_clear()
    try:
        with pytest.raises(LessonFileError, match="broken.toml, field 'steps': has 1 steps"):
            create_app()
    finally:
        lessons_module.lessons.cache_clear()


@pytest.mark.slow
def test_app_py_stops_with_the_files_one_line(tmp_path: Path, repo_root: Path) -> None:
    _write(tmp_path, HEAD + GOOD_STEP + GOOD_STEP.replace('"cascade"', '"heatmap"'), "bad.toml")
    code = (
        "import pathlib, dashboard.lessons as lessons; "
        f"lessons.LESSON_DIR = pathlib.Path({str(tmp_path)!r}); import app"
    )
    env = {**os.environ, "SEED_SOIL_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "app.py: configuration error: bad.toml, step 2, field 'look_at': 'heatmap' is not one "
        f"of: {', '.join(TARGETS)}"
    )


# --- The running page ----------------------------------------------------------------------------


def _outputs(response) -> dict:
    return json.loads(response.get_data(as_text=True))["response"]


def test_opening_a_step_link_fills_the_lesson_stores_and_the_bar(page) -> None:
    lesson = lessons()["blocking-vegfr1"]
    fragment = "#" + urlsplit(lesson.url(5)).fragment
    links = next(d for d in page.requests.dependencies if d["output"].startswith("..url.hash"))
    inputs = [n for e in links["inputs"] for n in page.requests._resolve(e["id"], e["property"])[1]]
    values = dict.fromkeys(inputs) | {"url.hash": fragment, "tabs.active_tab": "explore"}
    out = _outputs(page.post(page.requests.body("url.hash", values, changed=["url.hash"])))
    assert out["lesson"]["data"] == "blocking-vegfr1"
    assert out["lesson-step"]["data"] == 5
    assert out["compare-hypothesis"]["value"] == "dawson"
    assert out["url"]["hash"] == fragment

    bar = {
        "lesson.data": "blocking-vegfr1",
        "lesson-step.data": 5,
        "lesson-answer-btn.n_clicks": None,
        "lesson-answer.is_open": False,
    }
    shown = _outputs(
        page.post(page.requests.body("lesson-bar.hidden", bar, changed=["lesson.data"]))
    )
    assert shown["lesson-bar"]["hidden"] is False
    assert shown["lesson-progress"]["children"] == "Step 5/5"
    assert shown["lesson-answer"]["is_open"] is False
    assert shown["lesson-next"]["disabled"] is True
    assert shown["lesson-target"]["data"] == "organ-graph"
    asked = {**bar, "lesson-answer-btn.n_clicks": 1}
    body = page.requests.body("lesson-bar.hidden", asked, changed=["lesson-answer-btn.n_clicks"])
    toggled = _outputs(page.post(body))
    assert toggled["lesson-answer"]["is_open"] is True
    assert toggled["lesson-answer-btn"]["children"] == "Hide answer"


def test_leaving_a_lesson_empties_the_lesson_stores(page) -> None:
    leave = next(d for d in page.requests.dependencies if "lesson-leave" in json.dumps(d["inputs"]))
    output = leave["output"].removeprefix("..").split("...")[0]  # "lesson.data@<hash>"
    body = page.requests.body(
        output, {"lesson-leave.n_clicks": 1}, changed=["lesson-leave.n_clicks"]
    )
    out = _outputs(page.post(body))
    assert out["lesson"]["data"] is None and out["lesson-step"]["data"] is None


# --- The answers hold in the model ---------------------------------------------------------------


@cache
def _run(lesson_id: str, number: int, hypothesis: str | None = None) -> SimulationResult:
    state = lessons()[lesson_id].steps[number - 1].state
    params = HYPOTHESES[hypothesis].apply(state.params) if hypothesis else state.params
    return simulate(params, state.days)


def _total(result: SimulationResult) -> float:
    return sum(o.burden_final for o in result.readouts.organs.values())


def _outside_lung(result: SimulationResult) -> float:
    return 1 - result.readouts.organs["lung"].burden_final / _total(result)


def test_niche_before_seed_answers() -> None:
    ro = _run("niche-before-seed", 1).readouts
    lung = ro.organs["lung"]
    assert ro.biomarker_alarm_day == pytest.approx(7.0, abs=0.1)  # step 2
    assert ro.biomarker_peak_fold_change == pytest.approx(2.2, abs=0.05)
    assert ro.biomarker_peak_day == pytest.approx(15, abs=1)
    # Step 3: soil before seed, by about 4 days; no other organ gets a niche.
    assert lung.niche_onset_day == pytest.approx(13.3, abs=0.1)
    assert lung.dtc_detect_day == pytest.approx(17.6, abs=0.1)
    assert 3.5 <= lung.dtc_detect_day - lung.niche_onset_day <= 5
    assert all(o.niche_onset_day is None for k, o in ro.organs.items() if k != "lung")
    # Step 4: the seed alone gives under 0.1 % of the lung burden.
    assert lung.seed_only_burden_final == pytest.approx(37, abs=1)
    assert lung.burden_final == pytest.approx(1.7e5, rel=0.05)
    assert lung.seed_only_burden_final / lung.burden_final < 0.001
    # Step 5: VEGFR1 signalling 8: the niche about a day earlier, the burden about doubled.
    faster = _run("niche-before-seed", 5).readouts.organs["lung"]
    assert faster.niche_onset_day == pytest.approx(12.2, abs=0.1)
    assert faster.burden_final == pytest.approx(3.3e5, rel=0.05)


def test_blocking_vegfr1_answers() -> None:
    untreated = _run("blocking-vegfr1", 1)
    assert untreated.readouts.organs["lung"].burden_final == pytest.approx(1.7e5, rel=0.05)
    assert 1 - _outside_lung(untreated) > 0.99
    blocked = _run("blocking-vegfr1", 2)
    ro = blocked.readouts
    assert ro.biomarker_peak_fold_change == pytest.approx(1.13, abs=0.01)
    assert ro.biomarker_alarm_day is None
    assert all(o.niche_onset_day is None for o in ro.organs.values())
    # Step 3: more than 99 % less burden (measured 99.87 %), about 230 cells left.
    assert _total(blocked) < 0.01 * _total(untreated)
    assert _total(blocked) == pytest.approx(230, rel=0.05)
    # Step 4: started on day 20, after onset and detection: about 88 % less.
    late = _run("blocking-vegfr1", 4)
    lung = late.readouts.organs["lung"]
    assert lung.niche_onset_day == pytest.approx(13.3, abs=0.1)
    assert lung.dtc_detect_day == pytest.approx(17.6, abs=0.1)
    assert 1 - _total(late) / _total(untreated) == pytest.approx(0.88, abs=0.01)
    assert _total(late) == pytest.approx(2.0e4, rel=0.05)
    # Step 5: under Dawson the same antibody leaves niche and burden as without it.
    dawson = _run("blocking-vegfr1", 5, "dawson").readouts.organs["lung"]
    assert dawson.niche_onset_day == pytest.approx(13.4, abs=0.1)
    assert dawson.burden_final == pytest.approx(2.3e5, rel=0.05)
    assert dawson.burden_final > untreated.readouts.organs["lung"].burden_final


def test_conditioned_medium_answers() -> None:
    control = _run("conditioned-medium", 1)
    assert _outside_lung(control) == pytest.approx(0.006, abs=0.001)  # "less than 1 %"
    redirected = _run("conditioned-medium", 2)
    onset = {k: o.niche_onset_day for k, o in redirected.readouts.organs.items()}
    expected = {"lung": 13.8, "liver": 15.6, "other": 15.8, "lymph_node": 16.0, "bone": 24.5}
    for organ, day in expected.items():
        assert onset[organ] == pytest.approx(day, abs=0.1), organ
    assert onset["brain"] is None
    # Step 3: more than half the burden leaves the lung; liver, other, nodes 4-5 x 10^4 each.
    assert _outside_lung(redirected) == pytest.approx(0.56, abs=0.01)
    for organ in ("liver", "other", "lymph_node"):
        assert 3.9e4 <= redirected.readouts.organs[organ].burden_final <= 5e4, organ
    # Step 4: under Ewing the medium changes nothing (the same run with or without it).
    ewing_medium, ewing_control = (
        _run("conditioned-medium", 4, "ewing"),
        _run("conditioned-medium", 1, "ewing"),
    )
    assert _total(ewing_medium) == pytest.approx(_total(ewing_control), rel=1e-6)
    assert _total(ewing_medium) == pytest.approx(220, rel=0.05)
    assert _outside_lung(ewing_medium) < 0.5  # mostly lung, by blood flow


def test_resection_dormancy_relapse_answers() -> None:
    run = _run("resection-dormancy-relapse", 1)
    ro, frame = run.readouts, run.frame
    resection = 1034.0
    assert ro.resection_day == resection
    assert frame.loc[frame["day"] < resection, "tumor"].iloc[-1] == pytest.approx(9e8, rel=0.1)
    after = frame[frame["day"] > resection + 365]
    assert after["ctc"].max() == 0.0
    assert after["circulating_hpc"].to_numpy() == pytest.approx(1.0, abs=0.05)
    # Step 2: nothing detectable at surgery; about 28 % relapse in 20 years.
    assert ro.synchronous_probability < 1e-5
    assert ro.relapse_probability == pytest.approx(0.28, abs=0.01)
    top3 = sorted(ro.organs, key=lambda k: -ro.organs[k].relapse_probability)[:3]
    assert set(top3) == {"lung", "bone", "liver"}

    # Step 3: about 540 solitary dormant DTCs at surgery, 83 % of them 5 years later.
    def solitary(day: float) -> float:
        row = frame[frame["day"] >= day].iloc[0]
        return float(sum(row[f"{organ}.solitary"] for organ in ro.organs))

    at_surgery, later = solitary(resection), solitary(resection + 5 * 365.25)
    assert at_surgery == pytest.approx(540, rel=0.02)
    assert later == pytest.approx(450, rel=0.02)
    assert later / at_surgery == pytest.approx(0.83, abs=0.01)
    # Step 4: the yearly hazard peaks in year 5 (3.6 %), then stays between 1 and 3 % a year.
    hazard = ro.annual_hazard
    assert max(range(len(hazard)), key=hazard.__getitem__) + 1 == 5
    assert hazard[4] == pytest.approx(0.036, abs=0.001)
    assert all(0.01 <= h <= 0.03 for h in hazard[5:20])
    # Step 5: a doubled exit rate: about 43 %.
    faster = _run("resection-dormancy-relapse", 5).readouts
    assert faster.relapse_probability == pytest.approx(0.43, abs=0.01)
    # Step 6: a year of antibody after surgery changes nothing; the same year before it cuts
    # the risk to about 1 %.
    after_surgery = _run("resection-dormancy-relapse", 6).readouts
    assert after_surgery.relapse_probability == pytest.approx(ro.relapse_probability, abs=0.005)
    before = (
        lessons()["resection-dormancy-relapse"]
        .steps[5]
        .state.params.replace(anti_vegfr1_start_day=600.0, anti_vegfr1_end_day=resection)
    )
    assert simulate(before, run.days).readouts.relapse_probability == pytest.approx(0.01, abs=0.005)


def test_biomarker_lead_time_answers() -> None:
    ro = _run("biomarker-lead-time", 1).readouts
    assert ro.biomarker_lead_days == pytest.approx(10.6, abs=0.1)
    assert ro.biomarker_alarm_day == pytest.approx(7.0, abs=0.1)
    assert ro.first_detection_day == pytest.approx(17.6, abs=0.1)
    weaker = _run("biomarker-lead-time", 2).readouts
    assert weaker.biomarker_lead_days == pytest.approx(8.6, abs=0.1)
    assert weaker.biomarker_alarm_day == pytest.approx(9.7, abs=0.1)
    assert weaker.first_detection_day == pytest.approx(18.3, abs=0.1)
    # Step 3: VLA-4 blocked: a higher biomarker, no niche, about 300 cells in all.
    vla4 = _run("biomarker-lead-time", 3)
    assert vla4.readouts.biomarker_peak_fold_change == pytest.approx(2.4, abs=0.05)
    assert vla4.readouts.biomarker_peak_fold_change > ro.biomarker_peak_fold_change
    assert all(o.niche_onset_day is None for o in vla4.readouts.organs.values())
    assert _total(vla4) == pytest.approx(300, rel=0.05)
    # Step 4: Dawson with anti-VEGFR1: a silent alarm over a full lung niche.
    silent = _run("biomarker-lead-time", 4).readouts
    assert silent.biomarker_alarm_day is None
    assert silent.biomarker_peak_fold_change == pytest.approx(1.14, abs=0.01)
    assert silent.organs["lung"].niche_onset_day == pytest.approx(13.4, abs=0.1)
    assert silent.organs["lung"].burden_final == pytest.approx(2.3e5, rel=0.05)
    # Step 5: the breast patient: about 154 days of warning, both days before surgery.
    human = _run("biomarker-lead-time", 5).readouts
    assert human.biomarker_lead_days == pytest.approx(154, abs=2)
    assert human.biomarker_alarm_day == pytest.approx(836, abs=2)
    assert human.first_detection_day == pytest.approx(989, abs=2)
    assert human.first_detection_day < human.resection_day
