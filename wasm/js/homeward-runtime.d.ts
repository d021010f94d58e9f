// The runtime build (homeward-runtime.js): the same API and types as homeward.js. Its
// `Engine.national` reads the bundled rulesets compiled ahead of time; its `Engine.load`
// returns { error: { code: 'RULESET_UNAVAILABLE' } } (load JSON rulesets with homeward.js).
export * from './homeward.js';
