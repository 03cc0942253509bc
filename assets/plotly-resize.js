/* A figure is redrawn for a resize only when its size changes.
 *
 * dcc.Graph asks Plotly.Plots.resize for every graph right after its first drawing, and again
 * whenever its box is resized; Plotly then redraws the whole figure (relayout, autosize) even
 * when the size it computes is the one the figure already has. So every figure of the page
 * (eight, five of them hidden: on other tabs, or in the Explore tab's long-run section) was
 * drawn twice as the page loaded, ~0.5 s of a cold page's main thread after its first figure,
 * in the way of a first slider move.
 *
 * Here the resize is skipped when the figure's box, as Plotly's autosize reads it (its
 * computed width and height), is within 1 px of the drawn size (Plotly's own threshold), or
 * when the graph is not rendered at all (hidden: its box is resized, and observed by
 * dcc.Graph, when it is shown). Any other resize runs as before. If a Plotly release moves
 * Plots.resize, nothing breaks (the figures are drawn twice again), and the browser test
 * test_a_page_load_draws_each_figure_once says so.
 */
(function () {
  'use strict';

  const Plotly = window.Plotly;
  if (!Plotly || !Plotly.Plots || typeof Plotly.Plots.resize !== 'function') {
    return;
  }
  const resize = Plotly.Plots.resize;

  function nothingToDo(gd) {
    const full = gd && gd._fullLayout;
    if (!full || !gd.layout || !gd.isConnected) {
      return false;
    }
    if (gd.getClientRects().length === 0) {  // not rendered: hidden
      return true;
    }
    const style = window.getComputedStyle(gd);
    const same = (fixed, drawn, box) => Boolean(fixed) || Math.abs(drawn - parseFloat(box)) <= 1;
    return same(gd.layout.width, full.width, style.width)
      && same(gd.layout.height, full.height, style.height);
  }

  Plotly.Plots.resize = function (gd, ...rest) {
    const div = typeof gd === 'string' ? document.getElementById(gd) : gd;
    if (nothingToDo(div)) {
      return Promise.resolve(div);
    }
    return resize.call(this, gd, ...rest);
  };
})();
