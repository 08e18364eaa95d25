import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, testDatabaseUrl } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import { suspendFulfilmentHandlers } from './index.ts';
import { project, vm, withSystem } from './orders.fixtures.ts';

// 200 concurrent placements against one project's remaining quota, repeated 20 times, on PostgreSQL:
// the reservation is taken under a row lock on the project inside the placing transaction, so the
// accepted total can never exceed the quota, and every refusal is a clear quota_exceeded problem.
const CLIENTS = Number(process.env.ORDERS_CLIENTS ?? 200);
const ROUNDS = Number(process.env.ORDERS_ROUNDS ?? 20);
let t: TestApp;
let applicant: Session;
let restore: () => void;
let database: Database<DB>;
let dropSchema: () => Promise<void>;

/**
 * A fresh schema like test/helpers.ts's testDatabase, but with a pool of 40 connections and a 60 s wait
 * for a free one. With the platform's pool (10 connections, 5 s connection timeout) 200 simultaneous
 * requests into one Node process queue for a connection longer than 5 s and the tail is answered 500
 * "timeout exceeded when trying to connect", which is about capacity, not about the quota under test.
 */
async function bigPoolDatabase(): Promise<Database<DB>> {
  const fresh = await testDatabaseUrl();
  dropSchema = fresh.drop;
  // The platform's exact parsers: int8 as bigint, numeric as string, date as string.
  const exact: Record<number, (v: string) => unknown> = { 20: (v) => BigInt(v), 1700: (v) => v, 1082: (v) => v };
  const pool = new pg.Pool({
    connectionString: fresh.url,
    max: 40,
    connectionTimeoutMillis: 60_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        exact[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

beforeAll(async () => {
  database = await bigPoolDatabase();
  t = await testApp({ database, clock: new ManualClock('2026-09-29T02:00:00Z') });
  await seedDemo(t.database.db);
  applicant = await login(t.app, 'applicant');
  restore = suspendFulfilmentHandlers();
}, 120_000);
afterAll(async () => {
  restore?.();
  await t?.close();
  await database?.close();
  await dropSchema?.();
});

describe('concurrent orders against one project quota (PostgreSQL)', () => {
  it(`${CLIENTS} concurrent placements, ${ROUNDS} times: accepted total <= quota, none lost, every refusal clear`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Remaining quota: 37 vCPU; each order asks for 1 or 2 (so the last fitting one depends on the race).
      const projectId = await project(t.database.db, 'demo-health', {
        vcpu: 37,
        memory_gb: 10_000,
        storage_gb: 100_000,
      });
      const sizes = Array.from({ length: CLIENTS }, (_, i) => 1 + (i % 2));
      const answers = await Promise.all(
        sizes.map((vcpu, i) =>
          as(t.app, applicant, {
            method: 'POST',
            url: '/api/v1/orders',
            payload: withSystem({
              type: 'new_resources',
              title: `round ${round} #${i}`,
              projectId,
              lines: [vm(vcpu, 1)],
            }),
          }),
        ),
      );
      let accepted = 0;
      let acceptedVcpu = 0;
      let refused = 0;
      answers.forEach((res, i) => {
        if (res.statusCode === 201) {
          accepted++;
          acceptedVcpu += sizes[i] as number;
        } else {
          expect(res.statusCode, res.body).toBe(409);
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.json().code).toBe('quota_exceeded');
          expect(res.json().detail).toContain('vcpu');
          refused++;
        }
      });
      expect(accepted + refused).toBe(CLIENTS);
      expect(acceptedVcpu).toBeLessThanOrEqual(37);
      expect(acceptedVcpu).toBeGreaterThanOrEqual(36); // nothing lost: the quota is used up to the last unit that fits
      const stored = await t.database.db
        .selectFrom('resource_order')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(accepted);
      const usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
      expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu').reserved).toBe(
        String(acceptedVcpu),
      );
    }
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  }, 600_000);
});
