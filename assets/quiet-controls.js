/* Parameter controls are never marked "loading".
 *
 * While a callback runs, Dash's renderer marks every one of its outputs as loading (a LOADING
 * action on its store, undone by LOADED): each marked component renders again and gets
 * data-dash-is-loading, twice a request. The page callback may write any of the ~95
 * parameter sliders and number boxes (a reset, a scenario, a refused value), so every slider
 * move rendered all of them twice, although one box at most changes and nothing shows their
 * loading state (no dcc.Loading holds them). Measured against the same code without this file
 * (bench/ab_browser.py, 3 rounds, busy machine): figures on the screen 1.01-1.27x sooner,
 * script per move 0.98-1.23x (a first version, installed by polling: 1.09-1.13x, 14-18 %).
 *
 * Dash has no option for this, so the store's dispatch is wrapped, as the renderer creates the
 * store (window.store), to leave the controls out of LOADING; LOADED passes unchanged (undoing
 * a mark that was never made changes nothing). Everything else (figures, the spinner) is
 * marked as before. If a Dash release changes its store, nothing breaks: the controls are
 * marked again, and the browser test
 * test_parameter_controls_are_not_marked_loading_while_figures_are says so.
 */
(function () {
  'use strict';

  const CONTROL = /^param-(slider|input)-/;

  function withoutControls(action) {
    if (!action || action.type !== 'LOADING' || !Array.isArray(action.payload)) {
      return action;
    }
    const kept = action.payload.filter((entry) => !(entry && CONTROL.test(String(entry.id))));
    return kept.length === action.payload.length ? action : Object.assign({}, action, {payload: kept});
  }

  function quieten(store) {
    if (store && typeof store.dispatch === 'function' && !store.dispatch.quietControls) {
      const dispatch = store.dispatch;
      const quiet = function (action) {
        return dispatch.call(this, withoutControls(action));
      };
      quiet.quietControls = true;
      store.dispatch = quiet;
    }
    return store;
  }

  if (window.store) {
    quieten(window.store);
  } else {  // this file runs before the renderer: wrap its store the moment it is made
    let held;
    Object.defineProperty(window, 'store', {
      configurable: true,
      enumerable: true,
      get: () => held,
      set: (store) => { held = quieten(store); },
    });
  }
})();
