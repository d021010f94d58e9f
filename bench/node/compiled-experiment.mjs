// A measurement of a design option, not product code: the shared workload's conditions
// compiled to JavaScript at load, with strong Kleene values (0 false, 1 true, 2 unknown) and
// short-circuiting, timed per patient from the same start to the same end as the harness's
// "same" rows (a parsed patient object in; { verdict, not_met, unknown, decisions } out)
// against json-logic-engine compiled and Homeward's `Bulk.assessFacts`, in one process.
//
// It answers one question for BENCHMARKS.md ("What each missed target would take"): how fast
// would one patient be if each ruleset's conditions ran as generated code instead of through
// the engine's jump loop in WASM? It covers only what the workload uses (`all`, `any`, `not`,
// `eq`, `in`, `lt`, `gte`, one first-hit table) and is checked only on the workload's complete
// patients (unknown values are carried, but not checked against the engine); the engine has
// more (named conditions, `at_least`, sets, dates, validation with located errors), and a
// real generator would be emitted by the engine from its compiled conditions and proven to
// agree with it. Before timing, every patient's verdict, not-met ids and pathway are checked
// against Homeward's; any disagreement exits non-zero.
//
//   node bench/node/compiled-experiment.mjs        (HOMEWARD_PKG as for the harness)
import { createRequire } from 'node:module';
import { generate } from './workload.mjs';
import { homeward, must } from './homeward-package.mjs';

const require = createRequire(import.meta.url);
const { LogicEngine } = require('json-logic-engine');

const N = 10000;
const W = generate(N);
const P = W.patients;
const lit = JSON.stringify;
let fresh = 0;

/** Statements setting `out` to the Kleene value (0, 1, 2) of condition `n` for patient `p`. */
function emit(n, out, lines) {
  if (n.op === 'all' || n.op === 'any') {
    // `all` stops at a false part, `any` at a true one; an unknown part leaves unknown.
    const stop = n.op === 'all' ? 0 : 1;
    const label = `L${fresh++}`;
    lines.push(`${out} = ${1 - stop}; ${label}: {`);
    for (const a of n.args) {
      const x = `x${fresh++}`;
      lines.push(`let ${x};`);
      emit(a, x, lines);
      lines.push(`if (${x} === ${stop}) { ${out} = ${stop}; break ${label}; } if (${x} === 2) ${out} = 2;`);
    }
    lines.push('}');
  } else if (n.op === 'not') {
    const x = `x${fresh++}`;
    lines.push(`let ${x};`);
    emit(n.args[0], x, lines);
    lines.push(`${out} = ${x} === 2 ? 2 : 1 - ${x};`);
  } else {
    const test = n.cmp === 'eq' ? `v === ${lit(n.value)}`
      : n.cmp === 'in' ? n.value.map((o) => `v === ${lit(o)}`).join(' || ')
        : n.cmp === 'lt' ? `v < ${Number(n.value)}` : `v >= ${Number(n.value)}`;
    lines.push(`v = p[${lit(n.fact)}]; ${out} = v === undefined || v === null ? 2 : (${test}) ? 1 : 0;`);
  }
}

const lines = ['let v, a, m, c, bad = 0, unk = 0; const nm = [], un = [];'];
for (const r of W.requirements) {
  if (r.applies) emit(r.applies, 'a', lines);
  else lines.push('a = 1;');
  // Not applicable when it does not apply, whatever `met` is; not met only when it applies.
  lines.push('if (a !== 0) {');
  emit(r.met, 'm', lines);
  const counts = r.kind !== 'advisory';
  lines.push(`if (a === 1 && m === 0) { nm.push(${lit(r.id)}); ${counts ? 'bad = 1;' : ''} }`);
  lines.push(`else if (!(a === 1 && m === 1)) { un.push(${lit(r.id)}); ${counts ? 'unk = 1;' : ''} }`);
  lines.push('}');
}
// First hit: a true row decides, an unknown row before any true one leaves it undetermined.
lines.push(`c = ${W.rows.length}; T: {`);
W.rows.forEach((w, i) => {
  const x = `x${fresh++}`;
  lines.push(`let ${x};`);
  emit(w, x, lines);
  lines.push(`if (${x} === 1) { c = ${i}; break T; } if (${x} === 2) { c = null; break T; }`);
});
lines.push('}');
lines.push("return { verdict: bad ? 'not_ready' : unk ? 'unknown' : 'ready', not_met: nm, unknown: un, decisions: { pathway: c } };");
// eslint-disable-next-line no-new-func
const compiled = new Function('p', lines.join('\n'));

const logic = new LogicEngine();
const reqs = W.jsonlogic.requirements.map((r) => ({ id: r.id, applies: logic.build(r.applies), met: logic.build(r.met) }));
const table = logic.build(W.jsonlogic.table);
const jle = (d) => {
  const failed = [];
  for (const r of reqs) if (r.applies(d) && !r.met(d)) failed.push(r.id);
  return { verdict: failed.length ? 'not_ready' : 'ready', failed, pathway: table(d) };
};

const bulk = must(must(homeward.Engine.load(W.homeward)).bulk('all'));
let disagreements = 0;
for (let i = 0; i < N; i++) {
  const a = compiled(P[i]);
  const b = must(bulk.assessFacts(P[i]));
  if (a.verdict !== b.verdict || a.not_met.join() !== b.not_met.join() || a.decisions.pathway !== b.decisions.pathway) disagreements++;
}
if (disagreements) {
  console.error(`${disagreements} of ${N} patients disagree with Homeward`);
  process.exit(1);
}

const runs = { jle: [], generated: [], homeward: [] };
let sink = 0;
for (let r = 0; r < 21; r++) {
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += jle(P[i]).failed.length;
  runs.jle.push(Number(process.hrtime.bigint() - t0) / N);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += compiled(P[i]).not_met.length;
  runs.generated.push(Number(process.hrtime.bigint() - t0) / N);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += must(bulk.assessFacts(P[i])).not_met.length;
  runs.homeward.push(Number(process.hrtime.bigint() - t0) / N);
}
// The median of 20 runs (the first is a warm-up).
const med = (a) => a.slice(1).sort((x, y) => x - y)[10];
const j = med(runs.jle);
console.log(`${N} patients, all agreeing with Homeward; generated code ${lines.join('\n').length} characters (checksum ${sink % 1000})`);
for (const [name, key] of [['json-logic-engine compiled', 'jle'], ['generated Kleene JavaScript', 'generated'], ['Homeward Bulk.assessFacts', 'homeward']]) {
  const t = med(runs[key]);
  console.log(`${name.padEnd(28)} ${t.toFixed(0).padStart(6)} ns per patient  ${(j / t).toFixed(2)}x json-logic-engine compiled`);
}
