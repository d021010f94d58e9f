// Homeward for browsers and bundlers: the tagged { ok } / { error } API (see homeward-core.js)
// with the .wasm and the bundled rulesets fetched from beside this file, or from where
// `initHomeward(source)` and `Engine.national(overlays, base)` say.
import { makeHomeward } from './homeward-core.js';
import * as glue from './homeward_wasm.js';

function withSlash(url) {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

const api = makeHomeward({
  glue,
  // undefined: wasm-bindgen fetches homeward_wasm_bg.wasm beside its own module.
  wasmSource: (source) => source,
  readText: async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.text();
  },
  resolve: (base) => withSlash(base instanceof URL ? base : new URL(String(base), globalThis.document?.baseURI ?? import.meta.url)),
  rulesetBase: new URL('./rulesets/', import.meta.url),
});

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = api;
