// Records what Chrome DevTools computes for each heap snapshot fixture, so that
// heaplens' Rust tests can compare their own results against DevTools'.
//
// Usage: node tests/oracle/devtools-expected.mjs [fixture.heapsnapshot.gz ...]
// (default: every tests/fixtures/*.heapsnapshot.gz and *.heaptimeline.gz; an
// allocation timeline is a heap snapshot with samples, and gets the same files)
//
// DevTools' own heap snapshot worker is run in Node through the
// heap-snapshot-toolkit package (a build of devtools-frontend's
// heap_snapshot_worker), so the numbers here are exactly what the Memory panel
// shows for the same file. For each `<name>.heapsnapshot.gz` this writes, into
// tests/fixtures/expected/:
//
//   <name>.json            header counts, total size, statistics and the
//                          Summary view's class rows;
//   <name>.nodes.tsv.gz    per node: id, class, self size (after DevTools'
//                          shallow-size transfer), retained size, distance and
//                          immediate dominator id;
//   <name>.retainers.json  for up to 20 chosen nodes, the Retainers view's
//                          first 100 rows (in its default sort order) and the
//                          node's first 100 outgoing edges.
//
// The output format is a contract with the Rust tests; change it only together
// with them. The files are generated: never edit them by hand.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { parse } from 'heap-snapshot-toolkit';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES_DIR = path.resolve(HERE, '..', 'fixtures');
const EXPECTED_DIR = path.join(FIXTURES_DIR, 'expected');

// The Retainers view and the object (containment) view both fetch rows from
// the worker in pages of this size (HeapSnapshotSortableDataGrid's
// defaultPopulateCount()), and the Retainers view auto-expands its first page.
const PAGE_SIZE = 100;

// The comparator the Retainers view uses when it opens. The retainment data
// grid (HeapSnapshotRetainmentDataGrid in panels/profiler/HeapSnapshotDataGrids.ts)
// is sorted by its `distance` column, ascending, by default. For that column
// HeapSnapshotObjectNode.comparator() (panels/profiler/HeapSnapshotGridNodes.ts)
// returns ComparatorConfig('distance', ascending, 'name', true), and
// HeapSnapshotRetainingObjectNode.comparator() rewrites the field `distance` to
// `!edgeDistance`. In the worker, `!edgeDistance` is the retaining node's
// distance for the Retainers view (unreachable retainers sort last, at
// 200000000 + distance) and `name` is the retaining node's display name
// (JSHeapSnapshotNode.name(), e.g. `{id, name, tags}` for plain objects, the
// flattened text of a concatenated string). Ties are broken by the retainer's
// position in the snapshot's retainer list, which makes the order total.
const RETAINERS_COMPARATOR = Object.freeze({
  fieldName1: '!edgeDistance',
  ascending1: true,
  fieldName2: 'name',
  ascending2: true,
});

// Classes whose instances are always sampled for retainers.json when present,
// because the fixtures were built around them.
const INTERESTING_CLASSES = [
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
const MAX_SAMPLED_NODES = 20;

// Compares strings the way Rust's `str` Ord does (by UTF-8 bytes, i.e. by code
// point), rather than by UTF-16 code units like JS's `<`, so that Rust tests can
// re-sort their own output with the standard ordering and get the same order.
function compareStrings(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function loadSnapshot(file) {
  // parse() takes a Node stream of text chunks; setEncoding makes the gunzip
  // stream decode UTF-8 across chunk boundaries.
  const gunzip = zlib.createGunzip();
  gunzip.setEncoding('utf8');
  fs.createReadStream(file).on('error', (err) => gunzip.destroy(err)).pipe(gunzip);
  return parse(gunzip);
}

// The Summary view's rows: one per class key. DevTools keys object classes by
// constructor location as well as name, so two classes with the same name
// produce two rows with the same `name`.
function summaryClasses(snapshot) {
  const entries = Object.values(snapshot.aggregatesWithFilter({})).map((aggregate) => ({
    aggregate,
    row: {
      name: aggregate.name,
      count: aggregate.count,
      self_size: aggregate.self,
      retained_size: aggregate.maxRet,
      distance: aggregate.distance,
    },
  }));
  // A total order on everything that is written, so the file is deterministic
  // (rows equal in every field are interchangeable).
  entries.sort(
    ({ row: a }, { row: b }) =>
      b.retained_size - a.retained_size ||
      compareStrings(a.name, b.name) ||
      b.count - a.count ||
      b.self_size - a.self_size ||
      a.distance - b.distance,
  );
  return { rows: entries.map((e) => e.row), sortedAggregates: entries.map((e) => e.aggregate) };
}

function escapeField(s) {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

function nodesTsv(snapshot) {
  const { nodeCount, nodeFieldCount, dominatorsTree } = snapshot;
  const node = snapshot.createNode(0);
  const idOf = (ordinal) => {
    node.nodeIndex = ordinal * nodeFieldCount;
    return node.id();
  };
  const lines = ['#id\tclass\tself_size\tretained_size\tdistance\tdominator_id'];
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    const dominatorId = idOf(dominatorsTree[ordinal]);
    node.nodeIndex = ordinal * nodeFieldCount;
    lines.push(
      [
        node.id(),
        escapeField(node.className()),
        node.selfSize(),
        node.retainedSize(),
        node.distance(),
        dominatorId,
      ].join('\t'),
    );
  }
  return lines.join('\n') + '\n';
}

// Picks up to MAX_SAMPLED_NODES node indexes, deterministically, given the
// Summary aggregates in the order of the written `classes` rows: the biggest
// instance (by retained size, then lowest node index) of every row of the
// interesting classes, then of the largest non-internal classes, then a few
// strings: the biggest plain, concatenated and sliced string, and the string
// with the most retainers (to exercise the retainers sort on a long list).
function sampleNodes(snapshot, sortedAggregates) {
  const picked = [];
  const seen = new Set();
  const add = (nodeIndex) => {
    if (nodeIndex === undefined || seen.has(nodeIndex) || picked.length >= MAX_SAMPLED_NODES) return;
    seen.add(nodeIndex);
    picked.push(nodeIndex);
  };
  const node = snapshot.createNode(0);
  const biggest = (indexes, score = (n) => n.retainedSize()) => {
    let best;
    let bestScore = -1;
    for (const nodeIndex of indexes) {
      node.nodeIndex = nodeIndex;
      const value = score(node);
      if (value > bestScore || (value === bestScore && nodeIndex < best)) {
        best = nodeIndex;
        bestScore = value;
      }
    }
    return best;
  };
  for (const name of INTERESTING_CLASSES) {
    for (const a of sortedAggregates) if (a.name === name) add(biggest(a.idxs));
  }
  const isInternal = (name) => name.startsWith('(') || name.startsWith('system /') || name === 'global';
  for (const a of sortedAggregates) {
    if (picked.length >= MAX_SAMPLED_NODES - 4) break;
    if (!isInternal(a.name)) add(biggest(a.idxs));
  }
  const byName = (name) => sortedAggregates.filter((a) => a.name === name).flatMap((a) => a.idxs);
  const strings = byName('(string)');
  add(biggest(strings));
  add(biggest(byName('(concatenated string)')));
  add(biggest(byName('(sliced string)')));
  add(biggest(strings, (n) => n.snapshot.firstRetainerIndex[n.ordinal() + 1] - n.snapshot.firstRetainerIndex[n.ordinal()]));
  return picked;
}

function retainersAndEdges(snapshot, nodeIndexes) {
  const node = snapshot.createNode(0);
  return nodeIndexes.map((nodeIndex) => {
    node.nodeIndex = nodeIndex;
    const retainersProvider = snapshot.createRetainingEdgesProvider(nodeIndex);
    retainersProvider.sortAndRewind(RETAINERS_COMPARATOR);
    const retainers = retainersProvider.serializeItemsRange(0, PAGE_SIZE).items.map((edge) => ({
      edge_type: edge.type,
      edge_name: edge.name,
      from_id: edge.node.id,
      from_name: edge.node.name,
      from_distance: edge.node.distance,
    }));
    // No sortAndRewind: the object view's provider then lists edges in
    // snapshot order (invisible edges filtered out).
    const edgesProvider = snapshot.createEdgesProvider(nodeIndex);
    const edges = edgesProvider.serializeItemsRange(0, PAGE_SIZE).items.map((edge) => ({
      edge_type: edge.type,
      edge_name: edge.name,
      to_id: edge.node.id,
    }));
    return { node_id: node.id(), retainers, edges };
  });
}

async function processFixture(file) {
  const name = path.basename(file).replace(/\.(heapsnapshot|heaptimeline)\.gz$/, '');
  const started = Date.now();
  const snapshot = await loadSnapshot(file);
  const header = snapshot.profile.snapshot;
  const { rows, sortedAggregates } = summaryClasses(snapshot);

  const summary = {
    node_count: header.node_count,
    edge_count: header.edge_count,
    total_size: snapshot.totalSize,
    statistics: snapshot.getStatistics(),
    classes: rows,
  };
  fs.writeFileSync(path.join(EXPECTED_DIR, `${name}.json`), JSON.stringify(summary, null, 1) + '\n');

  const tsv = zlib.gzipSync(nodesTsv(snapshot), { level: 9 });
  fs.writeFileSync(path.join(EXPECTED_DIR, `${name}.nodes.tsv.gz`), tsv);

  const sampled = sampleNodes(snapshot, sortedAggregates);
  const retainers = retainersAndEdges(snapshot, sampled);
  fs.writeFileSync(path.join(EXPECTED_DIR, `${name}.retainers.json`), JSON.stringify(retainers, null, 1) + '\n');

  console.log(
    `${name}: ${header.node_count} nodes, ${header.edge_count} edges, total_size ${snapshot.totalSize}, ` +
      `${rows.length} classes, ${sampled.length} sampled nodes (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs
        .readdirSync(FIXTURES_DIR)
        .filter((f) => f.endsWith('.heapsnapshot.gz') || f.endsWith('.heaptimeline.gz'))
        .sort()
        .map((f) => path.join(FIXTURES_DIR, f));
fs.mkdirSync(EXPECTED_DIR, { recursive: true });
for (const file of files) await processFixture(file);
