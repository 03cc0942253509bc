/* Figures off the screen are redrawn after the ones on it have been painted.
 *
 * A slider move redraws every figure of the Explore tab, one after another in one task, and
 * the browser paints nothing until the last is done. On a projector (1024x768, presentation
 * mode) only the cascade is on the screen; the organ panels (the costliest drawing) and the
 * burden chart are below it. Here Plotly.react on a figure that has been drawn before and is
 * out of view waits until the next frame has been painted; one that scrolls into view first
 * is drawn at once. A newer redraw of a waiting figure replaces the older one (both promises
 * end with it). Every redraw of a visible figure runs as before.
 *
 * First draws go one a frame: the first figure of the page is painted before the next one is
 * drawn. A cold page drew its three Explore figures in one task (~1 s) and showed none of
 * them until all were done. The next ones are drawn right after that paint, before other
 * waiting tasks (see afterPaint).
 *
 * A figure that is not rendered at all (on a hidden tab, in the hidden long-run section) is
 * first drawn when it is shown: five of the page's eight graphs were drawn as it loaded, in
 * the task that drew the Explore tab's other figures, delaying their paint (~0.1 s), and at
 * a guessed width (the box of a hidden graph has none).
 *
 * The page's first figure is announced as it is drawn, or put off because its graph is not
 * shown (the window event "seedsoil:first-drawing"): the parts of the page rendered after its
 * paint wait for it (assets/later.js).
 *
 * Off or on the screen is what an IntersectionObserver last said (200 px beyond the viewport
 * count as on it); a figure it has not reported on yet is drawn at once.
 */
(function () {
  'use strict';

  const Plotly = window.Plotly;
  if (!Plotly || typeof Plotly.react !== 'function' || !('IntersectionObserver' in window)) {
    return;
  }
  const react = Plotly.react;
  const onScreen = new WeakMap();  // graph div -> last reported visibility
  const waiting = new Map();  // graph div -> {args, settle: [[resolve, reject], ...]}
  let flushQueued = false;

  function draw(gd) {
    const job = waiting.get(gd);
    if (!job) {
      return;
    }
    waiting.delete(gd);
    settle(job, gd.isConnected ? react.apply(Plotly, job.args) : gd);
  }

  function settle(job, result) {
    Promise.resolve(result).then(
      (value) => job.settle.forEach(([resolve]) => resolve(value)),
      (error) => job.settle.forEach(([, reject]) => reject(error)),
    );
  }

  function rendered(div) {  // not inside an element with display: none
    return div.getClientRects().length > 0;
  }

  // Every waiting redraw, and the first drawings of the figures now rendered: the others are
  // drawn when the observer sees them. A graph no longer on the page is let go (draw settles
  // its promises without drawing).
  function flush() {
    flushQueued = false;
    [...waiting.keys()].forEach((div) => {
      if (div._fullLayout || !div.isConnected || rendered(div)) {
        draw(div);
      }
    });
  }

  // After the frame that shows the visible figures: rAF runs before that paint, a task queued
  // from it after. For a first drawing (``urgent``) that task is user-blocking (postTask): it
  // then runs before the tasks queued meanwhile, such as the renderer's bookkeeping of the
  // page's first callback, which held the page's other figures back ~0.2 s. A redraw's is a
  // timer, as before: a slider move's off-screen figures wait behind whatever else waits.
  function afterPaint(task, urgent) {
    requestAnimationFrame(() => {
      if (urgent && window.scheduler && typeof window.scheduler.postTask === 'function') {
        window.scheduler.postTask(task, {priority: 'user-blocking'});
      } else {
        setTimeout(task, 0);
      }
    });
  }

  function queueFlush(urgent) {
    if (!flushQueued) {
      flushQueued = true;
      afterPaint(flush, urgent);
    }
  }

  const observer = new IntersectionObserver((entries) => {
    entries.forEach((entry) => {
      onScreen.set(entry.target, entry.isIntersecting);
      if (entry.isIntersecting) {
        draw(entry.target);
      }
    });
  }, {rootMargin: '200px'});

  let firstDrawn = false;  // a figure's first draw since the last paint
  let pageAsked = false;  // the page's first figure asked for

  // Said before that figure is drawn (what waits for its paint is then queued first), or as
  // it is put off because its graph is not shown (nothing to wait for).
  function announceFirst() {
    if (!pageAsked) {
      pageAsked = true;
      window.dispatchEvent(new Event('seedsoil:first-drawing'));
    }
  }

  function firstNow() {
    if (firstDrawn) {
      return false;
    }
    firstDrawn = true;
    requestAnimationFrame(() => setTimeout(() => { firstDrawn = false; }, 0));
    return true;
  }

  Plotly.react = function (gd, ...rest) {
    const div = typeof gd === 'string' ? document.getElementById(gd) : gd;
    if (div && !onScreen.has(div)) {
      onScreen.set(div, undefined);
      observer.observe(div);
    }
    if (div && !div._fullLayout) {
      announceFirst();
    }
    const now = !div || (div._fullLayout ? onScreen.get(div) !== false
      : rendered(div) && firstNow());
    if (now) {
      const older = waiting.get(div);
      waiting.delete(div);
      const result = react.call(this, gd, ...rest);
      if (older) {  // a waiting redraw, replaced by this one
        settle(older, result);
      }
      return result;
    }
    return new Promise((resolve, reject) => {
      const job = waiting.get(div) || {settle: []};
      job.args = [gd, ...rest];
      job.settle.push([resolve, reject]);
      waiting.set(div, job);
      queueFlush(!div._fullLayout);  // a first drawing
    });
  };
})();
