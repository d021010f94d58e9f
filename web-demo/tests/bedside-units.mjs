// Node tests of the bedside page's pure parts: the label guard (label-guard.js), dates typed
// as day, month and year and "today" (dates.js, judged against the engine itself), and what the
// screen says for a report (summary.js), on every golden scenario through the WASM engine.
// HOMEWARD_SITE is the assembled site (for the Node build of the engine). Ends with
// "N passed, N failed".
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATE_HINT, dateName, daysInMonth, isLeapYear, isoParts, localToday, longDate, readDate } from '../dates.js';
import { answerWords } from '../fields.js';
import { labelProblem } from '../label-guard.js';
import { assessedOn, banner, causeLine, decisiveQuestions, handover, nextQuestion, outstanding } from '../summary.js';

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

// ---- dates: day, month and year as typed ------------------------------------------------------------
const { Engine } = createRequire(import.meta.url)(join(site, 'pkg', 'node', 'homeward_wasm.js'));
const d = (day, month, year, name) => readDate({ day, month, year }, name);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const NAME = 'Admission date';
const good = [
  [['27', '3', '2026'], '2026-03-27'], [['02', '12', '2026'], '2026-12-02'], [[' 2 ', ' 12 ', ' 2026 '], '2026-12-02'],
  [['1', '1', '1900'], '1900-01-01'], [['31', '12', '2199'], '2199-12-31'], [['29', '2', '2024'], '2024-02-29'],
  [['29', '2', '2000'], '2000-02-29'], [['28', '2', '1900'], '1900-02-28'], [['28', '2', '2100'], '2100-02-28'],
  [['30', '4', '2026'], '2026-04-30'], [['31', '1', '2026'], '2026-01-31'], [['5', 'Dec', '2026'], '2026-12-05'],
  [['5', 'december', '2026'], '2026-12-05'], [['5', 'Sept', '2026'], '2026-09-05'], [['005', '003', '2026'], '2026-03-05'],
];
for (const [[day, month, year], want] of good) {
  const r = d(day, month, year, NAME);
  check(`date ${day}/${month}/${year} is ${want}`, r.ok === want, JSON.stringify(r));
}
const bad = [
  // [day, month, year], code, the boxes marked, the message (NHS.UK date input wording)
  [['', '3', '2026'], 'DATE_INCOMPLETE', ['day'], 'Admission date must include a day'],
  [['27', '', '2026'], 'DATE_INCOMPLETE', ['month'], 'Admission date must include a month'],
  [['27', '3', ''], 'DATE_INCOMPLETE', ['year'], 'Admission date must include a year'],
  [['', '', '2026'], 'DATE_INCOMPLETE', ['day', 'month'], 'Admission date must include a day and month'],
  [['27', '', ''], 'DATE_INCOMPLETE', ['month', 'year'], 'Admission date must include a month and year'],
  [['', '3', ''], 'DATE_INCOMPLETE', ['day', 'year'], 'Admission date must include a day and year'],
  [['31', '2', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['29', '2', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['29', '2', '1900'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['29', '2', '2100'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['31', '4', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['0', '3', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['32', '1', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['1', '13', '2026'], 'DATE_NOT_REAL', ['month'], 'Admission date must be a real date'],
  [['1', '0', '2026'], 'DATE_NOT_REAL', ['month'], 'Admission date must be a real date'],
  [['32', '13', '2026'], 'DATE_NOT_REAL', ['day', 'month'], 'Admission date must be a real date'],
  [['1', '3', '26'], 'DATE_YEAR_DIGITS', ['year'], 'Year must include 4 numbers'],
  [['1', '3', '20266'], 'DATE_YEAR_DIGITS', ['year'], 'Year must include 4 numbers'],
  [['ab', '3', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['1', 'Marchy', '2026'], 'DATE_NOT_REAL', ['month'], 'Admission date must be a real date'],
  [['1', '3', '20x6'], 'DATE_NOT_REAL', ['year'], 'Admission date must be a real date'],
  [['1.5', '3', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['-1', '3', '2026'], 'DATE_NOT_REAL', ['day'], 'Admission date must be a real date'],
  [['31', '12', '1899'], 'DATE_OUT_OF_RANGE', ['year'], 'Admission date must be between 1 January 1900 and 31 December 2199'],
  [['1', '1', '2200'], 'DATE_OUT_OF_RANGE', ['year'], 'Admission date must be between 1 January 1900 and 31 December 2199'],
  [['1', '1', '0026'], 'DATE_OUT_OF_RANGE', ['year'], 'Admission date must be between 1 January 1900 and 31 December 2199'],
];
for (const [[day, month, year], code, parts, message] of bad) {
  const r = d(day, month, year, NAME);
  check(`date ${JSON.stringify([day, month, year])} refused: ${message}`, r.error && r.error.code === code && same(r.error.parts, parts) && r.error.message === message, JSON.stringify(r));
}
check('nothing typed is unanswered, not an error', same(d('', '', ''), { empty: true }) && same(d('  ', ' ', ''), { empty: true }) && same(readDate(undefined), { empty: true }));
check('leap years: divisible by 4, not by 100 unless by 400', isLeapYear(2024) && isLeapYear(2000) && !isLeapYear(1900) && !isLeapYear(2100) && !isLeapYear(2026) && daysInMonth(2024, 2) === 29 && daysInMonth(2100, 2) === 28);
// Every day of the range, against the calendar of JavaScript's own Date: each is read back as
// itself, and the count is the engine's (1900-01-01 to 2199-12-31).
let days = 0;
let mismatch = '';
for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2199, 11, 31); t += 86400000) {
  const x = new Date(t);
  const want = x.toISOString().slice(0, 10);
  const r = d(String(x.getUTCDate()), String(x.getUTCMonth() + 1), String(x.getUTCFullYear()));
  if (r.ok !== want && !mismatch) mismatch = `${want}: ${JSON.stringify(r)}`;
  const back = isoParts(want);
  if (!mismatch && (!back || d(back.day, back.month, back.year).ok !== want)) mismatch = `${want} does not round-trip through its boxes`;
  days++;
}
check('every day from 1900-01-01 to 2199-12-31 is read as itself and round-trips through its boxes', !mismatch && days === 109573, `${mismatch} (${days} days)`);
// The page and the engine agree on what is a real date: every day, month and year around the
// edges (month 0–13, day 0–32, the leap and range boundaries) through the engine's own parser.
const dated = Engine.load(readFileSync(resolve(here, '..', '..', 'tests', 'fixtures', 'dates-ruleset.json'), 'utf8'), []);
let agreed = 0;
let disagreed = '';
for (const year of [1899, 1900, 1901, 1999, 2000, 2023, 2024, 2026, 2100, 2199, 2200]) {
  for (let month = 0; month <= 13; month++) {
    for (let day = 0; day <= 32; day++) {
      const page = d(String(day), String(month), String(year)).ok || null;
      const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const engine = JSON.parse(dated.evaluate(JSON.stringify({ 'discharge.ready_date': text }), 'ward', '2026-12-02'));
      if ((page === text) === Boolean(engine.ok) && (page === null || page === text)) agreed++;
      else if (!disagreed) disagreed = `${text}: page ${page}, engine ${JSON.stringify(engine.error || 'ok')}`;
    }
  }
}
check(`the page accepts exactly the dates the engine accepts (${agreed} checked)`, !disagreed && agreed === 11 * 14 * 33, disagreed);
const refusedByEngine = JSON.parse(dated.evaluate(JSON.stringify({ 'discharge.ready_date': '2026-02-31' }), 'ward', '2026-12-02'));
check('the engine refuses 2026-02-31 with INVALID_DATE at the fact', refusedByEngine.error && refusedByEngine.error.code === 'INVALID_DATE' && refusedByEngine.error.diagnostics[0].path === '$["discharge.ready_date"]', JSON.stringify(refusedByEngine));
check('dates in words, the NHS.UK way', longDate('2026-12-02') === '2 December 2026' && longDate('2027-01-09') === '9 January 2027' && longDate('1900-01-01') === '1 January 1900');
check('a date answer in words', answerWords({ type: 'date' }, { state: 'value', value: '2026-03-27' }) === '27 March 2026' && answerWords({ type: 'date' }, { state: 'not_known' }) === 'Not known');
check('the hint is the NHS.UK example', DATE_HINT === 'For example, 27 3 2026');
check('messages name the date from its id', dateName({ id: 'clinical.admission_date' }) === 'Admission date' && dateName({ id: 'care.package_start_date' }) === 'Package start date'
  && dateName({ id: 'clinical.expected_discharge_date' }) === 'Expected discharge date' && dateName({ id: 'care.bed_available_from' }) === 'The date' && dateName({ id: 'x.date' }) === 'The date');
// "Today" is the device's local date, not UTC's: noon UTC on 2 December is already 3 December in
// New Zealand and still 2 December in California; just before and after local midnight.
const zone = process.env.TZ;
const noonUtc = new Date(Date.UTC(2026, 11, 2, 12, 0));
process.env.TZ = 'Pacific/Auckland';
const auckland = localToday(noonUtc);
process.env.TZ = 'America/Los_Angeles';
const california = localToday(noonUtc);
process.env.TZ = 'Europe/London';
const beforeMidnight = localToday(new Date(2026, 11, 2, 23, 59, 59));
const afterMidnight = localToday(new Date(2026, 11, 3, 0, 0, 1));
const leapDay = localToday(new Date(2028, 1, 29, 12));
if (zone === undefined) delete process.env.TZ;
else process.env.TZ = zone;
check('today is the local date', auckland === '2026-12-03' && california === '2026-12-02', `${auckland} ${california}`);
check('today turns at local midnight', beforeMidnight === '2026-12-02' && afterMidnight === '2026-12-03' && leapDay === '2028-02-29', `${beforeMidnight} ${afterMidnight} ${leapDay}`);

// ---- what the screen says, on every golden scenario ------------------------------------------------
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
  const asOf = s.as_of || '2026-11-30';
  const report = JSON.parse(e.evaluate(JSON.stringify(s.facts), s.checklist, asOf)).ok;
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
  check(`${file}: handover says the day it was assessed on`, report.as_of === asOf && text.split('\n').includes(`Assessed on ${longDate(asOf)}`) && assessedOn(report) === `Assessed on ${longDate(asOf)}`, text);
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
