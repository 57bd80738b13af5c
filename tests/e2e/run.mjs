// Browser end-to-end tests: the release bundle in dist/, served on loopback, driven in Debian's
// Chromium by playwright-core (never a downloaded browser). Screenshots go to target/e2e/.
// Prints one line per test and a closing `e2e: N passed, M failed`.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const DIST = new URL('../../dist/', import.meta.url).pathname;
const SHOTS = new URL('../../target/e2e/', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

function serveDist() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(DIST, path.endsWith('/') ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function typeCommand(page, line) {
  await page.fill('#command-input', line);
  await page.press('#command-input', 'Enter');
}

test('the page loads with a header, a cluster area and a terminal', async (page) => {
  await page.waitForSelector('text=Kafka sandbox');
  await page.waitForSelector('[aria-label=Cluster]');
  await page.waitForSelector('#command-input');
});

test('typing help in the terminal shows the shell help', async (page) => {
  await typeCommand(page, 'help');
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('kafka-console-consumer'));
  await page.screenshot({ path: join(SHOTS, 'help.png') });
});

const server = await serveDist();
const url = `http://127.0.0.1:${server.address().port}/`;
await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
let passed = 0, failed = 0;
for (const { name, fn } of tests) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  try {
    await page.goto(url);
    await fn(page);
    if (errors.length) throw new Error(errors.join('\n'));
    passed++; console.log(`ok - ${name}`);
  } catch (e) {
    failed++; console.log(`not ok - ${name}\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
    await page.screenshot({ path: join(SHOTS, `failed-${passed + failed}.png`) }).catch(() => {});
  }
  await page.close();
}
await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
