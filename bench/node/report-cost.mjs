// The cost of one full report (`Bulk.reportFacts`) on the shared workload, split into the
// engine's call and the naming in JavaScript. Two uses:
//   node report-cost.mjs time            ns per report: reportFacts, the engine call alone
//                                        (encode + reportResident), and encode + assess
//   node report-cost.mjs count N [js]    N engine calls (or N whole reportFacts with `js`), for
//                                        counting instructions with callgrind: run it with N
//                                        and with 0 and take the difference, e.g.
//   valgrind --tool=callgrind --smc-check=all-non-file \
//     node --no-liftoff --single-threaded --predictable report-cost.mjs count 4000
// (HOMEWARD_PKG = the package folder with homeward.node.js; default target/wasm-pkg.)
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from './workload.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(process.env.HOMEWARD_PKG || join(here, '..', '..', 'target', 'wasm-pkg'));
const homeward = await import(pathToFileURL(join(pkg, 'homeward.node.js')).href);
const must = (r) => {
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.ok;
};
must(await homeward.initHomeward());
const [mode = 'time', count = '0', what = 'wasm'] = process.argv.slice(2);
const W = generate(mode === 'time' ? 10000 : 1000);
const engine = must(homeward.Engine.load(W.homeward));
const bulk = must(engine.bulk('all'));
const P = W.patients;
must(bulk.reportFacts(P[0]));
const encode = bulk.encoder();

if (mode === 'time') {
  const time = (name, f) => {
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (let i = 0; i < P.length; i++) f(i);
      console.log(`${name}: ${Math.round(((performance.now() - t0) * 1e6) / P.length)} ns`);
    }
  };
  time('reportFacts', (i) => must(bulk.reportFacts(P[i])));
  time('encode + reportResident', (i) => {
    bulk.views(1);
    encode(P[i], bulk.input, 0);
    bulk.raw.reportResident();
  });
  time('encode + assessResident', (i) => {
    bulk.views(1);
    encode(P[i], bulk.input, 0);
    bulk.raw.assessResident(1);
  });
} else {
  // Patients encoded once, before counting: the count is the engine call (or reportFacts).
  const encoded = P.map((p) => {
    const row = new Int32Array(bulk.inputLength);
    encode(p, row, 0);
    return row;
  });
  let codes = 0;
  for (let i = 0; i < Number(count); i++) {
    if (what === 'js') {
      codes += must(bulk.reportFacts(P[i % P.length])).requirements.length;
    } else {
      bulk.views(1);
      bulk.input.set(encoded[i % P.length]);
      codes += bulk.raw.reportResident();
    }
  }
  console.log(`${count} calls, ${codes} codes`);
}
