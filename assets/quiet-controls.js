/* Parameter controls are never marked "loading", and the page's components hear of the
 * store's changes once a burst.
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
 *
 * Once a burst: every component on the page (~475) checks the store after every dispatch
 * (react-redux's one subscription to it), and a slider move makes ~29 dispatches, most of
 * them in runs of several within one task (a request's bookkeeping, an answer's outputs).
 * Subscriptions made after the store exists (react-redux's; the renderer's own callback
 * machinery subscribed when it made the store and is left alone) are told once, a microtask
 * after the first dispatch of a run. A change the user makes (a component's own setProps:
 * ON_PROP_CHANGE with renderType "internal") is told at once, so a control follows the
 * hand in the same event. Measured against the same code without it (bench/ab_browser.py,
 * 6 rounds): figures on the screen 0.99-1.23x sooner, median 1.06x (296-334 against
 * 311-379 ms); the first figure 0.96-1.16x. Browser test:
 * test_store_changes_reach_the_page_once_a_burst_and_the_users_at_once.
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

  // A change the user makes (a component's own setProps) reaches the page's components at
  // once; any other is told once per burst of dispatches (a microtask later).
  let immediate = 0;

  function userChange(action) {
    return action && action.type === 'ON_PROP_CHANGE' && action.payload &&
      action.payload.renderType === 'internal';
  }

  function subscribeCoalesced(subscribe, listener) {
    let queued = false;
    let subscribed = true;
    function run() {
      queued = false;
      if (subscribed) {  // never told after it unsubscribed, as redux promises
        listener();
      }
    }
    const unsubscribe = subscribe(function () {
      if (immediate) {
        listener();
      } else if (!queued) {
        queued = true;
        queueMicrotask(run);
      }
    });
    return function () {
      subscribed = false;
      return unsubscribe();
    };
  }

  function quieten(store) {
    if (store && typeof store.dispatch === 'function' && !store.dispatch.quietControls) {
      const dispatch = store.dispatch;
      const quiet = function (action) {
        if (!userChange(action)) {
          return dispatch.call(this, withoutControls(action));
        }
        immediate += 1;
        try {
          return dispatch.call(this, action);
        } finally {
          immediate -= 1;
        }
      };
      quiet.quietControls = true;
      store.dispatch = quiet;
      const subscribe = store.subscribe.bind(store);
      store.subscribe = (listener) => subscribeCoalesced(subscribe, listener);
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
