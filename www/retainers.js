// The Retainers pane: who keeps the selected object alive.
//
// The tree lists the object's retainers as `edge in Name @id` (the engine already hides weak
// edges and edges from the root and orders them the way DevTools does: nearest to the roots
// first); expanding a retainer lists its own retainers, as deep as the user cares to go.

import { TreeGrid } from './treegrid.js';
import { fetchPage, objectCell, placeholderText } from './rows.js';
import * as fmt from './format.js';

const P = self.HeaplensProtocol;

// Narrower than the class table's columns: this pane shares the width with two others, so the
// sizes go without percentages here (the Object pane has them).
const COLUMNS = [
  { title: 'Object', width: 'minmax(10em, 1fr)', className: 'col-name' },
  { title: 'Distance', width: '6.5em', className: 'col-num' },
  { title: 'Shallow', width: '6.5em', className: 'col-num' },
  { title: 'Retained', width: '8em', className: 'col-num' },
];

export class RetainersView {
  constructor({ host, title }) {
    this.title = title;
    this.client = null;
    this.target = null;
    this.grid = new TreeGrid(host, {
      label: 'Retainers',
      columns: COLUMNS,
      fetch: (item, offset, limit) => this.fetch(item, offset, limit),
      cancel: (page) => this.client && this.client.cancel(page.id),
      expandable: () => true,
      renderRow: (item, cells, row) => {
        const r = item.row;
        row.dataset.kind = 'retainer';
        row.dataset.node = String(r.node);
        row.dataset.id = String(r.id);
        row.dataset.edgeType = item.edge_type;
        objectCell(cells[0], r, item, ' in ');
        cells[1].textContent = fmt.distance(r.distance);
        cells[2].textContent = fmt.bytes(r.self_size);
        cells[3].textContent = fmt.bytes(r.retained_size);
      },
      placeholderText: (kind, parent, error) => placeholderText(kind, parent, error, (p) =>
        p === null && this.target === null ? 'Select an object to see what retains it' : 'No retainers'),
    });
  }

  attach(client, summary) {
    this.client = client;
    this.target = null;
    this.title.textContent = 'Retainers';
    this.grid.reset();
  }

  detach() {
    this.client = null;
    this.target = null;
    this.grid.reset();
  }

  // Shows the retainers of `row` (a NodeRow).
  show(row) {
    this.target = row;
    this.title.textContent = `Retainers of ${fmt.nodeLabel(row)} @${row.id}`;
    this.grid.reset();
  }

  fetch(item, offset, limit) {
    if (!this.client || (item === null && this.target === null)) {
      // Nothing selected yet: an empty list, so the grid shows its hint.
      return Promise.resolve({ total: 0, rows: [] });
    }
    const node = item === null ? this.target.node : item.row.node;
    return fetchPage(this.client, P.TO_WORKER.RETAINERS, { node, offset, limit },
      (edge) => ({ kind: 'retainer', edge_type: edge.edge_type, edge_name: edge.edge_name, row: edge.node }));
  }
}
