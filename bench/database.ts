import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import type { DB } from '../src/schema.ts';

/**
 * The database a bench runs on: a fresh schema of DATABASE_URL (or TEST_DATABASE_URL), dropped again by
 * `cleanup`, or an in-memory PGlite when neither is set.
 */
export async function openBenchDatabase(): Promise<{
  database: Database<DB>;
  kind: string;
  cleanup: () => Promise<void>;
}> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase<DB>({ dataDir: undefined });
    return { database, kind: 'pglite', cleanup: () => database.close() };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const database = await openDatabase<DB>({ url: scoped.toString(), poolSize: 4 });
  return {
    database,
    kind: 'postgres',
    cleanup: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
