// A virtualized, lazily loaded tree grid: the class table and the retainer tree are both one.
//
// The data lives in the worker, so the grid never has a whole list: each expanded item is a
// Branch that knows its length (`total`, from the first page it fetched) and keeps a few pages of
// rows, fetched on demand as they scroll into view and forgotten when far away. Only the rows on
// screen exist in the DOM, and they are recycled as the user scrolls, so a class with two million
// instances costs as much as one with twenty.
//
// Flat row positions are computed from the branches' lengths and the (few) expanded children, so
// finding the row at a scroll offset walks the expanded items only, never the rows.
//
// Browsers cap an element's height (Chromium near 33 million pixels), which a list of millions of
// rows exceeds. Past MAX_SCROLL_PX the scrollbar is scaled: the grid keeps its own virtual offset
// and maps the scrollbar's position onto it.
//
// Keyboard (WAI-ARIA tree grid conventions): Up/Down move, PageUp/PageDown/Home/End jump,
// Right or Enter expands (Right again enters the children), Left collapses or goes to the parent.
// Focus stays on the grid element and aria-activedescendant names the active row.

import { el } from './format.js';

const MAX_SCROLL_PX = 8_000_000;
// Pages a branch keeps; the rest are dropped and fetched again if the user scrolls back.
const MAX_PAGES = 40;
let gridCount = 0;

class Branch {
  constructor(grid, item, parent, parentIndex) {
    this.grid = grid;
    this.item = item;
    this.parent = parent;
    this.parentIndex = parentIndex;
    this.level = parent ? parent.level + 1 : 0;
    this.total = null;
    this.error = null;
    this.pages = new Map();
    this.pending = new Map();
    this.expanded = new Map();
    this.sorted = [];
    this.dead = false;
  }

  // How many flat rows this branch's children take, counting their expanded descendants. A
  // branch still loading, empty or failed shows one placeholder row.
  size() {
    if (this.total === null || this.total === 0 || this.error) return 1;
    let n = this.total;
    for (const [, child] of this.sorted) n += child.size();
    return n;
  }

  placeholder() {
    if (this.error) return 'error';
    if (this.total === null) return 'loading';
    if (this.total === 0) return 'empty';
    return null;
  }

  itemAt(index) {
    const size = this.grid.pageSize;
    const rows = this.pages.get(Math.floor(index / size));
    return rows ? rows[index % size] : undefined;
  }

  resort() {
    this.sorted = [...this.expanded.entries()].sort((a, b) => a[0] - b[0]);
  }

  // Fetches page `p` unless it is here or on its way.
  want(p) {
    if (this.dead || this.error || this.pages.has(p) || this.pending.has(p)) return;
    const size = this.grid.pageSize;
    const request = this.grid.options.fetch(this.item, p * size, size);
    this.pending.set(p, request);
    request.then(
      (page) => {
        if (this.dead || this.pending.get(p) !== request) return;
        this.pending.delete(p);
        this.total = page.total;
        this.pages.set(p, page.rows);
        this.evict(p);
        this.grid.changed();
      },
      (error) => {
        if (this.dead || this.pending.get(p) !== request) return;
        this.pending.delete(p);
        this.error = error.message;
        this.grid.changed();
      },
    );
  }

  evict(keep) {
    if (this.pages.size <= MAX_PAGES) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - keep) - Math.abs(a - keep));
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }

  // Stops caring about answers for pages outside `keep` (a Set of page numbers).
  cancelOutside(keep) {
    for (const [p, request] of this.pending) {
      if (!keep.has(p)) {
        this.grid.options.cancel(request);
        this.pending.delete(p);
      }
    }
  }

  kill() {
    this.dead = true;
    for (const request of this.pending.values()) this.grid.options.cancel(request);
    this.pending.clear();
    for (const child of this.expanded.values()) child.kill();
  }
}

export class TreeGrid {
  // options:
  //   label            accessible name of the grid
  //   columns          [{title, sortKey?, defaultDescending?, className?, width}] (width: a CSS
  //                    grid track such as 'minmax(0, 1fr)' or '9em')
  //   fetch(item, offset, limit) → promise of {total, rows}; item is null for the top level.
  //   cancel(promise)  drops the answer of a fetch no longer needed
  //   expandable(item) whether the item has children to show
  //   renderRow(item, cells, row)  fills the cells of a loaded row; cells[0] is the first
  //                    column's content element. Text only (see format.js).
  //   placeholderText(kind, parentItem, error)  text for 'loading', 'empty' and 'error' rows
  //   onSelect(item)   the active row changed to a loaded item
  //   sort {key, descending} and onSort(key, descending), for sortable columns
  //   rowHeight, pageSize
  constructor(host, options) {
    this.options = options;
    this.rowHeight = options.rowHeight || 22;
    this.pageSize = options.pageSize || 200;
    this.id = `tg${++gridCount}`;
    this.sort = options.sort || null;
    this.active = null;
    this.reported = null;
    this.virtualTop = 0;
    this.expectedScrollTop = -1;
    this.frame = 0;
    this.pool = [];

    this.element = el('div', {
      className: 'tg',
      attrs: { role: 'treegrid', tabindex: '0', 'aria-label': options.label, 'aria-multiselectable': 'false' },
    });
    this.element.style.setProperty('--tg-columns', options.columns.map((c) => c.width).join(' '));
    this.header = el('div', { className: 'tg-row tg-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.headerCells = options.columns.map((column, i) => this.headerCell(column, i));
    this.header.append(...this.headerCells);
    this.viewport = el('div', { className: 'tg-viewport' });
    this.spacer = el('div', { className: 'tg-spacer' });
    this.rows = el('div', { className: 'tg-rows', attrs: { role: 'rowgroup' } });
    this.viewport.append(this.spacer, this.rows);
    this.element.append(el('div', { attrs: { role: 'rowgroup' } }, this.header), this.viewport);
    host.replaceChildren(this.element);

    this.viewport.addEventListener('scroll', () => this.onScroll());
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    this.rows.addEventListener('mousedown', (event) => this.onMouseDown(event));
    this.rows.addEventListener('dblclick', (event) => this.onDoubleClick(event));
    new ResizeObserver(() => this.changed()).observe(this.viewport);

    this.root = new Branch(this, null, null, -1);
    this.updateSortHeaders();
  }

  headerCell(column, index) {
    const cell = el('div', { className: `tg-cell ${column.className || ''}`, attrs: { role: 'columnheader' } });
    if (column.sortKey && this.options.onSort) {
      const button = el('button', {
        className: 'tg-sort',
        text: column.title,
        attrs: { type: 'button' },
        on: { click: () => this.clickSort(column) },
      });
      cell.append(button);
    } else {
      cell.textContent = column.title;
    }
    cell.dataset.column = String(index);
    return cell;
  }

  clickSort(column) {
    let descending;
    if (this.sort && this.sort.key === column.sortKey) descending = !this.sort.descending;
    else descending = column.defaultDescending !== false;
    this.sort = { key: column.sortKey, descending };
    this.updateSortHeaders();
    this.options.onSort(column.sortKey, descending);
  }

  updateSortHeaders() {
    this.options.columns.forEach((column, i) => {
      const cell = this.headerCells[i];
      if (!column.sortKey) return;
      if (this.sort && this.sort.key === column.sortKey) {
        cell.setAttribute('aria-sort', this.sort.descending ? 'descending' : 'ascending');
      } else {
        cell.setAttribute('aria-sort', 'none');
      }
    });
  }

  // Throws every row away and loads the top level again (after a new sort, filter or target).
  reset() {
    this.root.kill();
    this.root = new Branch(this, null, null, -1);
    this.active = null;
    this.reported = null;
    this.virtualTop = 0;
    this.viewport.scrollTop = 0;
    this.changed();
  }

  focus() {
    this.element.focus();
  }

  // Schedules a render on the next frame; many changes in one frame render once.
  changed() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  // --- Flat positions -------------------------------------------------------------------------

  // The branch and child index at flat row `k` of `branch` (index -1: the placeholder row).
  locate(k, branch = this.root) {
    if (branch.placeholder()) return { branch, index: -1 };
    let next = 0;
    for (const [ci, child] of branch.sorted) {
      const span = ci - next + 1;
      if (k < span) return { branch, index: next + k };
      k -= span;
      const sub = child.size();
      if (k < sub) return this.locate(k, child);
      k -= sub;
      next = ci + 1;
    }
    return { branch, index: next + k };
  }

  // The flat row of child `index` of `branch` (the inverse of locate).
  flatIndex(branch, index) {
    const start = branch.parent ? this.flatIndex(branch.parent, branch.parentIndex) + 1 : 0;
    if (index < 0) return start;
    let n = index;
    for (const [ci, child] of branch.sorted) {
      if (ci >= index) break;
      n += child.size();
    }
    return start + n;
  }

  rowCount() {
    return this.root.size();
  }

  // --- Scrolling ------------------------------------------------------------------------------

  geometry() {
    const n = this.rowCount();
    const viewHeight = this.viewport.clientHeight;
    const virtualHeight = n * this.rowHeight;
    const physicalHeight = Math.min(virtualHeight, MAX_SCROLL_PX);
    const maxVirtual = Math.max(0, virtualHeight - viewHeight);
    const maxPhysical = Math.max(0, physicalHeight - viewHeight);
    return { n, viewHeight, virtualHeight, physicalHeight, maxVirtual, maxPhysical };
  }

  onScroll() {
    const top = this.viewport.scrollTop;
    // Our own scrollTop writes come back as scroll events; the virtual offset is already set.
    if (Math.abs(top - this.expectedScrollTop) >= 1) {
      const g = this.geometry();
      this.virtualTop = g.maxPhysical > 0 ? (top / g.maxPhysical) * g.maxVirtual : 0;
    }
    this.expectedScrollTop = -1;
    this.changed();
  }

  setVirtualTop(value) {
    const g = this.geometry();
    this.virtualTop = Math.max(0, Math.min(value, g.maxVirtual));
    const physical = g.maxVirtual > 0 ? (this.virtualTop / g.maxVirtual) * g.maxPhysical : 0;
    // The list may have grown since the last render (an expansion): size the spacer first, or
    // the browser would clamp the new scroll position to the old height.
    this.spacer.style.height = `${g.physicalHeight}px`;
    this.viewport.scrollTop = physical;
    this.expectedScrollTop = this.viewport.scrollTop;
    this.changed();
  }

  ensureVisible(flat) {
    const g = this.geometry();
    const top = flat * this.rowHeight;
    if (top < this.virtualTop) this.setVirtualTop(top);
    else if (top + this.rowHeight > this.virtualTop + g.viewHeight) this.setVirtualTop(top + this.rowHeight - g.viewHeight);
  }

  // --- Rendering ------------------------------------------------------------------------------

  render() {
    const g = this.geometry();
    this.spacer.style.height = `${g.physicalHeight}px`;
    this.virtualTop = Math.min(this.virtualTop, g.maxVirtual);
    this.element.setAttribute('aria-rowcount', String(g.n + 1));

    const first = Math.floor(this.virtualTop / this.rowHeight);
    const offset = this.virtualTop - first * this.rowHeight;
    const scrollTop = this.viewport.scrollTop;
    this.rows.style.transform = `translateY(${scrollTop - offset}px)`;
    const visible = Math.min(g.n - first, Math.ceil(g.viewHeight / this.rowHeight) + 1);

    // Only the visible rows exist: add rows when the viewport grew, drop them when it shrank.
    while (this.pool.length < visible) this.pool.push(this.makeRow());
    while (this.pool.length > Math.max(visible, 0)) this.pool.pop().remove();
    const wanted = new Map();
    const activeFlat = this.active ? this.flatIndex(this.active.branch, this.active.index) : -1;
    let activeId = null;

    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i];
      const flat = first + i;
      const at = this.locate(flat);
      const { branch, index } = at;
      row.heaplensAt = at;
      row.id = `${this.id}-row${i}`;
      row.setAttribute('aria-rowindex', String(flat + 2));
      row.setAttribute('aria-level', String(branch.level + 1));
      const isActive = flat === activeFlat;
      row.classList.toggle('active', isActive);
      row.setAttribute('aria-selected', String(isActive));
      if (isActive) activeId = row.id;
      row.firstChild.style.paddingLeft = `${branch.level * 16 + 4}px`;
      this.fillRow(row, branch, index);
      if (index >= 0) {
        const p = Math.floor(index / this.pageSize);
        if (!wanted.has(branch)) wanted.set(branch, new Set());
        wanted.get(branch).add(p);
        if (!branch.itemAt(index)) branch.want(p);
      } else if (branch.total === null) {
        if (!wanted.has(branch)) wanted.set(branch, new Set());
        wanted.get(branch).add(0);
        branch.want(0);
      }
    }

    // Answers for pages that scrolled away are no longer wanted.
    this.forEachBranch((branch) => branch.cancelOutside(wanted.get(branch) || new Set()));

    if (activeId) this.element.setAttribute('aria-activedescendant', activeId);
    else this.element.removeAttribute('aria-activedescendant');
    this.reportActive();
  }

  forEachBranch(visit, branch = this.root) {
    visit(branch);
    for (const child of branch.expanded.values()) this.forEachBranch(visit, child);
  }

  makeRow() {
    const row = el('div', { className: 'tg-row', attrs: { role: 'row' } });
    this.options.columns.forEach((column, i) => {
      const cell = el('div', { className: `tg-cell ${column.className || ''}`, attrs: { role: 'gridcell' } });
      if (i === 0) {
        cell.classList.add('tg-first');
        cell.append(el('span', { className: 'tg-toggle', attrs: { 'aria-hidden': 'true' } }), el('span', { className: 'tg-content' }));
      }
      row.append(cell);
    });
    this.rows.append(row);
    return row;
  }

  fillRow(row, branch, index) {
    const cells = [...row.children];
    const content = cells[0].lastChild;
    const toggle = cells[0].firstChild;
    for (const key of Object.keys(row.dataset)) delete row.dataset[key];
    const kind = branch.placeholder();
    const item = index >= 0 ? branch.itemAt(index) : undefined;
    row.classList.remove('placeholder');
    if (kind || item === undefined) {
      row.classList.add('placeholder');
      row.removeAttribute('aria-expanded');
      toggle.textContent = '';
      const text = this.options.placeholderText(kind || 'loading', branch.item, branch.error);
      content.replaceChildren(document.createTextNode(text));
      for (let i = 1; i < cells.length; i++) cells[i].replaceChildren();
      row.dataset.kind = kind || 'loading';
      return;
    }
    row.setAttribute('aria-setsize', String(branch.total));
    row.setAttribute('aria-posinset', String(index + 1));
    if (this.options.expandable(item)) {
      const open = branch.expanded.has(index);
      row.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? '▾' : '▸';
    } else {
      row.removeAttribute('aria-expanded');
      toggle.textContent = '';
    }
    this.options.renderRow(item, [content, ...cells.slice(1)], row);
  }

  // --- Active row and expansion ---------------------------------------------------------------

  activeItem() {
    if (!this.active || this.active.index < 0) return undefined;
    return this.active.branch.itemAt(this.active.index);
  }

  setActive(at, { scroll = true } = {}) {
    this.active = at;
    if (scroll) this.ensureVisible(this.flatIndex(at.branch, at.index));
    this.changed();
  }

  // Tells the view about the active item once it is loaded, and only once per change.
  reportActive() {
    const item = this.activeItem();
    if (item === undefined || item === this.reported) return;
    this.reported = item;
    if (this.options.onSelect) this.options.onSelect(item);
  }

  move(delta) {
    const n = this.rowCount();
    if (n === 0) return;
    const current = this.active ? this.flatIndex(this.active.branch, this.active.index) : -1;
    const flat = Math.max(0, Math.min(n - 1, current + delta));
    this.setActive(this.locate(flat));
  }

  isExpanded(at) {
    return at.index >= 0 && at.branch.expanded.has(at.index);
  }

  expand(at) {
    const item = at.branch.itemAt(at.index);
    if (item === undefined || !this.options.expandable(item) || this.isExpanded(at)) return false;
    const child = new Branch(this, item, at.branch, at.index);
    at.branch.expanded.set(at.index, child);
    at.branch.resort();
    child.want(0);
    this.changed();
    return true;
  }

  collapse(at) {
    if (!this.isExpanded(at)) return false;
    const child = at.branch.expanded.get(at.index);
    // The active row may be inside the subtree that disappears: move it to the collapsed row.
    for (let b = this.active && this.active.branch; b; b = b.parent) {
      if (b === child) {
        this.active = at;
        break;
      }
    }
    child.kill();
    at.branch.expanded.delete(at.index);
    at.branch.resort();
    this.changed();
    return true;
  }

  toggle(at) {
    if (!this.collapse(at)) this.expand(at);
  }

  onKey(event) {
    if (event.target !== this.element || event.altKey || event.ctrlKey || event.metaKey) return;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / this.rowHeight) - 1);
    const at = this.active;
    switch (event.key) {
      case 'ArrowDown': this.move(1); break;
      case 'ArrowUp': this.move(at ? -1 : 1); break;
      case 'PageDown': this.move(page); break;
      case 'PageUp': this.move(-page); break;
      case 'Home': this.move(-Infinity); break;
      case 'End': this.move(Infinity); break;
      case 'ArrowRight':
        if (!at) this.move(1);
        else if (!this.expand(at) && this.isExpanded(at)) this.move(1);
        break;
      case 'ArrowLeft':
        if (at && !this.collapse(at) && at.branch.parent) {
          this.setActive({ branch: at.branch.parent, index: at.branch.parentIndex });
        }
        break;
      case 'Enter':
        if (at) this.toggle(at);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  rowOf(event) {
    const row = event.target.closest('.tg-row');
    return row && row.heaplensAt ? row : null;
  }

  onMouseDown(event) {
    if (event.button !== 0) return;
    const row = this.rowOf(event);
    if (!row) return;
    const at = row.heaplensAt;
    this.setActive(at, { scroll: false });
    if (event.target.closest('.tg-toggle')) {
      this.toggle(at);
      // Keep the focus on the grid, not on the disclosure triangle's text.
      event.preventDefault();
      this.focus();
    }
  }

  onDoubleClick(event) {
    const row = this.rowOf(event);
    if (row && !event.target.closest('.tg-toggle')) this.toggle(row.heaplensAt);
  }
}
