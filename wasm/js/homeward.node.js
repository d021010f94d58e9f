// Homeward for Node (the package's `node` export condition): the same tagged { ok } / { error }
// API as the browser entry (see homeward-core.js), with the .wasm and the bundled rulesets read
// from the package's own files. `initHomeward(source)` also takes a file path, a file: URL,
// bytes or a WebAssembly.Module; `Engine.national(overlays, base)` a directory path or URL
// (see platform.node.js).
import { makeHomeward } from './homeward-core.js';
import { nodePlatform } from './platform.node.js';
import * as glue from './homeward_wasm.js';

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = makeHomeward({ glue, ...nodePlatform('homeward_wasm_bg.wasm') });
