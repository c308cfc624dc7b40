// Opening files: the file input, a drop, the demo button; progress and Cancel; invalid files and a
// crashing worker leave the page usable; every file gets a fresh worker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import {
  start, openFile, waitForClassRows, classRows, cliJson, screenshotPath, foreignRequests,
  checkPrerequisites, FIXTURES,
} from './helpers.mjs';

const EMPTY = path.join(FIXTURES, 'node-empty.heapsnapshot.gz');
const LEAK = path.join(FIXTURES, 'node-leak.heapsnapshot.gz');
const TRACKED = path.join(FIXTURES, 'node-tracked.heapsnapshot.gz');
const DEMO_PATH = '/node-leak.heapsnapshot.gz';
let s;
let tmp;
// The demo download is slowed down while `slowDemo` is set, to watch progress and cancel.
let slowDemo = false;

before(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-e2e-'));
  s = await start({ throttle: (pathname) => (slowDemo && pathname === DEMO_PATH ? 200_000 : null) });
});

after(async () => {
  await s?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function topNames(page, n) {
  await waitForClassRows(page, n);
  return (await classRows(page)).slice(0, n).map((r) => r.name);
}

function cliTopNames(file, n) {
  return cliJson('summary', file).classes.slice(0, n).map((c) => c.name);
}

test('the file input opens a snapshot', async () => {
  assert.equal(await openFile(s.page, EMPTY), 'ready');
  assert.deepEqual(await topNames(s.page, 10), cliTopNames(EMPTY, 10));
  assert.match(await s.page.textContent('#file-info'), /node-empty\.heapsnapshot\.gz/);
});

test('dropping a file on the page opens it', async () => {
  const { page } = s;
  const base64 = fs.readFileSync(TRACKED).toString('base64');
  const before = Number(await page.getAttribute('body', 'data-loads'));
  // A DataTransfer built in the page, carried by real drag events, as a drop from the desktop.
  const overlayShown = await page.evaluate(async ({ base64, name }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: 'application/gzip' }));
    const fire = (type, target) => target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    const target = document.querySelector('#summary-grid') || document.body;
    fire('dragenter', target);
    const accepted = !fire('dragover', target); // dispatchEvent is false when the page prevented the default
    const shown = !document.getElementById('drop-overlay').hidden;
    fire('drop', target);
    return shown && accepted;
  }, { base64, name: 'dropped.heapsnapshot.gz' });
  assert.ok(overlayShown, 'the drop zone covers the page during the drag and accepts files');
  await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.state === 'ready', before);
  assert.ok(await page.isHidden('#drop-overlay'));
  assert.match(await page.textContent('#file-info'), /dropped\.heapsnapshot\.gz/);
  assert.deepEqual(await topNames(page, 10), cliTopNames(TRACKED, 10));
});

test('the demo button loads the bundled snapshot from the same origin', async () => {
  const { page } = s;
  const before = Number(await page.getAttribute('body', 'data-loads'));
  await page.click('#demo-button');
  await page.waitForFunction((n) => Number(document.body.dataset.loads) > n && document.body.dataset.state === 'ready', before);
  assert.deepEqual(await topNames(page, 10), cliTopNames(LEAK, 10));
  assert.ok(s.server.requests.includes(DEMO_PATH));
});

test('progress shows bytes and phase, and Cancel stops the load', async () => {
  const { page } = s;
  slowDemo = true;
  try {
    await page.click('#demo-button');
    await page.waitForFunction(() => !document.getElementById('progress').hidden
      && document.getElementById('progress-bar').value > 0);
    const bytes = await page.textContent('#progress-bytes');
    assert.match(bytes, /of 1\.9\d MB/);
    assert.equal(await page.textContent('#progress-phase'), 'Reading');
    await page.screenshot({ path: screenshotPath('progress') });
    // While a file loads, its worker is the only one (the page prepares a spare only when idle).
    const workers = page.workers();
    assert.equal(workers.length, 1);
    const gone = new Promise((resolve) => workers[0].once('close', resolve));
    await page.click('#cancel-button');
    await page.waitForSelector('body[data-state="idle"]');
    assert.ok(await page.isHidden('#progress'));
    assert.ok(await page.isVisible('#welcome'));
    // The worker, and with it everything it read, is gone.
    await gone;
  } finally {
    slowDemo = false;
  }
  assert.equal(await openFile(page, EMPTY), 'ready');
});

test('invalid files show what is wrong and where; the page stays usable', async () => {
  const { page } = s;
  // A snapshot cut in the middle of its arrays.
  const json = zlib.gunzipSync(fs.readFileSync(EMPTY));
  const truncated = path.join(tmp, 'truncated.heapsnapshot');
  fs.writeFileSync(truncated, json.subarray(0, Math.floor(json.length / 3)));
  assert.equal(await openFile(page, truncated), 'error');
  let message = await page.textContent('#error-text');
  assert.match(message, /truncated\.heapsnapshot/);
  assert.match(message, new RegExp(`at byte ${Math.floor(json.length / 3)}`));
  assert.ok(await page.isVisible('#error-banner'));
  assert.ok(await page.isVisible('#welcome'));
  await page.screenshot({ path: screenshotPath('error-truncated') });

  // Random bytes.
  const random = path.join(tmp, 'random.heapsnapshot');
  fs.writeFileSync(random, crypto.randomBytes(4096));
  assert.equal(await openFile(page, random), 'error');
  message = await page.textContent('#error-text');
  assert.match(message, /random\.heapsnapshot: .*\(at byte \d+\)$/);

  // A gzip file cut short.
  const cut = path.join(tmp, 'cut.heapsnapshot.gz');
  const gz = fs.readFileSync(EMPTY);
  fs.writeFileSync(cut, gz.subarray(0, gz.length >> 1));
  assert.equal(await openFile(page, cut), 'error');
  assert.match(await page.textContent('#error-text'), /cut\.heapsnapshot\.gz: \S/);

  // An empty file.
  const empty = path.join(tmp, 'empty.json');
  fs.writeFileSync(empty, '');
  assert.equal(await openFile(page, empty), 'error');
  assert.match(await page.textContent('#error-text'), /empty/);

  // And then a good file loads, and the error is gone.
  assert.equal(await openFile(page, EMPTY), 'ready');
  assert.ok(await page.isHidden('#error-banner'));
  assert.deepEqual(await topNames(page, 5), cliTopNames(EMPTY, 5));
});

test('a crashing worker is reported and another file can be opened', async () => {
  const { page, context } = s;
  // Replace the wasm-bindgen glue with a script that throws while the worker starts.
  await context.route('**/heaplens.js', (route) => route.fulfill({
    status: 200,
    contentType: 'text/javascript',
    body: 'throw new Error("simulated crash in the worker");',
  }));
  try {
    // The spare worker the page prepared before the route existed still works; the next worker
    // started under the route is broken.
    let state = await openFile(page, EMPTY);
    if (state === 'ready') state = await openFile(page, EMPTY);
    assert.equal(state, 'error');
    const message = await page.textContent('#error-text');
    assert.match(message, /stopped: .*simulated crash in the worker/);
    assert.match(message, /open another file/);
    await page.screenshot({ path: screenshotPath('error-crash') });
  } finally {
    await context.unroute('**/heaplens.js');
  }
  assert.equal(await openFile(page, EMPTY), 'ready');
});

test('every file gets a fresh worker; old ones are terminated', async () => {
  const { page } = s;
  const files = [EMPTY, LEAK, TRACKED, EMPTY, LEAK, TRACKED, EMPTY, LEAK, TRACKED, EMPTY];
  let started = 0;
  const count = () => started++;
  page.on('worker', count);
  for (const file of files) {
    assert.equal(await openFile(page, file), 'ready');
  }
  page.off('worker', count);
  assert.ok(started >= files.length - 1, `a new worker per file (${started} started)`);
  // Left alive: the one holding the last snapshot, and at most one empty spare for the next file.
  for (let i = 0; i < 50 && page.workers().length > 2; i++) await page.waitForTimeout(20);
  assert.ok(page.workers().length <= 2, `${page.workers().length} workers alive`);
  assert.deepEqual(await topNames(page, 5), cliTopNames(EMPTY, 5));
});

test('no request left 127.0.0.1', () => {
  // Recorded for the page and its workers since the browser started.
  assert.deepEqual(foreignRequests(s), [], 'every request stays on the origin');
});
