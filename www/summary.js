// The Summary view: the class table, DevTools' conventions.
//
// Top level: one row per class (Constructor, Distance, Shallow Size, Retained Size, Count), sorted
// by clicking a column header (again to reverse). Expanding a class lists its instances as
// `Name @id` by retained size; expanding an instance, or a reference, lists its outgoing
// references. All of it is paged from the worker by the tree grid. The search box filters the
// classes by name, or finds one object when it reads `@12345`.

import { TreeGrid } from './treegrid.js';
import { fetchPage, objectCell, sizeCell, placeholderText } from './rows.js';
import * as fmt from './format.js';

const P = self.HeaplensProtocol;

const COLUMNS = [
  { title: 'Constructor', sortKey: 'name', defaultDescending: false, width: 'minmax(12em, 1fr)', className: 'col-name' },
  { title: 'Distance', sortKey: 'distance', defaultDescending: false, width: '6.5em', className: 'col-num' },
  { title: 'Shallow Size', sortKey: 'self_size', width: '12em', className: 'col-num' },
  { title: 'Retained Size', sortKey: 'retained_size', width: '12em', className: 'col-num' },
  { title: 'Count', sortKey: 'count', width: '7.5em', className: 'col-num' },
];

// The view's own part of the page: the search box and the class table.
function build(host) {
  const search = fmt.el('input', {
    attrs: {
      type: 'search', id: 'search', placeholder: 'Class filter, or @12345 to find an object',
      autocomplete: 'off', spellcheck: 'false',
    },
  });
  const status = fmt.el('span', { className: 'search-status', attrs: { id: 'search-status', 'aria-live': 'polite' } });
  const toolbar = fmt.el('div', { className: 'toolbar' },
    fmt.el('label', { className: 'search' },
      fmt.el('span', { className: 'visually-hidden', text: 'Class filter, or @id to find an object' }),
      search),
    status);
  const grid = fmt.el('div', { className: 'grid-host', attrs: { id: 'summary-grid' } });
  host.replaceChildren(toolbar, grid);
  return { search, status, grid };
}

class SummaryView {
  constructor(host, app) {
    const { search, status, grid } = build(host);
    this.search = search;
    this.status = status;
    this.onSelectNode = (node) => app.selectNode(node);
    this.client = null;
    this.total = 0;
    this.sort = { key: 'retained_size', descending: true };
    this.filter = '';
    this.findRequest = null;
    this.typingTimer = 0;

    this.grid = new TreeGrid(grid, {
      label: 'Classes',
      columns: COLUMNS,
      sort: this.sort,
      onSort: (key, descending) => {
        this.sort = { key, descending };
        this.grid.reset();
      },
      fetch: (item, offset, limit) => this.fetch(item, offset, limit),
      cancel: (page) => this.client && this.client.cancel(page.id),
      expandable: () => true,
      renderRow: (item, cells, row) => this.renderRow(item, cells, row),
      placeholderText: (kind, parent, error) => placeholderText(kind, parent, error, (p) =>
        p === null ? (this.filter ? `No class matches “${this.filter}”` : 'No classes') : 'No references'),
      onSelect: (item) => {
        if (item.kind !== 'class') this.onSelectNode(item.row.node);
      },
    });

    search.addEventListener('input', () => {
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.applySearch(), 200);
    });
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        clearTimeout(this.typingTimer);
        this.applySearch();
      } else if (event.key === 'ArrowDown') {
        // From the search box straight into the table.
        event.preventDefault();
        this.grid.focus();
        if (!this.grid.active) this.grid.move(1);
      }
    });
  }

  attach({ client, summary }) {
    this.client = client;
    this.total = summary.total_size;
    this.grid.reset();
  }

  detach() {
    this.client = null;
    this.grid.reset();
  }

  fetch(item, offset, limit) {
    const client = this.client;
    if (!client) return new Promise(() => {});
    if (item === null) {
      return fetchPage(client, P.TO_WORKER.CLASSES, {
        sort: this.sort.key, descending: this.sort.descending, filter: this.filter, offset, limit,
      }, (row) => ({ kind: 'class', row }));
    }
    if (item.kind === 'class') {
      return fetchPage(client, P.TO_WORKER.INSTANCES, { classIndex: item.row.class, offset, limit },
        (row) => ({ kind: 'node', row }));
    }
    return fetchPage(client, P.TO_WORKER.EDGES, { node: item.row.node, offset, limit },
      (edge) => ({ kind: 'edge', edge_type: edge.edge_type, edge_name: edge.edge_name, row: edge.node }));
  }

  renderRow(item, cells, row) {
    const r = item.row;
    row.dataset.kind = item.kind;
    row.dataset.distance = String(r.distance);
    row.dataset.shallow = String(r.self_size);
    row.dataset.retained = String(r.retained_size);
    if (item.kind === 'class') {
      row.dataset.count = String(r.count);
      row.dataset.classIndex = String(r.class);
      cells[0].replaceChildren(fmt.el('span', { className: 'name', text: r.name }));
      cells[4].textContent = fmt.count(r.count);
    } else {
      row.dataset.node = String(r.node);
      row.dataset.id = String(r.id);
      objectCell(cells[0], r, item.kind === 'edge' ? item : null, ' :: ');
      cells[4].replaceChildren();
    }
    cells[1].textContent = fmt.distance(r.distance);
    sizeCell(cells[2], r.self_size, this.total);
    sizeCell(cells[3], r.retained_size, this.total);
  }

  // `@12345` finds an object; anything else filters the classes by name.
  applySearch() {
    const text = this.search.value.trim();
    const id = /^@(\d+)$/.exec(text);
    if (id) {
      this.findObject(Number(id[1]));
      return;
    }
    if (text.startsWith('@')) {
      this.status.textContent = 'Type an object id after @, for example @12345';
      return;
    }
    this.status.textContent = '';
    if (text !== this.filter) {
      this.filter = text;
      this.grid.reset();
    }
  }

  findObject(objectId) {
    if (!this.client) return;
    if (this.findRequest) this.client.cancel(this.findRequest.id);
    const request = this.client.request(P.TO_WORKER.FIND_ID, { objectId });
    this.findRequest = request;
    this.status.textContent = `Looking for @${objectId}…`;
    request.then(
      (node) => {
        this.findRequest = null;
        if (node === null) {
          this.status.textContent = `No object @${objectId} in this snapshot`;
        } else {
          this.status.textContent = `Showing @${objectId} below`;
          this.onSelectNode(node);
        }
      },
      (error) => {
        this.findRequest = null;
        this.status.textContent = error.message;
      },
    );
  }
}

export default {
  id: 'summary',
  title: 'Summary',
  inspector: true,
  create: (host, app) => new SummaryView(host, app),
};
