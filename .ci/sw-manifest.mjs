#!/usr/bin/env node
// Prepares the hosted site's service worker after `trunk build` (run by `make dist`):
//   node .ci/sw-manifest.mjs [dist]
// It lists the application's files in dist/, hashes them into the build's version, and writes
// dist/sw.js from www/sw.js with that version and list in place of `const BUILD = null;`. The
// service worker goes to the site's root because it controls only pages at or below its own folder;
// the copy Trunk made under dist/www/ is removed so that no second, narrower worker can be
// registered. Running it again on the same folder (after changing a file) gives the new version.
//
// Only the application is listed: pages, scripts, styles, WebAssembly, images. Snapshots never are
// (the demo snapshot included), nor the one-file offline build, which is a download of its own.
// A listed name that looks like a snapshot stops the build.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(process.argv[2] || 'dist');
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../www/sw.js');
const TARGET = path.join(dist, 'sw.js');
const PLACEHOLDER = 'const BUILD = null;';
const APPLICATION = /\.(html|js|mjs|css|wasm|svg|png|ico|woff2?)$/;
const NEVER = new Set(['sw.js', 'www/sw.js', 'heaplens-offline.html']);
const SNAPSHOT = /heapsnapshot|heaptimeline/i;

function fail(message) {
  console.error(`sw-manifest: ${message}`);
  process.exit(1);
}

function walk(dir, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), `${rel}/`));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

if (!fs.existsSync(path.join(dist, 'index.html'))) fail(`${dist}/index.html does not exist: run trunk build first`);
const template = fs.readFileSync(SOURCE, 'utf8');
if (template.split(PLACEHOLDER).length !== 2) fail(`www/sw.js must contain '${PLACEHOLDER}' exactly once`);

const files = walk(dist).filter((rel) => APPLICATION.test(rel) && !NEVER.has(rel)).sort();
for (const rel of files) {
  if (SNAPSHOT.test(rel)) fail(`${rel} looks like a snapshot; the service worker must never cache one`);
}
if (!files.includes('index.html')) fail('index.html is not among the files to cache');

// The version changes whenever any cached file's name or content does, and only then.
const hash = crypto.createHash('sha256');
for (const rel of files) {
  hash.update(rel).update('\0');
  hash.update(crypto.createHash('sha256').update(fs.readFileSync(path.join(dist, rel))).digest()).update('\0');
}
const version = hash.digest('hex').slice(0, 16);

// './' is the page as it is usually asked for (the site's root); index.html as it may be named.
const build = { version, files: ['./', ...files] };
fs.writeFileSync(TARGET, template.replace(PLACEHOLDER, `const BUILD = ${JSON.stringify(build)};`));
fs.rmSync(path.join(dist, 'www', 'sw.js'), { force: true });
console.log(`sw-manifest: version ${version}, ${files.length} files cached by ${path.relative(process.cwd(), TARGET)}`);
