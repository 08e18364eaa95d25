import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import {
  gateway,
  gatewayToken,
  ok,
  type ProvidingSystem,
  projectOf,
  resourceBody,
  startProvidingSystem,
  sysadminSession,
  systemOf,
  unitAdmin,
} from './shareddata.fixtures.ts';

// The gateway checks the bearer's token in its own statement (the token's check, the call's admission, the machine
// counter and the grant's lookup and count in one round trip): the answers and counts the request hooks gave.
// A wrong secret, a revoked token, a token without the scope, an issuer who lost the role: nothing counted
// against the grant. The machine-call limit: 429 with the rate-limit headers, the grant not counted, no trace.

const clock = new ManualClock('2026-11-23T02:00:00Z');
let t: TestApp;
let provider: ProvidingSystem;
let eduAdmin: Session;
let token: string;
let resourceId: string;
let grantId: string;

const MACHINE_MAX = 6;

async function grantCalls(): Promise<number> {
  const { rows } = await sql<{ n: string | null }>`
    select sum(calls) as n from data_rate_window where grant_id = ${grantId}`.execute(t.database.db);
  return Number(rows[0]?.n ?? 0);
}

async function traceCount(): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from data_call_trace`.execute(t.database.db);
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  t = await testApp({ clock, config: { YUNGUAN_RATE_LIMIT_MACHINE: String(MACHINE_MAX) } });
  await seedDemo(t.database.db);
  provider = await startProvidingSystem();
  const health = await login(t.app, 'unitadmin');
  const reviewer = await login(t.app, 'reviewer');
  const approver = await login(t.app, 'approver');
  const edu = await login(t.app, 'edu');
  const sysadmin = await sysadminSession(t.app, t.database.db);
  eduAdmin = await unitAdmin(t.app, sysadmin, 'demo-education');
  token = await gatewayToken(t.app, eduAdmin);
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'ningbo-2014' },
    }),
  );
  await ok(
    as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.1'], allowedNetworks: ['127.0.0.1/32'] },
    }),
  );
  const system = await systemOf(t.app, health, '全民健康信息平台');
  resourceId = (
    await ok(
      as(t.app, health, {
        method: 'POST',
        url: '/api/v1/shared-data/resources',
        payload: resourceBody(system, { endpointUrl: `${provider.url}/people` }),
      }),
      201,
    )
  ).id;
  await ok(
    as(t.app, health, {
      method: 'PUT',
      url: `/api/v1/shared-data/resources/${resourceId}/credential`,
      payload: { headerName: 'Authorization', value: 'Bearer provider-secret' },
    }),
  );
  await ok(as(t.app, health, { method: 'POST', url: `/api/v1/shared-data/resources/${resourceId}/submit` }));
  await ok(
    as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/shared-data/resources/${resourceId}/review`,
      payload: { decision: 'publish', comment: null },
    }),
  );
  grantId = (
    await ok(
      as(t.app, edu, {
        method: 'POST',
        url: '/api/v1/shared-data/applications',
        payload: {
          resourceId,
          projectId: await projectOf(t.app, edu, '智慧教育招生平台'),
          purpose: '新生入学资格核验',
          fields: ['personId', 'name'],
          validFrom: '2026-11-23',
          validTo: '2026-12-31',
        },
      }),
      201,
    )
  ).id;
  await ok(
    as(t.app, health, {
      method: 'POST',
      url: `/api/v1/shared-data/applications/${grantId}/decision`,
      payload: { decision: 'approve', fields: ['name'], rateLimitPerMinute: 100 },
    }),
  );
  await ok(
    as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/shared-data/applications/${grantId}/review`,
      payload: { decision: 'approve', reason: null },
    }),
  );
}, 120_000);
afterAll(async () => {
  await provider?.close();
  await t?.close();
});

describe('the gateway authenticates its bearer in its own statement', () => {
  it('a good call answers with the machine limit’s headers and counts once against the grant', async () => {
    const res = await gateway(t.app, token, resourceId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe(String(MACHINE_MAX));
    expect(res.headers['x-ratelimit-remaining']).toBe(String(MACHINE_MAX - 1));
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(await grantCalls()).toBe(1);
  });

  it('a wrong secret, a malformed bearer: 401, nothing counted, nothing traced', async () => {
    const traces = await traceCount();
    const [id] = token.split('.');
    for (const bearer of [`${id}.${'x'.repeat(43)}`, `${token}x`, 'ygt_nonsense', token.slice(0, -1)]) {
      const res = await gateway(t.app, bearer, resourceId);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthenticated');
    }
    expect(await grantCalls()).toBe(1);
    expect(await traceCount()).toBe(traces);
  });

  it('a token without the scope: 403 audited, nothing counted', async () => {
    const other = await as(t.app, eduAdmin, {
      method: 'POST',
      url: '/api/v1/api-tokens',
      payload: { name: 'read only', scopes: ['organisation:read'], expiresInDays: 30 },
    });
    expect(other.statusCode, other.body).toBe(201);
    const res = await gateway(t.app, other.json().token, resourceId);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden', detail: 'needs permission shared-data:call' });
    const denied = await t.database.db
      .selectFrom('audit_event')
      .select(['actor_name', 'object_id'])
      .where('action', '=', 'permission.denied')
      .execute();
    expect(denied).toContainEqual({
      actor_name: 'read only',
      object_id: 'GET /api/v1/shared-data/gateway/:resourceId',
    });
    expect(await grantCalls()).toBe(1);
  });

  it('past the machine limit: 429 with Retry-After, the grant not counted, no trace', async () => {
    for (let i = 1; i < MACHINE_MAX; i++) expect((await gateway(t.app, token, resourceId)).statusCode).toBe(200);
    expect(await grantCalls()).toBe(MACHINE_MAX);
    const traces = await traceCount();
    const limited = await gateway(t.app, token, resourceId);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(limited.json().detail).toMatch(/^too many requests; retry in \d+ (seconds?|minute) \//);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await grantCalls()).toBe(MACHINE_MAX);
    expect(await traceCount()).toBe(traces);
  });

  it('an issuer who lost the role, a revoked token: refused, nothing counted', async () => {
    const fresh = await gatewayToken(t.app, eduAdmin);
    const before = await grantCalls();
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', eduAdmin.username)
      .executeTakeFirstOrThrow();
    const roles = await t.database.db
      .selectFrom('role_assignment')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    await t.database.db.deleteFrom('role_assignment').where('user_id', '=', user.id).execute();
    const res = await gateway(t.app, fresh, resourceId);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
    await t.database.db.insertInto('role_assignment').values(roles).execute();
    const tokenId = fresh.slice(4, 40);
    await sql`update api_token set revoked_at = now() where id = ${tokenId}`.execute(t.database.db);
    expect((await gateway(t.app, fresh, resourceId)).statusCode).toBe(401);
    expect(await grantCalls()).toBe(before);
  });
});
