// Native-vs-WASM agreement: the same cases through the native adapters (agree_native) and through
// the shipped WASM build under node must give the same envelopes, numbers equal to a relative
// 1e-12 (in practice bit-identical: both sides use IEEE doubles and musl/glibc's shared exp/log).
// usage: node agree.mjs --native PATH/agree_native --wasm-dir DIR (with shelfcast_core.js/.wasm)
//        --cases CASES.json
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, a) => (i % 2 === 0 ? [...acc, [v.replace(/^--/, ''), a[i + 1]]] : acc), []));
for (const k of ['native', 'wasm-dir', 'cases']) {
  if (!args[k]) { console.error(`agree.mjs: --${k} is required`); process.exit(2); }
}

const require = createRequire(import.meta.url);
const factory = require(path.resolve(args['wasm-dir'], 'shelfcast_core.js'));
const core = await factory({ wasmBinary: readFileSync(path.resolve(args['wasm-dir'], 'shelfcast_core.wasm')) });
const cases = JSON.parse(readFileSync(args.cases, 'utf8'));
const native = JSON.parse(execFileSync(args.native, [args.cases], { encoding: 'utf8', maxBuffer: 1 << 28 }));

let maxRel = 0;
const failures = [];
function compare(a, b, where) {
  if (typeof a === 'number' && typeof b === 'number') {
    const rel = Math.abs(a - b) / Math.max(1e-300, Math.abs(a), Math.abs(b));
    if (a !== b) maxRel = Math.max(maxRel, rel);
    if (rel > 1e-12) failures.push(`${where}: native ${a} vs wasm ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return failures.push(`${where}: length ${a.length} vs ${b.length}`);
    a.forEach((x, i) => compare(x, b[i], `${where}[${i}]`));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) compare(a[k], b[k], `${where}.${k}`);
    return;
  }
  if (a !== b) failures.push(`${where}: native ${JSON.stringify(a)} vs wasm ${JSON.stringify(b)}`);
}

// A session on the case's model and context keeping its base promotions, simulating its scenario:
// the envelope of the first step that fails, or of the simulation (as agree_native does).
function promoSession({ model, context, base, scenario }) {
  const open = JSON.parse(core.promo_session_open(JSON.stringify(model), JSON.stringify(context)));
  if (!open.ok) return JSON.stringify(open);
  const session = open.value.session;
  let envelope = core.promo_session_set_base(session, JSON.stringify(base));
  if (JSON.parse(envelope).ok) envelope = core.promo_session_simulate(session, JSON.stringify(scenario));
  core.promo_session_close(session);
  return envelope;
}

let passed = 0;
const wasmByName = new Map();
cases.forEach((c, i) => {
  const input = JSON.stringify(c.input ?? {});
  const wasm = JSON.parse(
    c.fn === 'version' ? core.version()
      : c.fn === 'promo_simulate'
        ? core.promo_simulate(JSON.stringify(c.input.model), JSON.stringify(c.input.plan))
        : c.fn === 'promo_session' ? promoSession(c.input)
          : core[c.fn](input));
  wasmByName.set(c.name, wasm);
  const before = failures.length;
  compare(native[i], wasm, `case ${i} (${c.name ?? c.fn})`);
  // The same envelope as an earlier case (a session with kept promotions = the whole plan).
  if (c.same_as !== undefined) {
    if (!wasmByName.has(c.same_as)) failures.push(`case ${i} (${c.name}): no earlier case "${c.same_as}"`);
    else if (JSON.stringify(wasm) !== JSON.stringify(wasmByName.get(c.same_as))) {
      failures.push(`case ${i} (${c.name}): differs from "${c.same_as}": ${JSON.stringify(wasm).slice(0, 200)}`);
    }
  }
  if (c.expect_ok !== undefined && wasm.ok !== c.expect_ok) {
    failures.push(`case ${i} (${c.name}): expected ok=${c.expect_ok}, got ${JSON.stringify(wasm).slice(0, 200)}`);
  }
  if (failures.length === before) passed += 1;
});

// The JS surface (shelfcast.js, what the page calls) sends long texts to the core as UTF-8 bytes
// and short ones as strings: with a product name long and non-ASCII enough to take the bytes path,
// its answer must be the raw module's to the character, name included.
const surfaceSource = readFileSync(path.resolve(args['wasm-dir'], 'shelfcast.js'), 'utf8');
const { loadShelfcast } = await import(`data:text/javascript,${encodeURIComponent(surfaceSource)}`);
const shelf = await loadShelfcast({ factory, wasmBinary: readFileSync(path.resolve(args['wasm-dir'], 'shelfcast_core.wasm')) });
const longName = `Café crème ${'é€'.repeat(2500)} 🍊`;
let surfaceChecked = 0;
for (const c of cases) {
  if (c.fn !== 'promo_simulate' || c.expect_ok === false) continue;
  const plan = structuredClone(c.input.plan);
  plan.products[0].name = longName;
  const raw = JSON.parse(core.promo_simulate(JSON.stringify(c.input.model), JSON.stringify(plan)));
  let viaSurface;
  try {
    viaSurface = { ok: true, value: shelf.promoSimulate(c.input.model, plan) };
  } catch (error) {
    viaSurface = { ok: false, error: error.message };
  }
  const where = `JS surface, case ${c.name}`;
  if (JSON.stringify(viaSurface) !== JSON.stringify(raw)) failures.push(`${where}: differs from the raw module: ${JSON.stringify(viaSurface).slice(0, 200)}`);
  else if (!JSON.stringify(raw).includes(longName)) failures.push(`${where}: the product's name is not in the answer`);
  else surfaceChecked += 1;
}
if (!surfaceChecked) failures.push('JS surface: no promo_simulate case to check it with');
console.log(`JS surface: ${surfaceChecked} plan(s) with a ${longName.length}-character non-ASCII name agree with the raw module`);

for (const f of failures.slice(0, 20)) console.error(f);
console.log(`max relative difference: ${maxRel}`);
console.log(`${passed} passed, ${cases.length - passed} failed`);
process.exit(failures.length ? 1 : 0);
