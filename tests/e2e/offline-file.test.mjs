// The one-file offline build, dist/heaplens-offline.html, in Chromium: copied alone into an empty
// folder and opened through file:// with the network off, it opens snapshots through the file
// input and shows the CLI's numbers, and it asks for nothing but itself (and the blob: URL of the
// worker it builds). Also its size budget and its Content-Security-Policy, read from the file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  waitForClassRows, classRows, cliJson, screenshotPath, checkPrerequisites,
  FIXTURES, CHROMIUM, CHROMIUM_ARGS,
} from './helpers.mjs';
import { OFFLINE, expectedTop } from './offline-shared.mjs';
import { serve } from './serve.mjs';

const BUDGET_BYTES = 1_500_000;
const FILES = ['node-leak.heapsnapshot.gz', 'chromium-detached.heapsnapshot.gz'].map((name) => path.join(FIXTURES, name));

// The policy of the offline file, as directive → list of sources.
function policyOf(html) {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the offline file has a Content-Security-Policy meta tag');
  return new Map(match[1].split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

let tmp;
let userDataDir;
let context;
let page;
let fileUrl;
const requests = [];
const consoleErrors = [];

before(async () => {
  checkPrerequisites();
  assert.ok(fs.existsSync(OFFLINE), `${OFFLINE} exists (make dist writes it)`);
  // The file alone in an empty folder: nothing beside it could be loaded by accident.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-offline-'));
  const copy = path.join(tmp, 'heaplens-offline.html');
  fs.copyFileSync(OFFLINE, copy);
  fileUrl = pathToFileURL(copy).href;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 860 },
    colorScheme: 'light', acceptDownloads: false,
  });
  // The network is off, and any request but the file itself is refused and recorded.
  await context.setOffline(true);
  context.on('request', (request) => requests.push(request.url()));
  await context.route(() => true, (route) => (route.request().url() === fileUrl ? route.continue() : route.abort('blockedbyclient')));
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('worker', (worker) => worker.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`worker: ${message.text()}`);
  }));
  await page.goto(fileUrl);
  await page.waitForSelector('body[data-state="idle"]');
});

after(async () => {
  await context?.close();
  for (const dir of [tmp, userDataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the offline file fits the 1.5 MB budget', () => {
  const size = fs.statSync(OFFLINE).size;
  assert.ok(size <= BUDGET_BYTES, `${size} bytes`);
});

test('its policy allows only the inline script and style it carries, blob: workers and WebAssembly', () => {
  const html = fs.readFileSync(OFFLINE, 'utf8');
  const policy = policyOf(html);
  const hashOf = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  const styles = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)];
  assert.equal(scripts.length, 1, 'one inline script');
  assert.doesNotMatch(scripts[0][1], /\ssrc=/, 'the script is inline');
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), [hashOf(scripts[0][2]), "'wasm-unsafe-eval'"]);
  assert.deepEqual(policy.get('style-src'), styles.map((m) => hashOf(m[1])));
  assert.deepEqual(policy.get('worker-src'), ['blob:']);
  assert.deepEqual(policy.get('connect-src'), ["'none'"]);
  assert.deepEqual(policy.get('img-src'), ['data:']);
  for (const name of ['object-src', 'base-uri', 'form-action']) assert.deepEqual(policy.get(name), ["'none'"], name);
  const all = [...policy.values()].flat();
  assert.ok(!all.some((source) => /^'unsafe-(inline|eval|hashes)'$|^'self'$|\*|^(https?|file|ws|wss):/.test(source)), all.join(' '));
  // Nothing in the markup points at another file.
  assert.doesNotMatch(html.replace(/<script\b[^>]*>[\s\S]*?<\/script>|<style\b[^>]*>[\s\S]*?<\/style>/gi, ''),
    /\s(src|href)\s*=\s*"(?!data:|#)/i);
});

test('from file://, with the network off, it opens snapshots and shows the CLI\'s class table', async () => {
  assert.equal(await page.getAttribute('html', 'data-heaplens-build'), 'offline');
  assert.ok(await page.isHidden('#demo-button'), 'no demo button: the demo snapshot is not in the file');
  assert.equal(await page.locator('.js-demo:visible').count(), 0);
  for (const file of FILES) {
    const before = Number((await page.getAttribute('body', 'data-loads')) || 0);
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction((n) => Number(document.body.dataset.loads || 0) > n
      && ['ready', 'error'].includes(document.body.dataset.state), before, { timeout: 120_000 });
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#error-text'));
    await waitForClassRows(page, 10);
    const rows = (await classRows(page)).slice(0, 10).map(({ distanceText, ...rest }) => rest);
    assert.deepEqual(rows, expectedTop(file, 10), path.basename(file));
    assert.match(await page.textContent('#file-info'), new RegExp(path.basename(file).replace(/\./g, '\\.')));
  }
  // Selecting an instance shows its details and the CLI's shortest retaining paths.
  const file = FILES.at(-1);
  const cls = page.locator('#summary-grid .tg-row[data-kind="class"]', { hasText: expectedTop(file, 1)[0].name }).first();
  await cls.locator('.tg-toggle').click();
  const first = page.locator('#summary-grid .tg-rows .tg-row[data-kind="node"]').first();
  await first.waitFor();
  const id = await first.getAttribute('data-id');
  await first.click();
  await page.waitForSelector(`#details .object-name[data-id="${id}"]`);
  await page.waitForSelector('#paths .path');
  const chains = await page.$$eval('#paths .path', (lists) => lists.map((list) =>
    [...list.querySelectorAll('.path-node.link')].map((n) => Number(n.dataset.id))));
  assert.deepEqual(chains, cliJson('retainers', file, `@${id}`).paths.map((p) => p.steps.map((step) => step.node.id)));
  await page.screenshot({ path: screenshotPath('offline-file-chromium') });
  assert.deepEqual(consoleErrors, []);
});

test('it requested nothing but itself and the blob: URL of its worker', async () => {
  assert.ok(requests.includes(fileUrl), requests.join('\n'));
  const others = requests.filter((url) => url !== fileUrl && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(others, []);
});

test('served over http it works the same and registers no service worker', async () => {
  const server = await serve(tmp);
  await context.setOffline(false);
  const httpPage = await context.newPage();
  // Not even an attempt: its policy would refuse a registration, and the page would say so here.
  const messages = [];
  httpPage.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  try {
    const url = `${server.url}heaplens-offline.html`;
    // The server's whole origin is let through, so that a registration would show in its log.
    await context.route(`${server.origin}/**`, (route) => route.continue());
    await httpPage.goto(url);
    await httpPage.waitForSelector('body[data-state="idle"]');
    await httpPage.setInputFiles('#file-input', FILES[0]);
    await httpPage.waitForSelector('body[data-state="ready"]', { timeout: 120_000 });
    await waitForClassRows(httpPage, 5);
    assert.deepEqual((await classRows(httpPage)).slice(0, 5).map((r) => r.name), expectedTop(FILES[0], 5).map((r) => r.name));
    assert.equal(await httpPage.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
    assert.deepEqual(server.requests, ['/heaplens-offline.html']);
    assert.deepEqual(messages, []);
  } finally {
    await httpPage.close();
    await server.close();
  }
});
