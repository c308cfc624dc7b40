// Records DevTools' Comparison view for a pair of snapshots (issue 10): per
// class, # New, # Deleted, # Delta, Alloc. Size, Freed Size and Size Delta,
// and the first new and deleted objects a class lists when expanded.
//
// Usage: node tests/oracle/diff-expected.mjs BEFORE AFTER [OUTPUT_NAME]
//   BEFORE, AFTER: snapshot paths (the base snapshot, then the one compared
//   with it, as in DevTools where AFTER is the selected snapshot and BEFORE is
//   chosen as its base); OUTPUT_NAME defaults to <before>__<after>.
//
// Writes tests/fixtures/expected/<OUTPUT_NAME>.diff.json.gz; the format is in
// tests/fixtures/README.md. Generated: never edit by hand.
//
// The rows follow the Memory panel (HeapSnapshotDiffDataGrid.populateChildren),
// which applies the AFTER snapshot's `{…}` interface definitions to BEFORE
// before aggregating it. heap-snapshot-toolkit's diff() applies BEFORE's own
// definitions instead; the file lists every class where the two disagree.

import path from 'node:path';
import { diff as toolkitDiff } from 'heap-snapshot-toolkit';
import { classKeyLocation, compareStrings, elapsed, fixtureName, loadSnapshot, writeExpected } from './lib.mjs';

// Objects listed per class and side. The Comparison grid fetches 50 rows at a
// time (HeapSnapshotDiffDataGrid.defaultPopulateCount()); two pages are kept.
const MAX_OBJECTS = 100;

// The Comparison grid sorts by `addedSize` (Alloc. Size), descending, by
// default; for that column an expanded class (HeapSnapshotDiffNode.comparator())
// sorts both its new and its deleted objects with
// ComparatorConfig('selfSize', descending, 'id', ascending), new ones first.
const OBJECTS_COMPARATOR = Object.freeze({
  fieldName1: 'selfSize',
  ascending1: false,
  fieldName2: 'id',
  ascending2: true,
});

function objectRows(provider) {
  provider.sortAndRewind(OBJECTS_COMPARATOR);
  return provider.serializeItemsRange(0, MAX_OBJECTS).items.map((n) => ({
    id: n.id,
    name: n.name,
    self_size: n.selfSize,
    retained_size: n.retainedSize,
    distance: n.distance,
  }));
}

function sameDiff(a, b) {
  return (
    a &&
    b &&
    a.addedCount === b.addedCount &&
    a.removedCount === b.removedCount &&
    a.addedSize === b.addedSize &&
    a.removedSize === b.removedSize
  );
}

// Ids of the objects the class table counts (self size > 0).
function aggregatedIds(snapshot) {
  const ids = new Set();
  const node = snapshot.createNode(0);
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (node.selfSize()) ids.add(node.id());
  }
  return ids;
}

async function main() {
  const [beforeFile, afterFile, outName] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    console.error('usage: node tests/oracle/diff-expected.mjs BEFORE AFTER [OUTPUT_NAME]');
    process.exit(1);
  }
  const started = Date.now();
  const name = outName ?? `${fixtureName(beforeFile)}__${fixtureName(afterFile)}`;
  const before = await loadSnapshot(path.resolve(beforeFile));
  const after = await loadSnapshot(path.resolve(afterFile));

  // What the Memory panel does: the later snapshot's interface definitions
  // are applied to the base before it is aggregated.
  const baseKey = `devtools:${beforeFile}`;
  const baseAggregates = before.aggregatesForDiff(after.interfaceDefinitions());
  const diffs = after.calculateSnapshotDiff(baseKey, baseAggregates);

  const classes = Object.entries(diffs).map(([key, d]) => ({
    name: d.name,
    class_key: key,
    location: classKeyLocation(key),
    new_count: d.addedCount,
    deleted_count: d.removedCount,
    count_delta: d.countDelta,
    alloc_size: d.addedSize,
    freed_size: d.removedSize,
    size_delta: d.sizeDelta,
    new_objects: objectRows(after.createAddedNodesProvider(baseKey, key)),
    deleted_objects: objectRows(before.createDeletedNodesProvider(d.deletedIndexes)),
  }));
  // The grid's default order: Alloc. Size descending, then name ascending;
  // the class key makes it total.
  classes.sort(
    (a, b) => b.alloc_size - a.alloc_size || compareStrings(a.name, b.name) || compareStrings(a.class_key, b.class_key),
  );

  // heap-snapshot-toolkit's diff(), for the record. Its cache key is the
  // snapshot's `uid`, which the toolkit never sets: give it one of its own so
  // that it does not return the result computed above.
  before.uid = `toolkit:${beforeFile}`;
  const toolkit = await toolkitDiff(before, after);
  const keys = new Set([...Object.keys(diffs), ...Object.keys(toolkit)]);
  const toolkitDiffers = [...keys].filter((k) => !sameDiff(diffs[k], toolkit[k])).sort(compareStrings);

  const beforeIds = aggregatedIds(before);
  const afterIds = aggregatedIds(after);
  let shared = 0;
  for (const id of afterIds) if (beforeIds.has(id)) shared++;

  const total = (field) => classes.reduce((sum, c) => sum + c[field], 0);
  writeExpected(`${name}.diff.json.gz`, {
    before: fixtureName(beforeFile),
    after: fixtureName(afterFile),
    before_objects: beforeIds.size,
    after_objects: afterIds.size,
    shared_ids: shared,
    totals: {
      new_count: total('new_count'),
      deleted_count: total('deleted_count'),
      alloc_size: total('alloc_size'),
      freed_size: total('freed_size'),
    },
    classes,
    toolkit_differs: toolkitDiffers,
  });
  console.log(
    `${name}: ${classes.length} classes changed, ${shared} of ${afterIds.size} ids shared, ` +
      `${toolkitDiffers.length} classes where heap-snapshot-toolkit's diff() differs (${elapsed(started)})`,
  );
}

await main();
