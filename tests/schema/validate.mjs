// Validates every ruleset the project ships and reports produced by the CLI against the JSON
// Schemas in docs/schema, so other systems can rely on them. Usage: node validate.mjs REPORT...
// (report files are produced by `cargo xtask ci`). Ends with "N passed, N failed".
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const load = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));
const ruleset = ajv.compile(load('docs/schema/ruleset.schema.json'));
const report = ajv.compile(load('docs/schema/report.schema.json'));

let passed = 0, failed = 0;
function check(name, validate, value) {
  if (validate(value)) { passed++; return; }
  failed++;
  console.error(`FAIL ${name}:`, JSON.stringify(validate.errors.slice(0, 5), null, 2));
}

const rulesets = ['tests/fixtures/example-ruleset.json', 'tests/fixtures/dates-ruleset.json', 'core/rulesets/england-national.json',
  ...readdirSync(join(root, 'core/rulesets/overlays')).filter((f) => f.endsWith('.json')).map((f) => `core/rulesets/overlays/${f}`)];
for (const f of rulesets) check(f, ruleset, load(f));
for (const f of process.argv.slice(2)) {
  const text = readFileSync(f, 'utf8');
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const v = JSON.parse(line);
    check(`${f}:${i + 1}`, report, v.report ?? v.ok ?? v);
  }
}
console.log(`schema: ${rulesets.length} rulesets and ${passed + failed - rulesets.length} reports checked`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
