// The page's side of the worker: one WorkerClient per opened file.
//
// It starts the worker (which instantiates the WebAssembly module right away, so the page keeps
// one client ready before the user picks a file), forwards loading progress, and turns queries
// into promises. Each query
// gets a fresh request id; the worker's REPLY echoes it. A view that no longer wants an answer (the
// user sorted again, scrolled past a page, selected another object) calls cancel(id), and the
// answer is dropped when it arrives. Terminating the worker drops everything at once.
// A closed client never settles its promises, so views being torn down need no error handling.

const P = self.HeaplensProtocol;

export class WorkerClient {
  constructor() {
    this.handlers = null;
    // Why the worker died before a file was given to it, if it did.
    this.crashed = null;
    this.nextId = 1;
    this.pending = new Map();
    this.closed = false;
    // Hook for the one-file offline build (.ci/offline.mjs): a file:// page cannot start a worker
    // from a URL, so that build sets self.HeaplensWorkerFactory to start one from a blob: URL.
    const factory = self.HeaplensWorkerFactory;
    this.worker = factory ? factory() : new Worker(new URL('./worker.js', import.meta.url), { name: 'heaplens' });
    this.worker.onmessage = (event) => this.receive(event.data);
    // An uncaught error inside the worker (a failed importScripts, a trap outside any handler):
    // the worker cannot be trusted any more, so report it and give up on this file.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.crash(event.message || 'the worker stopped unexpectedly');
    };
    this.worker.onmessageerror = () => this.crash('a message from the worker could not be read');
  }

  // Starts loading `source` ({kind: 'file', file} or {kind: 'url', url}); a client loads one
  // snapshot in its life. `handlers`: onProgress({bytesRead, totalBytes, phase}),
  // onLoaded({summary, statistics, millis}), onFailed(message), onCrash(message). Exactly one of
  // onLoaded, onFailed and onCrash ends the load.
  open(source, handlers) {
    this.handlers = handlers;
    if (this.crashed !== null) {
      handlers.onCrash(this.crashed);
      return;
    }
    if (source.kind === 'file') this.worker.postMessage(P.make(P.TO_WORKER.OPEN_FILE, { file: source.file }));
    else this.worker.postMessage(P.make(P.TO_WORKER.OPEN_URL, { url: source.url }));
  }

  // Sends query `def` (one of the TO_WORKER query kinds) with `fields` (all but `id`). Returns a
  // promise for the engine's answer; the promise carries `.id` so the caller can cancel it.
  request(def, fields = {}) {
    const id = this.nextId++;
    let entry;
    const promise = new Promise((resolve, reject) => {
      entry = { resolve, reject };
    });
    promise.id = id;
    // A closed client answers nothing: its views are being replaced.
    if (this.closed) return promise;
    this.pending.set(id, entry);
    this.worker.postMessage(P.make(def, { id, ...fields }));
    return promise;
  }

  // Forgets request `id`: its answer will be dropped and its promise never settles.
  cancel(id) {
    this.pending.delete(id);
  }

  receive(message) {
    let def;
    try {
      def = P.check(message, 'to-page');
    } catch (error) {
      console.error('heaplens page:', error.message);
      return;
    }
    switch (def) {
      case P.TO_PAGE.READY:
        break;
      case P.TO_PAGE.PROGRESS:
        this.handlers?.onProgress(message);
        break;
      case P.TO_PAGE.LOADED:
        this.handlers?.onLoaded(message);
        break;
      case P.TO_PAGE.LOAD_FAILED:
        this.handlers?.onFailed(message.message);
        break;
      case P.TO_PAGE.REPLY:
      case P.TO_PAGE.REPLY_ERROR: {
        const entry = this.pending.get(message.id);
        // No entry: the request was cancelled, so the answer is stale. Drop it.
        if (!entry) return;
        this.pending.delete(message.id);
        if (def === P.TO_PAGE.REPLY) entry.resolve(message.value);
        else entry.reject(new Error(message.message));
        break;
      }
    }
  }

  crash(message) {
    if (this.closed) return;
    this.terminate();
    // A spare that dies before it is used reports when it is given a file (main.js replaces it).
    if (this.handlers) this.handlers.onCrash(message);
    else this.crashed = message;
  }

  // Ends the worker and with it the snapshot and all of its memory.
  terminate() {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    // The views asking these questions are being torn down; their promises simply never settle.
    this.pending.clear();
  }
}
