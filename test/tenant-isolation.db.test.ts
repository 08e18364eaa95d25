import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthContext, withTenant } from '../src/platform/auth/auth.ts';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, enableTotp, login, type Session, totpCode } from './sessions.ts';

/**
 * Unit A must never see or change unit B's data, nor learn that it exists: for every tenant-owned
 * route, a foreign object answers exactly as an object that does not exist.
 */
let t: TestApp;
interface Tenant {
  organisationId: string;
  tokenId: string;
  dataCentreId: string;
}
const actors: Session[] = [];
const tenants: Tenant[] = [];
const ownerOf = new Map<string, Set<string>>(); // actor username -> organisation ids it may reach

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  const sysadmin = await login(t.app, 'sysadmin', {
    totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')),
  });
  const orgs = (await as(t.app, sysadmin, { url: '/api/v1/organisations?type=using_unit' })).json().items as {
    id: string;
    code: string;
    parentId: string | null;
  }[];
  // A unit administrator for every top-level unit, each with contacts and an API token.
  for (const org of orgs.filter((o) => o.parentId === null)) {
    const username = `${org.code.replace(/^demo-/, '')}.admin`;
    const created = await as(t.app, sysadmin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username, displayName: username, organisationId: org.id, roles: ['unit_admin'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const first = await login(t.app, username, { password: created.json().temporaryPassword });
    await as(t.app, first, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: created.json().temporaryPassword, newPassword: 'Tenant-Secret-2026' },
    });
    const session = await login(t.app, username, { password: 'Tenant-Secret-2026' });
    await as(t.app, session, {
      method: 'PUT',
      url: `/api/v1/organisations/${org.id}/contacts`,
      payload: { contacts: [{ kind: 'information_officer', name: `${org.code} 负责人`, mobile: '13900000000' }] },
    });
    const token = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/api-tokens',
      payload: { name: `${org.code} token`, scopes: ['organisation:read'], expiresInDays: 30 },
    });
    // a data centre in the register (LZ 12), with no hosted systems
    const room = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/data-centres',
      payload: {
        construction: 'self_built',
        name: `${org.code} 机房`,
        address: '机房地址',
        areaSquareMetres: '50',
        racks: 6,
        gb50174Class: 'B',
        extranetConnected: true,
        ipv6: true,
        cloudPlatformConformant: true,
        cityPlatformInterface: true,
        fullTimeOperators: 2,
        service7x24: true,
        mlpsLevel: 3,
        mlpsCloudExtension: true,
        mlpsTestReport: null,
        leaseEnd: null,
        systemIds: [],
      },
    });
    expect(room.statusCode, room.body).toBe(201);
    actors.push(session);
    tenants.push({ organisationId: org.id, tokenId: token.json().apiToken.id, dataCentreId: room.json().id });
    const reach = new Set(orgs.filter((o) => o.id === org.id || o.parentId === org.id).map((o) => o.id));
    ownerOf.set(username, reach);
  }
  // An applicant with roles in a unit and its sub-unit, and a provider's administrator.
  for (const username of ['applicant', 'provideradmin']) {
    const session = await login(t.app, username);
    actors.push(session);
    ownerOf.set(username, new Set(session.me.organisations.map((o) => o.id)));
  }
  expect(tenants.length).toBeGreaterThanOrEqual(4);
}, 120_000);
afterAll(() => t.close());

type Operation = {
  name: string;
  request: (target: Tenant) => { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object };
};

const OPERATIONS: Operation[] = [
  { name: 'read organisation', request: (x) => ({ method: 'GET', url: `/api/v1/organisations/${x.organisationId}` }) },
  {
    name: 'rename organisation',
    request: (x) => ({
      method: 'PATCH',
      url: `/api/v1/organisations/${x.organisationId}`,
      payload: { name: '被篡改' },
    }),
  },
  {
    name: 'read contacts',
    request: (x) => ({ method: 'GET', url: `/api/v1/organisations/${x.organisationId}/contacts` }),
  },
  {
    name: 'replace contacts',
    request: (x) => ({
      method: 'PUT',
      url: `/api/v1/organisations/${x.organisationId}/contacts`,
      payload: { contacts: [{ kind: 'emergency', name: '冒名者' }] },
    }),
  },
  {
    name: 'contact history',
    request: (x) => ({ method: 'GET', url: `/api/v1/organisations/${x.organisationId}/contacts/history` }),
  },
  {
    name: 'create sub-unit',
    request: (x) => ({
      method: 'POST',
      url: '/api/v1/organisations',
      payload: {
        code: `x-${randomUUID().slice(0, 8)}`,
        name: '寄生单位',
        type: 'using_unit',
        parentId: x.organisationId,
      },
    }),
  },
  { name: 'read token', request: (x) => ({ method: 'GET', url: `/api/v1/api-tokens/${x.tokenId}` }) },
  { name: 'revoke token', request: (x) => ({ method: 'DELETE', url: `/api/v1/api-tokens/${x.tokenId}` }) },
  { name: 'read data centre', request: (x) => ({ method: 'GET', url: `/api/v1/data-centres/${x.dataCentreId}` }) },
  {
    name: 'edit data centre',
    request: (x) => ({ method: 'PATCH', url: `/api/v1/data-centres/${x.dataCentreId}`, payload: { name: '被篡改' } }),
  },
  {
    name: 'data centre pre-check',
    request: (x) => ({ method: 'GET', url: `/api/v1/data-centres/${x.dataCentreId}/precheck` }),
  },
  {
    name: 'apply for a data centre',
    request: (x) => ({
      method: 'POST',
      url: `/api/v1/data-centres/${x.dataCentreId}/applications`,
      payload: { answers: { network: 'x', technology: 'x', scale: 'x', operations: 'x', security: 'x' } },
    }),
  },
  {
    name: 'data centre evidence',
    request: (x) => ({
      method: 'POST',
      url: `/api/v1/data-centres/${x.dataCentreId}/attachments`,
      payload: { purpose: 'closure', fileName: 'x.pdf', mediaType: 'application/pdf', contentBase64: 'eA==' },
    }),
  },
  {
    name: 'data centre closure',
    request: (x) => ({
      method: 'POST',
      url: `/api/v1/data-centres/${x.dataCentreId}/closure`,
      payload: { closedOn: '2026-01-01', note: '冒名撤销', equipment: [] },
    }),
  },
  {
    name: 'data centre notices',
    request: (x) => ({ method: 'GET', url: `/api/v1/data-centres/${x.dataCentreId}/notices` }),
  },
];

async function answer(actor: Session, op: Operation, target: Tenant) {
  const res = await as(t.app, actor, op.request(target));
  const body = String(res.headers['content-type'] ?? '').includes('json') ? res.json() : {};
  return { status: res.statusCode, code: body.code as string | undefined };
}

describe('tenant isolation through the HTTP API', () => {
  it('1,000 random (user, foreign object, operation) triples: none succeeds, none reveals existence', async () => {
    const foreignPairs = actors.flatMap((actor) =>
      tenants.filter((x) => !ownerOf.get(actor.username)?.has(x.organisationId)).map((x) => [actor, x] as const),
    );
    expect(foreignPairs.length).toBeGreaterThan(10);
    const missing: Tenant = { organisationId: randomUUID(), tokenId: randomUUID(), dataCentreId: randomUUID() };
    const baseline = new Map<string, { status: number; code: string | undefined }>();
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...foreignPairs),
        fc.constantFrom(...OPERATIONS),
        async ([actor, target], op) => {
          const key = `${actor.username}|${op.name}`;
          if (!baseline.has(key)) baseline.set(key, await answer(actor, op, missing));
          const got = await answer(actor, op, target);
          checked++;
          expect(got.status, `${key} on a foreign object`).toBeGreaterThanOrEqual(400);
          expect(got, `${key}: foreign answers differ from missing`).toEqual(baseline.get(key));
        },
      ),
      { numRuns: 1_000 },
    );
    expect(checked).toBe(1_000);
  }, 300_000);

  it('after all those attempts, no tenant’s data was changed', async () => {
    for (const tenant of tenants) {
      const org = await t.database.db
        .selectFrom('organisation')
        .select('name')
        .where('id', '=', tenant.organisationId)
        .executeTakeFirstOrThrow();
      expect(org.name).not.toBe('被篡改');
      const contacts = await t.database.db
        .selectFrom('organisation_contact')
        .select('name')
        .where('organisation_id', '=', tenant.organisationId)
        .execute();
      expect(contacts.map((c) => c.name)).not.toContain('冒名者');
      const token = await t.database.db
        .selectFrom('api_token')
        .select('revoked_at')
        .where('id', '=', tenant.tokenId)
        .executeTakeFirstOrThrow();
      expect(token.revoked_at).toBeNull();
      const room = await t.database.db
        .selectFrom('data_centre')
        .select(['name', 'stage'])
        .where('id', '=', tenant.dataCentreId)
        .executeTakeFirstOrThrow();
      expect(room).toMatchObject({ stage: 'registered' });
      expect(room.name).not.toBe('被篡改');
      const attachments = await t.database.db
        .selectFrom('data_centre_attachment')
        .select('id')
        .where('data_centre_id', '=', tenant.dataCentreId)
        .execute();
      expect(attachments).toEqual([]);
    }
    // a unit lists its own rooms only; the register is its own
    for (const actor of actors) {
      const res = await as(t.app, actor, { url: '/api/v1/data-centres?limit=500' });
      if (res.statusCode === 403) continue; // a provider's administrator holds no data-centre role
      const listed = res.json().items as { organisationId: string }[];
      const reach = ownerOf.get(actor.username) ?? new Set();
      expect(listed.every((r) => reach.has(r.organisationId))).toBe(true);
    }
    const parasites = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('name', '=', '寄生单位')
      .execute();
    expect(parasites).toEqual([]);
  });
});

describe('row-level security in the database', () => {
  it('a raw select with another organisation set returns no foreign rows', async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const asUnitA: AuthContext = {
      kind: 'user',
      id: 'raw-sql-test',
      name: 'raw',
      organisationId: a.organisationId,
      organisationType: 'using_unit',
      jurisdictionId: randomUUID(),
      roles: ['unit_admin'],
      permissions: new Set(),
      visibility: { kind: 'organisation', organisations: [a.organisationId] },
    };
    await withTenant(t.database.db, asUnitA, async (trx) => {
      // No WHERE clause at all: only row-level security stands between unit A and the others.
      const contacts = await sql<{ organisation_id: string }>`select organisation_id from organisation_contact`.execute(
        trx,
      );
      expect(contacts.rows.length).toBeGreaterThan(0);
      expect(contacts.rows.every((r) => r.organisation_id === a.organisationId)).toBe(true);
      const tokens = await sql<{ organisation_id: string }>`select organisation_id from api_token`.execute(trx);
      expect(tokens.rows.map((r) => r.organisation_id)).toEqual([a.organisationId]);
      const rooms = await sql<{ organisation_id: string }>`select organisation_id from data_centre`.execute(trx);
      expect(rooms.rows.map((r) => r.organisation_id)).toEqual([a.organisationId]);
      const units = await sql<{ id: string }>`select id from organisation where type = 'using_unit'`.execute(trx);
      expect(units.rows.map((r) => r.id)).not.toContain(b.organisationId);
    });
    // Writing into a foreign unit is refused by the policy's check.
    const foreign = await t.database.db
      .selectFrom('organisation')
      .select('jurisdiction_id')
      .where('id', '=', b.organisationId)
      .executeTakeFirstOrThrow();
    await expect(
      withTenant(t.database.db, asUnitA, (trx) =>
        sql`insert into organisation_contact (organisation_id, jurisdiction_id, kind, name)
            values (${b.organisationId}, ${foreign.jurisdiction_id}, 'emergency', 'x')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('without a tenant set, a tenant-scoped transaction sees nothing at all', async () => {
    await t.database.db.transaction().execute(async (trx) => {
      await sql`set local role yunguan_app`.execute(trx);
      const { rows } = await sql`select * from organisation_contact`.execute(trx);
      expect(rows).toEqual([]);
    });
  });
});
