import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../src/platform/db/migrate.ts';
import type { Clock } from '../src/platform/time/clock.ts';
import type { DB } from '../src/schema.ts';

/**
 * A database of its own for one test file: a fresh schema on TEST_DATABASE_URL when it is set
 * (dropped again on close), otherwise an in-memory PGlite. `migrate: false` leaves it empty.
 */
export async function testDatabase(options: { migrate?: boolean } = {}): Promise<Database<DB>> {
  const url = process.env.TEST_DATABASE_URL;
  let database: Database<DB>;
  if (url) {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const inner = await openDatabase<DB>({ url: scoped.toString(), poolSize: 5 });
    database = {
      ...inner,
      close: async () => {
        await inner.close();
        const cleanup = new pg.Client({ connectionString: url });
        await cleanup.connect();
        await cleanup.query(`drop schema if exists ${schema} cascade`);
        await cleanup.end();
      },
    };
  } else {
    database = await openDatabase<DB>({ dataDir: undefined });
  }
  if (options.migrate !== false) await migrateToLatest(database.db);
  return database;
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
