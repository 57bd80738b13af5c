// Serves the release bundle in dist/ on a free loopback port, for the e2e tests and the page
// benchmarks. Paths cannot climb out of dist/. Text and wasm go out gzipped when the browser asks
// for it, as any static host sends them: the emulated-network load time counts the bytes a learner
// really downloads.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

// DIST_DIR: another bundle (tests/e2e/profile.mjs serves one built with function names).
const DIST = process.env.DIST_DIR ?? new URL('../../dist/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

export function serveDist() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(DIST, path.endsWith('/') ? 'index.html' : path);
    try {
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && extname(file) in TYPES) {
        headers['content-encoding'] = 'gzip';
        res.writeHead(200, headers);
        res.end(gzipSync(body, { level: 9 }));
      } else {
        res.writeHead(200, headers);
        res.end(body);
      }
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
