// Builds assets/plotly-seedsoil-<version>.min.js from npm's plotly.js sources (entry.js): the
// trace types the dashboard draws, with esbuild options as plotly.js's own esbuild-config.js
// has them, minified. Run by scripts/build-plotly after `npm ci`; see README ("Plotly's bundle").
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import esbuild from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { version } = require('plotly.js/package.json');
const TRACES = ['scatter', 'bar', 'heatmap'];
// V8's explicit compile hint: dashboard/compression.py (COMPILE_HINT) says why.
const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

const result = await esbuild.build({
    entryPoints: [join(here, 'entry.js')],
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    write: false,
    sourcemap: false,
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'warning',
});
const header = [
    COMPILE_HINT,
    '/**',
    `* plotly.js (${TRACES.join(', ')} - minified) v${version}`,
    '* Copyright 2012-2026, Plotly, Inc.',
    '* All rights reserved.',
    '* Licensed under the MIT license',
    '* Built by scripts/build-plotly from npm\'s plotly.js sources (scripts/plotly/entry.js).',
    '*/',
    '',
].join('\n');
const out = join(here, '..', '..', 'assets', `plotly-seedsoil-${version}.min.js`);
writeFileSync(out, header + result.outputFiles[0].text);
console.log(`wrote ${out} (${readFileSync(out).length} bytes)`);
