// Homeward for the browser: a thin wrapper over the wasm-bindgen build that turns every call's
// JSON string into a tagged object, { ok } or { error }. Nothing here throws and nothing traps:
// bad input comes back as { error: { code, path, message, help, diagnostics } }.
import init, { Engine as RawEngine } from './homeward_wasm.js';

let ready = null;

/** Loads the WebAssembly module once (idempotent). */
export function initHomeward(moduleUrl) {
  if (!ready) ready = init(moduleUrl ? { module_or_path: moduleUrl } : undefined).then(() => ({ ok: true }), (e) => fail('WASM_LOAD', String(e)));
  return ready;
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

/** An as-of date for the engine: `YYYY-MM-DD` text, or undefined for none (the engine reads no clock). */
function asOfText(asOf) {
  return asOf === undefined || asOf === null ? undefined : String(asOf);
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

/** One patient's answers, resident in WebAssembly: each answer sends only the changed fact. */
export class Session {
  constructor(raw) {
    this.raw = raw;
  }
  /** Sends one answer through `method` (`set` or `update`). */
  answer(method, fact, value) {
    // A value is always a JS value (an enum option is a string), never JSON text.
    const v = json(value === undefined ? null : typeof value === 'string' ? JSON.stringify(value) : value);
    return v === null ? fail('WRONG_TYPE', 'the value is not JSON', `$["${fact}"]`) : call(() => this.raw[method](String(fact), v));
  }
  set(fact, value) {
    return this.answer('set', fact, value);
  }
  /** As set, but returns only { verdict, outstanding, unknown, statuses, open_questions, hidden_facts }. */
  update(fact, value) {
    return this.answer('update', fact, value);
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
    return call(() => this.raw.setChecklist(String(checklist)));
  }
  /** The as-of date ("today", `YYYY-MM-DD`; null to forget it); returns the new report. */
  setAsOf(asOf) {
    return call(() => this.raw.setAsOf(asOfText(asOf)));
  }
  free() {
    try {
      this.raw.free();
    } catch (_) {
      /* already freed */
    }
  }
}

/**
 * Bulk assessment over typed arrays (other systems, batch reports): a patient is one Int32Array
 * value per fact in schema order (UNKNOWN = -2147483648; bool 0/1; enum option index; int value;
 * date: day number since 1970-01-01;
 * set bit mask), the result Uint32Array codes: verdict (0 ready, 1 not ready, 2 undetermined),
 * then each table's output index (4294967295 = undecided), then each requirement's status
 * (0 met, 1 not met, 2 unknown, 3 not applicable). `layout` names every position.
 */
export class Bulk {
  constructor(raw, layout) {
    this.raw = raw;
    this.layout = layout;
    this.inputLength = raw.inputLength();
    this.outputLength = raw.outputLength();
  }
  /** One patient: returns { ok: Uint32Array } or { error }. */
  assess(values) {
    try {
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
  /** The as-of date for the patients assessed next (`YYYY-MM-DD`; null to forget it). */
  setAsOf(asOf) {
    return call(() => this.raw.setAsOf(asOfText(asOf)));
  }
  free() {
    try {
      this.raw.free();
    } catch (_) {
      /* already freed */
    }
  }
}

/** The compact input code for an unknown fact. */
export const UNKNOWN = -2147483648;

/** A compiled ruleset (national, or national plus an overlay), resident in WebAssembly. */
export class Engine {
  constructor(raw) {
    this.raw = raw;
  }
  /** A ruleset and overlays given as JSON text or objects. */
  static load(ruleset, overlays = []) {
    const base = json(ruleset);
    const extra = (Array.isArray(overlays) ? overlays : []).map(json);
    if (base === null || extra.includes(null)) return { error: fail('WRONG_TYPE', 'a ruleset is not JSON').error, engine: null };
    try {
      const engine = new Engine(RawEngine.load(base, extra));
      const status = engine.status();
      return status.error ? { error: status.error, engine: null } : { ok: status.ok, engine };
    } catch (e) {
      return { error: fail('INTERNAL', String(e)).error, engine: null };
    }
  }
  /** The bundled national ruleset (shipped beside the .wasm) with bundled overlays by id. */
  static async national(overlays = [], base = new URL('./rulesets/', import.meta.url)) {
    try {
      const get = async (path) => {
        const r = await fetch(new URL(path, base));
        if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
        return r.text();
      };
      const national = await get('england-national.json');
      const extra = await Promise.all(overlays.map((id) => get(`overlays/${id}.json`)));
      return Engine.load(national, extra);
    } catch (e) {
      return { error: fail('RULESET_UNAVAILABLE', String(e)).error, engine: null };
    }
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
    return v === null ? fail('WRONG_TYPE', 'the facts are not JSON') : call(() => this.raw.evaluate(v, String(checklist), asOfText(asOf)));
  }
  /** What each compact input and output position means for a checklist. */
  layout(checklist = '') {
    return call(() => this.raw.layout(String(checklist)));
  }
  /** A resident bulk assessor over typed arrays, or { error } for an unknown checklist. */
  bulk(checklist = '') {
    const layout = this.layout(checklist);
    if (layout.error) return layout;
    try {
      return { ok: new Bulk(this.raw.bulk(String(checklist)), layout.ok) };
    } catch (e) {
      return thrown(e);
    }
  }
  session(checklist = '') {
    try {
      return new Session(this.raw.session(String(checklist)));
    } catch (e) {
      return null;
    }
  }
  free() {
    try {
      this.raw.free();
    } catch (_) {
      /* already freed */
    }
  }
}
