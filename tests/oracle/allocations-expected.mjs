// Records DevTools' Allocation view for fixtures recorded with allocation
// tracking (issue 9): the functions top-down with count, size, live count and
// live size (allocationTracesTops), their callers bottom-up
// (allocationNodeCallers), objects' allocation stacks (allocationStack), the
// Summary filtered to one allocation function (NodeFilter.allocationNodeId),
// and, when the file has `samples` (a .heaptimeline), the timeline and the
// Summary filtered to an interval of it.
//
// Usage: node tests/oracle/allocations-expected.mjs [fixture ...]
// (default: every tests/fixtures/*.heapsnapshot.gz and *.heaptimeline.gz;
// fixtures without trace_function_infos are skipped)
//
// Writes tests/fixtures/expected/<name>.allocations.json per tracked fixture;
// tests/fixtures/README.md documents it. Generated: never edit by hand.

import path from 'node:path';
import {
  INTERESTING_CLASSES,
  classRows,
  compareStrings,
  elapsed,
  fixtureFiles,
  fixtureName,
  loadSnapshot,
  writeExpected,
} from './lib.mjs';

// The bottom-up tree is expanded fully under every top function, in the tops'
// order, until this many rows have been written in all.
const MAX_BOTTOM_UP_ROWS = 3000;
// The Summary is filtered to each of this many top functions.
const FILTERED_TOPS = 4;
// Allocation stacks are recorded for this many objects (see pickObjects).
const MAX_STACKS = 16;

function allocationRow(n) {
  return {
    name: n.name,
    script_name: n.scriptName,
    script_id: n.scriptId,
    line: n.line,
    column: n.column,
    count: n.count,
    size: n.size,
    live_count: n.liveCount,
    live_size: n.liveSize,
    has_children: n.hasChildren,
  };
}

// The Allocation grid sorts by its `size` column, descending, by default
// (AllocationDataGrid): one field only, with Array.prototype.sort, which is
// stable, so equal sizes keep the worker's order.
const bySizeDescending = (a, b) => (a.size > b.size ? -1 : a.size < b.size ? 1 : 0);

// Expands one top function bottom-up the way AllocationGridNode.doPopulate()
// does: the chain of single callers first (each nested in the previous one),
// then the branching callers sorted by the grid's comparator; every node with
// callers is expanded in turn (depth first, in display order).
function bottomUp(snapshot, top, budget) {
  const rows = [];
  const visit = (id, depth) => {
    const callers = snapshot.allocationNodeCallers(id);
    // Each single caller is nested in the previous one; the branching callers
    // are children of the last of them (or of the expanded node itself).
    let d = depth;
    for (const caller of callers.nodesWithSingleCaller) {
      if (rows.length >= budget.left) return;
      rows.push({ depth: d, ...allocationRow(caller) });
      d++;
    }
    const branching = [...callers.branchingCallers].sort(bySizeDescending);
    for (const caller of branching) {
      if (rows.length >= budget.left) return;
      rows.push({ depth: d, ...allocationRow(caller) });
      if (caller.hasChildren) visit(caller.id, d + 1);
    }
  };
  if (top.hasChildren) visit(top.id, 1);
  budget.left -= rows.length;
  return rows;
}

function biggestIndex(snapshot, idxs) {
  const node = snapshot.createNode(0);
  let best;
  let bestSize = -1;
  for (const i of idxs) {
    node.nodeIndex = i;
    if (node.retainedSize() > bestSize || (node.retainedSize() === bestSize && i < best)) {
      best = i;
      bestSize = node.retainedSize();
    }
  }
  return best;
}

// Objects whose allocation stack is recorded: the biggest instance of every
// class key of the interesting classes, the 4 objects with a trace node and
// the lowest ids, the 4 with a trace node and the biggest retained sizes, and
// the lowest-id object without one (whose stack is null).
function pickObjects(snapshot) {
  const picked = [];
  const add = (i) => {
    if (i !== undefined && !picked.includes(i) && picked.length < MAX_STACKS) picked.push(i);
  };
  const aggregates = snapshot.aggregatesWithFilter({});
  const keys = Object.keys(aggregates).sort(compareStrings);
  for (const name of INTERESTING_CLASSES) {
    for (const k of keys) if (aggregates[k].name === name) add(biggestIndex(snapshot, aggregates[k].idxs));
  }
  const node = snapshot.createNode(0);
  const traced = [];
  let untraced;
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (node.selfSize() === 0) continue;
    if (node.traceNodeId()) traced.push({ i: node.nodeIndex, id: node.id(), ret: node.retainedSize() });
    else if (untraced === undefined || node.id() < untraced.id) untraced = { i: node.nodeIndex, id: node.id() };
  }
  traced.sort((a, b) => a.id - b.id);
  traced.slice(0, 4).forEach((t) => add(t.i));
  [...traced].sort((a, b) => b.ret - a.ret || a.id - b.id).slice(0, 4).forEach((t) => add(t.i));
  add(untraced?.i);
  return picked;
}

function stacks(snapshot) {
  const node = snapshot.createNode(0);
  return pickObjects(snapshot).map((i) => {
    node.nodeIndex = i;
    const frames = snapshot.allocationStack(i);
    return {
      id: node.id(),
      name: node.name(),
      class: node.className(),
      trace_node_id: node.traceNodeId(),
      frames:
        frames &&
        frames.map((f) => ({
          function_name: f.functionName,
          script_name: f.scriptName,
          script_id: f.scriptId,
          line: f.line,
          column: f.column,
        })),
    };
  });
}

// The timeline interval filter as HeapTimelineOverview computes it for a
// selection covering samples [from, to): ids above the last id of the sample
// before the selection (0 when it starts at the first sample), up to the last
// id of the sample after it (Infinity when it ends at the last sample).
function intervalFilter(samples, from, to) {
  const ids = samples.lastAssignedIds;
  const minId = from > 0 ? ids[from - 1] : 0;
  const maxId = to < ids.length ? ids[to] : Infinity;
  return { minNodeId: minId, maxNodeId: maxId };
}

async function processFixture(file) {
  const name = fixtureName(file);
  const started = Date.now();
  const snapshot = await loadSnapshot(file);
  if (!snapshot.profile.snapshot.trace_function_count) {
    console.log(`${name}: no allocation tracking data, skipped`);
    return;
  }
  const tops = snapshot.allocationTracesTops();
  const budget = { left: MAX_BOTTOM_UP_ROWS };
  const result = {
    trace_function_count: snapshot.profile.snapshot.trace_function_count,
    tops: tops.map((t) => ({ id: t.id, ...allocationRow(t) })),
    bottom_up: tops.map((t) => ({ top_id: t.id, name: t.name, rows: bottomUp(snapshot, t, budget) })),
    stacks: stacks(snapshot),
    allocation_filters: tops.slice(0, FILTERED_TOPS).map((t) => ({
      top_id: t.id,
      name: t.name,
      classes: classRows(snapshot.aggregatesWithFilter({ allocationNodeId: t.id })),
    })),
  };
  const samples = snapshot.getSamples();
  if (samples) {
    const n = samples.timestamps.length;
    result.samples = {
      timestamps_ms: samples.timestamps,
      last_assigned_ids: samples.lastAssignedIds,
      sizes: samples.sizes,
    };
    const half = Math.floor(n / 2);
    result.interval_filters = [
      [0, n],
      [0, half],
      [half, n],
      [Math.floor(n / 4), Math.floor((3 * n) / 4)],
    ]
      .filter(([from, to]) => from < to)
      .map(([from, to]) => {
        const filter = intervalFilter(samples, from, to);
        return {
          samples: [from, to],
          min_node_id: filter.minNodeId,
          max_node_id: Number.isFinite(filter.maxNodeId) ? filter.maxNodeId : null,
          classes: classRows(snapshot.aggregatesWithFilter(filter)),
        };
      });
  }
  writeExpected(`${name}.allocations.json`, result);
  console.log(
    `${name}: ${tops.length} top functions, ${MAX_BOTTOM_UP_ROWS - budget.left} bottom-up rows, ` +
      `${result.stacks.length} stacks, ${samples ? samples.timestamps.length : 0} samples (${elapsed(started)})`,
  );
}

for (const file of fixtureFiles(process.argv.slice(2))) await processFixture(path.resolve(file));
