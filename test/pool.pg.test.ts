import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { type TestApp, testApp, testDatabaseUrl } from './helpers.ts';

// A burst larger than the pool waits for a connection; past the wait it is a 503 the client may retry
// (nothing was written), never a 500.
let fresh: Awaited<ReturnType<typeof testDatabaseUrl>>;
let t: TestApp;
let tiny: Awaited<ReturnType<typeof openDatabase<DB>>>;

beforeAll(async () => {
  fresh = await testDatabaseUrl();
  tiny = await openDatabase<DB>({ url: fresh.url, poolSize: 1, connectionTimeoutMs: 300 });
  await migrateToLatest(tiny.db);
  t = await testApp({ database: tiny });
});
afterAll(async () => {
  await t?.close();
  await tiny?.close();
  await fresh?.drop();
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
