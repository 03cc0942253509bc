/* The graphs wait for Plotly's deferred bundle; the rest of the page does not.
 *
 * Plotly's bundle (1.3 MB of script) and the scripts that wrap it (assets/plotly-*.js) load
 * with `defer` (dashboard/page.py): they run once the page is parsed, so Dash's renderer
 * starts, fetches the layout and renders the controls while V8 still compiles Plotly on a
 * background thread. As a blocking script, Plotly held up every script after it, and so the
 * renderer's first render, until it had been compiled and run.
 *
 * dcc.Graph reads `window.Plotly` when a graph first renders, and loads its own copy of
 * plotly.js (`window._dashPlotlyJSURL`, a CDN) if it is not there; it then waits on
 * `Promise.resolve(window.Plotly || <that script's load>)`. Until the bundle has run,
 * `window.Plotly` is therefore a thenable here: the graphs wait on it, and it settles at
 * DOMContentLoaded, which comes after every deferred script has run (the bundle, then its
 * wrappers). The bundle's own `var Plotly` replaces the thenable as it runs. If the bundle did
 * not load, the graphs fail as they would without Plotly, nothing fetches another copy, and a
 * notice at the top of the page says so.
 * A browser test checks that the page fetches Plotly once and draws with it wrapped.
 */
(function () {
  'use strict';

  if (window.Plotly) {
    return;
  }
  let settle;
  const loaded = new Promise((resolve, reject) => { settle = {resolve, reject}; });
  window.Plotly = {then: (onLoaded, onFailed) => loaded.then(onLoaded, onFailed)};
  document.addEventListener('DOMContentLoaded', () => {
    if (window.Plotly && typeof window.Plotly.react === 'function') {
      settle.resolve();
    } else {
      settle.reject(new Error('plotly.js did not load'));
      // Say so on the page too (outside the part React draws): the graphs stay empty.
      const notice = document.createElement('div');
      notice.className = 'alert alert-danger m-2 plotly-missing';
      notice.setAttribute('role', 'alert');
      notice.textContent = 'The charts could not be loaded (plotly.js did not arrive). ' +
        'The controls and readouts still work; reload the page to try again.';
      document.body.prepend(notice);
    }
  });
})();
