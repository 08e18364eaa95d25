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
import { acted, client, endOfDay, placed, project, vm, workingDue } from './orders.fixtures.ts';

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
let api: ReturnType<typeof client>;
let restoreHandlers: () => void;
const log = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, unitadmin, edu, reviewer, approver, econ] = (await Promise.all(
    ['applicant', 'unitadmin', 'edu', 'reviewer', 'approver', 'econ'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session, Session, Session];
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
    expect(await countRows(t.database, 'audit_event')).toBeGreaterThanOrEqual(audit);
    // A closed order: nothing to act on.
    await acted(t.app, reviewer, order.id, { decision: 'reject', comment: '材料不全' });
    const again = await api.act(reviewer, order.id, { decision: 'approve' });
    expect(again.json().code).toBe('order_transition_refused');
    const rejected = (await api.get(applicant, order.id)).json();
    expect(rejected.status).toBe('rejected');
    expect(rejected.reservations.every((r: { status: string }) => r.status === 'released')).toBe(true);
    expect(rejected.steps.map((s: { status: string }) => s.status)).toEqual(['rejected', 'skipped', 'skipped']);
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
    const ok = await placed(t.app, applicant, { type: 'temporary', title: 't', termMonths: 6, lines: [vm(2, 2)] });
    expect(ok.currentStep).toMatchObject({ key: 'quota_approval', role: 'economy_it_approver' });
  });

  it('an extension is filed at least 15 working days before expiry (SH 23)', async () => {
    clock.set('2026-06-01T02:00:00Z');
    const e = await placed(t.app, applicant, { type: 'emergency', title: '应急', termMonths: 3, lines: [vm(2, 2)] });
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
    const res = await api.place(applicant, { type: 'temporary', title: 't', termMonths: 1, lines: [vm(1, 1)] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'allocation_stopped' });
    await t.database.db
      .transaction()
      .execute((trx) =>
        resumeAllocations(trx, SYSTEM_ACTOR, { organisationId: health.id, reason: 'done', now: clock.now() }),
      );
    expect(
      (await api.place(applicant, { type: 'temporary', title: 't', termMonths: 1, lines: [vm(1, 1)] })).statusCode,
    ).toBe(201);
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
  it('without a provisioning handler the reviewer completes a fulfilment step; with one, only the confirmed receipt does', async () => {
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
      expect(calls).toEqual([{ step: 'test_review', action: 'open_test', lines: 1 }]);
      expect(o.currentStep).toMatchObject({ key: 'test_review', handledByProvisioning: true });
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
      expect(after.steps[0]).toMatchObject({ status: 'done', decision: 'done' });
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
      const res = await api.act(reviewer, o2.id, { decision: 'approve' }); // review done -> scale_up opens -> handler dies
      expect(res.statusCode).toBe(500);
      const after = (await api.get(applicant, o2.id)).json();
      expect(after.status).toBe('submitted');
      expect(after.steps.map((x: { status: string }) => x.status)).toEqual(['open', 'pending']);
      expect(after.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'submitted', 'step_opened']);
      expect(await countRows(t.database, 'order_event')).toBe(events + 3);
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
