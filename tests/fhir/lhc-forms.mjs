// The FHIR round trip through a real form filler: LHC-Forms (NLM's SDC form filler, from npm,
// served on 127.0.0.1 by this script) in headless Chromium. For EVERY golden scenario the
// exported Questionnaire is loaded into LHC-Forms, filled with the scenario's answers
// (LForms.Util.mergeFHIRDataIntoLForms with a response built from the facts; for a sample, by
// clicking and typing as a person would), read back with LForms.Util.getFormFHIRData, and
// imported with `homeward eval --questionnaire-response`: the compact report must be
// byte-identical to `homeward eval --facts`. The exported Questionnaires are also validated
// against the official FHIR R4 JSON schema. No network: nothing but 127.0.0.1 is contacted.
//
// Needs target/debug/homeward (HOMEWARD_CLI to override). HOMEWARD_FHIR_OUT=DIR keeps the
// responses LHC-Forms produced. Ends with "N passed, N failed".
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve, dirname, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const cli = process.env.HOMEWARD_CLI || join(repo, 'target', 'debug', 'homeward');
const outDir = process.env.HOMEWARD_FHIR_OUT;
const require = createRequire(import.meta.url);
const lformsDist = join(dirname(require.resolve('lforms/package.json')), 'dist', 'lforms');

let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name} ${detail}`.slice(0, 3000));
  }
}

function homeward(args, input) {
  const r = spawnSync(cli, args, { input, maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

const overlayArgs = (overlays) => overlays.flatMap((o) => ['--bundled-overlay', o]);

// ---------------------------------------------------------------- Questionnaires + R4 schema
const scenarios = readdirSync(join(repo, 'tests', 'scenarios'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(repo, 'tests', 'scenarios', f), 'utf8')) }));
const questionnaires = {};
for (const s of scenarios) {
  const key = (s.overlays || []).join('+');
  if (questionnaires[key]) continue;
  const r = homeward(['export', '--format', 'fhir-questionnaire', ...overlayArgs(s.overlays || [])]);
  check(`export ${key || 'national'}`, r.code === 0, r.err);
  questionnaires[key] = JSON.parse(r.out);
}

const Validator = require('@asymmetrik/fhir-json-schema-validator');
const validator = new Validator();
{
  // The validator must catch a broken resource, or a pass proves nothing.
  const broken = structuredClone(Object.values(questionnaires)[0]);
  broken.item[0].type = 'not-a-type';
  check('the R4 schema rejects a bad item type', validator.validate(broken).length > 0);
}
for (const [key, q] of Object.entries(questionnaires)) {
  const errors = validator.validate(q);
  check(`Questionnaire ${key || 'national'} is valid against the R4 JSON schema`, errors.length === 0, JSON.stringify(errors.slice(0, 3)));
  check(`Questionnaire ${key || 'national'} name matches [A-Z][A-Za-z0-9_]*`, /^[A-Z][A-Za-z0-9_]*$/.test(q.name), q.name);
}

// ---------------------------------------------------------------- a response from the facts
function walkItems(items, fn) {
  for (const it of items || []) {
    fn(it);
    walkItems(it.item, fn);
  }
}

/** A response as a client would send it to the form filler: answers for the known facts. */
function responseFromFacts(q, facts) {
  const items = (qItems) => {
    const out = [];
    for (const it of qItems || []) {
      if (it.type === 'group') {
        const kids = items(it.item);
        if (kids.length) out.push({ linkId: it.linkId, text: it.text, item: kids });
        continue;
      }
      const v = facts[it.linkId];
      if (v === undefined || v === null) continue;
      const coding = (code) => {
        const o = (it.answerOption || []).find((a) => a.valueCoding.code === code);
        if (!o) throw new Error(`no option ${code} on ${it.linkId}`);
        return { valueCoding: o.valueCoding };
      };
      let answer;
      if (it.type === 'boolean') answer = [{ valueBoolean: v }];
      else if (it.type === 'integer') answer = [{ valueInteger: v }];
      else if (it.type === 'date') answer = [{ valueDate: v }];
      else if (Array.isArray(v)) answer = v.length ? v.map(coding) : [coding('none-of-these')];
      else answer = [coding(v)];
      out.push({ linkId: it.linkId, text: it.text, answer });
    }
    return out;
  };
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'in-progress',
    questionnaire: `${q.url}|${q.version}`,
    item: items(q.item),
  };
}

// ---------------------------------------------------------------- the static server
// lhc-forms.js needs <body>; the FHIR support loads once LForms.Util exists.
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LHC-Forms round trip</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/lforms/webcomponent/styles.css">
</head><body><div id="form"></div>
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/lhc-forms.js"></script>
<script>
  (function wait() {
    if (!window.LForms || !window.LForms.Util) return setTimeout(wait, 20);
    const s = document.createElement('script');
    s.src = '/lforms/fhir/R4/lformsFHIR.min.js';
    document.body.appendChild(s);
  })();
</script>
</body></html>`;
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.png': 'image/png', '.ico': 'image/x-icon', '.map': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.svg': 'image/svg+xml' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(page);
  }
  if (path.startsWith('/lforms/')) {
    const file = normalize(join(lformsDist, path.slice('/lforms/'.length)));
    if (file.startsWith(lformsDist) && existsSync(file)) {
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
      return res.end(readFileSync(file));
    }
  }
  res.writeHead(404);
  res.end('not found');
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
});
const context = await browser.newContext();
const foreign = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
  foreign.push(url);
  return route.abort();
});
const tab = await context.newPage();
const pageErrors = [];
tab.on('pageerror', (e) => pageErrors.push(String(e)));
await tab.goto(`${origin}/`);
await tab.waitForFunction(() => window.LForms && window.LForms.FHIR && window.LForms.Util && window.LForms.Util.getFormFHIRData);
console.log(`LHC-Forms ${await tab.evaluate(() => window.LForms.lformsVersion)} loaded from ${origin}`);

/** Loads `q` into the page (merged with `qr` when given) and returns what LHC-Forms writes. */
async function fill(q, qr) {
  return tab.evaluate(async ({ q, qr }) => {
    const U = window.LForms.Util;
    const el = document.getElementById('form');
    U.removeFormsFromPage('form');
    let form = U.convertFHIRQuestionnaireToLForms(q, 'R4');
    if (qr) form = U.mergeFHIRDataIntoLForms('QuestionnaireResponse', qr, form, 'R4');
    await U.addFormToPage(form, el, { fhirVersion: 'R4' });
    // Wait until the rendered questions and the response stop changing (expressions settle).
    const snapshot = () => JSON.stringify([
      [...document.querySelectorAll('lhc-item')].map((e) => e.id),
      U.getFormFHIRData('QuestionnaireResponse', 'R4', el).item,
    ]);
    let last = snapshot();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const now = snapshot();
      if (now === last) break;
      last = now;
    }
    const shown = [...document.querySelectorAll('lhc-item')].map((e) => e.id.replace(/^item-/, '').replace(/\/.*$/, ''));
    return { qr: U.getFormFHIRData('QuestionnaireResponse', 'R4', el), shown };
  }, { q, qr });
}

/** The facts with an asked_when gate (in the Questionnaire: enableWhen or an expression). */
function gated(q) {
  const out = [];
  walkItems(q.item, (it) => {
    if (it.enableWhen || (it.extension || []).some((e) => e.url.endsWith('enableWhenExpression'))) out.push(it.linkId);
  });
  return out;
}

// ---------------------------------------------------------------- every scenario
let matched = 0;
const mismatched = [];
let validResponses = 0;
let gatesChecked = 0;
let gatesHidden = 0;
const gateMismatch = [];
if (outDir) mkdirSync(outDir, { recursive: true });
for (const s of scenarios) {
  const overlays = s.overlays || [];
  const q = questionnaires[overlays.join('+')];
  const checklist = s.checklist ? ['--checklist', s.checklist] : [];
  // The same as-of date on both paths: the scenario's, else today's (the CLI's default).
  const asOf = s.as_of ? ['--as-of', s.as_of] : [];
  const common = [...checklist, ...overlayArgs(overlays), ...asOf, '--compact'];
  const { qr: filled, shown } = await fill(q, responseFromFacts(q, s.facts));
  // Every gate LHC-Forms applies agrees with the engine: hidden exactly when asked_when is false.
  const all = JSON.parse(homeward(['eval', '--facts', '-', ...overlayArgs(overlays), ...asOf, '--compact'], JSON.stringify(s.facts)).out);
  for (const f of gated(q)) {
    gatesChecked++;
    const hidden = all.hidden_facts.includes(f);
    if (hidden) gatesHidden++;
    if (hidden === shown.includes(f)) gateMismatch.push(`${s.file}: ${f} ${hidden ? 'hidden by the engine, shown' : 'asked by the engine, hidden'} by LHC-Forms`);
  }
  if (outDir) writeFileSync(join(outDir, s.file), JSON.stringify(filled, null, 2) + '\n');
  const qrErrors = validator.validate(filled);
  if (qrErrors.length) check(`the response LHC-Forms wrote for ${s.file} is valid R4`, false, JSON.stringify(qrErrors.slice(0, 3)));
  else validResponses++;
  const viaFacts = homeward(['eval', '--facts', '-', ...common], JSON.stringify(s.facts));
  const viaForm = homeward(['eval', '--questionnaire-response', '-', ...common], JSON.stringify(filled));
  const same = viaFacts.code === 0 && viaForm.code === 0 && viaFacts.out === viaForm.out;
  if (same) matched++;
  else mismatched.push(`${s.file}: ${viaForm.code === 0 ? 'report differs' : viaForm.err.split('\n').slice(0, 3).join(' | ')}`);
  check(`round trip ${s.file}`, same, viaForm.code === 0 ? `\n facts: ${viaFacts.out}\n  form: ${viaForm.out}` : viaForm.err);
}
console.log(`LHC-Forms round trip: ${matched}/${scenarios.length} golden scenarios give the byte-identical report; ${validResponses} responses valid against the R4 schema`);
check('every response LHC-Forms wrote is valid R4', validResponses === scenarios.length);
for (const m of mismatched.slice(0, 10)) console.log(`  ${m}`);
console.log(`LHC-Forms gates: ${gatesChecked - gateMismatch.length}/${gatesChecked} question visibilities agree with the engine's hidden_facts (${gatesHidden} hidden)`);
for (const m of gateMismatch.slice(0, 20)) console.log(`  ${m}`);
check('every gate applied by LHC-Forms agrees with the engine', gateMismatch.length === 0 && gatesHidden > 0, `${gateMismatch.length} disagree, ${gatesHidden} hidden`);

// ---------------------------------------------------------------- every condition form as a gate
// tests/fixtures/fhir-gates-ruleset.json gates one question with each condition form (every
// operator on every fact type, all/any/not/at_least/known/ref, decisions and a decision chain).
// For seeded random patients, LHC-Forms must show exactly the questions the engine asks.
{
  const rsArgs = ['--ruleset', join(repo, 'tests', 'fixtures', 'fhir-gates-ruleset.json')];
  const r = homeward(['export', '--format', 'fhir-questionnaire', ...rsArgs]);
  check('export the gate test ruleset', r.code === 0, r.err);
  const q = JSON.parse(r.out);
  check('gate test Questionnaire is valid against the R4 JSON schema', validator.validate(q).length === 0, JSON.stringify(validator.validate(q).slice(0, 3)));
  let seed = 0x9e3779b9;
  const rand = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed / 4294967296;
  };
  const pick = (a) => a[Math.floor(rand() * a.length)];
  // Dates around the literal days the gates name and around today: the engine's as-of date is
  // the CLI's default (today on this machine's clock) and LHC-Forms' `today()` is the browser's,
  // on the same machine.
  const day = (offset) => {
    const d = new Date();
    d.setDate(d.getDate() + offset);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const dates = ['2026-11-01', '2026-11-30', '2026-12-01', '2026-12-02', ...[-9, -8, -7, -6, -1, 0, 1, 2, 3].map(day)];
  const patients = [{}];
  for (let i = 0; i < 60; i++) {
    const f = {};
    const maybe = (k, v) => { if (rand() > 0.25) f[k] = v; };
    maybe('a.flag', rand() < 0.5);
    maybe('a.other', rand() < 0.5);
    maybe('a.level', pick(['low', 'mid', 'high']));
    maybe('a.score', pick([0, 1, 3, 4, 5, 6, 7, 10]));
    maybe('a.needs', pick([[], ['x'], ['y'], ['x', 'y'], ['y', 'x'], ['z'], ['x', 'y', 'z']]));
    maybe('a.when', pick(dates));
    maybe('a.until', pick(dates));
    patients.push(f);
  }
  const names = gated(q);
  let checked = 0;
  let hiddenSeen = 0;
  const wrong = [];
  for (const facts of patients) {
    const { qr, shown } = await fill(q, responseFromFacts(q, facts));
    const viaFacts = homeward(['eval', '--facts', '-', ...rsArgs, '--compact'], JSON.stringify(facts));
    const viaForm = homeward(['eval', '--questionnaire-response', '-', ...rsArgs, '--compact'], JSON.stringify(qr));
    check(`gate test round trip ${JSON.stringify(facts)}`, viaForm.code === 0 && viaForm.out === viaFacts.out, viaForm.err);
    const hidden = JSON.parse(viaFacts.out).hidden_facts;
    for (const f of names) {
      checked++;
      if (hidden.includes(f)) hiddenSeen++;
      if (hidden.includes(f) === shown.includes(f)) wrong.push(`${f} for ${JSON.stringify(facts)}: ${hidden.includes(f) ? 'hidden by the engine, shown' : 'asked by the engine, hidden'} by LHC-Forms`);
    }
  }
  console.log(`LHC-Forms gate forms: ${checked - wrong.length}/${checked} visibilities agree (${names.length} gates x ${patients.length} patients, ${hiddenSeen} hidden)`);
  for (const w of wrong.slice(0, 10)) console.log(`  ${w}`);
  check('every condition form gates the question in LHC-Forms as in the engine', wrong.length === 0 && hiddenSeen > 0, `${wrong.length} disagree`);
}

// ---------------------------------------------------------------- real clicks, for a sample
/** Fills a blank form as a person would: a click per answer, typing for numbers and dates. */
async function clickFill(q, facts) {
  await tab.evaluate(async (q) => {
    window.LForms.Util.removeFormsFromPage('form');
    await window.LForms.Util.addFormToPage(q, document.getElementById('form'), { fhirVersion: 'R4' });
  }, q);
  const skipped = [];
  const items = [];
  walkItems(q.item, (it) => it.type !== 'group' && it.type !== 'display' && items.push(it));
  for (const it of items) {
    const v = facts[it.linkId];
    if (v === undefined || v === null) continue;
    const id = `${it.linkId}/1/1`;
    if (!(await tab.locator(`[id="item-${id}"]`).count())) {
      skipped.push(it.linkId); // hidden by its gate: a person cannot answer it
      continue;
    }
    const click = (suffix) => tab.locator(`[id="${id}|${suffix}"]`).click();
    const system = it.answerOption && it.answerOption[0].valueCoding.system;
    if (it.type === 'boolean') await click(String(v));
    else if (it.type === 'integer') {
      await tab.locator(`[id="${id}"]`).fill(String(v));
      await tab.locator(`[id="${id}"]`).press('Tab');
    } else if (it.type === 'date') {
      // LHC-Forms' date field takes what a person types, month first (MM/DD/YYYY).
      const [y, m, d] = v.split('-');
      await tab.locator(`[id="${id}"]`).fill(`${m}/${d}/${y}`);
      await tab.locator(`[id="${id}"]`).press('Tab');
    } else if (Array.isArray(v)) {
      for (const code of v.length ? v : ['none-of-these']) await click(`${system}|${code}`);
    } else await click(`${system}|${v}`);
    // Let the form apply the answer (and show or hide the questions it gates) before the next.
    await tab.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  }
  const qr = await tab.evaluate(() => window.LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('form')));
  return { qr, skipped };
}

// The scenario with the most answers for each checklist, a Norfolk one, and the ready patient.
const most = (pick) => scenarios.filter(pick).sort((a, b) => Object.keys(b.facts).length - Object.keys(a.facts).length)[0];
const sample = [
  most((s) => s.file.startsWith('ward_') && !(s.overlays || []).length),
  most((s) => s.file.startsWith('home_')),
  most((s) => s.file.startsWith('front_')),
  most((s) => (s.overlays || []).length > 0),
  scenarios.find((s) => s.file === 'ward_ready_pathway0.json'),
].filter((s, i, all) => s && all.indexOf(s) === i);
for (const s of sample) {
  const overlays = s.overlays || [];
  const q = questionnaires[overlays.join('+')];
  const asOf = s.as_of ? ['--as-of', s.as_of] : [];
  const common = [...(s.checklist ? ['--checklist', s.checklist] : []), ...overlayArgs(overlays), ...asOf, '--compact'];
  const { qr, skipped } = await clickFill(q, s.facts);
  const viaFacts = homeward(['eval', '--facts', '-', ...common], JSON.stringify(s.facts));
  const viaClicks = homeward(['eval', '--questionnaire-response', '-', ...common], JSON.stringify(qr));
  check(`clicked ${s.file} (${skipped.length} hidden answers skipped)`, viaClicks.code === 0 && viaClicks.out === viaFacts.out,
    viaClicks.code === 0 ? `\n facts: ${viaFacts.out}\n clicks: ${viaClicks.out}` : viaClicks.err);
  if (outDir) writeFileSync(join(outDir, `clicked-${s.file}`), JSON.stringify(qr, null, 2) + '\n');
}
console.log(`LHC-Forms by clicks: ${sample.map((s) => s.file).join(', ')}`);

// LHC-Forms 40 lets a person tick "None of these" beside another check box (it does not apply
// questionnaire-optionExclusive to check boxes): the importer must refuse that response with a
// located error, never read it as a value.
{
  const q = questionnaires[''];
  await tab.evaluate(async (q) => {
    window.LForms.Util.removeFormsFromPage('form');
    await window.LForms.Util.addFormToPage(q, document.getElementById('form'), { fhirVersion: 'R4' });
  }, q);
  const system = q.item[0].item[0].answerOption[0].valueCoding.system;
  const id = 'clinical.criteria_to_reside/1/1';
  await tab.locator(`[id="${id}|${system}|oxygen_or_niv"]`).click();
  await tab.locator(`[id="${id}|${system}|none-of-these"]`).click();
  const qr = await tab.evaluate(() => window.LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('form')));
  if (outDir) writeFileSync(join(outDir, 'clicked-none-and-oxygen.json'), JSON.stringify(qr, null, 2) + '\n');
  const codes = [];
  walkItems(qr.item, (it) => { if (it.linkId === id.split('/')[0]) codes.push(...it.answer.map((a) => a.valueCoding.code)); });
  const r = homeward(['eval', '--questionnaire-response', '-', '--checklist', 'ward_discharge', '--format', 'json'], JSON.stringify(qr));
  const exclusive = JSON.stringify(codes) === '["none-of-these"]';
  const refused = r.code === 1 && r.out.includes('"INVALID_RESOURCE"') && r.out.includes('.answer[1]');
  console.log(`LHC-Forms "None of these" beside oxygen: ${exclusive ? 'cleared oxygen' : `kept ${codes.join(' + ')}`}; the importer ${r.code === 1 ? 'refused it' : 'ACCEPTED it'}`);
  check('"None of these" with another option is never read as a value', exclusive ? r.code === 0 : refused, r.out + r.err);
}

check('no request left 127.0.0.1', foreign.length === 0, foreign.join(' '));
check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 3).join(' | '));
await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
