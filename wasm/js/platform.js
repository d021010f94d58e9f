// How the browser entries (homeward.js, homeward-runtime.js) reach their files: the .wasm is
// fetched by wasm-bindgen beside its own module unless `initHomeward(source)` names it, and
// rulesets and compiled rulesets are fetched from beside this file or from the base URL
// `Engine.national(overlays, base)` is given (relative to the page). One module for both
// builds, so the two cannot drift apart.

/** `url` with a trailing slash, so files resolve inside it. */
export function withSlash(url) {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

async function fetched(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}

/** The platform part of `makeHomeward`'s argument (see homeward-core.js). */
export function browserPlatform() {
  return {
    // undefined: wasm-bindgen fetches its own *_bg.wasm beside its module.
    wasmSource: (source) => source,
    readText: async (url) => (await fetched(url)).text(),
    readBytes: async (url) => new Uint8Array(await (await fetched(url)).arrayBuffer()),
    resolve: (base) => withSlash(base instanceof URL ? base : new URL(String(base), globalThis.document?.baseURI ?? import.meta.url)),
    rulesetBase: new URL('./rulesets/', import.meta.url),
  };
}
