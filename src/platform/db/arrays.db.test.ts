import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import { float8Array, int4Array, int8Array } from './arrays.ts';
import type { Database } from './database.ts';
import { prepared } from './prepared.ts';

let database: Database<DB>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

describe('number arrays bound as binary parameters (same on PGlite and PostgreSQL)', () => {
  const doubles = [0, -0, 1.5, -2.25, 1e-300, 1.7976931348623157e308, 0.1 + 0.2, Number.NaN, Infinity, -Infinity];
  const ints = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 42];
  const bigs = [0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 1_765_000_000_123, -1_765_000_000_123, 2 ** 32, -(2 ** 32)];

  it('round-trips every value bit for bit, in order, as one parameter each, prepared or not', async () => {
    for (const mark of [sql``, prepared]) {
      const { rows } = await sql<{ d: string[]; i: number[]; b: string[]; n: number }>`${mark}
        select (select array_agg(v::text order by o) from unnest(${float8Array(doubles)}::float8[]) with ordinality t(v, o)) as d,
          ${int4Array(ints)}::int[] as i,
          (select array_agg(v::text order by o) from unnest(${int8Array(bigs)}::int8[]) with ordinality t(v, o)) as b,
          cardinality(${float8Array(doubles)}::float8[]) as n`.execute(database.db);
      const row = rows[0];
      expect(row?.n).toBe(doubles.length);
      expect(row?.d.map(Number)).toEqual(doubles.map((v) => (Object.is(v, -0) ? -0 : v)));
      expect(row?.d[1]).toBe('-0');
      expect(row?.i).toEqual(ints);
      expect(row?.b).toEqual(bigs.map(String));
    }
  });

  it('binds empty arrays', async () => {
    const { rows } = await sql<{ d: number; i: number; b: number }>`
      select coalesce(cardinality(${float8Array([])}::float8[]), -1) as d, cardinality(${int4Array([])}::int[]) as i,
        cardinality(${int8Array([])}::int8[]) as b`.execute(database.db);
    expect(rows[0]).toEqual({ d: 0, i: 0, b: 0 });
  });

  it('refuses what the element type cannot hold before anything is sent', () => {
    expect(() => int4Array([2 ** 31])).toThrow(RangeError);
    expect(() => int4Array([1.5])).toThrow(RangeError);
    expect(() => int8Array([2 ** 53])).toThrow(RangeError);
    expect(() => int8Array([Number.NaN])).toThrow(RangeError);
  });
});
