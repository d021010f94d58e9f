// Homeward's JavaScript API, shared by the browser entry (homeward.js) and the Node entry
// (homeward.node.js): a thin wrapper over the wasm-bindgen build that turns every call's JSON
// string into a tagged object. Every call returns { ok } or { error } (free() returns nothing);
// nothing throws and nothing traps. Errors are { code, path, message, help, diagnostics }: the
// engine's codes (docs/report-format.md), plus four from this wrapper:
//   WASM_LOAD            the .wasm could not be fetched, read or instantiated
//   NOT_INITIALISED      a call before `await initHomeward()` succeeded
//   RULESET_UNAVAILABLE  Engine.national() could not read a bundled ruleset file
//   INTERNAL             an exception escaped the module (a bug: please report it)
// The platform supplies the wasm-bindgen module (`glue`: the full build, or the runtime build
// with `compiled: true`, which reads the bundled rulesets compiled ahead of time and cannot load
// JSON ones), how to load the .wasm and how to read a ruleset file (fetch in browsers, the file
// system in Node); this module is not exported from the package.

/** The compact input code for an unknown fact. */
export const UNKNOWN = -2147483648;

const VERDICTS = ['ready', 'not_ready', 'undetermined'];
const STATUSES = ['met', 'not_met', 'unknown', 'not_applicable'];

const OWNERS = ['nhs', 'social_care', 'joint', 'housing', 'patient_family'];
const ATTRIBUTIONS = ['nhs', 'social_care', 'joint'];
const NONE = 4294967295;

/** A date's day number (days since 1970-01-01) as `YYYY-MM-DD`. */
function isoDay(days) {
  return new Date(days * 86400000).toISOString().slice(0, 10);
}

/** Counts in the engine's key order (its enum order), only those present. */
function ordered(counts, order) {
  const out = {};
  for (const k of order) if (counts[k]) out[k] = counts[k];
  return out;
}

/** Freezes `o` and everything in it (the static parts reports share). */
function frozen(o) {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const k in o) frozen(o[k]);
    Object.freeze(o);
  }
  return o;
}

/** A blocker's or advisory's keys in the engine's order (`report::Item`), for `reportOf`. */
const ITEM_KEYS = 'id,title,kind,status,owner,attribution,delay_category,primary,action,referral,citation,decided_by';

/**
 * A checklist's report template (`Engine.reportTemplate`) prepared once for `reportOf`. The
 * parts that are the same in every report (the ruleset reference, the declared safety changes,
 * each requirement's citation) are frozen and shared by every report built from it.
 */
function prepare(t) {
  return {
    t,
    ruleset: frozen(t.ruleset),
    safety: t.safety_changes ? frozen(t.safety_changes) : null,
    citations: t.requirements.map((r) => frozen(r.citation)),
    // Items are built as one object literal where the template's items have exactly the keys
    // `reportOf` names (a spread of the template item otherwise): the literal is several times
    // faster than the spread in V8, and a set+report builds dozens of items.
    literal: t.requirements.every((r) => Object.keys(r).join() === ITEM_KEYS),
    facts: t.facts.map((f) => f[0]),
    day: NaN,
    dayText: null,
  };
}

/**
 * The report named from the engine's codes (`Ruleset::report_codes_with` in the core) and a
 * prepared template (`prepare`): the same object, key for key, as parsing the engine's JSON
 * report (the package's tests prove it on every golden scenario, random patients and every
 * session answer). Everything that depends on the patient is built fresh; the static parts
 * named in `prepare` are shared and frozen.
 */
function reportOf(p, c) {
  const { t, facts } = p;
  let at = 0;
  const verdict = VERDICTS[c[at++]];
  const dated = c[at++];
  const days = c[at++] | 0;
  const requirements = new Array(c[at++]);
  const holds = [];
  const blockers = [];
  const advisories = [];
  for (let k = 0; k < requirements.length; k++) {
    const r = c[at++];
    const tpl = t.requirements[r];
    const status = STATUSES[c[at++]];
    const by = new Array(c[at++]);
    for (let i = 0; i < by.length; i++) by[i] = facts[c[at++]];
    requirements[k] = { id: tpl.id, kind: tpl.kind, status, decided_by: by };
    if (status === 'not_met' || status === 'unknown') {
      const item = p.literal
        ? {
          id: tpl.id, title: tpl.title, kind: tpl.kind, status, owner: tpl.owner, attribution: tpl.attribution,
          delay_category: tpl.delay_category, primary: tpl.primary, action: tpl.action, referral: tpl.referral,
          citation: p.citations[r], decided_by: by.slice(),
        }
        : { ...tpl, status, citation: p.citations[r], decided_by: by.slice() };
      (tpl.kind === 'advisory' ? advisories : tpl.kind === 'safeguarding_hold' ? holds : blockers).push(item);
    }
  }
  const decisions = new Array(c[at++]);
  for (let k = 0; k < decisions.length; k++) {
    const table = t.tables[c[at++]];
    const o = c[at++];
    const row = c[at++];
    const names = new Array(c[at++]);
    for (let i = 0; i < names.length; i++) names[i] = facts[c[at++]];
    const out = o === NONE ? null : table.outputs[o];
    decisions[k] = {
      id: table.id, title: table.title, status: out ? 'decided' : 'undetermined', output: out ? out.value : null,
      label: out ? out.label : null, row: row === NONE ? null : row, decided_by: out ? names : [], open_questions: out ? [] : names,
    };
  }
  const open = new Array(c[at++]);
  for (let k = 0; k < open.length; k++) {
    const f = t.facts[c[at++]];
    const affects = new Array(c[at++]);
    for (let i = 0; i < affects.length; i++) affects[i] = t.requirements[c[at++]].id;
    open[k] = { fact: f[0], question: f[1], section: f[2], affects };
  }
  const hidden = new Array(c[at++]);
  for (let i = 0; i < hidden.length; i++) hidden[i] = facts[c[at++]];
  const all = holds.length ? holds.concat(blockers) : blockers;
  let anyPrimary = false;
  let outstanding = 0;
  for (const b of all) {
    if (b.status === 'not_met') {
      outstanding++;
      if (b.primary) anyPrimary = true;
    }
  }
  const byOwner = {};
  const byAttribution = {};
  const causes = [];
  for (const b of all) {
    if (b.status !== 'not_met' || (!b.primary && anyPrimary)) continue;
    byOwner[b.owner] = (byOwner[b.owner] || 0) + 1;
    byAttribution[b.attribution] = (byAttribution[b.attribution] || 0) + 1;
    causes.push(b.id);
  }
  if (dated && days !== p.day) {
    p.day = days;
    p.dayText = isoDay(days);
  }
  const report = { format: 1, ruleset: p.ruleset };
  // Declared overlay safety changes are on every report (absent when there are none).
  if (p.safety) report.safety_changes = p.safety;
  report.checklist = t.checklist;
  report.as_of = dated ? p.dayText : null;
  report.verdict = verdict;
  report.summary = { outstanding, unknown: all.length - outstanding, open_questions: open.length };
  report.causes = causes;
  report.blockers = all;
  report.advisories = advisories;
  report.requirements = requirements;
  report.decisions = decisions;
  report.attribution = { by_owner: ordered(byOwner, OWNERS), by_attribution: ordered(byAttribution, ATTRIBUTIONS) };
  report.open_questions = open;
  report.hidden_facts = hidden;
  return report;
}

function fail(code, message, path = '$') {
  return { error: { code, path, message, help: '', diagnostics: [] } };
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail('INTERNAL', `unreadable engine response: ${e}`);
  }
}

/** An exception from the module as a tagged error (the wrapper never lets one escape). */
function thrown(e) {
  return fail('INTERNAL', String(e && e.message ? e.message : e));
}

function call(fn) {
  try {
    return parse(fn());
  } catch (e) {
    return thrown(e);
  }
}

function json(value) {
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value === undefined ? null : value);
    return text === undefined ? 'null' : text;
  } catch (e) {
    return null;
  }
}

/** An as-of date for the engine: `YYYY-MM-DD` text, or undefined for none (the engine reads no clock). */
function asOfText(asOf) {
  return asOf === undefined || asOf === null ? undefined : String(asOf);
}

function release(raw) {
  try {
    raw.free();
  } catch (_) {
    /* already freed */
  }
}

/**
 * Builds the API over a platform: `{ glue (the wasm-bindgen module), compiled (true for the
 * runtime build), wasmSource(source) → Promise<module_or_path>, readText(url) →
 * Promise<string>, readBytes(url) → Promise<Uint8Array> (runtime build), rulesetBase: URL }`.
 */
export function makeHomeward(platform) {
  const { default: init, Engine: RawEngine } = platform.glue;
  let ready = null;
  let loaded = false;
  /** The module's linear memory, where Bulk's resident buffers live. */
  let memory = null;

  /** Loads the WebAssembly module once; a failed attempt may be retried. */
  function initHomeward(source) {
    if (!ready) {
      ready = Promise.resolve()
        .then(() => platform.wasmSource(source))
        .then((module_or_path) => init(module_or_path === undefined ? undefined : { module_or_path }))
        .then(
          (exports) => {
            memory = exports.memory;
            loaded = true;
            return { ok: true };
          },
          (e) => {
            ready = null;
            return fail('WASM_LOAD', `the WebAssembly module could not be loaded: ${e && e.message ? e.message : e}`);
          },
        );
    }
    return ready;
  }

  function notReady() {
    return loaded ? null : fail('NOT_INITIALISED', 'call `await initHomeward()` before using the engine');
  }

  /** One patient's answers, resident in WebAssembly: each answer sends only the changed fact. */
  class Session {
    constructor(raw, engine, checklist) {
      this.raw = raw;
      this.engine = engine;
      this.checklist = checklist;
      this.named = null;
      this.tpl = null;
    }
    /** A value as JSON text for the engine: always a JS value (an enum option is a string), never JSON text. */
    static text(value) {
      return json(value === undefined ? null : typeof value === 'string' ? JSON.stringify(value) : value);
    }
    /** Sends one answer through `method` (`set` or `update`). */
    answer(method, fact, value) {
      const v = Session.text(value);
      return v === null ? fail('WRONG_TYPE', 'the value is not JSON', `$["${fact}"]`) : call(() => this.raw[method](String(fact), v));
    }
    /** The checklist's report template (`Engine.reportTemplate`), once. */
    template() {
      if (!this.tpl) {
        const t = call(() => this.engine.reportTemplate(this.checklist));
        if (t.error) return null;
        this.tpl = prepare(t.ok);
      }
      return this.tpl;
    }
    /**
     * Sets one answer and returns the new report. The engine writes the report as codes into
     * its memory and it is named here from the checklist's template: no JSON is written or
     * parsed, and the object is the one the engine's JSON report parses to (by test).
     */
    set(fact, value) {
      const v = Session.text(value);
      if (v === null) return fail('WRONG_TYPE', 'the value is not JSON', `$["${fact}"]`);
      try {
        const t = this.template();
        if (!t) return this.answer('set', fact, value);
        const n = this.raw.setReportCodes(String(fact), v);
        if (!n) return parse(this.raw.error());
        return { ok: reportOf(t, new Uint32Array(memory.buffer, this.raw.codesPtr(), n)) };
      } catch (e) {
        return thrown(e);
      }
    }
    /** The checklist's requirement ids and every fact id, by position (from its layout, once). */
    ids() {
      if (!this.named) {
        const layout = call(() => this.engine.layout(this.checklist));
        if (layout.error) return null;
        const requirements = layout.ok.requirements;
        this.named = { requirements, facts: layout.ok.facts.map((f) => f.id), statuses: statusesOf(requirements) };
      }
      return this.named;
    }
    /**
     * As set, but returns only { verdict, outstanding, unknown, statuses, open_questions,
     * hidden_facts }: the engine writes codes into its memory and the ids are named here, so
     * no JSON is written or parsed (the same object as the engine's JSON update, by test).
     */
    update(fact, value) {
      const v = Session.text(value);
      if (v === null) return fail('WRONG_TYPE', 'the value is not JSON', `$["${fact}"]`);
      try {
        const named = this.ids();
        if (!named) return call(() => this.engine.layout(this.checklist));
        const n = this.raw.updateCodes(String(fact), v);
        if (!n) return parse(this.raw.error());
        const c = new Uint32Array(memory.buffer, this.raw.codesPtr(), n);
        const count = c[3];
        const statuses = named.statuses(c, 4, count);
        let at = 4 + count;
        const list = () => {
          const out = new Array(c[at]);
          for (let k = 0; k < out.length; k++) out[k] = named.facts[c[at + 1 + k]];
          at += 1 + out.length;
          return out;
        };
        const open = list();
        const hidden = list();
        return { ok: { verdict: VERDICTS[c[0]], outstanding: c[1], unknown: c[2], statuses, open_questions: open, hidden_facts: hidden } };
      } catch (e) {
        return thrown(e);
      }
    }
    clear(fact) {
      return call(() => this.raw.clear(String(fact)));
    }
    report() {
      return call(() => this.raw.report());
    }
    export() {
      return call(() => this.raw.export());
    }
    import(facts) {
      const v = json(facts);
      return v === null ? fail('WRONG_TYPE', 'the facts are not JSON') : call(() => this.raw.import(v));
    }
    setChecklist(checklist) {
      const r = call(() => this.raw.setChecklist(String(checklist)));
      if (!r.error) {
        this.checklist = String(checklist);
        this.named = null;
        this.tpl = null;
      }
      return r;
    }
    /** The as-of date ("today", `YYYY-MM-DD`; null to forget it); returns the new report. */
    setAsOf(asOf) {
      return call(() => this.raw.setAsOf(asOfText(asOf)));
    }
    free() {
      release(this.raw);
    }
  }

  /** Fact kinds of the compact encoder, by layout type. */
  const KIND = { bool: 0, enum: 1, int: 2, set: 3, date: 4 };

  /** The value of `text`'s digits from `from` to `to`, or -1 if any is not 0-9. */
  function digits(text, from, to) {
    let n = 0;
    for (let i = from; i < to; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  /**
   * The day number of a `YYYY-MM-DD` calendar date, or NaN (the engine checks its range).
   * Read digit by digit and counted as the engine counts (`days_from_civil` in
   * core/src/date.rs): a regular expression and two `Date` objects cost about 20 times as much.
   */
  function dayNumber(text) {
    if (typeof text !== 'string' || text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NaN;
    const y = digits(text, 0, 4);
    const m = digits(text, 5, 7);
    const d = digits(text, 8, 10);
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    const last = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > last) return NaN;
    // Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    const yy = m <= 2 ? y - 1 : y;
    const era = Math.floor(yy / 400);
    const yoe = yy - era * 400;
    const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  /** The encoder of one fact: its id, kind and option indices. */
  function encoderOf(f) {
    const options = new Map((f.options || []).map((o, i) => [o, i]));
    // A set of 31 or more options has no compact form: such facts go through the JSON path.
    const kind = f.type === 'set' && options.size >= 31 ? -1 : KIND[f.type];
    return { id: f.id, kind: kind === undefined ? -1 : kind, options };
  }

  /** A set's bit mask, or -1 when an item is not a known option or is repeated. */
  function setMask(f, v) {
    if (!Array.isArray(v)) return -1;
    let mask = 0;
    for (let k = 0; k < v.length; k++) {
      const i = f.options.get(v[k]);
      if (i === undefined || mask & (1 << i)) return -1;
      mask |= 1 << i;
    }
    return mask;
  }

  /** One fact's value as its compact code; NaN, -1 or undefined when not plainly encodable. */
  function codeOf(f, v) {
    if (v === null) return UNKNOWN;
    switch (f.kind) {
      case 0:
        return v === true ? 1 : v === false ? 0 : NaN;
      case 1:
        return typeof v === 'string' ? f.options.get(v) : undefined;
      case 2:
        return Number.isInteger(v) && v > UNKNOWN && v <= 2147483647 ? v : NaN;
      case 3:
        return setMask(f, v);
      case 4:
        return dayNumber(v);
      default:
        return NaN;
    }
  }

  /**
   * The encoder of a layout: `(facts, view, at) → boolean` writes one patient's facts (a JS
   * object) as compact values into `view` at `at`. It returns false when anything is not plainly
   * encodable (an unknown fact, a wrong type, an unknown option, a value out of range): the
   * caller then asks the engine, which gives the exact, located error (or, for the rare valid
   * value without a compact form, the answer).
   *
   * Two ways, chosen by counting the object's keys. An object with as many keys as the layout
   * has facts (every fact answered, or an unknown key, which is refused) is read fact by fact
   * by literal name in a function generated once per layout: yes/no and short option lists
   * are encoded without branches on the value (each comparison adds to `ok`, which must reach
   * one per such fact), integers tested inline, anything else through `codeOf`. Objects with
   * fewer keys (patients partly answered) are read key by key (`byKey`): such objects seldom
   * share a shape, and reading every fact by name from objects of many shapes costs several
   * times as much (national ruleset, half answered, parsed from JSON: 22 µs by name, 5.5 by
   * key). Where the page's Content-Security-Policy forbids generated code, every object is read
   * key by key.
   */
  function makeEncoder(enc) {
    const lit = JSON.stringify;
    const byKey = keyEncoder(enc);
    const short = (f) => f.kind === 0 || (f.kind === 1 && f.options.size > 0 && f.options.size <= 16);
    const line = (f, j) => {
      const put = (x) => `view[at + ${j}] = ${x};`;
      const read = `v = facts[${lit(f.id)}];`;
      if (short(f)) {
        // The option's index as a sum of comparisons (the first option is 0); u = 1 for null.
        const opts = [...f.options.keys()];
        const code = f.kind === 0 ? '(v === true) | 0' : opts.slice(1).map((o, i) => `(v === ${lit(o)}) * ${i + 1}`).join(' + ') || '0';
        const hits = f.kind === 0 ? '(v === true) + (v === false)' : opts.map((o) => `(v === ${lit(o)})`).join(' + ');
        return `${read} u = (v === null) | 0; ok += ${hits} + u; ${put(`(${code}) | (-u & U)`)}`;
      }
      if (f.kind === 2) return `${read} if ((v | 0) === v && v !== U) ${put('v')} else if (v === null) ${put('U')} else return false;`;
      return `${read} if ((c = codeOf(E[${j}], v)) !== undefined && c === c && c !== -1) ${put('c')} else return false;`;
    };
    return generated(
      ['E', 'U', 'codeOf', 'byKey'],
      [enc, UNKNOWN, codeOf, byKey],
      'facts, view, at',
      [
        "if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) return false;",
        'let n = 0, ok = 0, u, v, c;',
        'for (const _ in facts) n++;',
        `if (n !== ${enc.length}) return byKey(facts, view, at);`,
        ...enc.map(line),
        `return ok === ${enc.filter(short).length};`,
      ],
      byKey,
    );
  }

  /** The encoder of [`makeEncoder`] reading the object key by key (any object; no generated code). */
  function keyEncoder(enc) {
    const index = new Map(enc.map((f, j) => [f.id, j]));
    return (facts, view, at) => {
      if (facts === null || typeof facts !== 'object' || Array.isArray(facts)) return false;
      view.fill(UNKNOWN, at, at + enc.length);
      for (const k in facts) {
        const j = index.get(k);
        if (j === undefined) return false;
        const c = codeOf(enc[j], facts[k]);
        if (c === undefined || c !== c || c === -1) return false;
        view[at + j] = c;
      }
      return true;
    };
  }

  /** A function generated from `lines` over `args` (bound to `values`), or `fallback` where generated code is forbidden. */
  function generated(names, values, args, lines, fallback) {
    try {
      // eslint-disable-next-line no-new-func
      return new Function(...names, `return function (${args}) {\n${lines.join('\n')}\n};`)(...values);
    } catch (_) {
      return fallback;
    }
  }

  /** Patients per pass of assessManyFacts through the resident buffers (a multiple of the engine's 64). */
  const CHUNK = 256;

  /** At most this many distinct id arrays are kept per result list (then they are built fresh, frozen as well). */
  const SHARED_LIMIT = 4096;

  /**
   * The result builder of a layout: `(out, at) → { verdict, not_met, unknown, decisions }` from
   * the codes at `at`. The not-met and unknown id arrays are frozen and shared between results
   * with the same set (one array per distinct set, up to SHARED_LIMIT): their content is what a
   * fresh array would hold. Each result object and its `decisions` are built fresh. For a
   * checklist of up to 30 requirements the builder is generated: the set keys are made without
   * branches and `decisions` is one object literal (the loop below, where code cannot be
   * generated or the checklist is longer, does the same with keyed stores).
   */
  function makeResult(layout) {
    const { tables, requirements } = layout;
    const nt = tables.length;
    const nr = requirements.length;
    // One cache per status, keyed by the set's bits: a number up to 30 requirements, else text.
    const caches = [null, new Map(), new Map()];
    const ids = (status, key, out, first) => {
      const cache = caches[status];
      let list = cache.get(key);
      if (list === undefined) {
        list = [];
        for (let k = 0; k < nr; k++) if (out[first + k] === status) list.push(requirements[k]);
        Object.freeze(list);
        if (cache.size < SHARED_LIMIT) cache.set(key, list);
      }
      return list;
    };
    const loop = makeResultLoop(layout, ids);
    if (nr > 30) return loop;
    const lit = JSON.stringify;
    const first = 1 + nt;
    // A status code s (0 met, 1 not met, 2 unknown, 3 not applicable) is 1 exactly when
    // s & ~(s >> 1) & 1 is set, and 2 exactly when (s >> 1) & ~s & 1 is.
    const bits = requirements.map((_, k) => `s = out[at + ${first + k}]; a |= (s & ~(s >> 1) & 1) << ${k}; b |= ((s >> 1) & ~s & 1) << ${k};`);
    const decisions = tables.map((t, i) => `${lit(t.id)}: (c = out[at + ${1 + i}]) < O[${i}].length ? O[${i}][c] : null`);
    return generated(
      ['V', 'O', 'ids'],
      [VERDICTS, tables.map((t) => t.outputs), ids],
      'out, at',
      [
        'let a = 0, b = 0, s, c;',
        ...bits,
        `return { verdict: V[out[at]], not_met: ids(1, a, out, at + ${first}), unknown: ids(2, b, out, at + ${first}), decisions: { ${decisions.join(', ')} } };`,
      ],
      loop,
    );
  }

  /** The result builder of [`makeResult`] as a loop over the layout (any length, no generated code). */
  function makeResultLoop(layout, ids) {
    const { tables, requirements } = layout;
    const nt = tables.length;
    const nr = requirements.length;
    return (out, at) => {
      const decisions = {};
      for (let t = 0; t < nt; t++) {
        const code = out[at + 1 + t];
        const outputs = tables[t].outputs;
        decisions[tables[t].id] = code < outputs.length ? outputs[code] : null;
      }
      const first = at + 1 + nt;
      let a = 0;
      let b = 0;
      let ka = '';
      let kb = '';
      for (let k = 0, bit = 1; k < nr; k++) {
        const s = out[first + k];
        if (s === 1) a |= bit;
        else if (s === 2) b |= bit;
        if (bit === 0x20000000 && k + 1 < nr) {
          // 30 bits a word; longer checklists key by the words as text.
          ka += `${a},`;
          kb += `${b},`;
          a = b = 0;
          bit = 1;
        } else bit <<= 1;
      }
      return { verdict: VERDICTS[out[at]], not_met: ids(1, nr > 30 ? ka + a : a, out, first), unknown: ids(2, nr > 30 ? kb + b : b, out, first), decisions };
    };
  }

  /**
   * Names a session update's status codes: `(c, at, count)` gives { requirement id: status }
   * from codes c[at…]. Generated per checklist as one object literal (one property per
   * requirement, as the loop below would add them, in the same order), so each update builds
   * its object at once; the loop where code cannot be generated or the count differs.
   */
  function statusesOf(ids) {
    const loop = (c, at, count) => {
      const out = {};
      for (let k = 0; k < count; k++) out[ids[k]] = STATUSES[c[at + k]];
      return out;
    };
    try {
      const body = ids.map((id, k) => `${JSON.stringify(id)}: S[c[at + ${k}]]`).join(',\n');
      // eslint-disable-next-line no-new-func
      const make = new Function('S', 'loop', `return function statuses(c, at, count) {\nif (count !== ${ids.length}) return loop(c, at, count);\nreturn {\n${body}\n};\n};`);
      return make(STATUSES, loop);
    } catch (_) {
      return loop;
    }
  }

  /** Moves an error's paths under the patient's position in a batch (`$[i]…`). */
  function within(error, i) {
    const at = (p) => `$[${i}]${String(p || '$').slice(1)}`;
    return { ...error, path: at(error.path), diagnostics: (error.diagnostics || []).map((d) => ({ ...d, path: at(d.path) })) };
  }

  /**
   * Bulk assessment (other systems, batch reports, services). Two forms:
   *
   * - **JS objects**: `assessFacts(facts)` and `assessManyFacts([facts, …])` take patients as
   *   the same objects `Engine.evaluate` takes and return `{ verdict, not_met, unknown,
   *   decisions }` per patient (requirement ids in checklist order, in frozen arrays shared
   *   between results with the same set; each table's output value or null). Values are
   *   encoded in JavaScript straight into the module's memory.
   * - **Typed arrays**: a patient is one Int32Array value per fact in schema order (UNKNOWN =
   *   -2147483648; bool 0/1; enum option index; int value; date: day number since 1970-01-01;
   *   set bit mask), the result Uint32Array codes: verdict (0 ready, 1 not ready, 2
   *   undetermined), then each table's output index (4294967295 = undecided), then each
   *   requirement's status (0 met, 1 not met, 2 unknown, 3 not applicable). `layout` names
   *   every position.
   */
  class Bulk {
    constructor(raw, layout, engine, checklist) {
      this.raw = raw;
      this.layout = layout;
      this.engine = engine;
      this.checklist = checklist;
      this.asOf = undefined;
      this.inputLength = raw.inputLength();
      this.outputLength = raw.outputLength();
      this.encoders = layout.facts.map(encoderOf);
      this.encode = null; // made on first use (see makeEncoder)
      this.build = null; // made on first use (see makeResult)
      this.tpl = null; // the report template, fetched on first use
      this.capacity = 0;
      this.input = null;
      this.output = null;
    }
    /**
     * One patient: returns { ok: Uint32Array } or { error }. A patient of the right length goes
     * through the resident buffers (no copies made by the bindings, no allocation inside the
     * module), any other through the copying call, whose error names the length.
     */
    assess(values) {
      try {
        if (values && values.length === this.inputLength && this.inputLength > 0) {
          this.views(1);
          // Converted as Int32Array.from converts (ToNumber, then ToInt32).
          this.input.set(values);
          if (this.raw.assessResident(1) !== 1) return parse(this.raw.error());
          return { ok: this.output.slice(0, this.outputLength) };
        }
        const out = new Uint32Array(this.outputLength);
        return this.raw.assess(Int32Array.from(values), out) ? { ok: out } : parse(this.raw.error());
      } catch (e) {
        return thrown(e);
      }
    }
    /**
     * Many patients back to back in one Int32Array (64 per pass inside the engine). Returns
     * { ok: Uint32Array } with outputLength codes per patient, or { error, done, codes } where the
     * error locates the first bad patient as $[patient][fact] and codes holds the `done` before it.
     */
    assessMany(values) {
      try {
        const input = values instanceof Int32Array ? values : Int32Array.from(values);
        const n = this.inputLength ? Math.floor(input.length / this.inputLength) : 0;
        const out = new Uint32Array(n * this.outputLength);
        const done = this.raw.assessMany(input, out);
        if (done === n && input.length === n * this.inputLength) return { ok: out };
        const err = parse(this.raw.error());
        return { error: err.error, done, codes: out.subarray(0, done * this.outputLength) };
      } catch (e) {
        return thrown(e);
      }
    }
    /** The encoder of JS objects into compact values, made once. */
    encoder() {
      if (!this.encode) this.encode = makeEncoder(this.encoders);
      return this.encode;
    }
    /** Views of the resident buffers for `n` patients (re-made when they move or memory grows). */
    views(n) {
      if (n > this.capacity) {
        // Refused only past the engine's cap on resident buffers (never for CHUNK patients of a
        // checklist of any sensible size): the caller's try gives the engine's error.
        if (this.inputLength && !this.raw.reserve(n)) throw new Error(parse(this.raw.error()).error.message);
        this.capacity = n;
        this.input = null;
      }
      // A view whose buffer was detached by memory growth has length 0.
      if (!this.input || this.input.length !== this.capacity * this.inputLength || this.input.length === 0) {
        this.input = new Int32Array(memory.buffer, this.raw.inputPtr(), this.capacity * this.inputLength);
        this.output = new Uint32Array(memory.buffer, this.raw.outputPtr(), this.capacity * this.outputLength);
      }
    }
    /** The result object of the codes at `at` in the resident output (see makeResult). */
    result(at) {
      if (!this.build) this.build = makeResult(this.layout);
      return this.build(this.output, at);
    }
    /** One patient through the engine's JSON path: the exact error, or the result from the report. */
    slow(facts) {
      // Always a JS value (a string is a wrong type here, never JSON text).
      const v = json(typeof facts === 'string' ? JSON.stringify(facts) : facts);
      if (v === null) return fail('WRONG_TYPE', 'the facts are not JSON');
      const r = call(() => this.engine.evaluate(v, this.checklist, this.asOf));
      if (r.error) return r;
      const report = r.ok;
      const pick = (status) => report.requirements.filter((q) => q.status === status).map((q) => q.id);
      const decisions = {};
      for (const d of report.decisions) decisions[d.id] = d.output;
      return { ok: { verdict: report.verdict, not_met: pick('not_met'), unknown: pick('unknown'), decisions } };
    }
    /**
     * One patient given as a JS object of answers (as `Engine.evaluate` takes): returns
     * { ok: { verdict, not_met, unknown, decisions } } or the engine's located error.
     */
    assessFacts(facts) {
      try {
        this.views(1);
        if (!this.encoder()(facts, this.input, 0) || this.raw.assessResident(1) !== 1) return this.slow(facts);
        return { ok: this.result(0) };
      } catch (e) {
        return thrown(e);
      }
    }
    /**
     * One patient's full report as a JS object (the object `Engine.evaluate` returns, key for
     * key): the engine writes codes and the text is named here from the checklist's template.
     */
    reportFacts(facts) {
      try {
        if (!this.tpl) {
          const t = call(() => this.engine.reportTemplate(this.checklist));
          if (t.error) return t;
          this.tpl = prepare(t.ok);
        }
        this.views(1);
        if (!this.encoder()(facts, this.input, 0)) return this.slowReport(facts);
        const n = this.raw.reportResident();
        if (!n) return this.slowReport(facts);
        return { ok: reportOf(this.tpl, new Uint32Array(memory.buffer, this.raw.reportPtr(), n)) };
      } catch (e) {
        return thrown(e);
      }
    }
    /** One patient's report through the engine's JSON path: the exact error, or the report. */
    slowReport(facts) {
      const v = json(typeof facts === 'string' ? JSON.stringify(facts) : facts);
      if (v === null) return fail('WRONG_TYPE', 'the facts are not JSON');
      return call(() => this.engine.evaluate(v, this.checklist, this.asOf));
    }
    /**
     * Many patients given as JS objects, 64 per pass inside the engine: { ok: results } (one
     * per patient, as `assessFacts`), or { error, done, results } where the error locates the
     * first bad patient as $[patient]… and results holds the `done` before it. Patients go
     * through the resident buffers CHUNK at a time (encode, assess, build), so the buffers
     * stay small and in cache however long the list.
     */
    assessManyFacts(list) {
      try {
        if (!Array.isArray(list)) return fail('WRONG_TYPE', 'give an array of patients (objects of answers)');
        const results = new Array(list.length);
        for (let base = 0; base < list.length; base += CHUNK) {
          const stopped = this.chunk(list, base, Math.min(CHUNK, list.length - base), results);
          if (stopped) return stopped;
        }
        return { ok: results };
      } catch (e) {
        return thrown(e);
      }
    }
    /** Patients `base` to `base + m` of `list` into `results`; on a bad patient, the batch's { error, done, results }. */
    chunk(list, base, m, results) {
      const ni = this.inputLength;
      this.views(m);
      const encode = this.encoder();
      let slow = null;
      let stop = m;
      let stopError = null;
      for (let i = 0; i < m; i++) {
        if (encode(list[base + i], this.input, i * ni)) continue;
        // Not plainly encodable: the engine decides (and the row is left unknown meanwhile).
        this.input.fill(UNKNOWN, i * ni, (i + 1) * ni);
        const r = this.slow(list[base + i]);
        this.views(m); // the engine's JSON path may have grown memory
        if (r.error) {
          stop = i;
          stopError = within(r.error, base + i);
          break;
        }
        (slow = slow || new Map()).set(i, r.ok);
      }
      const done = stop ? this.raw.assessResident(stop) : 0;
      this.views(m); // memory may have grown inside the call
      if (!this.build) this.build = makeResult(this.layout);
      const { build, output, outputLength: no } = this;
      for (let i = 0; i < done; i++) results[base + i] = (slow && slow.get(i)) || build(output, i * no);
      if (done === m) return null;
      if (done < stop) {
        // A value the encoder passed but the engine refused (e.g. out of range): its exact error.
        const r = this.slow(list[base + done]);
        stopError = within(r.error || { ...parse(this.raw.error()).error, path: '$', diagnostics: [] }, base + done);
      }
      results.length = base + done;
      return { error: stopError, done: base + done, results };
    }
    /** The as-of date for the patients assessed next (`YYYY-MM-DD`; null to forget it). */
    setAsOf(asOf) {
      const r = call(() => this.raw.setAsOf(asOfText(asOf)));
      if (!r.error) this.asOf = r.ok === null ? undefined : r.ok;
      return r;
    }
    free() {
      release(this.raw);
    }
  }

  /** The result of loading an engine: { ok: Engine } (and the deprecated alias `engine`). */
  function opened(engine) {
    return { ok: engine, engine };
  }

  /** { ok: Engine } for a raw engine that loaded, or its load error (the raw engine freed). */
  function opening(make) {
    try {
      const engine = new Engine(make());
      const status = engine.status();
      if (status.error) {
        engine.free();
        return status;
      }
      return opened(engine);
    } catch (e) {
      return thrown(e);
    }
  }

  /** A compiled ruleset (national, or national plus an overlay), resident in WebAssembly. */
  class Engine {
    constructor(raw) {
      this.raw = raw;
    }
    /** A ruleset and overlays given as JSON text or objects: { ok: Engine } or { error }. */
    static load(ruleset, overlays = []) {
      const pending = notReady();
      if (pending) return pending;
      const base = json(ruleset);
      const extra = (Array.isArray(overlays) ? overlays : []).map(json);
      if (base === null || extra.includes(null)) return fail('WRONG_TYPE', 'a ruleset is not JSON');
      if (platform.compiled) {
        return fail(
          'RULESET_UNAVAILABLE',
          "this is the runtime build, which reads only the bundled rulesets compiled ahead of time (Engine.national): load JSON rulesets with the package's main entry",
        );
      }
      return opening(() => RawEngine.load(base, extra));
    }
    /**
     * The bundled national ruleset with bundled overlays by id, read from the package's
     * `rulesets/` folder (or `base`: a URL, or in Node a directory path): { ok: Engine } or { error }.
     */
    static async national(overlays = [], base = platform.rulesetBase) {
      const pending = notReady();
      if (pending) return pending;
      let texts;
      try {
        const root = platform.resolve(base);
        if (platform.compiled) {
          // Compiled ahead of time, one file per combination (`england-national+norfolk.hwrc`).
          const bytes = await platform.readBytes(new URL(`${['england-national', ...overlays].join('+')}.hwrc`, root));
          return opening(() => RawEngine.compiled(bytes));
        }
        texts = await Promise.all(
          ['england-national.json', ...overlays.map((id) => `overlays/${id}.json`)].map((p) => platform.readText(new URL(p, root))),
        );
      } catch (e) {
        return fail('RULESET_UNAVAILABLE', `a bundled ruleset could not be read: ${e && e.message ? e.message : e}`);
      }
      return Engine.load(texts[0], texts.slice(1));
    }
    status() {
      return call(() => this.raw.status());
    }
    schema() {
      return call(() => this.raw.schema());
    }
    /** Evaluates facts on a checklist, assessed on `asOf` (`YYYY-MM-DD`; absent: comparisons with it are unknown). */
    evaluate(facts, checklist = '', asOf = undefined) {
      const v = json(facts);
      return v === null
        ? fail('WRONG_TYPE', 'the facts are not JSON')
        : call(() => this.raw.evaluate(v, String(checklist), asOfText(asOf)));
    }
    /** What each compact input and output position means for a checklist. */
    layout(checklist = '') {
      return call(() => this.raw.layout(String(checklist)));
    }
    /** A resident bulk assessor over typed arrays: { ok: Bulk } or { error } (unknown checklist). */
    bulk(checklist = '') {
      const layout = this.layout(checklist);
      if (layout.error) return layout;
      try {
        return { ok: new Bulk(this.raw.bulk(String(checklist)), layout.ok, this.raw, String(checklist)) };
      } catch (e) {
        return thrown(e);
      }
    }
    /** A session for one patient: { ok: Session } or { error } (unknown checklist). */
    session(checklist = '') {
      try {
        const session = new Session(this.raw.session(String(checklist)), this.raw, String(checklist));
        const first = session.report();
        if (first.error) {
          session.free();
          return first;
        }
        return { ok: session };
      } catch (e) {
        return thrown(e);
      }
    }
    free() {
      release(this.raw);
    }
  }

  return { initHomeward, Engine, Session, Bulk, UNKNOWN };
}
