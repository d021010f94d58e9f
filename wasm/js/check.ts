// Type-checked in CI (`tsc --noEmit`): the declarations describe how another system uses the
// package; a change that breaks this file breaks embedders.
import { Engine, UNKNOWN, initHomeward, type Report, type Result, type Verdict } from './homeward.js';

async function main(): Promise<Verdict | null> {
  const loaded = await initHomeward();
  if (loaded.error) {
    console.error(loaded.error.code, loaded.error.message);
    return null;
  }
  const bytes = new Uint8Array(8);
  await initHomeward(bytes);
  await initHomeward(new URL('https://example.org/homeward_wasm_bg.wasm'));
  const national = await Engine.national(['norfolk']);
  if (national.error) {
    console.error(national.error.code, national.error.path, national.error.message);
    return null;
  }
  const engine: Engine = national.ok;
  const schema = engine.schema();
  if (schema.ok) console.log(schema.ok.facts.length, 'questions');
  const opened = engine.session('ward_discharge');
  if (opened.error) return null;
  const session = opened.ok;
  const dated = session.setAsOf('2026-03-01');
  if (dated.ok) console.log('assessed on', dated.ok.as_of);
  const r = session.set('home.carers_need_access', true);
  const report: Report | undefined = r.ok;
  const u = session.update('home.carers_need_access', false);
  if (u.ok) console.log(u.ok.verdict, u.ok.outstanding, u.ok.open_questions.length, Object.keys(u.ok.statuses).length);
  const bulk = engine.bulk('ward_discharge');
  if (bulk.ok) {
    bulk.ok.setAsOf(null);
    const values = new Int32Array(bulk.ok.inputLength).fill(UNKNOWN);
    const codes = bulk.ok.assess(values);
    if (codes.ok) console.log('verdict code', codes.ok[0], 'of', bulk.ok.layout.requirements.length, 'requirements');
    const many = bulk.ok.assessMany(new Int32Array(bulk.ok.inputLength * 3).fill(UNKNOWN));
    if (many.error) console.error(many.error.code, many.done);
    const one = bulk.ok.assessFacts({ 'home.carers_need_access': true });
    if (one.ok) console.log(one.ok.verdict, one.ok.not_met.length, one.ok.unknown.length, one.ok.decisions);
    const full: Result<Report> = bulk.ok.reportFacts({ 'home.carers_need_access': true });
    if (full.ok) console.log(full.ok.blockers.map((b) => b.title));
    const all = bulk.ok.assessManyFacts([{}, { 'home.carers_need_access': false }]);
    if (all.ok) console.log(all.ok.map((a) => a.verdict));
    else console.error(all.error.path, all.done, all.results.length);
    bulk.ok.free();
  }
  session.free();
  engine.free();
  return report ? report.verdict : null;
}

void main();

// The runtime build (the checklist page's): the same API over the bundled compiled rulesets.
import * as runtime from './homeward-runtime.js';

async function onTheRuntimeBuild(): Promise<Verdict | null> {
  const loaded = await runtime.initHomeward();
  if (loaded.error) return null;
  const opened = await runtime.Engine.national(['norfolk']);
  if (opened.error) {
    console.error(opened.error.code, opened.error.message);
    return null;
  }
  const report = opened.ok.evaluate({ 'home.carers_need_access': true }, 'ward_discharge', '2026-12-04');
  return report.ok ? report.ok.verdict : null;
}

void onTheRuntimeBuild();
