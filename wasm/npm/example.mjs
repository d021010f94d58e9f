// A Node program using the installed package exactly as its README says (run in CI against the
// packed tarball installed into an empty project): the default entry, the .wasm and the bundled
// rulesets read from the package, one patient through a session, a bad answer as a tagged error.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { initHomeward, Engine } from 'homeward-wasm';

const init = await initHomeward();
assert.deepEqual(init, { ok: true }, JSON.stringify(init));

const national = await Engine.national(['norfolk']);
assert.ok(national.ok, JSON.stringify(national.error));
const engine = national.ok;
assert.equal(engine.status().ok.id, 'england-national+norfolk');

const opened = engine.session('ward_discharge');
assert.ok(opened.ok, JSON.stringify(opened.error));
const session = opened.ok;
// Going home (settled housing, pathway 1: new support at home) with carers who must let
// themselves in, and no key safe: the key safe blocks the discharge, owned by housing.
let r;
for (const [fact, value] of [
  ['housing.status', 'settled'],
  ['pathway.returning_to_existing_care_home', false],
  ['pathway.needs_long_term_24h_care', false],
  ['pathway.needs_bedded_rehab', false],
  ['pathway.new_support_at_home', true],
  ['home.carers_need_access', true],
]) {
  r = session.set(fact, value);
  assert.ok(r.ok, JSON.stringify(r.error));
}
assert.equal(r.ok.verdict, 'undetermined');
r = session.set('home.key_safe_or_key_arranged', false);
assert.equal(r.ok.verdict, 'not_ready');
assert.ok(r.ok.blockers.some((b) => b.id === 'key_safe' && b.owner === 'housing'));

const bad = session.set('home.carers_need_access', 'perhaps');
assert.equal(bad.error.code, 'WRONG_TYPE');
assert.equal(engine.session('no_such_checklist').error.code, 'UNKNOWN_CHECKLIST');

// The rulesets are exported files; so is package.json.
const require = createRequire(import.meta.url);
const rulesetPath = require.resolve('homeward-wasm/rulesets/england-national.json');
const ruleset = JSON.parse(await readFile(rulesetPath, 'utf8'));
const own = Engine.load(ruleset);
assert.ok(own.ok, JSON.stringify(own.error));
assert.equal(require('homeward-wasm/package.json').name, 'homeward-wasm');

// The bytes work as a source too (e.g. when the .wasm is stored elsewhere).
const bytes = await readFile(require.resolve('homeward-wasm/homeward_wasm_bg.wasm'));
assert.deepEqual(await initHomeward(bytes), { ok: true });

// The runtime build: the same answers from the bundled rulesets compiled ahead of time, over a
// .wasm a third smaller; JSON rulesets are refused with a clear error.
const runtime = await import('homeward-wasm/runtime');
assert.deepEqual(await runtime.initHomeward(), { ok: true });
const compiled = await runtime.Engine.national(['norfolk']);
assert.ok(compiled.ok, JSON.stringify(compiled.error));
assert.deepEqual(compiled.ok.status(), engine.status());
const facts = { 'home.carers_need_access': true, 'home.key_safe_or_key_arranged': false };
assert.deepEqual(compiled.ok.evaluate(facts, 'ward_discharge'), engine.evaluate(facts, 'ward_discharge'));
assert.equal(runtime.Engine.load(ruleset).error.code, 'RULESET_UNAVAILABLE');
compiled.ok.free();

session.free();
engine.free();
own.ok.free();
console.log(`example: ${r.ok.verdict}, ${r.ok.summary.outstanding} outstanding, ${r.ok.open_questions.length} questions open`);
console.log('1 passed, 0 failed');
