#!/usr/bin/env node
// Generates (once) a real Node heap snapshot whose `strings` section holds more than 2^29
// characters: 600,000 distinct strings of 1,024 characters (V8 writes at most 1,024 characters of
// each string into a snapshot). DevTools' loader accumulates the whole section into one JS string
// and fails on such files with "Invalid string length"; heaplens streams it.
//
//   node tests/bench/gen-strings-snapshot.mjs   # prints the path of the cached snapshot
//
// The file goes to ${HEAPLENS_BENCH_CACHE:-~/.cache/heaplens-bench}/bench-strings.heapsnapshot.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cache = process.env.HEAPLENS_BENCH_CACHE || path.join(os.homedir(), '.cache/heaplens-bench');
const out = path.join(cache, 'bench-strings.heapsnapshot');

if (process.argv[2] === '--child') {
  // Distinct contents, so V8 cannot share them: a counter spread over the whole string.
  const keep = [];
  const unit = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 600_000; i++) {
    const tag = `#${i.toString(36)}#`;
    let s = tag;
    while (s.length < 1024) s += unit[(s.length + i) % unit.length] + tag;
    keep.push(s.slice(0, 1024));
  }
  globalThis.keep = keep;
  const v8 = await import('node:v8');
  v8.writeHeapSnapshot(process.argv[3]);
  process.exit(0);
}

if (!fs.existsSync(out)) {
  fs.mkdirSync(cache, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const r = spawnSync(process.execPath, ['--max-old-space-size=8000', new URL(import.meta.url).pathname, '--child', tmp], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  fs.renameSync(tmp, out);
}
console.log(out, fs.statSync(out).size);
