// Number formatting and DOM building shared by the views.
//
// Every string that comes from a snapshot (class names, property names, string contents, script
// names) is attacker-controlled: a snapshot of a page can hold any text. The helpers here only
// ever put text into the document with textContent or createTextNode, and attributes with
// setAttribute (whose values are never parsed as markup). No page code uses an API that parses
// markup; tests/e2e/safety.test.mjs checks that.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

// 1234567 → "1,234,567" (in the user's locale).
export function bytes(n) {
  return integer.format(n);
}

export function count(n) {
  return integer.format(n);
}

// The share of `total`, DevTools-style: "12 %", "< 1 %" for small non-zero shares.
export function percent(n, total) {
  if (!total) return '';
  const p = (n / total) * 100;
  if (p === 0) return '0 %';
  if (p < 1) return '< 1 %';
  return `${Math.round(p)} %`;
}

// A human size for headings and progress: "12.3 MB".
export function humanBytes(n) {
  if (n == null) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

// The engine's distances: -5 marks unreachable objects and 100000000 and more system objects;
// DevTools shows both as a minus sign.
export const SYSTEM_DISTANCE = 100000000;
export function distance(d) {
  return d >= 0 && d < SYSTEM_DISTANCE ? String(d) : '\u2212';
}

// The node types whose names are string contents, shown in quotes like DevTools does.
const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

// What a list shows for a node: its name (quoted and cut short for strings) and its @id.
export function nodeLabel(row) {
  // Internal arrays and some system objects have no name; their class says what they are.
  let name = row.name || row.class_name;
  if (STRING_TYPES.has(row.node_type)) {
    const clipped = name.length > 200 ? `${name.slice(0, 200)}…` : name;
    name = `"${clipped}"`;
  } else if (name.length > 300) {
    name = `${name.slice(0, 300)}…`;
  }
  return name;
}

// An edge's name as DevTools writes it: element indexes in brackets, the rest as they are.
export function edgeLabel(edgeType, edgeName) {
  if (edgeType === 'element' || edgeType === 'hidden') return `[${edgeName}]`;
  if (edgeType === 'context') return `${edgeName}`;
  return edgeName;
}

// Creates an element. `props`: className, text (set with textContent), title, attrs (set with
// setAttribute), dataset, and on (event listeners). Children may be nodes or strings (text nodes).
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// The same for SVG elements.
export function svg(tag, props = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function applyProps(node, props) {
  if (props.className) node.setAttribute('class', props.className);
  if (props.text != null) node.textContent = String(props.text);
  if (props.title != null) node.setAttribute('title', String(props.title));
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) node.setAttribute(k, String(v));
  if (props.dataset) for (const [k, v] of Object.entries(props.dataset)) node.dataset[k] = String(v);
  if (props.on) for (const [k, v] of Object.entries(props.on)) node.addEventListener(k, v);
}

// Removes every child of `node`.
export function clear(node) {
  node.replaceChildren();
}
