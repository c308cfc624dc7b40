// The hosted site offline: after one visit its service worker has cached the application (and
// nothing but the application: never a snapshot), the page reloads and analyzes a snapshot with the
// network off, and when a new version is deployed the page offers to reload into it, which replaces
// the old version's cache with the new one.
//
// The site is served from a copy of dist/, so that a new version can be deployed into it the way a
// build would: change a file and run .ci/sw-manifest.mjs again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  start, openFile, waitForClassRows, classRows, screenshotPath, foreignRequests,
  checkPrerequisites, DIST, FIXTURES, ROOT,
} from './helpers.mjs';
import { expectedTop } from './offline-shared.mjs';
import { serve } from './serve.mjs';

const LEAK = path.join(FIXTURES, 'node-leak.heapsnapshot.gz');
const TRACKED = path.join(FIXTURES, 'node-tracked.heapsnapshot.gz');
let site;
let s;
let restarted;

// The version and file list .ci/sw-manifest.mjs wrote into the site's sw.js.
function buildOf(root) {
  const match = /const BUILD = (\{.*\});/.exec(fs.readFileSync(path.join(root, 'sw.js'), 'utf8'));
  assert.ok(match, 'sw.js carries the build');
  return JSON.parse(match[1]);
}

// Every cache of the page's origin, with the paths of the URLs it holds.
function caches(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await self.caches.keys()) {
      const cache = await self.caches.open(name);
      out[name] = (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
    }
    return out;
  });
}

async function topRows(page, n) {
  await waitForClassRows(page, n);
  return (await classRows(page)).slice(0, n).map(({ distanceText, ...rest }) => rest);
}


before(async () => {
  checkPrerequisites();
  site = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-site-'));
  fs.cpSync(DIST, site, { recursive: true });
  s = await start({ root: site, serviceWorkers: 'allow' });
  // The first visit: the service worker installs, caches the application and takes the page over.
  await s.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
});

after(async () => {
  await s?.close();
  await restarted?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

test('the first visit caches exactly the application\'s files, in a cache named after the version', async () => {
  const build = buildOf(site);
  assert.match(build.version, /^[0-9a-f]{16}$/);
  const all = await caches(s.page);
  const names = Object.keys(all);
  assert.equal(names.length, 1, names.join(', '));
  assert.ok(names[0].endsWith(` ${build.version}`), names[0]);
  const expected = build.files.map((file) => new URL(file, 'http://x/').pathname).sort();
  assert.deepEqual(all[names[0]], expected);
  for (const file of ['/', '/index.html', '/heaplens_bg.wasm', '/heaplens.js', '/www/main.js', '/www/worker.js', '/www/protocol.js', '/www/style.css']) {
    assert.ok(expected.includes(file), `${file} is cached`);
  }
  for (const file of expected) assert.doesNotMatch(file, /heapsnapshot|heaptimeline|\.gz$|offline\.html$|sw\.js$/);
});

test('snapshots never enter the cache, the demo\'s included', async () => {
  const { page } = s;
  const before = Number(await page.getAttribute('body', 'data-loads'));
  await page.click('#demo-button');
  await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.state === 'ready', before);
  assert.equal(await openFile(page, TRACKED), 'ready');
  const cached = Object.values(await caches(page)).flat();
  assert.deepEqual(cached.filter((file) => /heapsnapshot|\.gz$/.test(file)), []);
});

test('with the network off the page reloads from the cache and analyzes a snapshot', async () => {
  const { page, context, server } = s;
  // Chromium's offline emulation does not cover the browser's own check for a new service worker
  // script, so the server goes down too: nothing at all can be reached.
  const port = Number(new URL(server.origin).port);
  await server.close();
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector('body[data-state="idle"]');
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is served by the service worker');
    assert.equal(await openFile(page, LEAK), 'ready', await page.textContent('#error-text'));
    assert.deepEqual(await topRows(page, 10), expectedTop(LEAK, 10));
    await page.screenshot({ path: screenshotPath('hosted-offline') });
    // The demo snapshot was never cached, so offline it cannot load; the page says so and stays usable.
    const loads = Number(await page.getAttribute('body', 'data-loads'));
    await page.click('#demo-button');
    await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.state === 'error', loads);
    // No update was offered: there is no new version to be seen.
    assert.equal(await page.$('#update-banner'), null);
  } finally {
    await context.setOffline(false);
    // The same origin again, for the next test (a service worker belongs to its origin).
    restarted = await serve(site, { port });
  }
  assert.deepEqual(foreignRequests(s), []);
});

test('a new deployment is offered with a banner, and reloading into it replaces the old cache', async () => {
  const { page, context } = s;
  // A second tab of the site, open while the new version arrives.
  const other = await context.newPage();
  await other.goto(s.server.url);
  await other.waitForSelector('body[data-state="idle"]');
  const old = buildOf(site);
  // Deploy a new version: one application file changes, and the build writes the new sw.js.
  fs.appendFileSync(path.join(site, 'www/style.css'), '\n/* the next version */\n');
  execFileSync(process.execPath, [path.join(ROOT, '.ci/sw-manifest.mjs'), site], { stdio: 'pipe' });
  const next = buildOf(site);
  assert.notEqual(next.version, old.version);

  // The browser looks for a new service worker at each navigation.
  await page.reload();
  await page.waitForSelector('body[data-state="idle"]');
  await page.waitForSelector('#update-banner', { timeout: 30_000 });
  assert.match(await page.textContent('#update-banner'), /A new version of heaplens is available — Reload/);
  // Until the user chooses, the page stays on the old version.
  assert.deepEqual(Object.keys(await caches(page)).map((name) => name.split(' ').at(-1)).sort(), [old.version, next.version].sort());
  await page.screenshot({ path: screenshotPath('update-offer') });

  await Promise.all([page.waitForEvent('load'), page.click('#update-reload')]);
  await page.waitForSelector('body[data-state="idle"]');
  await page.waitForFunction(async (version) => {
    const names = await self.caches.keys();
    return names.length === 1 && names[0].endsWith(` ${version}`);
  }, next.version, { timeout: 30_000 });
  assert.equal(await page.$('#update-banner'), null);
  const css = await page.evaluate(async () => (await fetch('www/style.css')).text());
  assert.match(css, /the next version/);

  // The other tab was offered the update as well; after the first tab's switch its Reload simply
  // reloads into the version now in charge.
  await other.waitForSelector('#update-banner');
  await Promise.all([other.waitForEvent('load'), other.click('#update-reload')]);
  await other.waitForSelector('body[data-state="idle"]');
  assert.equal(await other.$('#update-banner'), null);
  assert.match(await other.evaluate(async () => (await fetch('www/style.css')).text()), /the next version/);
  await other.close();
  assert.deepEqual(s.consoleErrors, []);
});
