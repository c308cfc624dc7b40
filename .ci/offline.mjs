#!/usr/bin/env node
// Writes the one-file offline build, dist/heaplens-offline.html, from the site Trunk built in dist/
// (run by `make dist` after `trunk build`):
//   node .ci/offline.mjs [dist]
//
// The file must work opened from disk (file://) in Chromium and Firefox, with no server and no
// network. Chromium refuses to start a worker from a file:// URL and to fetch one, so everything is
// inside the page:
// - the page's scripts (the classic ones such as protocol.js, then the ES modules from main.js on)
//   are bundled by esbuild into one inline module script;
// - the worker's script (what worker.js imports: protocol.js and wasm-bindgen's no-modules glue;
//   then worker.js) is a string in that bundle, started from a blob: URL through the hook in
//   www/client.js (self.HeaplensWorkerFactory);
// - the WebAssembly module is gzipped and base64-encoded inside the worker's script, which unzips it
//   (DecompressionStream) and hands the bytes to wasm_bindgen through the hook in www/worker.js
//   (self.HeaplensWasmSource);
// - the stylesheets become inline styles.
// The Content-Security-Policy then allows exactly those inline scripts and styles (by their
// sha256), workers from blob: only, WebAssembly compilation, data: images (the empty favicon), and
// nothing else: no origin at all, not even the file's own folder.
//
// <html> gets data-heaplens-build="offline": the demo snapshot does not fit the size budget, so
// style.css hides the demo buttons, and www/update.js registers no service worker.
//
// Anything it does not understand (a script or stylesheet it cannot inline, a reference to another
// file, a file over the budget) stops the build with a message.

import * as esbuild from 'esbuild';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// The budget from issue 12: at most 1.5 MB, in decimal megabytes.
const LIMIT_BYTES = 1_500_000;
const OUTPUT_NAME = 'heaplens-offline.html';

const dist = path.resolve(process.argv[2] || 'dist');
const output = path.join(dist, OUTPUT_NAME);

function fail(message) {
  console.error(`offline: ${message}`);
  process.exit(1);
}

function read(rel) {
  const file = path.join(dist, rel);
  if (!fs.existsSync(file)) fail(`${file} does not exist: run trunk build first`);
  return fs.readFileSync(file);
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const attribute = (tag, name) => {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? (match[2] ?? match[3] ?? match[4]) : null;
};
// A relative URL from the page, as a path inside dist/ (Trunk builds with public_url "./").
const local = (href) => {
  if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(href)) fail(`cannot inline ${href}: not a file of the site`);
  return href.replace(/^\.\//, '').split(/[?#]/)[0];
};

// ---- The worker's script ----

const wasm = read('heaplens_bg.wasm');
const wasmGzip = zlib.gzipSync(wasm, { level: 9 });
const glue = read('heaplens.js').toString('utf8');
if (!/\bwasm_bindgen\b/.test(glue)) fail('heaplens.js is not wasm-bindgen\'s no-modules glue (no wasm_bindgen)');

// Runs inside the worker: the gzipped module, base64-decoded and unzipped. No fetch is involved,
// so the policy's connect-src 'none' holds.
function unpackWasm(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

// The scripts worker.js imports (importScripts, relative to www/), in its order, then worker.js.
// The wasm-bindgen glue (heaplens.js at the root) declares `wasm_bindgen` with `let`: its other
// names stay in a scope of their own and only that one is published.
const WORKER = 'www/worker.js';
const workerScript = read(WORKER).toString('utf8');
const imports = /\bimportScripts\(([^)]*)\)/.exec(workerScript);
if (!imports) fail(`${WORKER} has no importScripts(...) to carry`);
const imported = [...imports[1].matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => path.posix.join('www', m[1] ?? m[2]));
if (!imported.includes('heaplens.js')) fail(`${WORKER} does not import heaplens.js (wasm-bindgen's glue)`);
const workerParts = [
  ...imported.map((rel) => (rel === 'heaplens.js'
    ? `(function () {\n${glue}\nself.wasm_bindgen = wasm_bindgen;\n})();`
    : read(rel).toString('utf8'))),
  `self.HeaplensWasmSource = (${unpackWasm.toString()})(${JSON.stringify(wasmGzip.toString('base64'))});`,
  workerScript,
];
const workerSource = (await esbuild.transform(workerParts.join('\n;\n'), { loader: 'js', minify: true, charset: 'utf8' })).code;

// ---- The page ----

// The page's comments speak of the hosted site (its policy, Trunk's links): drop them, and the
// directives Trunk leaves behind (data-trunk-skip links).
let html = read('index.html').toString('utf8').replace(/<!--[\s\S]*?-->\s*/g, '').replace(/<link\b[^>]*\sdata-trunk\b[^>]*>\s*/gi, '');

// Scripts, in document order. Classic scripts run first (they are not deferred) and set globals
// the modules read; the worker factory must exist before main.js starts its first worker.
const classic = [];
const modules = [];
html = html.replace(/<script\b[^>]*>\s*<\/script>/gi, (tag) => {
  const src = attribute(tag, 'src');
  if (!src) fail(`an empty inline script cannot be carried: ${tag}`);
  const type = attribute(tag, 'type');
  if (type === 'module') modules.push(local(src));
  else if (!type || /javascript/i.test(type)) classic.push(local(src));
  else fail(`unknown script type in ${tag}`);
  return '<!--heaplens:script-->';
});
if (modules.length === 0) fail('index.html has no module script (www/main.js)');
if (/<script\b/i.test(html)) fail('index.html has a script this generator cannot inline (one with contents)');

const BOOT = 'heaplens-offline:boot';
const bootSource = `
// Starts every worker of this page from one blob: URL made from the worker script this file carries.
const url = URL.createObjectURL(new Blob([${JSON.stringify(workerSource)}], { type: 'text/javascript' }));
self.HeaplensWorkerFactory = () => new Worker(url, { name: 'heaplens' });
`;
const entry = [...classic.map((rel) => `import ${JSON.stringify(`./${rel}`)};`), `import ${JSON.stringify(BOOT)};`,
  ...modules.map((rel) => `import ${JSON.stringify(`./${rel}`)};`)].join('\n');

const bundle = await esbuild.build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'offline-entry.js', loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  minify: true,
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
  plugins: [{
    name: 'heaplens-offline-boot',
    setup(build) {
      build.onResolve({ filter: /^heaplens-offline:boot$/ }, (args) => ({ path: args.path, namespace: 'heaplens-offline' }));
      build.onLoad({ filter: /.*/, namespace: 'heaplens-offline' }, () => ({ contents: bootSource, loader: 'js' }));
    },
  }],
});
const pageScript = bundle.outputFiles[0].text;

// Stylesheets, in document order.
const styles = [];
html = html.replace(/<link\b[^>]*>/gi, (tag) => {
  const rel = (attribute(tag, 'rel') || '').toLowerCase();
  if (rel !== 'stylesheet') return tag;
  const css = read(local(attribute(tag, 'href'))).toString('utf8');
  if (/url\(\s*['"]?(?!data:)|@import/i.test(css)) fail('a stylesheet refers to another file, which the offline build cannot carry');
  styles.push(css);
  return '<!--heaplens:style-->';
});

// Everything is inline now: any reference left to another file would fail from disk.
for (const match of html.matchAll(/<[a-z][^>]*\s(src|href|srcset|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)[^>]*>/gi)) {
  const value = match[2].replace(/^["']|["']$/g, '');
  if (!/^data:/i.test(value) && !value.startsWith('#')) fail(`index.html refers to ${value} (${match[0]}), which the offline build cannot carry`);
}
if (/\sstyle\s*=/i.test(html)) fail('index.html has a style attribute, which the policy would refuse');

// Inline text must not end its own element early or open a comment the parser would honour.
for (const [what, text] of [['the page script', pageScript], ...styles.map((css) => ['a stylesheet', css])]) {
  if (/<\/(script|style)|<!--/i.test(text)) fail(`${what} contains '</script', '</style' or '<!--' and cannot be inlined`);
}

const styleText = styles.join('\n');
const csp = [
  "default-src 'none'",
  `script-src ${sha256(pageScript)} 'wasm-unsafe-eval'`,
  'worker-src blob:',
  styles.length ? `style-src ${sha256(styleText)}` : "style-src 'none'",
  'img-src data:',
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const cspTags = html.match(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/gi) || [];
if (cspTags.length !== 1) fail(`index.html must have exactly one Content-Security-Policy meta tag (found ${cspTags.length})`);
html = html.replace(cspTags[0], () => `<!--
    The one-file offline build of heaplens (made by .ci/offline.mjs). Its policy allows only what
    this file carries: the inline script and style below (by their sha256), the analysis worker
    started from a blob: URL the script makes, WebAssembly compilation, the data: favicon. It
    cannot load or send anything.
  -->
  <meta http-equiv="Content-Security-Policy" content="${csp}">`);

// One style element where the first stylesheet was, one script where the last script was.
let styleDone = false;
html = html.replace(/<!--heaplens:style-->/g, () => {
  if (styleDone) return '';
  styleDone = true;
  return `<style>${styleText}</style>`;
});
const scriptMarks = html.split('<!--heaplens:script-->');
html = scriptMarks.slice(0, -1).join('') + `<script type="module">${pageScript}</script>` + scriptMarks.at(-1);

if (!/<html\b/i.test(html)) fail('index.html has no <html> tag to mark as the offline build');
html = html.replace(/<html\b/i, '<html data-heaplens-build="offline"');

fs.writeFileSync(output, html);

const size = Buffer.byteLength(html);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`offline: ${path.relative(process.cwd(), output)} ${kb(size)} (budget ${kb(LIMIT_BYTES)}): `
  + `wasm ${kb(wasm.length)} (gzipped ${kb(wasmGzip.length)}, base64 ${kb(Math.ceil(wasmGzip.length / 3) * 4)}), `
  + `worker script ${kb(Buffer.byteLength(workerSource))} with the wasm, page script ${kb(Buffer.byteLength(pageScript))} with the worker, `
  + `styles ${kb(Buffer.byteLength(styleText))}`);
if (size > LIMIT_BYTES) {
  fs.rmSync(output);
  fail(`${OUTPUT_NAME} is ${size} bytes, over the ${LIMIT_BYTES}-byte budget; it was removed`);
}
