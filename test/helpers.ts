import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../src/platform/db/migrate.ts';
import type { Clock } from '../src/platform/time/clock.ts';
import type { DB } from '../src/schema.ts';
import { freshPostgresDatabase } from './templates.ts';

/** The migrated templates the suite's global setup made (test/global-setup.ts); none outside Vitest. */
function templates(): { pglite?: string; postgres?: string } {
  try {
    return { pglite: inject('pgliteTemplate'), postgres: inject('postgresTemplate') };
  } catch {
    return {};
  }
}

/**
 * A database of its own for one test file: a fresh database on TEST_DATABASE_URL's server when it is set,
 * copied from the migrated template (dropped again on close), otherwise an in-memory PGlite loaded from the
 * migrated template's dump. `migrate: false` leaves it empty.
 */
export async function testDatabase(options: { migrate?: boolean; poolSize?: number } = {}): Promise<Database<DB>> {
  const url = process.env.TEST_DATABASE_URL;
  const template = templates();
  const migrated = options.migrate !== false;
  let database: Database<DB>;
  if (url) {
    const fresh = await freshPostgresDatabase(url, { migrated, template: template.postgres });
    const inner = await openDatabase<DB>({ url: fresh.url, poolSize: options.poolSize ?? 5 });
    database = {
      ...inner,
      close: async () => {
        await inner.close();
        await fresh.drop();
      },
    };
  } else {
    const archive = migrated && template.pglite ? new Blob([await readFile(template.pglite)]) : undefined;
    database = await openDatabase<DB>({ dataDir: undefined, loadDataDir: archive });
  }
  // Applies nothing when the template is current; migrates in full without one.
  if (migrated) await migrateToLatest(database.db);
  return database;
}

/** A fresh, migrated database on TEST_DATABASE_URL's server for a test that needs its URL (child processes, own pools). */
export async function testDatabaseUrl(
  options: { migrate?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const template = templates().postgres;
  const fresh = await freshPostgresDatabase(requirePostgres(), { migrated: options.migrate !== false, template });
  if (options.migrate !== false && !template) {
    const database = await openDatabase<DB>({ url: fresh.url, poolSize: 2 });
    await migrateToLatest(database.db).finally(() => database.close());
  }
  return fresh;
}

export function requirePostgres(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('this suite needs TEST_DATABASE_URL=postgres://... (npm run test:pg)');
  return url;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // Event-loop shedding off unless a test asks for it: a slow shared CI machine must not turn a test's 503.
  return loadConfig({
    YUNGUAN_DATA_DIR: path.join(tmpdir(), 'yunguan-unused'),
    YUNGUAN_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Request limits far above what a test sends from its one address; the limit tests set their own.
    YUNGUAN_RATE_LIMIT_LOGIN: '100000',
    YUNGUAN_RATE_LIMIT_CREDENTIALS: '100000',
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  database: Database<DB>;
  close(): Promise<void>;
}

export async function testApp(
  options: { database?: Database<DB>; config?: Record<string, string>; clock?: Clock } = {},
): Promise<TestApp> {
  const database = options.database ?? (await testDatabase());
  const app = await buildApp({ config: testConfig(options.config), database, clock: options.clock });
  await app.ready();
  return {
    app,
    database,
    close: async () => {
      await app.close();
      // A database passed in belongs to the caller, who closes it.
      if (!options.database) await database.close();
    },
  };
}

export async function tempDir(prefix = 'yunguan-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function countRows(database: Database<DB>, table: keyof DB): Promise<number> {
  const { rows } = await sql<{ n: bigint }>`select count(*) as n from ${sql.table(table)}`.execute(database.db);
  return Number(rows[0]?.n ?? 0);
}

/** The names of the migrations in migrations/, in the order they apply (so tests need no edit per migration). */
export async function migrationNames(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR))
    .filter((f) => /^\d{4}_[a-z0-9_]+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}
