/* Keyboard access that the components do not give (dashboard/layout.py builds the elements).
 *
 * 1. The skip link moves the focus to the figures region without touching the URL fragment,
 *    which carries the page's shared settings (dashboard/links.py).
 * 2. dash-bootstrap-components 2.0 renders every tab with tabindex="-1" (react-bootstrap gets
 *    no event key from it), so Tab never reached Explore, Sweep or Sensitivity: make them
 *    tabbable (Enter then clicks them) and let the arrow keys switch between them.
 */
(function () {
    "use strict";
    var TABS = "#tabs [role='tab']";

    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("#skip-to-figures");
        var region = document.getElementById("figures");
        if (!link || !region) return;
        event.preventDefault();
        region.focus();
        region.scrollIntoView({block: "start"});
    });

    function tabbable() {
        document.querySelectorAll(TABS).forEach(function (tab) {
            if (tab.getAttribute("tabindex") !== "0") tab.setAttribute("tabindex", "0");
        });
    }
    new MutationObserver(tabbable).observe(document.documentElement, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["tabindex"],
    });

    var STEPS = {ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1};
    document.addEventListener(
        "keydown",
        function (event) {
            var step = STEPS[event.key];
            var tab = event.target.closest && event.target.closest(TABS);
            if (!step && event.key !== "Home" && event.key !== "End") return;
            if (!tab) return;
            var tabs = Array.prototype.slice.call(document.querySelectorAll(TABS));
            var next = event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1
                : (tabs.indexOf(tab) + step + tabs.length) % tabs.length;
            event.preventDefault();
            event.stopPropagation();  // react-bootstrap's own handler expects event keys it lacks
            tabs[next].focus();
            tabs[next].click();
        },
        true
    );
})();
