// A class with two million instances scrolls smoothly: only the visible rows exist in the DOM,
// pages of rows are fetched as they come into view, the scrollbar reaches the last instance, and
// the main thread never blocks while scrolling.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openFile, waitForClassRows, screenshotPath, foreignRequests, checkPrerequisites } from './helpers.mjs';
import { writeSynthetic } from './synthetic.mjs';

const COUNT = Number(process.env.HEAPLENS_E2E_INSTANCES || 2_000_000);
let s;
let tmp;
let file;

before(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-virtual-'));
  file = path.join(tmp, 'big-class.heapsnapshot');
  writeSynthetic(file, COUNT);
  s = await start();
});

after(async () => {
  await s?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const rowsInDom = (page) => page.locator('#summary-grid .tg-row:not(.tg-header)').count();

test(`a class of ${COUNT.toLocaleString('en')} instances is virtualized and scrolls to its end`, { timeout: 300_000 }, async (t) => {
  const { page } = s;
  assert.equal(await openFile(page, file), 'ready');
  await waitForClassRows(page, 3);
  const item = page.locator('#summary-grid .tg-rows .tg-row[data-kind="class"]', { has: page.locator('.name', { hasText: /^Item$/ }) });
  assert.equal(await item.getAttribute('data-count'), String(COUNT));
  await item.locator('.tg-toggle').click();
  await page.waitForSelector('#summary-grid .tg-row[data-kind="node"]');
  const inDom = await rowsInDom(page);
  assert.ok(inDom < 80, `only the visible rows are in the DOM (${inDom})`);
  const setsize = await page.getAttribute('#summary-grid .tg-row[data-kind="node"] >> nth=0', 'aria-setsize');
  assert.equal(setsize, String(COUNT));

  // Watch for long tasks on the page's main thread while scrolling.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask', buffered: false });
  });
  const viewport = page.locator('#summary-grid .tg-viewport');
  await viewport.hover();
  const started = Date.now();
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, 2000);
    await page.waitForTimeout(16);
  }
  // Rows on screen are loaded shortly after the scrolling stops.
  await page.waitForFunction(() => !document.querySelector('#summary-grid .tg-rows .tg-row.placeholder:not([hidden])'));
  const wheelMillis = Date.now() - started;

  // Drag the scrollbar to the middle and to the very end (the scrollbar is scaled: the list is
  // taller than a browser lets an element be).
  // Wait until the rows on screen are loaded instances around the expected position.
  const settledAround = (low, high) => page.waitForFunction(([lo, hi]) => {
    const rows = [...document.querySelectorAll('#summary-grid .tg-rows .tg-row')];
    if (rows.some((r) => r.classList.contains('placeholder'))) return false;
    const positions = rows.filter((r) => r.dataset.kind === 'node').map((r) => Number(r.getAttribute('aria-posinset')));
    return positions.some((p) => p >= lo && p <= hi);
  }, [low, high]);
  await viewport.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) / 2; });
  await settledAround(COUNT * 0.45, COUNT * 0.55);
  await viewport.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await settledAround(COUNT, COUNT);
  assert.ok((await rowsInDom(page)) < 80);

  // The keyboard reaches the end too: End goes to the last class (after Item's instances), one
  // step up is Item's last instance; Home goes back to the top.
  await page.focus('#summary-grid [role="treegrid"]');
  const active = () => page.evaluate(() => {
    const grid = document.querySelector('#summary-grid [role="treegrid"]');
    const row = document.getElementById(grid.getAttribute('aria-activedescendant'));
    return row ? `${row.dataset.kind} ${row.getAttribute('aria-level')} ${row.getAttribute('aria-posinset')}` : null;
  });
  await page.keyboard.press('End');
  await page.waitForFunction(() => {
    const grid = document.querySelector('#summary-grid [role="treegrid"]');
    const row = document.getElementById(grid.getAttribute('aria-activedescendant'));
    return row && row.dataset.kind === 'class' && row.getAttribute('aria-posinset') === row.getAttribute('aria-setsize');
  });
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction((n) => {
    const grid = document.querySelector('#summary-grid [role="treegrid"]');
    const row = document.getElementById(grid.getAttribute('aria-activedescendant'));
    return row && row.dataset.kind === 'node' && row.getAttribute('aria-posinset') === String(n);
  }, COUNT).catch(async (error) => {
    throw new Error(`${error.message}; active row: ${await active()}`);
  });
  await page.screenshot({ path: screenshotPath('big-class-end') });
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#summary-grid .tg-viewport').scrollTop === 0);

  const longTasks = await page.evaluate(() => window.longTasks);
  const worst = Math.max(0, ...longTasks);
  t.diagnostic(`scrolling: 40 wheel steps in ${wheelMillis} ms; long tasks on the main thread: ${longTasks.length}, worst ${worst.toFixed(0)} ms`);
  assert.ok(worst < 200, `no main-thread task over 200 ms while scrolling (worst ${worst} ms)`);
});

test('no request left 127.0.0.1; no console error or warning', () => {
  // Recorded for the page and its workers since the browser started.
  assert.deepEqual(foreignRequests(s), [], 'every request stays on the origin');
  // CSP violations and failed loads would show here.
  assert.deepEqual(s.consoleErrors, []);
});
