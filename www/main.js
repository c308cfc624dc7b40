// The page: wires the views to one worker per opened snapshot.
//
// Opening a file terminates the previous worker (its WebAssembly memory can only be released that
// way) and starts a fresh one, so opening ten files in a row does not grow the tab. While a file
// loads the views are detached; when it has loaded they attach to the new client and ask it for
// the rows they show. `document.body.dataset.state` (idle, loading, ready, error) tells tests and
// the benchmark where the page is.

import { WorkerClient } from './client.js';
import { OpenView } from './open.js';
import { SummaryView } from './summary.js';
import { RetainersView, renderPaths } from './retainers.js';
import { renderDetails } from './details.js';
import { renderStatistics } from './statistics.js';
import * as fmt from './format.js';
// Offline use of the hosted site (service worker) and the offer to reload into a new version.
import './update.js';

const P = self.HeaplensProtocol;
const $ = (id) => document.getElementById(id);

let client = null;
// A started worker that holds nothing yet: opening a file does not wait for a worker to start and
// compile the WebAssembly module. It is made when the page is idle, never while a file loads.
let spare = null;
let snapshot = null; // {summary, statistics, name} of the loaded snapshot
let selection = { node: null, requests: [] };
let loads = 0;

function setState(state) {
  document.body.dataset.state = state;
}

const open = new OpenView({ onOpen: load, onCancel: cancel });

const summaryView = new SummaryView({
  host: $('summary-grid'),
  search: $('search'),
  status: $('search-status'),
  onSelectNode: selectNode,
});

const retainersView = new RetainersView({ host: $('retainers-grid'), title: $('retainers-title') });

function showWorkspace(visible) {
  $('workspace').hidden = !visible;
  $('welcome').hidden = visible;
}

// Drops the current snapshot: its worker, and every view's rows.
function closeSnapshot() {
  if (client) client.terminate();
  client = null;
  snapshot = null;
  selection = { node: null, requests: [] };
  summaryView.detach();
  retainersView.detach();
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
      snapshot = { summary, statistics, name: source.name, millis };
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
  const { summary, statistics, name, millis } = snapshot;
  $('file-info').replaceChildren(
    fmt.el('span', { className: 'file-name', text: name }),
    fmt.el('span', { className: 'muted', text: ` · ${fmt.count(summary.node_count)} objects · ${fmt.count(summary.edge_count)} references · ${fmt.humanBytes(summary.total_size)} · loaded in ${(millis / 1000).toFixed(1)} s` }),
  );
  showWorkspace(true);
  selectTab('summary');
  summaryView.attach(client, summary);
  retainersView.attach(client, summary);
  renderDetails($('details'), null, summary.total_size, selectNode);
  renderPaths($('paths'), undefined, selectNode);
  renderStatistics($('statistics'), statistics);
  setState('ready');
  setTimeout(prepareSpare, 0);
}

// Shows object `node` (an ordinal) in the Object and Retainers panes.
function selectNode(node) {
  if (!client || !snapshot) return;
  if (selection.node === node) return;
  for (const request of selection.requests) client.cancel(request.id);
  const total = snapshot.summary.total_size;
  const details = client.request(P.TO_WORKER.NODE, { node });
  const paths = client.request(P.TO_WORKER.PATHS, { node, k: 3 });
  selection = { node, requests: [details, paths] };
  renderPaths($('paths'), null, selectNode);
  details.then(
    (d) => {
      renderDetails($('details'), d, total, selectNode);
      retainersView.show(d);
    },
    (error) => open.showError(error.message),
  );
  paths.then((p) => renderPaths($('paths'), p, selectNode), (error) => open.showError(error.message));
}

// Tabs: Summary and Statistics (arrow keys move between them, as in the WAI-ARIA tabs pattern).
const tabs = { summary: $('tab-summary'), statistics: $('tab-statistics') };
function selectTab(name) {
  for (const [key, tab] of Object.entries(tabs)) {
    const on = key === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
}
for (const [key, tab] of Object.entries(tabs)) {
  tab.addEventListener('click', () => selectTab(key));
  tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const next = key === 'summary' ? 'statistics' : 'summary';
    selectTab(next);
    tabs[next].focus();
  });
}

setState('idle');
prepareSpare();
