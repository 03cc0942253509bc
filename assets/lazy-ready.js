/* dcc's lazy components are ready before the page first renders.
 *
 * dcc loads the code of its sliders, dropdowns, uploads, Markdown and graphs apart from its
 * bundle, through React.lazy: a lazy component renders nothing (it "suspends") until its
 * code has been loaded, and React learns that only as it first renders one. React 18 then
 * shows what has been loaded at most once every 500 ms (FALLBACK_THROTTLE_MS), so a cold page
 * showed its readouts and figures in steps half a second apart: ~0.5 s after the rest, even
 * once the code was on the page (issue 10).
 *
 * The page now loads those parts as scripts of its own, before dcc's bundle
 * (dashboard/page.py, dcc_chunks_first). Here React.lazy is wrapped, for the lazy components
 * that dcc's bundle makes as it loads, to start loading each at once: its code is already on
 * the page, so it is ready a few microtasks later, before the renderer has even fetched the
 * layout, and the first render draws every component whole. Other lazy components are left
 * as React makes them.
 *
 * It uses the shape of React 18's lazy object (_init, _payload). If a React release changes
 * it, the call fails here, is ignored, and the components load as React loads them; the
 * browser test test_the_first_render_draws_the_explore_tab_whole says so.
 */
(function () {
  'use strict';

  const React = window.React;
  if (!React || typeof React.lazy !== 'function') {
    return;
  }
  const lazy = React.lazy;
  const DCC = /\/dash\/dcc\//;

  React.lazy = function (load) {
    const component = lazy(load);
    const script = document.currentScript;
    if (script && DCC.test(script.src)) {
      try {
        component._init(component._payload);  // throws the pending promise: expected
      } catch (pending) {
        // React calls _init again as it renders, and finds the component loaded.
      }
    }
    return component;
  };
})();
