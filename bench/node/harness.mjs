// Side-by-side benchmark, one process, one run: Homeward (WASM) against json-rules-engine 7,
// json-logic-js 2 and json-logic-engine 5 (compiled and interpreted) on one generated discharge
// workload: ~60 facts, 30 requirements (conditions nested up to depth 3), one 6-row first-hit
// table, 10,000 seeded complete patients. Every engine must agree on the verdict, the failed
// requirement ids and the table output for every patient before anything is timed.
// Usage: node harness.mjs [--quick]  (HOMEWARD_PKG = the package folder with node/ and rulesets/)
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './workload.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const pkg = resolve(process.env.HOMEWARD_PKG || join(here, '..', '..', 'target', 'web-demo', 'pkg'));
const jsonLogic = require('json-logic-js');
const { LogicEngine } = require('json-logic-engine');
const { Engine: RulesEngine } = require('json-rules-engine');
const { Engine: Homeward } = require(join(pkg, 'node', 'homeward_wasm.js'));

// ------------------------------------------------------------ the shared workload
const PATIENTS = quick ? 1000 : 10000;
const W = generate(PATIENTS);
const { requirements, patients } = W;

// ------------------------------------------------------------ engines (each given its natural input)
const results = {};
const outcome = (failed, pathway) => ({ verdict: failed.some((id) => W.kinds[id] === 'blocker') ? 'not_ready' : 'ready', failed, pathway });
const VERDICTS = ['ready', 'not_ready', 'undetermined'];

function homewardLoad() {
  const t0 = performance.now();
  const engine = Homeward.load(JSON.stringify(W.homeward), []);
  const status = JSON.parse(engine.status());
  if (status.error) throw new Error(JSON.stringify(status.error));
  return { engine, load: performance.now() - t0 };
}

function homewardCompact() {
  const { engine, load } = homewardLoad();
  const layout = JSON.parse(engine.layout('all')).ok;
  const bulk = engine.bulk('all');
  const inputs = patients.map(W.compact);
  const out = new Uint32Array(bulk.outputLength());
  const nt = layout.tables.length;
  return {
    load,
    input: 'Int32Array per patient, one value per fact in schema order; Uint32Array codes out',
    run: (i) => bulk.assess(inputs[i], out),
    outcome: (i) => {
      if (!bulk.assess(inputs[i], out)) throw new Error(bulk.error());
      const failed = layout.requirements.filter((_, k) => out[1 + nt + k] === 1);
      return { verdict: VERDICTS[out[0]], failed, pathway: layout.tables[0].outputs[out[1]] };
    },
  };
}

function homewardBatch() {
  const { engine, load } = homewardLoad();
  const layout = JSON.parse(engine.layout('all')).ok;
  const bulk = engine.bulk('all');
  const ni = bulk.inputLength();
  const no = bulk.outputLength();
  const all = new Int32Array(PATIENTS * ni);
  patients.forEach((p, i) => all.set(W.compact(p), i * ni));
  const out = new Uint32Array(PATIENTS * no);
  const nt = layout.tables.length;
  const runAll = (count) => {
    const done = bulk.assessMany(all.subarray(0, count * ni), out);
    if (done !== count) throw new Error(bulk.error());
  };
  let ran = false;
  return {
    load,
    input: 'one Int32Array for all patients (values per fact in schema order), one call; Uint32Array codes out',
    batch: true,
    runAll,
    outcome: (i) => {
      if (!ran) { runAll(PATIENTS); ran = true; }
      const o = out.subarray(i * no, (i + 1) * no);
      const failed = layout.requirements.filter((_, k) => o[1 + nt + k] === 1);
      return { verdict: VERDICTS[o[0]], failed, pathway: layout.tables[0].outputs[o[1]] };
    },
  };
}

function homewardJson() {
  const { engine, load } = homewardLoad();
  const texts = patients.map((p) => JSON.stringify(p));
  const run = (i) => engine.evaluate(texts[i], 'all');
  return {
    load,
    input: 'facts as JSON text in, the full report as JSON text out (what the checklist and the CLI use)',
    run,
    outcome: (i) => {
      const r = JSON.parse(run(i)).ok;
      const failed = r.requirements.filter((q) => q.status === 'not_met').map((q) => q.id);
      return { verdict: r.verdict, failed, pathway: r.decisions.find((d) => d.id === 'pathway').output };
    },
  };
}

function logicJs() {
  const t0 = performance.now();
  const reqs = W.jsonlogic.requirements;
  const table = W.jsonlogic.table;
  const load = performance.now() - t0;
  const run = (i) => {
    const d = patients[i];
    const failed = [];
    for (const r of reqs) if (jsonLogic.truthy(jsonLogic.apply(r.applies, d)) && !jsonLogic.truthy(jsonLogic.apply(r.met, d))) failed.push(r.id);
    return outcome(failed, jsonLogic.apply(table, d));
  };
  return { load, input: 'JS object', run, outcome: run };
}

function logicEngine(compiled) {
  const t0 = performance.now();
  const engine = new LogicEngine();
  const reqs = W.jsonlogic.requirements.map((r) => ({ id: r.id, applies: compiled ? engine.build(r.applies) : r.applies, met: compiled ? engine.build(r.met) : r.met }));
  const table = compiled ? engine.build(W.jsonlogic.table) : W.jsonlogic.table;
  const load = performance.now() - t0;
  const apply = (l, d) => (compiled ? l(d) : engine.run(l, d));
  const run = (i) => {
    const d = patients[i];
    const failed = [];
    for (const r of reqs) if (apply(r.applies, d) && !apply(r.met, d)) failed.push(r.id);
    return outcome(failed, apply(table, d));
  };
  return { load, input: 'JS object', run, outcome: run };
}

function rulesEngine() {
  const t0 = performance.now();
  const engine = new RulesEngine([], { allowUndefinedFacts: false });
  for (const rule of W.rulesEngine) engine.addRule(rule);
  const load = performance.now() - t0;
  const run = async (i) => {
    const { events } = await engine.run(patients[i]);
    const failed = events.filter((e) => e.type === 'blocks').map((e) => e.params.id).sort();
    const hit = events.filter((e) => e.type === 'row').map((e) => e.params.i);
    return outcome(failed, hit.length ? Math.min(...hit) : 6);
  };
  return { load, input: 'JS object (facts)', run, outcome: run, async: true };
}

const HW = 'Homeward (WASM, compact batch)';
const HW1 = 'Homeward (WASM, compact, one call per patient)';
const engines = {
  [HW]: homewardBatch(),
  [HW1]: homewardCompact(),
  'Homeward (WASM, JSON in, full report)': homewardJson(),
  'json-logic-engine (compiled)': logicEngine(true),
  'json-logic-engine (interpreted)': logicEngine(false),
  'json-logic-js': logicJs(),
  'json-rules-engine': rulesEngine(),
};

// ------------------------------------------------------------ agreement before timing
const canon = (o) => JSON.stringify({ verdict: o.verdict, failed: [...o.failed].sort(), pathway: o.pathway });
let disagreements = 0;
for (let i = 0; i < PATIENTS; i++) {
  const want = canon(engines[HW].outcome(i));
  for (const [name, e] of Object.entries(engines)) {
    const got = canon(e.async ? await e.outcome(i) : e.outcome(i));
    if (got !== want) {
      disagreements++;
      if (disagreements < 5) console.error(`DISAGREE patient ${i} ${name}: ${got} vs Homeward ${want}`);
    }
  }
}
if (disagreements) {
  console.error(`${disagreements} disagreements: not timing`);
  console.log(`0 passed, ${disagreements} failed`);
  process.exit(1);
}

// ------------------------------------------------------------ timing
async function time(e, count) {
  const reps = quick ? 2 : 5;
  const per = [];
  if (e.batch) e.runAll(count); // warm-up
  else for (let w = 0; w < Math.min(count, 200); w++) (e.async ? await e.run(w) : e.run(w)); // warm-up
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    if (e.batch) e.runAll(count);
    else if (e.async) for (let i = 0; i < count; i++) await e.run(i);
    else for (let i = 0; i < count; i++) e.run(i);
    per.push(Number(process.hrtime.bigint() - t0) / count);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}
const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
// A package's own code: every .js file beside its main entry, concatenated and gzipped
// (json-rules-engine's entry is a stub that requires the rest of dist/); dependencies not counted.
const pkgSize = (name) => {
  const dir = dirname(require.resolve(name));
  const all = Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => readFileSync(join(dir, f))));
  return gzipSync(all, { level: 9 }).length;
};
const hwSize = gz(join(pkg, 'homeward_wasm_bg.wasm')) + gz(join(pkg, 'homeward_wasm.js')) + gz(join(pkg, 'homeward.js'));
const sizes = {
  [HW]: hwSize,
  [HW1]: hwSize,
  'Homeward (WASM, JSON in, full report)': hwSize,
  'json-logic-engine (compiled)': pkgSize('json-logic-engine'),
  'json-logic-engine (interpreted)': pkgSize('json-logic-engine'),
  'json-logic-js': pkgSize('json-logic-js'),
  'json-rules-engine': pkgSize('json-rules-engine'),
};
for (const [name, e] of Object.entries(engines)) {
  const count = name === 'json-rules-engine' ? Math.min(PATIENTS, quick ? 200 : 1000) : PATIENTS;
  results[name] = { ns_per_patient: await time(e, count), patients_timed: count, load_ms: e.load, gzip_bytes: sizes[name], input: e.input };
}
const base = results[HW].ns_per_patient;
console.log(`| engine | ns per patient | Homeward is … × faster | ruleset load (ms) | gzipped size (bytes) | input |`);
console.log(`|---|---|---|---|---|---|`);
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${r.ns_per_patient.toFixed(0)} | ${(r.ns_per_patient / base).toFixed(2)} | ${r.load_ms.toFixed(2)} | ${r.gzip_bytes} | ${r.input} |`);
}
const out = join(here, 'results');
if (!existsSync(out)) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify({ wasm_gzip_bytes: gz(join(pkg, 'homeward_wasm_bg.wasm')), patients: PATIENTS, facts: W.facts.length, requirements: requirements.length, table_rows: W.rows.length, quick, results }, null, 2));
console.log(`agreement: ${PATIENTS} patients × ${Object.keys(engines).length} engines, 0 disagreements`);
console.log(`${PATIENTS} passed, 0 failed`);
