// Writes a synthetic heap snapshot with one class of `count` instances, for the tests that need a
// huge class (virtual scrolling of millions of rows) without a huge real heap. The graph:
// (root) → (GC roots) → Holder, and Holder → [i] → Item for every instance, each Item holding a
// small string. Real snapshots come from Node (see safety.test.mjs); this one only has to be
// valid, big and fast to write.
//
//   node tests/e2e/synthetic.mjs OUT.heapsnapshot [count=2000000]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native',
  'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const T = Object.fromEntries(NODE_TYPES.map((t, i) => [t, i]));
const E = Object.fromEntries(EDGE_TYPES.map((t, i) => [t, i]));

export function writeSynthetic(file, count) {
  const strings = ['', '(GC roots)', 'Holder', 'Item', 'value', 'synthetic string'];
  const S = { empty: 0, gcRoots: 1, holder: 2, item: 3, value: 4, text: 5 };
  const nodeCount = 3 + 2 * count;
  const edgeCount = 2 + count * 2;
  const out = fs.openSync(file, 'w');
  let buffer = '';
  const write = (text) => {
    buffer += text;
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer);
      buffer = '';
    }
  };
  const meta = {
    node_fields: NODE_FIELDS,
    node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
    trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
    sample_fields: ['timestamp_us', 'last_assigned_id'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  write(`{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":${nodeCount},"edge_count":${edgeCount},"trace_function_count":0},\n"nodes":[`);
  // Node ordinals: 0 root, 1 (GC roots), 2 Holder, then Item i at 3 + 2i and its string at 4 + 2i.
  // Ids: odd numbers for objects, like V8.
  const F = NODE_FIELDS.length;
  write(`${T.synthetic},${S.empty},1,0,1,0,0`);
  write(`,\n${T.synthetic},${S.gcRoots},3,0,1,0,0`);
  write(`,\n${T.object},${S.holder},5,32,${count},0,0`);
  for (let i = 0; i < count; i++) {
    write(`,\n${T.object},${S.item},${7 + 4 * i},${24 + (i % 7) * 8},1,0,0`);
    write(`,\n${T.string},${S.text},${9 + 4 * i},20,0,0,0`);
  }
  write('],\n"edges":[');
  write(`${E.element},1,${1 * F}`);
  write(`,\n${E.element},1,${2 * F}`);
  for (let i = 0; i < count; i++) write(`,\n${E.element},${i},${(3 + 2 * i) * F}`);
  for (let i = 0; i < count; i++) write(`,\n${E.property},${S.value},${(4 + 2 * i) * F}`);
  write('],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n"strings":');
  write(JSON.stringify(strings));
  write('}\n');
  fs.writeSync(out, buffer);
  fs.closeSync(out);
  return { nodeCount, edgeCount };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node tests/e2e/synthetic.mjs OUT.heapsnapshot [count]');
    process.exit(64);
  }
  const count = Number(process.argv[3] || 2_000_000);
  const { nodeCount } = writeSynthetic(file, count);
  console.log(`wrote ${file}: ${nodeCount} nodes, ${count} instances of Item`);
}
