import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, login } from './sessions.ts';

// Issue 15: machine calls (ingest, the data gateway) are limited per token. On the embedded database the
// counters are kept in memory (one process holds it), on PostgreSQL in the database; the answer is the same.
let t: TestApp;
let bearer: { authorization: string };
let other: { authorization: string };

beforeAll(async () => {
  t = await testApp({ config: { YUNGUAN_RATE_LIMIT_MACHINE: '3' } });
  await seedDemo(t.database.db);
  const provideradmin = await login(t.app, 'provideradmin');
  const token = async (name: string) => {
    const created = await as(t.app, provideradmin, {
      method: 'POST',
      url: '/api/v1/api-tokens',
      payload: { name, scopes: ['monitoring:ingest'], expiresInDays: 30 },
    });
    expect(created.statusCode, created.body).toBe(201);
    return { authorization: `Bearer ${created.json().token}` };
  };
  bearer = await token('prometheus');
  other = await token('vmagent');
}, 120_000);
afterAll(() => t?.close());

describe('the per-token limit on machine calls', () => {
  it('answers 429 with Retry-After past the limit, for that token only', async () => {
    const ingest = (headers: { authorization: string }) =>
      t.app.inject({ method: 'POST', url: '/api/v1/monitoring/samples', headers, payload: { series: [] } });
    for (let i = 0; i < 3; i++) expect((await ingest(bearer)).statusCode).toBe(200);
    const limited = await ingest(bearer);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await ingest(other)).statusCode).toBe(200);
  });
});
