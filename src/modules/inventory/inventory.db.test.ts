import { sql } from 'kysely';
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
    // recorded by the system: no person's name to show
    expect(detail.events.map((e: { actorName: unknown }) => e.actorName)).toEqual([null, null, null, null, null]);
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

describe('the list filters the console offers, and the text search', () => {
  type Listed = {
    items: {
      name: string;
      organisationId: string;
      providerId: string;
      systemId: string | null;
      projectId: string | null;
      catalogueItemCode: string;
      state: string;
      externalId: string | null;
    }[];
    total: number;
  };
  const list = async (session: Session, query: Record<string, string>): Promise<Listed> => {
    const res = await as(t.app, session, {
      url: `/api/v1/inventory/resources?${new URLSearchParams({ limit: '500', ...query })}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** The oracle: the same condition counted by the table owner, outside the API. */
  const owned = async (where: ReturnType<typeof sql<boolean>>) =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from resource r where ${where}`.execute(t.database.db)).rows[0]?.n,
    );
  const text = (q: string) =>
    sql<boolean>`(r.name ilike ${`%${q}%`} or r.external_id ilike ${`%${q}%`} or r.addresses::text ilike ${`%${q}%`})`;

  it('filters by using unit, provider, information system, project and item, alone and combined', async () => {
    const health = await org('demo-health');
    const pa = await org('demo-provider-a');
    const pb = await org('demo-provider-b');
    const db = t.database.db;
    const systems = await db
      .selectFrom('information_system')
      .select('id')
      .where('organisation_id', '=', health.id)
      .execute();
    const project = await db
      .selectFrom('project')
      .select('id')
      .where('name', '=', '全民健康信息平台二期')
      .executeTakeFirstOrThrow();
    // One resource of the unit's project (the scale seed puts none in a project), suspended and run by B.
    await db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        provider_id: pb.id,
        system_id: systems[0]?.id ?? null,
        project_id: project.id,
        catalogue_item_code: 'cloud-vm',
        name: 'project-vm-01',
        external_id: 'project-vm-01',
        addresses: JSON.stringify(['172.16.9.1', '172.16.9.2']),
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-05-01T00:00:00Z'),
        quantities: { vcpu: 2 },
        source: 'manual',
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'suspended',
        occurredAt: new Date('2026-05-02T00:00:00Z'),
        source: 'manual',
      });
    });

    // The scale seed's round robin: every 5th of 400 is the health commission's, every 4th provider B's.
    const unitOnly = await list(reviewer, { organisationId: health.id });
    expect(unitOnly.items.every((r) => r.organisationId === health.id)).toBe(true);
    expect(unitOnly.total).toBe(await owned(sql`r.organisation_id = ${health.id}`));
    const providerOnly = await list(reviewer, { providerId: pb.id });
    expect(providerOnly.items.every((r) => r.providerId === pb.id)).toBe(true);
    expect(providerOnly.total).toBe(101); // 100 of the seed and the project's VM
    const both = await list(reviewer, { organisationId: health.id, providerId: pb.id });
    expect(both.total).toBe(21); // g ≡ 12 (mod 20): 20, and the project's VM
    expect(both.items.every((r) => r.organisationId === health.id && r.providerId === pb.id)).toBe(true);
    const active = await list(reviewer, { organisationId: health.id, providerId: pb.id, state: 'active' });
    expect(active.total).toBe(20);
    expect(active.items.map((r) => r.name)).not.toContain('project-vm-01');
    expect(
      (await list(reviewer, { organisationId: health.id, providerId: pb.id, state: 'suspended' })).items.map(
        (r) => r.name,
      ),
    ).toEqual(['project-vm-01']);
    const items = await list(reviewer, { organisationId: health.id, providerId: pa.id, item: 'database-server' });
    expect(items.total).toBe(0); // the seed's database servers are all provider B's
    expect((await list(reviewer, { providerId: pb.id, item: 'database-server' })).total).toBe(100);

    // Every resource the seed gave the health commission is in one of its systems; the systems split them.
    let inSystems = 0;
    for (const s of systems) {
      const bySystem = await list(reviewer, { systemId: s.id });
      expect(bySystem.items.every((r) => r.systemId === s.id && r.organisationId === health.id)).toBe(true);
      expect(bySystem.total).toBe(await owned(sql`r.system_id = ${s.id}`));
      expect(bySystem.total).toBeGreaterThan(0);
      inSystems += bySystem.total;
    }
    expect(inSystems).toBe(81); // 80 of the seed, and the project's VM
    const byProject = await list(reviewer, { projectId: project.id });
    expect(byProject.items.map((r) => r.name)).toEqual(['project-vm-01']);
    expect((await list(reviewer, { projectId: project.id, providerId: pa.id })).total).toBe(0);
    expect(
      (await list(reviewer, { projectId: project.id, systemId: systems[0]?.id as string, q: '172.16.9.2' })).items,
    ).toHaveLength(1);

    // The same filters from the unit's side: its own resources only, another unit's filter finds nothing.
    expect((await list(applicant, { providerId: pb.id, organisationId: health.id })).total).toBe(21);
    const education = await org('demo-education');
    expect((await list(applicant, { organisationId: education.id })).total).toBe(0);
    expect((await list(reviewer, { organisationId: education.id })).total).toBeGreaterThan(0);
    // ...and the provider's: only what it runs, whichever unit it asks for.
    expect((await list(provider, { organisationId: health.id, providerId: pb.id })).total).toBe(0);
    const runByA = await list(provider, { organisationId: health.id });
    expect(runByA.total).toBe(await owned(sql`r.organisation_id = ${health.id} and r.provider_id = ${pa.id}`));
    expect(runByA.items.every((r) => r.providerId === pa.id)).toBe(true);
    // A malformed filter is named in the problem.
    const bad = await as(t.app, reviewer, { url: '/api/v1/inventory/resources?systemId=nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('query.systemId');
  });

  it('searches name, identifier and address, through the trigram index or a scan, with the same answers', async () => {
    // Which way each pattern goes: specific ones through resource_search_ids, broad and short ones scan.
    const share = async (q: string) =>
      Number(
        (await sql<{ s: number }>`select resource_search_share(${`%${q}%`}) as s`.execute(t.database.db)).rows[0]?.s,
      );
    expect(await share('vm-000009')).toBeLessThanOrEqual(0.1);
    expect(await share('vm-')).toBeGreaterThan(0.1);
    for (const q of ['vm-000009', 'VM-000009', 'scale-123', '10.0.0.7', '10.0.1.', '172.16.9', 'vm-', 'db', '0.1']) {
      const found = await list(reviewer, { q });
      expect(found.total, q).toBe(await owned(text(q)));
      expect(found.total, q).toBeGreaterThan(0);
    }
    expect((await list(reviewer, { q: 'vm-000009' })).items.map((r) => r.name)).toEqual(['vm-000009']);
    expect((await list(reviewer, { q: 'scale-123' })).items.map((r) => r.externalId)).toEqual(['scale-123']);
    // 10.0.0.7 and 10.0.0.70-79 (the seed's g = 7, 70..79)
    expect((await list(reviewer, { q: '10.0.0.7' })).total).toBe(11);
    expect((await list(reviewer, { q: 'vm-' })).total).toBe(301); // 300 of the seed, project-vm-01
    expect((await list(reviewer, { q: 'db' })).total).toBe(100);
    // LIKE's wildcards are plain characters in a search; a pattern never spans two fields.
    expect((await list(reviewer, { q: 'vm_000009' })).total).toBe(0);
    expect((await list(reviewer, { q: '%' })).total).toBe(0);
    expect((await list(reviewer, { q: 'vm-000009 scale' })).total).toBe(0);
    // Search and filters together; sorted and paged like any list.
    const health = await org('demo-health');
    // vm-0001xx of the health commission: g = 102, 107, ... 197 (20), less every 4th, a database server (5)
    const query = { q: 'vm-0001', organisationId: health.id, sort: 'name', order: 'asc', limit: '2' };
    const page1 = await list(reviewer, query);
    expect(page1.total).toBe(15);
    expect(page1.items.map((r) => r.name)).toEqual(['vm-000102', 'vm-000107']);
    expect((await list(reviewer, { ...query, offset: '2' })).items.map((r) => r.name)).toEqual([
      'vm-000117',
      'vm-000122',
    ]);
    expect((await list(reviewer, { ...query, state: 'suspended' })).total).toBe(0);
  });

  it('searches only within the caller’s scope, whichever way the search goes', async () => {
    const eastReviewer = await login(t.app, 'eastreviewer');
    // vm-000009 is the west district's (g % 5 = 4), vm-000010 ... the east's (g % 5 = 0).
    expect((await list(applicant, { q: 'vm-000009' })).total).toBe(0);
    expect((await list(eastReviewer, { q: 'vm-000009' })).total).toBe(0);
    expect((await list(eastReviewer, { q: 'vm-000010' })).total).toBe(1);
    expect((await list(reviewer, { q: 'vm-000009' })).total).toBe(1);
    const east = await org('demo-east-civil');
    const broad = await list(eastReviewer, { q: 'vm-' });
    expect(broad.total).toBe(60); // 80 east resources, every 4th a database server
    expect(broad.items.every((r) => r.organisationId === east.id)).toBe(true);
    // The function behind the indexed search applies the policy's visibility itself, as a second line.
    const ids = await t.database.db.transaction().execute(async (trx) => {
      await sql`set local role yunguan_app`.execute(trx);
      await sql`select set_config('yunguan.scope', 'organisation', true),
        set_config('yunguan.organisations', ${east.id}, true)`.execute(trx);
      const rows = (await sql<{ id: string }>`select resource_search_ids('%vm-%') as id`.execute(trx)).rows;
      // resource_search_rows (0253), whose rows an indexed search counts: the same rows, for any side asked
      for (const side of ['unit', 'provider', 'either']) {
        const found = await sql<{ id: string }>`select id from resource_search_rows('%vm-%', ${side},
          null, null, null, null, null, null, null)`.execute(trx);
        const within = side === 'provider' ? [] : rows.map((r) => r.id).sort();
        expect(found.rows.map((r) => r.id).sort(), side).toEqual(within);
      }
      return rows;
    });
    const owners = await t.database.db
      .selectFrom('resource')
      .select('organisation_id')
      .distinct()
      .where(
        'id',
        'in',
        ids.map((r) => r.id),
      )
      .execute();
    expect(ids).toHaveLength(60);
    expect(owners.map((o) => o.organisation_id)).toEqual([east.id]);
  });

  it('exports exactly the filtered and searched set', async () => {
    const health = await org('demo-health');
    const pb = await org('demo-provider-b');
    const csv = await as(t.app, reviewer, {
      url: `/api/v1/inventory/resources/export?format=csv&organisationId=${health.id}&providerId=${pb.id}&state=active`,
    });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trimEnd().split('\r\n').slice(1);
    expect(lines).toHaveLength(20);
    expect(lines.every((l) => l.includes('示范市卫生健康委员会') && l.includes('示范政务云服务商乙'))).toBe(true);
    const searched = await as(t.app, reviewer, {
      url: `/api/v1/inventory/resources/export?format=csv&q=10.0.0.7&organisationId=${health.id}`,
    });
    // 10.0.0.7 (g = 7) and 10.0.0.72, 77 are the health commission's
    expect(
      searched.body
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['vm-000077', 'db-000072', 'vm-000007']);
  });
});
