import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator, sql } from 'kysely';
import { PACKAGE_ROOT } from '../package-root.ts';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');
const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.ts$/;

/**
 * Numbered TypeScript files in migrations/, applied in name order. A file is imported only when its migration
 * runs: a start with nothing to migrate reads the folder's names, not 50 modules.
 */
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => MIGRATION_FILE.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const load = () => importMigration(path.join(this.folder, file));
      migrations[file.replace(/\.ts$/, '')] = {
        up: async (db) => (await load()).up(db),
        // as Kysely does with a migration that has no down: nothing to undo
        down: async (db) => (await load()).down?.(db),
      };
    }
    return migrations;
  }
}

/**
 * A migration's module. This code runs either from its TypeScript source (a TypeScript loader is active) or
 * from the bundle under dist/, where tsx's loader is registered before the first migration is imported.
 */
let typescriptLoader: Promise<void> | undefined;
async function importMigration(file: string): Promise<Migration> {
  if (!import.meta.url.endsWith('.ts')) {
    typescriptLoader ??= import('tsx/esm/api').then(({ register }) => {
      register();
    });
    await typescriptLoader;
  }
  return (await import(pathToFileURL(file).href)) as Migration;
}

// Kysely looks for its bookkeeping tables in every schema unless told which one; name the current
// schema so databases with several schemas (one per test file, or per tenant later) stay apart.
async function migrator(db: Kysely<any>, folder = MIGRATIONS_DIR): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({
    db,
    provider: new FolderMigrationProvider(folder),
    migrationTableSchema: rows[0]?.schema ?? 'public',
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
    // Modules are built side by side, each in a block of migration numbers of its own (0021-0034 core flow,
    // 0040-0049 security, 0080-0089 data centres, ...), and land in any order: a block that sorts before one
    // already applied depends only on what was on main when it was written, so it is applied late, in order.
    allowUnorderedMigrations: true,
  });
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationStatus> {
  const all = await (await migrator(db)).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`migration ${migration ?? '(setup)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

/**
 * Applies every pending migration. Kysely's migrator holds a PostgreSQL advisory lock for the whole
 * run, so two instances starting together apply each migration once; the second finds nothing to do.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  onApplied: (name: string) => void = () => {},
): Promise<string[]> {
  const { error, results }: MigrationResultSet = await (await migrator(db)).migrateToLatest();
  const applied: string[] = [];
  for (const result of results ?? []) {
    if (result.status === 'Success') {
      applied.push(result.migrationName);
      onApplied(result.migrationName);
    }
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(failed, error);
  }
  return applied;
}
