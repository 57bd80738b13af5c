// Size steps on the release wasm after trunk (wasm-bindgen and wasm-opt) has built it, for gzip's
// sake; none changes any code or behaviour:
// 1. Function order. The module's functions are ordered by size (third-octave buckets), then by
//    their instructions' bytes, so that bodies alike sit within gzip's 32 KB window (-3.8 KB).
//    Calls, exports and the function table name functions, and binaryen renumbers them all.
// 2. Import names. The JavaScript functions the wasm imports are renamed in the wasm and in
//    wasm-bindgen's JS glue together: `./kafka-sandbox_bg.js` becomes `a`, and each function
//    name (`__wbg_appendChild_7465eba84213c75f`: a readable part and a hash that does not
//    compress) becomes one or two letters (-2.8 KB). A name the glue does not hold exactly once
//    stops the build.
// 3. Export names. The wasm's exports the glue reaches as `wasm.<name>` are renamed in both
//    (`$a`, `$b`, ...).
// Then index.html's subresource integrity hashes are refreshed.
// Usage: node .ci/postlink.mjs <dist dir>   (run by .ci/bundle.sh after trunk)
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import binaryen from '../node_modules/binaryen/index.js';

const dist = process.argv[2];
const files = readdirSync(dist);
const wasmName = files.find((f) => f.endsWith('_bg.wasm'));
const jsName = wasmName && files.find((f) => f === wasmName.replace(/_bg\.wasm$/, '.js'));
if (!wasmName || !jsName) throw new Error(`postlink: no wasm and glue pair in ${dist}`);
const built = readFileSync(join(dist, wasmName));
let js = readFileSync(join(dist, jsName), 'utf8');
const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const before = { wasm: integrity(built), js: integrity(js) };

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

function codeBodies(bytes) {
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, body] = readU32(bytes, at + 1);
    if (id === 10) {
      let [count, p] = readU32(bytes, body);
      const bodies = [];
      for (let i = 0; i < count; i++) { const [n, b] = readU32(bytes, p); bodies.push(bytes.subarray(b, b + n)); p = b + n; }
      return bodies;
    }
    at = body + size;
  }
  throw new Error('postlink: no code section');
}

function hasNameSection(bytes) {
  for (let at = 8; at < bytes.length;) {
    const [size, body] = readU32(bytes, at + 1);
    if (bytes[at] === 0) {
      const [length, p] = readU32(bytes, body);
      if (bytes.toString('utf8', p, p + length) === 'name') return true;
    }
    at = body + size;
  }
  return false;
}

// --- 1. function order ---
function reorder(bytes) {
  const bodies = codeBodies(bytes);
  const module = binaryen.readBinary(bytes);
  // The features trunk's wasm-opt runs with (index.html, Makefile): with more, binaryen would emit
  // newer encodings (compact imports) that browsers do not all read.
  const F = binaryen.Features;
  module.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.SignExt
    | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong);
  const defined = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (!info.base) defined.push(info); // imports have a base
  }
  if (defined.length !== bodies.length) throw new Error('postlink: functions and code bodies differ in number');
  // Size buckets of a third of an octave; within one, by the instructions' bytes (after the
  // locals declarations), so that functions that start alike sit together.
  const bucket = (i) => Math.floor(3 * Math.log2(bodies[i].length));
  const instructions = bodies.map((body) => {
    let [groups, p] = readU32(body, 0);
    for (let g = 0; g < groups; g++) {
      [, p] = readU32(body, p); // a count of locals,
      p += 1; // then their value type
    }
    return body.subarray(p);
  });
  const order = defined.map((_, i) => i);
  order.sort((a, b) => bucket(a) - bucket(b) || Buffer.compare(instructions[a], instructions[b]) || a - b);
  // Functions are emitted in the order they were added: take each out and put it back in order.
  for (const i of order) {
    const f = defined[i];
    module.removeFunction(f.name);
    module.addFunction(f.name, f.params, f.results, f.vars, f.body);
  }
  if (!module.validate()) throw new Error('postlink: the reordered module does not validate');
  // `make profile-page` keeps the function names (a "name" section): keep them through binaryen.
  binaryen.setDebugInfo(hasNameSection(bytes));
  const out = Buffer.from(module.emitBinary());
  module.dispose();
  return out;
}
const wasm = reorder(built);

if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('postlink: not a wasm module');
const sections = [];
for (let at = 8; at < wasm.length;) {
  const id = wasm[at];
  const [size, body] = readU32(wasm, at + 1);
  sections.push({ id, start: at, body, end: body + size });
  at = body + size;
}
const imports = sections.find((s) => s.id === 2);
if (!imports) throw new Error('postlink: no import section');

// --- 2. import names: a..z, A..Z, then two letters ---
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
  else throw new Error(`postlink: import kind ${kind} not handled`);
  const desc = wasm.subarray(at, end);
  at = end;
  if (module !== glueModule) { entries.push(name(module), name(field), desc); continue; }
  const short = shortName(renamed++);
  const key = new RegExp(`\\n(\\s+)${field}: function\\(`, 'g');
  const found = js.match(key);
  if (!found || found.length !== 1) throw new Error(`postlink: ${field} is not a key of the glue's import object exactly once`);
  if (js.split(field).length !== 2) throw new Error(`postlink: ${field} appears elsewhere in the glue`);
  js = js.replace(key, `\n$1${short}: function(`);
  entries.push(name('a'), name(short), desc);
}
const moduleKey = `"${glueModule}": import0`;
if (js.split(moduleKey).length !== 2) throw new Error(`postlink: the glue does not name ${glueModule} once`);
js = js.replace(moduleKey, '"a": import0');

const body = Buffer.concat(entries);

// --- 3. export names: the glue calls them as `wasm.<name>`; each becomes one or two letters ---
const exportsSection = sections.find((s) => s.id === 7);
const exportEntries = [];
[count, at] = readU32(wasm, exportsSection.body);
exportEntries.push(u32(count));
const escape = (text) => text.replace(/[$.*+?^{}()|[\]\\]/g, '\\$&');
let exportsRenamed = 0;
for (let i = 0; i < count; i++) {
  const [length, p] = readU32(wasm, at);
  const field = wasm.toString('utf8', p, p + length);
  const [, end] = readU32(wasm, p + length + 1); // after the kind byte, an index
  const rest = wasm.subarray(p + length, end);
  at = end;
  // Renamed when the glue uses the name only as an identifier (a `wasm.<name>` member access, or
  // a JS function wasm-bindgen named after the export), never inside a string.
  const token = new RegExp(`(?<![A-Za-z0-9_$])${escape(field)}(?![A-Za-z0-9_$])`, 'g');
  const member = new RegExp(`(?<![A-Za-z0-9_$])wasm\\.${escape(field)}(?![A-Za-z0-9_$])`, 'g');
  const quoted = js.includes(`'${field}`) || js.includes(`"${field}`) || js.includes(`\`${field}`);
  if (!quoted && (js.match(member) || []).length > 0) {
    const short = `$${shortName(exportsRenamed++)}`;
    if (js.includes(short)) throw new Error(`postlink: ${short} is already in the glue`);
    // A JS function the glue exports under the same name (show_panic_panel) keeps its name.
    const jsExport = new RegExp(`export\\s+(async\\s+)?function\\s+${escape(field)}(?![A-Za-z0-9_$])|export\\s*\\{[^}]*(?<![A-Za-z0-9_$])${escape(field)}(?![A-Za-z0-9_$])`);
    js = jsExport.test(js) ? js.replace(member, `wasm.${short}`) : js.replace(token, short);
    exportEntries.push(name(short), rest);
  } else {
    exportEntries.push(name(field), rest);
  }
}
const exportsBody = Buffer.concat(exportEntries);

const out = Buffer.concat([
  wasm.subarray(0, imports.start), Buffer.from([2]), u32(body.length), body,
  wasm.subarray(imports.end, exportsSection.start), Buffer.from([7]), u32(exportsBody.length), exportsBody,
  wasm.subarray(exportsSection.end),
]);
writeFileSync(join(dist, wasmName), out);
writeFileSync(join(dist, jsName), js);

// trunk wrote subresource integrity hashes of both files into index.html.
const indexPath = join(dist, 'index.html');
let index = readFileSync(indexPath, 'utf8');
for (const [key, bytes] of [['wasm', out], ['js', js]]) {
  if (index.includes(before[key])) index = index.split(before[key]).join(integrity(bytes));
}
writeFileSync(indexPath, index);
console.log(`postlink: functions reordered, ${renamed} imports and ${exportsRenamed} exports renamed; ${wasmName}: ${built.length} -> ${out.length} bytes`);
