"""dashboard.figures: pure functions from a model result to figure dicts (and the readout table).
Checked on real 30-day runs of the model."""

from __future__ import annotations

import json
import typing
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from plotly.io.json import to_json_plotly

from dashboard import figures
from dashboard.figures import (
    DISPLAY_POINTS,
    MOUSE_MAX_DAYS,
    ORGAN_COLOURS,
    PUBLISHED,
    Labels,
    _Columns,
    _course,
    _linear_top,
    _log_top,
    _sig,
    burden_figure,
    cascade_figure,
    hypothesis_name,
    is_mouse_run,
    organ_figure,
    readout_table,
)
from model import ORGANS, Parameters, simulate
from model.data import KAPLAN_2005_LLC_LUNG
from model.hypotheses import HYPOTHESES

FIGURES = {
    "cascade": lambda r, ref=None: cascade_figure(r, ref),
    "organ": lambda r, ref=None: organ_figure(r, ref),
    "burden": lambda r, ref=None: burden_figure(r, 20.0, ref),
}
MAX_PAYLOAD_BYTES = 300_000


def _sent(fig: dict) -> dict:
    """The figure as Dash sends it to the browser (Plotly's JSON encoder, orjson)."""
    return json.loads(to_json_plotly(fig))


def _axis(letter: str, n: int) -> str:
    """The layout key of axis ``n`` (Plotly's own: ``xaxis``, ``xaxis2``...)."""
    return f"{letter}axis{'' if n == 1 else n}"


def test_figures_use_plotly_s_own_axis_ids(default_result) -> None:
    """``x1``/``y1`` are aliases a full redraw cleans; moving the lines does not."""
    for fig in (_sent(f(default_result)) for f in FIGURES.values()):
        layout = fig["layout"]
        refs = [t.get(k) for t in fig["data"] for k in ("xaxis", "yaxis")]
        refs += [i.get(k, "") for key in ("annotations", "shapes") for i in layout.get(key, [])
                 for k in ("xref", "yref")]  # fmt: skip
        assert not [r for r in refs if r and r.split()[0] in ("x1", "y1")]
        assert not {"xaxis1", "yaxis1"} & set(layout)


def _plain_floats(values) -> bool:
    return isinstance(values, list) and all(type(v) is float for v in values)


def _near_4_digits(v: float) -> bool:
    """``v`` is a 4-significant-digit number, up to float round-off in the last bit or so."""
    return v == pytest.approx(float(f"{v:.4g}"), rel=1e-12, abs=0.0)


def _dashed_reference_traces(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["name"].endswith("(reference)")]


def _model_traces(fig: dict) -> list[dict]:
    """The traces drawn from model runs (not published data)."""
    return [t for t in fig["data"] if not t["name"].startswith(PUBLISHED)]


# --- Trace counts and reference styling -------------------------------------------------------


def test_cascade_traces(default_result, reference_result) -> None:
    alone = cascade_figure(default_result)
    assert [t["name"] for t in alone["data"]] == [
        "Primary tumor",
        "Circulating tumor cells",
        "VEGFR1+ HPCs, fold (biomarker)",
    ]
    assert all("dash" not in t["line"] for t in alone["data"])
    both = cascade_figure(default_result, reference_result)
    assert len(both["data"]) == 6
    refs = _dashed_reference_traces(both)
    assert len(refs) == 3
    assert all(t["line"]["dash"] == "dash" for t in refs)
    # The reference keeps each quantity's colour and axis.
    assert [(t["line"]["color"], t["yaxis"]) for t in refs] == [
        (t["line"]["color"], t["yaxis"]) for t in alone["data"]
    ]


def test_organ_traces(default_result, reference_result) -> None:
    alone = organ_figure(default_result)
    assert len(_model_traces(alone)) == 3 * len(ORGANS)
    assert not _dashed_reference_traces(alone)
    both = organ_figure(default_result, reference_result)
    assert len(_model_traces(both)) == 6 * len(ORGANS)
    refs = _dashed_reference_traces(both)
    assert len(refs) == 3 * len(ORGANS)
    assert all(t["line"]["dash"] == "dash" for t in refs)
    assert all("fill" not in t for t in refs)  # only the run itself is shaded


def test_organ_legend_shows_each_kind_once(default_result, reference_result) -> None:
    fig = organ_figure(default_result, reference_result)
    shown = [t["name"] for t in _model_traces(fig) if t["showlegend"]]
    assert len(shown) == len(set(shown)) == 6


def test_burden_traces(default_result, reference_result) -> None:
    alone = burden_figure(default_result, 20.0)
    assert [t["type"] for t in alone["data"]] == ["bar", "bar"]
    assert alone["layout"]["barmode"] == "stack"
    both = burden_figure(default_result, 20.0, reference_result)
    assert [t["type"] for t in both["data"]] == ["bar", "bar", "scatter"]
    assert both["data"][2]["marker"]["symbol"] == "diamond"


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIGURES)
def test_y_values_are_sent_as_plain_numbers_rounded_to_4_digits(
    name, default_result, reference_result
) -> None:
    fig = _sent(FIGURES[name](default_result, reference_result))
    for trace in fig["data"]:
        assert _plain_floats(trace["y"]), trace["name"]
        assert all(_near_4_digits(v) for v in trace["y"]), trace["name"]


def test_y_values_are_exactly_the_shortest_4_digit_floats(default_result) -> None:
    fig = cascade_figure(default_result)
    noisy = [v for t in fig["data"] for v in t["y"] if v != float(f"{v:.4g}")]
    assert noisy == []


def test_rounding_to_significant_digits_keeps_zero_sign_and_non_finite_values() -> None:
    values = [0.0, -0.000123456, 123456789.0, 1.5e-300, 9.99951, np.nan, np.inf, -np.inf]
    rounded = _sig(values)
    # Below ~1e-290 (far under a cell) the scaling stops: drawn as zero.
    assert rounded[:5].tolist() == [0.0, -0.0001235, 123500000.0, 0.0, 10.0]
    assert np.isnan(rounded[5]) and rounded[6] == np.inf and rounded[7] == -np.inf


def test_time_courses_are_sent_on_an_even_grid_without_a_days_array(default_result) -> None:
    for trace in _sent(cascade_figure(default_result))["data"]:
        assert "x" not in trace
        assert (trace["x0"], trace["dx"]) == (0.0, 0.3)  # every third of 301 points
        assert trace["x0"] + trace["dx"] * (len(trace["y"]) - 1) == pytest.approx(30.0)


def test_an_uneven_time_grid_is_sent_as_days(default_result) -> None:
    uneven = default_result.frame.drop(index=[5, 7])
    shown, x = _course(_Columns.of(uneven))
    assert set(x) == {"x"} and _plain_floats(_sent(x)["x"])
    assert x["x"][0] == 0.0 and x["x"][-1] == 30.0 and list(x["x"]) == sorted(x["x"])
    assert len(shown) <= DISPLAY_POINTS


@pytest.mark.parametrize("rows", [2, 121, 122, 301, 601, 1000])
def test_a_course_keeps_its_ends_and_at_most_display_points(rows: int) -> None:
    frame = pd.DataFrame({"day": np.linspace(0.0, 9.0, rows)})
    shown, _ = _course(_Columns.of(frame))
    assert len(shown) <= DISPLAY_POINTS
    assert shown["day"][0] == 0.0 and shown["day"][-1] == 9.0


def test_cascade_values_follow_the_run(default_result) -> None:
    frame = default_result.frame
    tumor = _sent(cascade_figure(default_result))["data"][0]
    for k in (0, 17, len(tumor["y"]) - 1):  # the drawn points are the run's, rounded
        day = tumor["x0"] + k * tumor["dx"]
        row = frame.loc[(frame["day"] - day).abs().idxmin()]
        assert row["day"] == pytest.approx(day)
        assert tumor["y"][k] == pytest.approx(row["tumor"], rel=1e-3)


# --- Colours and markers ----------------------------------------------------------------------


def test_organ_colours_match_between_organ_and_burden_figures(default_result) -> None:
    organ_fig = organ_figure(default_result)
    proliferating = [t for t in organ_fig["data"] if t["name"] == "Proliferating DTCs"]
    niche = [t for t in organ_fig["data"] if t["name"] == "Niche permissiveness"]
    expected = [ORGAN_COLOURS[o] for o in ORGANS]
    assert [t["line"]["color"] for t in proliferating] == expected
    assert [t["line"]["color"] for t in niche] == expected
    bars = burden_figure(default_result, 30.0)["data"][1]
    assert bars["marker"]["color"] == expected
    assert len(set(expected)) == len(ORGANS)


def test_organ_titles_use_the_organ_colours(default_result) -> None:
    titles = [
        a for a in organ_figure(default_result)["layout"]["annotations"] if a["xref"] == "paper"
    ]
    assert [a["font"]["color"] for a in titles] == [ORGAN_COLOURS[o] for o in ORGANS]


def _markers(fig: dict) -> dict[tuple[int, str], float]:
    """(panel number, line style) -> day, for the vertical lines in organ panels."""
    found = {}
    for shape in fig["layout"]["shapes"]:
        panel = int(shape["xref"].removeprefix("x") or 1)
        key = (panel, shape["line"]["dash"])
        assert key not in found
        found[key] = shape["x0"]
    return found


def test_onset_and_detection_markers_exactly_where_readouts_have_days(default_result) -> None:
    readouts = default_result.readouts.organs
    expected = {}
    for k, organ in enumerate(ORGANS, start=1):
        if readouts[organ].niche_onset_day is not None:
            expected[(k, "dash")] = readouts[organ].niche_onset_day
        if readouts[organ].dtc_detect_day is not None:
            expected[(k, "dot")] = readouts[organ].dtc_detect_day
    # The default LLC run has a lung niche and some organs without any: both cases are covered.
    assert (2, "dash") in expected
    assert len(expected) < 2 * len(ORGANS)
    assert _markers(organ_figure(default_result)) == expected


def test_marker_labels_name_the_day(default_result) -> None:
    lung = default_result.readouts.organs["lung"]
    texts = [a["text"] for a in organ_figure(default_result)["layout"]["annotations"]]
    assert f"niche d{lung.niche_onset_day:.1f}" in texts


# --- Burden stacks ----------------------------------------------------------------------------


@pytest.mark.parametrize("day", [10.0, 20.0, 30.0])
def test_burden_stacks_sum_to_the_organ_burden(day: float, default_result) -> None:
    row = default_result.frame.loc[default_result.frame["day"] == day].iloc[0]
    fig = burden_figure(default_result, day)
    seed, added = fig["data"][0]["y"], fig["data"][1]["y"]
    for k, organ in enumerate(ORGANS):
        total = row[f"{organ}.burden"]
        assert seed[k] + added[k] == pytest.approx(total, rel=2e-3, abs=1e-12), organ
    assert fig["data"][0]["x"] == fig["data"][1]["x"]
    assert f"day {day:g}" in fig["layout"]["title"]["text"]


def test_burden_day_is_clipped_to_the_run(default_result) -> None:
    late = burden_figure(default_result, 1000.0)
    assert _sent(late) == _sent(burden_figure(default_result, 30.0))


def test_reference_diamonds_show_the_reference_burden(default_result, reference_result) -> None:
    row = reference_result.frame.loc[reference_result.frame["day"] == 20.0].iloc[0]
    diamonds = burden_figure(default_result, 20.0, reference_result)["data"][2]["y"]
    assert diamonds == pytest.approx([row[f"{o}.burden"] for o in ORGANS], rel=1e-3)


# --- Axes and fonts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("log_y", "kind"), [(True, "log"), (False, "linear")])
def test_axis_scale_switch(log_y: bool, kind: str, default_result) -> None:
    assert cascade_figure(default_result, log_y=log_y)["layout"]["yaxis"]["type"] == kind
    assert burden_figure(default_result, 30.0, log_y=log_y)["layout"]["yaxis"]["type"] == kind
    layout = organ_figure(default_result, log_y=log_y)["layout"]
    cell_axes = [layout[_axis("y", 2 * n - 1)] for n in range(1, len(ORGANS) + 1)]
    assert all(axis["type"] == kind for axis in cell_axes)
    assert all(("range" in axis) == log_y for axis in cell_axes)  # log axes start at 0.01 cell
    niche_axes = [layout[_axis("y", 2 * n)] for n in range(1, len(ORGANS) + 1)]
    assert all(axis["range"] == [0, 1.05] for axis in niche_axes)


def test_log_cell_axis_starts_at_a_hundredth_of_a_cell(default_result) -> None:
    layout = organ_figure(default_result)["layout"]
    low, high = layout["yaxis3"]["range"]  # the lung's cell axis
    assert low == -2.0
    assert high > low


def test_axis_tops_are_round_and_hold_the_data() -> None:
    for top in (0.0, 0.5, 1.0, 9.9, 10.0, 123.0, 2.0e5, 7.7e9):
        log_top = _log_top(top)
        assert log_top * 2 == int(log_top * 2)  # a half decade
        assert 0.3 <= log_top - np.log10(max(top, 1.0)) < 0.8  # room above, not much more
        linear = _linear_top(top)
        assert top * 1.05 <= linear <= max(top * 1.05 * 1.25, 1.0)
        mantissa = linear / 10 ** np.floor(np.log10(linear))
        assert mantissa == pytest.approx(min((1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10),
                                             key=lambda n: abs(n - mantissa)))  # fmt: skip
    assert _linear_top(9.6) == 12.0 and _linear_top(3.2) == 4.0 and _linear_top(0.0) == 1.0


def test_a_small_slider_move_changes_only_lines_and_markers(default_result) -> None:
    """A slider step changes the counts a little: every axis keeps its range (all given, none
    left to Plotly's autorange), so the page redraws only the lines and the day markers
    (assets/plotly-fast.js), not the whole figure."""
    moved = simulate(default_result.params.replace(vegfr1_signalling=4.08), 30.0)
    for make in (cascade_figure, organ_figure):
        before, after = make(default_result)["layout"], make(moved)["layout"]
        for layout in (before, after):
            axes = [k for k in layout if k[1:5] == "axis"]
            assert axes and all("range" in layout[k] for k in axes), make.__name__
        assert {k: v for k, v in before.items() if k not in ("annotations", "shapes")} == {
            k: v for k, v in after.items() if k not in ("annotations", "shapes")
        }, make.__name__
        assert _sent(make(default_result))["data"] != _sent(make(moved))["data"]


@pytest.mark.parametrize("size", [13, 18, 15])
def test_margins_hold_the_labels_and_a_legend_row_at_each_font_size(size, default_result) -> None:
    """At the page's two font sizes the figures give the room their labels and legend take
    (figures.ROOM: then plotly.js draws each once; the browser test
    test_a_page_load_draws_each_figure_once checks the sizes); bigger type, more room. At a
    size not measured, plotly.js's own margins (it grows them as it draws)."""
    margins = {
        make.__name__: make(default_result, font_size=size)["layout"]["margin"]
        for make in (cascade_figure, organ_figure)
    }
    margins["burden_figure"] = burden_figure(default_result, 30.0, font_size=size)["layout"][
        "margin"
    ]
    room = figures.ROOM.get(size)
    if room is None:
        assert all((m["l"], m["r"], m["b"]) == (60, 60, 50) for m in margins.values()), margins
        return
    cascade, organ, burden = margins.values()
    assert cascade == {"l": room.y_axis, "r": room.y2_title, "t": 72,
                       "b": room.x_axis + room.legend_row + 1}  # fmt: skip
    assert organ["t"] == 100 + 2 * size and organ["r"] == max(60, room.y2_labels)
    assert burden["b"] == room.x_labels + room.legend_row + 1 < cascade["b"]  # no x title
    assert all(m["l"] >= 60 and m["r"] >= 60 for m in margins.values())
    if size > 13:
        normal = figures.ROOM[13]
        assert all(getattr(room, side) > getattr(normal, side) for side in room._fields)


@pytest.mark.parametrize("size", [13, 18])
def test_font_size_is_applied(size: int, default_result) -> None:
    for fig in (
        cascade_figure(default_result, font_size=size),
        organ_figure(default_result, font_size=size),
        burden_figure(default_result, 30.0, font_size=size),
    ):
        assert fig["layout"]["font"]["size"] == size
    titles = [
        a["font"]["size"]
        for a in organ_figure(default_result, font_size=size)["layout"]["annotations"]
        if a["xref"] == "paper"
    ]
    assert titles == [size + 1] * len(ORGANS)


# --- Serialisation and size -------------------------------------------------------------------


@pytest.mark.parametrize("name", FIGURES)
def test_figures_are_json_serialisable(name, default_result, reference_result) -> None:
    fig = FIGURES[name](default_result, reference_result)
    sent = _sent(fig)
    assert json.loads(json.dumps(sent, allow_nan=False)) == sent  # strict JSON
    for trace, arrived in zip(fig["data"], sent["data"], strict=True):
        # Float arrays go to orjson whole (fast) and arrive as the same numbers.
        y = trace["y"]
        assert not isinstance(y, np.ndarray) or y.dtype == float
        assert [float("nan") if v is None else v for v in arrived["y"]] == pytest.approx(
            np.asarray(y, dtype=float).tolist(), nan_ok=True
        )
    # The model's time courses are arrays (a few published data points may be lists).
    assert sum(isinstance(t["y"], np.ndarray) for t in fig["data"]) > len(fig["data"]) / 2


def test_default_payload_is_under_300_kb(default_result) -> None:
    figs = [FIGURES[name](default_result) for name in FIGURES]
    size = sum(len(to_json_plotly(f).encode()) for f in figs)
    assert size < MAX_PAYLOAD_BYTES


# --- Readout table ----------------------------------------------------------------------------


class _TableText(HTMLParser):
    """The text of each body row's cells in a readout table's HTML, and their classes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.classes: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("th", "td"):
            self.rows[-1].append("")
            self.classes.append(dict(attrs).get("class") or "")

    def handle_data(self, data: str) -> None:
        if self._in_body and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def _cells(table) -> list[list[str]]:
    parser = _TableText()
    parser.feed(table.table)
    return parser.rows


def test_readout_table_has_a_row_per_organ(default_result) -> None:
    table = readout_table(default_result)
    rows = _cells(table)
    assert len(rows) == len(ORGANS)
    lung = default_result.readouts.organs["lung"]
    lung_row = rows[ORGANS.index("lung")]
    assert lung_row[0] == "Lung"
    assert lung_row[1] == f"{lung.niche_onset_day:.1f}"
    brain = default_result.readouts.organs["brain"]
    if brain.niche_onset_day is None:
        assert rows[ORGANS.index("brain")][1] == "—"
    assert "(ref" not in " ".join(sum(rows, []))


def test_readout_table_shows_reference_burden(default_result, reference_result) -> None:
    rows = _cells(readout_table(default_result, reference_result))
    assert all("(ref " in row[4] for row in rows)


def test_readout_summary_names_the_biomarker_peak(default_result) -> None:
    summary = readout_table(default_result).summary
    ro = default_result.readouts
    assert f"peak {ro.biomarker_peak_fold_change:.2f}-fold" in summary


def test_readout_table_is_json_serialisable(default_result, reference_result) -> None:
    assert "Lung" in to_json_plotly(readout_table(default_result, reference_result))


def test_readout_table_escapes_what_it_shows(default_result) -> None:
    labels = Labels("<b>run</b>", "<script>alert(1)</script>")
    text = readout_table(default_result, default_result, labels=labels).html()
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and "&lt;b&gt;run&lt;/b&gt;" in text


def test_each_organ_row_has_its_colour_swatch(default_result, repo_root) -> None:
    parser = _TableText()
    parser.feed(readout_table(default_result).table)
    row_classes = [c for c in parser.classes if c.startswith("organ ")]
    assert row_classes == [f"organ organ-{o}" for o in ORGANS]
    css = (repo_root / "assets" / "style.css").read_text()
    for organ, colour in ORGAN_COLOURS.items():
        assert f".readout-table .organ-{organ} {{ --organ-colour: {colour}; }}" in css


def test_cascade_marks_the_treatment_window_and_the_resection() -> None:
    treated = simulate(
        Parameters(anti_vegfr1_efficacy=0.9, anti_vegfr1_start_day=5, resection_day=20), 30
    )
    fig = cascade_figure(treated)
    shapes = {s["type"]: s for s in fig["layout"]["shapes"] if s["yref"] == "paper"}
    assert (shapes["rect"]["x0"], shapes["rect"]["x1"]) == (5.0, 30.0)  # window clipped to run
    assert shapes["line"]["x0"] == shapes["line"]["x1"] == 20.0
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert labels == ["anti-VEGFR1", "resection"]


def test_untreated_cascade_has_no_treatment_marks(default_result) -> None:
    fig = cascade_figure(default_result)
    assert [s["yref"] for s in fig["layout"]["shapes"]] == ["y2"]  # only the biomarker alarm line
    assert fig["layout"]["annotations"] == []
    assert fig["layout"]["yaxis"]["range"][0] == -2.0  # log axis starts at 0.01 cells


def test_organ_panels_in_two_columns_for_presentation(default_result) -> None:
    """Presentation mode: larger type in 2 columns x 3 rows; every panel's day axis is the run,
    not widened by a marker label near its end; the niche axis reads 0, 0.5, 1."""
    screen = organ_figure(default_result)
    large = organ_figure(default_result, font_size=18, columns=2)
    assert large["layout"]["height"] == 3 * screen["layout"]["height"] / 2
    domains = {tuple(large["layout"][_axis("x", n)]["domain"]) for n in range(1, 7)}
    assert len(domains) == 2  # two columns
    for fig in (screen, large):
        for n in range(1, len(ORGANS) + 1):
            assert fig["layout"][_axis("x", n)]["range"] == [0.0, default_result.days]
            assert fig["layout"][_axis("y", 2 * n)]["tickvals"] == [0, 0.5, 1]


# --- Hypotheses: subtitles, legends and table name them ------------------------------------------

COMPARED = Labels("Kaplan-Lyden", "Dawson")


def test_hypothesis_names() -> None:
    assert [hypothesis_name(h.apply(Parameters())) for h in HYPOTHESES.values()] == [
        "Kaplan-Lyden", "Dawson", "Paget", "Ewing",
    ]  # fmt: skip
    assert hypothesis_name(Parameters(organ_soil=0.4)) == "custom mix"


@pytest.mark.parametrize("name", FIGURES)
def test_every_subtitle_names_the_hypothesis(name, default_result, reference_result) -> None:
    """So that an exported figure says which hypothesis it shows."""
    alone = FIGURES[name](default_result)["layout"]["title"]["subtitle"]["text"]
    assert alone == "Hypothesis: Kaplan-Lyden"
    pinned = FIGURES[name](default_result, reference_result)["layout"]["title"]
    assert pinned["subtitle"]["text"] == (
        "Hypothesis: Kaplan-Lyden; dashed: reference (Kaplan-Lyden)"
    )


def test_compared_hypotheses_name_both_runs(reference_result, dawson_reference) -> None:
    figs = [
        cascade_figure(reference_result, dawson_reference, labels=COMPARED),
        organ_figure(reference_result, dawson_reference, labels=COMPARED),
        burden_figure(reference_result, 30.0, dawson_reference, labels=COMPARED),
    ]
    for fig in figs:
        assert (
            fig["layout"]["title"]["subtitle"]["text"] == "Kaplan-Lyden (solid) vs Dawson (dashed)"
        )
        names = [t["name"] for t in _model_traces(fig)]
        assert not [n for n in names if "reference" in n.lower()]
        assert any(n.endswith("(Kaplan-Lyden)") for n in names)
        assert any(n.endswith("(Dawson)") or n == "Dawson total" for n in names)
    dashed = [t for t in figs[0]["data"] if t["name"].endswith("(Dawson)")]
    assert len(dashed) == 3 and all(t["line"]["dash"] == "dash" for t in dashed)


def test_readout_table_names_both_hypotheses(reference_result, dawson_reference) -> None:
    table = readout_table(reference_result, dawson_reference, labels=COMPARED)
    caption = table.caption
    assert caption.startswith("Kaplan-Lyden; in brackets: the same experiment under Dawson")
    lung = _cells(table)[ORGANS.index("lung")]
    ours, theirs = lung[4].removesuffix(")").split(" (Dawson ")
    assert float(theirs) > 1000 * float(ours)  # the niche survives anti-VEGFR1 under Dawson
    assert "(Dawson " in lung[6]  # the probability column too


def test_readout_caption_without_reference(default_result) -> None:
    assert readout_table(default_result).caption == "Hypothesis: Kaplan-Lyden."


# --- Published LLC time course on the lung panel -----------------------------------------------


def _published(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["name"].startswith(PUBLISHED)]


def test_mouse_runs_are_those_of_at_most_60_days(default_result, breast_result) -> None:
    assert MOUSE_MAX_DAYS == 60.0
    assert is_mouse_run(default_result) and not is_mouse_run(breast_result)


def test_the_lung_panel_of_a_mouse_run_shows_kaplans_time_course(default_result) -> None:
    (course,) = _published(organ_figure(default_result))
    lung = ORGANS.index("lung") + 1
    assert (course["xaxis"], course["yaxis"]) == (f"x{lung}", f"y{2 * lung}")  # niche axis
    points = KAPLAN_2005_LLC_LUNG.points
    assert course["x"] == [5.0, 13.0, 18.0, 23.0]
    assert course["error_x"]["array"] == [2.0, 1.0, 0.0, 0.0]  # days 3-7 and 12-14
    assert course["text"] == [p.label for p in points]
    assert all("Kaplan et al., Nature 2005" in h and "[M" in h for h in course["hovertext"])
    assert course["marker"]["symbol"] == "diamond-open"
    assert all(0 < y < 1 for y in course["y"])


def test_no_mouse_time_course_on_a_long_run(breast_result) -> None:
    assert _published(organ_figure(breast_result)) == []


def test_a_right_axis_names_a_measured_room() -> None:
    assert set(typing.get_args(figures.RightAxis)) <= set(figures._Room._fields)
