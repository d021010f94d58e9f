// The one place the page touches the WebAssembly package: its runtime build
// (./pkg/homeward-runtime.js, a third smaller), which reads the bundled rulesets compiled ahead
// of time. Everything else talks to this adapter, whose every call returns { ok } or
// { error: { code, path, message } }: if the wrapper's shapes change (e.g. `engine.session()` returning { ok: Session }), only this
// file changes.
import { initHomeward, Engine } from './pkg/homeward-runtime.js';

/** Bundled overlays by the id the page uses. */
export const OVERLAYS = { national: [], norfolk: ['norfolk'] };
/** What each choice of local rules is called on the page and in the handover. */
export const OVERLAY_TITLES = { national: 'National (England)', norfolk: 'Norfolk (District Direct)' };

const loaded = new Map();

function failure(code, message) {
  return { error: { code, path: '$', message, help: '', diagnostics: [] } };
}

/** A tagged result whatever the wrapper returned: { ok }, { error }, or a bare value. */
function tagged(result, what) {
  if (result && typeof result === 'object' && ('ok' in result || 'error' in result)) {
    return result.error ? { error: result.error } : { ok: result.ok };
  }
  return result === null || result === undefined ? failure('INTERNAL', `${what} returned nothing`) : { ok: result };
}

/** One patient's answers inside the engine. */
class Session {
  constructor(raw) {
    this.raw = raw;
  }
  set(fact, value) {
    return tagged(this.raw.set(fact, value), 'set');
  }
  clear(fact) {
    return tagged(this.raw.clear(fact), 'clear');
  }
  report() {
    return tagged(this.raw.report(), 'report');
  }
  /** Sets "today" (`YYYY-MM-DD`) for rules that compare dates with it; returns the new report. */
  setAsOf(date) {
    return tagged(this.raw.setAsOf(date), 'setAsOf');
  }
  /** The answers the engine holds, as a facts object. */
  answers() {
    return tagged(this.raw.export(), 'export');
  }
  /** Replaces all answers at once (fails as a whole if any answer is refused). */
  load(facts) {
    return tagged(this.raw.import(facts), 'import');
  }
  free() {
    this.raw.free();
  }
}

/** The compiled national rules plus an overlay: { ok: { schema, session(checklist) } } or { error }. */
export function loadRules(overlay) {
  const key = OVERLAYS[overlay] ? overlay : 'national';
  if (!loaded.has(key)) loaded.set(key, open(OVERLAYS[key]));
  return loaded.get(key);
}

async function open(overlays) {
  const init = await initHomeward();
  if (init && init.error) return { error: init.error };
  const result = await Engine.national(overlays);
  const engine = result && (result.engine || (result.ok instanceof Engine ? result.ok : null));
  if (!engine) return { error: (result && result.error) || failure('INTERNAL', 'the rules did not load').error };
  const schema = tagged(engine.schema(), 'schema');
  if (schema.error) return schema;
  return {
    ok: {
      schema: schema.ok,
      session(checklist) {
        const made = tagged(engine.session(checklist), 'session');
        return made.error ? made : { ok: new Session(made.ok) };
      },
    },
  };
}
