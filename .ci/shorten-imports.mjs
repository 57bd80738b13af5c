// Shortens the names the release wasm imports its JavaScript functions by, in the wasm and in
// wasm-bindgen's JS glue together: `./kafka-sandbox_bg.js` becomes `a`, and each function name
// (`__wbg_appendChild_7465eba84213c75f`: a readable part and a hash) becomes one or two letters.
// The hashes do not compress, so this takes ~2 KB off the gzipped wasm. Indices, code and
// behaviour are unchanged; a name the glue does not hold exactly once stops the build.
// Usage: node .ci/shorten-imports.mjs <dist dir>   (run by .ci/bundle.sh after trunk)
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const dist = process.argv[2];
const files = readdirSync(dist);
const wasmName = files.find((f) => f.endsWith('_bg.wasm'));
const jsName = wasmName && files.find((f) => f === wasmName.replace(/_bg\.wasm$/, '.js'));
if (!wasmName || !jsName) throw new Error(`shorten-imports: no wasm and glue pair in ${dist}`);
const wasm = readFileSync(join(dist, wasmName));
let js = readFileSync(join(dist, jsName), 'utf8');
const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const before = { wasm: integrity(wasm), js: integrity(js) };

// --- LEB128 and the wasm's sections ---
function readU32(buf, at) {
  let value = 0, shift = 0, byte;
  do { byte = buf[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, at];
}
function u32(value) {
  const out = [];
  do { let byte = value & 0x7f; value = Math.floor(value / 128); if (value) byte |= 0x80; out.push(byte); } while (value);
  return Buffer.from(out);
}
const name = (text) => { const b = Buffer.from(text, 'utf8'); return Buffer.concat([u32(b.length), b]); };

if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('shorten-imports: not a wasm module');
const sections = [];
for (let at = 8; at < wasm.length;) {
  const id = wasm[at];
  const [size, body] = readU32(wasm, at + 1);
  sections.push({ id, start: at, body, end: body + size });
  at = body + size;
}
const imports = sections.find((s) => s.id === 2);
if (!imports) throw new Error('shorten-imports: no import section');

// --- new names: a..z, A..Z, then two letters ---
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (i) => (i < letters.length ? letters[i] : letters[Math.floor(i / letters.length) - 1] + letters[i % letters.length]);
const glueModule = './' + jsName.replace(/-[0-9a-f]+\.js$/, '_bg.js');

let [count, at] = readU32(wasm, imports.body);
const entries = [u32(count)];
let renamed = 0;
for (let i = 0; i < count; i++) {
  const [moduleLen, moduleAt] = readU32(wasm, at);
  const module = wasm.toString('utf8', moduleAt, moduleAt + moduleLen);
  const [fieldLen, fieldAt] = readU32(wasm, moduleAt + moduleLen);
  const field = wasm.toString('utf8', fieldAt, fieldAt + fieldLen);
  at = fieldAt + fieldLen;
  // The import's description: kind byte, then a type index (function, tag) or a limits/type form.
  const kind = wasm[at];
  let end;
  if (kind === 0) [, end] = readU32(wasm, at + 1);
  else if (kind === 1) { const [flags, p] = readU32(wasm, at + 2); [, end] = readU32(wasm, p); if (flags & 1) [, end] = readU32(wasm, end); }
  else if (kind === 2) { const [flags, p] = readU32(wasm, at + 1); [, end] = readU32(wasm, p); if (flags & 1) [, end] = readU32(wasm, end); }
  else if (kind === 3) end = at + 3;
  else throw new Error(`shorten-imports: import kind ${kind} not handled`);
  const desc = wasm.subarray(at, end);
  at = end;
  if (module !== glueModule) { entries.push(name(module), name(field), desc); continue; }
  const short = shortName(renamed++);
  const key = new RegExp(`\\n(\\s+)${field}: function\\(`, 'g');
  const found = js.match(key);
  if (!found || found.length !== 1) throw new Error(`shorten-imports: ${field} is not a key of the glue's import object exactly once`);
  if (js.split(field).length !== 2) throw new Error(`shorten-imports: ${field} appears elsewhere in the glue`);
  js = js.replace(key, `\n$1${short}: function(`);
  entries.push(name('a'), name(short), desc);
}
const moduleKey = `"${glueModule}": import0`;
if (js.split(moduleKey).length !== 2) throw new Error(`shorten-imports: the glue does not name ${glueModule} once`);
js = js.replace(moduleKey, '"a": import0');

const body = Buffer.concat(entries);
const out = Buffer.concat([wasm.subarray(0, imports.start), Buffer.from([2]), u32(body.length), body, wasm.subarray(imports.end)]);
writeFileSync(join(dist, wasmName), out);
writeFileSync(join(dist, jsName), js);

// trunk wrote subresource integrity hashes of both files into index.html.
const indexPath = join(dist, 'index.html');
let index = readFileSync(indexPath, 'utf8');
for (const [key, bytes] of [['wasm', out], ['js', js]]) {
  if (index.includes(before[key])) index = index.split(before[key]).join(integrity(bytes));
}
writeFileSync(indexPath, index);
console.log(`shorten-imports: ${renamed} imports renamed; ${wasmName}: ${wasm.length} -> ${out.length} bytes`);
