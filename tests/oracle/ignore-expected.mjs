// Records what Chrome DevTools' heap snapshot worker does on "Ignore this
// retainer", "Stop ignoring this retainer" and "Restore ignored retainers"
// (issue 9): ignoreNodeInRetainersView, unignoreNodeInRetainersView and
// unignoreAllNodesInRetainersView, each followed by the distances the
// Retainers view then uses and the rows it shows for a target node.
//
// Usage: node tests/oracle/ignore-expected.mjs [fixture.heapsnapshot.gz ...]
// (default: every tests/fixtures/*.heapsnapshot.gz)
//
// Writes tests/fixtures/expected/<name>.ignore.json.gz per fixture; the format
// and the DevTools rules are in tests/fixtures/README.md. Generated: never edit
// the output by hand.

import path from 'node:path';
import {
  BASE_UNREACHABLE_DISTANCE,
  INTERESTING_CLASSES,
  compareStrings,
  elapsed,
  fixtureFiles,
  fixtureName,
  isInternalClass,
  loadSnapshot,
  nodeRow,
  writeExpected,
} from './lib.mjs';

// The Retainers view's default comparator (see devtools-expected.mjs).
const RETAINERS_COMPARATOR = Object.freeze({
  fieldName1: '!edgeDistance',
  ascending1: true,
  fieldName2: 'name',
  ascending2: true,
});
const PAGE_SIZE = 100;
// HeapSnapshotRetainingObjectNode.expand() calls expandRetainersChain(20).
const MAX_EXPAND_LEVELS = 20;
// At most this many changed distances are listed per step (all are counted).
const MAX_CHANGED_ROWS = 20000;

function retainerRows(snapshot, nodeIndex) {
  const provider = snapshot.createRetainingEdgesProvider(nodeIndex);
  provider.sortAndRewind(RETAINERS_COMPARATOR);
  const range = provider.serializeItemsRange(0, PAGE_SIZE);
  return {
    total: range.totalLength,
    rows: range.items.map((edge) => ({
      edge_type: edge.type,
      edge_name: edge.name,
      from_id: edge.node.id,
      from_name: edge.node.name,
      from_distance: edge.node.distance,
      ignored: edge.node.ignored,
      nodeIndex: edge.node.nodeIndex,
    })),
  };
}

const publicRow = ({ nodeIndex, ...row }) => row;

// The chain of first retainers the Retainers view opens by itself
// (HeapSnapshotRetainingObjectNode.expandRetainersChain): expand a node, and if
// its first row is at distance > 1 and reachable, expand that one, up to 20
// expanded nodes.
function retainersChain(snapshot, nodeIndex) {
  const chain = [];
  let current = nodeIndex;
  let levels = MAX_EXPAND_LEVELS;
  for (;;) {
    const { rows } = retainerRows(snapshot, current);
    if (--levels <= 0 || rows.length === 0) break;
    const first = rows[0];
    chain.push(publicRow(first));
    if (!(first.from_distance > 1 && first.from_distance < BASE_UNREACHABLE_DISTANCE)) break;
    current = first.nodeIndex;
  }
  return chain;
}

function retainersViewDistances(snapshot) {
  const out = new Float64Array(snapshot.nodeCount);
  for (let o = 0; o < snapshot.nodeCount; o++) {
    out[o] = snapshot.getDistanceForRetainersView(o * snapshot.nodeFieldCount);
  }
  return out;
}

function distanceChanges(snapshot, baseline) {
  const now = retainersViewDistances(snapshot);
  const node = snapshot.createNode(0);
  const changed = [];
  let changedCount = 0;
  let unreachable = 0;
  for (let o = 0; o < snapshot.nodeCount; o++) {
    if (now[o] >= BASE_UNREACHABLE_DISTANCE) unreachable++;
    if (now[o] === baseline[o]) continue;
    changedCount++;
    if (changed.length < MAX_CHANGED_ROWS) {
      node.nodeIndex = o * snapshot.nodeFieldCount;
      changed.push([node.id(), baseline[o], now[o]]);
    }
  }
  return { changed_count: changedCount, unreachable_count: unreachable, changed };
}

function biggestOf(snapshot, indexes) {
  const node = snapshot.createNode(0);
  let best;
  let bestSize = -1;
  for (const i of indexes) {
    node.nodeIndex = i;
    if (node.retainedSize() > bestSize || (node.retainedSize() === bestSize && i < best)) {
      best = i;
      bestSize = node.retainedSize();
    }
  }
  return best;
}

// Scenario targets. First: the biggest instance of the first interesting class
// present, else of the non-internal class with the largest retained size.
function firstTarget(snapshot) {
  const aggregates = Object.values(snapshot.aggregatesWithFilter({}));
  for (const name of INTERESTING_CLASSES) {
    const idxs = aggregates.filter((a) => a.name === name).flatMap((a) => a.idxs);
    if (idxs.length) return { nodeIndex: biggestOf(snapshot, idxs), why: `the biggest ${name}` };
  }
  const user = aggregates
    .filter((a) => !isInternalClass(a.name))
    .sort((a, b) => b.maxRet - a.maxRet || compareStrings(a.name, b.name))[0];
  return { nodeIndex: biggestOf(snapshot, user.idxs), why: `the biggest ${user.name}` };
}

// Second: a listener-like array, the `Array` (or internal array) with the
// most element edges to functions; the target is the function of its first
// such edge. Returns undefined when no array holds a function.
function listenerArray(snapshot) {
  const node = snapshot.createNode(0);
  let best;
  let bestCount = 0;
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (node.className() !== 'Array' && node.type() !== 'array') continue;
    let count = 0;
    let first;
    for (let it = node.edges(); it.hasNext(); it.next()) {
      if (it.edge.type() !== 'element') continue;
      const target = it.edge.node();
      if (target.type() !== 'closure') continue;
      count++;
      if (first === undefined) first = target.nodeIndex;
    }
    if (count > bestCount) {
      best = { array: node.nodeIndex, target: first };
      bestCount = count;
    }
  }
  return best && { ...best, functions: bestCount };
}

function step(snapshot, baseline, targetIndex, action) {
  const { total, rows } = retainerRows(snapshot, targetIndex);
  return {
    action,
    ignored_ids: [...Array(snapshot.nodeCount).keys()]
      .filter((o) => snapshot.isNodeIgnoredInRetainersView(o * snapshot.nodeFieldCount))
      .map((o) => snapshot.createNode(o * snapshot.nodeFieldCount).id())
      .sort((a, b) => a - b),
    any_ignored: snapshot.areNodesIgnoredInRetainersView(),
    distances: distanceChanges(snapshot, baseline),
    retainers_total: total,
    retainers: rows.map(publicRow),
    chain: retainersChain(snapshot, targetIndex),
  };
}

// The first retainer row of `targetIndex` that is reachable, not the root and
// not already ignored: the retainer on a shortest path.
function firstRetainer(snapshot, targetIndex) {
  const { rows } = retainerRows(snapshot, targetIndex);
  return rows.find((r) => !r.ignored && r.from_distance < BASE_UNREACHABLE_DISTANCE);
}

// Runs `plan` (a list of operations) against the target, recording a step
// after each one. An operation that finds no node to act on is skipped.
function scenario(snapshot, baseline, why, targetIndex, plan) {
  const steps = [step(snapshot, baseline, targetIndex, { op: 'none' })];
  const ignored = [];
  const ignore = (nodeIndex) => {
    ignored.push(nodeIndex);
    snapshot.ignoreNodeInRetainersView(nodeIndex);
    return { op: 'ignore', node: nodeRow(snapshot, nodeIndex) };
  };
  for (const op of plan) {
    let action;
    if (op.op === 'ignore') {
      action = ignore(op.nodeIndex);
    } else if (op === 'ignore-first-retainer') {
      const row = firstRetainer(snapshot, targetIndex);
      if (row === undefined) continue;
      action = ignore(row.nodeIndex);
    } else if (op === 'ignore-chain-end') {
      const chain = retainersChain(snapshot, targetIndex);
      const last = chain.length ? snapshot.nodeForSnapshotObjectId(chain[chain.length - 1].from_id) : null;
      if (!last || ignored.includes(last.nodeIndex)) continue;
      action = ignore(last.nodeIndex);
    } else if (op === 'unignore-first-ignored') {
      const nodeIndex = ignored.shift();
      if (nodeIndex === undefined) continue;
      snapshot.unignoreNodeInRetainersView(nodeIndex);
      action = { op: 'unignore', node: nodeRow(snapshot, nodeIndex) };
    } else if (op === 'unignore-all') {
      ignored.length = 0;
      snapshot.unignoreAllNodesInRetainersView();
      action = { op: 'unignore_all' };
    } else {
      throw new Error(`unknown operation ${JSON.stringify(op)}`);
    }
    steps.push(step(snapshot, baseline, targetIndex, action));
  }
  snapshot.unignoreAllNodesInRetainersView();
  return { why, target: nodeRow(snapshot, targetIndex), steps };
}

const EPHEMERON_EDGE = /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @\d+\)$/;

// The biggest node (by retained size, then lowest index) held by a WeakMap
// ephemeron edge, preferring nodes of a non-internal class; or undefined.
function ephemeronValue(snapshot) {
  const node = snapshot.createNode(0);
  const targets = new Set();
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    for (let it = node.edges(); it.hasNext(); it.next()) {
      if (it.edge.isInternal() && EPHEMERON_EDGE.test(it.edge.name())) targets.add(it.edge.nodeIndex());
    }
  }
  const user = [...targets].filter((i) => {
    node.nodeIndex = i;
    return !isInternalClass(node.className());
  });
  if (user.length) return biggestOf(snapshot, user);
  return targets.size ? biggestOf(snapshot, [...targets]) : undefined;
}

async function processFixture(file) {
  const name = fixtureName(file);
  const started = Date.now();
  const snapshot = await loadSnapshot(file);
  // With nothing ignored the Retainers view uses the Summary's distances,
  // except that unreachable nodes (-5) sort as 200000000.
  const baseline = retainersViewDistances(snapshot);

  const scenarios = [];
  const first = firstTarget(snapshot);
  scenarios.push(
    scenario(
      snapshot,
      baseline,
      `${first.why}: ignore its first retainer twice, stop ignoring the first one, ignore the end of its ` +
        'retainers chain, restore all',
      first.nodeIndex,
      ['ignore-first-retainer', 'ignore-first-retainer', 'unignore-first-ignored', 'ignore-chain-end', 'unignore-all'],
    ),
  );
  const listeners = listenerArray(snapshot);
  if (listeners) {
    scenarios.push(
      scenario(
        snapshot,
        baseline,
        `the array holding the most functions (${listeners.functions}), seen from the function of its first ` +
          'element: ignore the array, then stop ignoring it',
        listeners.target,
        [{ op: 'ignore', nodeIndex: listeners.array }, 'unignore-first-ignored'],
      ),
    );
  }
  const value = ephemeronValue(snapshot);
  if (value !== undefined) {
    scenarios.push(
      scenario(
        snapshot,
        baseline,
        'the biggest value held by a WeakMap ephemeron (of a non-internal class if any): ignore its first retainer, restore all',
        value,
        ['ignore-first-retainer', 'unignore-all'],
      ),
    );
  }
  writeExpected(`${name}.ignore.json.gz`, { node_count: snapshot.nodeCount, scenarios });
  console.log(
    `${name}: ${scenarios.length} scenarios, ` +
      scenarios.map((s) => s.steps.map((st) => st.distances.changed_count).join('/')).join(', ') +
      ` changed distances (${elapsed(started)})`,
  );
}

for (const file of fixtureFiles(process.argv.slice(2))) await processFixture(path.resolve(file));
