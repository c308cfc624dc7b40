// The Object pane: everything the engine knows about the selected object (engine.node), with its
// dominator as a link, so the user can climb the dominator tree one click at a time.

import * as fmt from './format.js';

// Renders `d` (engine.node's answer) into `host`. `total` is the heap's size for percentages.
export function renderDetails(host, d, total, onSelectNode) {
  if (d === null) {
    host.replaceChildren(fmt.el('p', { className: 'muted', text: 'Select an object in the table, or type @id in the search box.' }));
    return;
  }
  const title = fmt.el('h3', { className: 'object-name' },
    fmt.el('span', { className: 'name', text: fmt.nodeLabel(d) }),
    fmt.el('span', { className: 'objid', text: ` @${d.id}` }));
  title.dataset.node = String(d.node);
  title.dataset.id = String(d.id);

  const facts = fmt.el('dl', { className: 'facts' });
  const fact = (label, ...value) => facts.append(fmt.el('dt', { text: label }), fmt.el('dd', {}, ...value));

  fact('Class', d.class_name);
  fact('Type', d.node_type);
  fact('Shallow size', `${fmt.bytes(d.self_size)} B`, fmt.el('span', { className: 'pct', text: fmt.percent(d.self_size, total) }));
  fact('Retained size', `${fmt.bytes(d.retained_size)} B`, fmt.el('span', { className: 'pct', text: fmt.percent(d.retained_size, total) }));
  fact('Distance', d.distance < 0 ? 'unreachable' : d.distance >= fmt.SYSTEM_DISTANCE ? 'system' : String(d.distance));
  if (d.dominator) {
    const dom = d.dominator;
    fact('Dominator', fmt.el('button', {
      className: 'link',
      attrs: { type: 'button' },
      dataset: { node: dom.node },
      on: { click: () => onSelectNode(dom.node) },
    }, fmt.el('span', { className: 'name', text: fmt.nodeLabel(dom) }), fmt.el('span', { className: 'objid', text: ` @${dom.id}` })));
  }
  fact('References', fmt.count(d.edge_count));
  fact('Retainers', fmt.count(d.retainer_count));
  // V8 records object locations zero-based; editors count from one.
  if (d.location) fact('Location', `script ${d.location.script_id}, line ${d.location.line + 1}, column ${d.location.column + 1}`);
  if (d.detached) fact('Detached', 'part of a detached DOM tree');
  if (d.page_object) fact('Page object', 'reachable from a window');

  const parts = [title, facts];
  // Allocation frames come from V8's trace_function_infos, whose lines and columns are already
  // one-based, unlike the zero-based `locations` above.
  if (d.allocation_stack && d.allocation_stack.length) {
    const stack = fmt.el('ol', { className: 'stack' });
    for (const frame of d.allocation_stack) {
      stack.append(fmt.el('li', {},
        fmt.el('span', { className: 'fn', text: frame.function_name || '(anonymous)' }),
        fmt.el('span', { className: 'muted', text: ` ${frame.script_name || `script ${frame.script_id}`}:${frame.line}:${frame.column}` })));
    }
    parts.push(fmt.el('h3', { className: 'section-title', text: 'Allocation stack' }), stack);
  }
  host.replaceChildren(...parts);
}
