import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import { seedDemo } from '../../seed.ts';
import { seedScaleInventory } from './index.ts';

// The list at more than the 10,000 rows it counts exactly (issue 24): keyset pages (`after` / `before`)
// against OFFSET pages, in orders with and without nulls, and the total an estimate above 10,000.

const COUNT = 10_500;
let t: TestApp;
let reviewer: Session;
let applicant: Session;
let healthId: string;

interface Page {
  items: { id: string; name: string; expiresOn: string | null }[];
  total: number;
  totalIsEstimate: boolean;
  nextCursor: string | null;
  previousCursor: string | null;
}

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  expect(await seedScaleInventory(t.database.db, SYSTEM_ACTOR, COUNT)).toBe(COUNT);
  healthId = (
    await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow()
  ).id;
  // Some expiry dates, many equal, the rest null: an order with ties and nulls for the cursor.
  await sql`update resource set expires_on = date '2027-01-01' + (substr(external_id, 7)::int % 7)
    where substr(external_id, 7)::int % 3 = 0`.execute(t.database.db);
  // Statistics after the change (what autovacuum does; the estimate above 10,000 comes from them).
  await sql`vacuum analyze resource`.execute(t.database.db);
  [reviewer, applicant] = (await Promise.all(['reviewer', 'applicant'].map((u) => login(t.app, u)))) as [
    Session,
    Session,
  ];
}, 240_000);
afterAll(() => t.close());

const list = async (who: Session, qs: string): Promise<Page> => {
  const res = await as(t.app, who, { url: `/api/v1/inventory/resources?${qs}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('keyset pages', () => {
  it.each([
    ['expiresOn', 'asc'],
    ['expiresOn', 'desc'],
    ['createdAt', 'desc'],
    ['name', 'asc'],
  ])('walk forward and back in %s %s as OFFSET pages do', async (sort, order) => {
    const base = `organisationId=${healthId}&sort=${sort}&order=${order}&limit=300`;
    const all = await list(reviewer, `organisationId=${healthId}&sort=${sort}&order=${order}&limit=500`);
    const total = all.total;
    expect(all.totalIsEstimate).toBe(false);
    const byOffset: string[] = [];
    for (let offset = 0; offset < total; offset += 500) {
      byOffset.push(
        ...(
          await list(reviewer, `organisationId=${healthId}&sort=${sort}&order=${order}&limit=500&offset=${offset}`)
        ).items.map((r) => r.id),
      );
    }
    expect(byOffset).toHaveLength(total);
    expect(new Set(byOffset).size).toBe(total);

    const pages: Page[] = [await list(reviewer, base)];
    expect(pages[0]?.previousCursor).toBeNull();
    while (pages.at(-1)?.nextCursor) {
      pages.push(await list(reviewer, `${base}&after=${encodeURIComponent(pages.at(-1)?.nextCursor as string)}`));
    }
    expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual(byOffset);
    expect(pages.every((p) => p.total === total)).toBe(true);
    // Back from the last page with `before`, page by page, to the first.
    const back: Page[] = [pages.at(-1) as Page];
    while (back.at(-1)?.previousCursor) {
      back.push(await list(reviewer, `${base}&before=${encodeURIComponent(back.at(-1)?.previousCursor as string)}`));
    }
    expect(back.length).toBe(pages.length);
    expect(
      back
        .reverse()
        .flatMap((p) => p.items.map((r) => r.id))
        .join(),
    ).toBe(byOffset.join());
  });

  it('refuses a cursor of another order, a cursor with an offset, both cursors, and a malformed one', async () => {
    const first = await list(reviewer, 'limit=10');
    const cursor = encodeURIComponent(first.nextCursor as string);
    const refused = async (qs: string, field: string) => {
      const res = await as(t.app, reviewer, { url: `/api/v1/inventory/resources?${qs}` });
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json())).toContain(field);
    };
    await refused(`limit=10&sort=name&after=${cursor}`, 'query.after');
    await refused(`limit=10&offset=10&after=${cursor}`, 'query.offset');
    await refused(`limit=10&after=${cursor}&before=${cursor}`, 'query.before');
    await refused('limit=10&after=bm90LWEtY3Vyc29y', 'query.after');
  });
});

describe('the total', () => {
  it('is counted up to 10,000 and estimated above, marked as such', async () => {
    const everything = await list(reviewer, 'limit=10');
    expect(everything.totalIsEstimate).toBe(true);
    expect(everything.total).toBeGreaterThan(10_000);
    // the planner's estimate from ANALYZE's statistics: near the count, not the count
    expect(Math.abs(everything.total - COUNT) / COUNT).toBeLessThan(0.3);
    const unit = await list(applicant, 'limit=10');
    const counted = await sql<{ n: number }>`select count(*)::int as n from resource
      where organisation_id in (select id from organisation where code in ('demo-health', 'demo-health-cdc'))`.execute(
      t.database.db,
    );
    expect(unit.totalIsEstimate).toBe(false);
    expect(unit.total).toBe(counted.rows[0]?.n);
    // A search counts what it finds, and says it counted.
    const found = await list(reviewer, 'q=vm-00001');
    expect(found.totalIsEstimate).toBe(false);
    expect(found.total).toBe(found.items.length);
  });
});
