// Differential test against an independent engine: the national ruleset (and with the Norfolk
// overlay) exported as JsonLogic by `homeward export --format jsonlogic`, run by json-logic-js
// on random complete patients, must give the same verdict, every requirement status and every
// decision output as Homeward's WASM build. Any disagreement prints the patient and the rule.
// JsonLogic has no date arithmetic, so a comparison with the as-of date moved by `plus_days` is
// exported as the literal day it means on AS_OF (worked out here with JavaScript's calendar,
// independently of the engine), and the engine evaluates the original rules as of AS_OF.
// HOMEWARD_FULL=1 runs 100,000 patients per ruleset. Ends with "N passed, N failed".
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { xorshift, randomFacts } from '../../bench/node/workload.mjs';

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
function nest(facts) {
  const root = {};
  for (const [k, v] of Object.entries(facts)) {
    const parts = k.split('.');
    let cur = root;
    for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
    cur[parts[parts.length - 1]] = v;
  }
  return root;
}

/** The day every patient is assessed on, by both engines. */
const AS_OF = '2026-12-02';
const OPS = ['lt', 'lte', 'gt', 'gte', 'eq', 'ne'];

/** `day` moved by `n` days, on JavaScript's (proleptic Gregorian, UTC) calendar. */
function plusDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * 86400000).toISOString().slice(0, 10);
}

/**
 * A copy of a ruleset document with every `{ "as_of": true, "plus_days": n }` operand replaced
 * by the day it means on `asOf`. A comparison with another date fact has no such form and stops
 * the test, loudly: it needs an exporter that can write it.
 */
function resolveAsOf(doc, asOf) {
  if (Array.isArray(doc)) return doc.map((x) => resolveAsOf(x, asOf));
  if (!doc || typeof doc !== 'object') return doc;
  const out = {};
  for (const [k, v] of Object.entries(doc)) {
    if ('fact' in doc && OPS.includes(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      if (v.as_of !== true || 'fact' in v) throw new Error(`differential: \`${JSON.stringify(doc)}\` compares two date facts, which JsonLogic cannot express`);
      out[k] = plusDays(asOf, v.plus_days || 0);
    } else {
      out[k] = resolveAsOf(v, asOf);
    }
  }
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'homeward-differential-'));
const rulesets = join(site, 'pkg', 'rulesets');
const fileOf = (name, text) => {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(resolveAsOf(JSON.parse(text), AS_OF)));
  return path;
};
let passed = 0;
let failed = 0;
function check(name, cond) {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}`);
  }
}
check('as-of arithmetic', plusDays('2026-12-02', -42) === '2026-10-21' && plusDays('2024-03-01', -1) === '2024-02-29' && plusDays('2026-12-31', 1) === '2027-01-01');
for (const overlays of [[], ['norfolk']]) {
  const texts = [readFileSync(join(rulesets, 'england-national.json'), 'utf8'),
    ...overlays.map((o) => readFileSync(join(rulesets, 'overlays', `${o}.json`), 'utf8'))];
  const args = ['export', '--format', 'jsonlogic', '--ruleset', fileOf('national.json', texts[0]),
    ...overlays.flatMap((o, i) => ['--overlay', fileOf(`${o}.json`, texts[i + 1])])];
  const exported = JSON.parse(execFileSync(cli, args).toString());
  const engine = Engine.load(texts[0], texts.slice(1));
  const schema = JSON.parse(engine.schema()).ok;
  const kinds = Object.fromEntries(exported.requirements.map((r) => [r.id, r]));
  let disagreements = 0;
  for (let i = 0; i < count; i++) {
    const facts = randomFacts(schema, rand, { option: 0.2 });
    const checklist = schema.checklists[Math.floor(rand() * schema.checklists.length)];
    const report = JSON.parse(engine.evaluate(JSON.stringify(facts), checklist.id, AS_OF)).ok;
    const data = nest(facts);
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
      if (disagreements <= 5) console.log(`FAIL ${overlays.join() || 'national'} patient ${JSON.stringify(facts)} on ${checklist.id}:\n  ${problems.join('\n  ')}`);
    } else {
      passed++;
    }
  }
  console.log(`differential (${overlays.join() || 'national'}): ${count} complete patients, ${disagreements} disagreements`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
