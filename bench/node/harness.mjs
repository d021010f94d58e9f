// Side-by-side benchmark, one process, one run: Homeward (WASM, through its public JS API)
// against json-logic-engine 5 (compiled and interpreted), json-logic-js 2 and json-rules-engine 7
// on one generated discharge workload: 60 facts, 30 requirements (conditions nested up to depth
// 3), one 6-row first-hit table, 10,000 seeded complete patients.
//
// Same endpoints: every engine row is timed from the same start, the patient as a parsed JS
// object, to the same end, a JS result object holding the verdict, the not-met requirement ids
// and the pathway (the table's output). Every engine must agree on that content for every
// patient before anything is timed. Rows that do not meet that definition (Homeward's typed-array
// paths on pre-encoded input, codes out; the full report) are kept as extra rows, labelled.
// Sizes are the minified, gzipped browser bundle of each engine with its dependencies (esbuild),
// plus the gzipped .wasm for Homeward.
// Also times a WASM session on the national ruleset, half answered: one update, set + report.
// Usage: node --expose-gc harness.mjs [--quick]  (HOMEWARD_PKG = the package folder with homeward.node.js;
// without --expose-gc the runs are timed without a collection before each)
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { buildSync } from 'esbuild';
import { generate, randomFacts, xorshift } from './workload.mjs';
import { homeward, must, pkg } from './homeward-package.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const jsonLogic = require('json-logic-js');
const { LogicEngine } = require('json-logic-engine');
const { Engine: RulesEngine } = require('json-rules-engine');
const loadBefore = loadavg()[0];

// ------------------------------------------------------------ the shared workload
const PATIENTS = quick ? 1000 : 10000;
const W = generate(PATIENTS);
const { requirements, patients } = W;
const TABLE = 'pathway';

// ------------------------------------------------------------ engines
// Each `run(i)` goes from patients[i] (a JS object) to a JS result object; `outcome(i)` gives
// { verdict, failed, pathway } from that result for the agreement check. Batch engines have
// `runAll(count)` instead, returning every patient's result object.
const outcome = (failed, pathway) => ({ verdict: failed.some((id) => W.kinds[id] === 'blocker') ? 'not_ready' : 'ready', failed, pathway });
const VERDICTS = ['ready', 'not_ready', 'undetermined'];

function homewardLoad() {
  const t0 = performance.now();
  const engine = must(homeward.Engine.load(W.homeward));
  const bulk = must(engine.bulk('all'));
  return { engine, bulk, load: performance.now() - t0 };
}

const fromResult = (r) => ({ verdict: r.verdict, failed: r.not_met, pathway: r.decisions[TABLE] });

function homewardFacts() {
  const { bulk, load } = homewardLoad();
  const run = (i) => must(bulk.assessFacts(patients[i]));
  return {
    load, endpoint: 'same',
    input: 'public API `Bulk.assessFacts(object)`: one call per patient; { verdict, not_met, unknown, decisions } out',
    run, outcome: (i) => fromResult(run(i)),
  };
}

function homewardManyFacts() {
  const { bulk, load } = homewardLoad();
  let all = null;
  const runAll = (count) => {
    all = must(bulk.assessManyFacts(count === PATIENTS ? patients : patients.slice(0, count)));
    return all;
  };
  return {
    load, endpoint: 'same', batch: true,
    input: 'public API `Bulk.assessManyFacts(objects)`: one call for all patients; one result object per patient out',
    runAll,
    outcome: (i) => fromResult((all && all.length === PATIENTS ? all : runAll(PATIENTS))[i]),
  };
}

function homewardReport(json) {
  const { engine, bulk, load } = homewardLoad();
  const run = json ? (i) => must(engine.evaluate(patients[i], 'all')) : (i) => must(bulk.reportFacts(patients[i]));
  return {
    load, endpoint: 'report',
    input: json
      ? 'public API `Engine.evaluate(object)`: the full report as JSON text, parsed: more than the others return'
      : 'public API `Bulk.reportFacts(object)`: the full report (explanations, actions, citations, open questions) as a JS object, named in JS from codes: more than the others return',
    run,
    outcome: (i) => {
      const r = run(i);
      const failed = r.requirements.filter((q) => q.status === 'not_met').map((q) => q.id);
      return { verdict: r.verdict, failed, pathway: r.decisions.find((d) => d.id === TABLE).output };
    },
  };
}

/** Homeward's typed-array paths, on input encoded before timing: codes out (not the same endpoint). */
function homewardCodes(batch) {
  const { bulk, load } = homewardLoad();
  const { layout, inputLength: ni, outputLength: no } = bulk;
  const nt = layout.tables.length;
  const decode = (o) => ({
    verdict: VERDICTS[o[0]],
    failed: layout.requirements.filter((_, k) => o[1 + nt + k] === 1),
    pathway: layout.tables[0].outputs[o[1]],
  });
  if (batch) {
    const all = new Int32Array(PATIENTS * ni);
    patients.forEach((p, i) => all.set(W.compact(p), i * ni));
    let out = null;
    const runAll = (count) => {
      out = must(bulk.assessMany(all.subarray(0, count * ni)));
      return out;
    };
    return {
      load, endpoint: 'raw', batch: true,
      input: 'raw: `Bulk.assessMany(Int32Array)` on every patient pre-encoded before timing; Uint32Array codes out, not decoded',
      runAll,
      outcome: (i) => decode((out && out.length === PATIENTS * no ? out : runAll(PATIENTS)).subarray(i * no, (i + 1) * no)),
    };
  }
  const inputs = patients.map(W.compact);
  const run = (i) => must(bulk.assess(inputs[i]));
  return {
    load, endpoint: 'raw',
    input: 'raw: `Bulk.assess(Int32Array)` per patient, pre-encoded before timing; Uint32Array codes out, not decoded',
    run, outcome: (i) => decode(run(i)),
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
  return { load, endpoint: 'same', input: 'JS object in; { verdict, failed, pathway } out', run, outcome: run };
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
  return { load, endpoint: 'same', input: 'JS object in; { verdict, failed, pathway } out', run, outcome: run };
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
  return { load, endpoint: 'same', input: 'JS object (facts) in; events out, collected into { verdict, failed, pathway }', run, outcome: run, async: true };
}

const HW1 = 'Homeward per patient (`Bulk.assessFacts`)';
const HWN = 'Homeward batch (`Bulk.assessManyFacts`)';
const HWR = 'Homeward full report (`Bulk.reportFacts`)';
const HWRJ = 'Homeward full report through JSON (`Engine.evaluate`)';
const HWC1 = 'Homeward raw: typed array per patient (`Bulk.assess`)';
const HWCN = 'Homeward raw: typed-array batch (`Bulk.assessMany`)';
const JLE = 'json-logic-engine (compiled)';
const engines = {
  [HW1]: homewardFacts(),
  [HWN]: homewardManyFacts(),
  [HWR]: homewardReport(false),
  [HWRJ]: homewardReport(true),
  [HWC1]: homewardCodes(false),
  [HWCN]: homewardCodes(true),
  [JLE]: logicEngine(true),
  'json-logic-engine (interpreted)': logicEngine(false),
  'json-logic-js': logicJs(),
  ...(process.env.HARNESS_SKIP_RULES ? {} : { 'json-rules-engine': rulesEngine() }),
};

// ------------------------------------------------------------ agreement before timing
const canon = (o) => JSON.stringify({ verdict: o.verdict, failed: [...o.failed].sort(), pathway: o.pathway });
let disagreements = 0;
for (let i = 0; i < PATIENTS; i++) {
  const want = canon(engines[JLE].outcome(i));
  for (const [name, e] of Object.entries(engines)) {
    const got = canon(e.async ? await e.outcome(i) : e.outcome(i));
    if (got !== want) {
      disagreements++;
      if (disagreements < 5) console.error(`DISAGREE patient ${i} ${name}: ${got} vs json-logic-engine ${want}`);
    }
  }
}
if (disagreements) {
  console.error(`${disagreements} disagreements: not timing`);
  console.log(`0 passed, ${disagreements} failed`);
  process.exit(1);
}

// ------------------------------------------------------------ timing
const REPS = quick ? 3 : 5;
/** The median of a list of runs (the upper one of an even count). */
const median = (per) => [...per].sort((a, b) => a - b)[Math.floor(per.length / 2)];
/** One engine's warm-up: 1,000 calls, or one batch call. */
async function warm(e, count) {
  if (e.batch) e.runAll(count);
  else for (let w = 0; w < Math.min(count, 1000); w++) (e.async ? await e.run(w) : e.run(w));
}
let sink = 0;
/**
 * One timed run of an engine over every patient once: ns per patient. The heap is collected
 * first where Node exposes it (`node --expose-gc`, as `cargo xtask bench` runs this), so no run
 * collects the garbage of the run before it, another engine's.
 */
async function once(e, count) {
  globalThis.gc?.();
  const t0 = process.hrtime.bigint();
  if (e.batch) sink += e.runAll(count).length;
  else if (e.async) for (let i = 0; i < count; i++) sink += (await e.run(i)) ? 1 : 0;
  else for (let i = 0; i < count; i++) sink += e.run(i) ? 1 : 0;
  return Number(process.hrtime.bigint() - t0) / count;
}
/**
 * Median and every run of ns per patient for each engine. Every engine is warmed up, then
 * REPS rounds are timed, each round running every engine once in turn: each engine's runs come
 * from the same minutes as the others', so a slow minute of this shared machine slows every row
 * of a round rather than one row's whole series, and the ratios compare like with like.
 */
async function timeRounds(list, count) {
  for (const [, e] of list) await warm(e, count);
  const runs = Object.fromEntries(list.map(([name]) => [name, []]));
  for (let r = 0; r < REPS; r++) for (const [name, e] of list) runs[name].push(await once(e, count));
  if (sink < 0) console.log(sink);
  return Object.fromEntries(Object.entries(runs).map(([name, per]) => [name, { median: median(per), runs: per }]));
}

// ------------------------------------------------------------ sizes: minified + gzipped bundles with dependencies
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
function bundle(contents, resolveDir) {
  const out = buildSync({ stdin: { contents, resolveDir, loader: 'js' }, bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', logLevel: 'silent' });
  return out.outputFiles[0].contents;
}
const jsBundle = (name) => {
  const js = bundle(`import * as m from '${name}'; globalThis.__engine = m;`, here);
  return { js_gzip_bytes: gz(js), gzip_bytes: gz(js) };
};
const wasmGz = gz(readFileSync(join(pkg, 'homeward_wasm_bg.wasm')));
const wasmRaw = readFileSync(join(pkg, 'homeward_wasm_bg.wasm')).length;
// The runtime build (the checklist page's .wasm: bundled rulesets compiled ahead of time, no JSON
// ruleset loader); the engines here are timed on the full build, which loads the workload's JSON.
const runtimeWasm = readFileSync(join(pkg, 'homeward_runtime_bg.wasm'));
const runtimeGz = gz(runtimeWasm);
const hwJs = gz(bundle(`import * as m from './homeward.js'; globalThis.__engine = m;`, pkg));
const hwSize = { js_gzip_bytes: hwJs, wasm_gzip_bytes: wasmGz, gzip_bytes: hwJs + wasmGz };
const sizeOf = {
  'json-logic-engine': jsBundle('json-logic-engine'),
  'json-logic-js': jsBundle('json-logic-js'),
  'json-rules-engine': jsBundle('json-rules-engine'),
};
const sizes = (name) => (name.startsWith('Homeward') ? hwSize : sizeOf[name.replace(/ \(.*\)$/, '')]);

const results = {};
const timed = await timeRounds(Object.entries(engines), PATIENTS);
for (const [name, e] of Object.entries(engines)) {
  const t = timed[name];
  results[name] = { ns_per_patient: t.median, runs_ns: t.runs.map((v) => Math.round(v)), patients_timed: PATIENTS, load_ms: e.load, ...sizes(name), endpoint: e.endpoint, input: e.input };
}

// ------------------------------------------------------------ a WASM session, national ruleset, half answered
function sessionFigures() {
  const texts = ['england-national.json'].map((f) => readFileSync(join(pkg, 'rulesets', f), 'utf8'));
  const engine = must(homeward.Engine.load(texts[0]));
  const schema = must(engine.schema());
  const checklist = 'ward_discharge';
  const rand = xorshift(0xbed);
  const facts = randomFacts(schema, rand, { unknown: 0.5 });
  const session = must(engine.session(checklist));
  must(session.import(facts));
  const answered = schema.facts.filter((f) => f.type === 'bool' && facts[f.id] !== undefined);
  const count = quick ? 400 : 2000;
  const timeOne = (call) => {
    const per = [];
    for (let r = 0; r < REPS + 1; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        const f = answered[i % answered.length];
        // Flip one answered yes/no fact and back: the session stays half answered.
        must(call(f.id, !facts[f.id]));
        must(call(f.id, facts[f.id]));
      }
      per.push(Number(process.hrtime.bigint() - t0) / (2 * count));
    }
    per.shift(); // the first run is the warm-up
    return { median: median(per), runs: per.map((v) => Math.round(v)) };
  };
  const known = Object.keys(facts).length;
  const out = {
    ruleset: 'england-national', checklist, facts: schema.facts.length, answered: known,
    update: timeOne((f, v) => session.update(f, v)),
    set_report: timeOne((f, v) => session.set(f, v)),
    // The previous path, for comparison: the report as JSON text from WASM, parsed in JS.
    set_report_json: timeOne((f, v) => session.answer('set', f, v)),
  };
  session.free();
  engine.free();
  return out;
}
const session = sessionFigures();

// ------------------------------------------------------------ report
const base = results[JLE].ns_per_patient;
console.log(`| engine | endpoint | ns per patient (median of ${REPS}) | × json-logic-engine compiled | ruleset load (ms) | min+gz bundle (bytes) | input and output |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${r.endpoint} | ${r.ns_per_patient.toFixed(0)} | ${(base / r.ns_per_patient).toFixed(2)} | ${r.load_ms.toFixed(2)} | ${r.gzip_bytes} | ${r.input} |`);
}
console.log(`session (national, ${session.checklist}, ${session.answered}/${session.facts} facts answered): update ${(session.update.median / 1000).toFixed(2)} µs, set + report ${(session.set_report.median / 1000).toFixed(2)} µs (through JSON ${(session.set_report_json.median / 1000).toFixed(2)} µs)`);
const out = join(here, 'results');
if (!existsSync(out)) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify({
  wasm_gzip_bytes: wasmGz, wasm_bytes: wasmRaw, runtime_wasm_gzip_bytes: runtimeGz, runtime_wasm_bytes: runtimeWasm.length, patients: PATIENTS, facts: W.facts.length, requirements: requirements.length,
  table_rows: W.rows.length, quick, reps: REPS, load_average: { before: loadBefore, after: loadavg()[0] }, baseline: JLE,
  results, session,
}, null, 2));
console.log(`agreement: ${PATIENTS} patients × ${Object.keys(engines).length} engines, 0 disagreements`);
console.log(`${PATIENTS} passed, 0 failed`);
