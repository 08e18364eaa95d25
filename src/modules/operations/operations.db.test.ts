import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { createResource, recordResourceEvent } from '../inventory/index.ts';
import { sweepIncidents, sweepServiceDesk } from './index.ts';

// Operations (issue 18) through the HTTP API: the service desk's response clock on Taizhou's pack (TZ 12(2): 5
// minutes, wall-clock), escalation once; planned maintenance on Jiuquan's pack (JQ 13: at least 2 working days
// ahead) across the 2026 National Day holidays (1-7 October off, Saturday 10 October a make-up working day), the
// affected units from the inventory, each notified once, their answers and the authority's agreement; monitoring
// raising no silent-agent finding under an agreed window; who sees what.

const clock = new ManualClock('2026-09-30T02:00:00Z'); // Wednesday 30 September 2026, 10:00 in Shanghai
let t: TestApp;
let unitadmin: Session; // 卫健委 only
let edu: Session;
let provider: Session;
let provideradmin: Session;
let providerB: Session;
let reviewer: Session;
let approver: Session;
const org: Record<string, string> = {};
const res: Record<string, string> = {};
let jurisdictionId: string;

type Answer = any;
async function ok(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  return x.json();
}
const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/operations${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1/operations${url}` });
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);
const pack = (packId: string) =>
  ok(as(t.app, approver, { method: 'PUT', url: '/api/v1/jurisdictions/demo-city/policy', payload: { packId } }));

async function inbox(s: Session, kind: string): Promise<{ title: { zh: string }; entity: { id: string } | null }[]> {
  const all = await ok(as(t.app, s, { url: '/api/v1/notifications?limit=200' }));
  return all.items.filter((n: { kind: string }) => n.kind === kind);
}

async function resource(name: string, unit: string, providerCode: string, zone: string, reclaimed = false) {
  const db = t.database.db;
  res[name] = await db.transaction().execute(async (trx) => {
    const r = await createResource(trx, {
      organisation_id: org[unit] as string,
      jurisdiction_id: jurisdictionId,
      provider_id: org[providerCode] as string,
      catalogue_item_code: 'cloud-vm',
      name,
      zone,
    });
    const actor = { kind: 'system' as const, id: null, name: 'test' };
    await recordResourceEvent(trx, actor, {
      resourceId: r.id,
      kind: 'delivered',
      occurredAt: new Date('2026-09-20T02:00:00Z'),
      quantities: { vcpu: 4, memory_gb: 8 },
      source: 'manual',
    });
    if (reclaimed)
      await recordResourceEvent(trx, actor, {
        resourceId: r.id,
        kind: 'reclaimed',
        occurredAt: new Date('2026-09-25T02:00:00Z'),
        source: 'manual',
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
  // an operator of provider B, with the demo password
  const hash = await db
    .selectFrom('user_account')
    .select('password_hash')
    .where('username', '=', 'provider')
    .executeTakeFirstOrThrow();
  const b = await db
    .insertInto('user_account')
    .values({ username: 'provider-b-operator', display_name: '服务商乙操作员', password_hash: hash.password_hash })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('role_assignment')
    .values({
      user_id: b.id,
      organisation_id: org['demo-provider-b'] as string,
      role: 'provider_operator',
      granted_by: 'test',
    })
    .execute();
  unitadmin = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  provider = await login(t.app, 'provider');
  provideradmin = await login(t.app, 'provideradmin');
  providerB = await login(t.app, 'provider-b-operator');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  await resource('卫健委-应用服务器', 'demo-health', 'demo-provider-a', '政务外网区');
  await resource('卫健委-门户服务器', 'demo-health', 'demo-provider-a', '互联网区');
  await resource('疾控中心-数据库', 'demo-health-cdc', 'demo-provider-a', '政务外网区');
  await resource('教育局-应用服务器', 'demo-education', 'demo-provider-a', '政务外网区');
  await resource('教育局-已回收', 'demo-education', 'demo-provider-a', '政务外网区', true);
  await resource('卫健委-乙服务商', 'demo-health', 'demo-provider-b', '政务外网区');
}, 180_000);
afterAll(() => t?.close());

const ticket = (resourceId: string, subject: string) =>
  ok(
    post(unitadmin, '/tickets', {
      kind: 'fault',
      priority: 'urgent',
      subject,
      description: '系统无法访问，请尽快处理',
      resourceId,
    }),
    201,
  );

describe('the service desk’s response clock (TZ 12(2): 5 minutes, wall-clock 7x24)', () => {
  let met: string;
  let late: string;

  it('routes a ticket to the provider of the resource, with the pack’s target and article', async () => {
    await pack('taizhou-2018');
    at('2026-10-03T22:00:00'); // a Saturday night in the National Day holidays: the clock still runs
    const a = await ticket(res['卫健委-应用服务器'] as string, '应用服务器无法访问');
    met = a.id;
    expect(a.provider.id).toBe(org['demo-provider-a']);
    expect(a.unit.name).toBeTruthy();
    expect(a.response).toMatchObject({
      targetMinutes: 5,
      article: 'TZ 12(2)',
      dueAt: '2026-10-03T14:05:00.000Z',
      met: null,
      breached: false,
      remainingSeconds: 300,
    });
    late = (await ticket(res['卫健委-门户服务器'] as string, '门户无法访问')).id;
    expect((await inbox(provider, 'ticket.opened')).length).toBe(2);
  });

  it('an answer at 4 min 59 s meets the target; one at 5 min 01 s breaches it and escalates once', async () => {
    at('2026-10-03T22:04:59');
    const a = await ok(post(provider, `/tickets/${met}/responses`, { body: '已收到，正在排查' }));
    expect(a.response).toMatchObject({ met: true, breached: false, respondedInSeconds: 299, escalatedAt: null });
    expect(a.status).toBe('responded');

    at('2026-10-03T22:05:01');
    const b = await ok(post(provider, `/tickets/${late}/responses`, { body: '已收到' }));
    expect(b.response).toMatchObject({ met: false, breached: true, respondedInSeconds: 301 });
    expect(b.response.escalatedAt).toBe('2026-10-03T14:05:01.000Z');
    expect(b.entries.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'response', 'escalation']);

    at('2026-10-03T22:30:00');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toMatchObject({ escalated: 0 });
    const toAdmin = await inbox(provideradmin, 'ticket.response_breached');
    const toOps = await inbox(reviewer, 'ticket.response_breached');
    expect(toAdmin.map((n) => n.entity?.id)).toEqual([late]);
    expect(toOps.map((n) => n.entity?.id)).toEqual([late]);
    expect(toAdmin[0]?.title.zh).toContain('TZ 12(2)');
  });

  it('an unanswered ticket is escalated by the sweep once, just after its target, and not again when answered', async () => {
    at('2026-10-04T09:00:00');
    const c = await ticket(res['卫健委-应用服务器'] as string, '数据库连接超时');
    at('2026-10-04T09:05:00');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toMatchObject({ escalated: 0 });
    at('2026-10-04T09:05:01');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toMatchObject({ escalated: 1 });
    expect(await sweepServiceDesk(t.database.db, clock.now())).toMatchObject({ escalated: 0 });
    at('2026-10-04T09:06:00');
    const answered = await ok(post(provider, `/tickets/${c.id}/responses`, { body: '处理中' }));
    expect(answered.response).toMatchObject({ met: false, breached: true, escalatedAt: '2026-10-04T01:05:01.000Z' });
    const toAdmin = await inbox(provideradmin, 'ticket.response_breached');
    expect(toAdmin.filter((n) => n.entity?.id === c.id).length).toBe(1);
    const breached = await ok(get(reviewer, '/tickets?breached=true'));
    expect(breached.items.map((x: { id: string }) => x.id).sort()).toEqual([late, c.id].sort());
  });

  it('resolution, then the unit’s confirmation with its satisfaction rating', async () => {
    at('2026-10-04T10:00:00');
    const early = await post(unitadmin, `/tickets/${met}/confirmation`, { satisfaction: 5 });
    expect(early.statusCode).toBe(409);
    await ok(post(provider, `/tickets/${met}/resolution`, { resolution: '已重启中间件，恢复访问' }));
    const bad = await post(unitadmin, `/tickets/${met}/confirmation`, { satisfaction: 6 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('satisfaction');
    const done = await ok(post(unitadmin, `/tickets/${met}/confirmation`, { satisfaction: 4, comment: '响应及时' }));
    expect(done).toMatchObject({ status: 'confirmed', satisfaction: 4, satisfactionComment: '响应及时' });
  });

  it('refuses a resource that is not the unit’s, naming the field, and stores nothing', async () => {
    const before = (await ok(get(reviewer, '/tickets'))).total;
    const r = await post(edu, '/tickets', {
      kind: 'fault',
      priority: 'normal',
      subject: '越权',
      description: '别的单位的资源',
      resourceId: res['卫健委-应用服务器'],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body.resourceId');
    expect((await ok(get(reviewer, '/tickets'))).total).toBe(before);
  });
});

describe('who sees which tickets', () => {
  it('a unit only its own, a provider only those routed to it, the ops unit all', async () => {
    const all = await ok(get(reviewer, '/tickets'));
    expect(all.total).toBe(3);
    const id = all.items[0].id;
    expect((await ok(get(unitadmin, '/tickets'))).total).toBe(3);
    expect((await ok(get(provider, '/tickets'))).total).toBe(3);
    expect((await ok(get(edu, '/tickets'))).total).toBe(0);
    expect((await ok(get(providerB, '/tickets'))).total).toBe(0);
    const foreign = await get(edu, `/tickets/${id}`);
    const missing = await get(edu, '/tickets/00000000-0000-4000-8000-000000000000');
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect((await get(providerB, `/tickets/${id}`)).statusCode).toBe(404);
    expect((await post(providerB, `/tickets/${id}/responses`, { body: '越权回复' })).statusCode).toBe(404);
    // a provider B ticket (the platform, no resource) is B's alone
    const own = await ok(
      post(edu, '/tickets', {
        kind: 'consultation',
        priority: 'low',
        subject: '咨询备份策略',
        description: '请说明异地备份的频率',
        providerId: org['demo-provider-b'],
      }),
      201,
    );
    expect((await ok(get(providerB, '/tickets'))).items.map((x: { id: string }) => x.id)).toEqual([own.id]);
    expect((await get(provider, `/tickets/${own.id}`)).statusCode).toBe(404);
    expect((await get(unitadmin, `/tickets/${own.id}`)).statusCode).toBe(404);
  });
});

describe('planned maintenance (JQ 13)', () => {
  let windowId: string;
  const apply = (startsAt: string, endsAt: string, extra: Record<string, unknown> = {}) =>
    post(provider, '/maintenance', {
      kind: 'planned',
      title: '政务外网区存储升级',
      impact: '存储控制器固件升级，期间政务外网区云主机中断约2小时',
      zone: '政务外网区',
      startsAt,
      endsAt,
      ...extra,
    });

  it('refuses an application one working day short of the lead time, with the article, and stores nothing', async () => {
    await pack('jiuquan-2018');
    at('2026-09-30T10:00:00');
    // 1-7 October are holidays: between 30 September and 9 October lies one working day (Thursday 8 October)
    const late = await apply('2026-10-09T20:00:00+08:00', '2026-10-09T23:00:00+08:00');
    expect(late.statusCode).toBe(422);
    const problem = late.json();
    expect(problem.code ?? problem.type).toContain('lead_time_too_short');
    expect(problem.detail).toContain('JQ 13');
    expect(problem.errors[0].field).toBe('body.startsAt');
    expect((await ok(get(provider, '/maintenance'))).total).toBe(0);
  });

  it('accepts two working days ahead (8 October and the make-up Saturday 10 October... the window starts after 9 October)', async () => {
    const m = await ok(apply('2026-10-10T02:00:00+08:00', '2026-10-10T06:00:00+08:00'), 201);
    windowId = m.id;
    expect(m.status).toBe('applied');
    expect(m.leadTime).toEqual({ workingDays: 2, article: 'JQ 13', lastDayBefore: '2026-10-09' });
    // exactly the units holding live resources of provider A in the zone: not provider B's, not the reclaimed one
    const units = m.units.map((u: { unit: { id: string } }) => u.unit.id).sort();
    expect(units).toEqual([org['demo-health'], org['demo-health-cdc'], org['demo-education']].sort());
    expect(m.affectedResources).toBe(3);
    const health = m.units.find((u: { unit: { id: string } }) => u.unit.id === org['demo-health']);
    expect(health.resourceIds).toEqual([res['卫健委-应用服务器']]);
    expect(m.units.every((u: { notifiedAt: string | null }) => u.notifiedAt === null)).toBe(true);
    expect((await inbox(approver, 'maintenance.applied')).length).toBe(1);
    // before the authority's step no unit is told and none may answer
    expect((await inbox(edu, 'maintenance.consultation')).length).toBe(0);
    expect((await post(edu, `/maintenance/${windowId}/answer`, { answer: 'confirmed' })).statusCode).toBe(409);
  });

  it('a sudden interruption may be applied for at any time, but waits for the authority', async () => {
    const s = await ok(
      post(provider, '/maintenance', {
        kind: 'sudden',
        title: '互联网区紧急补丁',
        impact: '修复高危漏洞，互联网区主机重启',
        resourceIds: [res['卫健委-门户服务器']],
        startsAt: '2026-09-30T20:00:00+08:00',
        endsAt: '2026-09-30T21:00:00+08:00',
      }),
      201,
    );
    expect(s).toMatchObject({ status: 'applied', leadTime: null, affectedResources: 1 });
    const foreign = await post(provider, '/maintenance', {
      kind: 'sudden',
      title: '越权',
      impact: '别家的资源',
      resourceIds: [res['卫健委-乙服务商']],
      startsAt: '2026-09-30T20:00:00+08:00',
      endsAt: '2026-09-30T21:00:00+08:00',
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].field).toBe('body.resourceIds');
  });

  it('the authority notifies each affected unit once; units confirm or object; the authority agrees the window', async () => {
    const n = await ok(post(approver, `/maintenance/${windowId}/notification`));
    expect(n.status).toBe('consulting');
    expect(n.units.every((u: { notifiedAt: string | null }) => u.notifiedAt !== null)).toBe(true);
    expect((await post(approver, `/maintenance/${windowId}/notification`)).statusCode).toBe(409);
    expect((await inbox(unitadmin, 'maintenance.consultation')).length).toBe(1);
    expect((await inbox(edu, 'maintenance.consultation')).length).toBe(1);
    // provider B's units are not told: provider B sees nothing of A's window
    expect((await get(providerB, `/maintenance/${windowId}`)).statusCode).toBe(404);
    expect((await ok(get(providerB, '/maintenance'))).total).toBe(0);
    // a unit sees the windows that affect it, and only its own answer
    const mine = await ok(get(edu, `/maintenance/${windowId}`));
    expect(mine.units.map((u: { unit: { id: string } }) => u.unit.id)).toEqual([org['demo-education']]);

    const noReason = await post(edu, `/maintenance/${windowId}/answer`, { answer: 'objected' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('body.note');
    await ok(
      post(edu, `/maintenance/${windowId}/answer`, {
        answer: 'objected',
        note: '10日上午有招生系统上线，请推迟至凌晨',
      }),
    );
    await ok(post(unitadmin, `/maintenance/${windowId}/answer`, { answer: 'confirmed' }));
    const silent = await post(approver, `/maintenance/${windowId}/decision`, { decision: 'agree' });
    expect(silent.statusCode).toBe(400);
    expect(silent.json().errors[0].field).toBe('body.note');
    const agreed = await ok(
      post(approver, `/maintenance/${windowId}/decision`, {
        decision: 'agree',
        startsAt: '2026-10-10T00:00:00+08:00',
        endsAt: '2026-10-10T04:00:00+08:00',
        note: '与教育局协商提前至凌晨实施',
      }),
    );
    expect(agreed).toMatchObject({
      status: 'agreed',
      startsAt: '2026-10-09T16:00:00.000Z',
      endsAt: '2026-10-09T20:00:00.000Z',
    });
    expect((await inbox(edu, 'maintenance.agreed')).length).toBe(1);
    expect((await inbox(provider, 'maintenance.agreed')).length).toBe(1);
    // the page names people, not accounts
    const detail = await ok(get(approver, `/maintenance/${windowId}`));
    expect(detail).toMatchObject({
      appliedBy: 'provider',
      appliedByName: '孙浩（服务商甲操作员）',
      decidedBy: 'approver',
      decidedByName: '吴刚（大数据局审批人）',
    });
  });

  it('during the agreed window monitoring raises no silent-agent finding for the affected resources', async () => {
    at('2026-10-10T02:00:00');
    await ok(as(t.app, reviewer, { method: 'POST', url: '/api/v1/monitoring/detection-runs' }));
    const findings = await ok(as(t.app, reviewer, { url: '/api/v1/monitoring/findings?rule=silent_agent&limit=500' }));
    const text = JSON.stringify(findings.items);
    expect(text).not.toContain(res['卫健委-应用服务器']);
    expect(text).not.toContain(res['疾控中心-数据库']);
    expect(text).not.toContain(res['教育局-应用服务器']);
    // outside the window's scope the silent agent is still a finding
    expect(text).toContain(res['卫健委-门户服务器']);
  });
});

describe('incidents (TZ 12(5)): the same-day report of a major incident, who sees it, availability', () => {
  let major: string;

  it('a major incident touches the units holding resources in its zone; its report is due the same day', async () => {
    await pack('taizhou-2018');
    at('2026-10-12T15:00:00');
    const i = await ok(
      post(provider, '/incidents', {
        severity: 'major',
        title: '互联网区核心交换机故障',
        description: '互联网区网络中断',
        zone: '互联网区',
        startedAt: '2026-10-12T14:00:00+08:00',
      }),
      201,
    );
    major = i.id;
    expect(i.reportDueAt).toBe('2026-10-12T15:59:59.999Z');
    expect(i.resourceIds).toEqual([res['卫健委-门户服务器']]);
    expect((await ok(get(unitadmin, '/incidents'))).items.map((x: { id: string }) => x.id)).toEqual([major]);
    expect((await ok(get(edu, '/incidents'))).total).toBe(0);
    expect((await ok(get(providerB, '/incidents'))).total).toBe(0);
    expect((await get(edu, `/incidents/${major}`)).statusCode).toBe(404);
    expect((await get(providerB, `/incidents/${major}`)).statusCode).toBe(404);
  });

  it('a report missing at the end of the day is overdue and escalates once', async () => {
    at('2026-10-12T23:59:59');
    expect(await sweepIncidents(t.database.db, clock.now())).toEqual({ escalated: 0 });
    at('2026-10-13T00:00:00');
    expect(await sweepIncidents(t.database.db, clock.now())).toEqual({ escalated: 1 });
    expect(await sweepIncidents(t.database.db, clock.now())).toEqual({ escalated: 0 });
    expect((await inbox(approver, 'incident.report_overdue')).length).toBe(1);
    const late = await ok(post(provider, `/incidents/${major}/report`, { report: '根因：交换机板卡故障，已更换' }));
    expect(late.overdueSince).toBe('2026-10-12T16:00:00.000Z');
  });

  it('availability merges overlapping incident windows per provider and zone', async () => {
    await ok(post(provider, `/incidents/${major}/end`, { endedAt: '2026-10-12T16:00:00+08:00' }));
    const minor = await ok(
      post(provider, '/incidents', {
        severity: 'minor',
        title: '互联网区丢包',
        description: '部分丢包',
        zone: '互联网区',
        startedAt: '2026-10-12T15:00:00+08:00',
      }),
      201,
    );
    expect(minor.reportDueAt).toBeNull();
    await ok(post(provider, `/incidents/${minor.id}/end`, { endedAt: '2026-10-12T17:00:00+08:00' }));
    const a = await ok(get(reviewer, '/incidents/availability?from=2026-10-01&to=2026-11-01'));
    const month = 31 * 86400;
    expect(a.periodSeconds).toBe(month);
    const p = a.providers.find((x: { key: string }) => x.key === org['demo-provider-a']);
    expect(p.downtimeSeconds).toBe(3 * 3600); // 14:00-17:00, not 2 h + 2 h
    expect(p.availabilityPercent).toBe(Math.round((1 - 10800 / month) * 1_000_000) / 10_000);
    expect(a.zones).toEqual([expect.objectContaining({ key: '互联网区', downtimeSeconds: 10800 })]);
  });
});

describe('resolution targets per priority (the pack’s defaults: no regulation gives one), wall-clock, overdue shown', () => {
  it('copies the priority’s target with what the pack says of it; resolved at the due moment meets it, a second later is overdue', async () => {
    await pack('taizhou-2018');
    at('2026-10-20T09:00:00');
    const urgent = await ticket(res['卫健委-应用服务器'] as string, '应用服务器宕机');
    expect(urgent.resolutionTarget).toMatchObject({
      targetHours: 4,
      // the number is the platform's (article null in the pack); the duty it serves is TZ 12(2)'s uninterrupted service
      article: 'TZ 12(2)',
      dueAt: '2026-10-20T05:00:00.000Z',
      remainingSeconds: 4 * 3600,
      met: null,
      overdue: false,
    });
    expect(urgent.resolutionTarget.note).toContain('not provided by the regulation');
    const low = await ok(
      post(unitadmin, '/tickets', {
        kind: 'consultation',
        priority: 'low',
        subject: '咨询备份策略',
        description: '请说明备份周期',
        resourceId: res['卫健委-应用服务器'],
      }),
      201,
    );
    expect(low.resolutionTarget).toMatchObject({ targetHours: 72, dueAt: '2026-10-23T01:00:00.000Z' });
    const high = await ok(
      post(unitadmin, '/tickets', {
        kind: 'fault',
        priority: 'high',
        subject: '门户访问缓慢',
        description: '首页加载超过 10 秒',
        resourceId: res['卫健委-门户服务器'],
      }),
      201,
    );
    expect(high.resolutionTarget).toMatchObject({ targetHours: 8, dueAt: '2026-10-20T09:00:00.000Z' });

    at('2026-10-20T13:00:00'); // exactly 4 hours: met
    const done = await ok(post(provider, `/tickets/${urgent.id}/resolution`, { resolution: '已更换故障硬盘' }));
    expect(done.resolutionTarget).toMatchObject({ met: true, overdue: false, resolvedInSeconds: 4 * 3600 });

    at('2026-10-20T17:00:01'); // the high one is past its 8 hours, still open: overdue while it waits
    const waiting = await ok(get(unitadmin, `/tickets/${high.id}`));
    expect(waiting.resolutionTarget).toMatchObject({ met: null, overdue: true, remainingSeconds: -1 });
    const overdue = await ok(get(reviewer, '/tickets?overdue=true'));
    const ids = overdue.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(high.id);
    expect(ids).not.toContain(urgent.id);
    expect(ids).not.toContain(low.id);
    const late = await ok(post(provider, `/tickets/${high.id}/resolution`, { resolution: '已扩容带宽' }));
    expect(late.resolutionTarget).toMatchObject({ met: false, overdue: true, resolvedInSeconds: 8 * 3600 + 1 });
    // the history names people by their display names, not their user names
    expect(late.createdByName).toBe('李静（卫健委管理员）');
    expect(late.entries.map((e: { kind: string; authorName: string }) => [e.kind, e.authorName])).toEqual([
      ['opened', '李静（卫健委管理员）'],
      ['response', '孙浩（服务商甲操作员）'],
      ['escalation', '系统'], // answered (with the resolution) hours after the 5 minutes of TZ 12(2)
      ['resolution', '孙浩（服务商甲操作员）'],
      ['escalation', '系统'], // resolved a second after its 8 hours: told to the provider and the ops unit, once
    ]);
    expect(late.resolutionTarget.escalatedAt).not.toBeNull();
    expect((await ok(get(reviewer, '/tickets?overdue=true'))).items.map((x: { id: string }) => x.id)).toContain(
      high.id,
    );
  });

  it('a jurisdiction’s override of the pack’s target applies to tickets opened after it', async () => {
    const set = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides',
      payload: { path: 'defaults.ticketResolutionHoursUrgent', value: 2, reason: '本市紧急工单 2 小时内解决' },
    });
    expect(set.statusCode, set.body).toBe(200);
    at('2026-10-21T09:00:00');
    const urgent = await ticket(res['卫健委-应用服务器'] as string, '数据库主库故障');
    expect(urgent.resolutionTarget).toMatchObject({ targetHours: 2, dueAt: '2026-10-21T03:00:00.000Z' });
  });
});
