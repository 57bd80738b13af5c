// Groups the items of `twiggy top -n 1000000 -f csv <wasm>` (read on stdin) into areas of the code
// and prints a markdown table, largest first: where the bundle's bytes come from, so growth shows
// up in BENCHMARKS.md. Sizes are of the wasm rustc emits, before wasm-bindgen and wasm-opt (which
// strip the names twiggy needs); wasm-opt -Oz takes about a fifth off the code.
import { readFileSync } from 'node:fs';

// First match wins: generic std code instantiated for our types counts as the std area, since
// that is where shrinking it would have to happen (fewer instantiations).
// Names, exports and type descriptors that wasm-bindgen and wasm-opt remove: left out of the table.
const STRIPPED = 'stripped';
const AREAS = [
  [STRIPPED, (n) => n.startsWith('"function names"') || n.startsWith('custom section') || n.includes('subsection')
    || n.startsWith('export ') || n.includes('__wbindgen_describe') || n.includes('WasmDescribe>::describe')],
  ['data (strings: help texts, messages, lessons)', (n) => n.startsWith('data segment')],
  ['std BTreeMap/BTreeSet instantiations', (n) => n.includes('alloc::collections::btree')],
  ['std sort instantiations (sort, sort_by, collect into BTreeMap)', (n) => n.includes('core::slice::sort') || n.includes('::sort_by') || n.includes('sort_unstable')],
  ['drop glue (drop_in_place)', (n) => n.includes('drop_in_place')],
  ['serde, serde_json (saved sessions, share links, progress)', (n) => n.includes('serde')],
  ['formatting (core::fmt, float printing)', (n) => n.includes('core::fmt') || n.includes('flt2dec') || n.includes('dec2flt')],
  ['src/ui (yew views)', (n) => n.includes('kafka_sandbox::ui')],
  ['yew (virtual DOM, hooks)', (n) => n.includes('yew') || n.includes('implicit_clone')],
  ['wasm-bindgen, web-sys, js-sys, gloo', (n) => /wasm_bindgen|web_sys|js_sys|gloo|__wbg|__wbindgen/.test(n)],
  ['src/shell (parser, tools, sessions)', (n) => n.includes('kafka_sandbox::shell')],
  ['src/engine (cluster simulation)', (n) => n.includes('kafka_sandbox::engine')],
  ['src/lessons', (n) => n.includes('kafka_sandbox::lessons')],
];

const lines = readFileSync(0, 'utf8').split('\n').slice(1).filter((l) => l.trim());
const parse = (line) => { // Name,ShallowSize,...: the name may be quoted and hold commas
  let name, rest;
  if (line.startsWith('"')) {
    let i = 1;
    name = '';
    for (; i < line.length; i++) {
      if (line[i] === '"' && line[i + 1] === '"') { name += '"'; i++; } else if (line[i] === '"') break; else name += line[i];
    }
    rest = line.slice(i + 2);
  } else {
    const c = line.indexOf(',');
    name = line.slice(0, c);
    rest = line.slice(c + 1);
  }
  return [name, Number(rest.split(',')[0])];
};
const totals = new Map();
let all = 0;
for (const line of lines) {
  const [name, bytes] = parse(line);
  if (!Number.isFinite(bytes) || name.startsWith('Σ') || name.startsWith('... and')) continue;
  const area = (AREAS.find(([, test]) => test(name)) ?? ['other (std, allocator, glue)'])[0];
  totals.set(area, (totals.get(area) ?? 0) + bytes);
  if (area !== STRIPPED) all += bytes;
}
console.log(`(${all} bytes of code and data before wasm-opt; names, exports and type descriptors that wasm-bindgen strips are left out.)`);
console.log();
console.log('| Area | Bytes before wasm-opt | Share |');
console.log('|---|---|---|');
for (const [area, bytes] of [...totals].filter(([a]) => a !== STRIPPED).sort((a, b) => b[1] - a[1])) {
  console.log(`| ${area} | ${bytes} | ${((100 * bytes) / all).toFixed(1)}% |`);
}
