/* Puts back the browser's own String.prototype.trim (trimStart, trimEnd), parseFloat and
 * parseInt (Number.parseFloat, Number.parseInt).
 *
 * Dash loads core-js 2 (its polyfill@7.12.1) before everything else. It judges these built-ins
 * wrong because they no longer count U+180E as white space (Unicode 6.3 moved it), replaces
 * them with regular-expression versions and makes Function.prototype.toString call the
 * replacements native. Plotly trims and parses numbers throughout every redraw: the polyfill's
 * trim alone was ~25 ms of a slider move's main-thread time in Chromium (issue 10).
 *
 * The originals come from a fresh realm, an empty same-origin iframe, removed at once. Assets
 * load after Dash's polyfill and, by name, before assets/plotly-cartesian-*.js and the Dash
 * renderer. tests/browser/test_dashboard.py checks that these are native on the page.
 */
(function () {
    "use strict";

    var own;
    var frame = document.createElement("iframe");
    frame.hidden = true;
    try {
        document.documentElement.appendChild(frame);
        var pristine = frame.contentWindow;
        var S = pristine.String.prototype;
        own = {
            trim: S.trim,
            trimStart: S.trimStart,
            trimEnd: S.trimEnd,
            parseFloat: pristine.parseFloat,
            parseInt: pristine.parseInt,
        };
    } catch (e) {
        return; // no fresh realm here (a sandbox, say): the polyfill's versions stay
    } finally {
        frame.remove();
    }

    function put(target, name, value) {
        if (typeof value === "function" && target[name] !== value) {
            Object.defineProperty(target, name, {
                value: value,
                writable: true,
                configurable: true,
                enumerable: false,
            });
        }
    }

    put(String.prototype, "trim", own.trim);
    put(String.prototype, "trimStart", own.trimStart);
    put(String.prototype, "trimEnd", own.trimEnd);
    put(String.prototype, "trimLeft", own.trimStart);
    put(String.prototype, "trimRight", own.trimEnd);
    put(window, "parseFloat", own.parseFloat);
    put(window, "parseInt", own.parseInt);
    put(Number, "parseFloat", own.parseFloat);
    put(Number, "parseInt", own.parseInt);
})();
