// The retaining-path chains: the shortest paths from the GC roots to the selected object, each
// drawn as a chain of references, which is usually the fastest answer to "why is this still
// alive?".

import * as fmt from './format.js';

// Draws up to three shortest paths from the GC roots to the object, each as a chain:
// GC roots → edge → Name @id → edge → … → the object. Clicking an object on a path selects it.
// `paths` is undefined before any selection and null while loading.
export function renderPaths(host, paths, onSelectNode) {
  if (paths === undefined) {
    host.replaceChildren(fmt.el('p', { className: 'muted', text: 'Select an object to see how it is reached from the GC roots.' }));
    return;
  }
  if (paths === null) {
    host.replaceChildren(fmt.el('p', { className: 'muted', text: 'Loading…' }));
    return;
  }
  if (paths.length === 0) {
    host.replaceChildren(fmt.el('p', { className: 'muted', text: 'No path: the object is not reachable from the GC roots (or it is a root).' }));
    return;
  }
  const lists = paths.map((path, i) => {
    const list = fmt.el('ol', { className: 'path', attrs: { 'aria-label': `Path ${i + 1}, ${path.steps.length} references` } });
    list.append(fmt.el('li', { className: 'path-root' }, fmt.el('span', { className: 'path-node root', text: 'GC roots' })));
    for (const step of path.steps) {
      const r = step.node;
      const link = fmt.el('button', {
        className: 'path-node link',
        attrs: { type: 'button' },
        dataset: { node: r.node, id: r.id },
        on: { click: () => onSelectNode(r.node) },
      },
      fmt.el('span', { className: 'name', text: fmt.nodeLabel(r) }),
      fmt.el('span', { className: 'objid', text: ` @${r.id}` }));
      list.append(fmt.el('li', { className: 'path-step' },
        fmt.el('span', { className: 'path-edge' },
          fmt.el('span', { className: 'arrow', text: '→ ' }),
          fmt.el('span', { className: 'edge', text: fmt.edgeLabel(step.edge_type, step.edge_name) }),
          fmt.el('span', { className: 'edge-type', text: ` (${step.edge_type})` })),
        link));
    }
    return list;
  });
  host.replaceChildren(...lists);
}
