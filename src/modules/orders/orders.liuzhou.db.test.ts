import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { suspendFulfilmentHandlers } from './index.ts';
import { acted, client, endOfDay, placed, project, vm, workingDue } from './orders.fixtures.ts';

// The demo city switched to the Liuzhou pack through the policy API: evaluation 7 W, approval 5 W, trial
// environment 2 W, trial up to 30 C, opening; change 3 W + 3 W; termination 5 W + 3 W (LZ 21).
const clock = new ManualClock('2026-11-02T02:00:00Z'); // Monday 10:00 +08:00
let t: TestApp;
let applicant: Session;
let reviewer: Session;
let approver: Session;
let restore: () => void;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, reviewer, approver] = (await Promise.all(
    ['applicant', 'reviewer', 'approver'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session];
  const res = await as(t.app, approver, {
    method: 'PUT',
    url: '/api/v1/jurisdictions/demo-city/policy',
    payload: { packId: 'liuzhou' },
  });
  expect(res.statusCode, res.body).toBe(200);
  restore = suspendFulfilmentHandlers();
}, 180_000);
afterAll(async () => {
  restore?.();
  await t?.close();
});

const at = (iso: string) => {
  clock.set(iso);
  return new Date(iso).toISOString();
};
const local = (iso: string) => {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${d}+08:00`;
};

describe('the Liuzhou path', () => {
  it('new resources: evaluation 7 W, approval 5 W, trial environment 2 W, trial 30 C, opening', async () => {
    at('2026-11-02T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const o = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '柳州路径',
      projectId,
      lines: [vm(4, 8, 2)],
    });
    expect(o.packId).toBe('liuzhou');
    expect(o.steps.map((s: { key: string; role: string }) => [s.key, s.role])).toEqual([
      ['evaluation', 'ops_reviewer'],
      ['approval', 'authority_approver'],
      ['trial_environment', 'ops_reviewer'],
      ['trial', 'unit_applicant'],
      ['opening', 'ops_reviewer'],
    ]);
    const e7 = await workingDue(t.app, local('2026-11-02T02:00:00Z'), 7);
    expect(o.currentStep).toMatchObject({
      key: 'evaluation',
      dueDay: e7.dueDay,
      deadline: { value: 7, unit: 'working_days', article: 'LZ 21(2)' },
    });
    expect(e7.dueDay).toBe('2026-11-11');

    at('2026-11-05T02:00:00Z');
    let v = await acted(t.app, reviewer, o.id, { decision: 'approve', comment: '评估通过' });
    const a5 = await workingDue(t.app, local('2026-11-05T02:00:00Z'), 5);
    expect(v.currentStep).toMatchObject({
      key: 'approval',
      role: 'authority_approver',
      dueDay: a5.dueDay,
      deadline: { article: 'LZ 21(3)' },
    });
    expect(a5.dueDay).toBe('2026-11-12');
    // The reviewer may not take the authority's step.
    expect((await client(t.app).act(reviewer, o.id, { decision: 'approve' })).json().code).toBe('not_your_step');

    at('2026-11-06T02:00:00Z');
    v = await acted(t.app, approver, o.id, { decision: 'approve' });
    const t2 = await workingDue(t.app, local('2026-11-06T02:00:00Z'), 2);
    expect(v.currentStep).toMatchObject({ key: 'trial_environment', dueDay: t2.dueDay, fulfilmentAction: 'open_test' });
    expect(t2.dueDay).toBe('2026-11-10');

    at('2026-11-09T02:00:00Z');
    v = await acted(t.app, reviewer, o.id, { decision: 'approve' });
    // The trial: 30 calendar days (LZ 21(4)), counted from 2026-11-09.
    expect(v.currentStep).toMatchObject({
      key: 'trial',
      dueDay: '2026-12-09',
      dueAt: endOfDay('2026-12-09'),
      deadline: { value: 30, unit: 'calendar_days' },
    });

    // LZ 21(4): at least 15 calendar days: ending the trial on 2026-11-16 is refused, citing the article.
    at('2026-11-16T02:00:00Z');
    const early = await client(t.app).act(applicant, o.id, { decision: 'approve', comment: '提前结束' });
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json()).toMatchObject({ code: 'order_rule_violated' });
    expect(early.json().detail).toContain('LZ 21(4)');
    expect(early.json().detail).toContain('2026-11-24');

    at('2026-12-01T02:00:00Z');
    v = await acted(t.app, applicant, o.id, { decision: 'approve', comment: '试用完成' });
    expect(v.currentStep).toMatchObject({
      key: 'opening',
      dueAt: null,
      dueDay: null,
      deadline: { value: null, article: 'LZ 21(5)' },
    });
    v = await acted(t.app, reviewer, o.id, { decision: 'approve' });
    expect(v.status).toBe('completed');
    expect(v.steps.map((s: { metDeadline: boolean | null }) => s.metDeadline)).toEqual([true, true, true, true, null]);

    // Change: evaluation (no number), approval 3 W, change 3 W.
    at('2026-12-02T02:00:00Z');
    const ch = await placed(t.app, applicant, {
      type: 'change',
      title: '变更',
      projectId,
      parentOrderId: o.id,
      lines: [vm(2, 2)],
    });
    expect(ch.steps.map((s: { key: string }) => s.key)).toEqual(['evaluation', 'approval', 'change']);
    expect(ch.currentStep).toMatchObject({ key: 'evaluation', dueAt: null });
    let c = await acted(t.app, reviewer, ch.id, { decision: 'approve' });
    expect(c.currentStep).toMatchObject({
      key: 'approval',
      dueDay: (await workingDue(t.app, local('2026-12-02T02:00:00Z'), 3)).dueDay,
      deadline: { value: 3, article: 'LZ 21(6)' },
    });
    expect(c.currentStep.dueDay).toBe('2026-12-07');
    at('2026-12-03T02:00:00Z');
    c = await acted(t.app, approver, ch.id, { decision: 'approve' });
    expect(c.currentStep).toMatchObject({ key: 'change', fulfilmentAction: 'change', dueDay: '2026-12-08' });
    c = await acted(t.app, reviewer, ch.id, { decision: 'approve' });
    expect(c.status).toBe('completed');

    // Termination: evaluation (no number), approval 5 W, reclaim 3 W.
    at('2026-12-21T02:00:00Z');
    const end = await placed(t.app, applicant, { type: 'reclaim', title: '终止', projectId, parentOrderId: o.id });
    expect(end.steps.map((s: { key: string }) => s.key)).toEqual(['evaluation', 'approval', 'reclaim']);
    let r = await acted(t.app, reviewer, end.id, { decision: 'approve' });
    const r5 = await workingDue(t.app, local('2026-12-21T02:00:00Z'), 5);
    expect(r.currentStep).toMatchObject({
      key: 'approval',
      dueDay: r5.dueDay,
      deadline: { value: 5, article: 'LZ 21(7)' },
    });
    expect(r5.dueDay).toBe('2026-12-28');
    r = await acted(t.app, approver, end.id, { decision: 'approve' });
    const r3 = await workingDue(t.app, local('2026-12-21T02:00:00Z'), 3);
    expect(r.currentStep).toMatchObject({ key: 'reclaim', dueDay: r3.dueDay, fulfilmentAction: 'reclaim' });
    r = await acted(t.app, reviewer, end.id, { decision: 'approve' });
    expect(r.status).toBe('completed');
  });

  it('refuses the order types Liuzhou does not provide, and exceeding the project quota (no overrun band in LZ)', async () => {
    at('2026-11-02T02:00:00Z');
    const api = client(t.app);
    const dev = await api.place(applicant, { type: 'development', title: 'd', termMonths: 1, lines: [vm(1, 1)] });
    expect(dev.statusCode).toBe(422);
    expect(dev.json()).toMatchObject({ code: 'order_type_not_provided' });
    expect(dev.json().detail).toContain('LZ has no development resources');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 2, memory_gb: 2, storage_gb: 100 });
    const up = await api.place(applicant, { type: 'scale_up', title: 'u', projectId, lines: [vm(4, 2)] });
    expect(up.statusCode).toBe(409);
    expect(up.json().code).toBe('quota_exceeded');
  });

  it('a deadline in a year whose calendar is not loaded is marked provisional', async () => {
    at('2027-12-27T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const o = await placed(t.app, applicant, { type: 'new_resources', title: '2028', projectId, lines: [vm(1, 1)] });
    const due = await workingDue(t.app, local('2027-12-27T02:00:00Z'), 7);
    expect(o.currentStep.dueDay).toBe(due.dueDay);
    expect(o.currentStep.provisional).toBe(due.provisional);
    expect(due.provisional).toBe(true);
    expect(o.currentStep.unconfirmedYears).toEqual((due as unknown as { unconfirmedYears: number[] }).unconfirmedYears);
    expect(o.currentStep.unconfirmedYears).toContain(2028);
  });
});
