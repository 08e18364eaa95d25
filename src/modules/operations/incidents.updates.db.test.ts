import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { createResource } from '../inventory/index.ts';

// Issue 18 remainder through the HTTP API (demo city, October 2026, Beijing time):
//  - the ops unit declares an incident for provider A; provider A and the units it touches see it, provider B, the
//    education bureau and another district's ops unit do not;
//  - updates during the incident (a timeline with time, author, text, status change), each with its audit entry,
//    by the provider and by the ops unit; the end and the report join the timeline;
//  - a ticket against an information system alone, routed to the provider running its resources (several: the unit
//    names one), seen by the unit owning the system;
//  - resolution breaches counted in the providers' response indicator (a third source beside work orders and
//    first responses).

const clock = new ManualClock('2026-10-12T01:00:00Z');
let t: TestApp;
let unitadmin: Session;
let edu: Session;
let provider: Session;
let reviewer: Session;
let eastreviewer: Session;
let auditor: Session;
let evaluator: Session;
const org: Record<string, string> = {};
const sys: Record<string, string> = {};
let jurisdictionId: string;
let vm: string;

type Answer = any;
async function ok(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  return x.json();
}
async function refused(
  r: Promise<{ statusCode: number; body: string; json(): unknown }>,
  status: number,
  field?: string,
) {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  if (field) expect(x.body).toContain(field);
}
const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1${url}` });
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);

async function inbox(s: Session, kind: string): Promise<{ title: { zh: string }; entity: { id: string } | null }[]> {
  const all = await ok(get(s, '/notifications?limit=200'));
  return all.items.filter((n: { kind: string }) => n.kind === kind);
}

async function resource(name: string, providerCode: string, systemId: string | null) {
  return t.database.db.transaction().execute(async (trx) => {
    const r = await createResource(trx, {
      organisation_id: org['demo-health'] as string,
      jurisdiction_id: jurisdictionId,
      provider_id: org[providerCode] as string,
      catalogue_item_code: 'cloud-vm',
      name,
      zone: '政务外网区',
      system_id: systemId,
    });
    return r.id;
  });
}

beforeAll(async () => {
  t = await testApp({ clock });
  const db = t.database.db;
  await seedDemo(db);
  for (const o of await db.selectFrom('organisation').select(['id', 'code']).execute()) org[o.code] = o.id;
  jurisdictionId = (
    await db.selectFrom('jurisdiction').select('id').where('code', '=', 'demo-city').executeTakeFirstOrThrow()
  ).id;
  // the health commission's systems that run nothing yet (the test gives them resources)
  const free = await db
    .selectFrom('information_system as s')
    .select(['s.id', 's.name'])
    .where('s.organisation_id', '=', org['demo-health'] as string)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('resource as r').select('r.id').whereRef('r.system_id', '=', 's.id'))),
    )
    .orderBy('s.name')
    .execute();
  expect(free.length).toBeGreaterThanOrEqual(3);
  const [one, two, none] = free as unknown as [{ id: string }, { id: string }, { id: string }];
  sys.one = one.id; // run by provider A only
  sys.two = two.id; // run by providers A and B
  sys.none = none.id; // runs nothing
  vm = await resource('卫健委-执法应用', 'demo-provider-a', sys.one);
  await resource('卫健委-二期应用', 'demo-provider-a', sys.two);
  await resource('卫健委-二期备份', 'demo-provider-b', sys.two);
  unitadmin = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  provider = await login(t.app, 'provider');
  reviewer = await login(t.app, 'reviewer');
  eastreviewer = await login(t.app, 'eastreviewer');
  auditor = await login(t.app, 'auditor');
  evaluator = await login(t.app, 'evaluator');
}, 180_000);
afterAll(() => t?.close());

describe('the ops unit declares an incident for a provider (issue 18)', () => {
  let id: string;
  it('is refused without the provider, or for another jurisdiction’s provider', async () => {
    at('2026-10-12T09:00:00');
    const body = {
      severity: 'significant',
      title: '执法系统无法访问',
      description: '监测发现执法应用无响应',
      resourceIds: [vm],
      startedAt: '2026-10-12T08:40:00+08:00',
    };
    await refused(post(reviewer, '/operations/incidents', body), 400, 'body.providerId');
    await refused(
      post(reviewer, '/operations/incidents', { ...body, providerId: org['demo-health'] }),
      400,
      'body.providerId',
    );
    await refused(
      post(eastreviewer, '/operations/incidents', { ...body, providerId: org['demo-provider-a'] }),
      400,
      'body.providerId',
    );
    // a provider declares only its own
    await refused(
      post(provider, '/operations/incidents', { ...body, providerId: org['demo-provider-b'] }),
      400,
      'body.providerId',
    );
    // a unit declares none
    await refused(post(unitadmin, '/operations/incidents', { ...body, providerId: org['demo-provider-a'] }), 403);
    // resources provider B does not run
    await refused(
      post(reviewer, '/operations/incidents', { ...body, providerId: org['demo-provider-b'] }),
      400,
      'body.resourceIds',
    );
  });

  it('belongs to the provider, names who declared it, and is seen by the provider and the touched unit only', async () => {
    const i = await ok(
      post(reviewer, '/operations/incidents', {
        severity: 'significant',
        title: '执法系统无法访问',
        description: '监测发现执法应用无响应',
        resourceIds: [vm],
        startedAt: '2026-10-12T08:40:00+08:00',
        providerId: org['demo-provider-a'],
      }),
      201,
    );
    id = i.id;
    expect(i).toMatchObject({
      provider: { id: org['demo-provider-a'], name: '示范政务云服务商甲' },
      declaredBy: { id: org['demo-ops'] },
      status: 'investigating',
      systemIds: [sys.one],
      resourceIds: [vm],
    });
    expect(i.declaredBy.name).not.toBe('');
    expect(i.updates).toMatchObject([
      { kind: 'declared', body: '监测发现执法应用无响应', statusTo: 'investigating', authorName: '赵敏（运管审核员）' },
    ]);
    const listed = async (s: Session) =>
      (await ok(get(s, '/operations/incidents?limit=50'))).items.some((x: { id: string }) => x.id === id);
    expect(await listed(provider)).toBe(true);
    expect(await listed(unitadmin)).toBe(true);
    expect(await listed(reviewer)).toBe(true);
    expect(await listed(edu)).toBe(false);
    expect(await listed(eastreviewer)).toBe(false);
    await refused(get(edu, `/operations/incidents/${id}`), 404);
    await refused(get(eastreviewer, `/operations/incidents/${id}`), 404);
    // the provider hears of it, as do the unit and the ops unit
    expect((await inbox(provider, 'incident.declared')).some((n) => n.entity?.id === id)).toBe(true);
    expect((await inbox(unitadmin, 'incident.declared')).some((n) => n.entity?.id === id)).toBe(true);
  });

  it('takes updates from the provider and the ops unit, each with its status change and audit entry', async () => {
    at('2026-10-12T09:10:00');
    const first = await ok(
      post(provider, `/operations/incidents/${id}/updates`, { body: '已定位：存储链路中断', status: 'identified' }),
      201,
    );
    expect(first.status).toBe('identified');
    at('2026-10-12T09:30:00');
    await ok(post(reviewer, `/operations/incidents/${id}/updates`, { body: '已通知卫健委，持续跟踪' }), 201);
    at('2026-10-12T09:45:00');
    await ok(
      post(provider, `/operations/incidents/${id}/updates`, { body: '链路已切换，正在恢复', status: 'recovering' }),
      201,
    );
    // still open at 09:45: down since 08:40, 65 minutes, not until the end of the day
    const open = await ok(get(reviewer, '/operations/incidents/availability?from=2026-10-12&to=2026-10-13'));
    expect(open.providers.find((p: Answer) => p.key === org['demo-provider-a']).downtimeSeconds).toBe(65 * 60);
    // not the unit, not another provider's business, not empty, not `ended` (that is the end's own step)
    await refused(post(unitadmin, `/operations/incidents/${id}/updates`, { body: '请尽快' }), 403);
    await refused(post(eastreviewer, `/operations/incidents/${id}/updates`, { body: '跟踪' }), 404);
    await refused(post(provider, `/operations/incidents/${id}/updates`, { body: '   ' }), 400, 'body.body');
    await refused(
      post(provider, `/operations/incidents/${id}/updates`, { body: '结束', status: 'ended' }),
      400,
      'status',
    );

    at('2026-10-12T10:00:00');
    await ok(post(provider, `/operations/incidents/${id}/end`, { endedAt: '2026-10-12T09:55:00+08:00' }));
    await refused(post(provider, `/operations/incidents/${id}/updates`, { body: '补充' }), 409);
    at('2026-10-12T11:00:00');
    await ok(post(provider, `/operations/incidents/${id}/report`, { report: '根因：存储链路光模块故障，已更换' }));

    // the unit reads the whole timeline with names, oldest first
    const seen = await ok(get(unitadmin, `/operations/incidents/${id}`));
    expect(seen.status).toBe('ended');
    expect(seen.updates.map((u: Answer) => [u.kind, u.at, u.authorName, u.statusFrom, u.statusTo, u.body])).toEqual([
      ['declared', '2026-10-12T01:00:00.000Z', '赵敏（运管审核员）', null, 'investigating', '监测发现执法应用无响应'],
      [
        'update',
        '2026-10-12T01:10:00.000Z',
        '孙浩（服务商甲操作员）',
        'investigating',
        'identified',
        '已定位：存储链路中断',
      ],
      ['update', '2026-10-12T01:30:00.000Z', '赵敏（运管审核员）', null, null, '已通知卫健委，持续跟踪'],
      [
        'update',
        '2026-10-12T01:45:00.000Z',
        '孙浩（服务商甲操作员）',
        'identified',
        'recovering',
        '链路已切换，正在恢复',
      ],
      [
        'ended',
        '2026-10-12T02:00:00.000Z',
        '孙浩（服务商甲操作员）',
        'recovering',
        'ended',
        '服务已于 2026-10-12 09:55（北京时间）恢复',
      ],
      [
        'reported',
        '2026-10-12T03:00:00.000Z',
        '孙浩（服务商甲操作员）',
        null,
        null,
        '根因：存储链路光模块故障，已更换',
      ],
    ]);
    expect(seen.updates[1].organisationName).toBe('示范政务云服务商甲');
    // each update is audited, and the touched unit is told of each
    const audit = await ok(get(auditor, '/audit-events?action=incident.updated&limit=50'));
    expect(audit.items.filter((e: Answer) => e.objectId === id)).toHaveLength(3);
    expect((await inbox(unitadmin, 'incident.updated')).filter((n) => n.entity?.id === id)).toHaveLength(3);
  });
});

describe('a ticket against an information system alone (issue 18)', () => {
  const open = (s: Session, extra: object) =>
    post(s, '/operations/tickets', {
      kind: 'fault',
      priority: 'urgent',
      subject: '系统访问异常',
      description: '请排查',
      ...extra,
    });

  it('is routed to the one provider running the system, and seen by the unit owning it', async () => {
    at('2026-10-13T09:00:00');
    const tk = await ok(open(unitadmin, { systemId: sys.one }), 201);
    expect(tk).toMatchObject({
      unit: { id: org['demo-health'] },
      provider: { id: org['demo-provider-a'], name: '示范政务云服务商甲' },
      resource: null,
      system: { id: sys.one },
    });
    expect(tk.system.name).not.toBe('');
    const mine = await ok(get(unitadmin, '/operations/tickets?limit=50'));
    expect(mine.items.some((x: { id: string }) => x.id === tk.id)).toBe(true);
    const a = await ok(get(provider, '/operations/tickets?limit=50'));
    expect(a.items.some((x: { id: string }) => x.id === tk.id)).toBe(true);
    await refused(get(edu, `/operations/tickets/${tk.id}`), 404);
  });

  it('asks the unit to choose when several providers run it; refuses a system running nothing or not its own', async () => {
    await refused(open(unitadmin, { systemId: sys.two }), 400, 'body.providerId');
    await refused(open(unitadmin, { systemId: sys.two, providerId: org['demo-ops'] }), 400, 'body.providerId');
    const tk = await ok(open(unitadmin, { systemId: sys.two, providerId: org['demo-provider-b'] }), 201);
    expect(tk.provider.id).toBe(org['demo-provider-b']);
    // provider A does not see provider B's ticket
    await refused(get(provider, `/operations/tickets/${tk.id}`), 404);
    await refused(open(unitadmin, { systemId: sys.none }), 400, 'body.systemId');
    await refused(open(edu, { systemId: sys.one }), 400, 'body.systemId');
  });

  it('still takes a ticket about the platform, addressed to a provider without a resource or system', async () => {
    const tk = await ok(open(unitadmin, { providerId: org['demo-provider-a'] }), 201);
    expect(tk).toMatchObject({ resource: null, system: null, provider: { id: org['demo-provider-a'] } });
  });
});

describe('resolution breaches in the providers’ response indicator (issue 18)', () => {
  it('counts tickets resolved in the window or unresolved past a due moment in it; late ones against the provider', async () => {
    // Provider A's urgent tickets (4 h to resolve, wall-clock): the system ticket and the platform one, both opened
    // 13 October 09:00. The first is resolved at 12:00 (on time), the second at 14:00 (late). Provider B's is never
    // resolved, due 13:00. No earlier ticket in the demo has a resolution target.
    const list = await ok(get(provider, '/operations/tickets?limit=50'));
    const [x, y] = list.items
      .filter((i: { subject: string }) => i.subject === '系统访问异常')
      .map((i: { id: string }) => i.id) as [string, string];
    expect(list.items.filter((i: { subject: string }) => i.subject === '系统访问异常')).toHaveLength(2);
    at('2026-10-13T12:00:00');
    await ok(post(provider, `/operations/tickets/${x}/resolution`, { resolution: '已恢复' }));
    at('2026-10-13T14:00:00');
    await ok(post(provider, `/operations/tickets/${y}/resolution`, { resolution: '已恢复' }));
    at('2026-10-20T10:00:00');
    const e = await ok(post(evaluator, '/evaluations', { period: '2026' }), 201);
    const source = (name: string) =>
      e.cards
        .find((c: Answer) => c.name === name)
        .indicators.find((i: Answer) => i.id === 'response')
        .evidence.sources.find((s: Answer) => s.source === 'ticket_resolutions');
    expect(source('示范政务云服务商甲')).toEqual({ source: 'ticket_resolutions', counted: 2, onTime: 1 });
    expect(source('示范政务云服务商乙')).toEqual({ source: 'ticket_resolutions', counted: 1, onTime: 0 });
  });
});
