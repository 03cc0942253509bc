"""Guided lessons: a walk through a classic experiment, one step at a time, written as data.

Each lesson is a TOML file in ``dashboard/lessons/`` (format and how to add one:
docs/lessons.md). A step sets the model state (scenario, parameter changes, hypothesis, days),
the view (tab, hypothesis to compare with), points at one figure or readout, and asks a
question whose answer stays folded until asked for.

Every step has its own link: the step's state as the query (``dashboard.state.to_query``) and
``#lesson=<id>&step=<k>`` with the view in the fragment (``dashboard.links``). Back and Next are
links to those URLs, so a step's state goes through the page's one state callback like any
shared link, and the browser's back button walks the lesson too.

Files are checked when the app starts: a bad one stops it with one line naming the file, the
step and the field.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.figures import MOUSE_MAX_DAYS
from dashboard.links import DEFAULTS, TABS, to_fragment
from dashboard.state import PageState, to_query
from model import InvalidInput, Parameters
from model.hypotheses import HYPOTHESES
from model.parameters import parse_value
from model.scenarios import SCENARIOS
from model.solve import validate_days

__all__ = [
    "LESSON_DIR",
    "LEVELS",
    "TARGETS",
    "Lesson",
    "LessonFileError",
    "Step",
    "check_link",
    "lesson_bar",
    "lessons",
    "lessons_menu",
    "load_lesson",
    "load_lessons",
    "register_lessons",
    "step_view",
]

LESSON_DIR = Path(__file__).resolve().parent / "lessons"
LEVELS = ("introductory", "intermediate", "advanced")
MIN_STEPS, MAX_STEPS = 2, 20
#: Longest step text: a step is read aloud in a lecture, not studied.
MAX_TEXT = 1200
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Target:
    """A place on the page a step can point at: the element's id, its name in a sentence,
    and the tab it sits on (None: beside the tabs, always visible)."""

    element: str
    label: str
    tab: str | None
    long_runs_only: bool = False


#: What ``look_at`` may name. The page outlines the element while the step is shown.
TARGETS: Mapping[str, Target] = MappingProxyType(
    {
        "cascade": Target(ids.CASCADE_GRAPH, "the cascade figure", "explore"),
        "organs": Target(ids.ORGAN_GRAPH, "the organ panels", "explore"),
        "burden": Target(ids.BURDEN_GRAPH, "the burden bar chart", "explore"),
        "readouts": Target(ids.READOUTS, "the readout table", "explore"),
        "risk": Target(ids.RISK_GRAPH, "the risk-over-the-years figure", "explore", True),
        "organ-risk": Target(ids.ORGAN_RISK_GRAPH, "the organ probability figure", "explore", True),
        "scenario-card": Target(ids.SCENARIO_TEXT, "the scenario card", None),
        "hypothesis": Target(ids.HYPOTHESIS_TEXT, "the hypothesis note", None),
        "sweep": Target(ids.SWEEP_GRAPH, "the sweep figure", "sweep"),
        "sensitivity": Target(ids.SENS_GRAPH, "the sensitivity chart", "sensitivity"),
    }
)


class LessonFileError(InvalidInput):
    """A lesson file that does not follow docs/lessons.md: one line naming file, step, field.

    An ``InvalidInput``, so ``app.py`` stops with that line as with a bad setting."""


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # short markdown
    state: PageState  # the model state the step sets (carried into the next step)
    tab: str
    compare_hypothesis: str | None
    look_at: str  # a key of TARGETS
    look_for: str  # the sentence saying what to see there
    question: str
    answer: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    audience: str
    level: str
    steps: tuple[Step, ...]
    file: str

    def url(self, number: int) -> str:
        """The link of step ``number`` (1-based): its state as the query, view and lesson
        position as the fragment, both in the canonical form the page itself writes."""
        step = self.steps[number - 1]
        view = {
            **DEFAULTS,
            "tab": step.tab,
            ids.COMPARE_HYPOTHESIS: step.compare_hypothesis,
            "lesson": self.id,
            "step": number,
        }
        return to_query(step.state) + to_fragment(view)


# --- Reading and checking files ---------------------------------------------------------------

_LESSON_FIELDS = {"id", "title", "summary", "audience", "level", "steps"}
_STEP_FIELDS = {
    "title", "text", "scenario", "set", "days", "hypothesis", "compare_hypothesis", "tab",
    "look_at", "look_for", "question", "answer",
}  # fmt: skip
_REQUIRED_STEP_FIELDS = ("title", "text", "look_at", "look_for", "question", "answer")


class _Where:
    """Where a problem is, for its message: ``file.toml, step 2, field 'set.homing_rate'``."""

    def __init__(self, file: str, step: int | None = None) -> None:
        self.file, self.step = file, step

    def fail(self, field: str | None, problem: str) -> LessonFileError:
        parts = [self.file]
        if self.step is not None:
            parts.append(f"step {self.step}")
        if field is not None:
            parts.append(f"field {field!r}")
        return LessonFileError(f"{', '.join(parts)}: {problem}")


def _text(table: Mapping, field: str, where: _Where, *, required: bool = True) -> str | None:
    if field not in table:
        if required:
            raise where.fail(field, "missing (required)")
        return None
    value = table[field]
    if not isinstance(value, str) or not value.strip():
        raise where.fail(field, "must be non-empty text")
    if len(value) > MAX_TEXT:
        raise where.fail(field, f"is {len(value)} characters long; keep it under {MAX_TEXT}")
    return value.strip()


def _choice(table: Mapping, field: str, allowed, where: _Where) -> str | None:
    value = _text(table, field, where, required=False)
    if value is not None and value not in allowed:
        raise where.fail(field, f"{value!r} is not one of: {', '.join(allowed)}")
    return value


def _unknown_fields(table: Mapping, known: set[str], where: _Where, kind: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        fields = ", ".join(sorted(known))
        raise where.fail(extra[0], f"is not a field of a {kind} (known: {fields})")


def _flatten(table: Mapping, prefix: str = "") -> dict[str, object]:
    """``tropism.lung = 0.5`` in TOML is a nested table; parameter names have the dot."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _changes(raw: object, where: _Where) -> dict[str, float | None]:
    if not isinstance(raw, Mapping):
        raise where.fail("set", "must be a table of parameter = value")
    changes: dict[str, float | None] = {}
    for name, value in _flatten(raw).items():
        if isinstance(value, str) and value.strip().lower() != "none":
            raise where.fail(f"set.{name}", f"{value!r} is text; write a number (or 'none')")
        try:
            changes[name] = parse_value(name, value)
        except InvalidInput as exc:
            raise where.fail(f"set.{name}", str(exc)) from None
    return changes


def _step_state(table: Mapping, before: PageState | None, where: _Where) -> PageState:
    """The state a step sets: its scenario (else the previous step's state, else the defaults),
    then its hypothesis, then its parameter changes, then its days."""
    scenario = _choice(table, "scenario", list(SCENARIOS), where)
    if scenario is not None:
        base = PageState.for_scenario(scenario)
    else:
        base = before or PageState(Parameters())
    params = base.params
    hypothesis = _choice(table, "hypothesis", list(HYPOTHESES), where)
    if hypothesis is not None:
        params = HYPOTHESES[hypothesis].apply(params)
    if "set" in table:
        try:
            params = params.replace(_changes(table["set"], where))
        except LessonFileError:
            raise
        except InvalidInput as exc:  # values that do not fit together (therapy end < start)
            raise where.fail("set", str(exc)) from None
    days = base.days
    if "days" in table:
        if isinstance(table["days"], bool) or not isinstance(table["days"], int | float):
            raise where.fail("days", f"{table['days']!r} is not a number of days")
        try:
            days = validate_days(table["days"])
        except InvalidInput as exc:
            raise where.fail("days", str(exc)) from None
    return PageState(params, days, base.scenario)


def _step(table: object, before: PageState | None, where: _Where) -> Step:
    if not isinstance(table, Mapping):
        raise where.fail(None, "a step must be a table ([[steps]])")
    _unknown_fields(table, _STEP_FIELDS, where, "lesson step")
    texts = {field: _text(table, field, where) for field in _REQUIRED_STEP_FIELDS}
    state = _step_state(table, before, where)
    tab = _choice(table, "tab", TABS, where) or TABS[0]
    compare = _choice(table, "compare_hypothesis", list(HYPOTHESES), where)
    look_at = texts["look_at"]
    if look_at not in TARGETS:
        raise where.fail("look_at", f"{look_at!r} is not one of: {', '.join(TARGETS)}")
    target = TARGETS[look_at]
    if target.tab is not None and target.tab != tab:
        raise where.fail("look_at", f"{look_at!r} is on the {target.tab} tab, the step opens {tab}")
    if target.long_runs_only and state.days <= MOUSE_MAX_DAYS:
        raise where.fail(
            "look_at",
            f"{look_at!r} is shown only for runs longer than {MOUSE_MAX_DAYS:g} days "
            f"(this step runs {state.days:g})",
        )
    return Step(
        title=texts["title"],
        text=texts["text"],
        state=state,
        tab=tab,
        compare_hypothesis=compare,
        look_at=look_at,
        look_for=texts["look_for"],
        question=texts["question"],
        answer=texts["answer"],
    )


def load_lesson(path: Path) -> Lesson:
    """One lesson file, checked completely; ``LessonFileError`` names what is wrong."""
    where = _Where(path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise where.fail(None, f"is not valid TOML ({exc})") from None
    _unknown_fields(data, _LESSON_FIELDS, where, "lesson")
    lesson_id = _text(data, "id", where)
    if not _ID.fullmatch(lesson_id):
        raise where.fail("id", f"{lesson_id!r} must be lower-case words joined by hyphens")
    fields = {f: _text(data, f, where) for f in ("title", "summary", "audience")}
    level = _choice(data, "level", LEVELS, where)
    if level is None:
        raise where.fail("level", "missing (required)")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        raise where.fail("steps", "missing: a lesson has [[steps]] tables")
    count = len(raw_steps)
    if not MIN_STEPS <= count <= MAX_STEPS:
        raise where.fail("steps", f"has {count} steps; a lesson has {MIN_STEPS} to {MAX_STEPS}")
    steps: list[Step] = []
    for number, table in enumerate(raw_steps, start=1):
        steps.append(_step(table, steps[-1].state if steps else None, _Where(path.name, number)))
    return Lesson(id=lesson_id, level=level, steps=tuple(steps), file=path.name, **fields)


def load_lessons(folder: Path = LESSON_DIR) -> dict[str, Lesson]:
    """Every ``*.toml`` lesson in ``folder``, in file-name order, by id (ids must be unique)."""
    found: dict[str, Lesson] = {}
    for path in sorted(folder.glob("*.toml")):
        lesson = load_lesson(path)
        if lesson.id in found:
            raise _Where(path.name).fail(
                "id", f"{lesson.id!r} is already the id of {found[lesson.id].file}"
            )
        found[lesson.id] = lesson
    return found


@functools.cache
def lessons() -> Mapping[str, Lesson]:
    """The shipped lessons, read once per process (``create_app`` reads them at start-up)."""
    return MappingProxyType(load_lessons(LESSON_DIR))


def check_link(lesson: str | None, step: int | None) -> int | None:
    """The step a link's ``#lesson``/``#step`` pair asks for (1 without ``#step``), or None
    without a lesson; ``InvalidInput`` in the link message's words otherwise."""
    if lesson is None:
        if step is not None:
            raise InvalidInput(f"the link's #step={step} needs a #lesson")
        return None
    count = len(lessons()[lesson].steps)
    step = 1 if step is None else step
    if not 1 <= step <= count:
        raise InvalidInput(
            f"the link's #step={step} is not a step of lesson {lesson!r} (1 to {count})"
        )
    return step


# --- The page ---------------------------------------------------------------------------------


def lessons_menu() -> dbc.DropdownMenu:
    """The navbar's "Lessons" menu: each entry is the link to the lesson's first step."""
    return dbc.DropdownMenu(
        [dbc.DropdownMenuItem(lesson.title, href=lesson.url(1)) for lesson in lessons().values()],
        label="Lessons",
        id=ids.LESSONS_MENU,
        color="light",
        size="sm",
        align_end=True,
        className="me-2",
    )


def lesson_bar() -> html.Section:
    """The bar above the tabs, hidden until a link opens a lesson step."""
    return html.Section(
        [
            dcc.Store(id=ids.LESSON),
            dcc.Store(id=ids.LESSON_STEP),
            dcc.Store(id=ids.LESSON_TARGET),
            dcc.Store(id=ids.LESSON_HIGHLIGHTED),
            html.Div(
                [
                    html.Span(id=ids.LESSON_PROGRESS, className="badge text-bg-primary me-2"),
                    html.Span(id=ids.LESSON_NAME, className="lesson-name small text-muted"),
                ],
                className="d-flex align-items-center mb-1",
            ),
            html.H2(id=ids.LESSON_TITLE, className="h5 mb-1", **{"aria-live": "polite"}),
            dcc.Markdown(id=ids.LESSON_TEXT, className="lesson-text"),
            html.P(
                [
                    html.B("Look at "),
                    html.Span(id=ids.LESSON_LOOK),
                    # assets/lessons.js scrolls the outlined element into view.
                    html.Button(
                        "Show me",
                        id=ids.LESSON_SHOW,
                        type="button",
                        className="btn btn-link btn-sm py-0 align-baseline",
                    ),
                ],
                className="lesson-look mb-1",
            ),
            html.P(
                [html.B("Question: "), html.Span(id=ids.LESSON_QUESTION)],
                className="lesson-question mb-1",
            ),
            html.Button(
                "Show answer",
                id=ids.LESSON_ANSWER_BTN,
                type="button",
                className="btn btn-outline-primary btn-sm mb-1",
                **{"aria-controls": ids.LESSON_ANSWER},
            ),
            dbc.Collapse(
                html.P(id=ids.LESSON_ANSWER_TEXT, className="lesson-answer mb-1"),
                id=ids.LESSON_ANSWER,
                is_open=False,
            ),
            html.Nav(
                [
                    # With an href these render as <a role="button">: each step has a URL to
                    # copy or open in a tab, and the browser's back button walks the steps.
                    # At either end the button renders as a disabled <button>.
                    dbc.Button("Back", id=ids.LESSON_BACK, href="", color="secondary", size="sm"),
                    dbc.Button("Next", id=ids.LESSON_NEXT, href="", color="primary", size="sm"),
                    html.Button(
                        "Leave lesson",
                        id=ids.LESSON_LEAVE,
                        type="button",
                        className="btn btn-link btn-sm",
                    ),
                    html.Span(
                        "Keys: Page Down / Page Up (or a presenter remote)",
                        className="small text-muted ms-auto",
                    ),
                ],
                className="d-flex flex-wrap align-items-center gap-2 mt-1",
                **{"aria-label": "Lesson steps"},
            ),
        ],
        id=ids.LESSON_BAR,
        className="lesson-bar",
        hidden=True,
        **{"aria-label": "Lesson"},
    )


def step_view(lesson: object, step: object) -> dict | None:
    """What the bar shows for a lesson step, or None for no (or no valid) step.

    The stores are browser-side, so their values are checked again here.
    """
    if not isinstance(lesson, str) or lesson not in lessons():
        return None
    current = lessons()[lesson]
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= len(current.steps):
        return None
    s = current.steps[step - 1]
    target = TARGETS[s.look_at]
    count = len(current.steps)
    return {
        "progress": f"Step {step}/{count}",
        "name": current.title,
        "title": s.title,
        "text": s.text,
        "look": [html.Span(target.label, className="fw-semibold"), ": ", s.look_for],
        "question": s.question,
        "answer": s.answer,
        "back": current.url(max(step - 1, 1)),
        "back_disabled": step == 1,
        "next": current.url(min(step + 1, count)),
        "next_disabled": step == count,
        "target": target.element,
    }


def register_lessons(app: Dash) -> None:
    """Read every lesson now (a bad file stops start-up) and wire the bar."""
    lessons()

    @app.callback(
        Output(ids.LESSON_BAR, "hidden"),
        Output(ids.LESSON_PROGRESS, "children"),
        Output(ids.LESSON_NAME, "children"),
        Output(ids.LESSON_TITLE, "children"),
        Output(ids.LESSON_TEXT, "children"),
        Output(ids.LESSON_LOOK, "children"),
        Output(ids.LESSON_QUESTION, "children"),
        Output(ids.LESSON_ANSWER_TEXT, "children"),
        Output(ids.LESSON_ANSWER, "is_open"),
        Output(ids.LESSON_ANSWER_BTN, "children"),
        Output(ids.LESSON_BACK, "href"),
        Output(ids.LESSON_BACK, "disabled"),
        Output(ids.LESSON_NEXT, "href"),
        Output(ids.LESSON_NEXT, "disabled"),
        Output(ids.LESSON_TARGET, "data"),
        Input(ids.LESSON, "data"),
        Input(ids.LESSON_STEP, "data"),
        Input(ids.LESSON_ANSWER_BTN, "n_clicks"),
        State(ids.LESSON_ANSWER, "is_open"),
        # The bar starts hidden, as for no lesson. A lesson in the link reaches the stores
        # through the fragment's callback (dashboard.links), and that change calls this one:
        # no request on every page load for nothing (issue 10).
        prevent_initial_call=True,
    )
    def show_step(lesson, step, _asked, answer_open):
        view = step_view(lesson, step)
        if view is None:
            return True, *[no_update] * 13, None
        if ctx.triggered_id == ids.LESSON_ANSWER_BTN:
            shown = not answer_open
            label = "Hide answer" if shown else "Show answer"
            return (*[no_update] * 8, shown, label, *[no_update] * 5)
        return (
            False,
            view["progress"],
            view["name"],
            view["title"],
            view["text"],
            view["look"],
            view["question"],
            view["answer"],
            False,
            "Show answer",
            view["back"],
            view["back_disabled"],
            view["next"],
            view["next_disabled"],
            view["target"],
        )

    @app.callback(
        Output(ids.LESSON, "data", allow_duplicate=True),
        Output(ids.LESSON_STEP, "data", allow_duplicate=True),
        Input(ids.LESSON_LEAVE, "n_clicks"),
        prevent_initial_call=True,
    )
    def leave(_n):
        """The fragment loses its lesson keys (``dashboard.links`` writes it); the state stays."""
        return None, None

    # Outline the target (assets/lessons.js keeps it outlined while figures redraw).
    app.clientside_callback(
        ClientsideFunction(namespace="lessons", function_name="highlight"),
        Output(ids.LESSON_HIGHLIGHTED, "data"),
        Input(ids.LESSON_TARGET, "data"),
    )
