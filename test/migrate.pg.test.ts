import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest, migrationStatus } from '../src/platform/db/migrate.ts';
import { requirePostgres } from './helpers.ts';

const url = requirePostgres();
const schema = `test_${randomBytes(6).toString('hex')}`;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

beforeAll(() => admin(`create schema ${schema}`));
afterAll(() => admin(`drop schema if exists ${schema} cascade`));

describe('migrations on a real PostgreSQL', () => {
  it('two instances starting together apply each migration exactly once', async () => {
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const [a, b] = await Promise.all([
      openDatabase({ url: scoped.toString(), poolSize: 2 }),
      openDatabase({ url: scoped.toString(), poolSize: 2 }),
    ]);
    try {
      const [appliedA, appliedB] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      const all = readdirSync(MIGRATIONS_DIR)
        .filter((f) => /^\d{4}_.*\.ts$/.test(f))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort();
      expect([...appliedA, ...appliedB].sort()).toEqual(all);
      expect(await migrationStatus(a.db)).toEqual({ applied: all, pending: [] });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
