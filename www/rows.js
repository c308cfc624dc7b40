// What the tree views (Summary and Retainers) share: fetching pages of rows from the worker and
// filling the cells of object rows. Text only, through format.js.

import * as fmt from './format.js';

// Wraps a client request so the grid can cancel it: the grid keeps the derived promise, whose
// `id` is the request id the worker will echo.
export function fetchPage(client, def, fields, toItem) {
  const request = client.request(def, fields);
  const page = request.then((value) => ({ total: value.total, rows: value.rows.map(toItem) }));
  page.id = request.id;
  return page;
}

// Fills a size cell: bytes with thousands separators, then the share of the heap.
export function sizeCell(cell, value, total) {
  cell.replaceChildren(
    fmt.el('span', { className: 'num', text: fmt.bytes(value) }),
    fmt.el('span', { className: 'pct', text: fmt.percent(value, total) }),
  );
}

// The first cell of an object row: optional edge name, the object's name, its @id and badges.
// `joiner` is ' :: ' for references (DevTools' Summary) and ' in ' for retainers.
export function objectCell(cell, row, edge, joiner) {
  const parts = [];
  if (edge) {
    parts.push(fmt.el('span', { className: `edge edge-${edge.edge_type.replace(/[^a-z]/g, '')}`, text: fmt.edgeLabel(edge.edge_type, edge.edge_name) }));
    parts.push(fmt.el('span', { className: 'joiner', text: joiner }));
  }
  parts.push(fmt.el('span', { className: 'name', text: fmt.nodeLabel(row), title: row.class_name }));
  parts.push(fmt.el('span', { className: 'objid', text: ` @${row.id}` }));
  if (row.detached) parts.push(fmt.el('span', { className: 'badge', text: 'Detached' }));
  if (row.distance < 0) parts.push(fmt.el('span', { className: 'badge badge-muted', text: 'unreachable' }));
  cell.replaceChildren(...parts);
}

// The text of a placeholder row: a page still loading, a failed fetch, or an empty list (whose
// wording depends on the list, hence `emptyText(parent)`).
export function placeholderText(kind, parent, error, emptyText) {
  if (kind === 'loading') return 'Loading…';
  if (kind === 'error') return `Could not load: ${error}`;
  return emptyText(parent);
}
