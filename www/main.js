// The page: wires the views to one worker per opened snapshot.
//
// Opening a file terminates the previous worker (its WebAssembly memory can only be released that
// way) and starts a fresh one, so opening ten files in a row does not grow the tab. While a file
// loads the views are detached; when it has loaded they attach to the new client and ask it for
// the rows they show. `document.body.dataset.state` (idle, loading, ready, error) tells tests and
// the benchmark where the page is.

import { WorkerClient } from './client.js';
import { OpenView } from './open.js';
import { Inspector } from './inspector.js';
import { VIEWS } from './views.js';
import * as fmt from './format.js';
// Offline use of the hosted site (service worker) and the offer to reload into a new version.
import './update.js';

const $ = (id) => document.getElementById(id);

let client = null;
// A started worker that holds nothing yet: opening a file does not wait for a worker to start and
// compile the WebAssembly module. It is made when the page is idle, never while a file loads.
let spare = null;
let snapshot = null; // {client, summary, statistics, name, millis} of the loaded snapshot
let loads = 0;

function setState(state) {
  document.body.dataset.state = state;
}

const open = new OpenView({ onOpen: load, onCancel: cancel });

// What views may ask of the page (see views.js).
const app = {
  selectNode: (node) => selectNode(node),
  showError: (message) => open.showError(message),
};

const inspector = new Inspector(app);

// One tab and one panel per registered view, in registry order.
const views = VIEWS.map((view) => {
  const tab = fmt.el('button', {
    text: view.title,
    attrs: {
      type: 'button', role: 'tab', id: `tab-${view.id}`, 'aria-controls': `view-${view.id}`,
      'aria-selected': 'false', tabindex: '-1',
    },
  });
  const panel = fmt.el('section', {
    className: `view view-${view.id}`,
    attrs: { id: `view-${view.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${view.id}` },
  });
  panel.hidden = true;
  $('tabs').append(tab);
  $('views').append(panel);
  return { view, tab, panel, instance: view.create(panel, app) };
});
let current = null;

function showWorkspace(visible) {
  $('workspace').hidden = !visible;
  $('welcome').hidden = visible;
}

// Drops the current snapshot: its worker, and every view's rows.
function closeSnapshot() {
  if (client) client.terminate();
  client = null;
  snapshot = null;
  for (const { instance } of views) instance.detach();
  inspector.detach();
  $('file-info').replaceChildren();
}

function prepareSpare() {
  if (!spare && document.body.dataset.state !== 'loading') spare = new WorkerClient();
}

// A fresh worker for a new file: the spare if it is alive, a new one otherwise.
function freshClient() {
  let fresh = spare;
  spare = null;
  if (!fresh || fresh.crashed !== null) {
    if (fresh) fresh.terminate();
    fresh = new WorkerClient();
  }
  return fresh;
}

function load(source) {
  closeSnapshot();
  // The progress card takes the place of both the welcome card and the workspace.
  $('workspace').hidden = true;
  $('welcome').hidden = true;
  loads++;
  document.body.dataset.loads = String(loads);
  setState('loading');
  performance.mark('heaplens:open');
  open.showProgress(source.name);
  let phase = null;
  const current = freshClient();
  client = current;
  current.open(source, {
    onProgress: (progress) => {
      if (client !== current) return;
      open.updateProgress(progress);
      // Each phase's start is marked for the Performance panel and the web benchmark.
      if (progress.phase !== phase) {
        phase = progress.phase;
        performance.mark(`heaplens:phase:${phase}`);
      }
    },
    onLoaded: ({ summary, statistics, millis }) => {
      if (client !== current) return;
      snapshot = { client: current, summary, statistics, name: source.name, millis };
      document.body.dataset.loadMillis = String(Math.round(millis));
      open.hideProgress();
      loaded();
    },
    onFailed: (message) => {
      if (client !== current) return;
      failed(`Could not open ${source.name}: ${message}`);
    },
    onCrash: (message) => {
      if (client !== current) return;
      failed(`The analysis of ${source.name} stopped: ${message}. You can open another file.`);
    },
  });
}

function failed(message) {
  closeSnapshot();
  open.hideProgress();
  open.showError(message);
  showWorkspace(false);
  setState('error');
  $('open-button').focus();
  setTimeout(prepareSpare, 0);
}

function cancel() {
  closeSnapshot();
  open.hideProgress();
  showWorkspace(false);
  setState('idle');
  setTimeout(prepareSpare, 0);
}

function loaded() {
  const { summary, name, millis } = snapshot;
  $('file-info').replaceChildren(
    fmt.el('span', { className: 'file-name', text: name }),
    fmt.el('span', { className: 'muted', text: ` · ${fmt.count(summary.node_count)} objects · ${fmt.count(summary.edge_count)} references · ${fmt.humanBytes(summary.total_size)} · loaded in ${(millis / 1000).toFixed(1)} s` }),
  );
  showWorkspace(true);
  for (const { instance } of views) instance.attach(snapshot);
  inspector.attach(snapshot);
  selectTab(views[0].view.id);
  setState('ready');
  setTimeout(prepareSpare, 0);
}

// Shows object `node` (an ordinal) in the inspector.
function selectNode(node) {
  if (!client || !snapshot) return;
  inspector.show(node);
}

// Tabs, from the registry (arrow keys move between them, as in the WAI-ARIA tabs pattern).
function selectTab(id) {
  for (const entry of views) {
    const on = entry.view.id === id;
    entry.tab.setAttribute('aria-selected', String(on));
    entry.tab.tabIndex = on ? 0 : -1;
    entry.panel.hidden = !on;
    if (on) current = entry;
  }
  inspector.setVisible(Boolean(current && current.view.inspector));
  if (current && current.instance.shown) current.instance.shown();
}
views.forEach((entry, i) => {
  entry.tab.addEventListener('click', () => selectTab(entry.view.id));
  entry.tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const step = event.key === 'ArrowRight' ? 1 : -1;
    const next = views[(i + step + views.length) % views.length];
    selectTab(next.view.id);
    next.tab.focus();
  });
});

setState('idle');
prepareSpare();
