import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { PACKAGE_ROOT } from '../package-root.ts';
import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/*
 * A newcomer's first `npm start` spent most of its time creating the embedded database (PGlite's initdb in
 * WebAssembly), applying every migration and seeding the demo. `npm ci` (the prepare script,
 * scripts/embedded-template.ts) now does that once, into node_modules/.cache: a migrated template, and a
 * demo template (migrated and seeded) for installations that show the demo. A first start on an empty data
 * folder copies one of them and applies only the migrations that came after it. Without templates
 * (installed with --ignore-scripts, or YUNGUAN_EMBEDDED_TEMPLATE=false) the first start builds everything as
 * before.
 */

const CACHE = path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'yunguan');
export const EMBEDDED_TEMPLATE_DIR = path.join(CACHE, 'embedded-template');
export const DEMO_TEMPLATE_DIR = path.join(CACHE, 'embedded-demo-template');

/** PostgreSQL's marker of an initialised data folder. */
const initialised = (dir: string) => existsSync(path.join(dir, 'PG_VERSION'));

/**
 * Builds a template into `dir`: from `from` (a template made earlier) or from nothing, with every migration
 * applied, then `prepare` (the demo seed), closed cleanly. Returns the migrations it applied.
 */
export async function buildEmbeddedTemplate(
  dir: string,
  options: { from?: string; prepare?: (db: Kysely<any>) => Promise<void> } = {},
): Promise<string[]> {
  const building = `${dir}.${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  if (options.from) cpSync(options.from, building, { recursive: true });
  const database = await openDatabase({ dataDir: building });
  let applied: string[];
  try {
    applied = await migrateToLatest(database.db);
    await options.prepare?.(database.db);
  } finally {
    await database.close();
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return applied;
}

/**
 * Fills an empty data folder (nothing but our lock file) from a template; true when it did. A folder that
 * holds anything else is never touched.
 */
export function initialiseFromTemplate(dataDir: string, template: string): boolean {
  if (!initialised(template) || initialised(dataDir)) return false;
  if (existsSync(dataDir) && readdirSync(dataDir).some((name) => name !== 'yunguan.lock')) return false;
  cpSync(template, dataDir, { recursive: true });
  return true;
}
