// Homeward's runtime build for browsers: the same tagged { ok } / { error } API as homeward.js
// (see homeward-core.js) over a .wasm a third smaller (homeward_runtime_bg.wasm), which reads the
// bundled rulesets compiled ahead of time (rulesets/*.hwrc, written by the same build) instead
// of decoding, checking and compiling their JSON. `Engine.national(overlays, base)` works as in
// homeward.js for the bundled combinations; `Engine.load` (a JSON ruleset of your own) needs
// homeward.js and returns RULESET_UNAVAILABLE here.
import { makeHomeward } from './homeward-core.js';
import { browserPlatform } from './platform.js';
import * as glue from './homeward_runtime.js';

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = makeHomeward({ glue, compiled: true, ...browserPlatform() });
