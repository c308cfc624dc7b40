// A tiny static file server for dist/, on 127.0.0.1 unless told otherwise.
//
// The end-to-end tests start it on a random free port; `make serve` runs it from the command line:
//   node tests/e2e/serve.mjs [dir=dist] [host=127.0.0.1] [port=8080]
// It serves files as they are, with the content types the site needs (application/wasm lets the
// worker compile while downloading) and no compression, like GitHub Pages serves a .gz file.
// Tests may slow one path down (`throttle`) to watch progress and try the Cancel button.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.heapsnapshot': 'application/json',
};

// Starts serving `root`. Options: port (0 = any free port), throttle(pathname) → bytes per second
// for that path, or null for full speed. Resolves to {url, origin, server, requests, close()};
// `requests` lists every path asked for.
export function serve(root, { host = '127.0.0.1', port = 0, throttle = () => null } = {}) {
  const base = path.resolve(root);
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.join(base, pathname);
    // Never serve anything outside the root, whatever the path says.
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.stat(file, (error, stat) => {
      if (error || !stat.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': stat.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const rate = throttle(url.pathname);
      const stream = fs.createReadStream(file, rate ? { highWaterMark: Math.max(1024, Math.floor(rate / 10)) } : {});
      if (!rate) {
        stream.pipe(res);
        return;
      }
      // Ten chunks a second at the requested rate.
      stream.on('data', (chunk) => {
        stream.pause();
        res.write(chunk);
        setTimeout(() => stream.resume(), 100);
      });
      stream.on('end', () => res.end());
      res.on('close', () => stream.destroy());
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
      resolve({
        url: `${origin}/`,
        origin,
        server,
        requests,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const root = args[0] || 'dist';
  // [host] [port], or just [port].
  const host = args.length >= 3 ? args[1] : '127.0.0.1';
  const port = Number(args.length >= 3 ? args[2] : args[1] || 8080);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    console.error(`heaplens: ${root}/index.html does not exist; build the site first (make dist)`);
    process.exit(1);
  }
  const { url } = await serve(root, { host, port });
  console.log(`heaplens: serving ${path.resolve(root)} on ${url}`);
  console.log('Press Ctrl+C to stop.');
}
