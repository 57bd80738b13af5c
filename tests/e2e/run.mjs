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


const scrollbackText = (page) => page.$$eval('.scrollback .line', (lines) => lines.map((l) => l.textContent).join('\n'));

test('stderr is styled and Up recalls the last command', async (page) => {
  await typeCommand(page, 'cat nothing-here');
  await page.waitForSelector('.line.stderr');
  const err = await page.textContent('.line.stderr');
  if (err !== 'cat: nothing-here: No such file or directory') throw new Error(`stderr line: ${err}`);
  await page.press('#command-input', 'ArrowUp');
  const value = await page.inputValue('#command-input');
  if (value !== 'cat nothing-here') throw new Error(`history: ${value}`);
});

test('a second terminal tab is its own session', async (page) => {
  await typeCommand(page, 'echo first');
  await page.click('.tab-open');
  await page.waitForSelector('#tab-2[aria-selected=true]');
  await typeCommand(page, 'echo second');
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('second'));
  await page.screenshot({ path: join(SHOTS, 'two-tabs.png') });
  await page.click('#tab-1');
  await page.waitForFunction(() => !document.querySelector('.scrollback')?.textContent.includes('second'));
  const text = await scrollbackText(page);
  if (text !== '$ echo first\nfirst') throw new Error(`terminal 1 shows: ${text}`);
});

test('a reload restores the session', async (page) => {
  await typeCommand(page, 'echo kept across reloads');
  await page.click('.step');
  await page.waitForFunction(() => document.querySelector('.clock-time')?.textContent === '0:00:01.000');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('kept across reloads'));
  const clock = await page.textContent('.clock-time');
  if (clock !== '0:00:01.000') throw new Error(`clock after reload: ${clock}`);
});

test('a value like <img onerror> is shown as text and runs nothing', async (page) => {
  const hostile = '<img src=x onerror=alert(1)>';
  await typeCommand(page, `echo '${hostile}'`);
  await page.waitForFunction((h) => [...document.querySelectorAll('.scrollback .line')].some((l) => l.textContent === h), hostile);
  if (await page.$('.scrollback img')) throw new Error('an <img> element was created');
  await page.waitForTimeout(300); // an onerror handler would have fired by now
});

test('a share link replays the session in a new page, text stays text', async (page) => {
  const hostile = '<img src=x onerror=alert(1)>';
  await typeCommand(page, `echo '${hostile}'`);
  await page.click('.tab-open');
  await typeCommand(page, 'echo from tab two');
  await page.click('text=Share');
  const link = await page.inputValue('#share-url');
  if (!link.includes('#s=')) throw new Error(`share link: ${link}`);
  const other = await page.context().browser().newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  other.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  await other.goto(link);
  await other.waitForSelector('text=Opened a shared session');
  await other.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('from tab two'));
  await other.click('#tab-1');
  await other.waitForFunction((h) => [...document.querySelectorAll('.scrollback .line')].some((l) => l.textContent === h), hostile);
  if (await other.$('.scrollback img')) throw new Error('an <img> element was created');
  if (new URL(other.url()).hash !== '') throw new Error(`fragment kept: ${other.url()}`);
  await other.screenshot({ path: join(SHOTS, 'shared.png') });
  await other.close();
  if (errors.length) throw new Error(errors.join('\n'));
});

test('a hostile share link is refused with a message', async (page) => {
  const json = JSON.stringify({ app: 'kafka-sandbox', format: 1, seed: 1, brokers: 3,
    transcript: [{ op: 'run', term: 1, line: 'echo ok' }, { op: 'run', term: 1, line: 'x'.repeat(5000) }] });
  const b64 = Buffer.from(json).toString('base64url');
  await page.goto(`${page.url().split('#')[0]}#s=${b64}`);
  await page.reload();
  await page.waitForSelector('.notice.error');
  const notice = await page.textContent('.notice.error');
  if (!notice.includes('This share link could not be opened') || !notice.includes('entry 2 is a line of 5000 bytes')) throw new Error(notice);
  const text = await scrollbackText(page);
  if (text !== '') throw new Error(`something ran: ${text}`);
});

test('screenshots: light, dark, 1024x768', async (page) => {
  await typeCommand(page, 'help');
  await typeCommand(page, 'cat missing');
  await page.waitForSelector('.line.stderr');
  await page.screenshot({ path: join(SHOTS, 'light-1280.png') });
  await page.click('.theme'); // system -> light
  await page.click('.theme'); // light -> dark
  await page.waitForSelector('html[data-theme=dark]');
  await page.screenshot({ path: join(SHOTS, 'dark-1280.png') });
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.screenshot({ path: join(SHOTS, 'dark-1024x768.png') });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (overflow) throw new Error('horizontal overflow at 1024 px');
});

test('keyboard only: Tab reaches the controls with a visible focus, Escape then Tab leaves the terminal', async (page) => {
  await page.focus('#command-input');
  await page.keyboard.type('kafka-top');
  await page.keyboard.press('Tab');
  const completed = await page.inputValue('#command-input');
  if (completed !== 'kafka-topics ') throw new Error(`completion: ${completed}`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  const leftTerminal = await page.evaluate(() => document.activeElement?.id !== 'command-input');
  if (!leftTerminal) throw new Error('Tab after Escape kept focus in the terminal');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.screenshot({ path: join(SHOTS, 'keyboard-focus.png') });
});

test('export downloads the session as JSON and import replays it in a fresh page', async (page) => {
  await typeCommand(page, 'echo exported line');
  await page.click('.step');
  await page.waitForFunction(() => document.querySelector('.clock-time')?.textContent === '0:00:01.000');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export')]);
  if (download.suggestedFilename() !== 'kafka-sandbox-seed1-2actions.json') throw new Error(download.suggestedFilename());
  const path = await download.path();
  const saved = JSON.parse(await readFile(path, 'utf8'));
  const expected = { app: 'kafka-sandbox', format: 1, seed: 1, brokers: 3,
    transcript: [{ op: 'run', term: 1, line: 'echo exported line' }, { op: 'advance', ms: 1000 }] };
  if (JSON.stringify(saved) !== JSON.stringify(expected)) throw new Error(`exported: ${JSON.stringify(saved)}`);
  const fresh = await page.context().browser().newPage({ viewport: { width: 1280, height: 800 } });
  await fresh.goto(page.url());
  await fresh.waitForSelector('#command-input');
  await fresh.setInputFiles('input[type=file]', path);
  await fresh.waitForSelector('text=Imported a session: 2 actions replayed.');
  const text = await fresh.$$eval('.scrollback .line', (ls) => ls.map((l) => l.textContent).join('\n'));
  const clock = await fresh.textContent('.clock-time');
  await fresh.close();
  if (text !== '$ echo exported line\nexported line' || clock !== '0:00:01.000') throw new Error(`imported: ${text} at ${clock}`);
});

test('the system dark scheme gives the dark theme', async (page) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (bg !== 'rgb(13, 17, 23)') throw new Error(`body background in dark mode: ${bg}`);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (light !== 'rgb(255, 255, 255)') throw new Error(`body background in light mode: ${light}`);
});

test('the panic panel reset link (?reset) starts fresh and keeps the old session aside', async (page) => {
  await typeCommand(page, 'echo before reset');
  await page.waitForFunction(() => localStorage.getItem('kafka-sandbox.session')?.includes('before reset'));
  await page.goto(`${page.url().split(/[?#]/)[0]}?reset`);
  await page.waitForSelector('text=Started a fresh session');
  const text = await scrollbackText(page);
  if (text !== '') throw new Error(`not fresh: ${text}`);
  if (new URL(page.url()).search !== '') throw new Error(`query kept: ${page.url()}`);
  const kept = await page.evaluate(() => localStorage.getItem('kafka-sandbox.session.previous'));
  if (!kept?.includes('before reset')) throw new Error(`previous session: ${kept}`);
});


const goalMet = (page) => page.waitForSelector('.goal.met', { timeout: 20000 });

test('the first lesson, worked through by clicking its commands and reading the goal ticks', async (page) => {
  await page.click('.lesson-open[data-lesson=log-not-queue]');
  await page.waitForSelector('aside.lesson[data-lesson=log-not-queue][data-step="1"] .goal.unmet');
  if (!page.url().endsWith('#/lesson/log-not-queue/step/1')) throw new Error(`address: ${page.url()}`);
  // Step 1: the two commands, clicked, run in terminal 1 like typed lines.
  const commands = await page.$$('.lesson-commands .run-command');
  for (const c of commands) await c.click();
  await goalMet(page);
  const text = await scrollbackText(page);
  if (!text.includes('$ docker-compose up') || !text.includes('$ sim status')) throw new Error(`terminal: ${text}`);
  await page.click('.next-step');
  // Step 2: create the topic, start the producer, type three records, Ctrl-D.
  await page.waitForSelector('aside.lesson[data-step="2"] .goal.unmet');
  const missing = await page.textContent('.goal-missing');
  if (!missing.includes('Topic greetings does not exist yet')) throw new Error(`missing condition: ${missing}`);
  await page.click('.lesson-commands li:nth-child(1) .run-command');
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('Created topic greetings.'));
  await page.click('.lesson-commands li:nth-child(2) .run-command');
  for (const line of ['hello', 'log', 'world']) await typeCommand(page, line);
  await page.press('#command-input', 'Control+d');
  await goalMet(page);
  await page.click('.next-step');
  // Step 3: read it twice (the lesson's clock plays, so the consumer gets its records).
  await page.waitForSelector('aside.lesson[data-step="3"] .goal.unmet');
  await page.click('.lesson-commands .run-command');
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('Processed a total of 3 messages'), null, { timeout: 20000 });
  await page.waitForTimeout(1500);
  await page.click('.lesson-commands .run-command');
  await goalMet(page);
  await page.waitForSelector('.lesson-complete');
  await page.screenshot({ path: join(SHOTS, 'lesson-complete.png') });
  // Progress is saved and shown in the list.
  await page.click('.lesson-home');
  const row = await page.textContent('.lesson-item:has([data-lesson=log-not-queue]) .lesson-progress-text');
  if (row !== '3/3') throw new Error(`progress: ${row}`);
  const saved = await page.evaluate(() => localStorage.getItem('kafka-sandbox.lesson-progress'));
  if (saved !== '{"done":{"log-not-queue":[0,1,2]}}') throw new Error(`saved progress: ${saved}`);
  await page.screenshot({ path: join(SHOTS, 'lesson-list.png') });
});

test('a deep link opens a lesson at a step; show solution fills the input without running it', async (page) => {
  await page.goto(`${page.url().split('#')[0]}#/lesson/offsets/step/2`);
  await page.reload();
  await page.waitForSelector('aside.lesson[data-lesson=offsets][data-step="2"]', { timeout: 30000 });
  const title = await page.textContent('.step-title');
  if (title !== 'Committed offsets') throw new Error(`step title: ${title}`);
  await page.waitForSelector('#tab-2', { timeout: 30000 });
  await page.waitForSelector('.goal.unmet');
  await page.click('.show-solution');
  await page.waitForFunction(() => document.querySelector('#command-input')?.value.includes('--describe --group billing-app'));
  const text = await scrollbackText(page);
  if (text.includes('--describe --group billing-app')) throw new Error('the solution ran');
  await page.waitForSelector('.solution li');
  await page.screenshot({ path: join(SHOTS, 'lesson-deep-link.png') });
  // A bad link says why, as text.
  await page.evaluate(() => { location.hash = '#/lesson/<img src=x onerror=alert(1)>'; });
  await page.waitForSelector('.lesson-error');
  const err = await page.textContent('.lesson-error');
  if (!err.includes('That lesson link does not work: there is no lesson')) throw new Error(`error: ${err}`);
  if (await page.$('.lesson-error img')) throw new Error('the link was rendered as HTML');
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
