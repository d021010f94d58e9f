// Side-by-side benchmark, one process, one run: Homeward (WASM) against json-rules-engine 7,
// json-logic-js 2 and json-logic-engine 5 (compiled and interpreted) on one generated discharge
// workload: ~60 facts, 30 requirements (conditions nested up to depth 3), one 6-row first-hit
// table, 10,000 seeded complete patients. Every engine must agree on the verdict, the failed
// requirement ids and the table output for every patient before anything is timed.
// Usage: node harness.mjs [--quick]  (HOMEWARD_PKG = the package folder with node/ and rulesets/)
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const pkg = resolve(process.env.HOMEWARD_PKG || join(here, '..', '..', 'target', 'web-demo', 'pkg'));
const jsonLogic = require('json-logic-js');
const { LogicEngine } = require('json-logic-engine');
const { Engine: RulesEngine } = require('json-rules-engine');
const { Engine: Homeward } = require(join(pkg, 'node', 'homeward_wasm.js'));

// ------------------------------------------------------------ the shared workload
let seed = 0x5eed;
const rand = () => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const facts = [];
for (let i = 0; i < 60; i++) {
  const id = `f${String(i).padStart(2, '0')}`;
  if (i < 40) facts.push({ id, type: 'bool' });
  else if (i < 50) facts.push({ id, type: 'enum', options: ['a', 'b', 'c', 'd'].slice(0, 3 + (i % 2)) });
  else facts.push({ id, type: 'int', min: 0, max: 100 });
}
function leaf() {
  const f = pick(facts);
  if (f.type === 'bool') return { fact: f.id, cmp: 'eq', value: rand() < 0.7 };
  if (f.type === 'enum') return rand() < 0.5 ? { fact: f.id, cmp: 'eq', value: pick(f.options) } : { fact: f.id, cmp: 'in', value: f.options.slice(0, 2) };
  return { fact: f.id, cmp: pick(['lt', 'gte']), value: 10 + Math.floor(rand() * 80) };
}
function ast(depth) {
  if (depth === 0 || rand() < 0.3) return leaf();
  const op = pick(['all', 'all', 'any', 'any', 'not']);
  if (op === 'not') return { op, args: [ast(depth - 1)] };
  return { op, args: Array.from({ length: 2 + Math.floor(rand() * 2) }, () => ast(depth - 1)) };
}
const requirements = Array.from({ length: 30 }, (_, i) => ({
  id: `r${String(i).padStart(2, '0')}`,
  kind: i % 6 === 5 ? 'advisory' : 'blocker',
  applies: rand() < 0.6 ? ast(2) : null,
  met: ast(3),
}));
const rows = Array.from({ length: 6 }, () => ast(2));
const PATIENTS = quick ? 1000 : 10000;
const patients = Array.from({ length: PATIENTS }, () => Object.fromEntries(facts.map((f) => [f.id,
  f.type === 'bool' ? rand() < 0.75 : f.type === 'enum' ? pick(f.options) : Math.floor(rand() * 101)])));

// ------------------------------------------------------------ encodings
const toHomeward = (n) => n.op === 'all' ? { all: n.args.map(toHomeward) } : n.op === 'any' ? { any: n.args.map(toHomeward) }
  : n.op === 'not' ? { not: toHomeward(n.args[0]) } : { fact: n.fact, [n.cmp]: n.value };
const toLogic = (n) => n.op === 'all' ? { and: n.args.map(toLogic) } : n.op === 'any' ? { or: n.args.map(toLogic) }
  : n.op === 'not' ? { '!': toLogic(n.args[0]) }
    : n.cmp === 'eq' ? { '===': [{ var: n.fact }, n.value] } : n.cmp === 'in' ? { in: [{ var: n.fact }, n.value] }
      : n.cmp === 'lt' ? { '<': [{ var: n.fact }, n.value] } : { '>=': [{ var: n.fact }, n.value] };
const OPS = { eq: 'equal', in: 'in', lt: 'lessThan', gte: 'greaterThanInclusive' };
const toRules = (n) => n.op === 'all' ? { all: n.args.map(toRules) } : n.op === 'any' ? { any: n.args.map(toRules) }
  : n.op === 'not' ? { not: toRules(n.args[0]) } : { fact: n.fact, operator: OPS[n.cmp], value: n.value };

const sect = 's';
const homewardRuleset = {
  id: 'bench', version: '1', title: 'Shared benchmark workload',
  sections: [{ id: sect, title: 'S' }],
  facts: facts.map((f) => f.type === 'bool' ? { id: f.id, type: 'bool', section: sect, question: f.id }
    : f.type === 'enum' ? { id: f.id, type: 'enum', section: sect, question: f.id, options: f.options.map((o) => ({ id: o, label: o })) }
      : { id: f.id, type: 'int', section: sect, question: f.id, min: 0, max: 100 }),
  requirements: requirements.map((r) => ({ id: r.id, title: r.id, kind: r.kind, owner: 'nhs', ...(r.applies ? { applies_when: toHomeward(r.applies) } : {}),
    met_when: toHomeward(r.met), action: 'act', citation: { source: 'bench' } })),
  tables: [{ id: 'pathway', title: 'Pathway', hit: 'first', outputs: [0, 1, 2, 3, 4, 5, 6].map((v) => ({ value: v, label: String(v) })),
    rows: rows.map((w, i) => ({ when: toHomeward(w), output: i, citation: { source: 'bench' } })), default: 6, citation: { source: 'bench' } }],
  checklists: [{ id: 'all', title: 'All', requirements: requirements.map((r) => r.id), tables: ['pathway'] }],
};
const logicReqs = requirements.map((r) => ({ id: r.id, kind: r.kind, applies: r.applies ? toLogic(r.applies) : true, met: toLogic(r.met) }));
const logicTable = { if: [...rows.flatMap((w, i) => [toLogic(w), i]), 6] };

// ------------------------------------------------------------ engines (natural input form)
const results = {};
const outcome = (failed, pathway) => ({ verdict: failed.some((id) => requirements.find((r) => r.id === id).kind === 'blocker') ? 'not_ready' : 'ready', failed, pathway });

function homewardEngine() {
  const t0 = performance.now();
  const engine = Homeward.load(JSON.stringify(homewardRuleset), []);
  const status = JSON.parse(engine.status());
  if (status.error) throw new Error(JSON.stringify(status.error));
  const load = performance.now() - t0;
  const texts = patients.map((p) => JSON.stringify(p));
  return {
    load,
    input: 'facts as JSON text (as the checklist and other systems send them)',
    run: (i) => engine.assess(texts[i], 'all'),
    outcome: (i) => {
      const r = JSON.parse(engine.assess(texts[i], 'all')).ok;
      return { verdict: r.verdict, failed: r.not_met, pathway: r.decisions.pathway };
    },
    report: (i) => engine.evaluate(texts[i], 'all'),
  };
}

function logicJs() {
  const t0 = performance.now();
  const reqs = logicReqs;
  const load = performance.now() - t0;
  const run = (i) => {
    const d = patients[i];
    const failed = [];
    for (const r of reqs) if (jsonLogic.truthy(jsonLogic.apply(r.applies, d)) && !jsonLogic.truthy(jsonLogic.apply(r.met, d))) failed.push(r.id);
    return outcome(failed, jsonLogic.apply(logicTable, d));
  };
  return { load, input: 'JS object', run, outcome: run };
}

function logicEngine(compiled) {
  const t0 = performance.now();
  const engine = new LogicEngine();
  const reqs = logicReqs.map((r) => ({ id: r.id, applies: compiled ? engine.build(r.applies) : r.applies, met: compiled ? engine.build(r.met) : r.met }));
  const table = compiled ? engine.build(logicTable) : logicTable;
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
  for (const r of requirements) {
    const blocks = r.applies ? { all: [toRules(r.applies), { not: toRules(r.met) }] } : { not: toRules(r.met) };
    engine.addRule({ name: r.id, conditions: blocks, event: { type: 'blocks', params: { id: r.id } } });
  }
  rows.forEach((w, i) => engine.addRule({ name: `row${i}`, conditions: { all: [toRules(w)] }, event: { type: 'row', params: { i } } }));
  const load = performance.now() - t0;
  const run = async (i) => {
    const { events } = await engine.run(patients[i]);
    const failed = events.filter((e) => e.type === 'blocks').map((e) => e.params.id).sort();
    const hit = events.filter((e) => e.type === 'row').map((e) => e.params.i);
    return outcome(failed, hit.length ? Math.min(...hit) : 6);
  };
  return { load, input: 'JS object (facts)', run, outcome: run, async: true };
}

const engines = {
  'Homeward (WASM, assess)': homewardEngine(),
  'json-logic-engine (compiled)': logicEngine(true),
  'json-logic-engine (interpreted)': logicEngine(false),
  'json-logic-js': logicJs(),
  'json-rules-engine': rulesEngine(),
};

// ------------------------------------------------------------ agreement before timing
const canon = (o) => JSON.stringify({ verdict: o.verdict, failed: [...o.failed].sort(), pathway: o.pathway });
let disagreements = 0;
for (let i = 0; i < PATIENTS; i++) {
  const want = canon(engines['Homeward (WASM, assess)'].outcome(i));
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
  for (let w = 0; w < Math.min(count, 200); w++) (e.async ? await e.run(w) : e.run(w)); // warm-up
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    if (e.async) for (let i = 0; i < count; i++) await e.run(i);
    else for (let i = 0; i < count; i++) e.run(i);
    per.push(Number(process.hrtime.bigint() - t0) / count);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}
const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const sizes = {
  'Homeward (WASM, assess)': gz(join(pkg, 'homeward_wasm_bg.wasm')) + gz(join(pkg, 'homeward_wasm.js')) + gz(join(pkg, 'homeward.js')),
  'json-logic-engine (compiled)': gz(require.resolve('json-logic-engine')),
  'json-logic-engine (interpreted)': gz(require.resolve('json-logic-engine')),
  'json-logic-js': gz(require.resolve('json-logic-js')),
  'json-rules-engine': gz(require.resolve('json-rules-engine')),
};
for (const [name, e] of Object.entries(engines)) {
  const count = name === 'json-rules-engine' ? Math.min(PATIENTS, quick ? 200 : 1000) : PATIENTS;
  results[name] = { ns_per_patient: await time(e, count), patients_timed: count, load_ms: e.load, gzip_bytes: sizes[name], input: e.input };
}
const h = engines['Homeward (WASM, assess)'];
results['Homeward (WASM, full report)'] = { ns_per_patient: await time({ run: h.report }, PATIENTS), patients_timed: PATIENTS, load_ms: h.load,
  gzip_bytes: sizes['Homeward (WASM, assess)'], input: h.input };

const base = results['Homeward (WASM, assess)'].ns_per_patient;
console.log(`| engine | ns per patient | Homeward is … × faster | ruleset load (ms) | gzipped size (bytes) | input |`);
console.log(`|---|---|---|---|---|---|`);
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${r.ns_per_patient.toFixed(0)} | ${(r.ns_per_patient / base).toFixed(2)} | ${r.load_ms.toFixed(2)} | ${r.gzip_bytes} | ${r.input} |`);
}
const out = join(here, 'results');
if (!existsSync(out)) mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), JSON.stringify({ patients: PATIENTS, facts: facts.length, requirements: requirements.length, table_rows: rows.length, quick, results }, null, 2));
console.log(`agreement: ${PATIENTS} patients × ${Object.keys(engines).length} engines, 0 disagreements`);
console.log(`${PATIENTS} passed, 0 failed`);
