import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { JOBS } from '../../app.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { project, reviewedForProvider, withSystem } from '../orders/orders.fixtures.ts';
import { provisioningDeadlineJob, registerFulfilment, sweepProvisioningDeadlines } from './index.ts';

// Issue 6: the deadlines of receipt disputes (the provider's) and reconciliation findings (the ops unit's)
// escalate when missed. Shanghai pack, demo city, its 2026 calendar: National Day 1-7 October off, Saturday
// 10 October a make-up working day. Everything through the HTTP API on a ManualClock, the sweeper called with
// the time the test chooses.

const START = '2026-09-29T02:00:00Z'; // Tuesday 10:00 Shanghai
const clock = new ManualClock(START);
const log = { info: () => {}, warn: () => {}, error: () => {} };
let t: TestApp;
let applicant: Session;
let reviewer: Session;
let approver: Session;
let provider: Session;

/** Wednesday 30 September 10:00 + 2 working days, across National Day: Friday 9 October, end of day. */
const DISPUTE_DUE = '2026-10-09T15:59:59.999Z';
/** Tuesday 29 September 10:00 + 5 working days: 30 Sep, 8, 9, 10 (make-up Saturday), 12 October. */
const FINDING_DUE = '2026-10-12T15:59:59.999Z';
const plus = (iso: string, ms = 1) => new Date(new Date(iso).getTime() + ms);

/** Who got notices of `kind` about `entityId`, by username, sorted (one entry per notice). */
async function noticed(kind: string, entityId: string): Promise<string[]> {
  const rows = await t.database.db
    .selectFrom('notification as n')
    .innerJoin('user_account as u', 'u.id', 'n.user_id')
    .select('u.username')
    .where('n.kind', '=', kind)
    .where('n.entity_id', '=', entityId)
    .execute();
  return rows.map((r) => r.username).sort();
}

async function audits(action: string, objectId?: string) {
  let q = t.database.db.selectFrom('audit_event').select(['object_id', 'detail']).where('action', '=', action);
  if (objectId) q = q.where('object_id', '=', objectId);
  return q.orderBy('id').execute();
}

const sweep = (at: string | Date) => sweepProvisioningDeadlines(t.database.db, new Date(at));

async function workOrder(id: string, s: Session = provider) {
  const res = await as(t.app, s, { url: `/api/v1/work-orders/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** An order whose open_test work order went to provider A; returns the work order's id. */
async function placedWorkOrder(projectId: string, title: string): Promise<string> {
  const res = await as(t.app, applicant, {
    method: 'POST',
    url: '/api/v1/orders',
    payload: withSystem({
      type: 'new_resources',
      title,
      projectId,
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
          quantity: 1,
        },
      ],
    }),
  });
  expect(res.statusCode, res.body).toBe(201);
  // SH 19: the ops unit reviews first; its approval asks the provider.
  await reviewedForProvider(t.app, reviewer, res.json());
  const list = (await as(t.app, provider, { url: `/api/v1/work-orders?orderId=${res.json().id}` })).json();
  expect(list.items).toHaveLength(1);
  return list.items[0].id;
}

async function submitReceipt(id: string, name: string) {
  const res = await as(t.app, provider, {
    method: 'POST',
    url: `/api/v1/work-orders/${id}/receipts`,
    payload: {
      lines: [
        {
          workOrderLineNo: 1,
          name,
          externalId: `i-${name}`,
          specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
          deliveredAt: clock.now().toISOString(),
        },
      ],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function dispute(id: string) {
  const res = await as(t.app, applicant, {
    method: 'POST',
    url: `/api/v1/work-orders/${id}/receipts/dispute`,
    payload: { lines: [{ lineNo: 1, reason: '规格不符' }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, reviewer, approver, provider] = (await Promise.all(
    ['applicant', 'reviewer', 'approver', 'provider'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session];
}, 180_000);
afterAll(() => t?.close());

// A: disputed, never answered; B: answered in time; C: answered after the deadline, before any sweep.
let a: string;
let b: string;
let c: string;
let unresolved: string;
let resolved: string;

describe('deadlines of receipt disputes and reconciliation findings', () => {
  it('computes both due times in working days across National Day and its make-up Saturday', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    a = await placedWorkOrder(projectId, '期限测试 A');
    b = await placedWorkOrder(projectId, '期限测试 B');
    c = await placedWorkOrder(projectId, '期限测试 C');

    // The provider's inventory report: two VMs no order explains, due in 5 working days.
    const pushed = await as(t.app, provider, {
      method: 'POST',
      url: '/api/v1/inventory/reports',
      payload: {
        mode: 'changes',
        items: [
          { externalId: 'i-shadow-1', name: 'shadow-1', specification: { vcpu: 8 } },
          { externalId: 'i-shadow-2', name: 'shadow-2', specification: { vcpu: 4 } },
        ],
      },
    });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(pushed.json().findingsRaised).toBe(2);
    const findings = (await as(t.app, reviewer, { url: '/api/v1/inventory/findings?status=open' })).json().items;
    expect(findings).toHaveLength(2);
    for (const f of findings) expect(f).toMatchObject({ dueAt: FINDING_DUE, overdue: false, overdueSince: null });
    unresolved = findings.find((f: { externalId: string }) => f.externalId === 'i-shadow-1').id;
    resolved = findings.find((f: { externalId: string }) => f.externalId === 'i-shadow-2').id;

    clock.set('2026-09-30T01:00:00Z');
    for (const [id, name] of [
      [a, 'vm-a'],
      [b, 'vm-b'],
      [c, 'vm-c'],
    ] as const) {
      await submitReceipt(id, name);
    }
    clock.set('2026-09-30T02:00:00Z');
    for (const id of [a, b, c]) {
      expect(await dispute(id)).toMatchObject({
        status: 'disputed',
        disputeDueAt: DISPUTE_DUE,
        disputeOverdueSince: null,
        overdue: false,
      });
    }
    // The same answer as the calendar's own deadline calculator.
    const calc = (
      await t.app.inject({
        url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent('2026-09-30T10:00:00+08:00')}&days=2&jurisdiction=demo-city`,
      })
    ).json();
    expect(new Date(calc.due).toISOString()).toBe(DISPUTE_DUE);
  });

  it('marks nothing up to the due time itself', async () => {
    clock.set('2026-10-09T02:00:00Z');
    // B is answered in time.
    expect((await submitReceipt(b, 'vm-b')).status).toBe('submitted');
    expect(await sweep(DISPUTE_DUE)).toEqual({ disputes: 0, findings: 0 });
    clock.set(DISPUTE_DUE);
    expect(await workOrder(a)).toMatchObject({ status: 'disputed', overdue: false, disputeOverdueSince: null });
    expect(await noticed('delivery_receipt.dispute_overdue', a)).toEqual([]);
    expect(await audits('work_order.dispute_overdue')).toHaveLength(0);
  });

  it('marks an unanswered dispute overdue once, notifying the provider’s operators and the ops unit, audited', async () => {
    // C is answered after its deadline but before any sweep: answered, so never marked (the audit says late).
    clock.set('2026-10-10T01:00:00Z');
    await submitReceipt(c, 'vm-c');
    expect((await workOrder(a)).overdue).toBe(true); // past due, not yet swept

    const at = '2026-10-10T02:00:00Z';
    expect(await provisioningDeadlineJob.run({ db: t.database.db, now: new Date(at), log })).toEqual({
      disputes: 1,
      findings: 0,
    });
    // The provider's operator (not its administrator) and the supervising ops reviewer of the city (not the
    // district's), once each.
    expect(await noticed('delivery_receipt.dispute_overdue', a)).toEqual(['provider', 'reviewer']);
    const entries = await audits('work_order.dispute_overdue', a);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toMatchObject({ dueAt: DISPUTE_DUE, role: 'provider_operator' });

    // The same time again, and later: nothing changes.
    expect(await sweep(at)).toEqual({ disputes: 0, findings: 0 });
    expect(await sweep(plus(at, 3_600_000))).toEqual({ disputes: 0, findings: 0 });
    expect(await noticed('delivery_receipt.dispute_overdue', a)).toEqual(['provider', 'reviewer']);
    expect(await audits('work_order.dispute_overdue')).toHaveLength(1);

    // Answered disputes are never marked.
    for (const id of [b, c]) {
      expect(await workOrder(id)).toMatchObject({ status: 'submitted', overdue: false, disputeOverdueSince: null });
      expect(await noticed('delivery_receipt.dispute_overdue', id)).toEqual([]);
    }
    const submitted = await audits('delivery_receipt.submitted');
    expect(submitted.filter((e) => e.object_id === b).map((e) => e.detail.disputeAnsweredLate)).toEqual([
      undefined,
      false,
    ]);
    expect(submitted.filter((e) => e.object_id === c).map((e) => e.detail.disputeAnsweredLate)).toEqual([
      undefined,
      true,
    ]);

    // Where people look: the provider's queue, earliest due first, A red with its due time.
    clock.set('2026-10-10T03:00:00Z');
    const queue = (await as(t.app, provider, { url: '/api/v1/work-orders' })).json().items;
    const mine = queue.filter((w: { id: string }) => [a, b, c].includes(w.id));
    expect(mine.find((w: { id: string }) => w.id === a)).toMatchObject({
      overdue: true,
      disputeDueAt: DISPUTE_DUE,
      disputeOverdueSince: new Date(at).toISOString(),
    });
    expect(mine.filter((w: { overdue: boolean }) => w.overdue)).toHaveLength(1);
    // Waiting on the provider, and due first (9 October, the others' step is due 12 October): A leads.
    expect(mine.map((w: { id: string }) => w.id)[0]).toBe(a);
    // The authority's board.
    const board = await as(t.app, approver, { url: '/api/v1/provisioning/overdue' });
    expect(board.statusCode, board.body).toBe(200);
    expect(board.json().disputes).toEqual([
      expect.objectContaining({ workOrderId: a, organisationCode: 'demo-health', disputeDueAt: DISPUTE_DUE }),
    ]);
    expect(board.json().findings).toEqual([]);
    expect(board.json().perProvider).toEqual([expect.objectContaining({ disputes: 1, findings: 0 })]);
    expect((await as(t.app, applicant, { url: '/api/v1/provisioning/overdue' })).statusCode).toBe(403);
    expect((await as(t.app, provider, { url: '/api/v1/provisioning/overdue' })).statusCode).toBe(403);
  });

  it('marks an open finding overdue once, notifying the ops unit and the authority; a resolved one never', async () => {
    const resolvedRes = await as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/inventory/findings/${resolved}/resolve`,
      payload: { resolution: '已补录订单' },
    });
    expect(resolvedRes.statusCode, resolvedRes.body).toBe(200);

    expect(await sweep(FINDING_DUE)).toEqual({ disputes: 0, findings: 0 });
    const at = plus(FINDING_DUE);
    expect(await sweep(at)).toEqual({ disputes: 0, findings: 1 });
    expect(await sweep(at)).toEqual({ disputes: 0, findings: 0 });
    expect(await noticed('inventory.finding_overdue', unresolved)).toEqual(['approver', 'reviewer']);
    expect(await noticed('inventory.finding_overdue', resolved)).toEqual([]);
    expect(await audits('inventory.finding_overdue', unresolved)).toHaveLength(1);
    expect(await audits('inventory.finding_overdue')).toHaveLength(1);

    clock.set('2026-10-13T02:00:00Z');
    const list = (await as(t.app, reviewer, { url: '/api/v1/inventory/findings' })).json().items;
    expect(list.find((f: { id: string }) => f.id === unresolved)).toMatchObject({
      status: 'open',
      overdue: true,
      overdueSince: at.toISOString(),
    });
    expect(list.find((f: { id: string }) => f.id === resolved)).toMatchObject({
      status: 'resolved',
      overdue: false,
      overdueSince: null,
    });
    const board = (await as(t.app, reviewer, { url: '/api/v1/provisioning/overdue' })).json();
    expect(board.findings).toEqual([
      expect.objectContaining({ id: unresolved, kind: 'unknown_resource', externalId: 'i-shadow-1' }),
    ]);
    expect(board.perProvider).toEqual([expect.objectContaining({ disputes: 1, findings: 1 })]);

    // Resolved late: off the board, the mark kept as history, the audit says late.
    const late = await as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/inventory/findings/${unresolved}/resolve`,
      payload: { resolution: '服务商已释放' },
    });
    expect(late.json()).toMatchObject({ status: 'resolved', overdue: false, overdueSince: at.toISOString() });
    const resolutions = await audits('inventory.finding_resolved');
    expect(resolutions.map((e) => [e.object_id, e.detail.late])).toEqual([
      [resolved, false],
      [unresolved, true],
    ]);
    expect((await as(t.app, approver, { url: '/api/v1/provisioning/overdue' })).json().findings).toEqual([]);
    expect(await sweep(plus(FINDING_DUE, 86_400_000))).toEqual({ disputes: 0, findings: 0 });
  });

  it('a late answer takes the dispute off the board; a new dispute has its own deadline and escalates again', async () => {
    clock.set('2026-10-13T02:00:00Z'); // Tuesday
    await submitReceipt(a, 'vm-a');
    expect(await workOrder(a)).toMatchObject({ status: 'submitted', overdue: false, disputeOverdueSince: null });
    expect((await as(t.app, approver, { url: '/api/v1/provisioning/overdue' })).json().disputes).toEqual([]);

    clock.set('2026-10-13T03:00:00Z');
    const again = await dispute(a);
    const due = '2026-10-15T15:59:59.999Z'; // Thursday, two working days later
    expect(again).toMatchObject({ disputeDueAt: due, overdue: false, disputeOverdueSince: null });
    expect(await sweep(due)).toEqual({ disputes: 0, findings: 0 });
    expect(await sweep(plus(due))).toEqual({ disputes: 1, findings: 0 });
    expect(await sweep(plus(due))).toEqual({ disputes: 0, findings: 0 });
    expect(await noticed('delivery_receipt.dispute_overdue', a)).toEqual([
      'provider',
      'provider',
      'reviewer',
      'reviewer',
    ]);
    expect(await audits('work_order.dispute_overdue', a)).toHaveLength(2);
  });

  it('the dispute period is the pack’s defaults.disputeWorkingDays: a jurisdiction’s override of it moves the deadline', async () => {
    const override = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides',
      payload: { path: 'defaults.disputeWorkingDays', value: 4, reason: '本市给服务商四个工作日答复异议' },
    });
    expect(override.statusCode, override.body).toBe(200);
    expect(override.json().policy.defaults.disputeWorkingDays).toMatchObject({
      value: 4,
      article: null,
      overridden: true,
    });
    clock.set('2026-10-20T02:00:00Z'); // Tuesday
    expect((await workOrder(b)).status).toBe('submitted');
    // Tuesday 20 October + 4 working days: Monday 26 October, end of day
    expect(await dispute(b)).toMatchObject({ status: 'disputed', disputeDueAt: '2026-10-26T15:59:59.999Z' });
  });

  it('runs with `yunguan serve` (JOBS) and leaves the audit chain intact', async () => {
    expect(JOBS).toContain(provisioningDeadlineJob);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
