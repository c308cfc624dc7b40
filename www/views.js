// The registry of views, in tab order. Adding a view is one file and one line here.
//
// A view module's default export describes it:
//   id         used in DOM ids (`view-<id>`, `tab-<id>`) and in the URL
//   title      the tab's label
//   inspector  whether the Retainers / Object / Paths panes show below it
//   create(host, app) → an instance with
//     attach(snapshot)  a snapshot has loaded: {client, summary, statistics, name}
//     detach()          the snapshot is going away: drop its rows, cancel requests
//     shown()           optional: the view's tab was selected
//   `app` is what views may ask of the page: selectNode(node) shows an object in the inspector,
//   showError(message) shows the error banner.

import summary from './summary.js';
import statistics from './statistics.js';

export const VIEWS = [summary, statistics];
