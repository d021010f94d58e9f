// How the Node entries (homeward.node.js, homeward-runtime.node.js) reach their files: the
// .wasm and the rulesets are read from the package's own files. `initHomeward(source)` also
// takes a file path, a file: URL, an http(s) URL, bytes or a WebAssembly.Module;
// `Engine.national(overlays, base)` a directory path or URL. One module for both builds, so
// the two cannot drift apart (the runtime entry once took no paths).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { withSlash } from './platform.js';

/** A URL as given, or a file path as a file: URL. */
function toUrl(place) {
  if (place instanceof URL) return place;
  const text = String(place);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('file:') ? new URL(text) : pathToFileURL(text);
}

async function read(url) {
  if (url.protocol === 'file:') return new Uint8Array(await readFile(url));
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The platform part of `makeHomeward`'s argument, for the build whose .wasm is `wasmFile`. */
export function nodePlatform(wasmFile) {
  return {
    wasmSource: async (source) => {
      if (source === undefined || source === null) return readFile(new URL(`./${wasmFile}`, import.meta.url));
      if (typeof source === 'string' || source instanceof URL) return read(toUrl(source));
      return source; // bytes, a WebAssembly.Module, a Response or a promise of one
    },
    readText: async (url) => new TextDecoder().decode(await read(url)),
    readBytes: read,
    resolve: (base) => withSlash(toUrl(base)),
    rulesetBase: new URL('./rulesets/', import.meta.url),
  };
}
