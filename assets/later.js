/* seed_soil.Later (dashboard/later.py): its children are rendered just after the page's first
 * figure has been painted, not in the first render.
 *
 * Until then it renders an empty placeholder (aria-busy). The first figure is announced as
 * it is drawn, or put off because its graph is not shown (the window event
 * "seedsoil:first-drawing", assets/plotly-offscreen.js); then
 * requestAnimationFrame runs before that frame's paint, and a task queued from it runs after
 * the paint. The task has the component's priority (scheduler.postTask; a timer where there
 * is none). "user-blocking" runs before the other tasks waiting then: the renderer's
 * bookkeeping of the page-load callbacks, and the first drawings of the Explore tab's other
 * figures (also user-blocking, queued after this one). "user-visible" runs after those.
 *
 * Waiting for the first paint alone was not enough: on a busy machine the renderer's first
 * render can come before Plotly's deferred bundle has run, and the graphs wait for it
 * (assets/await-plotly.js); rendering the controls meanwhile held up the bundle and the
 * figure behind them. If Plotly did not load, the children are rendered at once; if it did
 * and no graph asks for a drawing within WAIT_MS, then.
 *
 * This file runs before Dash's renderer (the page's assets load before it starts), which finds
 * the component as window.seed_soil.Later.
 */
(function () {
  'use strict';

  const React = window.React;
  const flushSync = (window.ReactDOM && window.ReactDOM.flushSync) || ((update) => update());
  const FIRST_DRAWING = 'seedsoil:first-drawing';
  const WAIT_MS = 2000;

  let drawn = false;
  window.addEventListener(FIRST_DRAWING, () => { drawn = true; }, {once: true});

  function whenFirstDrawn(callback) {
    let called = false;
    const once = () => {
      if (!called) {
        called = true;
        callback();
      }
    };
    if (drawn) {
      once();
      return;
    }
    window.addEventListener(FIRST_DRAWING, once, {once: true});
    // window.Plotly is a thenable until the deferred bundle has run (assets/await-plotly.js).
    Promise.resolve(window.Plotly).then(() => setTimeout(once, WAIT_MS), once);
  }

  function afterPaint(task, priority) {
    requestAnimationFrame(() => {
      if (window.scheduler && typeof window.scheduler.postTask === 'function') {
        window.scheduler.postTask(task, {priority});
      } else {
        setTimeout(task, 0);
      }
    });
  }

  function Later(props) {
    const [shown, setShown] = React.useState(false);
    const priority = props.priority || 'user-visible';
    React.useLayoutEffect(() => {
      let mounted = true;
      whenFirstDrawn(() => afterPaint(() => {
        if (mounted) {  // rendered in this task: a plain update would wait for React's own
          flushSync(() => setShown(true));
        }
      }, priority));
      return () => {
        mounted = false;
      };
    }, []);
    if (shown) {
      return props.children === undefined ? null : props.children;
    }
    // PLACEHOLDER_CLASS in dashboard/later.py
    return React.createElement('div', {className: 'later-placeholder', 'aria-busy': 'true'});
  }

  window.seed_soil = Object.assign(window.seed_soil || {}, {Later});
})();
