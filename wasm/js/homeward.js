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

function call(fn) {
  try {
    return parse(fn());
  } catch (e) {
    return fail('INTERNAL', String(e && e.message ? e.message : e));
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

/** One patient's answers, resident in WebAssembly: each answer sends only the changed fact. */
export class Session {
  constructor(raw) {
    this.raw = raw;
  }
  set(fact, value) {
    // A value is always a JS value (an enum option is a string), never JSON text.
    const v = json(value === undefined ? null : typeof value === 'string' ? JSON.stringify(value) : value);
    return v === null ? fail('WRONG_TYPE', 'the value is not JSON', `$["${fact}"]`) : call(() => this.raw.set(String(fact), v));
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
  free() {
    try {
      this.raw.free();
    } catch (_) {
      /* already freed */
    }
  }
}

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
  evaluate(facts, checklist = '') {
    const v = json(facts);
    return v === null ? fail('WRONG_TYPE', 'the facts are not JSON') : call(() => this.raw.evaluate(v, String(checklist)));
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
