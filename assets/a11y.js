/* Accessible names and roles that Dash 4 and dash-bootstrap-components 2.0 leave out
 * (axe-core rules in brackets; tests/browser/test_a11y.py runs axe on every tab).
 *
 * 1. Slider handles get a name [aria-input-field-name]: dcc.Slider takes no ARIA props. The name
 *    comes from the nearest data-thumb-label (dashboard/controls.py), the wrapping <label>'s
 *    text or the aria-label of the element around the slider; a log10 slider
 *    (data-log-scale="true") also reads out its value, not the logarithm.
 * 2. A dcc.Dropdown is reached by Tab through a hidden, aria-hidden input that hands the focus
 *    on to the menu's button [aria-hidden-focus]: the button itself becomes the tab stop.
 * 3. dbc.Tabs gives every tab the id "...-tab-null" and points it at a panel "...-tabpane-null"
 *    that does not exist [aria-valid-attr-value, duplicate ids]: each tab is paired with the
 *    panel that names it, by position.
 * 4. A dbc.Progress bar has no name [aria-progressbar-name]: it takes the nearest
 *    data-progress-label (dashboard/results.py).
 * 5. dcc.Upload's file input has no label [label]: it takes the drop zone's text.
 * 6. A parameter's number box has no label [label]: dbc.Input takes no ARIA props, and a
 *    <label> with hidden text around it was two more Dash components per parameter. It takes
 *    the nearest data-box-label (dashboard/controls.py).
 *
 * Each repair only writes an attribute that differs, so the observer that runs them settles.
 */
(function () {
    "use strict";

    function set(element, name, value) {
        if (value && element.getAttribute(name) !== value) element.setAttribute(name, value);
    }

    /* Three significant digits, as plain as JavaScript writes them: 0.3, 0.001, 1e-7. */
    function shown(x) {
        return String(Number(x.toPrecision(3)));
    }

    function labelText(element) {
        var label = element.closest("label");
        if (!label) return null;
        for (var node = label.firstChild; node; node = node.nextSibling) {
            if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
                return node.textContent.trim();
            }
        }
        return null;
    }

    function wrapperLabel(element) {
        var container = element.closest(".dash-slider-container");
        var wrapper = container && container.parentElement;
        return wrapper && wrapper.getAttribute("aria-label");
    }

    function nameSliders() {
        document.querySelectorAll("[role='slider']").forEach(function (thumb) {
            var host = thumb.closest("[data-thumb-label]");
            var name = host ? host.getAttribute("data-thumb-label") : labelText(thumb);
            set(thumb, "aria-label", name || wrapperLabel(thumb));
            if (host && host.getAttribute("data-log-scale") === "true") {
                var position = parseFloat(thumb.getAttribute("aria-valuenow"));
                if (isFinite(position)) set(thumb, "aria-valuetext", shown(Math.pow(10, position)));
            }
        });
    }

    function dropdownTabStops() {
        document.querySelectorAll(".dash-dropdown-focus-target").forEach(function (target) {
            set(target, "tabindex", "-1");
            var button = target.nextElementSibling;
            if (button && button.matches("button.dash-dropdown") && !button.disabled) {
                set(button, "tabindex", "0");
            }
        });
    }

    function pairTabs() {
        document.querySelectorAll("[role='tablist']").forEach(function (list) {
            var content = list.nextElementSibling;
            var panels = content ? content.querySelectorAll(":scope > [role='tabpanel']") : [];
            var tabs = list.querySelectorAll("[role='tab']");
            tabs.forEach(function (tab, i) {
                var panel = panels.length === tabs.length ? panels[i] : null;
                if (panel && panel.id && panel.getAttribute("aria-labelledby")) {
                    set(tab, "id", panel.getAttribute("aria-labelledby"));
                    set(tab, "aria-controls", panel.id);
                } else if (!document.getElementById(tab.getAttribute("aria-controls") || "")) {
                    tab.removeAttribute("aria-controls");
                }
            });
        });
    }

    function nameProgressBars() {
        document.querySelectorAll("[role='progressbar']").forEach(function (bar) {
            var host = bar.closest("[data-progress-label]");
            if (host) set(bar, "aria-label", host.getAttribute("data-progress-label"));
        });
    }

    function labelFileInputs() {
        document.querySelectorAll("input[type='file']").forEach(function (input) {
            if (input.labels && input.labels.length) return;
            var zone = input.parentElement;
            set(input, "aria-label", zone && zone.textContent.trim());
        });
    }

    function nameBoxes() {
        document.querySelectorAll("[data-box-label] input").forEach(function (input) {
            set(input, "aria-label", input.closest("[data-box-label]").getAttribute("data-box-label"));
        });
    }

    var pending = false;
    function repair() {
        pending = false;
        nameSliders();
        dropdownTabStops();
        pairTabs();
        nameProgressBars();
        labelFileInputs();
        nameBoxes();
    }

    new MutationObserver(function () {
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(repair);
    }).observe(document.documentElement, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["tabindex", "aria-valuenow", "aria-controls", "id", "disabled"],
    });
})();
