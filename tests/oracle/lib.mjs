// Helpers shared by the oracle scripts that record what DevTools computes for
// the views heaplens ports (views-expected.mjs, ignore-expected.mjs,
// allocations-expected.mjs, filters-expected.mjs, diff-expected.mjs).
//
// devtools-expected.mjs predates this module and keeps its own copies on
// purpose: its output is a contract with the parity tests, and it should not
// change because a helper here does.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { parse } from 'heap-snapshot-toolkit';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = path.resolve(HERE, '..', 'fixtures');
export const EXPECTED_DIR = path.join(FIXTURES_DIR, 'expected');

// DevTools' distance constants (HeapSnapshotModel.baseSystemDistance and
// baseUnreachableDistance).
export const BASE_SYSTEM_DISTANCE = 100000000;
export const BASE_UNREACHABLE_DISTANCE = 2 * BASE_SYSTEM_DISTANCE;

// Classes the fixtures were built around: their instances are always picked
// when a script samples instances, whatever their size.
export const INTERESTING_CLASSES = [
  'Item',
  'ListNode',
  'EphemeronValue',
  '{id, name, tags}',
  'MemFsNode',
  'CacheEntry',
  'EventEmitter',
  'Detached <div>',
  'Detached <span>',
  'Detached <ul>',
  'Widget',
];

// Compares strings the way Rust's `str` Ord does (by UTF-8 bytes, i.e. by code
// point) rather than by UTF-16 code units like JS's `<`, so that Rust tests can
// re-sort with the standard ordering and get the same order.
export function compareStrings(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// A class name that stands for V8 or embedder internals rather than for a
// user-visible constructor.
export function isInternalClass(name) {
  return name.startsWith('(') || name.startsWith('system /') || name === 'global' || name.startsWith('global /');
}

export function fixtureName(file) {
  return path.basename(file).replace(/\.heapsnapshot(\.gz)?$|\.heaptimeline(\.gz)?$/, '');
}

// The fixture paths given on the command line, or every committed fixture.
export function fixtureFiles(args) {
  if (args.length > 0) return args;
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => /\.heap(snapshot|timeline)\.gz$/.test(f))
    .sort()
    .map((f) => path.join(FIXTURES_DIR, f));
}

export async function loadSnapshot(file) {
  // parse() takes a Node stream of text chunks; setEncoding makes the stream
  // decode UTF-8 across chunk boundaries. Plain (not gzipped) files work too.
  const source = fs.createReadStream(file);
  let stream = source;
  if (file.endsWith('.gz')) {
    stream = zlib.createGunzip();
    source.on('error', (err) => stream.destroy(err)).pipe(stream);
  }
  stream.setEncoding('utf8');
  return parse(stream);
}

// Replaces lone surrogates by U+FFFD, which is what a lossy UTF-8 decoder (and
// serde_json) can represent; every other character is kept.
function wellFormed(value) {
  return typeof value === 'string' ? value.toWellFormed() : value;
}

// JSON with one row per line: an object or array whose own JSON text is short
// stays on one line, larger ones put each member on its own line. The output is
// deterministic for a given value.
export function stringify(value, indent = '') {
  const flat = JSON.stringify(value, (_k, v) => wellFormed(v));
  if (flat === undefined || flat.length <= 240 || value === null || typeof value !== 'object') return flat;
  const inner = indent + ' ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map((v) => inner + stringify(v, inner)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (keys.length === 0) return '{}';
  return (
    '{\n' +
    keys.map((k) => inner + JSON.stringify(wellFormed(k)) + ': ' + stringify(value[k], inner)).join(',\n') +
    '\n' +
    indent +
    '}'
  );
}

// Writes `value` as JSON into expected/<fileName>; a name ending in `.gz` is
// gzipped at level 9 (zlib writes no timestamp, so the bytes are reproducible).
export function writeExpected(fileName, value) {
  fs.mkdirSync(EXPECTED_DIR, { recursive: true });
  const text = stringify(value) + '\n';
  const out = path.join(EXPECTED_DIR, fileName);
  fs.writeFileSync(out, fileName.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : text);
  return out;
}

// The row every view file uses for one node: what DevTools' worker serializes
// for it (HeapSnapshotNode.serialize()) plus its class name.
export function nodeRow(snapshot, nodeIndex) {
  const node = snapshot.createNode(nodeIndex);
  return {
    id: node.id(),
    name: node.name(),
    class: node.className(),
    type: node.type(),
    self_size: node.selfSize(),
    retained_size: node.retainedSize(),
    distance: node.distance(),
  };
}

// Splits a public class key (aggregatesWithFilter's keys) into its parts:
// `,Name` for classes without a location, `scriptId,line,column,Name` for
// object classes whose constructor has one.
export function classKeyLocation(key) {
  const m = /^(\d+),(\d+),(\d+),/.exec(key);
  return m ? { script_id: Number(m[1]), line: Number(m[2]), column: Number(m[3]) } : null;
}

// Summary-style class rows for an aggregates object, in the order
// devtools-expected.mjs uses for `classes`: retained size descending, then
// name (UTF-8), count descending, self size descending, distance ascending,
// then the class key (UTF-8), which makes the order total.
export function classRows(aggregates) {
  const rows = Object.entries(aggregates).map(([key, a]) => ({
    name: a.name,
    class_key: key,
    count: a.count,
    self_size: a.self,
    retained_size: a.maxRet,
    distance: a.distance,
  }));
  rows.sort(
    (a, b) =>
      b.retained_size - a.retained_size ||
      compareStrings(a.name, b.name) ||
      b.count - a.count ||
      b.self_size - a.self_size ||
      a.distance - b.distance ||
      compareStrings(a.class_key, b.class_key),
  );
  return rows;
}

export function elapsed(started) {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}
