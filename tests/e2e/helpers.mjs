// Shared setup for the end-to-end tests and the web benchmark: the built site served from
// 127.0.0.1, Debian's Chromium driven by playwright-core, the heaplens CLI for expected numbers.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = process.env.HEAPLENS_DIST || path.join(ROOT, 'dist');
export const FIXTURES = path.join(ROOT, 'tests/fixtures');
export const SCREENSHOTS = path.join(ROOT, 'tests/e2e/screenshots');
export const CLI = process.env.HEAPLENS_CLI || path.join(ROOT, 'target/release/heaplens');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// The flags that keep a headless Chromium quiet and offline here (see docs/toolchain.md).
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export function checkPrerequisites() {
  const missing = [];
  if (!fs.existsSync(path.join(DIST, 'index.html'))) missing.push(`${DIST}/index.html (run make dist)`);
  if (!fs.existsSync(CLI)) missing.push(`${CLI} (run cargo build --release)`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (run .ci/setup.sh browser)`);
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
}

// Starts the server (on `root`, dist/ unless told) and a browser with a fresh profile. Every
// request the browser makes, from the page or its worker, is recorded in `requests` so tests can
// check nothing left the origin. The site's service worker is blocked unless `serviceWorkers` is
// 'allow': requests it answers from its cache bypass playwright's routes, which some tests use to
// break or slow down the site's files.
export async function start({
  root = DIST, throttle, colorScheme = 'light', viewport = { width: 1280, height: 860 }, serviceWorkers = 'block',
} = {}) {
  const server = await serve(root, { throttle });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
    colorScheme,
    acceptDownloads: false,
    serviceWorkers,
  });
  const requests = [];
  const blockedByCsp = new Set();
  const consoleErrors = [];
  const dialogs = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) => {
    if (/^csp$|ERR_BLOCKED_BY_CSP/.test(request.failure()?.errorText || '')) blockedByCsp.add(request.url());
  });
  // A safety net: nothing a test does may reach another host, even if the page tried.
  await context.route((url) => url.origin !== server.origin && url.protocol !== 'data:', (route) => route.abort('blockedbyclient'));
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (message) => {
    // Playwright announces the blocked registration itself; the page handles the refusal.
    if (serviceWorkers === 'block' && message.text() === 'Service Worker registration blocked by Playwright') return;
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`worker: ${message.text()}`);
    });
  });
  await page.goto(server.url);
  await page.waitForSelector('body[data-state="idle"]');
  return {
    server, context, page, requests, blockedByCsp, consoleErrors, dialogs,
    async close() {
      await context.close();
      await server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Opens `file` through the file input and waits until the page is ready or shows an error.
export async function openFile(page, file) {
  const before = Number((await page.getAttribute('body', 'data-loads')) || 0);
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction((n) => Number(document.body.dataset.loads || 0) > n
    && ['ready', 'error'].includes(document.body.dataset.state), before, { timeout: 120_000 });
  return page.getAttribute('body', 'data-state');
}

// Waits until the class table shows at least `n` loaded rows.
// Counts the rows `classRows` reads: the grid keeps hidden rows for reuse, and while a new
// page of rows is on its way they are all hidden.
export async function waitForClassRows(page, n = 1) {
  await page.waitForFunction((count) => document.querySelectorAll('#summary-grid .tg-rows .tg-row[data-kind="class"]:not([hidden])').length >= count, n);
}

// The class rows on screen, top to bottom, as the test compares them with the CLI.
export async function classRows(page) {
  return page.$$eval('#summary-grid .tg-rows .tg-row[data-kind="class"]:not([hidden])', (rows) => rows
    .map((row) => ({
      top: row.getBoundingClientRect().top,
      name: row.querySelector('.tg-content .name').textContent,
      count: Number(row.dataset.count),
      self_size: Number(row.dataset.shallow),
      retained_size: Number(row.dataset.retained),
      distance: Number(row.dataset.distance),
      distanceText: row.children[1].textContent,
    }))
    .sort((a, b) => a.top - b.top)
    .map(({ top, ...rest }) => rest));
}

export function cliJson(...args) {
  return JSON.parse(execFileSync(CLI, [...args, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 }));
}

export function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

// The requests that went to another origin (the tests assert there are none). data: URLs never
// reach the network, and neither do requests the page's Content-Security-Policy refused, which the
// CSP test makes on purpose.
export function foreignRequests(session) {
  return session.requests.filter((url) => !url.startsWith(`${session.server.origin}/`)
    && !url.startsWith('data:') && !session.blockedByCsp.has(url));
}
