import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { requirePostgres, type TestApp, testApp, testDatabase } from './helpers.ts';

// A burst larger than the pool waits for a connection; past the wait it is a 503 the client may retry
// (nothing was written), never a 500.
let schemaDb: Awaited<ReturnType<typeof testDatabase>>;
let t: TestApp;
let tiny: Awaited<ReturnType<typeof openDatabase<DB>>>;

beforeAll(async () => {
  requirePostgres();
  schemaDb = await testDatabase();
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(schemaDb.db);
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.searchParams.set('options', `-c search_path=${rows[0]?.schema}`);
  tiny = await openDatabase<DB>({ url: url.toString(), poolSize: 1, connectionTimeoutMs: 300 });
  await migrateToLatest(tiny.db);
  t = await testApp({ database: tiny });
});
afterAll(async () => {
  await t?.close();
  await tiny?.close();
  await schemaDb?.close();
});

it('answers 503 service_busy with Retry-After when every connection stays busy past the wait', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holding = tiny.db.connection().execute(async () => held);
  await new Promise((r) => setTimeout(r, 50));
  const res = await t.app.inject({ url: '/api/v1/jurisdictions/demo-city/policy' });
  release();
  await holding;
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('2');
  expect(res.json()).toMatchObject({ code: 'service_busy', status: 503 });
  expect((await t.app.inject({ url: '/api/v1/jurisdictions/demo-city/policy' })).statusCode).toBe(404);
});
