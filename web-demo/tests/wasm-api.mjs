// The WASM package from Node: (1) native = WASM, byte for byte, on every golden scenario and on
// thousands of random patients; (2) a flood of malformed input to every call, each of which must
// return a tagged { ok } / { error } with a code and a path, never throw, never trap, and leave
// the module working. HOMEWARD_SITE is the assembled site; target/debug/homeward the native CLI.
// Set HOMEWARD_FULL=1 for the long run. Ends with "N passed, N failed".
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { xorshift, randomFacts, compactOf } from '../../bench/node/workload.mjs';

const site = resolve(process.env.HOMEWARD_SITE || '../target/web-demo');
const repo = resolve(site, '..', '..');
const cli = join(repo, 'target', 'debug', 'homeward');
const full = process.env.HOMEWARD_FULL === '1';
const { Engine } = createRequire(import.meta.url)(join(site, 'pkg', 'node', 'homeward_wasm.js'));
const rulesets = join(site, 'pkg', 'rulesets');
const NATIONAL = readFileSync(join(rulesets, 'england-national.json'), 'utf8');
const OVERLAYS = { norfolk: readFileSync(join(rulesets, 'overlays', 'norfolk.json'), 'utf8') };

let passed = 0;
let failed = 0;
const counts = {};
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    if (failed < 20) console.log(`FAIL ${name} ${detail}`.slice(0, 2000));
  }
}

// A small seeded generator (shared with the benchmark workload), so failures reproduce.
const rand = xorshift(0x2545f491);
const pick = (a) => a[Math.floor(rand() * a.length)];

const engines = {};
function engine(overlays) {
  const key = overlays.join('+') || 'national';
  if (!engines[key]) engines[key] = Engine.load(NATIONAL, overlays.map((o) => OVERLAYS[o]));
  return engines[key];
}

// ---------------------------------------------------------------- parity
function nativeBatch(lines, overlays) {
  const dir = mkdtempSync(join(tmpdir(), 'homeward-parity-'));
  const input = join(dir, 'in.jsonl');
  writeFileSync(input, lines.map((l) => JSON.stringify(l)).join('\n'));
  const args = ['batch', input, '--aggregate', join(dir, 'agg.json')];
  for (const o of overlays) args.push('--bundled-overlay', o);
  const out = execFileSync(cli, args, { maxBuffer: 1 << 30 }).toString().split('\n').filter(Boolean);
  return out.map((line) => {
    const at = line.indexOf('"report":');
    return at < 0 ? line : line.slice(at + 9, -1);
  });
}

/**
 * The as-of date of a patient without one. The CLI evaluates such a line as of today on the
 * machine's clock, the WASM call without one; both are given this day instead, so the two
 * agree on every run, whatever day it is.
 */
const PARITY_AS_OF = '2026-12-02';

function parity(label, given, overlays) {
  const patients = given.map((p) => ({ ...p, as_of: p.as_of ?? PARITY_AS_OF }));
  const native = nativeBatch(patients, overlays);
  const e = engine(overlays);
  let same = 0;
  patients.forEach((p, i) => {
    const wasm = e.evaluate(JSON.stringify(p.facts), p.checklist, p.as_of);
    const expected = `{"ok":${native[i]}}`;
    if (wasm === expected) same++;
    else check(`${label} #${i} native = WASM`, false, `\n native ${expected.slice(0, 300)}\n wasm   ${wasm.slice(0, 300)}`);
  });
  check(`${label}: every report identical`, same === patients.length, `${same}/${patients.length}`);
  counts[`${label} compared`] = patients.length;
}

const scenarioDir = join(repo, 'tests', 'scenarios');
const scenarios = readdirSync(scenarioDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(scenarioDir, f), 'utf8')));
for (const overlays of [[], ['norfolk']]) {
  const chosen = scenarios.filter((s) => (s.overlays || []).join() === overlays.join());
  parity(`golden scenarios (${overlays.join() || 'national'})`, chosen.map((s) => ({ id: 'x', checklist: s.checklist, facts: s.facts, as_of: s.as_of })), overlays);
}

// ---------------------------------------------------------------- one corpus, every WASM path
// Every golden scenario through the report, the compact one-patient call and the batch: the
// same verdict, statuses and decisions (tests/tests/paths.rs does the same natively).
{
  const VERDICTS = ['ready', 'not_ready', 'undetermined'];
  const STATUSES = ['met', 'not_met', 'unknown', 'not_applicable'];
  const ofReport = (r) => JSON.stringify({ verdict: r.verdict, statuses: r.requirements.map((q) => [q.id, q.status]),
    decisions: r.decisions.map((d) => [d.id, d.status === 'decided' ? d.output : null]) });
  const ofCodes = (codes, layout) => JSON.stringify({ verdict: VERDICTS[codes[0]],
    statuses: layout.requirements.map((id, i) => [id, STATUSES[codes[1 + layout.tables.length + i]]]),
    decisions: layout.tables.map((t, i) => [t.id, codes[1 + i] === 4294967295 ? null : t.outputs[codes[1 + i]]]) });
  let through = 0;
  for (const s of scenarios) {
    const e = engine(s.overlays || []);
    const cl = s.checklist || '';
    const report = JSON.parse(e.evaluate(JSON.stringify(s.facts), cl, s.as_of)).ok;
    const layout = JSON.parse(e.layout(cl)).ok;
    const bulk = e.bulk(cl);
    check('scenario as_of accepted', JSON.parse(bulk.setAsOf(s.as_of)).ok !== undefined, s.story);
    const values = compactOf(layout, s.facts);
    const one = new Uint32Array(bulk.outputLength());
    const many = new Uint32Array(bulk.outputLength() * 2);
    const twice = new Int32Array(values.length * 2);
    twice.set(values);
    twice.set(values, values.length);
    const want = ofReport(report);
    check('scenario: compact one patient = report', bulk.assess(values, one) === one.length && ofCodes(one, layout) === want, `${s.story}\n ${ofCodes(one, layout)}\n ${want}`);
    check('scenario: batch = report', bulk.assessMany(twice, many) === 2 && ofCodes(many.subarray(0, one.length), layout) === want
      && ofCodes(many.subarray(one.length), layout) === want, s.story);
    bulk.free();
    through++;
  }
  check('every golden scenario through every WASM path', through === scenarios.length && through > 0, `${through}/${scenarios.length}`);
  counts['golden scenarios through report, compact and batch (WASM)'] = through;
}

const schema = JSON.parse(engine([]).schema()).ok;
function randomPatient() {
  const facts = randomFacts(schema, rand, { unknown: 0.3, option: 0.15 });
  return { id: 'r', checklist: pick(schema.checklists).id, facts };
}
const randomCount = full ? 100000 : 10000;
parity('random patients', Array.from({ length: randomCount }, randomPatient), []);
parity('random patients with norfolk', Array.from({ length: full ? 20000 : 2000 }, randomPatient), ['norfolk']);

// ---------------------------------------------------------------- compact bulk path
// The typed-array path (one patient per call, and 64 per pass in assessMany) must give the
// verdict, table outputs and statuses of the full report, for every checklist, with unknowns.
{
  const UNKNOWN = -2147483648;
  const e = engine([]);
  let compared = 0;
  for (const cl of schema.checklists.map((c) => c.id)) {
    const layout = JSON.parse(e.layout(cl)).ok;
    const bulk = e.bulk(cl);
    const ni = bulk.inputLength();
    const no = bulk.outputLength();
    const pts = Array.from({ length: full ? 5000 : 700 }, randomPatient);
    const all = new Int32Array(pts.length * ni);
    pts.forEach((p, k) => all.set(compactOf(layout, p.facts, UNKNOWN), k * ni));
    const out = new Uint32Array(pts.length * no);
    check('assessMany assesses every patient', bulk.assessMany(all, out) === pts.length, bulk.error());
    const one = new Uint32Array(no);
    pts.forEach((p, k) => {
      const report = JSON.parse(e.evaluate(JSON.stringify(p.facts), cl)).ok;
      const codes = out.subarray(k * no, (k + 1) * no);
      const verdict = ['ready', 'not_ready', 'undetermined'][codes[0]];
      const statuses = layout.requirements.map((_, r) => ['met', 'not_met', 'unknown', 'not_applicable'][codes[1 + layout.tables.length + r]]);
      const want = layout.requirements.map((id) => report.requirements.find((q) => q.id === id).status);
      const tables = layout.tables.map((t, i) => (codes[1 + i] === 4294967295 ? null : t.outputs[codes[1 + i]]));
      const wantTables = layout.tables.map((t) => { const d = report.decisions.find((x) => x.id === t.id); return d.status === 'decided' ? d.output : null; });
      check('compact batch = report', verdict === report.verdict && JSON.stringify(statuses) === JSON.stringify(want)
        && JSON.stringify(tables) === JSON.stringify(wantTables), `${cl} patient ${k}`);
      check('compact one call = batch', bulk.assess(all.subarray(k * ni, (k + 1) * ni), one) === no && one.every((c, i) => c === codes[i]));
      compared++;
    });
    // Bad input: located, never a throw.
    const bad = all.slice(0, 3 * ni);
    bad[2 * ni] = 1 << 30;
    check('bad compact patient located', bulk.assessMany(bad, new Uint32Array(3 * no)) === 2 && bulk.error().includes('"$[2][0]"'), bulk.error());
    check('short output buffer is an error', bulk.assess(all.subarray(0, ni), new Uint32Array(1)) === 0 && bulk.error().includes('output buffer'));
    bulk.free();
  }
  counts['compact patients compared'] = compared;
}


// ---------------------------------------------------------------- JS objects in, result objects out
// The public wrapper's object paths (Bulk.assessFacts, Bulk.assessManyFacts) must give exactly
// what the JSON report says (verdict, not-met and unknown ids in checklist order, each table's
// output) on every golden scenario and on random patients, and for bad input the engine's own
// located error (in a batch under $[patient]).
{
  const api = await import(pathToFileURL(join(site, 'pkg', 'homeward.node.js')).href);
  check('wrapper init', (await api.initHomeward()).ok === true);
  const wrapped = {};
  const wrapper = (overlays) => {
    const key = overlays.join('+') || 'national';
    if (!wrapped[key]) wrapped[key] = api.Engine.load(NATIONAL, overlays.map((o) => OVERLAYS[o])).ok;
    return wrapped[key];
  };
  const UNKNOWN_CODE = -2147483648;
  const fromReport = (text) => {
    const r = JSON.parse(text).ok;
    const ids = (status) => r.requirements.filter((q) => q.status === status).map((q) => q.id);
    return { verdict: r.verdict, not_met: ids('not_met'), unknown: ids('unknown'), decisions: Object.fromEntries(r.decisions.map((d) => [d.id, d.output])) };
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  let objects = 0;
  for (const s of scenarios) {
    const overlays = s.overlays || [];
    const bulk = wrapper(overlays).bulk(s.checklist || '').ok;
    check('object path: as_of accepted', bulk.setAsOf(s.as_of ?? null).error === undefined, s.story);
    const want = fromReport(engine(overlays).evaluate(JSON.stringify(s.facts), s.checklist || '', s.as_of));
    const one = bulk.assessFacts(s.facts);
    const many = bulk.assessManyFacts([s.facts, s.facts]);
    check('scenario: assessFacts = report', one.ok && same(one.ok, want), `${s.story}\n ${JSON.stringify(one)}\n ${JSON.stringify(want)}`);
    check('scenario: assessManyFacts = report', many.ok && many.ok.length === 2 && same(many.ok[0], want) && same(many.ok[1], want), s.story);
    // The wrapper's typed-array forms give the codes of the raw engine, one patient (through
    // the resident buffers) and many.
    {
      const rawBulk = engine(overlays).bulk(s.checklist || '');
      rawBulk.setAsOf(s.as_of);
      const layout = bulk.layout;
      const row = Int32Array.from(compactOf(layout, s.facts));
      const codes = new Uint32Array(rawBulk.outputLength());
      rawBulk.assess(row, codes);
      const viaWrapper = bulk.assess(row);
      const viaArray = bulk.assess(Array.from(row));
      const twice = bulk.assessMany([...row, ...row]);
      check('scenario: Bulk.assess(row) = the raw codes', viaWrapper.ok && same([...viaWrapper.ok], [...codes]) && viaArray.ok && same([...viaArray.ok], [...codes]), s.story);
      check('scenario: Bulk.assessMany(rows) = the raw codes', twice.ok && same([...twice.ok], [...codes, ...codes]), s.story);
      // Each result is the caller's own: the next call does not change it.
      bulk.assess(new Int32Array(row.length).fill(UNKNOWN_CODE));
      check('scenario: a Bulk.assess result is not overwritten by the next call', same([...viaWrapper.ok], [...codes]), s.story);
      rawBulk.free();
    }
    const full = bulk.reportFacts(s.facts);
    const json = JSON.parse(engine(overlays).evaluate(JSON.stringify(s.facts), s.checklist || '', s.as_of));
    check('scenario: reportFacts = the JSON report, key for key', full.ok && same(full, json), `${s.story}\n ${JSON.stringify(full).slice(0, 600)}\n ${JSON.stringify(json).slice(0, 600)}`);
    // Static parts are frozen and shared between reports; what depends on the patient is fresh.
    const again = bulk.reportFacts(s.facts).ok;
    check('scenario: reportFacts shares only frozen static parts', full.ok && again.ruleset === full.ok.ruleset && Object.isFrozen(full.ok.ruleset)
      && again.requirements !== full.ok.requirements && !Object.isFrozen(full.ok.requirements)
      && full.ok.blockers.every((b, k) => Object.isFrozen(b.citation) && b !== again.blockers[k] && b.decided_by !== again.blockers[k].decided_by), s.story);
    bulk.free();
    objects++;
  }
  check('every golden scenario through the object paths', objects === scenarios.length && objects > 0);
  // Bad typed-array patients get the engine's located error, whichever way they go in.
  {
    const bulk = wrapper([]).bulk('').ok;
    const n = bulk.inputLength;
    const short = bulk.assess(new Int32Array(n - 1));
    check('Bulk.assess: a row of the wrong length is a located error', short.error && /values|length|patient/i.test(short.error.message), JSON.stringify(short));
    const bad = new Int32Array(n).fill(UNKNOWN_CODE);
    bad[0] = 1 << 20; // the first fact is a set of 13 options: bit 20 names none of them
    const one = bulk.assess(bad);
    const ref = bulk.assessMany(bad);
    check('Bulk.assess: an invalid value is a located error (as assessMany gives it)', one.error && ref.error && one.error.code === ref.error.code && /\$.*\[0\]/.test(one.error.path + JSON.stringify(one.error.diagnostics)), `${JSON.stringify(one)} ${JSON.stringify(ref)}`);
    const after = bulk.assess(new Int32Array(n).fill(UNKNOWN_CODE));
    check('Bulk.assess: the next patient after an error is assessed', after.ok && after.ok.length === bulk.outputLength, JSON.stringify(after).slice(0, 300));
    bulk.free();
  }
  // An overlay that declares safety changes: every report built from codes lists them, exactly
  // as the JSON report does (issue 13 item 3; the bundled overlay declares none).
  {
    const declared = JSON.stringify({
      format: 1, id: 'local', version: '1', title: 'Local', extends: 'england-national',
      overrides: [{ requirement: 'domestic_abuse', owner: 'patient_family' }],
      safety_changes: [{ change: 'override_owner', requirement: 'domestic_abuse', reason: 'pilot: the family liaison team owns it' }],
    });
    const w = api.Engine.load(NATIONAL, [declared]);
    const raw = Engine.load(NATIONAL, [declared]);
    check('declared overlay loads in both', w.ok !== undefined && raw !== undefined, JSON.stringify(w.error));
    for (const s of scenarios.filter((x) => !(x.overlays || []).length).slice(0, 12)) {
      const bulk = w.ok.bulk(s.checklist || '').ok;
      bulk.setAsOf(s.as_of ?? null);
      const full = bulk.reportFacts(s.facts);
      const json = JSON.parse(raw.evaluate(JSON.stringify(s.facts), s.checklist || '', s.as_of));
      check('declared overlay: reportFacts = the JSON report, key for key', full.ok && same(full, json) && full.ok.safety_changes.length === 1,
        `${s.story}\n ${JSON.stringify(full).slice(0, 400)}\n ${JSON.stringify(json).slice(0, 400)}`);
      bulk.free();
      const session = w.ok.session(s.checklist || '').ok;
      session.setAsOf(s.as_of ?? null);
      const [fact, value] = Object.entries(s.facts)[0];
      const r = session.set(fact, value);
      const viaJson = session.report();
      check('declared overlay: Session.set = Session.report, key for key, with the change', r.ok && viaJson.ok && same(r, viaJson) && r.ok.safety_changes.length === 1,
        `${JSON.stringify(r).slice(0, 400)}\n ${JSON.stringify(viaJson).slice(0, 400)}`);
      session.free();
    }
  }
  for (const cl of schema.checklists.map((c) => c.id)) {
    const bulk = wrapper([]).bulk(cl).ok;
    // Every fourth patient answers every fact: the encoder reads such objects by name, the
    // others key by key.
    const pts = Array.from({ length: full ? 5000 : 700 }, (_, k) => randomFacts(schema, rand, { unknown: k % 4 ? 0.3 : 0, option: 0.15 }));
    const many = bulk.assessManyFacts(pts);
    check('assessManyFacts assesses every patient', many.ok && many.ok.length === pts.length, JSON.stringify(many.error));
    check('result id arrays are frozen (shared between results with the same set)', many.ok.every((r) => Object.isFrozen(r.not_met) && Object.isFrozen(r.unknown)));
    {
      // Where a Content-Security-Policy forbids generated code, the generic encoder gives the
      // same results.
      const plain = wrapper([]).bulk(cl).ok;
      const real = globalThis.Function;
      globalThis.Function = function () { throw new EvalError('generated code is forbidden here'); };
      let viaGeneric;
      try {
        viaGeneric = plain.assessManyFacts(pts);
      } finally {
        globalThis.Function = real;
      }
      check('without generated code: assessManyFacts gives the same results', viaGeneric.ok && same(viaGeneric.ok, many.ok) && viaGeneric.ok.every((r) => Object.isFrozen(r.not_met)));
      plain.free();
    }
    pts.forEach((facts, k) => {
      const want = fromReport(engine([]).evaluate(JSON.stringify(facts), cl));
      check('random: assessManyFacts = report', many.ok && same(many.ok[k], want), `${cl} patient ${k}`);
      const one = bulk.assessFacts(facts);
      check('random: assessFacts = report', one.ok && same(one.ok, want), `${cl} patient ${k}`);
      const full = bulk.reportFacts(facts);
      check('random: reportFacts = the JSON report, key for key', same(full, JSON.parse(engine([]).evaluate(JSON.stringify(facts), cl))), `${cl} patient ${k}`);
      objects++;
    });
    // Bad input: the engine's own error, located; in a batch under the patient, with the ones before it.
    const bads = [
      { 'no.such.fact': true }, { [schema.facts.find((f) => f.type === 'bool').id]: 'yes' },
      { [schema.facts.find((f) => f.type === 'enum').id]: 'no_such_option' },
      { [schema.facts.find((f) => f.type === 'int').id]: 1e9 }, { [schema.facts.find((f) => f.type === 'int').id]: 1.5 },
      { [schema.facts.find((f) => f.type === 'set').id]: ['none', 'none'] }, { [schema.facts.find((f) => f.type === 'set').id]: 'x' },
      ...schema.facts.filter((f) => f.type === 'date').slice(0, 1).flatMap((f) => [{ [f.id]: '2026-02-30' }, { [f.id]: '1800-01-01' }, { [f.id]: 20000 }]),
      [], null, 'facts', 42,
    ];
    // The same faults in a patient who answers every other fact (read by name), and a patient
    // with as many keys as facts of which one is no fact (one fact left out).
    const complete = pts[0];
    const [dropped] = Object.keys(complete);
    const { [dropped]: _, ...rest } = complete;
    bads.push(...bads.filter((b) => b && typeof b === 'object' && !Array.isArray(b)).map((b) => ({ ...complete, ...b })), { ...rest, 'no.such.fact': true });
    {
      // A key holding undefined is no answer (as JSON.stringify, which drops it, has it).
      const holey = { ...complete, [dropped]: undefined };
      const want = fromReport(engine([]).evaluate(JSON.stringify(holey), cl));
      const many = bulk.assessManyFacts([holey, pts[1]]);
      check('a key holding undefined is unanswered: assessFacts', same(bulk.assessFacts(holey).ok, want));
      check('a key holding undefined is unanswered: assessManyFacts', many.ok && same(many.ok[0], want));
      // null is no answer too, for every type, in a patient read by name.
      const nulls = { ...complete };
      for (const type of ['bool', 'enum', 'int', 'set', 'date']) for (const f of schema.facts.filter((x) => x.type === type).slice(0, 2)) nulls[f.id] = null;
      const wantNulls = fromReport(engine([]).evaluate(JSON.stringify(nulls), cl));
      check('null is unanswered: assessFacts', same(bulk.assessFacts(nulls).ok, wantNulls), JSON.stringify(bulk.assessFacts(nulls)));
      check('null is unanswered: assessManyFacts', same(bulk.assessManyFacts([nulls]).ok?.[0], wantNulls));
    }
    for (const bad of bads) {
      const want = JSON.parse(engine([]).evaluate(JSON.stringify(bad), cl));
      const one = bulk.assessFacts(bad);
      const rep = bulk.reportFacts(bad);
      check('bad patient: reportFacts gives the engine error', rep.error && rep.error.code === want.error.code && rep.error.path === want.error.path, JSON.stringify(rep));
      check('bad patient: assessFacts gives the engine error', want.error && one.error && one.error.code === want.error.code && one.error.path === want.error.path,
        `${JSON.stringify(bad)} ${JSON.stringify(one)} ${JSON.stringify(want)}`);
      const many = bulk.assessManyFacts([pts[0], pts[1], bad, pts[2]]);
      check('bad patient: assessManyFacts stops at it, located', many.error && many.done === 2 && many.results.length === 2 && same(many.results[1], bulk.assessFacts(pts[1]).ok)
        && many.error.code === want.error.code && many.error.path === `$[2]${want.error.path.slice(1)}`, `${JSON.stringify(bad)} ${JSON.stringify(many.error)}`);
      // Past the first pass through the resident buffers (256 patients): located in the whole batch.
      const late = bulk.assessManyFacts([...pts.slice(0, 300), bad, pts[2]]);
      check('bad patient: assessManyFacts stops at it past the first pass, located', late.error && late.done === 300 && late.results.length === 300
        && same(late.results[299], bulk.assessFacts(pts[299]).ok) && late.error.path === `$[300]${want.error.path.slice(1)}`, `${JSON.stringify(bad)} ${JSON.stringify(late.error)}`);
    }
    check('not an array is an error', bulk.assessManyFacts({}).error?.code === 'WRONG_TYPE');
    {
      // More patients than the resident buffers may hold: refused with an error, not a trap
      // (growing the memory that far would trap); the bulk keeps working.
      const refused = bulk.raw.reserve(1e9);
      const why = JSON.parse(bulk.raw.error());
      check('raw reserve past the cap is refused, not a trap', refused === 0 && why.error.code === 'WRONG_TYPE', JSON.stringify(why));
      check('after a refused reserve the bulk still assesses', same(bulk.assessFacts(pts[1]).ok, fromReport(engine([]).evaluate(JSON.stringify(pts[1]), cl))));
    }
    check('an empty batch is fine', same(bulk.assessManyFacts([]), { ok: [] }));
    bulk.free();
  }
  counts['patients through the object paths'] = objects;

  // Session.update and Session.set name the engine's codes in JavaScript: after every answer
  // (valid or not), across as-of dates and checklist switches, update must say what the
  // engine's JSON report says, and set must return that report, key for key.
  const updateOf = (r) => (r.error ? r : { ok: {
    verdict: r.ok.verdict, outstanding: r.ok.summary.outstanding, unknown: r.ok.summary.unknown,
    statuses: Object.fromEntries(r.ok.requirements.map((q) => [q.id, q.status])),
    open_questions: r.ok.open_questions.map((q) => q.fact), hidden_facts: r.ok.hidden_facts } });
  {
    let updates = 0;
    for (const cl of schema.checklists.map((c) => c.id)) {
      const w = wrapper([]).session(cl).ok;
      const raw = engine([]).session(cl);
      for (let k = 0; k < (full ? 2000 : 300); k++) {
        if (k === 150) {
          const next = pick(schema.checklists).id;
          w.setChecklist(next);
          raw.setChecklist(next);
        }
        const f = pick(schema.facts);
        const value = rand() < 0.1 ? pick(['bogus', 7, [1], null, true]) : randomFacts({ facts: [f] }, rand, { unknown: 0.2 })[f.id] ?? null;
        const got = w.update(f.id, value);
        const want = updateOf(JSON.parse(raw.set(f.id, JSON.stringify(value))));
        check('session: update = what the engine\'s JSON report says', same(got, want), `${cl} ${f.id}=${JSON.stringify(value)}\n ${JSON.stringify(got).slice(0, 400)}\n ${JSON.stringify(want).slice(0, 400)}`);
        if (k % 3 === 0) {
          const date = pick([null, '2026-03-01', '2027-11-30']);
          w.setAsOf(date);
          raw.setAsOf(date ?? undefined);
        }
        const f2 = pick(schema.facts);
        const v2 = rand() < 0.1 ? pick(['bogus', 7, [1]]) : randomFacts({ facts: [f2] }, rand, { unknown: 0.2 })[f2.id] ?? null;
        const report = w.set(f2.id, v2);
        const json = JSON.parse(raw.set(f2.id, JSON.stringify(v2)));
        check('session: set = the engine\'s JSON report, key for key', same(report, json), `${cl} ${f2.id}=${JSON.stringify(v2)}\n ${JSON.stringify(report).slice(0, 600)}\n ${JSON.stringify(json).slice(0, 600)}`);
        updates++;
      }
      w.free();
      raw.free();
    }
    counts['session updates compared'] = updates;
  }
}

// ---------------------------------------------------------------- the runtime build
// The page's .wasm (homeward_runtime_bg.wasm) reads the bundled rulesets compiled ahead of time
// (rulesets/*.hwrc): the same status, schema and report as the full build's on every golden
// scenario, the same session answers, damaged bytes refused (BAD_COMPILED), never a trap; its
// tagged API opens the bundled rulesets and refuses JSON ones with a clear error.
{
  const Runtime = createRequire(import.meta.url)(join(site, 'pkg', 'node', 'homeward_runtime.js')).Engine;
  check('the runtime build has no JSON ruleset loader', typeof Runtime.load !== 'function' && typeof Runtime.compiled === 'function');
  const compiled = (overlays) => readFileSync(join(rulesets, `${['england-national', ...overlays].join('+')}.hwrc`));
  const runtimes = {};
  const runtime = (overlays) => (runtimes[overlays.join('+')] ||= Runtime.compiled(compiled(overlays)));
  for (const overlays of [[], ['norfolk']]) {
    const [a, b] = [engine(overlays), runtime(overlays)];
    check(`runtime ${overlays.join() || 'national'}: status`, a.status() === b.status() && JSON.parse(b.status()).ok, b.status().slice(0, 300));
    check(`runtime ${overlays.join() || 'national'}: schema`, a.schema() === b.schema());
    for (const checklist of ['ward_discharge', 'home_circumstances', 'front_door']) {
      check(`runtime ${overlays.join() || 'national'}: ${checklist} layout and template`,
        a.layout(checklist) === b.layout(checklist) && a.reportTemplate(checklist) === b.reportTemplate(checklist));
    }
  }
  let same = 0;
  for (const s of scenarios) {
    const overlays = s.overlays || [];
    const facts = JSON.stringify(s.facts);
    const [a, b] = [engine(overlays).evaluate(facts, s.checklist || '', s.as_of), runtime(overlays).evaluate(facts, s.checklist || '', s.as_of)];
    if (a === b && JSON.parse(b).ok) same++;
    else check(`runtime report for ${s.story || s.id}`, false, b.slice(0, 300));
  }
  check('every golden scenario reports the same through the runtime build', same === scenarios.length && same > 0, `${same}/${scenarios.length}`);
  counts['golden scenarios through the runtime build'] = same;
  // Sessions: the same answers in the same order give the same reports and update codes.
  const schema = JSON.parse(engine([]).schema()).ok;
  let answers = 0;
  for (let k = 0; k < 20; k++) {
    const facts = randomFacts(schema, rand, { unknown: 0.4 });
    const [sa, sb] = [engine([]).session('ward_discharge'), runtime([]).session('ward_discharge')];
    for (const [fact, value] of Object.entries(facts)) {
      const text = JSON.stringify(value);
      const [ra, rb] = [sa.set(fact, text), sb.set(fact, text)];
      if (ra !== rb) check(`runtime session ${fact}`, false, rb.slice(0, 300));
      else answers++;
    }
    sa.free();
    sb.free();
  }
  check('runtime sessions answer the same', answers > 100, `${answers}`);
  // Damage: every cut and flipped bytes refused with BAD_COMPILED, at a byte offset; no trap.
  const good = compiled([]);
  let refused = 0;
  for (const at of [0, 3, 4, 5, 9, 40, 41, 100, 5000, good.length - 1]) {
    const flipped = Uint8Array.from(good);
    flipped[at] ^= 0x20;
    for (const bytes of [flipped, good.subarray(0, at)]) {
      const status = JSON.parse(Runtime.compiled(bytes).status());
      if (status.error && status.error.code === 'BAD_COMPILED' && /at byte \d+/.test(status.error.message)) refused++;
      else check('damaged compiled ruleset refused', false, JSON.stringify(status).slice(0, 300));
    }
  }
  check('damaged compiled rulesets refused with BAD_COMPILED', refused === 20, `${refused}/20`);
  // The tagged runtime entry: bundled rulesets open; a JSON ruleset is refused, not thrown.
  const api = await import(pathToFileURL(join(site, 'pkg', 'homeward-runtime.node.js')).href);
  const init = await api.initHomeward();
  const opened = await api.Engine.national(['norfolk']);
  const report = opened.ok && opened.ok.evaluate(scenarios[0].facts, scenarios[0].checklist || '', scenarios[0].as_of);
  check('runtime entry opens the bundled rulesets', init.ok && opened.ok && report && report.ok, JSON.stringify(opened).slice(0, 300));
  const json = api.Engine.load(NATIONAL);
  check('runtime entry refuses a JSON ruleset clearly', json.error && json.error.code === 'RULESET_UNAVAILABLE' && /runtime build/.test(json.error.message), JSON.stringify(json).slice(0, 300));
  const missing = await api.Engine.national(['no_such_overlay']);
  check('runtime entry: an overlay not compiled is RULESET_UNAVAILABLE', missing.error && missing.error.code === 'RULESET_UNAVAILABLE', JSON.stringify(missing).slice(0, 300));
  // Both Node entries take the same places (platform.node.js): a directory path for the
  // rulesets (the runtime entry once took only URLs) and a file path for the .wasm.
  const dir = join(site, 'pkg', 'rulesets');
  for (const [name, entry] of [['runtime', api], ['full', await import(pathToFileURL(join(site, 'pkg', 'homeward.node.js')).href)]]) {
    const byPath = await entry.Engine.national(['norfolk'], dir);
    check(`${name} Node entry: rulesets from a directory path`, byPath.ok && byPath.ok.status().ok, JSON.stringify(byPath).slice(0, 300));
    const byUrl = await entry.Engine.national([], pathToFileURL(`${dir}/`));
    check(`${name} Node entry: rulesets from a file: URL`, byUrl.ok && byUrl.ok.status().ok, JSON.stringify(byUrl).slice(0, 300));
    const nowhere = await entry.Engine.national([], join(site, 'no_such_dir'));
    check(`${name} Node entry: a missing directory is RULESET_UNAVAILABLE`, nowhere.error && nowhere.error.code === 'RULESET_UNAVAILABLE', JSON.stringify(nowhere).slice(0, 300));
    check(`${name} entry: Engine has only its documented statics`, !('opening' in entry.Engine), Object.getOwnPropertyNames(entry.Engine).join(','));
  }
  // The module is loaded once per process, so what `initHomeward(source)` reads is checked
  // on the platform itself: a file path, a file: URL and the default give the file's bytes.
  const { nodePlatform } = await import(pathToFileURL(join(site, 'pkg', 'platform.node.js')).href);
  const file = join(site, 'pkg', 'homeward_runtime_bg.wasm');
  const want = new Uint8Array(readFileSync(file));
  const sameBytes = (b) => b && b.length === want.length && Buffer.compare(Buffer.from(b), Buffer.from(want)) === 0;
  const platform = nodePlatform('homeward_runtime_bg.wasm');
  for (const [how, source] of [['a file path', file], ['a file: URL', pathToFileURL(file)], ['nothing (the default)', undefined]]) {
    check(`Node platform: initHomeward(${how}) reads the .wasm`, sameBytes(await platform.wasmSource(source)));
  }
}

// ---------------------------------------------------------------- malformed input
function tagged(name, text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return check(name, false, `not JSON: ${text.slice(0, 200)}`);
  }
  const ok = (v && typeof v === 'object' && ('ok' in v) !== ('error' in v)
    && (!v.error || (typeof v.error.code === 'string' && typeof v.error.path === 'string' && typeof v.error.message === 'string')));
  check(name, ok, text.slice(0, 300));
  return v;
}

function noThrow(name, fn) {
  try {
    return fn();
  } catch (e) {
    check(name, false, `threw ${e}`);
    return null;
  }
}

const valid = JSON.parse(NATIONAL);
const junk = () => pick([
  '', ' ', '{', '}', '[]', 'null', 'true', '0', '-1', '1e999', '"x"', '{"a":}', '\u0000', '\uD800', '\uFFFF', 'NaN',
  '9'.repeat(400), '[' .repeat(2000) + ']'.repeat(2000), '{"a":'.repeat(500) + '1' + '}'.repeat(500),
  JSON.stringify({ x: 1 }), JSON.stringify([1, 2, 3]), 'a'.repeat(1 + Math.floor(rand() * 5000)),
  String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(rand() * 0xd7ff))),
]);
function mutate(doc) {
  const copy = JSON.parse(JSON.stringify(doc));
  const paths = [];
  const walk = (v, p) => {
    paths.push(p);
    if (v && typeof v === 'object' && paths.length < 4000) for (const k of Object.keys(v)) walk(v[k], [...p, k]);
  };
  walk(copy, []);
  const path = pick(paths.slice(1));
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1];
  parent[last] = pick([null, 42, -1, 'bogus', [], {}, true, 1e300, 'home.no_such_fact', { ref: 'no_such' }, { all: 'x' }]);
  return JSON.stringify(copy);
}

let inputs = 0;
const budget = full ? 50000 : 10000;
while (inputs < budget) {
  const kind = inputs % 5;
  if (kind === 0) {
    const e = noThrow('Engine.load junk', () => Engine.load(rand() < 0.5 ? junk() : mutate(valid), []));
    if (e) {
      tagged('load status', e.status());
      tagged('evaluate after bad load', e.evaluate('{}', 'ward_discharge'));
      e.free();
    }
  } else if (kind === 1) {
    const e = noThrow('Engine.load bad overlay', () => Engine.load(NATIONAL, [rand() < 0.5 ? junk() : mutate(JSON.parse(OVERLAYS.norfolk))]));
    if (e) {
      tagged('overlay status', e.status());
      e.free();
    }
  } else {
    const e = engine([]);
    const facts = rand() < 0.5 ? junk() : JSON.stringify({ [pick(schema.facts).id]: JSON.parse(pick(['1', '"x"', '[1]', '{}', 'true', '-5', '1e300', '["none","none"]'])) });
    tagged('evaluate malformed facts', noThrow('evaluate', () => e.evaluate(facts, pick(['ward_discharge', '', 'nope', '\u0000']))) || '{}');
    const s = noThrow('session', () => e.session(pick(['ward_discharge', 'front_door', 'nope'])));
    if (s) {
      tagged('set', s.set(pick([pick(schema.facts).id, 'no.such', '', '\u0000']), junk()));
      tagged('clear', s.clear(pick(['no.such', pick(schema.facts).id])));
      tagged('import', s.import(junk()));
      tagged('setChecklist', s.setChecklist(junk()));
      tagged('export', s.export());
      s.free();
    }
  }
  inputs++;
}
counts['malformed inputs'] = inputs;

// The module still works after all that.
const after = JSON.parse(engine([]).evaluate(JSON.stringify({ 'clinical.criteria_to_reside': ['oxygen_or_niv'] }), 'ward_discharge'));
check('module still evaluates correctly after malformed input', after.ok && after.ok.verdict === 'not_ready', JSON.stringify(after).slice(0, 200));
const s = engine([]).session('ward_discharge');
// The key safe item applies to a patient going to their own home on pathway 0 or 1 (ruleset
// 2026.12), so the session first learns where the patient is going (as ward_key_safe_missing).
const going = [['housing.status', '"settled"'], ['pathway.returning_to_existing_care_home', 'false'],
  ['pathway.needs_long_term_24h_care', 'false'], ['pathway.needs_bedded_rehab', 'false'], ['pathway.new_support_at_home', 'true']]
  .map(([fact, value]) => JSON.parse(s.set(fact, value)));
const r1 = JSON.parse(s.set('home.carers_need_access', 'true'));
const r2 = JSON.parse(s.set('home.key_safe_or_key_arranged', 'false'));
check('session after malformed input', going.every((r) => r.ok) && r1.ok && r2.ok && r2.ok.blockers.some((b) => b.id === 'key_safe' && b.status === 'not_met'));

console.log(`wasm-api: ${JSON.stringify(counts)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
