/* "Link to this view": the box always holds the page's address (its query carries the model
 * state, its #fragment the tab and the analysis settings).
 *
 * Not a Dash callback: one would run on every slider move (the page callback rewrites the
 * query), and each callback costs Dash's renderer work for every component on the page
 * (issue 10). The address changes through history.pushState/replaceState (dcc.Location),
 * the back and forward buttons, or a typed #fragment; each of these refreshes the box. */
(function () {
    "use strict";

    var BOX = "share-link";

    function update() {
        var box = document.getElementById(BOX);
        if (box && box.value !== window.location.href) {
            box.value = window.location.href;
        }
        return Boolean(box);
    }

    ["pushState", "replaceState"].forEach(function (name) {
        var original = window.history[name];
        window.history[name] = function () {
            var result = original.apply(this, arguments);
            update();
            return result;
        };
    });
    window.addEventListener("popstate", update);
    window.addEventListener("hashchange", update);

    // Dash draws the box after this script has run: fill it as soon as it is there.
    if (!update()) {
        var observer = new MutationObserver(function () {
            if (update()) {
                observer.disconnect();
            }
        });
        observer.observe(document.documentElement, {childList: true, subtree: true});
    }
})();
