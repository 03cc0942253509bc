"""The page fits a 1024 x 768 projector (with and without presentation mode) and a 390 x 844
phone, as issue 10 measured them: the readout table was 1293 px wide in a 659 px column, the
cascade title was clipped, the Plotly toolbar sat over the titles, the controls could not be
hidden and scrolled away, and the scenario card's title was smaller than its text."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.test_a11y import set_viewport, switch_presentation_on
from tests.chromium import open_page

pytestmark = pytest.mark.browser

PROJECTOR, PHONE, DESKTOP = (1024, 768), (390, 844), (1400, 900)
#: Elements reaching past the viewport's right edge (tag#id.class), at most five.
OVERFLOWING = """
var width = document.documentElement.clientWidth, out = [];
document.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !e.closest(".table-responsive")) {
        out.push(e.tagName + "#" + e.id + "." + String(e.className).slice(0, 40));
    }
});
return out.slice(0, 5);
"""
#: Per visible figure: [id, title width, figure width, toolbar bottom, title top] (px).
FIGURE_TITLES = """
return [...document.querySelectorAll(".dash-graph")].filter(g => g.offsetParent).map(g => {
    var title = g.querySelector(".gtitle"), svg = g.querySelector("svg.main-svg");
    var bar = g.querySelector(".modebar-container");
    if (!title || !svg) return null;
    return [g.id, title.getBBox().width, svg.clientWidth,
            bar ? bar.getBoundingClientRect().bottom : 0, title.getBoundingClientRect().top];
}).filter(Boolean);
"""
#: Per visible figure, its axis titles that reach outside it: [id, title text, how far, px].
AXIS_TITLES_OUTSIDE = """
return [...document.querySelectorAll(".dash-graph")].filter(g => g.offsetParent).flatMap(g => {
    var svg = g.querySelector("svg.main-svg");
    if (!svg) return [];
    var box = svg.getBoundingClientRect();
    return [...g.querySelectorAll(".xtitle, .ytitle, [class*='y2title']")].map(t => {
        var r = t.getBoundingClientRect();
        var out = Math.max(box.top - r.top, r.bottom - box.bottom, box.left - r.left,
                           r.right - box.right);
        return [g.id, t.textContent, Math.round(out)];
    }).filter(([, , out]) => out > 1);
});
"""
#: Whether two boxes (getBoundingClientRect) overlap by more than a pixel each way; the scripts
#: below start with it.
_OVERLAP = """
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
"""
#: Per visible figure, what its legend covers: x axis titles, tick labels, annotations, data
#: labels (the schematic's boxes) ([id, text] each, boxes overlapping by more than a pixel each
#: way).
UNDER_THE_LEGEND = (
    _OVERLAP
    + """
return [...document.querySelectorAll(".dash-graph")].filter(g => g.offsetParent).flatMap(g => {
    const legend = g.querySelector(".legend");
    if (!legend) return [];
    const box = legend.getBoundingClientRect();
    return [...g.querySelectorAll(".g-xtitle text, .xtick text, .annotation, .textpoint text")]
        .filter(t => t.textContent.trim() && overlap(box, t.getBoundingClientRect()))
        .map(t => [g.id, t.textContent]);
});
"""
)
#: The organ figure's panel columns, and its texts that overlap: a note (the panels' names,
#: the niche and DTC day labels) or a data label (Kaplan 2005's lung time course) over another
#: text or over an axis's numbers ([text, text] each); null until it is drawn.
ORGAN_LABELS_OVERLAPPING = (
    _OVERLAP
    + """
const gd = document.querySelector('#organ-graph .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd.querySelector('.annotation')) return null;
const columns = new Set(Object.keys(gd._fullLayout).filter(k => /^xaxis\\d*$/.test(k))
    .map(k => gd._fullLayout[k].domain[0])).size;
const texts = [...gd.querySelectorAll('.annotation, .textpoint text, .xtick text, .ytick text,'
    + ' [class^="y"][class$="tick"] text')].filter(t => t.textContent.trim())
    .map(t => [t.textContent.trim(), t.getBoundingClientRect(),
               !!t.closest('.annotation, .textpoint')]);
const found = [];
texts.forEach(([a, ra, labelA], i) => texts.slice(i + 1).forEach(([b, rb, labelB]) => {
    if ((labelA || labelB) && overlap(ra, rb)) found.push([a, b]);
}));
return [columns, found];
"""
)
#: Per visible figure, the tick labels of one axis that run into each other ([id, text,
#: text] each): Plotly spaces ticks by the axis's length, not by the labels' size.
TICK_LABELS_RUNNING_TOGETHER = (
    _OVERLAP
    + """
return [...document.querySelectorAll(".dash-graph")].filter(g => g.offsetParent).flatMap(g => {
    const axes = {};
    g.querySelectorAll("[class$='tick'] > text").forEach(t => {
        // Rotated labels are skipped: their boxes overlap where their letters do not.
        if (!t.textContent.trim() || /rotate\\((?!0[ ,)])/.test(t.getAttribute("transform"))) {
            return;
        }
        const axis = t.closest(".subplot").getAttribute("class") + " "
            + t.parentNode.getAttribute("class");
        (axes[axis] = axes[axis] || []).push(t);
    });
    return Object.values(axes).flatMap(labels => labels.flatMap((a, i) => labels.slice(i + 1)
        .filter(b => overlap(a.getBoundingClientRect(), b.getBoundingClientRect()))
        .map(b => [g.id, a.textContent, b.textContent])));
});
"""
)
#: Per visible figure, its notes (a therapy's label...) over its title or subtitle.
NOTES_OVER_TITLES = (
    _OVERLAP
    + """
return [...document.querySelectorAll(".dash-graph")].filter(g => g.offsetParent).flatMap(g => {
    const titles = [...g.querySelectorAll(".gtitle, .gtitle-subtitle")];
    return [...g.querySelectorAll(".annotation")].flatMap(a => titles
        .filter(t => overlap(a.getBoundingClientRect(), t.getBoundingClientRect()))
        .map(t => [g.id, a.textContent, t.textContent]));
});
"""
)
#: The schematic is drawn: its boxes' texts are on the page.
SCHEMATIC_BOXES_DRAWN = (
    "return document.querySelectorAll('#schematic-graph .textpoint text').length > 5;"
)
#: [readout table width, its column's width] (px).
TABLE_WIDTHS = (
    "var t = document.getElementById('readout-table-inner');"
    "return [t.scrollWidth, t.closest('#readouts').clientWidth];"
)
#: Font sizes (px) of the scenario card's title and of its first paragraph.
CARD_FONTS = (
    "return ['#scenario-text h2', '#scenario-text p'].map(s =>"
    " parseFloat(getComputedStyle(document.querySelector(s)).fontSize));"
)
#: [top, bottom] of the controls' aside in the window (px).
ASIDE_EDGES = (
    "var r = document.querySelector('#controls-column aside').getBoundingClientRect();"
    "return [r.top, r.bottom];"
)
#: The page's full height and the workspace's bottom edge, both from the page's top.
PAGE_AND_WORKSPACE_BOTTOM = (
    "return [document.documentElement.scrollHeight,"
    " document.getElementById('workspace').getBoundingClientRect().bottom + window.scrollY];"
)
#: The controls panel's [content height, visible height, overflow-y].
PANEL_SCROLL = (
    "var p = document.querySelector('.controls-panel');"
    "return [p.scrollHeight, p.clientHeight, getComputedStyle(p).overflowY];"
)
PAGE_WIDTHS = "var d = document.documentElement; return [d.scrollWidth, d.clientWidth];"
ACTIVE_TAB = "return document.querySelector('#tabs .nav-link.active').textContent.trim();"
CONTROLS_SHOWN = (
    "var c = document.getElementById('controls-column');"
    "return !!c && getComputedStyle(c).display !== 'none';"
)


def _open(dash_duo, app, free_port, size: tuple[int, int], presentation: bool = False) -> None:
    set_viewport(dash_duo.driver, *size)
    open_page(dash_duo, app, free_port)
    if presentation:
        switch_presentation_on(dash_duo)
    until(lambda: len(dash_duo.driver.execute_script(FIGURE_TITLES)) >= 3, timeout=30)


def _js(dash_duo, script: str, *args):
    return dash_duo.driver.execute_script(script, *args)


def _nothing_wider_than_the_viewport(dash_duo) -> None:
    page = _js(dash_duo, PAGE_WIDTHS)
    wide = _js(dash_duo, OVERFLOWING)
    assert page[0] <= page[1], f"page {page[0]} px wide in {page[1]} px: {wide}"


def _open_tab(dash_duo, tab: str) -> None:
    link = dash_duo.driver.find_element(By.XPATH, f"//a[normalize-space()='{tab}']")
    _js(dash_duo, "window.scrollTo(0, 0); arguments[0].click();", link)
    until(lambda: _js(dash_duo, ACTIVE_TAB) == tab, timeout=10)


def _every_tab_fits(dash_duo) -> None:
    """Every tab fits the window, once its figures have taken their width: the Sensitivity tab
    scrolled sideways at 1024x768 (a dropdown's invisible focus field reached past the window),
    the Schematic tab by a pixel at 1400x900 (its day scrubber's last label), which showed a
    scrollbar all the same. Ends on the Explore tab."""
    for tab in ("Sweep", "Sensitivity", "Schematic", "Explore"):
        _open_tab(dash_duo, tab)
        until(lambda: _js(dash_duo, PAGE_WIDTHS)[0] <= _js(dash_duo, PAGE_WIDTHS)[1], timeout=10)


def _figure_titles_fit_below_the_toolbar(dash_duo) -> None:
    for graph, title, width, toolbar_bottom, title_top in _js(dash_duo, FIGURE_TITLES):
        assert title <= width, f"{graph}: title {title:.0f} px wide in a {width} px figure"
        assert toolbar_bottom <= title_top, f"{graph}: the Plotly toolbar covers the title"
    # No axis title is cut off at the figure's edge (the cascade's biomarker axis was, at
    # 1024x768 in presentation mode).
    assert _js(dash_duo, AXIS_TITLES_OUTSIDE) == []
    # No legend covers an axis title, tick label or note (the cascade's "day" sat in its
    # legend's first row at 1024x768, with and without presentation mode).
    assert _js(dash_duo, UNDER_THE_LEGEND) == []


def _schematic_legend_covers_nothing(dash_duo) -> None:
    """On the Schematic tab the legend covers none of the boxes (at 1024 px wide its second row
    covered the last organ's), then back to Explore."""
    _open_tab(dash_duo, "Schematic")
    until(lambda: _js(dash_duo, SCHEMATIC_BOXES_DRAWN), timeout=30)
    assert _js(dash_duo, UNDER_THE_LEGEND) == []
    _open_tab(dash_duo, "Explore")


def _press_on_toggle(dash_duo, key: str) -> None:
    """Tab from the top of the page to "Hide/Show controls", then press ``key``."""
    _js(dash_duo, "document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(8):
        ActionChains(dash_duo.driver).send_keys(Keys.TAB).perform()
        if _js(dash_duo, "return document.activeElement.id;") == "controls-toggle":
            break
    assert _js(dash_duo, "return document.activeElement.id;") == "controls-toggle"
    ActionChains(dash_duo.driver).send_keys(key).perform()


def test_a_desktop_window_fits_every_tab(dash_duo, app, free_port) -> None:
    _open(dash_duo, app, free_port, DESKTOP)
    _nothing_wider_than_the_viewport(dash_duo)
    _every_tab_fits(dash_duo)
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_a_projector_shows_everything_and_the_controls_fold_away(
    dash_duo, app, free_port, presentation
) -> None:
    _open(dash_duo, app, free_port, PROJECTOR, presentation)
    _nothing_wider_than_the_viewport(dash_duo)
    # Nothing inside the scrolling controls stretches the page below the workspace (hidden
    # labels placed by the sticky aside once added ~2,600 px of empty page).
    page, workspace = _js(dash_duo, PAGE_AND_WORKSPACE_BOTTOM)
    assert page <= workspace + 50, f"page {page} px tall, workspace ends at {workspace} px"
    table = _js(dash_duo, TABLE_WIDTHS)
    assert table[0] <= table[1], f"readout table {table[0]} px wide in a {table[1]} px column"
    _figure_titles_fit_below_the_toolbar(dash_duo)
    _every_tab_fits(dash_duo)
    _schematic_legend_covers_nothing(dash_duo)
    # The scenario card's title is not smaller than its text.
    title, text = _js(dash_duo, CARD_FONTS)
    assert title >= text
    if presentation:  # Bootstrap's rem sizes (buttons, boxes) grow with the text
        root = _js(dash_duo, "return parseFloat(getComputedStyle(document.documentElement)"
                             ".fontSize);")  # fmt: skip
        assert root > 16

    # The controls stay in view while the figures scroll, and scroll on their own: their end
    # is never below the window's, at the top of the page or further down.
    aside = _js(dash_duo, ASIDE_EDGES)
    assert aside[1] <= PROJECTOR[1], f"controls end at {aside[1]:.0f} px, below the window"
    _js(dash_duo, "window.scrollTo(0, document.body.scrollHeight);")
    until(lambda: _js(dash_duo, "return window.scrollY;") > 300, timeout=5)
    until(lambda: 0 <= _js(dash_duo, ASIDE_EDGES)[0] < 50, timeout=5)
    assert _js(dash_duo, ASIDE_EDGES)[1] <= PROJECTOR[1]
    panel = _js(dash_duo, PANEL_SCROLL)
    assert panel[0] > panel[1] and panel[2] == "auto"

    # Hidden by keyboard: the figures take the full width; shown again.
    assert _js(dash_duo, CONTROLS_SHOWN)
    narrow = _js(dash_duo, "return document.getElementById('figures').clientWidth;")
    _press_on_toggle(dash_duo, Keys.ENTER)
    until(lambda: not _js(dash_duo, CONTROLS_SHOWN), timeout=5)
    toggle = dash_duo.find_element("#controls-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and toggle.text == "Show controls"
    wide = _js(dash_duo, "return document.getElementById('figures').clientWidth;")
    assert wide > narrow + 250
    until(lambda: _js(dash_duo, "return document.querySelector('#cascade-graph svg.main-svg')"
                                ".clientWidth;") > narrow, timeout=10)  # fmt: skip
    _nothing_wider_than_the_viewport(dash_duo)
    ActionChains(dash_duo.driver).send_keys(Keys.SPACE).perform()  # still on the button
    until(lambda: _js(dash_duo, CONTROLS_SHOWN), timeout=5)
    assert toggle.get_attribute("aria-expanded") == "true" and toggle.text == "Hide controls"
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(
    ("scenario", "presentation"),
    [
        ("kaplan2005-llc", True),
        ("conditioned-medium-redirect", False),
        ("breast-t1n0", False),
        ("breast-t1n0", True),
    ],
    ids=["llc-presentation", "redirect", "breast", "breast-presentation"],
)
def test_labels_and_numbers_overlap_nothing_on_a_projector(
    dash_duo, app, free_port, scenario, presentation
) -> None:
    """The organ figure's niche and DTC day labels stay inside their panel, clear of the
    published lung time course's labels. They overlapped in every scenario at these sizes:
    "DTCs d17.6" over "micrometastases", a late DTC day over the next panel's numbers, the
    breast runs' niche days over the numbers of the axis left of them, "fibronectin" over the
    lung's axis. No axis's numbers run into each other either: the organ panels' days on the
    breast runs (2000 4000 6000 8000), the burden chart's log axis over 1-3 decades (every
    digit labelled), the risk figure's short hazard axis."""
    set_viewport(dash_duo.driver, *PROJECTOR)
    open_page(dash_duo, app, free_port, f"/?scenario={scenario}")
    if presentation:
        switch_presentation_on(dash_duo)
    columns = 2 if presentation else 3
    until(lambda: (_js(dash_duo, ORGAN_LABELS_OVERLAPPING) or [0])[0] == columns, timeout=30)
    assert _js(dash_duo, ORGAN_LABELS_OVERLAPPING)[1] == []
    if scenario.startswith("breast"):  # its risk figure is drawn after the others
        until(lambda: _js(dash_duo, "return !!document.querySelector('#risk-graph .ytick');"),
              timeout=30)  # fmt: skip
    assert _js(dash_duo, TICK_LABELS_RUNNING_TOGETHER) == []
    assert _js(dash_duo, NOTES_OVER_TITLES) == []  # the cascade's "resection" touched it
    assert dash_duo.get_logs() == []


def test_a_phone_shows_the_figures_first_and_fits_its_width(dash_duo, app, free_port) -> None:
    _open(dash_duo, app, free_port, PHONE)
    assert not _js(dash_duo, CONTROLS_SHOWN)  # folded away: the figures come first
    assert dash_duo.find_element("#controls-toggle").text == "Show controls"
    _nothing_wider_than_the_viewport(dash_duo)
    _figure_titles_fit_below_the_toolbar(dash_duo)
    # The table scrolls sideways inside its region (reachable by Tab), organ names in view.
    region = _js(dash_duo, "var r = document.getElementById('readouts');"
                           "return [r.getBoundingClientRect().right, r.tabIndex,"
                           " r.getAttribute('role'), getComputedStyle(r).overflowX];")  # fmt: skip
    assert region[0] <= PHONE[0] and region[1] == 0 and region[2] == "region"
    assert region[3] == "auto"
    organ = _js(dash_duo, "return getComputedStyle(document.querySelector("
                          "'#readout-table-inner th[scope=row]')).position;")  # fmt: skip
    assert organ == "sticky"

    _press_on_toggle(dash_duo, Keys.ENTER)
    until(lambda: _js(dash_duo, CONTROLS_SHOWN), timeout=5)
    _nothing_wider_than_the_viewport(dash_duo)
    _every_tab_fits(dash_duo)
    assert dash_duo.get_logs() == []
