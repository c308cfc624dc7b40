// The messages between the page and the worker: every one of them, with its fields and direction.
//
// The worker owns the snapshot (the WebAssembly Engine); the page only ever holds the rows it is
// showing. The page opens a file with OPEN_FILE or OPEN_URL, watches PROGRESS until LOADED or
// LOAD_FAILED, and then asks for pages of rows with the query messages. Every query carries a
// request id chosen by the page; the worker answers with REPLY or REPLY_ERROR echoing that id, so
// the page can match answers to questions and drop the answers it no longer wants.
//
// This is a classic script rather than an ES module because the worker is a classic worker (it
// loads wasm-bindgen's no-modules output with importScripts). The page loads it with a plain
// <script> tag before its modules; both sides then read `self.HeaplensProtocol`.
(function (global) {
  'use strict';

  // Every query the worker answers, by message type: the Engine method it calls and the
  // message's fields, in the order the method takes them. Each query message also carries the
  // request `id`. This list is the only place a query is named; TO_WORKER is derived from it.
  const QUERIES = {
    // engine.summary(): node and edge counts, total size, class count, root, title.
    'summary': { method: 'summary', args: [] },
    // engine.statistics(): the heap's bytes by category.
    'statistics': { method: 'statistics', args: [] },
    // engine.classes(sort, descending, filter, offset, limit); sort is one of CLASS_SORTS.
    'classes': { method: 'classes', args: ['sort', 'descending', 'filter', 'offset', 'limit'] },
    // engine.instances(classIndex, offset, limit): a class's members by retained size.
    'instances': { method: 'instances', args: ['classIndex', 'offset', 'limit'] },
    // engine.node(node): everything about one node (by ordinal).
    'node': { method: 'node', args: ['node'] },
    // engine.edges(node, offset, limit): outgoing references.
    'edges': { method: 'edges', args: ['node', 'offset', 'limit'] },
    // engine.retainers(node, offset, limit): incoming references, DevTools' filtering and order.
    'retainers': { method: 'retainers', args: ['node', 'offset', 'limit'] },
    // engine.paths(node, k): up to k shortest retaining paths from the GC roots.
    'paths': { method: 'paths', args: ['node', 'k'] },
    // engine.dominated(node, offset, limit): the nodes this one immediately dominates.
    'dominated': { method: 'dominated', args: ['node', 'offset', 'limit'] },
    // engine.find_id(objectId): the ordinal of the node with that @id, or null.
    'find-id': { method: 'find_id', args: ['objectId'] },
  };

  // Page → worker: opening a file, then the queries (as P.TO_WORKER.CLASSES and so on: the
  // query's type in upper case, dashes as underscores).
  const TO_WORKER = {
    // Start loading a File picked or dropped by the user. The worker reads it in slices.
    OPEN_FILE: { type: 'open-file', fields: ['file'] },
    // Start loading a same-origin URL (the bundled demo snapshot), streaming the response.
    OPEN_URL: { type: 'open-url', fields: ['url'] },
  };
  for (const [type, spec] of Object.entries(QUERIES)) {
    TO_WORKER[type.toUpperCase().replace(/-/g, '_')] = { type, fields: ['id', ...spec.args] };
  }

  // Worker → page.
  const TO_PAGE = {
    // Sent once the WebAssembly module is instantiated and the worker accepts OPEN_*.
    READY: { type: 'ready', fields: [] },
    // Loading progress: bytes read so far, the file's size (null when unknown) and the current
    // phase ('reading', then the engine's analysis phases: 'indexing', 'dominators', ...).
    PROGRESS: { type: 'progress', fields: ['bytesRead', 'totalBytes', 'phase'] },
    // The snapshot is loaded and analyzed; queries may start. `summary` is engine.summary() and
    // `statistics` engine.statistics(); `millis` the load time measured in the worker.
    LOADED: { type: 'loaded', fields: ['summary', 'statistics', 'millis'] },
    // The file is not a valid snapshot (or could not be read). `message` says what and where,
    // for example "... (at byte 1234)". The worker is of no further use.
    LOAD_FAILED: { type: 'load-failed', fields: ['message'] },
    // The answer to a query: `value` is the engine's plain-data result.
    REPLY: { type: 'reply', fields: ['id', 'value'] },
    // A query failed: `message` is the engine's error.
    REPLY_ERROR: { type: 'reply-error', fields: ['id', 'message'] },
  };

  // The sort columns engine.classes accepts.
  const CLASS_SORTS = ['name', 'distance', 'count', 'self_size', 'retained_size'];

  // How many bytes the worker reads from a File at a time: big enough that the per-slice overhead
  // vanishes, small enough that two slices in flight cost little memory.
  const SLICE_BYTES = 16 * 1024 * 1024;

  function byType(table) {
    const map = new Map();
    for (const def of Object.values(table)) map.set(def.type, def);
    return map;
  }
  const toWorkerTypes = byType(TO_WORKER);
  const toPageTypes = byType(TO_PAGE);

  // Builds a message of kind `def` from `fields`, refusing unknown or missing fields, so that a
  // typo on either side fails loudly where it is made instead of as a silent hang.
  function make(def, fields = {}) {
    const message = { type: def.type };
    for (const name of def.fields) {
      if (!(name in fields)) throw new Error(`message '${def.type}' lacks field '${name}'`);
      message[name] = fields[name];
    }
    for (const name of Object.keys(fields)) {
      if (!def.fields.includes(name)) throw new Error(`message '${def.type}' has no field '${name}'`);
    }
    return message;
  }

  // Checks a received message against the table for its direction and returns its definition.
  function check(message, direction) {
    const table = direction === 'to-worker' ? toWorkerTypes : toPageTypes;
    const def = message && table.get(message.type);
    if (!def) throw new Error(`unknown message type '${message && message.type}'`);
    for (const name of def.fields) {
      if (!(name in message)) throw new Error(`message '${def.type}' lacks field '${name}'`);
    }
    return def;
  }

  global.HeaplensProtocol = Object.freeze({
    TO_WORKER, TO_PAGE, QUERIES, CLASS_SORTS, SLICE_BYTES, make, check,
  });
})(self);
