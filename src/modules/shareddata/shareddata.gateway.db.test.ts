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

// Issue 21's acceptance, end to end through the HTTP API with a real providing system on 127.0.0.1 (allowed
// explicitly through the jurisdiction's egress policy, as the webhook tests do).

const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
let t: TestApp;
let provider: ProvidingSystem;
let health: Session; // unitadmin: the providing unit's administrator (卫健委)
let reviewer: Session; // the ops unit
let sysadmin: Session;
let approver: Session;
let auditor: Session;
let edu: Session; // the consuming unit's applicant (教育局)
let eduAdmin: Session;
let token: string;
let resourceId: string;
let grantId: string;
let healthSystem: string;
let eduProject: string;

async function egress(allowedHosts: string[], allowedNetworks: string[]) {
  await ok(
    as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts, allowedNetworks },
    }),
  );
}

async function publish(id: string, status = 200) {
  await ok(as(t.app, health, { method: 'POST', url: `/api/v1/shared-data/resources/${id}/submit` }));
  return as(t.app, reviewer, {
    method: 'POST',
    url: `/api/v1/shared-data/resources/${id}/review`,
    payload: { decision: 'publish', comment: null },
  }).then((r) => {
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  });
}

async function register(body: Record<string, unknown>) {
  return (await ok(as(t.app, health, { method: 'POST', url: '/api/v1/shared-data/resources', payload: body }), 201))
    .id as string;
}

async function traces(session: Session, view: string, query = '') {
  return (await ok(as(t.app, session, { url: `/api/v1/shared-data/traces?view=${view}${query}` }))).items as {
    outcome: string;
    fields: string[];
    recordCount: number;
    purpose: string;
    consumerName: string;
    resourceName: string | null;
  }[];
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  provider = await startProvidingSystem();
  health = await login(t.app, 'unitadmin');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  auditor = await login(t.app, 'auditor');
  edu = await login(t.app, 'edu');
  sysadmin = await sysadminSession(t.app, t.database.db);
  eduAdmin = await unitAdmin(t.app, sysadmin, 'demo-education');
  token = await gatewayToken(t.app, eduAdmin);
  healthSystem = await systemOf(t.app, health, '全民健康信息平台');
  eduProject = await projectOf(t.app, edu, '智慧教育招生平台');
}, 120_000);
afterAll(async () => {
  await provider?.close();
  await t?.close();
});

describe('the policy decides whether shared data is provided', () => {
  it('Shanghai’s pack does not provide it: registering is refused, naming the override', async () => {
    const res = await as(t.app, health, {
      method: 'POST',
      url: '/api/v1/shared-data/resources',
      payload: resourceBody(healthSystem),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('shared_data_not_provided');
    expect(res.json().detail).toContain('sharedData.provided');
  });

  it('the Ningbo pack provides it (NB 14) with a correction deadline the city sets', async () => {
    await ok(
      as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId: 'ningbo-2014' },
      }),
    );
    const guide = await ok(as(t.app, edu, { url: '/api/v1/shared-data/guide' }));
    expect(guide).toMatchObject({ provided: true, providedArticle: 'NB 14', errorCorrectionWorkingDays: 10 });
    expect(guide.errorCorrectionNote).toContain('NB gives no number');
  });
});

describe('register, publish, apply, approve two of five fields, call through the gateway', () => {
  it('the ops unit publishes only an endpoint the egress policy allows', async () => {
    resourceId = await register(resourceBody(healthSystem, { endpointUrl: `${provider.url}/people` }));
    await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/shared-data/resources/${resourceId}/credential`,
        payload: { headerName: 'Authorization', value: 'Bearer provider-secret' },
      }),
    );
    // The host is allowed but 127.0.0.1 is loopback: refused until that network is explicitly allowed.
    await egress(['127.0.0.1'], []);
    const refused = await publish(resourceId, 422);
    expect(refused.code).toBe('data_endpoint_refused');
    await egress(['127.0.0.1'], ['127.0.0.1/32']);
    const published = await ok(
      as(t.app, reviewer, {
        method: 'POST',
        url: `/api/v1/shared-data/resources/${resourceId}/review`,
        payload: { decision: 'publish', comment: '同意发布' },
      }),
    );
    expect(published.status).toBe('published');
    expect(published.published.version).toBe(1);
    // The credential is sealed: no route returns its value, and the row holds SM4 ciphertext.
    const row = await t.database.db
      .selectFrom('data_resource_credential')
      .select('sealed_value')
      .where('resource_id', '=', resourceId)
      .executeTakeFirstOrThrow();
    expect(row.sealed_value).toMatch(/^sm4:/);
    expect(JSON.stringify(published)).not.toContain('provider-secret');
  });

  it('the consumer applies for all five fields; the provider approves two, the ops unit confirms', async () => {
    const applied = await ok(
      as(t.app, edu, {
        method: 'POST',
        url: '/api/v1/shared-data/applications',
        payload: {
          resourceId,
          projectId: eduProject,
          purpose: '新生入学资格核验',
          fields: ['personId', 'name', 'idNumber', 'birthDate', 'bloodType'],
          validFrom: '2026-11-23',
          validTo: '2026-12-31',
        },
      }),
      201,
    );
    expect(applied.status).toBe('pending_provider');
    grantId = applied.id;
    // Nobody but the providing unit decides; the consumer cannot approve its own application.
    const byConsumer = await as(t.app, eduAdmin, {
      method: 'POST',
      url: `/api/v1/shared-data/applications/${grantId}/decision`,
      payload: { decision: 'approve' },
    });
    expect(byConsumer.statusCode).toBe(403);
    const tooWide = await as(t.app, health, {
      method: 'POST',
      url: `/api/v1/shared-data/applications/${grantId}/decision`,
      payload: { decision: 'approve', fields: ['name', 'address'] },
    });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().errors[0].field).toBe('body.fields.1');
    const decided = await ok(
      as(t.app, health, {
        method: 'POST',
        url: `/api/v1/shared-data/applications/${grantId}/decision`,
        payload: { decision: 'approve', fields: ['name', 'birthDate'], rateLimitPerMinute: 3 },
      }),
    );
    expect(decided).toMatchObject({ status: 'pending_ops', grantedFields: ['name', 'birthDate'] });
    // Not in force before the ops unit's review.
    const early = await gateway(t.app, token, resourceId);
    expect(early.statusCode).toBe(404);
    const granted = await ok(
      as(t.app, reviewer, {
        method: 'POST',
        url: `/api/v1/shared-data/applications/${grantId}/review`,
        payload: { decision: 'approve', reason: null },
      }),
    );
    expect(granted.status).toBe('active');
  });

  it('only the two granted fields come back, and the call is in the trace', async () => {
    const res = await gateway(t.app, token, resourceId);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.fields).toEqual(['name', 'birthDate']);
    expect(body.recordCount).toBe(3);
    for (const record of body.records) expect(Object.keys(record).sort()).toEqual(['birthDate', 'name']);
    expect(res.body).not.toContain('330203');
    expect(res.headers['x-yunguan-trace-id']).toBeTruthy();
    // The provider's endpoint got the sealed credential, opened; never the consumer's token.
    const last = provider.requests.at(-1);
    expect(last?.headers.authorization).toBe('Bearer provider-secret');
    expect(last?.path).toBe('/people');
    const mine = await traces(eduAdmin, 'consumer');
    expect(mine[0]).toMatchObject({
      outcome: 'ok',
      fields: ['name', 'birthDate'],
      recordCount: 3,
      purpose: '新生入学资格核验',
      consumerName: '示范市教育局',
      resourceName: '居民电子健康档案摘要',
    });
    expect((await traces(health, 'provider'))[0]?.outcome).toBe('ok');
    expect((await traces(auditor, 'all'))[0]?.outcome).toBe('ok');
    const usage = await ok(as(t.app, health, { url: '/api/v1/shared-data/traces/usage?view=provider' }));
    expect(usage.items[0]).toMatchObject({ consumerName: '示范市教育局', succeeded: 1, records: 3 });
  });

  it('fields outside the grant are refused, named, and traced', async () => {
    const res = await gateway(t.app, token, resourceId, '?fields=name,idNumber');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('fields_not_granted');
    expect(res.json().detail).toContain('idNumber');
    expect((await traces(eduAdmin, 'consumer'))[0]?.outcome).toBe('fields_not_granted');
  });

  it('the rate limit holds in the database: the 4th call in a minute is refused, the next minute is open', async () => {
    clock.set('2026-11-23T02:05:00Z');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await gateway(t.app, token, resourceId, '?personId=P002')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await gateway(t.app, token, resourceId);
    expect(limited.headers['retry-after']).toBe('60');
    expect((await traces(eduAdmin, 'consumer'))[0]?.outcome).toBe('rate_limited');
    clock.set('2026-11-23T02:06:00Z');
    const next = await gateway(t.app, token, resourceId, '?personId=P002');
    expect(next.statusCode).toBe(200);
    expect(next.json().recordCount).toBe(1);
  });

  it('after revocation the next call is refused (403 grant_revoked) and traced as refused', async () => {
    await ok(
      as(t.app, health, {
        method: 'POST',
        url: `/api/v1/shared-data/applications/${grantId}/revoke`,
        payload: { reason: '核验工作结束' },
      }),
    );
    const res = await gateway(t.app, token, resourceId);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('grant_revoked');
    const [trace] = await traces(eduAdmin, 'consumer');
    expect(trace).toMatchObject({ outcome: 'grant_revoked', recordCount: 0 });
    const refused = await traces(health, 'provider', '&refusedOnly=true');
    expect(refused[0]?.outcome).toBe('grant_revoked');
  });
});

describe('what a consumer cannot reach', () => {
  let unconditional: string;
  let notShared: string;
  let conditional: string;

  it('a unit without a grant gets the answer of a resource that does not exist (conditional, not shared)', async () => {
    conditional = await register(
      resourceBody(healthSystem, { name: '出生医学证明', endpointUrl: `${provider.url}/people` }),
    );
    await publish(conditional);
    notShared = await register(
      resourceBody(healthSystem, {
        name: '传染病个案信息',
        sharingType: 'not_shared',
        sharingCondition: null,
        notSharedReason: '《传染病防治法》第十二条：个人隐私不得泄露',
        endpointUrl: null,
      }),
    );
    await publish(notShared);
    const answers = [];
    for (const id of [conditional, notShared, '5b0e3c1c-2b7a-4c58-9d1e-000000000000']) {
      const res = await gateway(t.app, token, id);
      const { requestId: _r, instance: _i, ...problem } = res.json();
      answers.push({ status: res.statusCode, problem, traced: !!res.headers['x-yunguan-trace-id'] });
    }
    expect(answers[0]?.status).toBe(404);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Applying for a resource that is not shared is refused as such (the catalogue says so).
    const apply = await as(t.app, edu, {
      method: 'POST',
      url: '/api/v1/shared-data/applications',
      payload: {
        resourceId: notShared,
        projectId: eduProject,
        purpose: 'x',
        fields: ['name'],
        validFrom: '2026-11-23',
        validTo: '2026-11-30',
      },
    });
    expect(apply.json().code).toBe('data_resource_not_shared');
  });

  it('a consumer’s parameters never choose the address: they stay in the published endpoint’s query string', async () => {
    unconditional = await register(
      resourceBody(healthSystem, {
        name: '医疗机构名录',
        sharingType: 'unconditional',
        sharingCondition: null,
        endpointUrl: `${provider.url}/people`,
      }),
    );
    await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/shared-data/resources/${unconditional}/credential`,
        payload: { headerName: 'Authorization', value: 'Bearer provider-secret' },
      }),
    );
    await publish(unconditional);
    const required = await gateway(t.app, token, unconditional);
    expect(required.json().code).toBe('data_grant_required');
    const applied = await ok(
      as(t.app, edu, {
        method: 'POST',
        url: '/api/v1/shared-data/applications',
        payload: {
          resourceId: unconditional,
          projectId: eduProject,
          purpose: '学校卫生室备案核对',
          fields: ['personId', 'name'],
          validFrom: '2026-11-23',
          validTo: '2026-11-30',
        },
      }),
      201,
    );
    expect(applied.status).toBe('active'); // granted on application
    const before = provider.requests.length;
    const res = await gateway(
      t.app,
      token,
      unconditional,
      `?url=${encodeURIComponent('http://10.0.0.1/')}&host=169.254.169.254&%40evil=1&path=..%2F..%2Fadmin`,
    );
    expect(res.statusCode).toBe(400);
    const allowed = await gateway(
      t.app,
      token,
      unconditional,
      `?url=${encodeURIComponent('http://10.0.0.1/')}&host=169.254.169.254&path=..%2F..%2Fadmin`,
    );
    expect(allowed.statusCode, allowed.body).toBe(200);
    const got = provider.requests.at(-1);
    expect(provider.requests.length).toBe(before + 1);
    expect(got?.path).toBe('/people');
    expect(got?.query.get('url')).toBe('http://10.0.0.1/');
    expect(got?.query.get('host')).toBe('169.254.169.254');
  });

  it('an endpoint on a private or loopback address is never published, in any spelling', async () => {
    await egress(['127.0.0.1', '10.1.2.3', '2130706433', '0x7f.1', 'localhost'], []);
    for (const endpointUrl of [
      'http://10.1.2.3/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
      `${provider.url}/people`,
    ]) {
      const id = await register(resourceBody(healthSystem, { name: `地址测试 ${endpointUrl}`, endpointUrl }));
      const refused = await publish(id, 422);
      expect(refused.code, endpointUrl).toBe('data_endpoint_refused');
    }
  });

  it('an address no longer allowed is refused at call time (502), traced, and nothing is sent', async () => {
    const before = provider.requests.length;
    const res = await gateway(t.app, token, unconditional);
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('data_provider_unavailable');
    expect(provider.requests.length).toBe(before);
    expect((await traces(eduAdmin, 'consumer'))[0]?.outcome).toBe('endpoint_refused');
    await egress(['127.0.0.1'], ['127.0.0.1/32']);
  });

  it('expiry takes effect on the next call', async () => {
    clock.set('2026-11-30T15:59:00Z'); // 23:59 on the last day
    expect((await gateway(t.app, token, unconditional)).statusCode).toBe(200);
    clock.set('2026-11-30T16:00:00Z'); // 00:00 on 1 December in Shanghai
    const res = await gateway(t.app, token, unconditional);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('grant_expired');
  });

  it('a person’s session cannot call the gateway, and the ops unit and auditors export the traces', async () => {
    const bySession = await as(t.app, eduAdmin, { url: `/api/v1/shared-data/gateway/${unconditional}` });
    expect(bySession.statusCode).toBe(403);
    const xlsx = await as(t.app, auditor, { url: '/api/v1/shared-data/traces/export?view=all&format=xlsx' });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const csv = await as(t.app, reviewer, { url: '/api/v1/shared-data/traces/export?view=all&format=csv' });
    expect(csv.body).toContain('授权已撤销');
    const audited = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'data_trace.exported')
      .execute();
    expect(audited.length).toBe(2);
    // A unit sees only its own calls; the trace of a call is evidence: it cannot be changed.
    expect(await traces(health, 'consumer')).toEqual([]);
    await expect(t.database.db.updateTable('data_call_trace').set({ record_count: 0 }).execute()).rejects.toThrow(
      /append-only/,
    );
  });
});
