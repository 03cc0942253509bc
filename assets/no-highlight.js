/* dcc.Markdown colours code blocks with highlight.js, and fetches it (async-highlight.js:
 * 141 kB, 34 kB in brotli, compiled and run after the first figure) on every page where a
 * Markdown component renders, unless window.hljs exists. This page's Markdown (the readouts,
 * the lessons' text, About) shows no code to colour, so this stand-in with the one method dcc
 * calls is found instead and nothing is fetched. A code block, should a lesson hold one, still
 * shows as code, in one colour.
 */
window.hljs = window.hljs || { highlightElement: function () {} };
