// plotly.js with the trace types the dashboard draws: scatter (in the core), bar and heatmap.
// dashboard/compression.py's PLOTLY_TRACES lists the same; a test checks both.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
]);

module.exports = Plotly;
