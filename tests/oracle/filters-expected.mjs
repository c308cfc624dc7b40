// Records the Summary view under each of DevTools' Summary filters (issues 9
// and 11): "Duplicated strings", "Objects retained by detached DOM nodes",
// "Objects retained by DevTools Console" (the always-available filters) and
// "Objects allocated before/between" snapshots (node id ranges). For
// duplicated strings it also lists every duplicated text with its copies.
//
// Usage: node tests/oracle/filters-expected.mjs [fixture ...]
// (default: every tests/fixtures/*.heapsnapshot.gz)
//
// Writes tests/fixtures/expected/<name>.filters.json.gz per fixture;
// tests/fixtures/README.md documents it. Generated: never edit by hand.

import path from 'node:path';
import {
  classRows,
  compareStrings,
  elapsed,
  fixtureFiles,
  fixtureName,
  loadSnapshot,
  writeExpected,
} from './lib.mjs';

// HeapSnapshotView.ALWAYS_AVAILABLE_FILTERS, in the order of the filter menu.
const NAMED_FILTERS = [
  { ui_name: 'Duplicated strings', filterName: 'duplicatedStrings' },
  { ui_name: 'Objects retained by detached DOM nodes', filterName: 'objectsRetainedByDetachedDomNodes' },
  { ui_name: 'Objects retained by DevTools Console', filterName: 'objectsRetainedByConsole' },
];

// How many nodes pass a filter (zero-sized ones included, although the
// Summary does not count them).
function passingNodes(snapshot, nodeFilter) {
  const filter = snapshot.createFilter(nodeFilter);
  const node = snapshot.createNode(0);
  let all = 0;
  let sized = 0;
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (!filter(node)) continue;
    all++;
    if (node.selfSize()) sized++;
  }
  return { nodes: all, nodes_with_size: sized };
}

function filterResult(snapshot, nodeFilter, extra) {
  return {
    ...extra,
    filter: nodeFilter,
    ...passingNodes(snapshot, nodeFilter),
    classes: classRows(snapshot.aggregatesWithFilter(nodeFilter)),
  };
}

// Every text the duplicatedStrings filter marks, with the nodes that hold it:
// grouped by the node's display name (JSHeapSnapshotNode.name(), which for a
// concatenated string is its flattened text, cut after 1024 characters or
// more), as the filter itself compares them.
function duplicatedTexts(snapshot) {
  const filter = snapshot.createFilter({ filterName: 'duplicatedStrings' });
  const node = snapshot.createNode(0);
  const byText = new Map();
  for (let o = 0; o < snapshot.nodeCount; o++) {
    node.nodeIndex = o * snapshot.nodeFieldCount;
    if (!filter(node)) continue;
    const text = node.name();
    let group = byText.get(text);
    if (!group) byText.set(text, (group = []));
    group.push({ id: node.id(), type: node.type(), self_size: node.selfSize() });
  }
  const texts = [...byText].map(([text, copies]) => {
    copies.sort((a, b) => a.id - b.id);
    return {
      text,
      copies: copies.length,
      self_size: copies.reduce((sum, c) => sum + c.self_size, 0),
      nodes: copies,
    };
  });
  texts.sort((a, b) => b.self_size - a.self_size || b.copies - a.copies || compareStrings(a.text, b.text));
  return texts;
}

async function processFixture(file) {
  const name = fixtureName(file);
  const started = Date.now();
  const snapshot = await loadSnapshot(file);
  const maxId = snapshot.maxJsNodeId();
  const half = Math.floor(maxId / 2);
  const filters = NAMED_FILTERS.map(({ ui_name, filterName }) => filterResult(snapshot, { filterName }, { ui_name }));
  // "Objects allocated before Snapshot 1" is (0, maxJSObjectId of snapshot 1];
  // "between Snapshot i-1 and i" is (max id of i-1, max id of i]. With one
  // snapshot, the halves of its own id range stand in for the later ranges.
  const ranges = [
    ['Objects allocated before this snapshot', 0, maxId],
    ['Lower half of the id range', 0, half],
    ['Upper half of the id range', half, maxId],
  ];
  for (const [ui_name, minNodeId, maxNodeId] of ranges) {
    filters.push(filterResult(snapshot, { minNodeId, maxNodeId }, { ui_name }));
  }
  const texts = duplicatedTexts(snapshot);
  writeExpected(`${name}.filters.json.gz`, { max_js_object_id: maxId, filters, duplicated_strings: texts });
  console.log(
    `${name}: ` + filters.map((f) => `${f.ui_name}: ${f.classes.length} classes`).join('; ') +
      `; ${texts.length} duplicated texts (${elapsed(started)})`,
  );
}

for (const file of fixtureFiles(process.argv.slice(2))) await processFixture(path.resolve(file));
