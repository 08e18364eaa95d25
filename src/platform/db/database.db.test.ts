import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationNames, testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from './database.ts';
import { migrateToLatest, migrationStatus } from './migrate.ts';
import { prepared } from './prepared.ts';

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
  it('runs a statement marked prepared by name, with the same answers, errors and transactions as any other', async () => {
    const marked = (label: string | null, n: number, at: Date, day: string, tags: string[]) =>
      sql<{
        label: string | null;
        n: number;
        at: Date;
        day: string;
        tags: string[];
        big: bigint;
        blob: Uint8Array;
      }>`${prepared}
        select ${label}::text as label, ${n}::int as n, ${at}::timestamptz as at, ${day}::date as day,
               ${tags}::text[] as tags, 9007199254740993::int8 as big, ${new Uint8Array([0, 255, 7])}::bytea as blob`;
    const at = new Date('2026-10-01T08:30:00.000Z');
    for (const [label, n] of [
      ['第一次', 1],
      [null, 2],
      ["it's", 3],
    ] as const) {
      const { rows } = await marked(label, n, at, '2026-10-08', ['甲', 'b,c']).execute(database.db);
      expect(rows[0]).toMatchObject({ label, n, at, day: '2026-10-08', tags: ['甲', 'b,c'], big: 9007199254740993n });
      expect([...(rows[0]?.blob ?? [])]).toEqual([0, 255, 7]);
    }
    // it was prepared by name in the session that ran it
    const named = await database.db.transaction().execute(async (trx) => {
      await marked('x', 4, at, '2026-10-09', []).execute(trx);
      return (
        await sql<{
          statement: string;
        }>`select statement from pg_prepared_statements where name like 'yunguan_%'`.execute(trx)
      ).rows;
    });
    expect(named.some((r) => r.statement.includes('::bytea as blob'))).toBe(true);
    // a marked write commits like any other, and one inside a transaction that fails later is rolled back
    const insert = (db: typeof database.db, label: string) =>
      db
        .insertInto('probe' as never)
        .values({ label } as never)
        .modifyEnd(prepared)
        .execute();
    await insert(database.db, 'prepared-and-kept');
    await expect(
      database.db.transaction().execute(async (trx) => {
        await insert(trx, 'prepared-then-rolled-back');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // an error in a marked statement is the database's error, and the session goes on
    const failing = (n: number) => sql`${prepared} select 1 / ${n}::int as q`;
    await expect(failing(0).execute(database.db)).rejects.toMatchObject({ code: '22012' });
    expect((await failing(1).execute(database.db)).rows).toEqual([{ q: 1 }]);
    await expect(sql`${prepared} select no_such_column from probe`.execute(database.db)).rejects.toMatchObject({
      code: '42703',
    });
    const { rows } = await sql<{
      label: string;
    }>`select label from probe where label like 'prepared%'`.execute(database.db);
    expect(rows.map((r) => r.label)).toEqual(['prepared-and-kept']);
  });
});
