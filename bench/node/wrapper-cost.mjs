// What the JS wrapper adds to each public call (encode, call, name the codes), measured as the
// public call minus the bare engine call on the same patients in one process: Bulk.assessFacts
// against Bulk's resident call on input encoded before timing; Bulk.reportFacts and Session.set
// (national ruleset, half answered) against the engine writing the report codes without naming
// them. Not a benchmark of record (the harness is): a probe for where the time goes.
// Usage: node wrapper-cost.mjs  (HOMEWARD_PKG = the package folder, default target/wasm-pkg)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, randomFacts, xorshift } from './workload.mjs';
import { homeward as hw, must, pkg } from './homeward-package.mjs';

const N = 5000;
const W = generate(N);
const P = W.patients;
const bulk = must(must(hw.Engine.load(W.homeward)).bulk('all'));
must(bulk.assessFacts(P[0]));
must(bulk.reportFacts(P[0]));
const pre = P.map(W.compact);
const encode = bulk.encoder();
const national = must(hw.Engine.load(readFileSync(join(pkg, 'rulesets', 'england-national.json'), 'utf8')));
const schema = must(national.schema());
const facts = randomFacts(schema, xorshift(0xbed), { unknown: 0.5 });
const session = must(national.session('ward_discharge'));
must(session.import(facts));
const flips = schema.facts.filter((f) => f.type === 'bool' && facts[f.id] !== undefined);
const flip = (call) => () => {
  for (let i = 0; i < 250; i++) {
    const f = flips[i % flips.length];
    call(f.id, !facts[f.id]);
    call(f.id, facts[f.id]);
  }
  return 500;
};
const loops = {
  'assessFacts (public)': () => { for (let i = 0; i < N; i++) bulk.assessFacts(P[i]); return N; },
  'assessFacts (bare engine call)': () => { for (let i = 0; i < N; i++) { bulk.input.set(pre[i]); bulk.raw.assessResident(1); } return N; },
  'reportFacts (public)': () => { for (let i = 0; i < 1000; i++) bulk.reportFacts(P[i]); return 1000; },
  'reportFacts (bare: encode + codes)': () => { for (let i = 0; i < 1000; i++) { encode(P[i], bulk.input, 0); bulk.raw.reportResident(); } return 1000; },
  'Session.set (public)': flip((f, v) => session.set(f, v)),
  'Session.set (bare: codes)': flip((f, v) => session.raw.setReportCodes(f, JSON.stringify(v))),
};
const runs = {};
for (let r = 0; r < 12; r++) {
  for (const [name, loop] of Object.entries(loops)) {
    const t0 = process.hrtime.bigint();
    const n = loop();
    (runs[name] ||= []).push(Number(process.hrtime.bigint() - t0) / n);
  }
}
const median = (a) => a.slice(1).sort((x, y) => x - y)[5]; // the first round is the warm-up
const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
const names = Object.keys(m);
for (let k = 0; k < names.length; k += 2) {
  const [pub, bare] = [m[names[k]], m[names[k + 1]]];
  console.log(`${names[k].padEnd(24)} ${(pub / 1000).toFixed(2)} µs; ${names[k + 1]} ${(bare / 1000).toFixed(2)} µs; JS part ${((pub - bare) / 1000).toFixed(2)} µs`);
}
