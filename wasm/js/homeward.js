// Homeward for browsers and bundlers: the tagged { ok } / { error } API (see homeward-core.js)
// with the .wasm and the bundled rulesets fetched from beside this file, or from where
// `initHomeward(source)` and `Engine.national(overlays, base)` say (see platform.js).
import { makeHomeward } from './homeward-core.js';
import { browserPlatform } from './platform.js';
import * as glue from './homeward_wasm.js';

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = makeHomeward({ glue, ...browserPlatform() });
