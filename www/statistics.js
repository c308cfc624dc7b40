// The Statistics view: where the heap's bytes are, as a donut and a table.
//
// engine.statistics() splits the total into the V8 heap (code, strings, JS arrays, system
// objects and the rest) and native memory, of which ArrayBuffer backing stores ("typed arrays")
// are usually most. The slices are the V8 heap's five parts plus typed arrays and the native
// memory that is not typed arrays, so they add up to the total exactly. As the user stories show,
// a small snapshot can hold gigabytes of backing stores: the donut makes that obvious.

import * as fmt from './format.js';

// Each slice: key (also the CSS class that colours it), label, and how to compute it.
const SLICES = [
  { key: 'code', label: 'Code', of: (s) => s.code },
  { key: 'strings', label: 'Strings', of: (s) => s.strings },
  { key: 'js-arrays', label: 'JS arrays', of: (s) => s.js_arrays },
  { key: 'typed-arrays', label: 'Typed arrays', of: (s) => s.typed_arrays },
  { key: 'system', label: 'System objects', of: (s) => s.system },
  { key: 'other', label: 'Other (V8 heap)', of: (s) => s.other },
  { key: 'other-native', label: 'Other native', of: (s) => Math.max(0, s.native - s.typed_arrays) },
];

const SIZE = 240;
const RADIUS = 90;
const WIDTH = 42;

// A ring segment from angle a0 to a1 (radians, clockwise from twelve o'clock) as an SVG path.
function arc(a0, a1) {
  const c = SIZE / 2;
  const outer = RADIUS + WIDTH / 2;
  const inner = RADIUS - WIDTH / 2;
  const point = (r, a) => `${(c + r * Math.sin(a)).toFixed(3)} ${(c - r * Math.cos(a)).toFixed(3)}`;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return [
    `M ${point(outer, a0)}`,
    `A ${outer} ${outer} 0 ${large} 1 ${point(outer, a1)}`,
    `L ${point(inner, a1)}`,
    `A ${inner} ${inner} 0 ${large} 0 ${point(inner, a0)}`,
    'Z',
  ].join(' ');
}

function renderStatistics(host, stats) {
  const total = stats.total;
  const slices = SLICES.map((s) => ({ ...s, value: s.of(stats) }));

  const chart = fmt.svg('svg', {
    className: 'donut',
    attrs: { viewBox: `0 0 ${SIZE} ${SIZE}`, width: SIZE, height: SIZE, role: 'img', 'aria-label': `Heap of ${fmt.humanBytes(total)} by category` },
  });
  // A full ring behind the slices, visible when the heap is empty.
  chart.append(fmt.svg('circle', { className: 'donut-track', attrs: { cx: SIZE / 2, cy: SIZE / 2, r: RADIUS, 'stroke-width': WIDTH } }));
  let angle = 0;
  for (const slice of slices) {
    if (!total || slice.value <= 0) continue;
    const sweep = (slice.value / total) * 2 * Math.PI;
    // A slice of the whole ring cannot be drawn as one arc; two halves can.
    const shape = sweep >= 2 * Math.PI - 1e-6
      ? fmt.svg('g', {}, fmt.svg('path', { attrs: { d: arc(0, Math.PI) } }), fmt.svg('path', { attrs: { d: arc(Math.PI, 2 * Math.PI) } }))
      : fmt.svg('path', { attrs: { d: arc(angle, angle + sweep) } });
    shape.setAttribute('class', `slice slice-${slice.key}`);
    shape.append(fmt.svg('title', { text: `${slice.label}: ${fmt.bytes(slice.value)} bytes (${fmt.percent(slice.value, total)})` }));
    chart.append(shape);
    angle += sweep;
  }
  chart.append(
    fmt.svg('text', { className: 'donut-total', attrs: { x: SIZE / 2, y: SIZE / 2 - 4, 'text-anchor': 'middle' }, text: fmt.humanBytes(total) }),
    fmt.svg('text', { className: 'donut-caption', attrs: { x: SIZE / 2, y: SIZE / 2 + 16, 'text-anchor': 'middle' }, text: 'total' }),
  );

  const table = fmt.el('table', { className: 'stats-table' });
  const head = fmt.el('tr', {}, fmt.el('th', { attrs: { scope: 'col' }, text: 'Category' }),
    fmt.el('th', { className: 'num', attrs: { scope: 'col' }, text: 'Bytes' }),
    fmt.el('th', { className: 'num', attrs: { scope: 'col' }, text: 'Share' }));
  table.append(fmt.el('thead', {}, head));
  const body = fmt.el('tbody');
  for (const slice of slices) {
    body.append(fmt.el('tr', { dataset: { key: slice.key, bytes: slice.value } },
      fmt.el('th', { attrs: { scope: 'row' } },
        fmt.el('span', { className: `swatch slice-${slice.key}`, attrs: { 'aria-hidden': 'true' } }),
        slice.label),
      fmt.el('td', { className: 'num', text: fmt.bytes(slice.value) }),
      fmt.el('td', { className: 'num', text: fmt.percent(slice.value, total) })));
  }
  table.append(body);
  const foot = fmt.el('tfoot');
  const sumRow = (key, label, value) => fmt.el('tr', { className: `sum sum-${key}`, dataset: { key, bytes: value } },
    fmt.el('th', { attrs: { scope: 'row' }, text: label }),
    fmt.el('td', { className: 'num', text: fmt.bytes(value) }),
    fmt.el('td', { className: 'num', text: fmt.percent(value, total) }));
  foot.append(
    sumRow('v8heap', 'V8 heap', stats.v8heap),
    sumRow('native', 'Native (typed arrays and other)', stats.native),
    sumRow('total', 'Total', total),
  );
  table.append(foot);

  const nativeShare = fmt.percent(stats.native, total);
  const lead = fmt.el('p', { className: 'stats-lead' },
    `${fmt.bytes(total)} bytes in all: the V8 heap holds ${fmt.humanBytes(stats.v8heap)} (${fmt.percent(stats.v8heap, total)}), `
    + `native memory ${fmt.humanBytes(stats.native)} (${nativeShare}), of which ArrayBuffer backing stores are ${fmt.humanBytes(stats.typed_arrays)}.`);
  host.replaceChildren(
    fmt.el('h2', { className: 'stats-title', text: 'Heap statistics' }),
    lead,
    fmt.el('div', { className: 'stats' }, chart, table),
  );
}

export default {
  id: 'statistics',
  title: 'Statistics',
  inspector: false,
  create(host) {
    const body = fmt.el('div', { attrs: { id: 'statistics' } });
    host.replaceChildren(body);
    return {
      attach: ({ statistics }) => renderStatistics(body, statistics),
      detach: () => body.replaceChildren(),
    };
  },
};
