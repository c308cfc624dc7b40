// Makes the fuzzers' starting material from the real fixtures in tests/fixtures/:
//
//   fuzz/query.heapsnapshot.gz   the snapshot the `query` target asks its questions of: node-tracked
//                                cut down to a couple of thousand nodes, so that loading it once
//                                per fuzzing process is instant and every query is cheap;
//   fuzz/corpus/parse/seed-*     one cut of every fixture, small enough for the 4 KB inputs the
//                                fuzzers run with, prefixed with the three control bytes of the
//                                `parse` target (see fuzz/src/parse.rs), plain and gzip;
//   fuzz/corpus/query/seed-*     one call of every kind the `query` target decodes.
//
// A cut keeps a breadth-first selection of nodes from the root (at most `fanout` children of each
// node, so that it reaches past the first levels), every edge between kept nodes, the strings they
// name, their constructor locations and the part of the allocation trace tree their
// trace_node_ids point into. Counts are recomputed, so every cut is a valid snapshot made of real
// V8 output, written in V8's own layout (one record a line, non-ASCII as \uXXXX escapes).
//
// Usage: node fuzz/make-seeds.mjs   (then minimize: see "Fuzzing" in README.md)

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const FUZZ = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(FUZZ, '..', 'tests', 'fixtures');
// The fuzzers run with -max_len=4096, but small seeds breed small inputs, which keep the
// minimized corpus small: half of that.
const SEED_BYTES = 2048;

function load(name) {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, `${name}.heapsnapshot.gz`))));
}

// `tracked` more nodes with an allocation stack (when the snapshot has any) start the walk beside
// the root, so that even a small cut has a trace tree; so do `plain` plain objects with one
// property set, so that it has a `{a, b}` class name to give.
function cut(snap, maxNodes, fanout, tracked = 0, plain = 0) {
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const N = {
    type: meta.node_fields.indexOf('type'),
    name: meta.node_fields.indexOf('name'),
    edges: meta.node_fields.indexOf('edge_count'),
    trace: meta.node_fields.indexOf('trace_node_id'),
  };
  const E = {
    type: meta.edge_fields.indexOf('type'),
    name: meta.edge_fields.indexOf('name_or_index'),
    to: meta.edge_fields.indexOf('to_node'),
  };
  const edgeTypes = meta.edge_types[E.type];
  const indexed = new Set([edgeTypes.indexOf('element'), edgeTypes.indexOf('hidden')]);
  const nodeCount = snap.nodes.length / nf;
  const firstEdge = new Array(nodeCount + 1);
  firstEdge[0] = 0;
  for (let n = 0; n < nodeCount; n++) firstEdge[n + 1] = firstEdge[n] + snap.nodes[n * nf + N.edges];
  const target = (e) => snap.edges[e * ef + E.to] / nf;

  // Breadth first from the root, at most `fanout` children a node, spread over its edge list.
  const root = (snap.snapshot.root_index ?? 0) / nf;
  const kept = new Set([root]);
  const queue = [root];
  for (let n = 0; N.trace >= 0 && n < nodeCount && queue.length <= tracked; n++) {
    if (snap.nodes[n * nf + N.trace] !== 0 && !kept.has(n)) {
      kept.add(n);
      queue.push(n);
    }
  }
  const objectType = meta.node_types[N.type].indexOf('object');
  const propertyType = edgeTypes.indexOf('property');
  const shapes = new Map();
  for (let n = 0; plain > 0 && n < nodeCount; n++) {
    if (snap.nodes[n * nf + N.type] !== objectType || snap.strings[snap.nodes[n * nf + N.name]] !== 'Object') continue;
    const names = [];
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      if (snap.edges[e * ef + E.type] === propertyType) names.push(snap.strings[snap.edges[e * ef + E.name]]);
    }
    if (names.length < 2) continue;
    const key = names.sort().join(',');
    if (!shapes.has(key)) shapes.set(key, []);
    shapes.get(key).push(n);
  }
  const shared = [...shapes.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  for (const n of shared.slice(0, plain)) {
    if (!kept.has(n)) {
      kept.add(n);
      queue.push(n);
    }
  }
  for (let q = 0; q < queue.length && kept.size < maxNodes; q++) {
    const n = queue[q];
    const count = firstEdge[n + 1] - firstEdge[n];
    const step = Math.max(1, Math.floor(count / fanout));
    for (let i = 0; i < count && kept.size < maxNodes; i += step) {
      const to = target(firstEdge[n] + i);
      if (!kept.has(to)) {
        kept.add(to);
        queue.push(to);
      }
    }
  }
  const order = [...kept].sort((a, b) => a - b);
  const newIndex = new Map(order.map((n, i) => [n, i]));

  const strings = [snap.strings[0]];
  const stringIndex = new Map([[0, 0]]);
  const str = (i) => {
    if (!stringIndex.has(i)) {
      stringIndex.set(i, strings.length);
      strings.push(snap.strings[i]);
    }
    return stringIndex.get(i);
  };

  // The trace tree, kept down to the nodes that kept objects were allocated at.
  const traceFields = meta.trace_node_fields ?? [];
  const T = { id: traceFields.indexOf('id'), fn: traceFields.indexOf('function_info_index'), children: traceFields.indexOf('children') };
  const usedTraces = new Set();
  const nodes = [];
  const edges = [];
  for (const n of order) {
    const record = snap.nodes.slice(n * nf, (n + 1) * nf);
    record[N.name] = str(record[N.name]);
    let count = 0;
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      const to = target(e);
      if (!newIndex.has(to)) continue;
      const edge = snap.edges.slice(e * ef, (e + 1) * ef);
      if (!indexed.has(edge[E.type])) edge[E.name] = str(edge[E.name]);
      edge[E.to] = newIndex.get(to) * nf;
      edges.push(edge);
      count++;
    }
    record[N.edges] = count;
    if (N.trace >= 0 && record[N.trace] !== 0) usedTraces.add(record[N.trace]);
    nodes.push(record);
  }

  let traceTree = [];
  let functionInfos = [];
  const infoFields = meta.trace_function_info_fields ?? [];
  if (usedTraces.size > 0 && T.id >= 0 && T.fn >= 0 && T.children >= 0) {
    const fnIndex = new Map();
    const infoCount = infoFields.length;
    const F = { name: infoFields.indexOf('name'), script: infoFields.indexOf('script_name') };
    const fn = (i) => {
      if (!fnIndex.has(i)) {
        const info = snap.trace_function_infos.slice(i * infoCount, (i + 1) * infoCount);
        info[F.name] = str(info[F.name]);
        info[F.script] = str(info[F.script]);
        fnIndex.set(i, functionInfos.length / infoCount);
        functionInfos.push(...info);
      }
      return fnIndex.get(i);
    };
    // Returns the flat records of the kept part of a (nested) children list.
    const keep = (flat) => {
      const out = [];
      for (let i = 0; i < flat.length; i += traceFields.length) {
        const rec = flat.slice(i, i + traceFields.length);
        const children = keep(rec[T.children]);
        if (children.length === 0 && !usedTraces.has(rec[T.id])) continue;
        rec[T.fn] = fn(rec[T.fn]);
        rec[T.children] = children;
        out.push(...rec);
      }
      return out;
    };
    traceTree = keep(snap.trace_tree);
  } else {
    for (const record of nodes) if (N.trace >= 0) record[N.trace] = 0;
  }

  const locFields = meta.location_fields ?? [];
  const L = locFields.indexOf('object_index');
  const locations = [];
  for (let i = 0; L >= 0 && i < (snap.locations ?? []).length; i += locFields.length) {
    const rec = snap.locations.slice(i, i + locFields.length);
    const n = rec[L] / nf;
    if (!newIndex.has(n)) continue;
    rec[L] = newIndex.get(n) * nf;
    locations.push(rec);
  }

  const header = { ...snap.snapshot };
  header.node_count = nodes.length;
  header.edge_count = edges.length;
  if ('trace_function_count' in header) header.trace_function_count = functionInfos.length / Math.max(1, infoFields.length);
  if ('root_index' in header) header.root_index = newIndex.get(root) * nf;
  return { header, nodes, edges, functionInfos, traceTree, samples: snap.samples ?? [], locations, strings };
}

// V8's escaping: quotes, backslashes and control characters, and every non-ASCII UTF-16 unit as
// \uXXXX (lone surrogates included).
function quote(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

function serialize(c) {
  const records = (rows) => rows.map((r) => r.join(',')).join('\n,');
  const nested = (flat) => '[' + flat.map((v) => (Array.isArray(v) ? nested(v) : String(v))).join(',') + ']';
  const infoWidth = c.header.meta.trace_function_info_fields?.length || 1;
  const infos = [];
  for (let i = 0; i < c.functionInfos.length; i += infoWidth) infos.push(c.functionInfos.slice(i, i + infoWidth));
  return (
    '{"snapshot":' + JSON.stringify(c.header) + ',\n' +
    '"nodes":[' + records(c.nodes) + '],\n' +
    '"edges":[' + records(c.edges) + '],\n' +
    '"trace_function_infos":[' + records(infos) + '],\n' +
    '"trace_tree":' + nested(c.traceTree) + ',\n' +
    '"samples":[' + c.samples.join(',') + '],\n' +
    '"locations":[' + records(c.locations) + '],\n' +
    '"strings":[' + c.strings.map(quote).join(',\n') + ']}'
  );
}

// The largest cut of `snap` whose text fits in `limit` bytes.
function fitting(snap, limit, fanout, tracked, plain) {
  let lo = 1;
  let hi = 400;
  let best = serialize(cut(snap, 1, fanout, tracked, plain));
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const text = serialize(cut(snap, mid, fanout, tracked, plain));
    if (Buffer.byteLength(text) <= limit) {
      best = text;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

function writeDir(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) fs.writeFileSync(path.join(dir, name), bytes);
}

// The parse target's control bytes: bit 0 of the first asks for gzip, bits 1-2 for the chunking
// (0 whole, 1 single bytes, 2 up to 16 bytes, 3 up to 512 bytes); the next two seed the chunk
// sizes.
const parseSeeds = [];
const FIXTURE_NAMES = ['node-classes', 'node-leak', 'node-empty', 'node-tracked', 'chromium-detached', 'hung-clique'];
for (const name of FIXTURE_NAMES) {
  const snap = load(name);
  const text = Buffer.from(fitting(snap, SEED_BYTES, 6, 2, 3));
  // Check that the cut is what the parser will see: a snapshot with consistent counts.
  const back = JSON.parse(text.toString());
  const nf = back.snapshot.meta.node_fields.length;
  if (back.nodes.length !== back.snapshot.node_count * nf ||
      back.edges.length !== back.snapshot.edge_count * back.snapshot.meta.edge_fields.length) {
    throw new Error(`${name}: the cut's counts do not match its arrays`);
  }
  parseSeeds.push([`seed-${name}-plain`, Buffer.concat([Buffer.from([0b000, 0, 0]), text])]);
  parseSeeds.push([`seed-${name}-gzip-small-chunks`, Buffer.concat([Buffer.from([0b101, 7, 1]), text])]);
  parseSeeds.push([`seed-${name}-plain-large-chunks`, Buffer.concat([Buffer.from([0b110, 3, 9]), text])]);
  console.log(`${name}: seed of ${back.snapshot.node_count} nodes, ${back.snapshot.edge_count} edges, ` +
    `${back.trace_tree.length ? 'a trace tree, ' : ''}${text.length} bytes`);
}
writeDir(path.join(FUZZ, 'corpus', 'parse'), parseSeeds);

// The query target's snapshot: large enough to have classes, retainer chains, dominator subtrees,
// locations and allocation stacks, small enough that a query costs microseconds.
{
  const c = cut(load('node-tracked'), 2500, 8);
  const text = serialize(c);
  fs.writeFileSync(path.join(FUZZ, 'query.heapsnapshot.gz'), zlib.gzipSync(text, { level: 9 }));
  console.log(`query.heapsnapshot.gz: ${c.nodes.length} nodes, ${c.edges.length} edges, ${text.length} bytes`);
}

// One call of each kind (see fuzz/src/query.rs): the op byte, then little-endian u32 arguments;
// ordinals and ids with the top bit clear are taken modulo the snapshot's count, so these are all
// in range.
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const querySeeds = [
  ['seed-class-rows', Buffer.concat([Buffer.from([0, 4, 1, 2]), Buffer.from('ob')])],
  ['seed-class-members', Buffer.concat([Buffer.from([1]), u32(3), u32(0), u32(20)])],
  ['seed-node-details', Buffer.concat([Buffer.from([2]), u32(17)])],
  ['seed-edges', Buffer.concat([Buffer.from([3]), u32(0), u32(0), u32(20)])],
  ['seed-retainers', Buffer.concat([Buffer.from([4]), u32(40), u32(0), u32(20)])],
  ['seed-retaining-paths', Buffer.concat([Buffer.from([5]), u32(500), u32(3)])],
  ['seed-dominated', Buffer.concat([Buffer.from([6]), u32(0), u32(0), u32(20)])],
  ['seed-find-by-id', Buffer.concat([Buffer.from([7]), u32(99)])],
  ['seed-node-rows', Buffer.concat([Buffer.from([8, 3]), u32(1), u32(2), u32(0x80000000 | 5000), u32(0), u32(10)])],
];
writeDir(path.join(FUZZ, 'corpus', 'query'), querySeeds);
