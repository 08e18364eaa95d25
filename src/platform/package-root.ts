import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installation's folder (package.json, migrations/, node_modules/), found upwards from this file, so paths
 * hold both when the code runs from its TypeScript sources under src/ and from the bundle `npm ci` builds under
 * dist/ (docs/decisions.md, "First start from a bundle").
 */
export const PACKAGE_ROOT: string = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'migrations'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no installation folder above ${from}`);
  }
}
