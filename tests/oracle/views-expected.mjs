// Records what Chrome DevTools' heap snapshot worker computes for three views
// of each fixture (issue 9): the dominator tree, the instances of a class as
// the Summary lists them, and the Containment view.
//
// Usage: node tests/oracle/views-expected.mjs [fixture.heapsnapshot.gz ...]
// (default: every tests/fixtures/*.heapsnapshot.gz)
//
// For each `<name>.heapsnapshot.gz` this writes, into tests/fixtures/expected/:
//
//   <name>.dominators.json.gz   the root's immediate-dominator children and
//                               those of up to 5 nodes with many of them;
//   <name>.instances.json.gz    the instances of chosen classes, in the order
//                               the Summary lists them when a class is expanded;
//   <name>.containment.json.gz  the Containment view's rows from the root, for
//                               (GC roots) and its children, and for the
//                               global objects.
//
// tests/fixtures/README.md documents every field and the DevTools rules behind
// them. The files are generated: never edit them by hand.

import path from 'node:path';
import {
  INTERESTING_CLASSES,
  classKeyLocation,
  compareStrings,
  elapsed,
  fixtureFiles,
  fixtureName,
  isInternalClass,
  loadSnapshot,
  nodeRow,
  writeExpected,
} from './lib.mjs';

// Non-root nodes whose dominated children are listed: the first 3 by number of
// children, then the first 2 of a non-internal class (see isInternalClass).
const DOMINATOR_NODES_ANY = 3;
const DOMINATOR_NODES_USER = 2;
// A non-root node's children are listed up to this many (its `total` says how
// many there are); the root's children are always listed in full.
const MAX_DOMINATED_ROWS = 1000;

// Instances are listed for every class key of the interesting classes and of
// the largest non-internal classes, up to this many rows per class key.
const TOP_USER_CLASSES = 3;
const MAX_INSTANCE_ROWS = 2000;

// Rows per expanded node in the Containment view (DevTools fetches 100 per
// page; more rows pin the order further down).
const MAX_CONTAINMENT_ROWS = 500;

// The Summary's default sort column is `retainedSize`, descending
// (HeapSnapshotConstructorsDataGrid). For that column an expanded class
// (HeapSnapshotConstructorNode.comparator()) asks its nodes provider for
// ComparatorConfig('retainedSize', descending, 'id', ascending); the worker's
// HeapSnapshotNodesProvider breaks remaining ties by node index.
const INSTANCES_COMPARATOR = Object.freeze({
  fieldName1: 'retainedSize',
  ascending1: false,
  fieldName2: 'id',
  ascending2: true,
});

// The Containment grid also sorts by `retainedSize`, descending, by default
// (HeapSnapshotContainmentDataGrid); HeapSnapshotObjectNode.comparator() turns
// that into ComparatorConfig('retainedSize', descending, '!edgeName', ascending).
// HeapSnapshotEdgesProvider breaks remaining ties by edge index.
const CONTAINMENT_COMPARATOR = Object.freeze({
  fieldName1: 'retainedSize',
  ascending1: false,
  fieldName2: '!edgeName',
  ascending2: true,
});

function dominatedOrdinals(snapshot, ordinal) {
  const { firstDominatedNodeIndex, dominatedNodes, nodeFieldCount } = snapshot;
  const out = [];
  for (let i = firstDominatedNodeIndex[ordinal]; i < firstDominatedNodeIndex[ordinal + 1]; i++) {
    out.push(dominatedNodes[i] / nodeFieldCount);
  }
  return out;
}

// The children of a node in the dominator tree, by retained size descending,
// then id ascending (ids are unique in every fixture: checked below).
function dominatorChildren(snapshot, ordinal, limit) {
  const rows = dominatedOrdinals(snapshot, ordinal).map((o) => nodeRow(snapshot, o * snapshot.nodeFieldCount));
  rows.sort((a, b) => b.retained_size - a.retained_size || a.id - b.id);
  return { total: rows.length, children: limit === undefined ? rows : rows.slice(0, limit) };
}

function checkUniqueIds(snapshot) {
  const seen = new Set();
  const node = snapshot.createNode(0);
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (seen.has(node.id())) throw new Error(`duplicate node id ${node.id()}: the id tie-break is not total`);
    seen.add(node.id());
  }
}

function dominators(snapshot) {
  const { nodeCount, nodeFieldCount, firstDominatedNodeIndex } = snapshot;
  const rootOrdinal = snapshot.rootNodeIndex / nodeFieldCount;
  const node = snapshot.createNode(0);
  const byCount = [];
  for (let o = 0; o < nodeCount; o++) {
    const count = firstDominatedNodeIndex[o + 1] - firstDominatedNodeIndex[o];
    if (o !== rootOrdinal && count > 0) byCount.push({ o, count });
  }
  byCount.sort((a, b) => b.count - a.count || a.o - b.o);
  const picked = [];
  for (const { o } of byCount) {
    if (picked.length >= DOMINATOR_NODES_ANY) break;
    picked.push({ o, reason: 'most dominated children' });
  }
  let user = 0;
  for (const { o } of byCount) {
    if (user >= DOMINATOR_NODES_USER) break;
    node.nodeIndex = o * nodeFieldCount;
    if (isInternalClass(node.className()) || picked.some((p) => p.o === o)) continue;
    picked.push({ o, reason: 'most dominated children, non-internal class' });
    user++;
  }
  return {
    root: { node: nodeRow(snapshot, snapshot.rootNodeIndex), ...dominatorChildren(snapshot, rootOrdinal) },
    nodes: picked.map(({ o, reason }) => ({
      reason,
      node: nodeRow(snapshot, o * nodeFieldCount),
      ...dominatorChildren(snapshot, o, MAX_DOMINATED_ROWS),
    })),
  };
}

function instanceRow(item) {
  return {
    id: item.id,
    name: item.name,
    self_size: item.selfSize,
    retained_size: item.retainedSize,
    distance: item.distance,
  };
}

function instances(snapshot) {
  const aggregates = snapshot.aggregatesWithFilter({});
  const entries = Object.entries(aggregates);
  const names = new Set(INTERESTING_CLASSES.filter((n) => entries.some(([, a]) => a.name === n)));
  const userClasses = entries
    .filter(([, a]) => !isInternalClass(a.name) && !names.has(a.name))
    .sort(([ka, a], [kb, b]) => b.maxRet - a.maxRet || compareStrings(ka, kb));
  const extra = new Set();
  for (const [, a] of userClasses) {
    if (extra.size >= TOP_USER_CLASSES) break;
    extra.add(a.name);
  }
  for (const n of extra) names.add(n);
  const classes = [];
  for (const name of [...names].sort(compareStrings)) {
    const keys = entries
      .filter(([, a]) => a.name === name)
      .map(([k]) => k)
      .sort(compareStrings);
    const merged = [];
    const perKey = keys.map((key) => {
      const a = aggregates[key];
      const provider = snapshot.createNodesProviderForClass(key, {});
      provider.sortAndRewind(INSTANCES_COMPARATOR);
      const all = provider.serializeItemsRange(0, a.count).items.map(instanceRow);
      // The order the view lists is the same as "retained size descending,
      // then id ascending": make sure, since README.md says so.
      const resorted = [...all].sort((x, y) => y.retained_size - x.retained_size || x.id - y.id);
      if (resorted.some((r, i) => r.id !== all[i].id)) throw new Error(`${key}: instance order is not retained/id`);
      merged.push(...all);
      return {
        class_key: key,
        location: classKeyLocation(key),
        count: a.count,
        self_size: a.self,
        retained_size: a.maxRet,
        distance: a.distance,
        instances: all.slice(0, MAX_INSTANCE_ROWS),
      };
    });
    merged.sort((x, y) => y.retained_size - x.retained_size || x.id - y.id);
    classes.push({
      name,
      count: merged.length,
      classes: perKey,
      instances: merged.slice(0, MAX_INSTANCE_ROWS),
    });
  }
  return classes;
}

function containmentRows(snapshot, nodeIndex) {
  const provider = snapshot.createEdgesProvider(nodeIndex);
  provider.sortAndRewind(CONTAINMENT_COMPARATOR);
  const range = provider.serializeItemsRange(0, MAX_CONTAINMENT_ROWS);
  const node = snapshot.createNode(0);
  const edges = range.items.map((edge) => {
    node.nodeIndex = edge.node.nodeIndex;
    return {
      edge_type: edge.type,
      edge_name: edge.name,
      to: {
        id: edge.node.id,
        name: edge.node.name,
        class: node.className(),
        type: edge.node.type,
        self_size: edge.node.selfSize,
        retained_size: edge.node.retainedSize,
        distance: edge.node.distance,
      },
    };
  });
  return { total: range.totalLength, edges, nodeIndexes: range.items.map((e) => e.node.nodeIndex) };
}

function containment(snapshot) {
  const expanded = [];
  const expand = (nodeIndex, via) => {
    const { total, edges, nodeIndexes } = containmentRows(snapshot, nodeIndex);
    expanded.push({ via, node: nodeRow(snapshot, nodeIndex), total, edges });
    return nodeIndexes;
  };
  const rootChildren = expand(snapshot.rootNodeIndex, 'root');
  const root = snapshot.rootNode();
  const node = snapshot.createNode(0);

  // (GC roots) and each of its children, in the order the view lists them.
  const gcRootsIndex = rootChildren.find((i) => {
    node.nodeIndex = i;
    return node.name() === '(GC roots)';
  });
  if (gcRootsIndex !== undefined) {
    const children = expand(gcRootsIndex, '(GC roots)');
    for (const child of children) {
      expand(child, 'child of (GC roots)');
    }
  }

  // The global objects: the root's shortcut edges point at them (Node's
  // `global`, a page's Window). A snapshot without them (Chromium here) gets
  // the closest `Window…` objects instead.
  const globals = [];
  for (let it = root.edges(); it.hasNext(); it.next()) {
    if (it.edge.isShortcut()) globals.push(it.edge.nodeIndex());
  }
  if (globals.length === 0) {
    const windows = [];
    for (let o = 0; o < snapshot.nodeCount; o++) {
      node.nodeIndex = o * snapshot.nodeFieldCount;
      if (node.type() === 'object' && node.name().startsWith('Window')) windows.push(nodeRow(snapshot, node.nodeIndex));
    }
    const minDistance = Math.min(...windows.map((w) => w.distance));
    windows
      .filter((w) => w.distance === minDistance)
      .sort((a, b) => b.retained_size - a.retained_size || a.id - b.id)
      .slice(0, 3)
      .forEach((w) => {
        globals.push(snapshot.nodeForSnapshotObjectId(w.id).nodeIndex);
      });
  }
  for (const g of globals) expand(g, 'global object');
  return { expanded };
}

async function processFixture(file) {
  const name = fixtureName(file);
  const started = Date.now();
  const snapshot = await loadSnapshot(file);
  checkUniqueIds(snapshot);

  const dom = dominators(snapshot);
  writeExpected(`${name}.dominators.json.gz`, dom);
  const inst = instances(snapshot);
  writeExpected(`${name}.instances.json.gz`, inst);
  const cont = containment(snapshot);
  writeExpected(`${name}.containment.json.gz`, cont);

  console.log(
    `${name}: root dominates ${dom.root.total}, ${dom.nodes.length} more dominator nodes; ` +
      `instances of ${inst.map((c) => c.name).join(', ')}; ` +
      `${cont.expanded.length} containment nodes expanded (${elapsed(started)})`,
  );
}

for (const file of fixtureFiles(process.argv.slice(2))) await processFixture(path.resolve(file));
