// The shared benchmark workload, generated from a fixed seed so every run and every engine sees
// the same rules and patients: 60 facts (40 bool, 10 enum, 10 int), 30 requirements (every
// sixth an advisory, the rest blockers; conditions nested up to depth 3), one 6-row
// first-hit table, and seeded complete patients. Encoded idiomatically for each engine:
// Homeward's ruleset format, json-logic (one expression per requirement, the table as nested
// `if`) and json-rules-engine (one rule per requirement; one rule per table row).
// `node workload.mjs [N]` writes it to ../workload/ for the native criterion bench.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A seeded generator (32-bit xorshift): returns rand() in [0, 1). Shared by the bench and tests. */
export function xorshift(seed) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** A date `YYYY-MM-DD` from its day number (days since 1970-01-01), and back. */
export const isoDay = (days) => new Date(days * 86400000).toISOString().slice(0, 10);
export const dayNumber = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);

/**
 * A random patient for a ruleset schema (`Engine.schema().ok`): each fact answered, or left
 * unknown with probability `unknown`; a set holds each option with probability `option`;
 * dates fall in the years 2022 to 2030.
 */
export function randomFacts(schema, rand, { unknown = 0, option = 0.2 } = {}) {
  const facts = {};
  for (const f of schema.facts) {
    if (unknown && rand() < unknown) continue;
    const opts = (f.options || []).map((o) => o.id);
    facts[f.id] = f.type === 'bool' ? rand() < 0.5
      : f.type === 'enum' ? opts[Math.floor(rand() * opts.length)]
        : f.type === 'int' ? f.min + Math.floor(rand() * (f.max - f.min + 1))
          : f.type === 'date' ? isoDay(19000 + Math.floor(rand() * 3000))
            : opts.filter(() => rand() < option);
  }
  return facts;
}

/** A patient's facts in Homeward's compact form for a checklist's `layout` (one Int32 per fact). */
export function compactOf(layout, facts, UNKNOWN = -2147483648) {
  return Int32Array.from(layout.facts, (f) => {
    const v = facts[f.id];
    if (v === undefined || v === null) return UNKNOWN;
    return f.type === 'bool' ? Number(v) : f.type === 'enum' ? f.options.indexOf(v)
      : f.type === 'set' ? v.reduce((m, o) => m | (1 << f.options.indexOf(o)), 0)
        : f.type === 'date' ? dayNumber(v) : v;
  });
}

export function generate(patientCount) {
  const rand = xorshift(0x5eed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const facts = [];
  for (let i = 0; i < 60; i++) {
    const id = `f${String(i).padStart(2, '0')}`;
    if (i < 40) facts.push({ id, type: 'bool' });
    else if (i < 50) facts.push({ id, type: 'enum', options: ['a', 'b', 'c', 'd'].slice(0, 3 + (i % 2)) });
    else facts.push({ id, type: 'int', min: 0, max: 100 });
  }
  const leaf = () => {
    const f = pick(facts);
    if (f.type === 'bool') return { fact: f.id, cmp: 'eq', value: rand() < 0.7 };
    if (f.type === 'enum') return rand() < 0.5 ? { fact: f.id, cmp: 'eq', value: pick(f.options) } : { fact: f.id, cmp: 'in', value: f.options.slice(0, 2) };
    return { fact: f.id, cmp: pick(['lt', 'gte']), value: 10 + Math.floor(rand() * 80) };
  };
  const ast = (depth) => {
    if (depth === 0 || rand() < 0.3) return leaf();
    const op = pick(['all', 'all', 'any', 'any', 'not']);
    if (op === 'not') return { op, args: [ast(depth - 1)] };
    return { op, args: Array.from({ length: 2 + Math.floor(rand() * 2) }, () => ast(depth - 1)) };
  };
  const requirements = Array.from({ length: 30 }, (_, i) => ({
    id: `r${String(i).padStart(2, '0')}`,
    kind: i % 6 === 5 ? 'advisory' : 'blocker',
    applies: rand() < 0.6 ? ast(2) : null,
    met: ast(3),
  }));
  const rows = Array.from({ length: 6 }, () => ast(2));
  const patients = Array.from({ length: patientCount }, () => Object.fromEntries(facts.map((f) => [f.id,
    f.type === 'bool' ? rand() < 0.75 : f.type === 'enum' ? pick(f.options) : Math.floor(rand() * 101)])));

  // Homeward's ruleset format.
  const toHomeward = (n) => n.op === 'all' ? { all: n.args.map(toHomeward) } : n.op === 'any' ? { any: n.args.map(toHomeward) }
    : n.op === 'not' ? { not: toHomeward(n.args[0]) } : { fact: n.fact, [n.cmp]: n.value };
  const sect = 's';
  const homeward = {
    id: 'bench', version: '1', title: 'Shared benchmark workload',
    sections: [{ id: sect, title: 'S' }],
    facts: facts.map((f) => f.type === 'bool' ? { id: f.id, type: 'bool', section: sect, question: f.id }
      : f.type === 'enum' ? { id: f.id, type: 'enum', section: sect, question: f.id, options: f.options.map((o) => ({ id: o, label: o })) }
        : { id: f.id, type: 'int', section: sect, question: f.id, min: 0, max: 100 }),
    requirements: requirements.map((r) => ({ id: r.id, title: r.id, kind: r.kind, owner: 'nhs', ...(r.applies ? { applies_when: toHomeward(r.applies) } : {}),
      met_when: toHomeward(r.met), action: 'act', citation: { source: 'bench' } })),
    tables: [{ id: 'pathway', title: 'Pathway', hit: 'first', outputs: [0, 1, 2, 3, 4, 5, 6].map((v) => ({ value: v, label: String(v) })),
      rows: rows.map((w, i) => ({ when: toHomeward(w), output: i, citation: { source: 'bench' } })), default: 6, citation: { source: 'bench' } }],
    checklists: [{ id: 'all', title: 'All', requirements: requirements.map((r) => r.id), tables: ['pathway'] }],
  };

  // json-logic (json-logic-js and json-logic-engine).
  const toLogic = (n) => n.op === 'all' ? { and: n.args.map(toLogic) } : n.op === 'any' ? { or: n.args.map(toLogic) }
    : n.op === 'not' ? { '!': toLogic(n.args[0]) }
      : n.cmp === 'eq' ? { '===': [{ var: n.fact }, n.value] } : n.cmp === 'in' ? { in: [{ var: n.fact }, n.value] }
        : n.cmp === 'lt' ? { '<': [{ var: n.fact }, n.value] } : { '>=': [{ var: n.fact }, n.value] };
  const jsonlogic = {
    requirements: requirements.map((r) => ({ id: r.id, kind: r.kind, applies: r.applies ? toLogic(r.applies) : true, met: toLogic(r.met) })),
    table: { if: [...rows.flatMap((w, i) => [toLogic(w), i]), 6] },
  };

  // json-rules-engine: a rule fires when its requirement applies and is not met; one rule per row.
  const OPS = { eq: 'equal', in: 'in', lt: 'lessThan', gte: 'greaterThanInclusive' };
  const toRules = (n) => n.op === 'all' ? { all: n.args.map(toRules) } : n.op === 'any' ? { any: n.args.map(toRules) }
    : n.op === 'not' ? { not: toRules(n.args[0]) } : { fact: n.fact, operator: OPS[n.cmp], value: n.value };
  const rulesEngine = [
    ...requirements.map((r) => ({ name: r.id,
      conditions: r.applies ? { all: [toRules(r.applies), { not: toRules(r.met) }] } : { not: toRules(r.met) },
      event: { type: 'blocks', params: { id: r.id } } })),
    ...rows.map((w, i) => ({ name: `row${i}`, conditions: { all: [toRules(w)] }, event: { type: 'row', params: { i } } })),
  ];

  // Homeward's compact form: one Int32 per fact in schema order (bool 0/1, enum option index, int).
  const compact = (p) => Int32Array.from(facts, (f) => f.type === 'bool' ? (p[f.id] ? 1 : 0)
    : f.type === 'enum' ? f.options.indexOf(p[f.id]) : p[f.id]);

  const kinds = Object.fromEntries(requirements.map((r) => [r.id, r.kind]));
  return { facts, requirements, rows, patients, homeward, jsonlogic, rulesEngine, compact, kinds };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const n = Number(process.argv[2] || 10000);
  const w = generate(n);
  const dir = join(dirname(self), '..', 'workload');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'homeward.json'), JSON.stringify(w.homeward, null, 1));
  writeFileSync(join(dir, 'jsonlogic.json'), JSON.stringify(w.jsonlogic, null, 1));
  writeFileSync(join(dir, 'json-rules-engine.json'), JSON.stringify(w.rulesEngine, null, 1));
  writeFileSync(join(dir, 'patients.jsonl'), w.patients.map((p) => JSON.stringify(p)).join('\n') + '\n');
  console.log(`wrote ${dir}: ruleset in three encodings and ${n} patients`);
}
