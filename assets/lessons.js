/* Guided lessons (dashboard/lessons.py builds the bar; docs/lessons.md).
 *
 * 1. highlight: a clientside callback names the element the step points at; it gets the class
 *    "lesson-target" (an outline, assets/style.css). A MutationObserver puts the class back if
 *    a redraw or a tab switch re-creates the element.
 * 2. "Show me" scrolls the outlined element into view (it is often below the fold).
 * 3. Page Down / Page Up go to the next / previous step while a lesson is open, as a presenter
 *    remote sends them; not while typing in a field, a menu or on a slider.
 */
(function () {
    "use strict";
    var CLASS = "lesson-target";
    var current = null;

    function apply() {
        document.querySelectorAll("." + CLASS).forEach(function (element) {
            if (element.id !== current) element.classList.remove(CLASS);
        });
        var target = current && document.getElementById(current);
        if (target && !target.classList.contains(CLASS)) target.classList.add(CLASS);
    }

    new MutationObserver(apply).observe(document.documentElement, {
        subtree: true,
        childList: true,
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        lessons: {
            highlight: function (target) {
                current = typeof target === "string" && target ? target : null;
                apply();
                return current;
            },
        },
    });

    document.addEventListener("click", function (event) {
        if (!event.target.closest || !event.target.closest("#lesson-show")) return;
        var target = current && document.getElementById(current);
        if (target) target.scrollIntoView({block: "center"});
    });

    var KEYS = {PageDown: "lesson-next", PageUp: "lesson-back"};
    var EDITING = "input, textarea, select, [contenteditable='true'], [role='slider'], " +
        "[role='combobox'], [role='listbox'], .Select-control";
    document.addEventListener("keydown", function (event) {
        var id = KEYS[event.key];
        if (!id || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
        var bar = document.getElementById("lesson-bar");
        if (!bar || bar.hidden) return;
        if (event.target.closest && event.target.closest(EDITING)) return;
        var link = document.getElementById(id);
        if (!link || link.disabled || link.getAttribute("aria-disabled") === "true") return;
        event.preventDefault();
        link.click();
    });
})();
