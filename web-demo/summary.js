// What the bedside screen says, worked out from the ruleset's schema and the engine's report
// alone: the verdict in the mode's own words, the causes in order (primary clinical causes,
// then safeguarding holds, then the rest, each with its owner), the next question, and the
// handover text. Pure functions with no DOM, tested in Node (tests/summary.mjs). No rule id
// appears here: everything comes from the schema and the report.
import { longDate } from './dates.js';
import { answerWords } from './fields.js';

export const OWNERS = {
  nhs: 'NHS',
  social_care: 'Social care',
  housing: 'Housing',
  joint: 'Health and social care (joint)',
  patient_family: 'Patient and family',
};
export const OWNER_ORDER = Object.keys(OWNERS);

const GENERIC = {
  ready: 'Ready',
  not_ready: 'Not ready',
  undetermined: 'Not yet known',
};

export const ownerLabel = (owner) => OWNERS[owner] || String(owner || '').replace(/_/g, ' ');
export const words = (s) => (s ? String(s).replace(/_/g, ' ') : '');

/** The checklist's own question and verdict words, with plain fallbacks for a local ruleset. */
export function modeWords(checklist) {
  const v = checklist.verdicts || {};
  return {
    question: checklist.question || checklist.title,
    ready: v.ready || GENERIC.ready,
    not_ready: v.not_ready || GENERIC.not_ready,
    undetermined: v.undetermined || GENERIC.undetermined,
  };
}

/** The outstanding items (not met), in the order that matters: primary, holds, then by owner. */
export function outstanding(report) {
  const notMet = report.blockers.filter((b) => b.status === 'not_met');
  const primary = notMet.filter((b) => b.primary);
  const holds = notMet.filter((b) => !b.primary && b.kind === 'safeguarding_hold');
  const rest = notMet.filter((b) => !b.primary && b.kind !== 'safeguarding_hold');
  const rank = (b) => { const i = OWNER_ORDER.indexOf(b.owner); return i < 0 ? OWNER_ORDER.length : i; };
  rest.sort((a, b) => rank(a) - rank(b));
  return [...primary, ...holds, ...rest];
}

/** Blockers and holds not yet decided (shown only once something has been answered). */
export const notYetKnown = (report) => report.blockers.filter((b) => b.status === 'unknown');

/** Advice that applies now (never counted or labelled as outstanding). */
export const advice = (report) => report.advisories.filter((a) => a.status === 'not_met');

/**
 * The first sentence of an action (to its first full stop or semicolon), word for word: what to
 * do, for the banner. Never cut at a colon: rules write both "Red flag present: convey …" and
 * "Convey to hospital …: a red flag needs …", and the page cannot tell which half is the
 * instruction, so it keeps both.
 */
function firstInstruction(action) {
  const sentence = String(action || '').split(/(?<=[.;])\s/)[0].replace(/[.;]$/, '');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

const lowerFirst = (s) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

/** The answers that decided an item, in words (set and list answers: their option labels). */
function evidence(item, schema, answers) {
  const parts = [];
  for (const factId of item.decided_by || []) {
    const fact = schema.facts.find((f) => f.id === factId);
    const a = answers[factId];
    if (!fact || a === undefined || a === null) continue;
    if (fact.type === 'set' && Array.isArray(a) && a.length) parts.push(answerWords(fact, { state: 'value', value: a }));
    if (fact.type === 'enum') parts.push(answerWords(fact, { state: 'value', value: a }));
  }
  return parts.join('; ');
}

/**
 * One cause as the banner and the lists show it: a lead saying what kind of thing it is and
 * what to do ("Convey or arrange urgent clinical assessment", "Safeguarding hold", "Housing"),
 * and what it is about (the answers that decided a clinical cause, else the item's title).
 */
export function causeLine(item, schema, answers) {
  const owner = ownerLabel(item.owner);
  if (item.primary) {
    const what = evidence(item, schema, answers);
    return { id: item.id, lead: firstInstruction(item.action), about: what ? lowerFirst(what) : item.title, owner, kind: 'primary' };
  }
  if (item.kind === 'safeguarding_hold') return { id: item.id, lead: 'Safeguarding hold', about: item.title, owner, kind: 'hold' };
  return { id: item.id, lead: owner, about: item.title, owner, kind: 'blocker' };
}

/** Requirement ids of the checklist that can hold a patient back (blockers and holds). */
function blocking(schema, checklist) {
  const kinds = new Map(schema.requirements.map((r) => [r.id, r.kind]));
  return new Set(checklist.requirements.filter((id) => kinds.get(id) && kinds.get(id) !== 'advisory'));
}

/**
 * The open questions that can still change the verdict or add to what is outstanding (those
 * that reach a blocker or hold), in the engine's order; questions that only feed a decision
 * table (eligibility, pathway) are left to the full form.
 */
export function decisiveQuestions(schema, checklist, report) {
  const wanted = blocking(schema, checklist);
  const hidden = new Set(report.hidden_facts);
  return report.open_questions.filter((q) => !hidden.has(q.fact) && q.affects.some((id) => wanted.has(id)));
}

/** The next question to ask: the first decisive one not already answered "Not known". */
export function nextQuestion(schema, checklist, report, notKnown) {
  return decisiveQuestions(schema, checklist, report).find((q) => !notKnown.has(q.fact)) || null;
}

/** The banner: the verdict line (the only live text), what leads, and the causes. */
export function banner(schema, checklist, report, answers, state) {
  const w = modeWords(checklist);
  const causes = outstanding(report).map((b) => causeLine(b, schema, answers));
  const next = nextQuestion(schema, checklist, report, state.notKnown);
  if (report.verdict === 'not_ready') {
    const n = causes.length;
    return { verdict: 'not_ready', line: w.not_ready, count: `: ${n} ${n === 1 ? 'thing' : 'things'} outstanding`, causes, lead: null };
  }
  if (report.verdict === 'ready') return { verdict: 'ready', line: w.ready, count: '', causes: [], lead: 'Nothing outstanding' };
  let lead;
  if (!state.anyAnswer) lead = next ? `Start with: ${next.question}` : 'Start with the questions below';
  else if (next) lead = `Next: ${next.question}`;
  else lead = 'The questions left were answered “Not known”: find out the answers to decide';
  return { verdict: 'undetermined', line: w.undetermined, count: '', causes: [], lead };
}

/** The day the report was assessed on, in words: "Assessed on 2 December 2026". */
export const assessedOn = (report) => (report.as_of ? `Assessed on ${longDate(report.as_of)}` : 'Assessed on no date (rules that compare with today are not yet known)');

/** Date and time for the handover, in the device's local time (the UI may read the clock). */
export function stamp(date) {
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const tz = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())} (UTC${tz})`;
}

/**
 * The handover: who (the bed label), when, which mode, local rules and ruleset (id, version,
 * hash), the verdict, every outstanding item with its owner and action, and only the questions
 * that can still change the verdict.
 */
export function handover({ schema, checklist, report, answers, notKnown, label, overlayTitle, now }) {
  const w = modeWords(checklist);
  const verdictWords = { ready: w.ready, not_ready: w.not_ready, undetermined: w.undetermined }[report.verdict];
  const lines = [
    `Homeward handover: ${label || 'patient'}`,
    `Date and time: ${stamp(now)}`,
    assessedOn(report),
    `Checklist: ${checklist.title} (${w.question})`,
    `Local rules: ${overlayTitle}`,
    `Ruleset: ${report.ruleset.id} version ${report.ruleset.version}, ${report.ruleset.hash}`,
    '',
    `Verdict: ${verdictWords}`,
  ];
  const items = outstanding(report);
  if (items.length) {
    lines.push(`Outstanding (${items.length}):`);
    for (const b of items) {
      const c = causeLine(b, schema, answers);
      const kind = c.kind === 'hold' ? 'SAFEGUARDING HOLD: ' : c.kind === 'primary' ? 'CLINICAL: ' : '';
      const about = c.kind === 'primary' ? c.about.charAt(0).toUpperCase() + c.about.slice(1) : b.title;
      const extra = [b.referral ? `Refer to: ${b.referral}.` : '', b.delay_category ? `Delay category: ${words(b.delay_category)}.` : ''].filter(Boolean).join(' ');
      lines.push(`- ${kind}${about} [owner: ${c.owner}]: ${b.action}${extra ? ` ${extra}` : ''}`);
    }
  }
  if (report.verdict === 'undetermined') {
    const qs = decisiveQuestions(schema, checklist, report);
    lines.push(`Questions that can change the verdict (${qs.length}):`);
    for (const q of qs) lines.push(`- ${q.question}${notKnown.has(q.fact) ? ' (asked: not known)' : ''}`);
  } else {
    const unknown = notYetKnown(report).length;
    if (unknown) lines.push(`No answer can change this verdict; ${unknown} other ${unknown === 1 ? 'item is' : 'items are'} not yet known.`);
  }
  const adv = advice(report);
  if (adv.length) {
    lines.push(`Advice (${adv.length}):`);
    for (const a of adv) lines.push(`- ${a.title} [${ownerLabel(a.owner)}]: ${a.action}`);
  }
  for (const d of report.decisions.filter((x) => x.status === 'decided')) lines.push(`${d.title}: ${d.label}`);
  return lines.join('\n');
}
