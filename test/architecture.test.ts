import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The module boundary (docs/architecture.md): a module's tables and SQL are its own; another module goes
// through its index.ts. Read from the sources, so a new file is covered without being listed.

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const MODULES = join(SRC, 'modules');
/** The one file outside the modules that reads their tables: it assembles Kysely's database type from them. */
const SCHEMA = join(SRC, 'schema.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module a file under src/modules belongs to (its first folder there), or null. */
function moduleOf(path: string): string | null {
  const rel = relative(MODULES, path);
  return rel.startsWith('..') ? null : (rel.split(sep)[0] ?? null);
}

/** Every relative module specifier of a file: imports, re-exports and dynamic imports. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(m[1] as string);
  }
  return found;
}

/** The imports of another module's *.table.ts or *.repository.ts, as "importer -> imported". */
function boundaryViolations(files: readonly string[], read: (path: string) => string): string[] {
  const bad: string[] = [];
  for (const file of files) {
    if (file === SCHEMA) continue;
    // outside src/modules (server start, platform, CLI) a file belongs to no module, so every module is another
    const own = moduleOf(file) ?? '';
    for (const spec of specifiers(read(file))) {
      const target = resolve(dirname(file), spec);
      const theirs = moduleOf(target);
      if (!theirs || theirs === own) continue;
      if (/\.(table|repository)\.ts$/.test(target)) {
        bad.push(`${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
      }
    }
  }
  return bad;
}

describe('module boundaries', () => {
  it('no module imports another module’s tables or repository: it goes through that module’s index.ts', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(100);
    expect(boundaryViolations(files, (path) => readFileSync(path, 'utf8'))).toEqual([]);
  });

  it('the check sees direct imports of another module’s table or repository, at any depth, and nothing else', () => {
    const at = (rel: string) => join(MODULES, rel);
    const files: Record<string, string> = {
      [at('orders/orders.service.ts')]: [
        "import { x } from '../inventory/index.ts';",
        "import type { Y } from '../inventory/inventory.table.ts';",
        "import * as repo from './orders.repository.ts';",
      ].join('\n'),
      [join(SRC, 'server.ts')]: "import { countJurisdictions } from './modules/tenancy/tenancy.repository.ts';",
      [SCHEMA]: "import type { OrganisationTable } from './modules/tenancy/tenancy.table.ts';",
      [at('provisioning/drivers/libvirt/libvirt.fulfil.ts')]:
        "export { z } from '../../../orders/orders.repository.ts';\nconst m = await import('../../provisioning.repository.ts');",
    };
    expect(boundaryViolations(Object.keys(files), (path) => files[path] as string)).toEqual([
      'src/modules/orders/orders.service.ts -> src/modules/inventory/inventory.table.ts',
      'src/server.ts -> src/modules/tenancy/tenancy.repository.ts',
      'src/modules/provisioning/drivers/libvirt/libvirt.fulfil.ts -> src/modules/orders/orders.repository.ts',
    ]);
  });
});
