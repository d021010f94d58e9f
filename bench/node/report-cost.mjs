// Instructions per full-report engine call (`Bulk.reportFacts` without the naming in
// JavaScript) on the shared workload, or per whole `reportFacts` with `js`, for counting with
// callgrind, which does not depend on the machine's speed: N calls over the first 1,000
// patients, encoded before counting. Run it with N and with 0 and take the difference:
//   valgrind --tool=callgrind --smc-check=all-non-file \
//     node --no-liftoff --single-threaded --predictable report-cost.mjs N [js]
// Times (public call against the bare engine call) are `wrapper-cost.mjs`'s.
// (HOMEWARD_PKG = the package folder with homeward.node.js; default target/wasm-pkg.)
import { generate } from './workload.mjs';
import { homeward, must } from './homeward-package.mjs';

const [count = '0', what = 'wasm'] = process.argv.slice(2);
const W = generate(1000);
const engine = must(homeward.Engine.load(W.homeward));
const bulk = must(engine.bulk('all'));
const P = W.patients;
must(bulk.reportFacts(P[0]));
const encode = bulk.encoder();
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
