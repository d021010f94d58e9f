// Homeward's runtime build for Node: homeward-runtime.js (compiled bundled rulesets only, a .wasm
// a third smaller) with the .wasm and the compiled rulesets read from the package's own files,
// as homeward.node.js reads the full build's.
import { readFile } from 'node:fs/promises';
import { makeHomeward } from './homeward-core.js';
import * as glue from './homeward_runtime.js';

function withSlash(url) {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

const api = makeHomeward({
  glue,
  compiled: true,
  wasmSource: async (source) => (source === undefined || source === null ? readFile(new URL('./homeward_runtime_bg.wasm', import.meta.url)) : source),
  readText: async (url) => readFile(url, 'utf8'),
  readBytes: async (url) => new Uint8Array(await readFile(url)),
  resolve: (base) => withSlash(base instanceof URL ? base : new URL(String(base))),
  rulesetBase: new URL('./rulesets/', import.meta.url),
});

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = api;
