// The worker that owns the snapshot.
//
// It loads the heaplens WebAssembly module (wasm-bindgen's no-modules build, which defines the
// global `wasm_bindgen`), reads one file into a Loader, and then answers the page's queries from
// the resulting Engine. The page creates a fresh worker for every file and terminates the old one:
// WebAssembly memory never shrinks, so that is the only way to give a big snapshot's memory back.
// All messages are described in protocol.js.
'use strict';

// Hook for the one-file offline build (.ci/offline.mjs): its worker script carries protocol.js and
// wasm-bindgen's glue itself, and sets self.HeaplensWasmSource to a promise of the module's bytes.
// The hosted site loads all three by URL, relative to this script.
const embeddedWasm = self.HeaplensWasmSource;
if (!embeddedWasm) importScripts('protocol.js', '../heaplens.js');

const P = self.HeaplensProtocol;

// Instantiate the module once; every handler waits for it.
const ready = wasm_bindgen({ module_or_path: embeddedWasm || '../heaplens_bg.wasm' }).then(() => {
  wasm_bindgen.init();
  self.postMessage(P.make(P.TO_PAGE.READY));
}, (error) => {
  throw new Error(`cannot start the WebAssembly module: ${messageOf(error)}`);
});
// Handlers report the failure themselves; this keeps it from also being an unhandled rejection.
ready.catch(() => {});

let engine = null;
let busy = false;

function post(def, fields) {
  self.postMessage(P.make(def, fields));
}

function messageOf(error) {
  if (error instanceof Error) return error.message || String(error);
  return String(error);
}

// Reads a File in slices with `file.slice().arrayBuffer()` and feeds them to the loader. The next
// slice is read while the current one is parsed, so disk and parser overlap; at most two slices
// are in memory at once.
async function feedFile(loader, file, progress) {
  const size = file.size;
  const read = (at) => (at < size ? file.slice(at, Math.min(size, at + P.SLICE_BYTES)).arrayBuffer() : null);
  let next = read(0);
  for (let at = 0; next; at += P.SLICE_BYTES) {
    const buffer = await next;
    next = read(at + P.SLICE_BYTES);
    loader.feed(new Uint8Array(buffer));
    progress(at + buffer.byteLength, size);
  }
}

// Streams a same-origin URL into the loader. Network chunks are small, so they are gathered into
// slices of about a mebibyte before each feed to keep the number of calls into WebAssembly low.
async function feedUrl(loader, url, progress) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  // The length is only the file's size when the server did not compress the transfer.
  const length = response.headers.get('content-encoding') ? null : Number(response.headers.get('content-length')) || null;
  const reader = response.body.getReader();
  const GATHER = 1024 * 1024;
  let pending = [];
  let pendingBytes = 0;
  let bytesRead = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    const slice = new Uint8Array(pendingBytes);
    let at = 0;
    for (const chunk of pending) {
      slice.set(chunk, at);
      at += chunk.byteLength;
    }
    pending = [];
    pendingBytes = 0;
    loader.feed(slice);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending.push(value);
    pendingBytes += value.byteLength;
    bytesRead += value.byteLength;
    if (pendingBytes >= GATHER) {
      flush();
      progress(bytesRead, length);
    }
  }
  flush();
  progress(bytesRead, length);
}

async function open(message) {
  try {
    await ready;
  } catch (error) {
    post(P.TO_PAGE.LOAD_FAILED, { message: messageOf(error) });
    return;
  }
  if (busy || engine) {
    // The page makes a new worker per file; a second OPEN is a page bug, not a user error.
    post(P.TO_PAGE.LOAD_FAILED, { message: 'this worker already holds a snapshot' });
    return;
  }
  busy = true;
  const started = performance.now();
  const loader = new wasm_bindgen.Loader();
  let bytesRead = 0;
  let totalBytes = null;
  const progress = (read, total) => {
    bytesRead = read;
    totalBytes = total;
    post(P.TO_PAGE.PROGRESS, { bytesRead, totalBytes, phase: 'reading' });
  };
  try {
    if (message.type === P.TO_WORKER.OPEN_FILE.type) {
      await feedFile(loader, message.file, progress);
    } else {
      await feedUrl(loader, message.url, progress);
    }
    // finish() runs every analysis synchronously; its phase callback reports each step. The page
    // receives these messages while this thread is still busy, since postMessage does not wait.
    engine = loader.finish((phase) => {
      post(P.TO_PAGE.PROGRESS, { bytesRead, totalBytes, phase });
    });
    post(P.TO_PAGE.LOADED, {
      summary: engine.summary(),
      statistics: engine.statistics(),
      millis: performance.now() - started,
    });
  } catch (error) {
    engine = null;
    post(P.TO_PAGE.LOAD_FAILED, { message: messageOf(error) });
  } finally {
    loader.free();
    busy = false;
  }
}

function query(message, def) {
  const spec = P.QUERIES[def.type];
  try {
    if (!engine) throw new Error('no snapshot is loaded');
    const args = spec.args.map((name) => message[name]);
    let value = engine[spec.method](...args);
    // find_id answers undefined for an unknown id; structured clone keeps null more clearly.
    if (value === undefined) value = null;
    post(P.TO_PAGE.REPLY, { id: message.id, value });
  } catch (error) {
    post(P.TO_PAGE.REPLY_ERROR, { id: message.id, message: messageOf(error) });
  }
}

self.onmessage = async (event) => {
  const message = event.data;
  let def;
  try {
    def = P.check(message, 'to-worker');
  } catch (error) {
    // A malformed message is a page bug: say so in the console, where a developer looks.
    console.error('heaplens worker:', messageOf(error));
    return;
  }
  if (def === P.TO_WORKER.OPEN_FILE || def === P.TO_WORKER.OPEN_URL) {
    await open(message);
  } else {
    // Queries only come after LOADED, so the module is ready; waiting keeps the order anyway.
    await ready.catch(() => {});
    query(message, def);
  }
};
