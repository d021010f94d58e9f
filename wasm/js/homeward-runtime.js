// Homeward's runtime build for browsers: the same tagged { ok } / { error } API as homeward.js
// (see homeward-core.js) over a .wasm a third smaller (homeward_runtime_bg.wasm), which reads the
// bundled rulesets compiled ahead of time (rulesets/*.hwrc, written by the same build) instead
// of decoding, checking and compiling their JSON. `Engine.national(overlays, base)` works as in
// homeward.js for the bundled combinations; `Engine.load` (a JSON ruleset of your own) needs
// homeward.js and returns RULESET_UNAVAILABLE here.
import { makeHomeward } from './homeward-core.js';
import * as glue from './homeward_runtime.js';

function withSlash(url) {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

async function fetched(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}

const api = makeHomeward({
  glue,
  compiled: true,
  // undefined: wasm-bindgen fetches homeward_runtime_bg.wasm beside its own module.
  wasmSource: (source) => source,
  readText: async (url) => (await fetched(url)).text(),
  readBytes: async (url) => new Uint8Array(await (await fetched(url)).arrayBuffer()),
  resolve: (base) => withSlash(base instanceof URL ? base : new URL(String(base), globalThis.document?.baseURI ?? import.meta.url)),
  rulesetBase: new URL('./rulesets/', import.meta.url),
});

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = api;
