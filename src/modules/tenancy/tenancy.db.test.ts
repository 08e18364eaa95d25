import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../platform/audit/audit.ts';
import { seedDemoJurisdictions } from './tenancy.seed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('jurisdictions', () => {
  it('the demo seed creates a city cloud with two district clouds, each audited, once', async () => {
    const created = await t.database.db.transaction().execute((trx) => seedDemoJurisdictions(trx, SYSTEM_ACTOR));
    expect(created).toBe(3);
    const again = await t.database.db.transaction().execute((trx) => seedDemoJurisdictions(trx, SYSTEM_ACTOR));
    expect(again).toBe(0);
    expect(await countRows(t.database, 'jurisdiction')).toBe(3);
    expect(await countRows(t.database, 'audit_event')).toBe(3);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  it('lists the tree through the API: the city first, its districts pointing at it', async () => {
    const res = await t.app.inject('/api/v1/jurisdictions');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { code: string; kind: string; parentCode: string | null; policyPack: string }[];
    expect(items.map((j) => [j.code, j.kind, j.parentCode])).toEqual([
      ['demo-city', 'city', null],
      ['demo-east', 'district', 'demo-city'],
      ['demo-west', 'district', 'demo-city'],
    ]);
    expect(items.every((j) => j.policyPack === 'shanghai-2022')).toBe(true);
  });

  it('reads one jurisdiction by code', async () => {
    const res = await t.app.inject('/api/v1/jurisdictions/demo-east');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      code: 'demo-east',
      name: '示范市东城区政务云',
      nameEn: 'Demo City East District Cloud',
    });
  });

  it('the database refuses a district without a parent and a city with one', async () => {
    await expect(
      t.database.db
        .insertInto('jurisdiction')
        .values({ code: 'orphan', name: '孤', name_en: 'Orphan', kind: 'district', parent_id: null })
        .execute(),
    ).rejects.toThrow(/jurisdiction_parent_check/);
  });
});
