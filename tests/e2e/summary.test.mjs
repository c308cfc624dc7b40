// The Summary and Statistics views against the CLI: the same file must give the same numbers in
// the browser (WebAssembly, in a worker) as `heaplens summary --json` and `heaplens stats --json`.
// Also: sorting, filtering, expanding, keyboard navigation, selection with retainers and paths,
// and search by @id.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  start, openFile, waitForClassRows, classRows, cliJson, screenshotPath, foreignRequests,
  checkPrerequisites, FIXTURES,
} from './helpers.mjs';

const LEAK = path.join(FIXTURES, 'node-leak.heapsnapshot.gz');
let s;

before(async () => {
  checkPrerequisites();
  s = await start();
  assert.equal(await openFile(s.page, LEAK), 'ready');
  await waitForClassRows(s.page, 20);
});

after(async () => {
  await s?.close();
});

test('the top 20 classes equal `heaplens summary --json`', async () => {
  const expected = cliJson('summary', LEAK).classes.slice(0, 20);
  const rows = (await classRows(s.page)).slice(0, 20);
  assert.equal(rows.length, 20);
  const strip = ({ distanceText, ...rest }) => rest;
  assert.deepEqual(rows.map(strip), expected.map(({ name, count, self_size, retained_size, distance }) =>
    ({ name, count, self_size, retained_size, distance })));
  // Distances as DevTools writes them, sizes with separators and percentages.
  for (const row of rows) {
    assert.equal(row.distanceText, row.distance >= 0 && row.distance < 100000000 ? String(row.distance) : '\u2212');
  }
  const firstRetained = await s.page.textContent('#summary-grid .tg-rows .tg-row[data-kind="class"] >> nth=0 >> .tg-cell:nth-child(4)');
  assert.match(firstRetained, /^[\d,.\s\u00a0\u202f]+\d+ %$/);
  await s.page.screenshot({ path: screenshotPath('summary') });
});

test('clicking a header sorts, and clicking again reverses', async () => {
  const { page } = s;
  const byCount = cliJson('summary', LEAK).classes
    .slice()
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  await page.click('#summary-grid [role="columnheader"] >> text=Count');
  await page.waitForFunction(() => document.querySelector('#summary-grid [aria-sort="descending"]')?.textContent.includes('Count'));
  // The header changes at once; the rows when the worker's page arrives.
  await page.waitForFunction((top) => {
    const first = document.querySelector('#summary-grid .tg-rows .tg-row[data-kind="class"]:not([hidden])');
    return first && Number(first.dataset.count) === top;
  }, byCount[0].count);
  await waitForClassRows(page, 10);
  let rows = await classRows(page);
  assert.deepEqual(rows.slice(0, 10).map((r) => r.count), byCount.slice(0, 10).map((r) => r.count));
  assert.equal(rows[0].name, byCount[0].name);

  await page.click('#summary-grid [role="columnheader"] >> text=Count');
  await page.waitForFunction(() => document.querySelector('#summary-grid [aria-sort="ascending"]')?.textContent.includes('Count'));
  await page.waitForFunction(() => {
    const first = document.querySelector('#summary-grid .tg-rows .tg-row[data-kind="class"]');
    return first && Number(first.dataset.count) === 1;
  });
  rows = await classRows(page);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].count <= rows[i].count, 'ascending counts');

  // Back to the default order for the other tests.
  await page.click('#summary-grid [role="columnheader"] >> text=Retained Size');
  await page.waitForFunction(() => document.querySelector('#summary-grid [aria-sort="descending"]')?.textContent.includes('Retained'));
  await waitForClassRows(page, 20);
});

test('the filter box filters classes by name', async () => {
  const { page } = s;
  const expected = cliJson('summary', LEAK).classes.filter((c) => c.name.toLowerCase().includes('memfsn'));
  assert.equal(expected.length, 1);
  // Typing (no Enter): the filter applies after a short pause; case does not matter.
  await page.fill('#search', 'memfsn');
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('#summary-grid .tg-rows .tg-row[data-kind="class"]');
    return rows.length === 1 && rows[0].querySelector('.name').textContent === 'MemFsNode';
  });
  await page.fill('#search', 'no class has this name');
  await page.waitForFunction(() => document.querySelector('#summary-grid .tg-row[data-kind="empty"]')?.textContent.includes('No class matches'));
  await page.fill('#search', '');
  await waitForClassRows(page, 20);
});

test('expanding a class lists its instances; selecting one shows its retainers and path', async () => {
  const { page } = s;
  const cls = page.locator('#summary-grid .tg-row[data-kind="class"]', { hasText: 'MemFsNode' });
  await cls.locator('.tg-toggle').click();
  await page.waitForSelector('#summary-grid .tg-row[data-kind="node"]');
  const instances = page.locator('#summary-grid .tg-rows .tg-row[data-kind="node"]');
  const first = instances.first();
  assert.match(await first.locator('.tg-content').textContent(), /^MemFsNode @\d+$/);
  const id = await first.getAttribute('data-id');
  await first.click();

  // The Object pane, the retainer tree and the path from the GC roots all show that object.
  await page.waitForSelector(`#details .object-name[data-id="${id}"]`);
  await page.waitForSelector('#retainers-grid .tg-row[data-kind="retainer"]');
  await page.waitForSelector('#paths .path');
  const expected = cliJson('retainers', LEAK, `@${id}`);
  const retainerIds = await page.$$eval('#retainers-grid .tg-rows .tg-row[data-kind="retainer"]', (rows) => rows.map((r) => Number(r.dataset.id)));
  assert.deepEqual(retainerIds, expected.retainers.rows.map((r) => r.node.id).slice(0, retainerIds.length));
  const chains = await page.$$eval('#paths .path', (lists) => lists.map((list) =>
    [...list.querySelectorAll('.path-node.link')].map((n) => Number(n.dataset.id))));
  assert.deepEqual(chains, expected.paths.map((p) => p.steps.map((step) => step.node.id)));
  // The chain names its references, GC roots first and the object last.
  const chainText = await page.textContent('#paths .path');
  assert.match(chainText, /^GC roots/);
  assert.ok(chainText.trimEnd().endsWith(`@${id}`));
  assert.ok(!(await page.$$eval('#paths .edge-type', (e) => e.map((x) => x.textContent))).includes(' (weak)'));

  // Expanding a retainer lists its own retainers, one level deeper.
  const retainer = page.locator('#retainers-grid .tg-rows .tg-row[data-kind="retainer"]').first();
  await retainer.locator('.tg-toggle').click();
  await page.waitForSelector('#retainers-grid .tg-row[aria-level="2"][data-kind="retainer"]');

  // Expanding the instance lists its outgoing references.
  await first.locator('.tg-toggle').click();
  await page.waitForSelector('#summary-grid .tg-row[data-kind="edge"]');
  const edgeNames = await page.$$eval('#summary-grid .tg-rows .tg-row[data-kind="edge"] .edge', (e) => e.map((x) => x.textContent));
  assert.ok(edgeNames.includes('contents'), `MemFsNode holds its contents: ${edgeNames}`);
  await page.screenshot({ path: screenshotPath('selected-instance') });
});

test('the keyboard moves, expands and collapses (tree grid)', async () => {
  const { page } = s;
  // Start from a fresh table.
  await page.fill('#search', 'Map');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('#summary-grid .tg-rows .tg-row[data-kind="class"]')]
    .every((r) => r.textContent.includes('Map')));
  await page.press('#search', 'ArrowDown');
  const grid = page.locator('#summary-grid [role="treegrid"]');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'treegrid');
  // The grid renders on the next animation frame after a key press.
  const activeRow = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
    .then(() => page.evaluate(() => {
    const id = document.querySelector('#summary-grid [role="treegrid"]').getAttribute('aria-activedescendant');
    const row = id && document.getElementById(id);
    return row && { kind: row.dataset.kind, level: row.getAttribute('aria-level'), expanded: row.getAttribute('aria-expanded'), text: row.querySelector('.tg-content').textContent };
  }));
  let row = await activeRow();
  assert.equal(row.kind, 'class');
  assert.equal(row.level, '1');
  assert.equal(row.expanded, 'false');
  await grid.press('ArrowDown');
  const second = await activeRow();
  assert.notEqual(second.text, row.text);
  await grid.press('ArrowUp');
  await grid.press('Enter');
  await page.waitForFunction(() => document.querySelector('#summary-grid .tg-row[aria-level="2"][data-kind="node"]'));
  row = await activeRow();
  assert.equal(row.expanded, 'true');
  await grid.press('ArrowRight'); // into the children
  row = await activeRow();
  assert.equal(row.level, '2');
  assert.equal(row.kind, 'node');
  await grid.press('ArrowRight'); // expand the instance's references
  await page.waitForFunction(() => document.querySelector('#summary-grid .tg-row[aria-level="3"]'));
  await grid.press('ArrowLeft'); // collapse the instance
  row = await activeRow();
  assert.equal(row.expanded, 'false');
  await grid.press('ArrowLeft'); // to the class
  row = await activeRow();
  assert.equal(row.level, '1');
  await grid.press('ArrowLeft'); // collapse the class
  row = await activeRow();
  assert.equal(row.expanded, 'false');
  assert.equal(await page.locator('#summary-grid .tg-row[aria-level="2"]').count(), 0);
  // The focused row is visibly marked.
  const outline = await page.$eval('#summary-grid .tg-row.active', (r) => getComputedStyle(r).outlineStyle);
  assert.equal(outline, 'solid');
  await page.screenshot({ path: screenshotPath('keyboard') });
  await page.fill('#search', '');
  await page.press('#search', 'Enter');
});

test('@id in the search box finds the object and shows it', async () => {
  const { page } = s;
  const expected = cliJson('summary', LEAK);
  assert.ok(expected.node_count > 0);
  // An id from the CLI's retainers output of a known object: the first MemFsNode's dominator.
  const first = await page.evaluate(() => document.querySelector('#details .object-name')?.dataset.id);
  const node = cliJson('node', LEAK, `@${first}`);
  const target = node.dominator.id;
  await page.fill('#search', `@${target}`);
  await page.press('#search', 'Enter');
  await page.waitForSelector(`#details .object-name[data-id="${target}"]`);
  assert.match(await page.textContent('#search-status'), new RegExp(`@${target}`));
  await page.fill('#search', '@4294967');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelector('#search-status').textContent.startsWith('No object'));
  await page.fill('#search', '');
  await page.press('#search', 'Enter');
});

test('the Statistics view shows the totals of `heaplens stats --json`', async () => {
  const { page } = s;
  const stats = cliJson('stats', LEAK);
  await page.click('#tab-statistics');
  await page.waitForSelector('#statistics svg.donut');
  const shown = await page.$$eval('#statistics tr[data-key]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.key, Number(r.dataset.bytes)])));
  assert.equal(shown.total, stats.total);
  assert.equal(shown.v8heap, stats.v8heap);
  assert.equal(shown.native, stats.native);
  assert.equal(shown.code, stats.code);
  assert.equal(shown.strings, stats.strings);
  assert.equal(shown['js-arrays'], stats.js_arrays);
  assert.equal(shown['typed-arrays'], stats.typed_arrays);
  assert.equal(shown.system, stats.system);
  assert.equal(shown.other, stats.other);
  assert.equal(shown['other-native'], stats.native - stats.typed_arrays);
  // The slices add up to the total.
  const slices = ['code', 'strings', 'js-arrays', 'typed-arrays', 'system', 'other', 'other-native'];
  assert.equal(slices.reduce((sum, key) => sum + shown[key], 0), stats.total);
  // The total is written with separators in the table.
  const totalText = await page.textContent('#statistics tr[data-key="total"] td');
  assert.equal(totalText.replace(/\D/g, ''), String(stats.total));
  assert.ok(await page.locator('#statistics svg.donut path.slice').count() >= 3);
  await page.screenshot({ path: screenshotPath('statistics') });
  await page.click('#tab-summary');
});

test('dark theme follows the system setting', async () => {
  const { page } = s;
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.screenshot({ path: screenshotPath('summary-dark') });
  await page.click('#tab-statistics');
  await page.screenshot({ path: screenshotPath('statistics-dark') });
  await page.click('#tab-summary');
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light);
  assert.equal(light, 'rgb(255, 255, 255)');
});

test('no request left 127.0.0.1; no console error or warning', () => {
  // Recorded for the page and its workers since the browser started.
  assert.deepEqual(foreignRequests(s), [], 'every request stays on the origin');
  // CSP violations and failed loads would show here.
  assert.deepEqual(s.consoleErrors, []);
});
