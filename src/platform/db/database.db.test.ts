import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationNames, testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from './database.ts';
import { migrateToLatest, migrationStatus } from './migrate.ts';
import { prepared } from './prepared.ts';
import { reusable, reusableByKeys, reusableRows } from './reusable.ts';

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

  it('answers a marked statement’s many and long rows whole, and counts the rows it changed', async () => {
    // long values and parameters outgrow the embedded driver's reused buffers (16 KiB at first; past 1 MiB an
    // answer's buffer is let go after the call), and the next call still reads right
    const long = '字'.repeat(30_000);
    for (const count of [12, 2]) {
      const { rows } = await sql<{ i: number; text: string }>`${prepared}
        select i, ${long}::text || i as text from generate_series(1, ${count}::int) as i`.execute(database.db);
      expect(rows.map((r) => [r.i, r.text.length, r.text.endsWith(String(r.i))])).toEqual(
        Array.from({ length: count }, (_, k) => [k + 1, 30_000 + String(k + 1).length, true]),
      );
    }
    await sql`insert into probe (label) values ('count-me'), ('count-me')`.execute(database.db);
    const result = await database.db
      .updateTable('probe' as never)
      .set({ label: 'counted' } as never)
      .where('label' as never, '=', 'count-me' as never)
      .modifyEnd(prepared)
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });
});

describe('statements compiled once (reusable)', () => {
  it('runs the compiled text with each run’s values; refuses an argument that is not a bound value', async () => {
    const db = database.db as unknown as Kysely<any>;
    const insert = reusable((d: Kysely<any>, row: { label: string }) => d.insertInto('probe').values(row), {
      record: ['label'],
    });
    const byLabel = reusable((d: Kysely<any>, label: string, min: number) =>
      d.selectFrom('probe').select('label').where('label', '=', label).where('id', '>=', min).orderBy('id'),
    );
    await insert.execute(db, { label: 'reused-1' });
    await insert.execute(db, { label: 'reused-2' });
    expect(await byLabel.execute(db, 'reused-2', 0)).toEqual([{ label: 'reused-2' }]);
    expect(await byLabel.first(db, 'reused-1', 0)).toEqual({ label: 'reused-1' });
    expect(await byLabel.execute(db, 'reused-1', 1_000_000)).toEqual([]);
    const unused = reusable((d: Kysely<any>, _label: string) => d.selectFrom('probe').select('label'));
    await expect(unused.execute(db, 'x')).rejects.toThrow('is not a bound value');
  });

  it('reusableByKeys compiles once per set of columns, leaving out undefined ones as Kysely does', async () => {
    const db = database.db as unknown as Kysely<any>;
    const { rows } = await sql<{ id: number }>`insert into probe (label) values ('by-keys') returning id`.execute(db);
    const id = rows[0]?.id as number;
    const update = reusableByKeys((d: Kysely<any>, set: Record<string, unknown>, at: number) =>
      d.updateTable('probe').set(set).where('id', '=', at).returning('label'),
    );
    expect(await update(db, { label: 'by-keys-2' }, id)).toEqual([{ label: 'by-keys-2' }]);
    expect(await update(db, { label: 'by-keys-3', id: undefined }, id)).toEqual([{ label: 'by-keys-3' }]);
  });

  it('reusableRows compiles once per number of rows', async () => {
    const db = database.db as unknown as Kysely<any>;
    const insert = reusableRows<any, { label: string }, { label: string }>(['label'], (d, rows) =>
      d.insertInto('probe').values(rows).returning('label'),
    );
    expect(await insert(db, [{ label: 'rows-1' }, { label: 'rows-2' }])).toEqual([
      { label: 'rows-1' },
      { label: 'rows-2' },
    ]);
    expect(await insert(db, [{ label: 'rows-3' }, { label: 'rows-4' }])).toEqual([
      { label: 'rows-3' },
      { label: 'rows-4' },
    ]);
    expect(await insert(db, [{ label: 'rows-5' }])).toEqual([{ label: 'rows-5' }]);
  });
});
