/* "Hide controls" / "Show controls" (dashboard/layout.py: button #controls-toggle, row
 * #workspace). Hidden controls give the figures the full width, for a projector or a phone.
 *
 * The button says its state in aria-expanded; CSS (assets/style.css) shows the matching label
 * and hides the column while #workspace has the class "controls-hidden". A phone starts with
 * the controls hidden, so the figures come first. Plain script, no callback: the state lives
 * in the page only, and the CSP allows scripts served from the app's own assets.
 *
 * Beside the figures, the controls panel scrolls on its own and its aside sticks to the top:
 * the panel is kept exactly as tall as the part of the window below the aside's top
 * (--controls-top, used by style.css), so its end is never out of reach under the window's.
 */
(function () {
    "use strict";
    var PHONE = window.matchMedia("(max-width: 767.98px)");

    function show(visible) {
        var button = document.getElementById("controls-toggle");
        var row = document.getElementById("workspace");
        if (!button || !row) return false;
        row.classList.toggle("controls-hidden", !visible);
        button.setAttribute("aria-expanded", visible ? "true" : "false");
        window.dispatchEvent(new Event("resize")); // Plotly graphs take the new width
        return true;
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("#controls-toggle");
        if (button) show(button.getAttribute("aria-expanded") !== "true");
    });

    var pending = false;
    function fitPanel() {
        pending = false;
        var aside = document.querySelector("#controls-column > aside");
        if (aside) {
            var top = Math.max(0, Math.round(aside.getBoundingClientRect().top));
            aside.style.setProperty("--controls-top", top + "px");
        }
    }
    function schedule() {
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(fitPanel);
    }
    window.addEventListener("scroll", schedule, {passive: true});
    window.addEventListener("resize", schedule);
    new MutationObserver(schedule).observe(document.documentElement, {subtree: true, childList: true});

    // Dash renders the page after this script runs: wait for the button to appear.
    var start = new MutationObserver(function () {
        if (!document.getElementById("controls-toggle")) return;
        start.disconnect();
        if (PHONE.matches) show(false);
    });
    start.observe(document.documentElement, {subtree: true, childList: true});
})();
