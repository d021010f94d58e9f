// Type-checked in CI against the installed package (`tsc --strict --module node16`): what a
// TypeScript project in Node sees through the package's exports and types.
import { initHomeward, Engine, type Loaded, type Report, type WrapperErrorCode } from 'homeward-wasm';

export async function verdict(facts: Record<string, boolean | number | string | string[] | null>): Promise<string> {
  const init = await initHomeward();
  if (init.error) return init.error.code;
  const loaded: Loaded = await Engine.national();
  if (loaded.error) return loaded.error.code;
  const result = loaded.ok.evaluate(facts, 'ward_discharge');
  if (result.error) return result.error.code;
  const report: Report = result.ok;
  const wrapperCodes: WrapperErrorCode[] = ['WASM_LOAD', 'NOT_INITIALISED', 'RULESET_UNAVAILABLE', 'INTERNAL'];
  return `${report.verdict} (${wrapperCodes.length} wrapper codes)`;
}
