// Differential test against an independent engine: the national ruleset (and with the Norfolk
// overlay) exported as JsonLogic by `homeward export --format jsonlogic`, run by json-logic-js
// on random complete patients, must give the same verdict, every requirement status and every
// decision output as Homeward's WASM build. Any disagreement prints the patient and the rule.
// HOMEWARD_FULL=1 runs 100,000 patients per ruleset. Ends with "N passed, N failed".
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { xorshift, randomFacts, dayNumber, isoDay } from '../../bench/node/workload.mjs';

const require = createRequire(import.meta.url);
const jsonLogic = require('json-logic-js');
const site = resolve(process.env.HOMEWARD_SITE || '../target/web-demo');
const repo = resolve(site, '..', '..');
const cli = join(repo, 'target', 'debug', 'homeward');
const { Engine } = require(join(site, 'pkg', 'node', 'homeward_wasm.js'));
const full = process.env.HOMEWARD_FULL === '1';
const count = full ? 100000 : 3000;

const rand = xorshift(0x1234567);

// Flat fact ids are dotted; JsonLogic's `var` walks dotted paths, so give it nested data.
// JsonLogic has no dates: the export compares day numbers (days since 1970-01-01), with the
// as-of date as the top-level `as_of`.
function nest(facts, dateIds, asOf) {
  const root = { as_of: dayNumber(asOf) };
  for (const [k, raw] of Object.entries(facts)) {
    const v = dateIds.has(k) ? dayNumber(raw) : raw;
    const parts = k.split('.');
    let cur = root;
    for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
    cur[parts[parts.length - 1]] = v;
  }
  return root;
}

let passed = 0;
let failed = 0;
for (const overlays of [[], ['norfolk']]) {
  const args = ['export', '--format', 'jsonlogic', ...overlays.flatMap((o) => ['--bundled-overlay', o])];
  const exported = JSON.parse(execFileSync(cli, args).toString());
  const rulesets = join(site, 'pkg', 'rulesets');
  const engine = Engine.load(readFileSync(join(rulesets, 'england-national.json'), 'utf8'),
    overlays.map((o) => readFileSync(join(rulesets, 'overlays', `${o}.json`), 'utf8')));
  const schema = JSON.parse(engine.schema()).ok;
  const kinds = Object.fromEntries(exported.requirements.map((r) => [r.id, r]));
  const dateIds = new Set(schema.facts.filter((f) => f.type === 'date').map((f) => f.id));
  let disagreements = 0;
  for (let i = 0; i < count; i++) {
    const facts = randomFacts(schema, rand, { option: 0.2 });
    const checklist = schema.checklists[Math.floor(rand() * schema.checklists.length)];
    // Today: any day, or (half the time) a boundary day away from one of the patient's dates
    // (0, 1, 2, 7, 21, 42 or 84 days after it, and the days either side).
    const dated = [...dateIds].map((id) => facts[id]);
    const near = [0, 1, 2, 6, 7, 8, 20, 21, 22, 41, 42, 43, 83, 84, 85];
    const asOf = dated.length && rand() < 0.5
      ? isoDay(dayNumber(dated[Math.floor(rand() * dated.length)]) + near[Math.floor(rand() * near.length)])
      : isoDay(19000 + Math.floor(rand() * 3000));
    const report = JSON.parse(engine.evaluate(JSON.stringify(facts), checklist.id, asOf)).ok;
    const data = nest(facts, dateIds, asOf);
    const problems = [];
    let notReady = false;
    for (const r of report.requirements) {
      const rule = kinds[r.id];
      const applies = jsonLogic.truthy(jsonLogic.apply(rule.applies, data));
      const met = jsonLogic.truthy(jsonLogic.apply(rule.met, data));
      const status = !applies ? 'not_applicable' : met ? 'met' : 'not_met';
      if (status !== r.status) problems.push(`requirement ${r.id}: json-logic ${status}, homeward ${r.status}`);
      if (status === 'not_met' && rule.kind !== 'advisory') notReady = true;
    }
    const verdict = notReady ? 'not_ready' : 'ready';
    if (verdict !== report.verdict) problems.push(`verdict: json-logic ${verdict}, homeward ${report.verdict}`);
    for (const d of report.decisions) {
      const table = exported.tables.find((t) => t.id === d.id);
      const out = jsonLogic.apply(table.logic, data);
      if (out !== d.output) problems.push(`decision ${d.id}: json-logic ${out}, homeward ${d.output}`);
    }
    if (problems.length) {
      disagreements++;
      failed++;
      if (disagreements <= 5) console.log(`FAIL ${overlays.join() || 'national'} patient ${JSON.stringify(facts)} on ${checklist.id} as of ${asOf}:\n  ${problems.join('\n  ')}`);
    } else {
      passed++;
    }
  }
  console.log(`differential (${overlays.join() || 'national'}): ${count} complete patients, ${disagreements} disagreements`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
