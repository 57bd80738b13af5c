// The load budget's size half: everything the page downloads (the wasm, its JS glue, the CSS and
// index.html), gzipped as a server would send it, within 800 KB. `node .ci/bundle-size.mjs [dist]`
// prints each file and the total, and ends with a `bundle: N passed, M failed` line for
// .ci/test.sh. The time half (time to an interactive terminal on an emulated 10 Mbit/s network) is
// measured by `make bench` (tests/e2e/bench.mjs), not asserted here: timings are not tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUNDLE_GZIP_BYTES_MAX = 800 * 1024;

export function bundleSizes(dist) {
  const files = readdirSync(dist).filter((f) => /\.(wasm|js|css|html)$/.test(f)).sort();
  const rows = files.map((f) => {
    const bytes = readFileSync(join(dist, f));
    return { file: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { rows, total: rows.reduce((sum, r) => sum + r.gzip, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? 'dist';
  const { rows, total } = bundleSizes(dist);
  for (const r of rows) console.log(`  ${r.file}: ${r.bytes} B, ${r.gzip} B gzipped`);
  const ok = rows.some((r) => r.file.endsWith('.wasm')) && total <= BUNDLE_GZIP_BYTES_MAX;
  console.log(`bundle: ${total} B gzipped in all (${(total / 1024).toFixed(1)} KB; at most ${BUNDLE_GZIP_BYTES_MAX / 1024} KB)`);
  console.log(`bundle: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
  process.exit(ok ? 0 : 1);
}
