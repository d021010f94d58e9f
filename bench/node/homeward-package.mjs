// The Homeward package the bench scripts measure, imported and initialised once: the folder
// named by HOMEWARD_PKG (holding homeward.node.js), by default target/wasm-pkg; and `must`,
// which takes the value of an `{ ok }` answer and throws an `{ error }` one.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The package folder. */
export const pkg = resolve(process.env.HOMEWARD_PKG || join(here, '..', '..', 'target', 'wasm-pkg'));

/** The value of an `{ ok }` answer; an `{ error }` answer is thrown. */
export const must = (r) => {
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.ok;
};

/** The package's Node entry, initialised. */
export const homeward = await import(pathToFileURL(join(pkg, 'homeward.node.js')).href);
must(await homeward.initHomeward());
