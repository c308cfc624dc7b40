// Safety: snapshot strings are rendered as text and run nothing, the Content-Security-Policy
// allows only the page's own origin and blocks nothing the page needs, and no request leaves
// 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  start, openFile, waitForClassRows, screenshotPath, foreignRequests, checkPrerequisites, FIXTURES, ROOT,
} from './helpers.mjs';

const CLASSES = path.join(FIXTURES, 'node-classes.heapsnapshot.gz');
// Payloads that would set a global flag (and, in the fixture, call alert) if they ever became
// markup. The flag is checked in the page after every step.
const TAG = '<img/src=x/onerror=window.__heaplensPwned=1>';
const KEY = '<img src=x onerror=window.__heaplensPwned=2>';
const SCRIPT = '<script>window.__heaplensPwned=3</script>';

let s;
let tmp;
let crafted;

before(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-safety-'));
  crafted = path.join(tmp, 'xss.heapsnapshot');
  // A real snapshot from this machine's Node, holding the payloads as a class name (V8 falls back
  // to Symbol.toStringTag for an anonymous class), as property names and as string contents.
  const program = `
    const [tag, key, script] = ${JSON.stringify([TAG, KEY, SCRIPT])};
    const makeAnonymousClass = () => class {};
    const Evil = makeAnonymousClass();
    Object.defineProperty(Evil.prototype, Symbol.toStringTag, { value: tag });
    class XssHolder {}
    const holder = new XssHolder();
    holder.text = script + ' and ' + key;
    holder.evil = [new Evil(), new Evil()];
    holder.keyed = { [key]: { [key]: 1 } };
    globalThis.xssHolder = holder;
    require('v8').writeHeapSnapshot(process.argv[1]);
  `;
  execFileSync(process.execPath, ['-e', program, crafted]);
  s = await start();
});

after(async () => {
  await s?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function assertNothingRan(page) {
  assert.equal(await page.evaluate(() => window.__heaplensPwned), undefined, 'no payload ran');
  assert.equal(await page.locator('img').count(), 0, 'no <img> element was created');
  assert.equal(await page.locator('body script').count(), 0, 'no <script> element was created');
  assert.deepEqual(s.dialogs, [], 'no dialog was opened');
}

async function showClass(page, filter) {
  await page.fill('#search', filter);
  await page.press('#search', 'Enter');
  await page.waitForFunction((f) => {
    const rows = [...document.querySelectorAll('#summary-grid .tg-rows .tg-row[data-kind="class"]')];
    return rows.length > 0 && rows.every((r) => r.querySelector('.name').textContent.toLowerCase().includes(f.toLowerCase()));
  }, filter);
}

test('HTML in class names, property names and strings of a crafted snapshot is shown as text', async () => {
  const { page } = s;
  assert.equal(await openFile(page, crafted), 'ready');
  await waitForClassRows(page, 5);

  // The class named by the payload: its name is text, exactly.
  await showClass(page, 'heaplensPwned');
  const names = await page.$$eval('#summary-grid .tg-rows .tg-row[data-kind="class"] .name', (e) => e.map((x) => x.textContent));
  assert.ok(names.includes(TAG), `class ${TAG} listed as text: ${JSON.stringify(names)}`);
  const row = page.locator('#summary-grid .tg-rows .tg-row[data-kind="class"]', { hasText: TAG });
  await row.locator('.tg-toggle').click();
  await page.waitForSelector('#summary-grid .tg-row[data-kind="node"]');
  await page.locator('#summary-grid .tg-rows .tg-row[data-kind="node"]').first().click();
  await page.waitForSelector('#details .object-name');
  await page.waitForSelector('#paths .path');
  assert.ok((await page.textContent('#details')).includes(TAG));
  await assertNothingRan(page);

  // The holder: its references carry the payloads as property names and string contents.
  await showClass(page, 'XssHolder');
  const holder = page.locator('#summary-grid .tg-rows .tg-row[data-kind="class"]').first();
  await holder.locator('.tg-toggle').click();
  const instance = page.locator('#summary-grid .tg-rows .tg-row[data-kind="node"]').first();
  await instance.waitFor();
  await instance.locator('.tg-toggle').click();
  await page.waitForSelector('#summary-grid .tg-row[data-kind="edge"]');
  const text = page.locator('#summary-grid .tg-rows .tg-row[data-kind="edge"]', { has: page.locator('.edge', { hasText: /^text$/ }) });
  const shown = await text.locator('.name').textContent();
  assert.ok(shown.includes(SCRIPT) && shown.includes(KEY), `the string is shown as text: ${shown}`);
  // Follow `keyed` to the object whose property name is the payload.
  const keyed = page.locator('#summary-grid .tg-rows .tg-row[data-kind="edge"]', { has: page.locator('.edge', { hasText: /^keyed$/ }) });
  await keyed.locator('.tg-toggle').click();
  await page.waitForFunction((key) => [...document.querySelectorAll('#summary-grid .tg-row[data-kind="edge"] .edge')]
    .some((e) => e.textContent === key), KEY);
  // Select it: the retainers pane and the path show the payload edge names as text too.
  const keyedChild = page.locator('#summary-grid .tg-rows .tg-row[data-kind="edge"][aria-level="4"]', { has: page.locator('.edge', { hasText: KEY }) });
  await keyedChild.click();
  await page.waitForFunction((key) => document.querySelector('#paths')?.textContent.includes(key), KEY);
  await page.waitForFunction((key) => document.querySelector('#retainers-grid')?.textContent.includes(key), KEY);
  await page.screenshot({ path: screenshotPath('xss-crafted') });
  await assertNothingRan(page);
});

test('the fixture with <img src=x onerror=alert(1)> names renders them as text', async () => {
  const { page } = s;
  assert.equal(await openFile(page, CLASSES), 'ready');
  await showClass(page, 'onerror');
  const names = await page.$$eval('#summary-grid .tg-rows .tg-row[data-kind="class"] .name', (e) => e.map((x) => x.textContent));
  assert.ok(names.includes('{<img src=x onerror=alert(1)>}'), JSON.stringify(names));
  assert.ok(names.includes('<img/src=x/onerror=alert(2)>'), JSON.stringify(names));
  // Expand each payload class (one at a time: the rows are virtual, so a row element found before
  // an expansion may show another item after it), then the first instance's references.
  for (const name of names) {
    await showClass(page, name);
    const row = page.locator('#summary-grid .tg-rows .tg-row[data-kind="class"]').first();
    await row.locator('.tg-toggle').click();
    await page.waitForSelector('#summary-grid .tg-row[data-kind="node"]');
    const first = page.locator('#summary-grid .tg-rows .tg-row[data-kind="node"]').first();
    assert.ok((await first.locator('.name').textContent()).startsWith(name));
    await first.click();
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#summary-grid .tg-row[data-kind="edge"]');
    await page.waitForSelector('#paths .path');
    await page.waitForFunction((n) => document.querySelector('#details .object-name')?.textContent.startsWith(n), name);
    await assertNothingRan(page);
  }
  await page.screenshot({ path: screenshotPath('xss-fixture') });
  // The search box echoes what was typed as text as well.
  await page.fill('#search', '@<img src=x onerror=alert(3)>');
  await page.press('#search', 'Enter');
  await assertNothingRan(page);
  await page.fill('#search', '');
  await page.press('#search', 'Enter');
});

test('the Content-Security-Policy allows only the own origin and the page needs nothing else', async () => {
  const { page } = s;
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|https?:|\*/);
  // Everything so far ran under it without a single violation or console error.
  assert.deepEqual(s.consoleErrors, []);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script in the page');
  // A request to another origin is refused by the policy before it reaches the network.
  const violations = await page.evaluate(() => new Promise((resolve) => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
    fetch('http://203.0.113.7/leak').catch(() => {});
    const img = new Image();
    img.src = 'http://203.0.113.7/leak.png';
    setTimeout(() => resolve(seen), 500);
  }));
  assert.ok(violations.includes('connect-src'), JSON.stringify(violations));
  assert.ok(violations.includes('img-src'), JSON.stringify(violations));
  // Those refusals are logged; nothing else is.
  const others = s.consoleErrors.filter((m) => !/Content Security Policy|Failed to fetch|net::ERR_BLOCKED/.test(m));
  assert.deepEqual(others, []);
  // Chromium reports the refused requests as failed with 'csp': they never left the page.
  for (const url of s.requests.filter((u) => u.includes('203.0.113.7'))) {
    assert.ok(s.blockedByCsp.has(url), `${url} was refused by the policy`);
  }
});

test('the page code never parses markup', () => {
  // Every string from a snapshot goes through textContent or createTextNode (www/format.js).
  for (const file of fs.readdirSync(path.join(ROOT, 'www')).filter((f) => f.endsWith('.js'))) {
    const code = fs.readFileSync(path.join(ROOT, 'www', file), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'createContextualFragment', 'DOMParser', 'eval(', 'new Function']) {
      assert.ok(!code.includes(sink), `${file} uses ${sink}`);
    }
  }
});

test('no request left 127.0.0.1', () => {
  // Recorded for the page and its workers since the browser started.
  assert.deepEqual(foreignRequests(s), [], 'every request stays on the origin');
});
