// Homeward for Node (the package's `node` export condition): the same tagged { ok } / { error }
// API as the browser entry (see homeward-core.js), with the .wasm and the bundled rulesets read
// from the package's own files. `initHomeward(source)` also takes a file path, a file: URL,
// bytes or a WebAssembly.Module; `Engine.national(overlays, base)` a directory path or URL.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { makeHomeward } from './homeward-core.js';
import * as glue from './homeward_wasm.js';

function withSlash(url) {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

function toUrl(place) {
  if (place instanceof URL) return place;
  const text = String(place);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('file:') ? new URL(text) : pathToFileURL(text);
}

async function read(url) {
  if (url.protocol === 'file:') return readFile(url);
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const api = makeHomeward({
  glue,
  wasmSource: async (source) => {
    if (source === undefined || source === null) return readFile(new URL('./homeward_wasm_bg.wasm', import.meta.url));
    if (typeof source === 'string' || source instanceof URL) return read(toUrl(source));
    return source; // bytes, a WebAssembly.Module, a Response or a promise of one
  },
  readText: async (url) => new TextDecoder().decode(await read(url)),
  resolve: (base) => withSlash(toUrl(base)),
  rulesetBase: new URL('./rulesets/', import.meta.url),
});

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = api;
