import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { createResource } from '../inventory/index.ts';
import { ticketResponseFacts } from './index.ts';

// Issue 18 through the HTTP API:
//  - resolution targets counted in working time where the jurisdiction's pack says so (an override of
//    defaults.ticketResolutionWorkingHoursPerDay = 8, service hours 09:00-17:00 Beijing time), over the 2026
//    National Day holidays (1-7 October off; Saturday 10 October a make-up working day), while TZ 12(2)'s
//    5-minute response stays wall-clock 7x24;
//  - a provider's API token working its queue: list, answer, update, resolve; nothing of another provider's.

const clock = new ManualClock('2026-09-30T02:00:00Z');
let t: TestApp;
let unitadmin: Session;
let provideradmin: Session;
let approver: Session;
const org: Record<string, string> = {};
let jurisdictionId: string;
let vm: string;
let vmOfB: string;

type Answer = any;
async function ok(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  return x.json();
}
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);
const iso = (shanghai: string) => new Date(`${shanghai}+08:00`).toISOString();
const open = (priority: string, resourceId = vm) =>
  ok(
    as(t.app, unitadmin, {
      method: 'POST',
      url: '/api/v1/operations/tickets',
      payload: { kind: 'fault', priority, subject: '门户访问缓慢', description: '请排查', resourceId },
    }),
    201,
  );

async function resource(name: string, providerCode: string) {
  return t.database.db.transaction().execute(async (trx) => {
    const r = await createResource(trx, {
      organisation_id: org['demo-health'] as string,
      jurisdiction_id: jurisdictionId,
      provider_id: org[providerCode] as string,
      catalogue_item_code: 'cloud-vm',
      name,
      zone: '政务外网区',
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
  vm = await resource('卫健委门户', 'demo-provider-a');
  vmOfB = await resource('卫健委备份', 'demo-provider-b');
  unitadmin = await login(t.app, 'unitadmin');
  provideradmin = await login(t.app, 'provideradmin');
  approver = await login(t.app, 'approver');
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'taizhou-2018' },
    }),
  );
}, 120_000);
afterAll(() => t.close());

describe('resolution targets in working time (issue 18)', () => {
  it('by default a target is wall-clock: high priority, 8 hours from now', async () => {
    at('2026-09-30T16:00:00');
    const tk = await open('high');
    expect(tk.resolutionTarget).toMatchObject({ targetHours: 8, workingTime: null });
    expect(tk.resolutionTarget.dueAt).toBe(iso('2026-10-01T00:00:00'));
  });

  it('where the pack says so, the hours are service hours of working days: holidays skipped', async () => {
    await ok(
      as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy/overrides',
        payload: {
          path: 'defaults.ticketResolutionWorkingHoursPerDay',
          value: 8,
          reason: '现场服务 5x8（TZ 12），解决时限按工作时间计',
        },
      }),
    );
    // Wednesday 30 September 16:00: one service hour that day, then the National Day holidays (1-7 October), then
    // seven hours of Thursday 8 October. The response target stays 5 minutes of wall-clock time.
    at('2026-09-30T16:00:00');
    const tk = await open('high');
    expect(tk.resolutionTarget).toMatchObject({ targetHours: 8, workingTime: { hoursPerDay: 8, startHour: 9 } });
    expect(tk.resolutionTarget.dueAt).toBe(iso('2026-10-08T16:00:00'));
    expect(tk.response.dueAt).toBe(iso('2026-09-30T16:05:00'));

    // one second before the due moment it is not overdue; resolved one second after it, it is
    at('2026-10-08T15:59:59');
    const before = await ok(as(t.app, unitadmin, { url: `/api/v1/operations/tickets/${tk.id}` }));
    expect(before.resolutionTarget).toMatchObject({ overdue: false, remainingSeconds: 1 });
    at('2026-10-08T16:00:01');
    const resolved = await ok(
      as(t.app, provideradmin, {
        method: 'POST',
        url: `/api/v1/operations/tickets/${tk.id}/resolution`,
        payload: { resolution: '已扩容' },
      }),
    );
    expect(resolved.resolutionTarget).toMatchObject({ met: false, overdue: true });
  });

  it('a make-up working day counts; a ticket opened on a holiday starts at the next service hours', async () => {
    // Friday 9 October 15:00, normal priority (24 service hours): 2 h that day, 8 h on the make-up Saturday
    // 10 October, none on Sunday, 8 h on Monday 12, 6 h on Tuesday 13 -> 15:00 (14 October without the make-up day)
    at('2026-10-09T15:00:00');
    const normal = await open('normal');
    expect(normal.resolutionTarget.dueAt).toBe(iso('2026-10-13T15:00:00'));
    // Friday 2 October (a holiday) 10:00, high priority: counted from Thursday 8 October 09:00; answered 4 min 59 s
    // later it meets the wall-clock response target
    at('2026-10-02T10:00:00');
    const onHoliday = await open('high');
    expect(onHoliday.resolutionTarget.dueAt).toBe(iso('2026-10-08T17:00:00'));
    expect(onHoliday.response.dueAt).toBe(iso('2026-10-02T10:05:00'));
    at('2026-10-02T10:04:59');
    const answered = await ok(
      as(t.app, provideradmin, {
        method: 'POST',
        url: `/api/v1/operations/tickets/${onHoliday.id}/responses`,
        payload: { body: '已受理' },
      }),
    );
    expect(answered.response).toMatchObject({ met: true, breached: false });
  });
});

describe('a provider’s API token works its queue (issue 18)', () => {
  it('lists its tickets, answers, updates and resolves; another provider’s ticket is not there', async () => {
    at('2026-10-12T10:00:00');
    const mine = await open('urgent');
    const other = await open('urgent', vmOfB);
    const issued = await ok(
      as(t.app, provideradmin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: '服务商甲工单系统', scopes: ['ticket:read', 'ticket:work'], expiresInDays: 30 },
      }),
      201,
    );
    const bearer = { authorization: `Bearer ${issued.token}` };
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1/operations${url}`, headers: bearer, payload });

    const queue = await ok(call('GET', '/tickets?status=open&limit=500'));
    const ids = queue.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(other.id);
    expect(queue.items.every((x: { provider: { id: string } }) => x.provider.id === org['demo-provider-a'])).toBe(true);

    at('2026-10-12T10:03:00');
    const answered = await ok(call('POST', `/tickets/${mine.id}/responses`, { body: '工单系统已受理，工程师处理中' }));
    expect(answered).toMatchObject({ status: 'responded', response: { met: true, respondedInSeconds: 180 } });
    const updated = await ok(call('POST', `/tickets/${mine.id}/responses`, { body: '已定位为磁盘满' }));
    at('2026-10-12T11:00:00');
    const resolved = await ok(call('POST', `/tickets/${mine.id}/resolution`, { resolution: '已清理日志并扩容' }));
    expect(resolved.status).toBe('resolved');
    expect(updated.entries.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'response', 'update']);
    expect(resolved.entries.at(-1)).toMatchObject({ kind: 'resolution', authorName: '服务商甲工单系统' });

    // provider B's ticket answers as one that does not exist
    const foreign = await call('POST', `/tickets/${other.id}/responses`, { body: '冒名回复' });
    const nowhere = await call('POST', '/tickets/00000000-0000-4000-8000-000000000000/responses', { body: 'x' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.statusCode).toBe(nowhere.statusCode);
    expect((await call('GET', `/tickets/${other.id}`)).statusCode).toBe(404);
  });

  it('a unit cannot grant working a queue; a token without the scope cannot answer', async () => {
    const refused = await as(t.app, unitadmin, {
      method: 'POST',
      url: '/api/v1/api-tokens',
      payload: { name: '单位系统', scopes: ['ticket:work'], expiresInDays: 30 },
    });
    expect(refused.statusCode, refused.body).toBe(403);
    const reader = await ok(
      as(t.app, provideradmin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: '服务商甲只读', scopes: ['ticket:read'], expiresInDays: 30 },
      }),
      201,
    );
    at('2026-10-12T14:00:00');
    const tk = await open('low');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/operations/tickets/${tk.id}/responses`,
      headers: { authorization: `Bearer ${reader.token}` },
      payload: { body: '只读令牌回复' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('the service desk in the providers’ response indicator (issue 18)', () => {
  it('counts, per provider, the tickets answered in October or left unanswered past a due moment in it', async () => {
    // provider A: answered late on 8 October (by the resolution), the Friday ticket and the low one never
    // answered, the holiday ticket answered at 4 min 59 s and the token's at 3 min: 5 counted, 2 on time.
    // Provider B: its one ticket never answered. The first ticket (due 30 September) is September's.
    const facts = await t.database.db
      .transaction()
      .execute((trx) =>
        ticketResponseFacts(
          trx,
          jurisdictionId,
          new Date(iso('2026-10-01T00:00:00')),
          new Date(iso('2026-11-01T00:00:00')),
        ),
      );
    const byProvider = Object.fromEntries(facts.map((f) => [f.providerId, { counted: f.counted, onTime: f.onTime }]));
    expect(byProvider).toEqual({
      [org['demo-provider-a'] as string]: { counted: 5, onTime: 2 },
      [org['demo-provider-b'] as string]: { counted: 1, onTime: 0 },
    });
  });
});
