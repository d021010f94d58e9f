// Node tests of the bedside page's pure parts: the label guard (label-guard.js) and what the
// screen says for a report (summary.js), on every golden scenario through the WASM engine.
// HOMEWARD_SITE is the assembled site (for the Node build of the engine). Ends with
// "N passed, N failed".
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelProblem } from '../label-guard.js';
import { banner, causeLine, decisiveQuestions, handover, nextQuestion, outstanding } from '../summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const site = resolve(process.env.HOMEWARD_SITE || '../target/web-demo');
let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name} ${detail}`.slice(0, 1500));
  }
}

// ---- the label guard ---------------------------------------------------------------------------
const refused = [
  // NHS numbers in any spacing or separator, with prefixes
  '9434765919', '943 476 5919', '943-476-5919', '943.476.5919', '943/476/5919', '943_476_5919', '9 4 3 4 7 6 5 9 1 9',
  'NHS9434765919', 'NHS 943 476 5919', 'nhs no 9434765919', 'NHS number 943-476-5919', 'Bed 3 NHS 9434765919',
  // hospital or record numbers, other identifiers
  'RJ1 2345678', 'Bed 4 1234567', 'MRN 445566', 'CHI 1203411234', 'Bed 3 DOB', 'born 1941',
  // dates of birth in the forms people write them
  '12/03/1941', '12-3-41', '12.03.1941', '1941-03-12', 'Bed 4 12 Mar 1941', '12th March 1941', 'March 12 1941', 'Mar 1941', 'bed 2 3/4/56',
  // names
  'Mrs Jane Smith', 'Mr Smith bed 3', 'Dr. Patel', 'Jane Smith', 'John Smith 12/03/1941', 'Bed 3 Jane Smith', 'Smith', 'Mary-Jane',
  // addresses and e-mail
  '12 Elm Road', 'Call 3 14 High Street', 'NR1 3SR', 'nr13sr', 'jane@example.org',
  // empty and too long
  '', '   ', 'x'.repeat(41),
];
const allowed = ['Bed 12', 'bed 3', 'Bay 3 bed 4', 'Bay A Bed C', 'Side room 2', 'Side Room 4', 'Fall call 1', 'Call 2', 'Majors 14',
  'Resus 2', 'Resus B', 'Cubicle 7', 'Chair 3', 'Trolley 12', 'Ward 7 Bay 3 Bed 12', 'Bed 12 (east)', 'Escalation bed 2', 'AMU 14',
  'Nightingale 3', 'Bed 3 Window', 'Call 1042'];
for (const label of refused) check(`label refused: ${JSON.stringify(label)}`, labelProblem(label) !== null, 'was accepted');
for (const label of allowed) check(`label allowed: ${JSON.stringify(label)}`, labelProblem(label) === null, String(labelProblem(label)));
check('duplicate labels refused, ignoring case and spaces', labelProblem('bed  12', ['Bed 12']) !== null);
check('duplicate message names the label', /already a patient/.test(labelProblem('Bed 12', ['bed 12']) || ''));
check('a different label is fine', labelProblem('Bed 13', ['Bed 12']) === null);

// ---- what the screen says, on every golden scenario ------------------------------------------------
const { Engine } = createRequire(import.meta.url)(join(site, 'pkg', 'node', 'homeward_wasm.js'));
const rulesets = join(site, 'pkg', 'rulesets');
const overlays = { norfolk: readFileSync(join(rulesets, 'overlays', 'norfolk.json'), 'utf8') };
const national = readFileSync(join(rulesets, 'england-national.json'), 'utf8');
const engines = {};
const engine = (ids) => {
  const key = ids.join(',');
  if (!engines[key]) engines[key] = Engine.load(national, ids.map((o) => overlays[o]));
  return engines[key];
};
const scenarioDir = resolve(here, '..', '..', 'tests', 'scenarios');
const now = new Date(2026, 10, 30, 9, 5);
for (const file of readdirSync(scenarioDir).filter((f) => f.endsWith('.json')).sort()) {
  const s = JSON.parse(readFileSync(join(scenarioDir, file), 'utf8'));
  if (!s.checklist) continue;
  const e = engine(s.overlays || []);
  const schema = JSON.parse(e.schema()).ok;
  const checklist = schema.checklists.find((c) => c.id === s.checklist);
  const report = JSON.parse(e.evaluate(JSON.stringify(s.facts), s.checklist)).ok;
  const notMet = report.blockers.filter((b) => b.status === 'not_met');
  const state = { notKnown: new Set(), anyAnswer: Object.keys(s.facts).length > 0 };
  const b = banner(schema, checklist, report, s.facts, state);
  const out = outstanding(report);
  check(`${file}: the outstanding list is every not-met blocker and hold`, out.length === report.summary.outstanding && out.length === notMet.length);
  check(`${file}: the banner's causes agree with the count`, b.causes.length === report.summary.outstanding);
  const firstPrimary = notMet.find((x) => x.primary);
  const firstHold = notMet.find((x) => x.kind === 'safeguarding_hold');
  if (firstPrimary) check(`${file}: a clinical cause leads`, b.causes[0].id === firstPrimary.id, b.causes.map((c) => c.id).join());
  else if (firstHold) check(`${file}: a hold leads when no clinical cause applies`, b.causes[0].id === firstHold.id && b.causes[0].lead === 'Safeguarding hold');
  for (const c of b.causes) check(`${file}: ${c.id} names its owner`, Boolean(c.owner) && Boolean(c.lead) && Boolean(c.about));
  const words = checklist.verdicts[report.verdict];
  check(`${file}: the verdict line is in the mode's words`, b.line === words, `${b.line} / ${words}`);
  if (report.verdict !== 'undetermined') check(`${file}: no question can change a decided verdict, so none is led with`, b.lead === null || b.verdict === 'ready');
  const decisive = decisiveQuestions(schema, checklist, report);
  if (report.verdict === 'ready') check(`${file}: ready leaves no question that reaches a blocker`, decisive.length === 0);
  if (report.verdict === 'undetermined') {
    const next = nextQuestion(schema, checklist, report, new Set());
    check(`${file}: undetermined always has a next question`, Boolean(next));
    check(`${file}: the next question is the engine's first that reaches a blocker or hold`, next && next.fact === decisive[0].fact);
  }
  const text = handover({ schema, checklist, report, answers: s.facts, notKnown: new Set(), label: 'Bed 9', overlayTitle: 'National (England)', now });
  check(`${file}: handover has label, time, ruleset and hash`, text.includes('Bed 9') && text.includes('2026-11-30 09:05') && text.includes(report.ruleset.hash) && text.includes(report.ruleset.version));
  for (const x of notMet) check(`${file}: handover carries ${x.id} with owner and action`, text.includes(x.action) && text.includes('[owner: '));
  check(`${file}: handover lists questions only when they can change the verdict`, report.verdict === 'undetermined' ? text.includes('Questions that can change the verdict') : !text.includes('Questions that can change'));
  if (firstPrimary) {
    const c = causeLine(firstPrimary, schema, s.facts);
    check(`${file}: a clinical cause is led by what to do, not by its title`, c.lead !== firstPrimary.title && !/^No /.test(c.lead), c.lead);
    check(`${file}: the clinical cause's lead is the start of its action, word for word (nothing before it skipped)`,
      c.lead.length > 0 && firstPrimary.action.toLowerCase().startsWith(c.lead.toLowerCase()), `${c.lead} | ${firstPrimary.action}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
