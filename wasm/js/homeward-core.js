// Homeward's JavaScript API, shared by the browser entry (homeward.js) and the Node entry
// (homeward.node.js): a thin wrapper over the wasm-bindgen build that turns every call's JSON
// string into a tagged object. Every call returns { ok } or { error } (free() returns nothing);
// nothing throws and nothing traps. Errors are { code, path, message, help, diagnostics }: the
// engine's codes (docs/report-format.md), plus four from this wrapper:
//   WASM_LOAD            the .wasm could not be fetched, read or instantiated
//   NOT_INITIALISED      a call before `await initHomeward()` succeeded
//   RULESET_UNAVAILABLE  Engine.national() could not read a bundled ruleset file
//   INTERNAL             an exception escaped the module (a bug: please report it)
// The platform supplies how to load the .wasm and read a ruleset file (fetch in browsers, the
// file system in Node); this module is not exported from the package.
import init, { Engine as RawEngine } from './homeward_wasm.js';

/** The compact input code for an unknown fact. */
export const UNKNOWN = -2147483648;

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
 * Builds the API over a platform: `{ wasmSource(source) → Promise<module_or_path>,
 * readText(url) → Promise<string>, rulesetBase: URL }`.
 */
export function makeHomeward(platform) {
  let ready = null;
  let loaded = false;

  /** Loads the WebAssembly module once; a failed attempt may be retried. */
  function initHomeward(source) {
    if (!ready) {
      ready = Promise.resolve()
        .then(() => platform.wasmSource(source))
        .then((module_or_path) => init(module_or_path === undefined ? undefined : { module_or_path }))
        .then(
          () => {
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
      release(this.raw);
    }
  }

  /**
   * Bulk assessment over typed arrays (other systems, batch reports): a patient is one Int32Array
   * value per fact in schema order (UNKNOWN = -2147483648; bool 0/1; enum option index; int value;
   * date: day number since 1970-01-01; set bit mask), the result Uint32Array codes: verdict (0 ready, 1 not ready, 2 undetermined),
   * then each table's output index (4294967295 = undecided), then each requirement's status
   * (0 met, 1 not met, 2 unknown, 3 not applicable). `layout` names every position.
   */
  class Bulk {
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
      release(this.raw);
    }
  }

  /** The result of loading an engine: { ok: Engine } (and the deprecated alias `engine`). */
  function opened(engine) {
    return { ok: engine, engine };
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
      try {
        const engine = new Engine(RawEngine.load(base, extra));
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
        return { ok: new Bulk(this.raw.bulk(String(checklist)), layout.ok) };
      } catch (e) {
        return thrown(e);
      }
    }
    /** A session for one patient: { ok: Session } or { error } (unknown checklist). */
    session(checklist = '') {
      try {
        const session = new Session(this.raw.session(String(checklist)));
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
