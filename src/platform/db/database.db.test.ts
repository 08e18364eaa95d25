import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationNames, testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from './database.ts';
import { migrateToLatest, migrationStatus } from './migrate.ts';

let database: Database<DB>;
beforeAll(async () => {
  database = await testDatabase();
  await sql`create table probe (id serial primary key, label text not null)`.execute(database.db);
});
afterAll(() => database.close());

describe('the database layer (same behaviour on PGlite and PostgreSQL)', () => {
  it('keeps int8 and numeric exact and calendar dates as plain dates', async () => {
    const { rows } = await sql<{ big: bigint; amount: string; day: string; at: Date }>`
      select 9007199254740993::int8 as big, 12345678901234.56::numeric(20, 2) as amount,
             date '2026-10-01' as day, timestamptz '2026-10-01 00:00:00+08' as at`.execute(database.db);
    expect(rows[0]).toEqual({
      big: 9007199254740993n,
      amount: '12345678901234.56',
      day: '2026-10-01',
      at: new Date('2026-09-30T16:00:00.000Z'),
    });
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into probe (label) values ('half-written')`.execute(trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await sql<{ n: bigint }>`select count(*) as n from probe where label = 'half-written'`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe(0n);
  });

  it('keeps concurrent transactions apart: no statement of one lands inside another', async () => {
    const work = Array.from({ length: 8 }, (_, i) =>
      database.db.transaction().execute(async (trx) => {
        await sql`insert into probe (label) values (${`tx-${i}`})`.execute(trx);
        await new Promise((r) => setTimeout(r, 5));
        if (i % 2 === 1) throw new Error(`rollback ${i}`);
        return i;
      }),
    );
    const outcomes = await Promise.allSettled(work);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    const { rows } = await sql<{
      label: string;
    }>`select label from probe where label like 'tx-%' order by label`.execute(database.db);
    expect(rows.map((r) => r.label)).toEqual(['tx-0', 'tx-2', 'tx-4', 'tx-6']);
  });

  it('reports every migration applied, and a second run applies nothing', async () => {
    expect(await migrationStatus(database.db)).toEqual({ applied: await migrationNames(), pending: [] });
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('answers ping, and reports pool statistics', async () => {
    await database.ping();
    const stats = database.poolStats();
    expect(stats.total).toBeGreaterThanOrEqual(1);
    expect(stats.waiting).toBe(0);
  });
});
