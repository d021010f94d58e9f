// Homeward's runtime build for Node: homeward-runtime.js (compiled bundled rulesets only, a .wasm
// a third smaller) with the .wasm and the compiled rulesets read from the package's own files,
// or from the paths and URLs homeward.node.js takes (see platform.node.js).
import { makeHomeward } from './homeward-core.js';
import { nodePlatform } from './platform.node.js';
import * as glue from './homeward_runtime.js';

export const { initHomeward, Engine, Session, Bulk, UNKNOWN } = makeHomeward({ glue, compiled: true, ...nodePlatform('homeward_runtime_bg.wasm') });
