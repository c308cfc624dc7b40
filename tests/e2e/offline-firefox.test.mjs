// The one-file offline build in Firefox (Debian's firefox-esr, driven by puppeteer-core over
// WebDriver BiDi): copied alone into an empty folder and opened through file://, it opens a
// snapshot through the file input and shows the CLI's class table, without asking for anything but
// itself. Every other request is refused, and the browser's proxy points nowhere, so the network is
// off whatever the page might try.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { checkPrerequisites, screenshotPath, FIXTURES } from './helpers.mjs';
import { OFFLINE, expectedTop } from './offline-shared.mjs';

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const FIXTURE = path.join(FIXTURES, 'node-leak.heapsnapshot.gz');

let tmp;
let browser;
let page;
let fileUrl;
const requests = [];
const consoleErrors = [];

before(async () => {
  checkPrerequisites();
  assert.ok(fs.existsSync(FIREFOX), `${FIREFOX} exists (.ci/setup.sh browser installs it)`);
  assert.ok(fs.existsSync(OFFLINE), `${OFFLINE} exists (make dist writes it)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-offline-firefox-'));
  const copy = path.join(tmp, 'heaplens-offline.html');
  fs.copyFileSync(OFFLINE, copy);
  fileUrl = pathToFileURL(copy).href;
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1280, height: 860 },
    extraPrefsFirefox: {
      // Every connection goes to a proxy on a closed port: nothing can reach a network.
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': 9,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': 9,
      'network.proxy.no_proxies_on': '',
      'network.proxy.allow_hijacking_localhost': true,
    },
  });
  page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    requests.push(request.url());
    if (request.url() === fileUrl || request.url().startsWith('blob:') || request.url().startsWith('data:')) request.continue();
    else request.abort('blockedbyclient');
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  await page.goto(fileUrl);
  await page.waitForSelector('body[data-state="idle"]');
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('Firefox opens a snapshot in the offline file from file:// and shows the CLI\'s class table', async () => {
  assert.ok(await page.$eval('#demo-button', (button) => button.offsetParent === null), 'no demo button');
  const input = await page.$('#file-input');
  await input.uploadFile(FIXTURE);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state)
    && Number(document.body.dataset.loads || 0) > 0, { timeout: 120_000 });
  const state = await page.$eval('body', (body) => body.dataset.state);
  assert.equal(state, 'ready', await page.$eval('#error-text', (e) => e.textContent));
  await page.waitForFunction(() => document.querySelectorAll('#summary-grid .tg-rows .tg-row[data-kind="class"]:not([hidden])').length >= 10);
  const rows = await page.$$eval('#summary-grid .tg-rows .tg-row[data-kind="class"]:not([hidden])', (list) => list
    .map((row) => ({
      top: row.getBoundingClientRect().top,
      name: row.querySelector('.tg-content .name').textContent,
      count: Number(row.dataset.count),
      self_size: Number(row.dataset.shallow),
      retained_size: Number(row.dataset.retained),
      distance: Number(row.dataset.distance),
    }))
    .sort((a, b) => a.top - b.top)
    .map(({ top, ...rest }) => rest));
  assert.deepEqual(rows.slice(0, 10), expectedTop(FIXTURE, 10));
  fs.mkdirSync(path.dirname(screenshotPath('x')), { recursive: true });
  await page.screenshot({ path: screenshotPath('offline-file-firefox') });
  assert.deepEqual(consoleErrors, []);
});

test('in Firefox it requested nothing but itself and the blob: URL of its worker', () => {
  // Firefox's WebDriver BiDi does not report the file:// navigation, but it does report the page's
  // own requests: the data: favicon shows that the recording works.
  assert.ok(requests.includes('data:,'), requests.join('\n'));
  assert.deepEqual(requests.filter((url) => url !== fileUrl && !url.startsWith('blob:') && !url.startsWith('data:')), []);
});
