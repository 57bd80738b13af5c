// Where the page's time goes while the clock plays: a CPU profile (CDP Profiler) of the play
// ticks with 5 brokers, an RF 3 topic of PARTITIONS partitions (default 600) and a producer, then
// the functions with the most self time and the most total time. Not a test, a tool (issue 10:
// "where a target is missed, find why"):
//
//   make profile-page            # builds dist-profile/ with function names kept, then runs this
//   PARTITIONS=120 SECONDS=5 node tests/e2e/profile.mjs
//
// It needs a bundle whose wasm keeps its names section (trunk's data-keep-debug, no wasm-opt);
// the release bundle in dist/ has none and every wasm frame would read wasm-function[1234].
import { serveDist } from './serve.mjs';
import { chromium } from 'playwright-core';

const PARTITIONS = Number(process.env.PARTITIONS ?? 600);
const SECONDS = Number(process.env.SECONDS ?? 5);
const TOP = Number(process.env.TOP ?? 40);

async function typeCommand(page, line) {
  await page.fill('#command-input', line);
  await page.press('#command-input', 'Enter');
}

// Shortens a Rust symbol: drops the hash and generic noise, keeps the path's last parts.
const short = (name) => name.replace(/::h[0-9a-f]{16}$/, '').replace(/kafka_sandbox::/g, '').slice(0, 150);

const server = await serveDist();
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-background-timer-throttling'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`${url}?reset`);
await page.waitForSelector('#command-input');
await typeCommand(page, 'sim reset --brokers 5');
await page.waitForSelector('[aria-label="Broker 5"]');
await typeCommand(page, `kafka-topics --create --topic big --partitions ${PARTITIONS} --replication-factor 3 --bootstrap-server localhost:9092`);
await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('Created topic big.'));
await typeCommand(page, 'kafka-producer-perf-test --topic big --num-records 100000000 --record-size 100 --throughput 2000 --producer-props bootstrap.servers=localhost:9092 &');
await page.click('.play');
await page.waitForTimeout(1000);

const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
if (process.env.FAULT) {
  // FAULT=1: a broker crashes and comes back during the profile (hundreds of leader and ISR
  // changes in one tick at 600 partitions).
  await page.waitForTimeout(SECONDS * 300);
  await typeCommand(page, 'sim crash 2');
  await page.waitForTimeout(SECONDS * 300);
  await typeCommand(page, 'sim start 2');
  await page.waitForTimeout(SECONDS * 400);
} else {
  await page.waitForTimeout(SECONDS * 1000);
}
const { profile } = await cdp.send('Profiler.stop');
await page.click('.play');
await browser.close();
server.close();

// Self time per node from the samples, then per function; total time by walking up the tree.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const self = new Map();
const total = new Map();
let busy = 0;
for (const [id, us] of selfUs) {
  const name = byId.get(id).callFrame.functionName || '(anonymous)';
  if (name === '(idle)' || name === '(program)') continue;
  busy += us;
  self.set(name, (self.get(name) ?? 0) + us);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame.functionName || '(anonymous)';
    if (seen.has(f)) continue;
    seen.add(f);
    total.set(f, (total.get(f) ?? 0) + us);
  }
}
const table = (m, title) => {
  console.log(`\n${title} (of ${(busy / 1000).toFixed(0)} ms busy in ${SECONDS} s, ${PARTITIONS} partitions)`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / busy).toFixed(1).padStart(5)}%  ${short(name)}`);
  }
};
table(self, 'Self time');
table(total, 'Total time');

// CALLERS=<part of a function name>: the call paths into it (the innermost DEPTH frames of the
// code that called it), by self time spent in it.
if (process.env.CALLERS) {
  const depth = Number(process.env.DEPTH ?? 8);
  const paths = new Map();
  for (const [id, us] of selfUs) {
    if (!(byId.get(id).callFrame.functionName || '').includes(process.env.CALLERS)) continue;
    const chain = [];
    for (let at = parent.get(id); at !== undefined && chain.length < depth; at = parent.get(at)) {
      const f = byId.get(at).callFrame.functionName;
      if (f && !/shim|wasm-to-js|js-to-wasm|invoke/.test(f)) chain.push(short(f).slice(0, 90));
    }
    const key = chain.join('\n      <- ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  console.log(`\nCallers of ${process.env.CALLERS}`);
  for (const [path, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${path}`);
}
