// Browser end-to-end tests: the release bundle in dist/, served on loopback, driven in Debian's
// Chromium by playwright-core (never a downloaded browser). Screenshots go to target/e2e/.
// Prints one line per test and a closing `e2e: N passed, M failed`.
import { serveDist } from './serve.mjs';
import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const SHOTS = new URL('../../target/e2e/', import.meta.url).pathname;


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
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('kafka-console-consumer'));
  await page.screenshot({ path: join(SHOTS, 'help.png') });
});


const scrollbackText = (page) => page.$$eval('.terminal.active .scrollback .line', (lines) => lines.map((l) => l.textContent).join('\n'));

test('stderr is styled and Up recalls the last command', async (page) => {
  await typeCommand(page, 'cat nothing-here');
  await page.waitForSelector('.line.stderr');
  const err = await page.textContent('.terminal.active .line.stderr');
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
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('second'));
  await page.screenshot({ path: join(SHOTS, 'two-tabs.png') });
  await page.click('#tab-1');
  await page.waitForFunction(() => !document.querySelector('.terminal.active .scrollback')?.textContent.includes('second'));
  const text = await scrollbackText(page);
  if (text !== '$ echo first\nfirst') throw new Error(`terminal 1 shows: ${text}`);
});

test('a reload restores the session', async (page) => {
  await typeCommand(page, 'echo kept across reloads');
  await page.click('.step');
  await page.waitForFunction(() => document.querySelector('.clock-time')?.textContent === '0:00:01.000');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('kept across reloads'));
  const clock = await page.textContent('.clock-time');
  if (clock !== '0:00:01.000') throw new Error(`clock after reload: ${clock}`);
});

test('a value like <img onerror> is shown as text and runs nothing', async (page) => {
  const hostile = '<img src=x onerror=alert(1)>';
  await typeCommand(page, `echo '${hostile}'`);
  await page.waitForFunction((h) => [...document.querySelectorAll('.terminal.active .scrollback .line')].some((l) => l.textContent === h), hostile);
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
  await other.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('from tab two'));
  await other.click('#tab-1');
  await other.waitForFunction((h) => [...document.querySelectorAll('.terminal.active .scrollback .line')].some((l) => l.textContent === h), hostile);
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
  // The app reads the link when it starts: let the first load finish before the fragment changes
  // (otherwise a fast start reads it, refuses it and drops it, and the reload finds nothing).
  await page.waitForSelector('#command-input');
  await page.goto(`${page.url().split('#')[0]}#s=${b64}`);
  await page.reload();
  await page.waitForSelector('.notice.error');
  const notice = await page.textContent('.notice.error');
  if (!notice.includes('This share link could not be opened') || !notice.includes('entry 2 is a line of 5000 bytes')) throw new Error(notice);
  const text = await scrollbackText(page);
  if (text !== '') throw new Error(`something ran: ${text}`);
});

/// A share link of `entries`, as the page writes them.
const shareLink = (page, entries) => {
  const json = JSON.stringify({ app: 'kafka-sandbox', format: 1, seed: 7, brokers: 3, transcript: entries });
  return `${page.url().split('#')[0]}#s=${Buffer.from(json).toString('base64url')}`;
};

/// A session whose replay takes seconds because every action does real work (records produced
/// into many partitions), not because idle time is slow to simulate.
const workEntries = () => {
  const entries = [{ op: 'run', term: 1, line: 'kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 30 --replication-factor 3' }];
  for (let i = 0; i < WORK_ACTIONS; i++) {
    entries.push({ op: 'run', term: 1, line: `kafka-producer-perf-test --topic t --num-records ${WORK_RECORDS} --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092` });
  }
  return entries;
};
const WORK_ACTIONS = 300, WORK_RECORDS = 3000;

// Issue 19: a long replay shows its progress and can be cancelled; the learner's own session is
// kept aside, and a second link does not overwrite it.
test('a long share link replays with a progress bar and cancels to a fresh session', async (page) => {
  await typeCommand(page, 'echo my own work');
  await page.waitForFunction(() => localStorage.getItem('kafka-sandbox.session')?.includes('my own work'));
  const entries = workEntries();
  await page.goto(shareLink(page, entries));
  await page.reload();
  await page.waitForSelector('.replay progress');
  const label = await page.textContent('.replay label');
  if (!new RegExp(`^Replaying the session: \\d+ of ${entries.length} actions$`).test(label)) throw new Error(`label: ${label}`);
  await page.click('.replay-cancel');
  await page.waitForSelector('text=Loading cancelled');
  if (await page.$('.replay')) throw new Error('the progress bar stayed');
  if (await scrollbackText(page) !== '') throw new Error('the session shown is not a fresh one');
  await typeCommand(page, 'echo the page answers');
  await page.waitForFunction(() => document.querySelector('.scrollback')?.textContent.includes('the page answers'));
  const kept = () => page.evaluate(() => localStorage.getItem('kafka-sandbox.session.previous'));
  if (!(await kept())?.includes('my own work')) throw new Error(`own session not kept: ${await kept()}`);
  // A second link: the session it replaces goes to the next place, the first stays.
  await page.goto(shareLink(page, [{ op: 'run', term: 1, line: 'echo second link' }]));
  await page.reload();
  await page.waitForSelector('text=Opened a shared session');
  if (!(await kept())?.includes('my own work')) throw new Error(`own session lost: ${await kept()}`);
  const next = await page.evaluate(() => localStorage.getItem('kafka-sandbox.session.previous.2'));
  if (!next?.includes('the page answers')) throw new Error(`second place: ${next}`);
});

// Issue 18 item 5: the timeline replays a slice at a time too, with the progress bar and Cancel.
test('moving the timeline through a long session replays with a progress bar; Cancel keeps the moment shown', async (page) => {
  const entries = workEntries();
  await page.waitForSelector('#command-input');
  await page.goto(shareLink(page, entries));
  await page.reload();
  await page.waitForSelector('text=Opened a shared session', { timeout: 180000 });
  // The notice that follows a replay keeps its styling (yew reused the bar's node once, without a class).
  if (await page.getAttribute('.notice', 'class') !== 'notice') throw new Error('the notice lost its class');
  const all = `${entries.length}/${entries.length}`;
  if (await page.textContent('.timeline-at') !== all) throw new Error(`timeline: ${await page.textContent('.timeline-at')}`);
  const half = entries.length - 1; // all but the last action: the longest replay
  const slider = '.timeline input[type=range]';
  await page.$eval(slider, (s, at) => { s.value = String(at); s.dispatchEvent(new Event('change', { bubbles: true })); }, half);
  await page.waitForSelector('.replay progress');
  await shot(page, 'timeline-replaying-light-1280x800');
  const label = await page.textContent('.replay label');
  if (!new RegExp(`^Replaying the session: \\d+ of ${half} actions$`).test(label)) throw new Error(`label: ${label}`);
  await page.click('.replay-cancel');
  await page.waitForSelector('text=Timeline move cancelled');
  if (await page.$('.replay')) throw new Error('the progress bar stayed');
  if (await page.textContent('.timeline-at') !== all) throw new Error(`after cancel: ${await page.textContent('.timeline-at')}`);
  // An early moment comes back at once, and the latest again after it.
  await page.$eval(slider, (s) => { s.value = '1'; s.dispatchEvent(new Event('change', { bubbles: true })); });
  await page.waitForSelector('.timeline.earlier');
  if (await page.textContent('.timeline-at') !== `1/${entries.length}`) throw new Error(`at 1: ${await page.textContent('.timeline-at')}`);
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
  const text = await fresh.$$eval('.terminal.active .scrollback .line', (ls) => ls.map((l) => l.textContent).join('\n'));
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

test('a real panic in the release bundle ends in the error panel, with the panic message, not a blank page', async (page, errors) => {
  await typeCommand(page, 'echo saved before the panic');
  await page.waitForFunction(() => localStorage.getItem('kafka-sandbox.session')?.includes('saved before the panic'));
  // From a timer, as a panic in an event handler or a tick would be: the hook draws the panel.
  await page.evaluate(() => setTimeout(() => window.wasmBindings.panic_for_tests(), 0));
  await page.waitForSelector('#panic-panel[role=alertdialog]');
  await page.screenshot({ path: join(SHOTS, 'panic-panel.png') });
  const message = await page.textContent('#panic-panel .panic-message');
  if (!message.includes('panic_for_tests: a deliberate panic from the browser tests')) throw new Error(`panel message: ${message}`);
  const links = await page.$$eval('#panic-panel a', (as) => as.map((a) => `${a.textContent} -> ${a.getAttribute('href')}`));
  if (links.length !== 3 || !links[0].startsWith('Export the transcript -> blob:') || links[1] !== 'Reload (keeps the session) -> ./'
    || links[2] !== 'Reset: start a fresh session -> ./?reset') throw new Error(`panel links: ${links.join(' | ')}`);
  const exported = await page.evaluate(async () => (await fetch(document.querySelector('#panic-panel a[download]').href)).text());
  if (!exported.includes('saved before the panic')) throw new Error(`exported: ${exported}`);
  // The trap that follows the hook is the one page error this test expects.
  if (errors.length !== 1 || !errors[0].includes('unreachable')) throw new Error(`page errors: ${errors.join(' | ')}`);
  errors.length = 0;
});

test('crash the leader by clicking: leadership moves and the ISR shrinks, in the view and in --describe', async (page) => {
  await typeCommand(page, 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092');
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('Created topic orders.'));
  await page.waitForSelector('.tile.leader');
  const tileLabel = await page.getAttribute('.tile.leader', 'aria-label');
  if (tileLabel !== 'orders-0: leader') throw new Error(`leader tile: ${tileLabel}`);
  const leaderColumn = await page.$eval('.tile.leader', (t) => t.closest('.broker').getAttribute('aria-label'));
  const old = Number(leaderColumn.replace('Broker ', ''));
  await page.click('.tile.leader');
  await page.waitForSelector('.replica-row.leader');
  await page.screenshot({ path: join(SHOTS, 'cluster-before-crash.png') });
  await page.click(`[aria-label="Crash broker ${old}"]`);
  await page.waitForFunction((b) => document.querySelector('.terminal.active .scrollback')?.textContent.includes(`broker ${b} crashed (kill -9)`), old);
  // Time passes (the step button: 1 s at 1x) until the controller fences the broker and re-elects.
  for (let i = 0; i < 12; i++) await page.click('.step');
  await page.waitForFunction((b) => {
    const leader = document.querySelector('.tile.leader');
    return leader && leader.closest('.broker').getAttribute('aria-label') !== `Broker ${b}`;
  }, old);
  const crashedTile = await page.$eval(`[aria-label="Broker ${old}"] .tile`, (t) => t.getAttribute('aria-label'));
  if (crashedTile !== 'orders-0: follower, out of the ISR, partition under-replicated') throw new Error(`crashed broker's tile: ${crashedTile}`);
  const state = await page.textContent(`[aria-label="Broker ${old}"] .broker-state`);
  if (!state.startsWith('crashed')) throw new Error(`broker state: ${state}`);
  const events = await page.textContent('.event-log');
  if (!events.includes(`orders-0: leader broker ${old} →`) || !events.includes('orders-0: ISR shrank')) throw new Error(`events: ${events}`);
  await page.screenshot({ path: join(SHOTS, 'cluster-after-crash.png') });
  await typeCommand(page, 'kafka-topics --describe --topic orders --bootstrap-server localhost:9092');
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('Partition: 0'));
  const text = await scrollbackText(page);
  const line = text.split('\n').find((l) => l.includes('Partition: 0'));
  const leader = Number(/Leader: (\d+)/.exec(line)[1]);
  const isr = /Isr: ([\d,]+)/.exec(line)[1].split(',').map(Number);
  if (leader === old || isr.includes(old) || isr.length !== 2) throw new Error(`describe: ${line}`);
  const newColumn = await page.$eval('.tile.leader', (t) => t.closest('.broker').getAttribute('aria-label'));
  if (newColumn !== `Broker ${leader}`) throw new Error(`view leader ${newColumn}, describe leader ${leader}`);
  // The click is in the transcript: it survives a reload.
  await page.reload();
  await page.waitForFunction((b) => document.querySelector(`[aria-label="Broker ${b}"] .broker-state`)?.textContent.startsWith('crashed'), old);
});

test('the partition log view shows records, replicas and who holds a record', async (page) => {
  await typeCommand(page, 'kafka-topics --create --topic keyed --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092');
  await typeCommand(page, "printf 'a:1\\nb:2\\na:<img src=x onerror=alert(1)>\\n' | kafka-console-producer --topic keyed --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
  await page.click('.step');
  await page.click('.tile.leader');
  await page.waitForSelector('.record');
  const cells = await page.$$eval('.record', (rs) => rs.map((r) => r.getAttribute('aria-label')));
  if (cells.length !== 3 || cells[0] !== 'offset 0, key a, value 1, committed') throw new Error(`cells: ${JSON.stringify(cells)}`);
  if (await page.$('.records img')) throw new Error('an <img> element was created');
  const hues = await page.$$eval('.record', (rs) => rs.map((r) => r.style.getPropertyValue('--hue')));
  if (hues[0] !== hues[2] || hues[0] === hues[1]) throw new Error(`key colours: ${hues}`);
  await page.click('.record >> nth=2');
  await page.waitForSelector('.record-detail');
  const held = await page.textContent('.held-by');
  if (held !== 'brokers 1, 2, 3') throw new Error(`held by: ${held}`);
  const status = await page.textContent('.commit-status');
  if (!status.startsWith('Committed')) throw new Error(status);
  const marks = await page.$$eval('.replica-marks', (ms) => ms.map((m) => m.textContent));
  if (!marks.every((m) => m === 'log start 0 · HW 3 · LEO 3 · 1 segment')) throw new Error(`marks: ${marks}`);
  await page.screenshot({ path: join(SHOTS, 'partition-log.png') });
});

test('120 partitions on 5 brokers fold into a heat map; a cell opens its log', async (page) => {
  await typeCommand(page, 'sim reset --brokers 5');
  await page.waitForSelector('[aria-label="Broker 5"]');
  const seed = await page.textContent('.seed');
  if (seed !== 'seed 1 · 5 brokers') throw new Error(`header after sim reset: ${seed}`);
  await typeCommand(page, 'kafka-topics --create --topic big --partitions 120 --replication-factor 3 --bootstrap-server localhost:9092');
  await page.waitForSelector('.heat');
  const cells = await page.$$eval('.broker', (bs) => bs.map((b) => b.querySelectorAll('.heat .c').length));
  if (JSON.stringify(cells) !== '[120,120,120,120,120]') throw new Error(`cells: ${cells}`);
  const filled = await page.$$eval('.heat .c.leader, .heat .c.in-sync', (cs) => cs.length);
  if (filled !== 360) throw new Error(`replica cells: ${filled}`);
  await page.click('[aria-label="Broker 2"] .heat .c.leader >> nth=0');
  await page.waitForSelector('.log-summary');
  await page.screenshot({ path: join(SHOTS, 'heat-map-120.png') });
  await page.click('[aria-label="Crash broker 3"]');
  for (let i = 0; i < 12; i++) await page.click('.step');
  await page.waitForSelector('.heat .c.out-of-sync');
  await page.click('.theme'); // system -> light
  await page.click('.theme'); // light -> dark
  await page.waitForSelector('html[data-theme=dark]');
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.screenshot({ path: join(SHOTS, 'heat-map-120-crashed-dark-1024.png') });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (overflow) throw new Error('horizontal overflow at 1024 px');
});

test('the logs heat map is reachable by keyboard: one tab stop, arrows move, Enter opens the partition', async (page) => {
  await typeCommand(page, 'kafka-topics --create --topic wide --partitions 120 --replication-factor 1 --bootstrap-server localhost:9092');
  await page.waitForSelector('.heat-logs .h');
  const stops = await page.$$eval('.heat-logs .h', (hs) => hs.filter((h) => h.tabIndex === 0).length);
  if (stops !== 1) throw new Error(`tab stops in the heat map: ${stops}`);
  const label = await page.getAttribute('.heat-logs .h[data-p="0"]', 'aria-label');
  if (label !== 'partition 0: 0 records, lag 0') throw new Error(`cell label: ${label}`);
  await page.focus('.heat-logs .h[data-p="0"]');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-p'));
  const columns = await page.$$eval('.heat-logs .h', (hs) => hs.filter((h) => h.offsetTop === hs[0].offsetTop).length);
  if (columns >= 120 || Number(focused) !== 2 + columns) throw new Error(`focus on ${focused}, ${columns} columns`);
  await shot(page, 'heat-map-keyboard-light-1280x800');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.log-summary');
  const partition = await page.inputValue('#partition-log input[type=number]');
  if (Number(partition) !== 2 + columns) throw new Error(`opened partition ${partition}`);
});

test('two console consumers in a group: members and partitions in the groups view, then lag', async (page) => {
  const consume = 'kafka-console-consumer --bootstrap-server localhost:9092 --topic events --group readers';
  await typeCommand(page, 'kafka-topics --create --topic events --partitions 4 --replication-factor 3 --bootstrap-server localhost:9092');
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('Created topic events.'));
  await typeCommand(page, consume);
  await page.click('.tab-open');
  await page.waitForSelector('#tab-2[aria-selected=true]');
  await typeCommand(page, consume);
  // The group's first rebalance waits group.initial.rebalance.delay.ms (3 s), then both join.
  for (let i = 0; i < 8; i++) await page.click('.step');
  const card = '.group-card[data-group="readers"]';
  await page.waitForFunction((c) => document.querySelector(`${c} .group-meta`)?.textContent.includes('2 members'), card);
  const state = await page.textContent(`${card} .group-state`);
  if (state !== 'Stable') throw new Error(`group state: ${state}`);
  const parts = (await page.$$eval(`${card} .member-partitions`, (ms) => ms.map((m) => m.textContent))).sort();
  if (JSON.stringify(parts) !== '["events: 0-1","events: 2-3"]') throw new Error(`assignments: ${parts}`);
  const events = await page.textContent('.event-log');
  if (!events.includes('Group readers: rebalanced, generation')) throw new Error(`event log: ${events}`);
  await page.screenshot({ path: join(SHOTS, 'groups-two-members.png') });
  // Both consumers stop (Ctrl-C commits what they read and leaves), then 12 records arrive.
  await page.press('#command-input', 'Control+c');
  await page.click('#tab-1');
  await page.press('#command-input', 'Control+c');
  for (let i = 0; i < 2; i++) await page.click('.step');
  await page.click('.tab-open');
  await typeCommand(page, "printf 'r1\\nr2\\nr3\\nr4\\nr5\\nr6\\nr7\\nr8\\nr9\\nr10\\nr11\\nr12\\n' | kafka-console-producer --topic events --bootstrap-server localhost:9092");
  for (let i = 0; i < 2; i++) await page.click('.step');
  await page.waitForFunction((c) => document.querySelector(`${c} .group-lag`)?.textContent === 'total lag 12', card);
  const rows = await page.$$eval(`${card} .group-partitions tbody tr`, (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  const sum = rows.reduce((n, r) => n + Number(r[3]), 0);
  if (rows.length !== 4 || sum !== 12 || rows.some((r) => Number(r[2]) - Number(r[1]) !== Number(r[3]))) throw new Error(`rows: ${JSON.stringify(rows)}`);
  await page.waitForSelector(`${card} .lag-chart polyline.lag-total`);
  await page.$eval('.panel.groups', (p) => p.scrollIntoView());
  await page.screenshot({ path: join(SHOTS, 'groups-lag.png') });
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
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('Created topic greetings.'));
  await page.click('.lesson-commands li:nth-child(2) .run-command');
  for (const line of ['hello', 'log', 'world']) await typeCommand(page, line);
  await page.press('#command-input', 'Control+d');
  await goalMet(page);
  await page.click('.next-step');
  // Step 3: read it twice (the lesson's clock plays, so the consumer gets its records).
  await page.waitForSelector('aside.lesson[data-step="3"] .goal.unmet');
  await page.click('.lesson-commands .run-command');
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.includes('Processed a total of 3 messages'), null, { timeout: 20000 });
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
  // A fresh page load with the link, as a learner opening a shared link in a new tab. (Setting the
  // hash and reloading at once raced the autosave of the lesson's set-up against the reload.)
  const base = page.url().split('#')[0];
  await page.goto('about:blank');
  await page.goto(`${base}#/lesson/offsets/step/2`);
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

// ----- two whole lessons walked as a learner would (issue 17) -----

/// Opens lesson `id` from the list (the welcome card's free-sandbox choice first, if shown).
async function openLesson(page, id) {
  await page.click(`.lesson-open[data-lesson=${id}]`);
  await page.waitForSelector(`aside.lesson[data-lesson=${id}][data-step="1"]`);
}

/// Step `n` is shown and its goal is not met yet (nothing of the step has run).
async function stepStarts(page, n, title) {
  await page.waitForSelector(`aside.lesson[data-step="${n}"] .goal.unmet`);
  const shown = await page.textContent('.step-title');
  if (shown !== title) throw new Error(`step ${n}: title ${shown}`);
  if (await page.$('.next-step, .lesson-complete')) throw new Error(`step ${n}: next offered before the goal`);
}

/// The goal is still unmet (after a command that must not be enough on its own).
async function stillUnmet(page, why) {
  await page.waitForTimeout(400); // a few ticks of the lesson's clock
  if (await page.$('.goal.met')) throw new Error(`the goal ticked too early: ${why}`);
}

const clickCommand = (page, n) => page.click(`.lesson-commands li:nth-child(${n}) .run-command`);
/// Time passes as a learner makes it pass: the step button (1 s of simulated time at 1x).
async function stepSeconds(page, seconds) {
  for (let i = 0; i < seconds; i++) await page.click('.step');
}

test('lesson min.insync.replicas walked by clicking, with a broker crash: the failover note counts down, every goal ticks after its command', async (page) => {
  await openLesson(page, 'min-insync-replicas');
  // Step 1: create orders (RF 3, min ISR 3), write one order.
  await stepStarts(page, 1, 'Three copies, all required');
  await clickCommand(page, 1);
  await waitText(page, 'Created topic orders.');
  await stillUnmet(page, 'the topic exists but holds no order');
  await clickCommand(page, 2);
  await goalMet(page);
  await page.click('.next-step');
  // Step 2: crash broker 3; the panel counts down to its fencing; then the write is refused.
  await stepStarts(page, 2, 'One broker down: writes stop');
  await clickCommand(page, 1);
  await page.waitForSelector('aside.lesson .failover');
  const note = await page.textContent('aside.lesson .failover');
  if (!/^Broker 3 crashed \d+ s ago\. The controller fences it when its session times out/.test(note) || !note.includes('s left')) throw new Error(`failover note: ${note}`);
  const [bg, border] = await page.$eval('aside.lesson .failover', (f) => [getComputedStyle(f).backgroundColor, getComputedStyle(f).borderLeftWidth]);
  if (bg === 'rgba(0, 0, 0, 0)' || border !== '4px') throw new Error(`the failover note is not styled: ${bg}, ${border}`);
  await setTheme(page, 'light');
  await page.$eval('aside.lesson .failover', (f) => f.scrollIntoView({ block: 'center' }));
  await shot(page, 'lesson-failover-light-1280x800');
  await setTheme(page, 'dark');
  await shot(page, 'lesson-failover-dark-1280x800');
  await stillUnmet(page, 'broker 3 crashed, no write yet');
  await stepSeconds(page, 11);
  await page.waitForFunction(() => !document.querySelector('aside.lesson .failover'), null, { timeout: 20000 });
  await clickCommand(page, 2);
  await goalMet(page);
  await shot(page, 'lesson-write-refused-dark-1280x800');
  await page.click('.next-step');
  // Step 3: reads still work.
  await stepStarts(page, 3, 'Reads still work');
  await clickCommand(page, 1);
  await goalMet(page);
  await page.click('.next-step');
  // Step 4: min ISR 2 (kafka-configs), then a write succeeds with broker 3 down.
  await stepStarts(page, 4, 'min ISR 2 keeps writing');
  await clickCommand(page, 1);
  await waitText(page, 'Completed updating config for topic orders.');
  await stillUnmet(page, 'the config changed, nothing written yet');
  await clickCommand(page, 2);
  await goalMet(page);
  await page.click('.next-step');
  // Step 5: five brokers, RF 5, min ISR 3, broker 5 crashes, the write waits out the fencing.
  await stepStarts(page, 5, 'Why five brokers');
  await clickCommand(page, 1);
  await page.waitForSelector('[aria-label="Broker 5"]');
  await clickCommand(page, 2);
  await page.waitForFunction(() => document.querySelector('.terminal.active .scrollback')?.textContent.split('Created topic orders.').length === 3);
  await clickCommand(page, 3);
  await page.waitForSelector('aside.lesson .failover');
  await stillUnmet(page, 'broker 5 crashed, nothing written');
  await stepSeconds(page, 11);
  await page.waitForFunction(() => !document.querySelector('aside.lesson .failover'), null, { timeout: 20000 });
  await clickCommand(page, 4);
  await goalMet(page);
  await page.waitForSelector('.lesson-complete');
  await shot(page, 'lesson-min-isr-complete-dark-1280x800');
  await page.click('.lesson-home');
  const row = await page.textContent('.lesson-item:has([data-lesson=min-insync-replicas]) .lesson-progress-text');
  if (row !== '5/5') throw new Error(`progress: ${row}`);
});

test('lesson first-topic walked by clicking and typing where it asks, in two terminals', async (page) => {
  await openLesson(page, 'first-topic');
  await stepStarts(page, 1, 'Nobody is reading yet');
  // A failed command does not count: the same list without --bootstrap-server.
  await typeCommand(page, 'kafka-consumer-groups --list');
  await page.waitForSelector('.terminal.active .line.stderr');
  await stillUnmet(page, 'a refused --list');
  await clickCommand(page, 1);
  await goalMet(page);
  await page.click('.next-step');
  await stepStarts(page, 2, 'Create the topic test');
  await clickCommand(page, 1);
  await goalMet(page);
  await page.click('.next-step');
  // Step 3: the producer, three typed lines, Ctrl-D.
  await stepStarts(page, 3, 'Produce');
  await clickCommand(page, 1);
  await typeCommand(page, 'first message');
  await typeCommand(page, 'second message');
  await stillUnmet(page, 'two records only');
  await typeCommand(page, 'third message');
  await page.press('#command-input', 'Control+d');
  await goalMet(page);
  await page.click('.next-step');
  // Step 4: the consumer runs in terminal 2 (the click opens it).
  await stepStarts(page, 4, 'Consume from the beginning');
  await clickCommand(page, 1);
  await page.waitForSelector('#tab-2[aria-selected=true]');
  await waitText(page, 'third message');
  await goalMet(page);
  await page.click('.next-step');
  // Step 5: produce in terminal 1 while the consumer in terminal 2 keeps running.
  await stepStarts(page, 5, 'A stream, not a batch');
  await clickCommand(page, 1);
  await page.waitForSelector('#tab-1[aria-selected=true]');
  await typeCommand(page, 'fourth message');
  await page.press('#command-input', 'Control+d');
  await goalMet(page);
  await page.waitForSelector('.lesson-complete');
  await shot(page, 'lesson-first-topic-complete-light-1280x800');
  await page.click('#tab-2');
  await waitText(page, 'fourth message');
  await page.click('.lesson-home');
  const row = await page.textContent('.lesson-item:has([data-lesson=first-topic]) .lesson-progress-text');
  if (row !== '5/5') throw new Error(`progress: ${row}`);
});

// ----- the page that teaches (issue 18) -----

const cluster = '[aria-label=Cluster]';
const waitText = (page, text, timeout = 20000) =>
  page.waitForFunction((t) => document.querySelector('.terminal.active .scrollback')?.textContent.includes(t), text, { timeout });
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

/// Issue 18's screenshot matrix: `name` in light and dark at 1440x900, 1024x768 and the phone,
/// each with `target` (a selector) scrolled into view and checked to be on screen, its whole box
/// when it fits; the viewport is put back after. Names: `matrix-<name>-<theme>-<w>x<h>.png`.
const VIEWPORTS = [[1440, 900], [1024, 768], [390, 844]];
async function matrix(page, name, target) {
  const before = page.viewportSize();
  for (const [width, height] of VIEWPORTS) {
    await page.setViewportSize({ width, height });
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      if (target) {
        await page.$eval(target, (t) => t.scrollIntoView({ block: 'center', inline: 'nearest' }));
        await page.waitForTimeout(100);
        const box = await page.$eval(target, (t) => { const r = t.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; });
        const [top, bottom, left, right] = box;
        // Only the page's own scroll areas move: the page itself never scrolls (a blank band).
        const moved = await page.evaluate(() => ['html', 'body', '.app'].map((q) => [q, document.querySelector(q).scrollTop, document.querySelector(q).scrollHeight]).filter(([, t]) => t !== 0));
        if (moved.length) throw new Error(`${name} at ${width}x${height}: the page itself scrolled: ${JSON.stringify(moved)}`);
        const fits = bottom - top <= height;
        if (top < 0 || top >= height || left < 0 || left >= width || (fits && bottom > height + 1)) {
          throw new Error(`${name} at ${width}x${height}: ${target} is not on screen (${box.map(Math.round)})`);
        }
      }
      await shot(page, `matrix-${name}-${theme}-${width}x${height}`);
    }
  }
  await page.setViewportSize(before);
}

async function setTheme(page, theme) {
  for (let i = 0; i < 3 && (await page.getAttribute('html', 'data-theme')) !== theme; i++) await page.click('.theme');
  await page.waitForTimeout(400); // the tiles' colour transitions (.25 s) end before a screenshot
}

test('the welcome card starts lesson 1 in one click, or the free sandbox', async (page) => {
  await page.waitForSelector('.welcome');
  await shot(page, 'welcome-light-1440x900');
  await page.click('.welcome-start');
  await page.waitForSelector('aside.lesson[data-step="1"]');
  if (await page.$('.welcome')) throw new Error('the card stayed');
  for (const name of ['Cluster', 'Terminal', 'Lessons']) {
    if (!(await page.$(`[aria-label="${name}"]`))) throw new Error(`no landmark named ${name}`);
  }
  const description = await page.textContent('#cluster-description');
  if (!description.includes('3 brokers: broker 1 alive')) throw new Error(`description: ${description}`);
});

test('keyed records are drawn in the Cluster region without a click, one colour per key', async (page) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await typeCommand(page, 'kafka-topics --create --topic keyed --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092');
  await waitText(page, 'Created topic keyed.');
  await typeCommand(page, "printf 'alice:1\\nbob:2\\nalice:3\\ncarol:4\\nalice:5\\n' | kafka-console-producer --topic keyed --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
  await typeCommand(page, 'sim advance 1s');
  await page.waitForFunction((c) => document.querySelectorAll(`${c} .strip .cell:not(.ghost)`).length === 5, cluster);
  const cells = await page.$$eval(`${cluster} .strip .cell`, (cs) => cs.map((c) => [c.querySelector('.cell-key').textContent, c.style.getPropertyValue('--hue')]));
  const alice = cells.filter(([k]) => k === 'alice');
  if (alice.length !== 3 || new Set(alice.map(([, h]) => h)).size !== 1) throw new Error(`alice's cells: ${JSON.stringify(cells)}`);
  if (cells.find(([k]) => k === 'bob')[1] === alice[0][1]) throw new Error('bob and alice share a colour');
  const strips = await page.$$eval(`${cluster} .strip`, (ss) => ss.map((s) => s.querySelectorAll('.cell-key').length));
  if (strips.length !== 3) throw new Error(`strips: ${strips}`);
  const hw = await page.$$eval(`${cluster} .strip .mark.hw`, (ms) => ms.length);
  const lanes = await page.$$eval(`${cluster} .strip .lane`, (ls) => ls.length);
  if (hw !== 3 || lanes !== 9) throw new Error(`marks ${hw}, replica lanes ${lanes}`);
  await matrix(page, 'keys', `${cluster} .strips`);
});

test('a group marker moves on the log as the group consumes', async (page) => {
  await typeCommand(page, 'kafka-topics --create --topic orders --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092');
  await typeCommand(page, "printf 'a\\nb\\nc\\nd\\n' | kafka-console-producer --topic orders --bootstrap-server localhost:9092");
  await typeCommand(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group billing --from-beginning --max-messages 2');
  await typeCommand(page, 'sim advance 8s');
  const marker = `${cluster} .strip .marker[data-group=billing]`;
  await page.waitForSelector(marker);
  const first = await page.$eval(marker, (m) => [m.textContent, m.style.getPropertyValue('--at')]);
  await typeCommand(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group billing --max-messages 2');
  await typeCommand(page, 'sim advance 8s');
  await page.waitForFunction(([m, before]) => document.querySelector(m)?.textContent !== before, [marker, first[0]]);
  const second = await page.$eval(marker, (m) => [m.textContent, m.style.getPropertyValue('--at')]);
  if (first[0] !== '▲billing 2' || second[0] !== '▲billing 4' || Number(second[1]) <= Number(first[1])) {
    throw new Error(`marker before ${first}, after ${second}`);
  }
  const flags = await page.textContent('.panel.brokers .partition-flags');
  if (!flags.startsWith('1 partition') || flags.startsWith('1 partitions')) throw new Error(`brokers panel: ${flags}`);
  // Hovering the selected leader tile keeps the leader's colours (the label stays readable).
  await page.click('.tile.leader');
  await page.hover('.tile.leader');
  const [fg, bg] = await page.$eval('.tile.leader', (t) => [getComputedStyle(t).color, getComputedStyle(t).backgroundColor]);
  if (fg !== 'rgb(255, 255, 255)' || bg !== 'rgb(11, 98, 214)') throw new Error(`hovered leader tile: ${fg} on ${bg}`);
  await matrix(page, 'group-marker', `${cluster} .strip .marker[data-group=billing]`);
});

test('records a group reads again after a reset are marked read twice, with a label', async (page) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const bs = '--bootstrap-server localhost:9092';
  for (const line of [
    `kafka-topics ${bs} --create --topic audit --partitions 1 --replication-factor 3`,
    `printf 'i1\\ni2\\ni3\\ni4\\n' | kafka-console-producer ${bs} --topic audit`,
    `kafka-console-consumer ${bs} --topic audit --group billing --from-beginning --max-messages 4`,
    'sim advance 8s',
  ]) await typeCommand(page, line);
  await waitText(page, 'Processed a total of 4 messages');
  if (await page.$(`${cluster} .cell.twice`)) throw new Error('marked after one read');
  await typeCommand(page, `kafka-consumer-groups ${bs} --group billing --reset-offsets --to-offset 1 --topic audit --execute`);
  await typeCommand(page, `kafka-console-consumer ${bs} --topic audit --group billing --max-messages 3`);
  await typeCommand(page, 'sim advance 8s');
  await page.waitForSelector(`${cluster} .cell.twice`);
  const marked = await page.$$eval(`${cluster} .cell.twice`, (cs) => cs.map((c) => [c.querySelector('.cell-offset').textContent, c.getAttribute('aria-label')]));
  if (JSON.stringify(marked.map(([o]) => o)) !== '["1","2","3"]') throw new Error(`marked: ${JSON.stringify(marked)}`);
  if (!marked.every(([, l]) => l.endsWith('read twice by group billing'))) throw new Error(`labels: ${JSON.stringify(marked)}`);
  const strip = await page.getAttribute(`${cluster} .strip`, 'aria-label');
  if (!strip.includes('group billing read offsets 1 to 3 twice')) throw new Error(`strip: ${strip}`);
  await matrix(page, 'read-twice', `${cluster} .strips`);
});

test('a group that commits nothing, read again by a second consumer, is marked read twice', async (page) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const bs = '--bootstrap-server localhost:9092';
  // The offsets lesson's `audit` step: each consumer starts and finishes within its own action
  // and commits nothing, so only what poll returned tells where the second one started.
  const audit = `kafka-console-consumer ${bs} --topic billing --group audit --from-beginning --max-messages 3 --consumer-property enable.auto.commit=false`;
  for (const line of [
    `kafka-topics ${bs} --create --topic billing --partitions 1 --replication-factor 3`,
    `printf 'inv1\\ninv2\\ninv3\\n' | kafka-console-producer ${bs} --topic billing`,
    audit,
    'sim advance 8s',
  ]) await typeCommand(page, line);
  await waitText(page, 'Processed a total of 3 messages');
  if (await page.$(`${cluster} .cell.twice`)) throw new Error('marked after one read');
  await typeCommand(page, audit);
  await typeCommand(page, 'sim advance 8s');
  await page.waitForSelector(`${cluster} .cell.twice`);
  const marked = await page.$$eval(`${cluster} .cell.twice`, (cs) => cs.map((c) => [c.querySelector('.cell-offset').textContent, c.getAttribute('aria-label')]));
  if (JSON.stringify(marked.map(([o]) => o)) !== '["0","1","2"]') throw new Error(`marked: ${JSON.stringify(marked)}`);
  if (!marked.every(([, l]) => l.endsWith('read twice by group audit'))) throw new Error(`labels: ${JSON.stringify(marked)}`);
  const strip = await page.getAttribute(`${cluster} .strip`, 'aria-label');
  if (!strip.includes('group audit read offsets 0 to 2 twice')) throw new Error(`strip: ${strip}`);
});

test('a keyed consumer shows each key in its cells colour in the terminal, as plain text', async (page) => {
  const bs = '--bootstrap-server localhost:9092';
  await typeCommand(page, `kafka-topics ${bs} --create --topic keyed --partitions 1 --replication-factor 3`);
  await typeCommand(page, `printf 'alice:1\\nbob:2\\nalice:3\\n' | kafka-console-producer ${bs} --topic keyed --property parse.key=true --property key.separator=:`);
  await typeCommand(page, `kafka-console-consumer ${bs} --topic keyed --from-beginning --max-messages 3 --property print.key=true --property key.separator==`);
  await typeCommand(page, 'sim advance 5s');
  await waitText(page, 'Processed a total of 3 messages');
  if (process.env.E2E_DEBUG) console.log(await page.$eval('.terminal.active .scrollback', (s) => s.innerHTML));
  const keys = await page.$$eval('.terminal.active .line.keyed', (ls) => ls.map((l) => [l.textContent, l.querySelector('.term-key').textContent, l.querySelector('.term-key').style.getPropertyValue('--hue')]));
  if (JSON.stringify(keys.map(([t]) => t)) !== '["alice=1","bob=2","alice=3"]') throw new Error(`keyed lines: ${JSON.stringify(keys)}`);
  const cells = await page.$$eval(`${cluster} .strip .cell`, (cs) => Object.fromEntries(cs.map((c) => [c.querySelector('.cell-key').textContent, c.style.getPropertyValue('--hue')])));
  for (const [, key, hue] of keys) if (cells[key] !== hue) throw new Error(`${key}: terminal hue ${hue}, cell hue ${cells[key]}`);
  if (keys[0][2] === keys[1][2]) throw new Error('alice and bob share a colour');
  // The lines around them keep their own classes (yew mixes no class attribute with className).
  const err = await page.textContent('.terminal.active .line.stderr');
  if (err !== 'Processed a total of 3 messages') throw new Error(`stderr line: ${err}`);
  await shot(page, 'keys-terminal-light-1280x800');
});

test('a crash with acks=1 leaves labelled ghosts; the monitor links to them', async (page) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  for (const line of [
    'kafka-topics --bootstrap-server localhost:9092 --create --topic fragile --replica-assignment 1:2:3',
    'kafka-producer-perf-test --topic fragile --num-records 4000 --record-size 100 --throughput 400 --producer-props bootstrap.servers=localhost:9092 acks=1 &',
    'sim isolate 2', 'sim isolate 3', 'sim advance 1s', 'sim crash 1', 'sim heal', 'sim advance 15s', 'sim start 1', 'sim advance 15s',
  ]) await typeCommand(page, line);
  await page.waitForSelector(`${cluster} .show-lost`, { timeout: 30000 });
  const link = await page.textContent(`${cluster} .show-lost`);
  if (!link.startsWith('fragile-0: ') || !link.includes('acked with acks=1 only') || !link.includes('lost when broker 1 crashed')) throw new Error(`monitor: ${link}`);
  await page.click(`${cluster} .show-lost`);
  await page.waitForSelector('#ghosts-fragile-0 .cell.ghost');
  const label = await page.getAttribute('#ghosts-fragile-0 .cell.ghost', 'aria-label');
  if (!label.includes('acked with acks=1 only') || !label.includes('broker 1 crashed')) throw new Error(`ghost: ${label}`);
  const visible = await page.$eval('#ghosts-fragile-0', (g) => { const r = g.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; });
  if (!visible) throw new Error('the link did not scroll to the ghosts');
  await matrix(page, 'ghosts', '#ghosts-fragile-0');
});

test('the timeline returns to an earlier moment and back, and a new action branches', async (page) => {
  for (const line of ['echo one', 'kafka-topics --create --topic later --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092', 'echo three']) {
    await typeCommand(page, line);
  }
  await waitText(page, 'three');
  const slider = '.timeline input[type=range]';
  const name = await page.getAttribute(slider, 'aria-label');
  if (!name.startsWith('Timeline')) throw new Error(`slider's name: ${name}`);
  await page.$eval(slider, (s) => { s.value = '1'; s.dispatchEvent(new Event('change', { bubbles: true })); });
  await page.waitForSelector('.timeline.earlier');
  const earlier = await scrollbackText(page);
  if (earlier !== '$ echo one\none') throw new Error(`at action 1: ${earlier}`);
  if (await page.$(`${cluster} .strip`)) throw new Error('the topic created later is drawn');
  await matrix(page, 'timeline-earlier', '.timeline');
  await page.click('.timeline-now');
  await page.waitForFunction(() => !document.querySelector('.timeline.earlier'));
  await waitText(page, 'three');
  await page.waitForSelector(`${cluster} .strip`);
  await matrix(page, 'timeline-back', `${cluster} .strip`);
  await page.$eval(slider, (s) => { s.value = '2'; s.dispatchEvent(new Event('change', { bubbles: true })); });
  await page.waitForSelector('.timeline.earlier');
  await typeCommand(page, 'echo branch');
  await waitText(page, 'branch');
  const at = await page.textContent('.timeline-at');
  if (at !== '3/3') throw new Error(`after branching: ${at}`);
  if ((await scrollbackText(page)).includes('three')) throw new Error('the dropped action is still shown');
});

test('phone 390x844: brokers on the first screen, Ctrl-C and Ctrl-D buttons work', async (page) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.waitForSelector('#command-input');
  const top = await page.$eval('.panel.brokers', (b) => b.getBoundingClientRect().top);
  if (top >= 844) throw new Error(`the brokers start at ${top} px, below the first screen`);
  await typeCommand(page, 'kafka-topics --create --topic phone --partitions 1 --replication-factor 3 --bootstrap-server localhost:9092');
  await typeCommand(page, 'kafka-console-producer --topic phone --bootstrap-server localhost:9092');
  await typeCommand(page, 'hello from a phone');
  await page.click('.terminal.active .touch-key[aria-label^="End the tool"]');
  await page.waitForFunction(() => document.querySelector('.terminal.active .prompt')?.textContent === '$ ');
  await typeCommand(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic phone --from-beginning');
  await page.click('.step');
  await page.click('.step');
  await page.click('.terminal.active .touch-key[aria-label^="Interrupt"]');
  await waitText(page, 'Processed a total of 1 messages');
  const text = await scrollbackText(page);
  if (!text.includes('hello from a phone')) throw new Error(`consumer output: ${text}`);
  if ((text.match(/\^C/g) ?? []).length !== 1) throw new Error(`one Ctrl-C printed: ${text}`);
  await matrix(page, 'touch-keys', '.terminal.active .touch-keys');
  await page.evaluate(() => { document.querySelector('.app-main').scrollTop = 0; });
  await matrix(page, 'brokers-first-screen', '.panel.brokers');
});

test('two terminals side by side at 1024x768, the cluster view beside them', async (page) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await typeCommand(page, 'echo left');
  await page.click('.tab-open');
  await page.waitForSelector('#tab-2[aria-selected=true]');
  await typeCommand(page, 'echo right');
  const panes = await page.$$eval('.terminal-panes .terminal', (ts) => ts.map((t) => t.getBoundingClientRect().left));
  if (panes.length !== 2 || !(panes[1] > panes[0])) throw new Error(`terminal panes at ${panes}`);
  await shot(page, 'two-terminals-light-1024x768');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (overflow) throw new Error('horizontal overflow at 1024 px');
});

const server = await serveDist();
const url = `http://127.0.0.1:${server.address().port}/`;
// Screenshots are for review: start empty, so a failed-N.png from an earlier run cannot mislead.
await rm(SHOTS, { recursive: true, force: true });
await mkdir(SHOTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
let passed = 0, failed = 0;
// E2E_FILTER=text runs only the tests whose name contains it (while working on them).
const only = process.env.E2E_FILTER;
for (const { name, fn } of tests.filter((t) => !only || t.name.includes(only))) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  try {
    await page.goto(url);
    await fn(page, errors);
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
