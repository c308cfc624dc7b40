// The inspector: the panes under a view that show the selected object — its retainers, its
// details and its shortest paths from the GC roots. Views that list objects share it (their
// `inspector` flag says so); selecting an object anywhere shows it here.

import { RetainersView } from './retainers.js';
import { renderDetails } from './details.js';
import { renderPaths } from './paths.js';

const P = self.HeaplensProtocol;
const $ = (id) => document.getElementById(id);

export class Inspector {
  // app: {selectNode(node), showError(message)}.
  constructor(app) {
    this.app = app;
    this.element = $('inspector');
    this.snapshot = null;
    this.node = null;
    this.requests = [];
    this.retainers = new RetainersView({ host: $('retainers-grid'), title: $('retainers-title') });
  }

  // snapshot: {client, summary, statistics, name}.
  attach(snapshot) {
    this.snapshot = snapshot;
    this.node = null;
    this.requests = [];
    this.retainers.attach(snapshot.client, snapshot.summary);
    renderDetails($('details'), null, snapshot.summary.total_size, this.app.selectNode);
    renderPaths($('paths'), undefined, this.app.selectNode);
  }

  detach() {
    this.snapshot = null;
    this.node = null;
    this.requests = [];
    this.retainers.detach();
  }

  setVisible(visible) {
    this.element.hidden = !visible;
  }

  // Shows object `node` (an ordinal): its details, retainers and paths.
  show(node) {
    const snapshot = this.snapshot;
    if (!snapshot || this.node === node) return;
    const { client } = snapshot;
    for (const request of this.requests) client.cancel(request.id);
    const total = snapshot.summary.total_size;
    const details = client.request(P.TO_WORKER.NODE, { node });
    const paths = client.request(P.TO_WORKER.PATHS, { node, k: 3 });
    this.node = node;
    this.requests = [details, paths];
    renderPaths($('paths'), null, this.app.selectNode);
    details.then(
      (d) => {
        renderDetails($('details'), d, total, this.app.selectNode);
        this.retainers.show(d);
      },
      (error) => this.app.showError(error.message),
    );
    paths.then((p) => renderPaths($('paths'), p, this.app.selectNode), (error) => this.app.showError(error.message));
  }
}
