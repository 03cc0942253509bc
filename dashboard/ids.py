"""Every component id of the page, declared once: modules use these names, never the strings.

The strings themselves are part of the page's interface: shared links carry some of them as
#fragment keys (``dashboard.links``), and the browser tests, ``assets/*.js`` and
``assets/style.css`` select elements by them. So a value here never changes without those.

assets/*.js and assets/style.css also use, as literals: ``controls-column``, ``controls-toggle``,
``workspace`` (controls-toggle.js), ``skip-to-figures``, ``tabs``, ``figures`` (keyboard.js),
``lesson-bar``, ``lesson-back``, ``lesson-next``, ``lesson-show`` (lessons.js, which also
outlines whatever id the ``lesson-target`` store names), ``figures``, ``readouts`` (style.css).
Some elements also carry their id as a CSS class (``app-root``, ``workspace``, ...): those class
names stay literal.
"""

from __future__ import annotations

# Page and state: the URL, the stores every tab reads, the page frame and its header.
APP_ROOT = "app-root"
URL = "url"
STATE = "state"
FIRST_DRAWN = "first-drawn"  # whether the layout came with the Explore tab drawn for STATE
REFERENCE = "reference"
SKIP_TO_FIGURES = "skip-to-figures"
CONTROLS_TOGGLE = "controls-toggle"
PRESENTATION = "presentation"
ABOUT_BTN = "about-btn"
ABOUT = "about"
WORKSPACE = "workspace"
FIGURES = "figures"
TABS = "tabs"
MESSAGE = "message"

# The controls column: scenario, hypothesis, reference, run length and axes, files.
CONTROLS_COLUMN = "controls-column"
SCENARIO = "scenario"
SCENARIO_TEXT = "scenario-text"
SCENARIO_CHANGED = "scenario-changed"  # the card's note that its settings were changed
HYPOTHESIS = "hypothesis"
HYPOTHESIS_TEXT = "hypothesis-text"
RESET_ALL = "reset-all"
PIN = "pin"
UNPIN = "unpin"
COMPARE_HYPOTHESIS = "compare-hypothesis"
REFERENCE_LABEL = "reference-label"
DAYS = "days"
AXIS_SCALE = "axis-scale"
SHARE_LINK = "share-link"
UPLOAD = "upload"
EXPORT_FORMAT = "export-format"
DOWNLOAD_PARAMS = "download-params"
DOWNLOAD_PARAMS_BTN = "download-params-btn"
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_CSV_BTN = "download-csv-btn"
DOWNLOAD_SBML = "download-sbml"
DOWNLOAD_SBML_BTN = "download-sbml-btn"

# Parameter controls (dashboard.controls): the prefixes of each parameter's slider and number
# box (``control_id``) and of its wrapper, ``control-<parameter>``; the pattern-matching type
# of the group reset buttons, ``{"type": RESET_GROUP, "group": <group>}``. A download button is
# its ``dcc.Download``'s id + BUTTON_SUFFIX.
SLIDER = "param-slider"
INPUT = "param-input"
RESET_GROUP = "reset-group"
CONTROL_PREFIX = "control-"
BUTTON_SUFFIX = "-btn"

# Explore tab: figures and readouts.
CASCADE_GRAPH = "cascade-graph"
ORGAN_GRAPH = "organ-graph"
BURDEN_DAY = "burden-day"
BURDEN_GRAPH = "burden-graph"
RISK_SECTION = "risk-section"
RISK_GRAPH = "risk-graph"
ORGAN_RISK_GRAPH = "organ-risk-graph"
READOUTS = "readouts"
READOUTS_TEXT = "readouts-text"

# Sweep tab (the job ids are ``<SWEEP_PREFIX>-run`` etc.: see dashboard.results).
SWEEP_PREFIX = "sweep"
SWEEP_MODE = "sweep-mode"
SWEEP_X_BOX = "sweep-x-box"
SWEEP_X = "sweep-x"
SWEEP_X_FROM = "sweep-x-from"
SWEEP_X_TO = "sweep-x-to"
SWEEP_X_N = "sweep-x-n"
SWEEP_Y_BOX = "sweep-y-box"
SWEEP_Y = "sweep-y"
SWEEP_Y_FROM = "sweep-y-from"
SWEEP_Y_TO = "sweep-y-to"
SWEEP_Y_N = "sweep-y-n"
SWEEP_OUTCOME = "sweep-outcome"
SWEEP_RUN = "sweep-run"
SWEEP_CANCEL = "sweep-cancel"
SWEEP_PROGRESS = "sweep-progress"
SWEEP_MESSAGE = "sweep-message"
SWEEP_GRAPH = "sweep-graph"
SWEEP_RESULT = "sweep-result"
DOWNLOAD_SWEEP = "download-sweep"
DOWNLOAD_SWEEP_BTN = "download-sweep-btn"

# Sensitivity tab (job ids from SENS_PREFIX, as for the sweep).
SENS_PREFIX = "sens"
SENS_PARAMS = "sens-params"
SENS_OUTCOME = "sens-outcome"
SENS_N = "sens-n"
SENS_SCALE = "sens-scale"
SENS_RUN = "sens-run"
SENS_CANCEL = "sens-cancel"
SENS_PROGRESS = "sens-progress"
SENS_MESSAGE = "sens-message"
SENS_GRAPH = "sens-graph"
SENS_RESULT = "sens-result"
DOWNLOAD_SENS = "download-sens"
DOWNLOAD_SENS_BTN = "download-sens-btn"

# Schematic tab.
SCHEMATIC_PLAY = "schematic-play"
SCHEMATIC_DAY = "schematic-day"
SCHEMATIC_TIMER = "schematic-timer"
SCHEMATIC_GRAPH = "schematic-graph"
SCHEMATIC_DATA = "schematic-data"
SCHEMATIC_SHOWN = "schematic-shown"  # the drawn run's key and days: small, sent back instead
SCHEMATIC_REQUEST = "schematic-request"  # the state and font, written while the tab is open

# Lessons (dashboard.lessons): the menu, the stores and the lesson bar.
LESSONS_MENU = "lessons-menu"
LESSON = "lesson"
LESSON_STEP = "lesson-step"
LESSON_TARGET = "lesson-target"
LESSON_HIGHLIGHTED = "lesson-highlighted"
LESSON_BAR = "lesson-bar"
LESSON_PROGRESS = "lesson-progress"
LESSON_NAME = "lesson-name"
LESSON_TITLE = "lesson-title"
LESSON_TEXT = "lesson-text"
LESSON_LOOK = "lesson-look"
LESSON_SHOW = "lesson-show"
LESSON_QUESTION = "lesson-question"
LESSON_ANSWER_BTN = "lesson-answer-btn"
LESSON_ANSWER = "lesson-answer"
LESSON_ANSWER_TEXT = "lesson-answer-text"
LESSON_BACK = "lesson-back"
LESSON_NEXT = "lesson-next"
LESSON_LEAVE = "lesson-leave"

# Links (dashboard.links): the message when a link's #fragment is refused.
LINK_MESSAGE = "link-message"

#: Parts of ids, not ids: pattern-matching types, prefixes and suffixes.
PARTS = frozenset(
    {SLIDER, INPUT, RESET_GROUP, CONTROL_PREFIX, BUTTON_SUFFIX, SWEEP_PREFIX, SENS_PREFIX}
)


def control_id(kind: str, name: str) -> str:
    """The id of parameter ``name``'s slider (``kind`` SLIDER) or number box (INPUT):
    ``param-slider-tropism--lung``. Plain ids, not pattern-matching ones: Dash's renderer looks
    a plain id up, and searched the list of all ~110 ``{"type", "name"}`` ids for each of a
    callback's ~110 outputs, three times per slider move (issue 10). Dash ids take no dots."""
    return f"{kind}-{name.replace('.', '--')}"
