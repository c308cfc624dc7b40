#!/usr/bin/env node
// The DevTools side of the benchmark: loads a heap snapshot with heap-snapshot-toolkit (Chrome
// DevTools' own heap snapshot worker) exactly as its README shows, then forces what the Summary
// view needs (the class table with retained sizes, and the statistics), and prints one line of
// JSON on stdout: {"nodes":N,"classes":C,"total_size":T}. Phase timings go to stderr.
//
//   node --max-old-space-size=16000 tests/bench/devtools-run.mjs FILE
//
// Building the snapshot (`parse`) already computes the dominator tree, retained sizes, distances
// and statistics (JSHeapSnapshot.initialize); `aggregatesWithFilter({})` then builds the
// per-class aggregates (count, self size, max retained size) over all objects.

import { createReadStream, statSync } from 'node:fs'
import { parse } from 'heap-snapshot-toolkit'

const file = process.argv[2]
if (!file || process.argv.length > 3) {
  console.error('usage: node --max-old-space-size=16000 devtools-run.mjs FILE')
  process.exit(64)
}
try {
  statSync(file)
} catch (e) {
  console.error(`devtools-run: cannot read ${file}: ${e.message}`)
  process.exit(66)
}

const sec = (t) => ((performance.now() - t) / 1000).toFixed(2)
const t0 = performance.now()
const snapshot = await parse(createReadStream(file, 'utf-8'))
const tParsed = performance.now()
const aggregates = await snapshot.aggregatesWithFilter({})
const tAgg = performance.now()
const statistics = await snapshot.getStatistics()

const result = {
  nodes: snapshot.nodeCount,
  classes: Object.keys(aggregates).length,
  total_size: statistics.total,
}
console.error(`devtools-run: parse+build ${((tParsed - t0) / 1000).toFixed(2)} s, ` +
  `aggregates ${((tAgg - tParsed) / 1000).toFixed(2)} s, total ${sec(t0)} s`)
// Exit as soon as stdout is flushed: don't wait for anything else to wind down.
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
