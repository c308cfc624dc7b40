// The service worker of the hosted site: after one visit, the page opens and analyzes snapshots
// with the network off.
//
// `make dist` (.ci/sw-manifest.mjs) copies this file to the site's root, because a service worker
// controls only the pages at or below its own folder, and replaces BUILD below with the build's
// version (a hash of the application's files) and the list of those files. Each version has a cache
// of its own; activating a version deletes the caches of the others. A new version waits until the
// page (www/update.js) asks it to take over, after the user chose to reload.
//
// It never caches a snapshot or anything derived from one: files the user opens are read from disk
// and never pass through fetch, the demo snapshot is not in the list, and nothing is put in a cache
// after the install, which stores exactly the listed files. Requests for anything else go to the
// network as if there were no service worker.
'use strict';

// Replaced at build time by {"version": "…", "files": ["./", "index.html", …]} (paths relative to
// the site's root). Left null, this worker caches nothing and answers nothing.
const BUILD = null;

// The site may share its origin with others (every project site of a GitHub user does), so the
// caches are named after this site's scope as well as the version, and only ours are ever deleted.
const PREFIX = `heaplens ${self.registration.scope} `;
const CACHE = BUILD && PREFIX + BUILD.version;
const urlOf = (file) => new URL(file, self.registration.scope).href;
const FILES = new Set(BUILD ? BUILD.files.map(urlOf) : []);

self.addEventListener('install', (event) => {
  if (!BUILD) return;
  // 'reload' skips the HTTP cache, so that the new version's cache cannot hold an old file.
  const requests = BUILD.files.map((file) => new Request(urlOf(file), { cache: 'reload' }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    // The page of the first visit (and its worker) then loads the application from the cache too.
    await self.clients.claim();
  })());
});

// The page sends this when the user accepts the update offer.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!BUILD || request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (!FILES.has(url.href)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    return (await cache.match(url.href)) || fetch(request);
  })());
});
