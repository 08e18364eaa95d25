import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import {
  completeFulfilmentStep,
  deadlineSweepJob,
  onFulfilmentStepOpened,
  resumeAllocations,
  stopAllocations,
  suspendFulfilmentHandlers,
} from './index.ts';
import { acted, client, endOfDay, placed, project, trail, vm, workingDue } from './orders.fixtures.ts';

// Shanghai (the default pack) on the demo city. Tuesday 2026-09-29 10:00 +08:00: the five working days of
// the first review run over National Day.
const START = '2026-09-29T02:00:00Z';
const clock = new ManualClock(START);
let t: TestApp;
let applicant: Session;
let unitadmin: Session;
let edu: Session;
let reviewer: Session;
let approver: Session;
let econ: Session;
let eastreviewer: Session;
let api: ReturnType<typeof client>;
let restoreHandlers: () => void;
const log = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, unitadmin, edu, reviewer, approver, econ, eastreviewer] = (await Promise.all(
    ['applicant', 'unitadmin', 'edu', 'reviewer', 'approver', 'econ', 'eastreviewer'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session, Session, Session, Session];
  api = client(t.app);
  // Reviewers complete fulfilment steps themselves here (no provisioning); the switch has its own test.
  restoreHandlers = suspendFulfilmentHandlers();
}, 180_000);
afterAll(async () => {
  restoreHandlers?.();
  await t?.close();
});

const shanghai = (iso: string) => new Date(iso).toISOString();

describe('the Shanghai path end to end', () => {
  it('quota set -> test resources -> reviewed and opened -> unit verifies -> formal opening -> scale-up -> reclaim, every due time from the calendar', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 32, memory_gb: 64, storage_gb: 1000 });

    // Test resources requested: 2 VMs of 4 vCPU / 8 GB / 40+100 GB.
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '全民健康信息平台 测试资源',
      projectId,
      lines: [vm(4, 8, 2, [40, 100])],
    });
    expect(order).toMatchObject({ status: 'submitted', packId: 'shanghai-2022', quotaOverrun: false });
    expect(order.number).toMatch(/^DEMO-CITY-2026-\d{6}$/);
    expect(order.lines[0].dimensions).toEqual({ vcpu: '8', memory_gb: '16', storage_gb: '280' });
    expect(
      order.reservations.map((r: { dimension: string; amount: string; status: string }) => [
        r.dimension,
        r.amount,
        r.status,
      ]),
    ).toEqual([
      ['memory_gb', '16', 'reserved'],
      ['storage_gb', '280', 'reserved'],
      ['vcpu', '8', 'reserved'],
    ]);
    expect(order.steps.map((s: { key: string }) => s.key)).toEqual([
      'test_review',
      'unit_verification',
      'formal_opening',
    ]);
    // SH 19: 5 working days from 2026-09-29; National Day (1-7 Oct) lies inside, so not 2026-10-06.
    const review = order.currentStep;
    expect(review).toMatchObject({
      key: 'test_review',
      role: 'ops_reviewer',
      fulfilmentAction: 'open_test',
      provisional: false,
    });
    expect(review.deadline).toMatchObject({ value: 5, unit: 'working_days', article: 'SH 19' });
    const due5 = await workingDue(t.app, '2026-09-29T10:00:00+08:00', 5);
    expect(review.dueDay).toBe(due5.dueDay);
    expect(review.dueDay > '2026-10-06').toBe(true);
    expect(review.dueDay).toBe('2026-10-12');
    expect(review.dueAt).toBe(endOfDay('2026-10-12'));

    let usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu')).toEqual({
      dimension: 'vcpu',
      quota: '32',
      reserved: '8',
      inUse: '0',
      testEnvironments: '0',
      available: '24',
    });

    // The reviewer opens the test resources on 2026-10-09 (in time).
    clock.set('2026-10-09T03:00:00Z');
    let o = await acted(t.app, reviewer, order.id, {
      decision: 'approve',
      stepKey: 'test_review',
      comment: '测试资源已开通',
    });
    expect(o.status).toBe('in_progress');
    expect(o.steps[0]).toMatchObject({
      status: 'done',
      decision: 'approve',
      metDeadline: true,
      actedByName: expect.any(String),
    });
    // SH 19: the unit verifies within one month.
    expect(o.currentStep).toMatchObject({ key: 'unit_verification', role: 'unit_applicant', dueDay: '2026-11-09' });

    // The unit verifies (its own step: allowed), on 2026-10-30 (a Friday).
    clock.set('2026-10-30T02:00:00Z');
    o = await acted(t.app, applicant, order.id, { decision: 'approve', comment: '验证通过' });
    const due2 = await workingDue(t.app, '2026-10-30T10:00:00+08:00', 2);
    expect(o.currentStep).toMatchObject({ key: 'formal_opening', dueDay: due2.dueDay, fulfilmentAction: 'open' });
    expect(due2.dueDay).toBe('2026-11-03');

    // Formal opening, late: 2026-11-04.
    clock.set('2026-11-04T02:00:00Z');
    o = await acted(t.app, reviewer, order.id, { decision: 'approve' });
    expect(o.status).toBe('completed');
    expect(o.steps[2]).toMatchObject({ status: 'done', metDeadline: false });
    expect(o.reservations.every((r: { status: string }) => r.status === 'consumed')).toBe(true);
    expect(o.events.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'submitted',
      'step_opened',
      'step_done',
      'step_opened',
      'step_done',
      'step_opened',
      'step_done',
      'completed',
    ]);
    usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu')).toMatchObject({
      reserved: '0',
      inUse: '8',
    });

    // Scale-up (SH 20): review 5 W, then scale up 5 W; within the quota, so no overrun approval.
    clock.set('2026-11-10T02:00:00Z');
    const up = await placed(t.app, applicant, {
      type: 'scale_up',
      title: '扩容',
      projectId,
      parentOrderId: order.id,
      lines: [vm(8, 16, 1)],
    });
    expect(up.steps.map((s: { key: string }) => s.key)).toEqual(['review', 'scale_up']);
    expect(up.currentStep).toMatchObject({
      key: 'review',
      dueDay: (await workingDue(t.app, '2026-11-10T10:00:00+08:00', 5)).dueDay,
    });
    expect(up.currentStep.dueDay).toBe('2026-11-17');
    clock.set('2026-11-11T02:00:00Z');
    let u = await acted(t.app, reviewer, up.id, { decision: 'approve' });
    expect(u.currentStep).toMatchObject({ key: 'scale_up', dueDay: '2026-11-18', fulfilmentAction: 'scale_up' });
    u = await acted(t.app, reviewer, up.id, { decision: 'approve' });
    expect(u.status).toBe('completed');

    // Reclaim (SH 21): review and reclaim within 10 W; the quota comes back when it completes.
    clock.set('2026-12-01T02:00:00Z');
    const back = await placed(t.app, applicant, {
      type: 'reclaim',
      title: '回收测试资源',
      projectId,
      parentOrderId: order.id,
    });
    expect(back.currentStep).toMatchObject({
      key: 'review_and_reclaim',
      fulfilmentAction: 'reclaim',
      deadline: { value: 10, article: 'SH 21' },
    });
    expect(back.currentStep.dueDay).toBe((await workingDue(t.app, '2026-12-01T10:00:00+08:00', 10)).dueDay);
    expect(back.currentStep.dueDay).toBe('2026-12-15');
    usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu')).toMatchObject({
      inUse: '16',
      reserved: '0',
    });
    const done = await acted(t.app, reviewer, back.id, { decision: 'approve' });
    expect(done.status).toBe('completed');
    usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu')).toMatchObject({
      inUse: '8',
      available: '24',
    });

    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

describe('the information system an order serves', () => {
  const systemId = async (name: string) =>
    (
      await t.database.db
        .selectFrom('information_system')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirstOrThrow()
    ).id;

  it('must be allowed on the cloud (SH 2, 7) and must be filed with a commitment letter before go-live (SH 30)', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 32, memory_gb: 64, storage_gb: 1000 });
    const refused = await api.place(applicant, {
      type: 'new_resources',
      title: '传染病直报',
      projectId,
      systemId: await systemId('传染病直报核心库'),
      lines: [vm(2, 4, 1, [40, 100])],
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'cloud_not_permitted' });
    expect(refused.json().detail).toContain('SH 2');
    const foreign = await api.place(edu, {
      type: 'new_resources',
      title: '别人的系统',
      systemId: await systemId('全民健康信息平台'),
      lines: [vm(2, 4, 1, [40, 100])],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].field).toBe('body.systemId');

    // Not filed, no letter: test resources are fine, formal opening (go-live) is not.
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '卫生监督执法系统 测试资源',
      projectId,
      systemId: await systemId('卫生监督执法系统'),
      lines: [vm(2, 4, 1, [40, 100])],
    });
    await acted(t.app, reviewer, order.id, { decision: 'approve', stepKey: 'test_review' });
    const goLive = await api.act(applicant, order.id, { decision: 'approve', stepKey: 'unit_verification' });
    expect(goLive.statusCode).toBe(409);
    expect(goLive.json()).toMatchObject({ code: 'go_live_not_permitted' });
    expect(goLive.json().detail).toContain('SH 30');
    const still = (await as(t.app, applicant, { url: `/api/v1/orders/${order.id}` })).json();
    expect(still.currentStep.key).toBe('unit_verification');
  });
});

describe('who may act', () => {
  it('refuses the wrong role and a foreign unit, and changes nothing', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const order = await placed(t.app, applicant, { type: 'new_resources', title: 'x', projectId, lines: [vm(2, 4)] });
    const events = await countRows(t.database, 'order_event');
    const audit = await countRows(t.database, 'audit_event');
    for (const [who, code, status] of [
      [applicant, 'not_your_step', 403],
      [approver, 'not_your_step', 403],
      [econ, 'not_your_step', 403],
    ] as const) {
      const res = await api.act(who, order.id, { decision: 'approve' });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
    }
    // Another unit does not even see it.
    expect((await api.act(edu, order.id, { decision: 'approve' })).statusCode).toBe(404);
    expect((await api.get(edu, order.id)).statusCode).toBe(404);
    // A stale step key: refused.
    const stale = await api.act(reviewer, order.id, { decision: 'approve', stepKey: 'formal_opening' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('order_transition_refused');
    expect(await countRows(t.database, 'order_event')).toBe(events);
    expect((await api.get(applicant, order.id)).json().currentStep.key).toBe('test_review');
    expect(await countRows(t.database, 'audit_event')).toBe(audit);
    // A closed order: nothing to act on.
    await acted(t.app, reviewer, order.id, { decision: 'reject', comment: '材料不全' });
    const again = await api.act(reviewer, order.id, { decision: 'approve' });
    expect(again.json().code).toBe('order_transition_refused');
    const rejected = (await api.get(applicant, order.id)).json();
    expect(rejected.status).toBe('rejected');
    expect(rejected.reservations.every((r: { status: string }) => r.status === 'released')).toBe(true);
    expect(rejected.steps.map((s: { status: string }) => s.status)).toEqual(['rejected', 'skipped', 'skipped']);
  });

  it('a unit step needs the step’s own role: the unit administrator may not take the applicant’s verification', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '验证',
      projectId,
      lines: [vm(2, 4)],
    });
    await acted(t.app, reviewer, order.id, { decision: 'approve', stepKey: 'test_review' });
    const before = (await api.get(applicant, order.id)).json();
    expect(before.currentStep).toMatchObject({ key: 'unit_verification', role: 'unit_applicant', status: 'open' });
    expect(unitadmin.me.roles).toEqual(['unit_admin']);
    const events = await countRows(t.database, 'order_event');
    const audit = await countRows(t.database, 'audit_event');
    for (const decision of ['approve', 'reject', 'return']) {
      const res = await api.act(unitadmin, order.id, { decision, stepKey: 'unit_verification' });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'not_your_step', status: 403 });
      expect(res.json().detail).toContain('unit_applicant');
    }
    expect(await countRows(t.database, 'order_event')).toBe(events);
    expect(await countRows(t.database, 'audit_event')).toBe(audit);
    expect((await api.get(applicant, order.id)).json()).toEqual(before);
    // Nor is it in the administrator's inbox; it is in the applicant's.
    const inboxOf = async (s: Session) =>
      (await as(t.app, s, { url: '/api/v1/orders/inbox' })).json().items.map((i: { orderId: string }) => i.orderId);
    expect(await inboxOf(unitadmin)).not.toContain(order.id);
    expect(await inboxOf(applicant)).toContain(order.id);
    expect((await acted(t.app, applicant, order.id, { decision: 'approve' })).currentStep.key).toBe('formal_opening');
  });

  it('a reviewer of another jurisdiction (the east district) cannot act on a city order, and changes nothing', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '市级',
      projectId,
      lines: [vm(1, 1)],
    });
    expect(order.currentStep.role).toBe('ops_reviewer');
    expect(eastreviewer.me.roles).toEqual(['ops_reviewer']);
    const before = (await api.get(applicant, order.id)).json();
    const events = await countRows(t.database, 'order_event');
    const audit = await countRows(t.database, 'audit_event');
    const res = await api.act(eastreviewer, order.id, { decision: 'approve', stepKey: 'test_review' });
    // The city's orders are foreign to the district: answered like a missing one.
    expect(res.statusCode, res.body).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('not_found');
    const batch = await api.batch(eastreviewer, [{ orderId: order.id, decision: 'approve' }]);
    expect(batch.json().results).toEqual([
      { orderId: order.id, ok: false, code: 'not_found', detail: expect.any(String) },
    ]);
    expect((await as(t.app, eastreviewer, { url: '/api/v1/orders/inbox' })).json().items).not.toContainEqual(
      expect.objectContaining({ orderId: order.id }),
    );
    expect(await countRows(t.database, 'order_event')).toBe(events);
    expect(await countRows(t.database, 'audit_event')).toBe(audit);
    expect((await api.get(applicant, order.id)).json()).toEqual(before);
  });

  it('nobody approves their own request', async () => {
    clock.set(START);
    // The reviewer also applies for the health commission.
    const db = t.database.db;
    const user = await db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    const health = await db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('role_assignment')
      .values({ user_id: user.id, organisation_id: health.id, role: 'unit_applicant', granted_by: 'test' })
      .execute();
    const asUnit = await login(t.app, 'reviewer', { organisationId: health.id });
    const ops = await db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-ops')
      .executeTakeFirstOrThrow();
    const asOps = await login(t.app, 'reviewer', { organisationId: ops.id });
    const projectId = await project(db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const order = await placed(t.app, asUnit, {
      type: 'new_resources',
      title: '自己的申请',
      projectId,
      lines: [vm(1, 1)],
    });
    const res = await api.act(asOps, order.id, { decision: 'approve' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('own_request');
    const inbox = (await as(t.app, asOps, { url: '/api/v1/orders/inbox' })).json();
    expect(inbox.items.find((i: { orderId: string }) => i.orderId === order.id)).toMatchObject({ ownRequest: true });
    await db
      .deleteFrom('role_assignment')
      .where('user_id', '=', user.id)
      .where('organisation_id', '=', health.id)
      .execute();
  });
});

describe('quota rules, each citing its article', () => {
  it('refuses new resources beyond the project quota (no overrun step for new requests in SH)', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 4, memory_gb: 8, storage_gb: 100 });
    const res = await api.place(applicant, { type: 'new_resources', title: 'too big', projectId, lines: [vm(8, 8)] });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('quota_exceeded');
    expect(res.json().detail).toContain('SH 18');
    expect(res.json().detail).toContain('vcpu: quota 4');
  });

  it('routes a scale-up above 120% of the unit’s projects to the economy & IT authority (SH 20); within the band it is the ops review only', async () => {
    clock.set(START);
    // The education bureau: its seeded project plus this one; this one is small, the band is on the unit's total.
    const small = await project(t.database.db, 'demo-education', {
      vcpu: 10,
      memory_gb: 10,
      storage_gb: 1000,
      bandwidth_mbps: 10,
    });
    const lb = (mbps: number) => ({
      itemCode: 'load-balancer',
      specification: { bandwidthMbps: mbps, spec: '标准型' },
      quantity: 1,
    });
    const total = (await as(t.app, edu, { url: `/api/v1/orders/quota-usage/${small}` })).json();
    expect(total.dimensions.find((d: { dimension: string }) => d.dimension === 'bandwidth_mbps').quota).toBe('10');
    // The unit's total bandwidth quota over all its approved projects (the seeded ones included).
    const edOrg = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-education')
      .executeTakeFirstOrThrow();
    const rows = await t.database.db
      .selectFrom('project_quota as q')
      .innerJoin('project as p', 'p.id', 'q.project_id')
      .select('q.quantity')
      .where('p.organisation_id', '=', edOrg.id)
      .where('p.status', '=', 'approved')
      .where('q.dimension', '=', 'bandwidth_mbps')
      .where('q.valid_from', 'is', null)
      .execute();
    const unitTotal = rows.reduce((a, r) => a + Number(r.quantity), 0);
    // Above the project's own 10 Mbps but within 120% of the unit's total: the ops review only.
    const inBand = Math.floor(unitTotal * 1.2) - 1;
    expect(inBand).toBeGreaterThan(10);
    const within = await api.place(edu, {
      type: 'scale_up',
      title: 'within band',
      projectId: small,
      lines: [lb(inBand)],
    });
    expect(within.statusCode, within.body).toBe(201);
    expect(within.json().quotaOverrun).toBe(false);
    expect(within.json().steps.map((s: { key: string }) => s.key)).toEqual(['review', 'scale_up']);
    await acted(t.app, reviewer, within.json().id, { decision: 'reject' });
    const above = await api.place(edu, {
      type: 'scale_up',
      title: 'above band',
      projectId: small,
      lines: [lb(Math.floor(unitTotal * 1.2) + 1)],
    });
    expect(above.statusCode, above.body).toBe(201);
    const o = above.json();
    expect(o.quotaOverrun).toBe(true);
    expect(o.currentStep).toMatchObject({
      key: 'overrun_approval',
      role: 'economy_it_approver',
      dueAt: null,
      deadline: { article: 'SH 20' },
    });
    // Only the economy & IT authority acts on it.
    expect((await api.act(reviewer, o.id, { decision: 'approve' })).json().code).toBe('not_your_step');
    const next = await acted(t.app, econ, o.id, { decision: 'approve' });
    expect(next.currentStep.key).toBe('review');
  });

  it('development resources: at most 15% of the project quota and 3 months (SH 22)', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const long = await api.place(applicant, {
      type: 'development',
      title: 'dev',
      projectId,
      termMonths: 4,
      lines: [vm(2, 2)],
    });
    expect(long.statusCode).toBe(422);
    expect(long.json()).toMatchObject({ code: 'order_rule_violated' });
    expect(long.json().detail).toContain('SH 22');
    const big = await api.place(applicant, {
      type: 'development',
      title: 'dev',
      projectId,
      termMonths: 3,
      lines: [vm(16, 8)],
    });
    expect(big.statusCode).toBe(422);
    expect(big.json().detail).toContain('0.15');
    expect(big.json().detail).toContain('SH 22');
    const ok = await api.place(applicant, {
      type: 'development',
      title: 'dev',
      projectId,
      termMonths: 3,
      lines: [vm(15, 8)],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    // The 15% is shared by all development orders of the project.
    const more = await api.place(applicant, {
      type: 'development',
      title: 'dev2',
      projectId,
      termMonths: 1,
      lines: [vm(1, 1)],
    });
    expect(more.json().code).toBe('order_rule_violated');
  });

  it('emergency at most 3 months (SH 23), temporary at most 6 (SH 24)', async () => {
    clock.set(START);
    const e = await api.place(applicant, { type: 'emergency', title: 'e', termMonths: 4, lines: [vm(2, 2)] });
    expect(e.statusCode).toBe(422);
    expect(e.json().detail).toContain('SH 23');
    const tmp = await api.place(applicant, { type: 'temporary', title: 't', termMonths: 7, lines: [vm(2, 2)] });
    expect(tmp.statusCode).toBe(422);
    expect(tmp.json().detail).toContain('SH 24');
    const declared = await project(t.database.db, 'demo-health', {}, 'declared');
    const ok = await placed(t.app, applicant, {
      type: 'temporary',
      title: 't',
      termMonths: 6,
      projectId: declared,
      temporaryBasis: 'key_task',
      reason: '年度重点任务',
      lines: [vm(2, 2)],
    });
    expect(ok.currentStep).toMatchObject({ key: 'quota_approval', role: 'economy_it_approver' });
  });

  it('an extension is filed at least 15 working days before expiry (SH 23)', async () => {
    clock.set('2026-06-01T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 2, memory_gb: 2, storage_gb: 40 });
    const e = await placed(t.app, applicant, {
      type: 'emergency',
      title: '应急',
      termMonths: 3,
      projectId,
      lines: [vm(2, 2)],
    });
    await acted(t.app, econ, e.id, { decision: 'approve' });
    const allocated = await acted(t.app, reviewer, e.id, { decision: 'approve' });
    expect(allocated).toMatchObject({ status: 'completed', expiresOn: '2026-09-01' });
    // 2026-08-20: fewer than 15 working days before 2026-09-01.
    clock.set('2026-08-20T02:00:00Z');
    const late = await api.place(applicant, { type: 'extension', title: '延期', parentOrderId: e.id, termMonths: 1 });
    expect(late.statusCode).toBe(422);
    expect(late.json().detail).toContain('15 working days');
    expect(late.json().detail).toContain('SH 23');
    clock.set('2026-08-07T02:00:00Z');
    const ext = await placed(t.app, applicant, {
      type: 'extension',
      title: '延期',
      parentOrderId: e.id,
      termMonths: 1,
    });
    await acted(t.app, econ, ext.id, { decision: 'approve' });
    const done = await acted(t.app, approver, ext.id, { decision: 'approve' });
    expect(done.status).toBe('completed');
    expect((await api.get(applicant, e.id)).json().expiresOn).toBe('2026-10-01');
  });

  it('refuses an order type the pack does not provide, citing its note', async () => {
    clock.set(START);
    const res = await api.place(applicant, { type: 'change', title: 'c', lines: [vm(1, 1)] });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('order_type_not_provided');
    expect(res.json().detail).toContain('SH 20');
  });

  it('refuses new orders while the unit’s allocations are stopped', async () => {
    clock.set(START);
    const health = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    await t.database.db.transaction().execute((trx) =>
      stopAllocations(trx, SYSTEM_ACTOR, {
        organisationId: health.id,
        reason: '整改逾期',
        reference: 'test',
        now: clock.now(),
      }),
    );
    const declared = await project(t.database.db, 'demo-health', {}, 'declared');
    const temporary = {
      type: 'temporary',
      title: 't',
      termMonths: 1,
      projectId: declared,
      temporaryBasis: 'meeting_decision',
      reason: '专题会议决定',
      lines: [vm(1, 1)],
    };
    const res = await api.place(applicant, temporary);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'allocation_stopped' });
    await t.database.db
      .transaction()
      .execute((trx) =>
        resumeAllocations(trx, SYSTEM_ACTOR, { organisationId: health.id, reason: 'done', now: clock.now() }),
      );
    expect((await api.place(applicant, temporary)).statusCode).toBe(201);
  });

  it('a periodic (dynamic) quota window (SH 18): an order inside the window is accepted, the same outside it refused', async () => {
    const projectId = await project(t.database.db, 'demo-health', {});
    // The economy & IT authority sets a base of 4 vCPU and a window of 16 for the December peak.
    const set = await as(t.app, econ, {
      method: 'PUT',
      url: `/api/v1/projects/${projectId}/quota`,
      payload: {
        base: { vcpu: '4', memory_gb: '64', storage_gb: '1000' },
        windows: [{ validFrom: '2026-12-01', validTo: '2026-12-31', quantities: { vcpu: '16' } }],
        reason: '年末高峰',
      },
    });
    expect(set.statusCode, set.body).toBe(200);
    const body = { type: 'new_resources', title: '年末高峰', projectId, lines: [vm(8, 8)] };
    clock.set('2026-11-30T15:00:00Z'); // 23:00 on 30 November, Asia/Shanghai: the day before the window
    const outside = await api.place(applicant, body);
    expect(outside.statusCode, outside.body).toBe(409);
    expect(outside.json().code).toBe('quota_exceeded');
    expect(outside.json().detail).toContain('vcpu: quota 4');
    clock.set('2026-11-30T16:00:00Z'); // 00:00 on 1 December: inside
    const inside = await api.place(applicant, body);
    expect(inside.statusCode, inside.body).toBe(201);
    expect(inside.json().reservations.find((r: { dimension: string }) => r.dimension === 'vcpu').amount).toBe('8');
    const usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu')).toMatchObject({
      quota: '16',
      reserved: '8',
      available: '8',
    });
    clock.set('2027-01-01T02:00:00Z'); // after the window: back to the base, which the 8 already exceed
    const after = await api.place(applicant, { ...body, lines: [vm(1, 1)] });
    expect(after.statusCode, after.body).toBe(409);
    expect(after.json().detail).toContain('vcpu: quota 4');
    clock.set(START);
  });

  it('an item-only quota dimension (item:bastion-host) is enforced when the order is placed', async () => {
    clock.set(START);
    const bastion = (assets: number, quantity: number) => ({
      itemCode: 'bastion-host',
      specification: { assets },
      quantity,
    });
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 10, 'item:bastion-host': 2 });
    const tooMany = await api.place(applicant, {
      type: 'new_resources',
      title: '堡垒机',
      projectId,
      lines: [bastion(50, 3)],
    });
    expect(tooMany.statusCode, tooMany.body).toBe(409);
    expect(tooMany.json().code).toBe('quota_exceeded');
    expect(tooMany.json().detail).toContain('item:bastion-host: quota 2');
    expect(tooMany.json().detail).toContain('SH 18');
    const ok = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '堡垒机',
      projectId,
      lines: [bastion(50, 2)],
    });
    expect(ok.lines[0].dimensions).toEqual({ 'item:bastion-host': '2' });
    expect(ok.reservations).toEqual([{ projectId, dimension: 'item:bastion-host', amount: '2', status: 'reserved' }]);
    // The two reserved use the quota up: one more is refused.
    const more = await api.place(applicant, {
      type: 'new_resources',
      title: '再一台',
      projectId,
      lines: [bastion(5, 1)],
    });
    expect(more.statusCode).toBe(409);
    expect(more.json().detail).toContain('item:bastion-host: quota 2, in use or reserved 2, requested 1');
    // A project without the dimension has no such quota at all.
    const none = await project(t.database.db, 'demo-health', { vcpu: 10 });
    const zero = await api.place(applicant, {
      type: 'new_resources',
      title: '无配额',
      projectId: none,
      lines: [bastion(5, 1)],
    });
    expect(zero.statusCode).toBe(409);
    expect(zero.json().detail).toContain('item:bastion-host: quota 0');
  });

  it('re-checks the quota at approval: a lowered quota stops the review', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 10, memory_gb: 10, storage_gb: 100 });
    const o = await placed(t.app, applicant, { type: 'new_resources', title: 'x', projectId, lines: [vm(8, 8)] });
    await t.database.db
      .updateTable('project_quota')
      .set({ quantity: '4' })
      .where('project_id', '=', projectId)
      .where('dimension', '=', 'vcpu')
      .execute();
    const res = await api.act(reviewer, o.id, { decision: 'approve' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('quota_exceeded');
    expect((await api.get(applicant, o.id)).json().currentStep.key).toBe('test_review');
  });
});

describe('idempotency, drafts, request forms, cancel', () => {
  it('a double submit with one Idempotency-Key places one order; another body with the key is refused', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const body = { type: 'new_resources', title: 'double click', projectId, lines: [vm(1, 1)] };
    const before = await countRows(t.database, 'resource_order');
    const [a, b] = await Promise.all([
      api.place(applicant, body, { 'idempotency-key': 'k-1' }),
      api.place(applicant, body, { 'idempotency-key': 'k-1' }),
    ]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(a.json().id).toBe(b.json().id);
    expect(await countRows(t.database, 'resource_order')).toBe(before + 1);
    const other = await api.place(applicant, { ...body, title: 'other' }, { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    // Keys are per caller: the unit admin may use the same key.
    expect((await api.place(unitadmin, body, { 'idempotency-key': 'k-1' })).statusCode).toBe(201);
  });

  it('a repeated act with one Idempotency-Key acts once: one step done, one timeline event, one audit entry, the same answer', async () => {
    clock.set(START);
    // A scale-up's two steps are both the ops reviewer's: without the key a double click would approve both.
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const o = await placed(t.app, applicant, { type: 'scale_up', title: 'double click', projectId, lines: [vm(1, 1)] });
    expect(o.steps.map((x: { key: string; role: string }) => [x.key, x.role])).toEqual([
      ['review', 'ops_reviewer'],
      ['scale_up', 'ops_reviewer'],
    ]);
    const key = { 'idempotency-key': 'act-1' };
    const body = { decision: 'approve', comment: '同意' };
    const before = await trail(t.database.db, o.id);
    const [a, b] = await Promise.all([api.act(reviewer, o.id, body, key), api.act(reviewer, o.id, body, key)]);
    const c = await api.act(reviewer, o.id, body, key);
    for (const r of [a, b, c]) expect(r.statusCode, r.body).toBe(200);
    expect(b.json()).toEqual(a.json());
    expect(c.json()).toEqual(a.json());
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect([a, b].filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
    expect(a.json().currentStep.key).toBe('scale_up');
    const after = await trail(t.database.db, o.id);
    expect(after.events).toEqual({ ...before.events, step_done: 1, step_opened: (before.events.step_opened ?? 0) + 1 });
    expect(after.audits).toEqual({ ...before.audits, 'order.step_done': 1 });
    // The key with another body: refused, nothing changed.
    const other = await api.act(reviewer, o.id, { decision: 'reject' }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect(await trail(t.database.db, o.id)).toEqual(after);
    expect((await api.get(applicant, o.id)).json().currentStep.key).toBe('scale_up');
  });

  it('a repeated submit and a repeated cancel with one Idempotency-Key each take effect once and answer alike', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const draft = await placed(t.app, applicant, {
      type: 'new_resources',
      title: 'retry',
      projectId,
      lines: [vm(2, 2)],
      submit: false,
    });
    const key = { 'idempotency-key': 'submit-1' };
    const [a, b] = await Promise.all([api.submit(applicant, draft.id, key), api.submit(applicant, draft.id, key)]);
    const c = await api.submit(applicant, draft.id, key);
    for (const r of [a, b, c]) expect(r.statusCode, r.body).toBe(200);
    expect(b.json()).toEqual(a.json());
    expect(c.json()).toEqual(a.json());
    expect(a.json().status).toBe('submitted');
    expect(c.headers['idempotent-replayed']).toBe('true');
    let t1 = await trail(t.database.db, draft.id);
    expect(t1.events).toEqual({ created: 1, submitted: 1, step_opened: 1 });
    expect(t1.audits).toEqual({ 'order.created': 1, 'order.submitted': 1 });
    // Without the key a second submit is refused: the key is what makes the retry harmless.
    expect((await api.submit(applicant, draft.id)).json().code).toBe('order_transition_refused');

    const ck = { 'idempotency-key': 'cancel-1' };
    const reason = { reason: '重复申请' };
    const [x, y] = await Promise.all([
      api.cancel(applicant, draft.id, reason, ck),
      api.cancel(applicant, draft.id, reason, ck),
    ]);
    const z = await api.cancel(applicant, draft.id, reason, ck);
    for (const r of [x, y, z]) expect(r.statusCode, r.body).toBe(200);
    expect(y.json()).toEqual(x.json());
    expect(z.json()).toEqual(x.json());
    expect(x.json().status).toBe('cancelled');
    t1 = await trail(t.database.db, draft.id);
    expect(t1.events).toEqual({ created: 1, submitted: 1, step_opened: 1, cancelled: 1 });
    expect(t1.audits).toEqual({ 'order.created': 1, 'order.submitted': 1, 'order.cancelled': 1 });
    expect(x.json().reservations.every((r: { status: string }) => r.status === 'released')).toBe(true);
  });

  it('a repeated batch act with one Idempotency-Key replays what went through and acts once per order', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const [a, b, gone] = [
      await placed(t.app, applicant, { type: 'scale_up', title: 'a', projectId, lines: [vm(1, 1)] }),
      await placed(t.app, applicant, { type: 'scale_up', title: 'b', projectId, lines: [vm(1, 1)] }),
      await placed(t.app, applicant, { type: 'scale_up', title: 'c', projectId, lines: [vm(1, 1)] }),
    ];
    await acted(t.app, reviewer, gone.id, { decision: 'reject' });
    const items = [a, b, gone].map((o) => ({ orderId: o.id, decision: 'approve' }));
    const key = { 'idempotency-key': 'batch-1' };
    const first = await api.batch(reviewer, items, key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().results).toEqual([
      { orderId: a.id, ok: true, status: 'in_progress' },
      { orderId: b.id, ok: true, status: 'in_progress' },
      { orderId: gone.id, ok: false, code: 'order_transition_refused', detail: expect.any(String) },
    ]);
    const again = await api.batch(reviewer, items, key);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('2');
    for (const o of [a, b]) {
      const tr = await trail(t.database.db, o.id);
      expect(tr.events.step_done).toBe(1);
      expect(tr.audits['order.step_done']).toBe(1);
      expect((await api.get(applicant, o.id)).json().currentStep.key).toBe('scale_up');
    }
    // Without the key the same batch acts again: the scale-up steps are approved.
    const plain = await api.batch(reviewer, items.slice(0, 1));
    expect(plain.json().results[0]).toMatchObject({ ok: true, status: 'completed' });
  });

  it('a draft is submitted later; a cancelled order releases its reservation', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const draft = await placed(t.app, applicant, {
      type: 'new_resources',
      title: 'draft',
      projectId,
      lines: [vm(4, 4)],
      submit: false,
    });
    expect(draft).toMatchObject({ status: 'draft', steps: [], reservations: [] });
    const sub = await as(t.app, applicant, { method: 'POST', url: `/api/v1/orders/${draft.id}/submit` });
    expect(sub.statusCode, sub.body).toBe(200);
    expect(sub.json().status).toBe('submitted');
    const cancel = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/orders/${draft.id}/cancel`,
      payload: { reason: '不需要了' },
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json().status).toBe('cancelled');
    expect(cancel.json().reservations.every((r: { status: string }) => r.status === 'released')).toBe(true);
    const usage = (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` })).json();
    expect(usage.dimensions.every((d: { reserved: string }) => d.reserved === '0')).toBe(true);
  });

  it('turns each row of an imported request form into a cloud-vm line', async () => {
    clock.set(START);
    const db = t.database.db;
    const health = await db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    const form = await db
      .insertInto('request_form')
      .values({
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        system_name: '财务',
        title: '财务',
        created_by: 'test',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const row_no of [1, 2, 3]) {
      await db
        .insertInto('request_form_row')
        .values({
          form_id: form.id,
          organisation_id: health.id,
          jurisdiction_id: health.jurisdiction_id,
          row_no,
          network_zone: '公共网络区',
          developer: '华为',
          system_name: '财务',
          server_type: 'APP',
          bastion_owner: '张三',
          bastion_owner_email: 'z@example.com',
          bastion_owner_mobile: '13800000000',
          vcpu: 2 * row_no,
          memory_gb: 4,
          system_disk_gb: 40,
          data_disk_gb: 100,
          os: 'CentOS 7.9',
          clustered: false,
        } as never)
        .execute();
    }
    const projectId = await project(db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const o = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '财务上云',
      projectId,
      requestFormId: form.id,
    });
    expect(o.lines).toHaveLength(3);
    expect(
      o.lines.map((l: { itemCode: string; requestFormRowNo: number }) => [l.itemCode, l.requestFormRowNo]),
    ).toEqual([
      ['cloud-vm', 1],
      ['cloud-vm', 2],
      ['cloud-vm', 3],
    ]);
    expect(o.reservations.find((r: { dimension: string }) => r.dimension === 'vcpu').amount).toBe('12');
  });
});

describe('the fulfilment switch', () => {
  it('without a provisioning handler the reviewer completes a fulfilment step; with one, the reviewer approves first (SH 19) and the confirmed receipt completes it', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const calls: { step: string; action: string | null; lines: number }[] = [];
    const off = onFulfilmentStepOpened(async (_trx, ctx) => {
      calls.push({ step: ctx.step.key, action: ctx.step.fulfilmentAction, lines: ctx.lines.length });
    });
    try {
      const o = await placed(t.app, applicant, {
        type: 'new_resources',
        title: 'handled',
        projectId,
        lines: [vm(1, 1)],
      });
      // Review, then open: nothing is asked of provisioning before the ops unit approves.
      expect(calls).toEqual([]);
      expect(o.currentStep).toMatchObject({ key: 'test_review', handledByProvisioning: false });
      const approved = await acted(t.app, reviewer, o.id, { decision: 'approve' });
      expect(calls).toEqual([{ step: 'test_review', action: 'open_test', lines: 1 }]);
      expect(approved.currentStep).toMatchObject({
        key: 'test_review',
        handledByProvisioning: true,
        decision: 'approve',
      });
      // Handed to provisioning: a second approval is refused.
      const res = await api.act(reviewer, o.id, { decision: 'approve' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('order_transition_refused');
      await t.database.db.transaction().execute((trx) =>
        completeFulfilmentStep(trx, SYSTEM_ACTOR, {
          orderId: o.id,
          stepKey: 'test_review',
          outcome: 'done',
          now: clock.now(),
        }),
      );
      const after = (await api.get(applicant, o.id)).json();
      // Completed by the receipt; the decision recorded stays the reviewer's.
      expect(after.steps[0]).toMatchObject({
        status: 'done',
        decision: 'approve',
        actedByName: approved.currentStep.actedByName,
      });
      expect(after.currentStep.key).toBe('unit_verification');
    } finally {
      off();
    }
    const o2 = await placed(t.app, applicant, { type: 'new_resources', title: 'manual', projectId, lines: [vm(1, 1)] });
    expect(o2.currentStep.handledByProvisioning).toBe(false);
    expect((await acted(t.app, reviewer, o2.id, { decision: 'approve' })).currentStep.key).toBe('unit_verification');
  });
});

describe('lists', () => {
  it('the unit sees its own orders, the jurisdiction’s roles all of the jurisdiction, another unit none of them', async () => {
    const mine = (await as(t.app, applicant, { url: '/api/v1/orders?mine=true&limit=500' })).json();
    expect(mine.total).toBeGreaterThan(0);
    const health = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    expect(mine.items.every((o: { organisationId: string }) => o.organisationId === health.id)).toBe(true);
    const ops = (await as(t.app, reviewer, { url: '/api/v1/orders?status=submitted&limit=500' })).json();
    expect(ops.items.length).toBeGreaterThan(0);
    expect(
      ops.items.every((o: { status: string; currentStep: unknown }) => o.status === 'submitted' && o.currentStep),
    ).toBe(true);
    const other = (await as(t.app, edu, { url: '/api/v1/orders?limit=500' })).json();
    expect(other.items.some((o: { organisationId: string }) => o.organisationId === health.id)).toBe(false);
  });
});

describe('a transition that fails half-way', () => {
  it('leaves the order as it was before (one transaction), and the audit chain verifies', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const o = await placed(t.app, applicant, { type: 'new_resources', title: 'crash', projectId, lines: [vm(1, 1)] });
    await acted(t.app, reviewer, o.id, { decision: 'approve' });
    await acted(t.app, applicant, o.id, { decision: 'approve' });
    // The formal opening's fulfilment handler dies after the step, its event and audit entry were written.
    const events = await countRows(t.database, 'order_event');
    const audit = await countRows(t.database, 'audit_event');
    const off = onFulfilmentStepOpened(async () => {
      throw new Error('process killed');
    });
    try {
      clock.set('2026-09-30T02:00:00Z');
      const o2 = await placed(t.app, applicant, {
        type: 'scale_up',
        title: 'crash',
        projectId,
        parentOrderId: o.id,
        lines: [vm(1, 1)],
      });
      await acted(t.app, reviewer, o2.id, { decision: 'approve' }); // the review: scale_up opens for the ops unit
      const before = (await api.get(applicant, o2.id)).json();
      const eventsBefore = await countRows(t.database, 'order_event');
      // SH 19: the ops unit approves the scale-up, provisioning is asked, and the handler dies.
      const res = await api.act(reviewer, o2.id, { decision: 'approve' });
      expect(res.statusCode).toBe(500);
      const after = (await api.get(applicant, o2.id)).json();
      expect(after.status).toBe(before.status);
      expect(after.steps.map((x: { status: string }) => x.status)).toEqual(['done', 'open']);
      expect(after.steps[1]).toMatchObject({ decision: null, handledByProvisioning: false });
      expect(after.events.map((e: { kind: string }) => e.kind)).toEqual(
        before.events.map((e: { kind: string }) => e.kind),
      );
      expect(await countRows(t.database, 'order_event')).toBe(eventsBefore);
      expect(eventsBefore).toBeGreaterThan(events);
      expect(await countRows(t.database, 'audit_event')).toBeGreaterThan(audit);
    } finally {
      off();
    }
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

describe('the deadline sweeper', () => {
  it('marks a step overdue once, notifies the role and its supervisor once, survives a re-run, and lists it for the authority', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const o = await placed(t.app, applicant, { type: 'new_resources', title: 'slow', projectId, lines: [vm(1, 1)] });
    const due = new Date(o.currentStep.dueAt);
    const db = t.database.db;
    const notices = () =>
      db
        .selectFrom('notification')
        .select(['user_id'])
        .where('kind', '=', 'order.step.overdue')
        .where('entity_id', '=', o.id)
        .execute();
    await deadlineSweepJob.run({ db, now: due, log }); // others' steps may be past; this one is not yet
    expect((await api.get(applicant, o.id)).json().currentStep.overdue).toBe(false);
    const later = new Date(due.getTime() + 1);
    // Past its due time, before any sweep: the board and the inbox already count it (issue 16).
    clock.set(later.toISOString());
    const unswept = (await as(t.app, approver, { url: '/api/v1/orders/overdue' })).json();
    expect(unswept.items.some((i: { orderId: string }) => i.orderId === o.id)).toBe(true);
    const unsweptInbox = (await as(t.app, reviewer, { url: '/api/v1/orders/inbox' })).json();
    expect(unsweptInbox.items.find((i: { orderId: string }) => i.orderId === o.id).step.overdue).toBe(true);
    expect(unsweptInbox.overdue).toBe(
      unsweptInbox.items.filter((i: { step: { overdue: boolean } }) => i.step.overdue).length,
    );
    const first = (await deadlineSweepJob.run({ db, now: later, log })) as number;
    expect(first).toBeGreaterThanOrEqual(1);
    const users = (await notices()).map((n) => n.user_id);
    const ids = await db
      .selectFrom('user_account')
      .select(['id', 'username'])
      .where('username', 'in', ['reviewer', 'approver'])
      .execute();
    for (const u of ids) expect(users.filter((x) => x === u.id)).toHaveLength(1);
    expect(await deadlineSweepJob.run({ db, now: new Date(later.getTime() + 3600_000), log })).toBe(0);
    expect(await notices()).toHaveLength(users.length);
    const view = (await api.get(applicant, o.id)).json();
    expect(view.currentStep).toMatchObject({ overdue: true, overdueSince: later.toISOString() });
    expect(view.events.filter((e: { kind: string }) => e.kind === 'step_overdue')).toHaveLength(1);

    const board = await as(t.app, approver, { url: '/api/v1/orders/overdue' });
    expect(board.statusCode, board.body).toBe(200);
    const b = board.json();
    expect(b.items.some((i: { orderId: string }) => i.orderId === o.id)).toBe(true);
    expect(
      b.perStep.find((s: { stepKey: string }) => s.stepKey === 'new_resources.test_review').count,
    ).toBeGreaterThanOrEqual(1);
    expect(b.perUnit.find((u: { code: string }) => u.code === 'demo-health').count).toBeGreaterThanOrEqual(1);
    expect((await as(t.app, applicant, { url: '/api/v1/orders/overdue' })).statusCode).toBe(403);

    // The reviewer's inbox: sorted by due time, overdue flagged.
    const inbox = (await as(t.app, reviewer, { url: '/api/v1/orders/inbox' })).json();
    expect(inbox.overdue).toBeGreaterThanOrEqual(1);
    const dues = inbox.items.map((i: { step: { dueAt: string | null } }) => i.step.dueAt ?? '9999');
    expect([...dues].sort()).toEqual(dues);
    expect((await verifyAuditChain(db)).intact).toBe(true);
  });

  it('batch acts, each answered on its own', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const a = await placed(t.app, applicant, { type: 'new_resources', title: 'a', projectId, lines: [vm(1, 1)] });
    const b = await placed(t.app, applicant, { type: 'new_resources', title: 'b', projectId, lines: [vm(1, 1)] });
    await acted(t.app, reviewer, b.id, { decision: 'reject' });
    const res = await as(t.app, reviewer, {
      method: 'POST',
      url: '/api/v1/orders/batch-act',
      payload: {
        items: [
          { orderId: a.id, decision: 'approve' },
          { orderId: b.id, decision: 'approve' },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results).toEqual([
      { orderId: a.id, ok: true, status: 'in_progress' },
      { orderId: b.id, ok: false, code: 'order_transition_refused', detail: expect.any(String) },
    ]);
  });
});

void shanghai;
