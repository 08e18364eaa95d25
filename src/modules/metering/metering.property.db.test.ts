import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/helpers.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import { rateWindow } from './metering.engine.ts';
import { addCatalogueVersion, addEvent, addResource, demoIds, type Ids } from './metering.fixtures.ts';
import { period } from './metering.period.ts';

// Property: for random event histories, rating October in one piece and as two pieces split at any
// second gives exactly the same quantity x seconds and price x seconds per resource and dimension, and
// amounts within one fen per line (each piece is rounded once on its own).

let database: Database<DB>;
let ids: Ids;
const OCT = period('2026-10');
const START = Date.parse('2026-09-20T00:00:00+08:00');
const END = Date.parse('2026-11-05T00:00:00+08:00');

beforeAll(async () => {
  database = await testDatabase();
  await seedDemo(database.db);
  ids = await demoIds(database.db);
  // a price change on 11 October, inside the month
  await addCatalogueVersion(database.db, ids.city, '2026-10-11', [
    { item: 'cloud-vm', dimension: 'vcpu', unitPrice: '61.3333' },
    { item: 'cloud-vm', dimension: 'memory_gb', unitPrice: '19.99' },
    { item: 'cloud-vm', dimension: 'storage_gb', unitPrice: '0.4567' },
  ]);
});

afterAll(async () => {
  await database?.close();
});

const kind = fc.constantFrom('resized', 'suspended', 'resumed', 'reclaimed', 'resized');
const quantities = fc.record({
  vcpu: fc.integer({ min: 1, max: 64 }),
  memory_gb: fc.integer({ min: 1, max: 512 }),
  storage_gb: fc.integer({ min: 0, max: 4000 }),
});
const history = fc.record({
  delivered: fc.integer({ min: START, max: END }),
  first: quantities,
  later: fc.array(fc.record({ at: fc.integer({ min: START, max: END }), kind, q: quantities }), { maxLength: 8 }),
  split: fc.integer({ min: 1, max: OCT.seconds - 1 }),
});

describe('rating is additive over time', () => {
  it('a month in one piece equals the month as two pieces (to one fen per line)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const db = database.db;
        const id = await addResource(db, {
          organisationId: ids.health,
          jurisdictionId: ids.city,
          providerId: ids.providerA,
          name: `prop-${n++}`,
        });
        const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
        await addEvent(db, id, 'delivered', iso(h.delivered), h.first);
        for (const e of h.later) {
          const q = e.kind === 'suspended' || e.kind === 'reclaimed' ? {} : e.q;
          await addEvent(db, id, e.kind, iso(Math.max(e.at, h.delivered)), q);
        }
        const asOf = new Date(END + 86_400_000);
        const mid = new Date(OCT.start.getTime() + h.split * 1000);
        const whole = await rateWindow(db, 'demo-city', OCT, asOf, [id]);
        const first = await rateWindow(db, 'demo-city', { ...OCT, end: mid }, asOf, [id]);
        const second = await rateWindow(db, 'demo-city', { ...OCT, start: mid }, asOf, [id]);
        for (const line of whole) {
          const parts = [...first, ...second].filter((l) => l.dimension === line.dimension);
          const sum = (f: (l: (typeof parts)[number]) => string) => parts.map(f).reduce(addDecimal, '0');
          expect(
            compareDecimal(
              sum((l) => l.price_seconds),
              line.price_seconds,
            ),
          ).toBe(0);
          expect(
            compareDecimal(
              sum((l) => l.quantity_seconds),
              line.quantity_seconds,
            ),
          ).toBe(0);
          const fenParts = parts.reduce((a, l) => a + BigInt(l.amount_fen), 0n);
          const diff = fenParts - BigInt(line.amount_fen);
          expect(diff >= -1n && diff <= 1n).toBe(true);
        }
        // no dimension appears in the halves that the whole month lacks
        for (const l of [...first, ...second]) expect(whole.some((w) => w.dimension === l.dimension)).toBe(true);
      }),
      { numRuns: 60, seed: 20261001 },
    );
  }, 300_000);
});

/** Exact decimal addition on strings (scaled bigint). */
function addDecimal(a: string, b: string): string {
  const scale = Math.max(frac(a), frac(b));
  const sum = scaled(a, scale) + scaled(b, scale);
  return unscale(sum, scale);
}
function compareDecimal(a: string, b: string): number {
  const scale = Math.max(frac(a), frac(b));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x === y ? 0 : x < y ? -1 : 1;
}
const frac = (s: string) => (s.includes('.') ? (s.split('.')[1] as string).length : 0);
function scaled(s: string, scale: number): bigint {
  const [i, f = ''] = s.split('.');
  return BigInt(`${i}${f.padEnd(scale, '0')}`);
}
function unscale(v: bigint, scale: number): string {
  if (scale === 0) return v.toString();
  const s = v.toString().padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
}
