#!/usr/bin/env node
// Benchmark (not a test): opening a big snapshot in the web page vs the native CLI.
//
//   node tests/bench/web-bench.mjs [FILE] [--runs N]
//
// Browser: headless Chromium opens FILE through the page's file input; the time is measured in the
// page from the file input's change event (performance mark "heaplens:open") until the class
// table's first rows are on screen, i.e. until the user can interact with it. The worker's own
// load time (reading, parsing and every analysis) is reported next to it.
// Native: wall time of `target/release/heaplens summary FILE --json` for the same file.
// Each side runs N times (default 3) from a warm page cache; the best run of each is compared.
// Without FILE, a ~100 MB snapshot of a busy Node server is generated once with
// tests/bench/gen-snapshot.mjs into $HEAPLENS_BENCH_CACHE (default ~/.cache/heaplens-bench).
// Needs dist/ (make dist) and the CLI (cargo build --release).

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, checkPrerequisites, ROOT, CLI } from '../e2e/helpers.mjs';

const args = process.argv.slice(2);
let runs = 3;
let file = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '-h' || args[i] === '--help') {
    console.log('usage: node tests/bench/web-bench.mjs [FILE] [--runs N]');
    process.exit(0);
  } else file = args[i];
}

// About 8.5 kB of snapshot per scale unit plus Node's own ~8 MB (see gen-snapshot.mjs).
const DEFAULT_SCALE = 11_600;

function defaultSnapshot() {
  const cache = process.env.HEAPLENS_BENCH_CACHE || path.join(os.homedir(), '.cache/heaplens-bench');
  const out = path.join(cache, 'web-bench-100M.heapsnapshot');
  if (!fs.existsSync(out)) {
    fs.mkdirSync(cache, { recursive: true });
    console.error(`web-bench: generating ${out} (scale ${DEFAULT_SCALE}) ...`);
    const result = spawnSync(process.execPath, [path.join(ROOT, 'tests/bench/gen-snapshot.mjs'), '--scale', String(DEFAULT_SCALE), '--out', out], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error('snapshot generation failed');
  }
  return out;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  checkPrerequisites();
  file = path.resolve(file || defaultSnapshot());
  const size = fs.statSync(file).size;
  console.log(`web-bench: ${file} (${(size / 1e6).toFixed(1)} MB), ${runs} run(s) each`);

  // Warm the page cache so both sides read from memory.
  execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });

  const native = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(CLI, ['summary', file, '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
    native.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }

  const web = [];
  const workerLoads = [];
  const phaseRuns = [];
  const session = await start();
  try {
    const { page } = session;
    for (let i = 0; i < runs; i++) {
      // A fresh page for each run, so no run benefits from the previous one's worker.
      await page.reload();
      await page.waitForSelector('body[data-state="idle"]');
      await page.setInputFiles('#file-input', file);
      await page.waitForFunction(() => document.body.dataset.state === 'error'
        || document.querySelector('#summary-grid .tg-rows .tg-row[data-kind="class"]'), null, { polling: 'raf', timeout: 600_000 });
      const result = await page.evaluate(() => ({
        state: document.body.dataset.state,
        error: document.getElementById('error-text').textContent,
        interactive: performance.now() - performance.getEntriesByName('heaplens:open').at(-1).startTime,
        worker: Number(document.body.dataset.loadMillis),
        // When each loading phase started, relative to the open.
        phases: performance.getEntriesByType('mark')
          .filter((m) => m.name.startsWith('heaplens:phase:'))
          .map((m) => [m.name.slice('heaplens:phase:'.length), m.startTime - performance.getEntriesByName('heaplens:open').at(-1).startTime]),
      }));
      await page.evaluate(() => performance.clearMarks());
      if (result.state === 'error') throw new Error(`the page could not open the file: ${result.error}`);
      web.push(result.interactive);
      workerLoads.push(result.worker);
      phaseRuns.push({ phases: result.phases, end: result.interactive });
    }
    if (session.consoleErrors.length) console.error('web-bench: console errors:', session.consoleErrors);
  } finally {
    await session.close();
  }

  const bestNative = Math.min(...native);
  const bestWeb = Math.min(...web);
  // The best run's phases, with their durations (until the next phase, or the first rows).
  const best = phaseRuns[web.indexOf(bestWeb)];
  console.log('');
  console.log('browser phases (best run):');
  best.phases.forEach(([name, at], i) => {
    const until = i + 1 < best.phases.length ? best.phases[i + 1][1] : best.end;
    console.log(`  ${name.padEnd(28)} ${seconds(until - at)}`);
  });
  if (best.phases.length) console.log(`  ${'(before reading)'.padEnd(28)} ${seconds(best.phases[0][1])}`);
  const ratio = bestWeb / bestNative;
  console.log('');
  console.log(`native  heaplens summary --json     best ${seconds(bestNative)}   median ${seconds(median(native))}`);
  console.log(`browser class table interactive   best ${seconds(bestWeb)}   median ${seconds(median(web))}   (worker load ${seconds(Math.min(...workerLoads))})`);
  console.log(`ratio   browser / native          ${ratio.toFixed(2)}x   (target: within 2x) ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`);
  const record = {
    file, bytes: size, runs, native_ms: native, web_interactive_ms: web, web_worker_load_ms: workerLoads,
    best_native_ms: bestNative, best_web_ms: bestWeb, ratio,
  };
  const out = path.join(ROOT, 'target/web-bench-result.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(record, null, 1)}\n`);
  console.log(`web-bench: wrote ${path.relative(ROOT, out)}`);
}

main().catch((error) => {
  console.error(`web-bench: error: ${error.message}`);
  process.exit(1);
});
