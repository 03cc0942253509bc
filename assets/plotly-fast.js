/* A figure whose lines and day markers moved, and nothing else, is redrawn by moving them.
 *
 * Plotly.react redraws a whole figure on any change of its data: every axis, tick, title,
 * legend and annotation. A slider move changes only the lines' values and the markers placed
 * on the axes (the organ panels' niche and DTC days); the figures give every axis a fixed,
 * rounded range (dashboard/figures.py: _log_top), so their axes stay as they are. Then
 * Plotly.animate with no transition and no redraw moves the lines, and redraws the annotations
 * and shapes placed on axes (what it does for a range change), leaving the rest drawn. The
 * six-panel organ figure, most of a move's drawing, took 50-60 ms this way against 110-150 ms
 * for Plotly.react (in the page, this machine); bench/ab_browser.py measures a whole move.
 *
 * Taken only when nothing else differs from what the graph shows: the same scatter traces
 * but for their x and y values (x0, dx), the same layout but for annotations and shapes
 * placed on an axis by its own id (the same number, with the same keys: see ON_AXIS), the
 * same config, and every axis the traces use with a range of its own (animate does not
 * autorange). Anything else is Plotly.react's, as before: a scenario, a new
 * hypothesis, a count crossing an axis's half decade, the linear cell axes (autoranged).
 * Either way the graph emits plotly_afterplot once it is drawn.
 *
 * If a Plotly release changes animate, the browser test
 * test_a_slider_move_moves_the_lines_and_draws_what_a_full_redraw_draws compares what this
 * draws with a full drawing of the same figure.
 */
(function () {
  'use strict';

  const Plotly = window.Plotly;
  if (!Plotly || typeof Plotly.react !== 'function' || typeof Plotly.animate !== 'function') {
    return;
  }
  const react = Plotly.react;
  const shown = new WeakMap();  // graph div -> what it shows (describe)
  const VALUES = new Set(['x', 'y', 'x0', 'dx']);
  const ITEMS = ['annotations', 'shapes'];
  const NOT_COMPARED = new Set(ITEMS);
  // A reference to an axis by Plotly's own id: x, x2, y3 domain... Not the alias x1/y1: a
  // full redraw cleans it to x/y, animate does not, and there the organ panels' notes and
  // lines placed on "y1 domain" went astray (drawn as if on the page's or the axis's scale).
  const ON_AXIS = /^[xy]([2-9]|[1-9][0-9]+)?( domain)?$/;
  const NOW = {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: 'immediate'};

  function without(object, keys) {
    const rest = {};
    Object.keys(object || {}).forEach((key) => {
      if (!keys.has(key)) {
        rest[key] = object[key];
      }
    });
    return JSON.stringify(rest);
  }

  function axis(layout, id, letter) {  // 'y3': layout.yaxis3; 'y', 'y1': yaxis or yaxis1
    const n = String(id || letter).slice(1);
    const name = letter + 'axis';
    return n === '' || n === '1' ? layout[name] || layout[name + '1'] : layout[name + n];
  }

  function ranged(layout, traces) {
    return traces.every((trace) => ['x', 'y'].every((letter) => {
      const used = axis(layout, trace[letter + 'axis'], letter);
      return used && Array.isArray(used.range) && used.autorange !== true;
    }));
  }

  // What a drawing of ``figure`` depends on, as compared between two figures.
  function describe(figure) {
    const layout = figure.layout || {};
    const data = figure.data || [];
    return {
      config: JSON.stringify(figure.config || {}),
      layout: without(layout, NOT_COMPARED),
      traces: data.map((trace) => without(trace, VALUES)),
      items: ITEMS.map((key) => (layout[key] || []).map((item) => ({
        keys: Object.keys(item).sort().join(),
        onAxis: ON_AXIS.test(item.xref) || ON_AXIS.test(item.yref),
        json: JSON.stringify(item),
      }))),
      movable: !figure.frames && ranged(layout, data) &&
        data.every((trace) => (trace.type || 'scatter') === 'scatter'),
    };
  }

  function onlyMoved(before, after) {
    return Boolean(before) && after.movable && before.config === after.config &&
      before.layout === after.layout && before.traces.length === after.traces.length &&
      before.traces.every((trace, i) => trace === after.traces[i]) &&
      before.items.every((items, k) => items.length === after.items[k].length &&
        items.every((item, i) => {
          const next = after.items[k][i];
          return item.keys === next.keys && item.onAxis === next.onAxis &&
            (item.onAxis || item.json === next.json);
        }));
  }

  function move(gd, figure) {
    const layout = figure.layout || {};
    // animate merges each trace into the drawn one: a trace hidden from the legend would stay
    // hidden, where a full redraw shows it again. So every trace says whether it shows.
    const data = figure.data.map((trace) => ('visible' in trace ? trace : {
      ...trace,
      visible: true,
    }));
    const update = {data: data, traces: data.map((_, i) => i), layout: {}};
    ITEMS.forEach((key) => {
      if (layout[key]) {
        update.layout[key] = layout[key];
      }
    });
    // The lines are drawn in the task of this call (in the microtask that emits
    // plotly_transitioning), before the page paints; animate's promise ends a timer later.
    // So the graph says it is drawn right after that drawing, as a full redraw does.
    const drawn = () => queueMicrotask(() => gd.emit('plotly_afterplot'));
    gd.once('plotly_transitioning', drawn);
    return Plotly.animate(gd, update, NOW).then(
      () => gd,
      (error) => {
        gd.removeListener('plotly_transitioning', drawn);
        throw error;
      },
    );
  }

  Plotly.react = function (gd, ...rest) {
    const div = typeof gd === 'string' ? document.getElementById(gd) : gd;
    const figure = rest.length === 1 && rest[0] && !Array.isArray(rest[0]) ? rest[0] : null;
    if (!div || !figure) {  // another call form: Plotly.react(gd, data, layout, config)
      if (div) {
        shown.delete(div);
      }
      return react.call(this, gd, ...rest);
    }
    const next = describe(figure);
    const drawn = div._fullLayout && div._transitionData && shown.get(div);
    const done = onlyMoved(drawn, next) ? move(div, figure) : react.call(this, gd, ...rest);
    shown.delete(div);  // until this drawing is done
    return Promise.resolve(done).then((result) => {
      shown.set(div, next);
      return result;
    });
  };
})();
