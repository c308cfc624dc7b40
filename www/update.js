// Offline use of the hosted site and its updates. Registers the service worker (www/sw.js, which
// `make dist` places at the site's root) and, when a newly deployed version is installed and waiting,
// offers to reload into it with a small banner. Reloading drops the open snapshot, so the page
// never reloads on its own.
//
// Only over http(s): the one-file offline build, opened from disk, carries everything it needs and
// must not register anything (it marks itself with data-heaplens-build="offline" on <html>).

const HOUR = 60 * 60 * 1000;
// Set when the user accepted the offer: the new version's taking over then reloads the page.
let reloadOnTakeOver = false;

function offer(waiting) {
  if (document.getElementById('update-banner')) return;
  const banner = document.createElement('div');
  banner.className = 'update-banner';
  banner.id = 'update-banner';
  banner.setAttribute('role', 'status');
  const text = document.createElement('span');
  text.textContent = 'A new version of heaplens is available — ';
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.className = 'primary';
  reload.id = 'update-reload';
  reload.textContent = 'Reload';
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'update-dismiss';
  dismiss.setAttribute('aria-label', 'Dismiss');
  dismiss.textContent = '×';
  banner.append(text, reload, dismiss);
  document.body.append(banner);

  dismiss.addEventListener('click', () => banner.remove());
  reload.addEventListener('click', () => {
    reload.disabled = true;
    // The new version takes over, then the page reloads (see register); if it already has taken
    // over, or is gone, a plain reload gets whatever is current.
    if (waiting && waiting.state === 'installed') {
      reloadOnTakeOver = true;
      waiting.postMessage({ type: 'skip-waiting' });
    } else {
      location.reload();
    }
  });
}

async function register() {
  const registration = await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url));
  // A version that is already waiting (installed during an earlier visit), or one installed now. The
  // first installation (no controller yet) is no update: nothing to offer.
  const consider = (worker) => {
    if (worker && worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
  };
  consider(registration.waiting);
  // A new version taking over: this page asked for it (reload now), or another tab of the site did,
  // and this page's next worker would load the new version's files (offer to reload). The first
  // installation taking over a fresh page is neither.
  let controlled = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadOnTakeOver) location.reload();
    else if (controlled) offer(null);
    controlled = true;
  });
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    if (!installing) return;
    installing.addEventListener('statechange', () => consider(installing));
  });
  // The browser checks for a new version at each visit; a tab left open checks again when it is
  // shown after an hour or more.
  let checked = Date.now();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || Date.now() - checked < HOUR) return;
    checked = Date.now();
    registration.update().catch(() => {});
  });
}

const offlineBuild = document.documentElement.dataset.heaplensBuild === 'offline';
if (!offlineBuild && /^https?:$/.test(location.protocol) && 'serviceWorker' in navigator) {
  // Without a service worker the site still works, only not offline: say so where developers look,
  // without an error (private windows and some settings refuse service workers).
  register().catch((error) => console.info('heaplens: offline use is unavailable:', error.message));
}
