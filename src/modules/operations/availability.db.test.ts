import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { createResource, recordResourceEvent } from '../inventory/index.ts';
import { foldStaged } from '../monitoring/monitoring.fold.ts';
import { sweepServiceDesk } from './index.ts';

// Issue 18 through the HTTP API: availability measured by the agents' heartbeat with the agreed maintenance window
// (JQ 13, Jiuquan's pack, applied across the National Day holidays) taken out as planned time, never typed in; and
// a ticket that misses its resolution target told once to its provider and the ops unit.
//
// Saturday 10 October 2026 (a make-up working day), Beijing time. Two VMs of the health commission run by provider A:
//  - 应用服务器 under the agreed window 02:00-06:00: heartbeat 0 there (planned, not counted); at 10:00-11:00 one
//    sample of four says up (45 minutes down); no sample at all at 15:00-16:00 (silent: the whole hour down).
//    Measured 20 h = 72,000 s, down 2,700 + 3,600 = 6,300 s: 1 - 6300/72000 = 91.25 %.
//  - 门户服务器, not in the window: heartbeat 0 at 02:00-03:00 (an unplanned hour down). 86,400 s measured,
//    3,600 down: 95.8333 %.
//  Provider A: 158,400 s measured, 9,900 down: 93.75 %.

const clock = new ManualClock('2026-09-30T02:00:00Z');
let t: TestApp;
let unitadmin: Session;
let edu: Session;
let provider: Session;
let provideradmin: Session;
let reviewer: Session;
let approver: Session;
let token: string;
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
const bj = (shanghai: string) => new Date(`${shanghai}+08:00`).getTime();

async function inbox(s: Session, kind: string): Promise<{ title: { zh: string }; entity: { id: string } | null }[]> {
  const all = await ok(as(t.app, s, { url: '/api/v1/notifications?limit=200' }));
  return all.items.filter((n: { kind: string }) => n.kind === kind);
}

async function resource(name: string, externalId: string) {
  res[name] = await t.database.db.transaction().execute(async (trx) => {
    const r = await createResource(trx, {
      organisation_id: org['demo-health'] as string,
      jurisdiction_id: jurisdictionId,
      provider_id: org['demo-provider-a'] as string,
      catalogue_item_code: 'cloud-vm',
      name,
      zone: '政务外网区',
      external_id: externalId,
    });
    await recordResourceEvent(
      trx,
      { kind: 'system', id: null, name: 'test' },
      {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-09-20T02:00:00Z'),
        quantities: { vcpu: 4, memory_gb: 8 },
        source: 'manual',
      },
    );
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
  unitadmin = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  provider = await login(t.app, 'provider');
  provideradmin = await login(t.app, 'provideradmin');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  await resource('卫健委-应用服务器', 'hb-app');
  await resource('卫健委-门户服务器', 'hb-portal');
  token = (
    await ok(
      as(t.app, provideradmin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: 'agent', scopes: ['monitoring:ingest'], expiresInDays: 30 },
      }),
      201,
    )
  ).token;
}, 180_000);
afterAll(() => t?.close());

describe('availability from the heartbeat, agreed maintenance taken out (JQ 11, 13)', () => {
  it('the window is applied, the unit consulted and it is agreed: the planned time comes from it', async () => {
    await ok(
      as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId: 'jiuquan-2018' },
      }),
    );
    at('2026-09-30T10:00:00');
    const m = await ok(
      post(provider, '/maintenance', {
        kind: 'planned',
        title: '应用服务器内核升级',
        impact: '升级期间应用服务器不可用',
        resourceIds: [res['卫健委-应用服务器']],
        startsAt: '2026-10-10T02:00:00+08:00',
        endsAt: '2026-10-10T06:00:00+08:00',
      }),
      201,
    );
    await ok(post(approver, `/maintenance/${m.id}/notification`));
    await ok(post(unitadmin, `/maintenance/${m.id}/answer`, { answer: 'confirmed' }));
    const agreed = await ok(post(approver, `/maintenance/${m.id}/decision`, { decision: 'agree' }));
    expect(agreed.status).toBe('agreed');
  });

  it('ingests a day of heartbeats and measures each resource, system, unit and provider exactly', async () => {
    at('2026-10-11T00:30:00');
    await ok(
      as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { outOfOrderMinutes: 10080 } }),
    );
    const app: [number, number][] = [];
    const portal: [number, number][] = [];
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, '0');
      const half = bj(`2026-10-10T${hh}:30:00`);
      if (h >= 2 && h < 6) app.push([half, 0]);
      else if (h === 10) for (const [i, v] of [1, 0, 0, 0].entries()) app.push([bj(`2026-10-10T10:0${i}:00`), v]);
      else if (h !== 15) app.push([half, 1]);
      portal.push([half, h === 2 ? 0 : 1]);
    }
    const sent = await t.app.inject({
      method: 'POST',
      url: '/api/v1/monitoring/samples',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        series: [
          { resource: 'hb-app', metric: 'heartbeat', samples: app },
          { resource: 'hb-portal', metric: 'heartbeat', samples: portal },
        ],
      },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    await foldStaged(t.database.db, { now: clock.now() });

    const a = await ok(get(reviewer, '/availability?from=2026-10-10&to=2026-10-11'));
    expect(a.measuredUntil).toBe('2026-10-10T16:00:00.000Z');
    const byName = Object.fromEntries(a.resources.map((r: { resource: { name: string } }) => [r.resource.name, r]));
    expect(byName['卫健委-应用服务器']).toMatchObject({
      measuredSeconds: 72_000,
      downSeconds: 6_300,
      plannedSeconds: 14_400,
      silentHours: 1,
      availabilityPercent: 91.25,
    });
    expect(byName['卫健委-门户服务器']).toMatchObject({
      measuredSeconds: 86_400,
      downSeconds: 3_600,
      plannedSeconds: 0,
      silentHours: 0,
      availabilityPercent: 95.8333,
    });
    expect(a.providers).toEqual([
      {
        id: org['demo-provider-a'],
        name: '示范政务云服务商甲',
        resources: 2,
        measuredSeconds: 158_400,
        downSeconds: 9_900,
        plannedSeconds: 14_400,
        availabilityPercent: 93.75,
      },
    ]);
    expect(a.units).toHaveLength(1);
    expect(a.units[0]).toMatchObject({ id: org['demo-health'], availabilityPercent: 93.75 });
  });

  it('the provider sees its own, the unit its own; another unit nothing; bad dates name the field', async () => {
    const mine = await ok(get(provider, '/availability?from=2026-10-10&to=2026-10-11'));
    expect(mine.providers.map((p: { availabilityPercent: number }) => p.availabilityPercent)).toEqual([93.75]);
    const unit = await ok(get(unitadmin, '/availability?from=2026-10-10&to=2026-10-11'));
    expect(unit.resources).toHaveLength(2);
    const other = await ok(get(edu, '/availability?from=2026-10-10&to=2026-10-11'));
    expect(other.resources).toEqual([]);
    expect(other.providers).toEqual([]);
    const bad = await get(reviewer, '/availability?from=2026-10-11&to=2026-10-10');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query.to');
  });

  it('the weekly report carries the same measured availability, planned time out', async () => {
    const r = await ok(post(reviewer, '/reports', { period: 'week', start: '2026-10-05' }), 201);
    const measured = r.figures.availability.measured;
    expect(measured.measuredUntil).toBe('2026-10-10T16:00:00.000Z');
    expect(measured.providers[0]).toMatchObject({
      measuredSeconds: 158_400,
      downSeconds: 9_900,
      availabilityPercent: 93.75,
    });
    expect(measured.leastAvailable[0]).toMatchObject({
      resource: { name: '卫健委-应用服务器' },
      availabilityPercent: 91.25,
    });
  });
});

describe('a ticket that misses its resolution target (the pack’s default: urgent 4 hours, wall-clock)', () => {
  const open = async (subject: string) =>
    ok(
      post(unitadmin, '/tickets', {
        kind: 'fault',
        priority: 'urgent',
        subject,
        description: '门户无法访问',
        resourceId: res['卫健委-门户服务器'],
      }),
      201,
    );

  it('is told to the provider and the ops unit once, by the sweep just after the due moment', async () => {
    at('2026-10-11T09:00:00');
    const tk = await open('门户无法访问');
    expect(tk.resolutionTarget).toMatchObject({ targetHours: 4, dueAt: '2026-10-11T05:00:00.000Z', escalatedAt: null });
    await ok(post(provider, `/tickets/${tk.id}/responses`, { body: '已收到' }));
    at('2026-10-11T13:00:00');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toEqual({ escalated: 0, resolutionOverdue: 0 });
    at('2026-10-11T13:00:01');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toEqual({ escalated: 0, resolutionOverdue: 1 });
    at('2026-10-11T14:00:00');
    expect(await sweepServiceDesk(t.database.db, clock.now())).toEqual({ escalated: 0, resolutionOverdue: 0 });
    await ok(post(provider, `/tickets/${tk.id}/resolution`, { resolution: '已更换网卡' }));
    const done = await ok(get(unitadmin, `/tickets/${tk.id}`));
    expect(done.resolutionTarget).toMatchObject({ met: false, overdue: true, escalatedAt: '2026-10-11T05:00:01.000Z' });
    expect(done.entries.filter((e: { kind: string }) => e.kind === 'escalation')).toHaveLength(1);
    for (const s of [provider, provideradmin, reviewer]) {
      const told = (await inbox(s, 'ticket.resolution_breached')).filter((n) => n.entity?.id === tk.id);
      expect(told).toHaveLength(1);
      expect(told[0]?.title.zh).toContain('4 小时');
    }
    // the unit is not the party told (it is the one waiting)
    expect(await inbox(unitadmin, 'ticket.resolution_breached')).toEqual([]);
  });

  it('a late resolution before any sweep tells them at once, and the sweep then says nothing more', async () => {
    at('2026-10-11T15:00:00');
    const tk = await open('门户再次无法访问');
    at('2026-10-11T19:00:01'); // one second past the 4 hours (at 19:00:00 exactly it is met)
    const late = await ok(post(provider, `/tickets/${tk.id}/resolution`, { resolution: '已恢复' }));
    // Jiuquan's pack sets no response target (TZ 12(2)'s 5 minutes is Taizhou's); the late resolution is told at once
    expect(late.response).toMatchObject({ targetMinutes: null, escalatedAt: null });
    expect(late.resolutionTarget).toMatchObject({ met: false, escalatedAt: '2026-10-11T11:00:01.000Z' });
    expect(await sweepServiceDesk(t.database.db, clock.now())).toEqual({ escalated: 0, resolutionOverdue: 0 });
    const told = (await inbox(reviewer, 'ticket.resolution_breached')).filter((n) => n.entity?.id === tk.id);
    expect(told).toHaveLength(1);
  });
});
