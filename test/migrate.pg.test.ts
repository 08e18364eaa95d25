import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest, migrationStatus } from '../src/platform/db/migrate.ts';
import { testDatabaseUrl } from './helpers.ts';

let fresh: Awaited<ReturnType<typeof testDatabaseUrl>>;
beforeAll(async () => {
  fresh = await testDatabaseUrl({ migrate: false });
});
afterAll(() => fresh?.drop());

describe('migrations on a real PostgreSQL', () => {
  it('two instances starting together apply each migration exactly once', async () => {
    const [a, b] = await Promise.all([
      openDatabase({ url: fresh.url, poolSize: 2 }),
      openDatabase({ url: fresh.url, poolSize: 2 }),
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
