import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { registerFulfilment } from '../provisioning/index.ts';
import { deadlineSweepJob } from './index.ts';
import { client, placed, project, vm } from './orders.fixtures.ts';

// SH 19 "review, then open" and TZ 10 "each party on its own time" (issue 14), with provisioning registered:
// the ops unit reviews before the provider sees a work order; each step is completed by its own role; the
// provider is measured when its receipt arrives, not when the unit confirms it.
const clock = new ManualClock('2026-11-02T02:00:00Z'); // Monday 10:00 +08:00
let t: TestApp;
let applicant: Session;
let reviewer: Session;
let approver: Session;
let provider: Session;
let api: ReturnType<typeof client>;
const log = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, reviewer, approver, provider] = (await Promise.all(
    ['applicant', 'reviewer', 'approver', 'provider'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session];
  api = client(t.app);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const workOrders = async (orderId: string) =>
  (await as(t.app, provider, { url: `/api/v1/work-orders?orderId=${orderId}` })).json().items as {
    id: string;
    action: string;
  }[];

async function deliverAndConfirm(workOrderId: string, deliveredAt: string, confirmedAt: string) {
  clock.set(deliveredAt);
  const receipt = await as(t.app, provider, {
    method: 'POST',
    url: `/api/v1/work-orders/${workOrderId}/receipts`,
    payload: {
      lines: [
        {
          workOrderLineNo: 1,
          name: `vm-${workOrderId.slice(0, 6)}`,
          externalId: `i-${workOrderId.slice(0, 8)}`,
          specification: vm(2, 4).specification,
          deliveredAt,
        },
      ],
    },
  });
  expect(receipt.statusCode, receipt.body).toBe(201);
  clock.set(confirmedAt);
  return async () => {
    const confirmed = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts/confirm`,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
  };
}

describe('SH 19: the ops unit reviews, then the provider opens', () => {
  it('no work order before the review; the reviewer approves (not 409); the provider is asked; the timeline names who did what', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '先审后开',
      projectId,
      lines: [vm(2, 4)],
    });
    expect(order.currentStep).toMatchObject({ key: 'test_review', role: 'ops_reviewer', handledByProvisioning: false });
    expect(await workOrders(order.id)).toEqual([]);
    // The reviewer's inbox has it, and the reviewer can act on it.
    const inbox = (await as(t.app, reviewer, { url: '/api/v1/orders/inbox' })).json();
    expect(inbox.items.map((i: { orderId: string }) => i.orderId)).toContain(order.id);

    clock.set('2026-11-03T02:00:00Z');
    const approved = await api.act(reviewer, order.id, { decision: 'approve', comment: '同意开通测试资源' });
    expect(approved.statusCode, approved.body).toBe(200);
    const step = approved.json().steps.find((s: { key: string }) => s.key === 'test_review');
    expect(step).toMatchObject({
      status: 'open',
      handledByProvisioning: true,
      decision: 'approve',
      metDeadline: true,
    });
    const reviewerName = step.actedByName as string;
    expect(reviewerName).toBeTruthy();
    const [wo] = await workOrders(order.id);
    expect(wo).toMatchObject({ action: 'open_test' });
    // Waiting on the provider now: out of the reviewer's inbox, and a second approval is refused.
    const after = (await as(t.app, reviewer, { url: '/api/v1/orders/inbox' })).json();
    expect(after.items.map((i: { orderId: string }) => i.orderId)).not.toContain(order.id);
    expect((await api.act(reviewer, order.id, { decision: 'approve' })).statusCode).toBe(409);

    const confirm = await deliverAndConfirm(wo!.id, '2026-11-04T02:00:00Z', '2026-11-04T06:00:00Z');
    await confirm();
    const done = (await api.get(applicant, order.id)).json();
    const reviewed = done.steps.find((s: { key: string }) => s.key === 'test_review');
    // Completed by the receipt, but the step's decision stays the reviewer's.
    expect(reviewed).toMatchObject({ status: 'done', decision: 'approve', actedByName: reviewerName });
    expect(done.currentStep).toMatchObject({ key: 'unit_verification', role: 'unit_applicant' });
    const kinds = done.events.map((e: { kind: string; stepKey: string | null; actorName: string | null }) => [
      e.kind,
      e.stepKey,
      e.actorName,
    ]);
    const at = (kind: string) =>
      kinds.findIndex((k: [string, string | null]) => k[0] === kind && k[1] === 'test_review');
    expect(kinds[at('step_approved')]).toEqual(['step_approved', 'test_review', reviewerName]);
    expect(at('step_approved')).toBeLessThan(at('fulfilment_requested'));
    expect(at('fulfilment_requested')).toBeLessThan(at('step_done'));
    const confirmedBy = kinds[at('step_done')][2];
    expect(confirmedBy).toBeTruthy();
    expect(confirmedBy).not.toBe(reviewerName);
  });
});

describe('TZ 10: each party is measured on its own time', () => {
  it('a provider whose receipt was on time is not late because the unit confirmed late: no overdue mark, no notice, not on the board', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const selected = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'taizhou-2018' },
    });
    expect(selected.statusCode, selected.body).toBe(200);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '各算各时',
      projectId,
      lines: [vm(2, 4)],
    });
    expect(order.currentStep).toMatchObject({ key: 'approval', role: 'authority_approver' });
    expect(await workOrders(order.id)).toEqual([]);
    const approved = await api.act(approver, order.id, { decision: 'approve' });
    expect(approved.statusCode, approved.body).toBe(200);
    const fulfilment = approved.json().currentStep;
    expect(fulfilment).toMatchObject({ key: 'fulfilment', role: 'provider_operator', handledByProvisioning: true });
    // Two working days (TZ 10): due Wednesday 4 November. The provider delivers on Tuesday; the unit
    // confirms the next Monday.
    expect(fulfilment.dueDay).toBe('2026-11-04');
    const [wo] = await workOrders(order.id);
    const confirm = await deliverAndConfirm(wo!.id, '2026-11-03T02:00:00Z', '2026-11-09T02:00:00Z');
    await deadlineSweepJob.run({ db: t.database.db, now: new Date('2026-11-06T02:00:00Z'), log });
    await confirm();
    const done = (await api.get(applicant, order.id)).json();
    const step = done.steps.find((s: { key: string }) => s.key === 'fulfilment');
    expect(step).toMatchObject({ status: 'done', metDeadline: true, overdue: false, overdueSince: null });
    const notices = await t.database.db
      .selectFrom('notification')
      .select('kind')
      .where('entity_id', '=', order.id)
      .where('kind', '=', 'order.step.overdue')
      .execute();
    expect(notices).toEqual([]);
    const board = (await as(t.app, approver, { url: '/api/v1/orders/overdue' })).json();
    expect(board.items.map((i: { orderId: string }) => i.orderId)).not.toContain(order.id);
  });
});

describe('SH 23: a term runs from the day the resources are allocated', () => {
  it('emergency resources delivered on 4 November and confirmed on the 10th expire three months after the 4th', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const selected = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'shanghai-2022' },
    });
    expect(selected.statusCode, selected.body).toBe(200);
    const econ = await login(t.app, 'econ');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const order = await placed(t.app, applicant, {
      type: 'emergency',
      title: '应急资源',
      termMonths: 3,
      projectId,
      lines: [vm(2, 4)],
    });
    expect((await api.act(econ, order.id, { decision: 'approve' })).statusCode).toBe(200);
    clock.set('2026-11-03T02:00:00Z');
    const allocated = await api.act(reviewer, order.id, { decision: 'approve' });
    expect(allocated.statusCode, allocated.body).toBe(200);
    const [wo] = await workOrders(order.id);
    expect(wo).toMatchObject({ action: 'allocate' });
    const confirm = await deliverAndConfirm(wo!.id, '2026-11-04T02:00:00Z', '2026-11-10T02:00:00Z');
    await confirm();
    const done = (await api.get(applicant, order.id)).json();
    expect(done).toMatchObject({ status: 'completed', expiresOn: '2027-02-04' });
  });
});
