import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import { seedDemo } from '../../seed.ts';
import { createResource, recordResourceEvent, seedScaleInventory } from './index.ts';

// The inventory service's consistency rules, and the list (scope, filters, sort, paging, export) over a
// small scale seed.

let t: TestApp;
let applicant: Session;
let reviewer: Session;
let provider: Session;

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  expect(await seedScaleInventory(t.database.db, SYSTEM_ACTOR, 400)).toBe(400);
  // Idempotent: the same seed again makes nothing.
  expect(await seedScaleInventory(t.database.db, SYSTEM_ACTOR, 400)).toBe(0);
  [applicant, reviewer, provider] = (await Promise.all(
    ['applicant', 'reviewer', 'provider'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session];
}, 180_000);
afterAll(() => t.close());

async function org(code: string) {
  return t.database.db
    .selectFrom('organisation')
    .select(['id', 'jurisdiction_id'])
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
}

describe('recordResourceEvent keeps resource, intervals and events consistent', () => {
  it('delivered -> resized -> suspended -> resumed -> reclaimed; out-of-order and illegal transitions refused', async () => {
    const unit = await org('demo-health');
    const pa = await org('demo-provider-a');
    const db = t.database.db;
    const r = await db.transaction().execute((trx) =>
      createResource(trx, {
        organisation_id: unit.id,
        jurisdiction_id: unit.jurisdiction_id,
        provider_id: pa.id,
        catalogue_item_code: 'cloud-vm',
        name: 'svc-01',
        external_id: 'svc-01',
      }),
    );
    const ev = (
      kind: 'delivered' | 'resized' | 'suspended' | 'resumed' | 'reclaimed',
      at: string,
      q?: Record<string, number>,
    ) =>
      db.transaction().execute((trx) =>
        recordResourceEvent(trx, SYSTEM_ACTOR, {
          resourceId: r.id,
          kind,
          occurredAt: new Date(at),
          quantities: q,
          specification: q ? { vcpu: q.vcpu, memoryGb: q.memory_gb } : undefined,
          source: 'manual',
        }),
      );
    await expect(ev('resized', '2026-03-01T00:00:00Z', { vcpu: 8, memory_gb: 16 })).rejects.toThrow(
      /cannot be resized/,
    );
    await ev('delivered', '2026-03-01T00:00:00Z', { vcpu: 4, memory_gb: 8 });
    await expect(ev('delivered', '2026-03-02T00:00:00Z', { vcpu: 4, memory_gb: 8 })).rejects.toThrow();
    await ev('resized', '2026-03-10T00:00:00Z', { vcpu: 8, memory_gb: 16 });
    await expect(ev('suspended', '2026-03-05T00:00:00Z')).rejects.toThrow(/must not be before/);
    await ev('suspended', '2026-03-12T00:00:00Z');
    await ev('resumed', '2026-03-13T00:00:00Z');
    await ev('reclaimed', '2026-03-20T00:00:00Z');
    await expect(ev('resumed', '2026-03-21T00:00:00Z')).rejects.toThrow();

    const detail = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${r.id}` })).json();
    expect(detail.state).toBe('reclaimed');
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual([
      'delivered',
      'resized',
      'suspended',
      'resumed',
      'reclaimed',
    ]);
    expect(detail.events.map((e: { quantities: unknown }) => e.quantities)).toEqual([
      { vcpu: 4, memory_gb: 8 },
      { vcpu: 8, memory_gb: 16 },
      { vcpu: 8, memory_gb: 16 },
      { vcpu: 8, memory_gb: 16 },
      {},
    ]);
    expect(detail.intervals).toEqual([
      {
        validFrom: '2026-03-01T00:00:00.000Z',
        validTo: '2026-03-10T00:00:00.000Z',
        specification: { vcpu: 4, memoryGb: 8 },
        quantities: { vcpu: 4, memory_gb: 8 },
      },
      {
        validFrom: '2026-03-10T00:00:00.000Z',
        validTo: '2026-03-20T00:00:00.000Z',
        specification: { vcpu: 8, memoryGb: 16 },
        quantities: { vcpu: 8, memory_gb: 16 },
      },
    ]);
    // Events are append-only in the database itself.
    await expect(t.database.db.deleteFrom('resource_event').where('resource_id', '=', r.id).execute()).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('the inventory list', () => {
  it('shows each role its scope, filters, sorts and pages on the server', async () => {
    const health = await org('demo-health');
    const pa = await org('demo-provider-a');
    const unitList = (await as(t.app, applicant, { url: '/api/v1/inventory/resources?limit=500' })).json();
    // applicant acts for 卫健委 and sees it and its sub-unit (CDC)
    const cdc = await org('demo-health-cdc');
    expect(
      unitList.items.every((r: { organisationId: string }) => [health.id, cdc.id].includes(r.organisationId)),
    ).toBe(true);
    expect(unitList.total).toBeGreaterThan(0);

    const providerList = (await as(t.app, provider, { url: '/api/v1/inventory/resources?limit=1' })).json();
    const allA = await t.database.db
      .selectFrom('resource')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('provider_id', '=', pa.id)
      .executeTakeFirstOrThrow();
    expect(providerList.total).toBe(Number(allA.n));

    const city = (
      await as(t.app, reviewer, {
        url: '/api/v1/inventory/resources?limit=10&item=database-server&sort=name&order=asc',
      })
    ).json();
    expect(city.items).toHaveLength(10);
    expect(city.items.every((r: { catalogueItemCode: string }) => r.catalogueItemCode === 'database-server')).toBe(
      true,
    );
    const names = city.items.map((r: { name: string }) => r.name);
    expect(names).toEqual([...names].sort());
    const page2 = (
      await as(t.app, reviewer, {
        url: '/api/v1/inventory/resources?limit=10&offset=10&item=database-server&sort=name&order=asc',
      })
    ).json();
    expect(page2.items[0].name > names[9]).toBe(true);
    expect(page2.total).toBe(city.total);

    const text = (await as(t.app, reviewer, { url: '/api/v1/inventory/resources?q=vm-000007' })).json();
    expect(text.items.map((r: { name: string }) => r.name)).toEqual(['vm-000007']);
    const dev = (
      await as(t.app, reviewer, { url: '/api/v1/inventory/resources?purpose=development&limit=500' })
    ).json();
    expect(dev.total).toBe(8); // every 50th of 400
    const byUnit = (
      await as(t.app, reviewer, { url: `/api/v1/inventory/resources?organisationId=${health.id}&state=active&limit=1` })
    ).json();
    expect(byUnit.total).toBeGreaterThan(0);
    // A district's reviewer sees its district only, never the city's units.
    const eastReviewer = await login(t.app, 'eastreviewer');
    const east = await org('demo-east-civil');
    const district = (await as(t.app, eastReviewer, { url: '/api/v1/inventory/resources?limit=500' })).json();
    expect(district.total).toBe(80); // every 5th of 400, round-robin over five demo units
    expect(district.items.every((r: { organisationId: string }) => r.organisationId === east.id)).toBe(true);
    expect(
      (await as(t.app, eastReviewer, { url: `/api/v1/inventory/resources?organisationId=${health.id}` })).json().total,
    ).toBe(0);
  });

  it('exports CSV and .xlsx, formula-safe and audited', async () => {
    const unit = await org('demo-health');
    const pa = await org('demo-provider-a');
    await t.database.db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: unit.id,
        jurisdiction_id: unit.jurisdiction_id,
        provider_id: pa.id,
        catalogue_item_code: 'cloud-vm',
        name: '=cmd|calc',
        external_id: 'evil-1',
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-04-01T00:00:00Z'),
        quantities: { vcpu: 1 },
        source: 'manual',
      });
    });
    const csv = await as(t.app, applicant, { url: '/api/v1/inventory/resources/export?format=csv&q=evil' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain("'=cmd|calc");
    expect(csv.body).not.toMatch(/(^|,)=cmd/m);
    const xlsx = await as(t.app, applicant, { url: '/api/v1/inventory/resources/export?q=evil' });
    expect(xlsx.statusCode).toBe(200);
    const audited = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'inventory.exported')
      .execute();
    expect(audited).toHaveLength(2);
  });
});
