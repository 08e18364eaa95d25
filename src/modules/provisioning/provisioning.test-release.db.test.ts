import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { client, project, roleSessions, vm } from '../orders/orders.fixtures.ts';
import { registerFulfilment } from './index.ts';

// After the formal opening the unit does not keep its test environment beside the formal resources (SH 19: test
// resources, verification, then 正式开通; LZ 21(4)-(5): the trial environment, then 开通). The platform opens a
// reclaim of the test (trial) resources on the pack's reclaim steps; until the provider has released them they
// count against the project's quota (the quota view and every placement), and releasing them gives no quota back.

const clock = new ManualClock('2026-11-02T02:00:00Z');
let t: TestApp;
let api: ReturnType<typeof client>;
let sessions: Record<string, Session>;
let provider: Session;

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  api = client(t.app);
  sessions = await roleSessions(t.app);
  provider = await login(t.app, 'provider');
}, 180_000);
afterAll(() => t?.close());

const applicant = () => sessions.unit_applicant as Session;
const workOrders = async (orderId: string) =>
  (await as(t.app, applicant(), { url: `/api/v1/work-orders?orderId=${orderId}` })).json().items as {
    id: string;
    action: string;
    status: string;
  }[];
const quota = async (projectId: string) =>
  Object.fromEntries(
    (await as(t.app, applicant(), { url: `/api/v1/orders/quota-usage/${projectId}` }))
      .json()
      .dimensions.map((d: { dimension: string }) => [d.dimension, d]),
  );

let serial = 0;
/** The provider's receipt (each line as ordered) and the unit's confirmation. */
async function delivered(workOrderId: string, extra: Record<string, unknown> = {}) {
  const w = (await as(t.app, provider, { url: `/api/v1/work-orders/${workOrderId}` })).json();
  const lines = (w.lines as { lineNo: number; quantity: number; resourceId: string | null }[]).flatMap((l) =>
    Array.from({ length: l.resourceId ? 1 : l.quantity }, () => ({
      workOrderLineNo: l.lineNo,
      name: `vm-${++serial}`,
      externalId: `tr-${serial}`,
      deliveredAt: clock.now().toISOString(),
    })),
  );
  const r = await as(t.app, provider, {
    method: 'POST',
    url: `/api/v1/work-orders/${workOrderId}/receipts`,
    payload: { lines, ...extra },
  });
  expect(r.statusCode, r.body).toBe(201);
  const c = await as(t.app, applicant(), {
    method: 'POST',
    url: `/api/v1/work-orders/${workOrderId}/receipts/confirm`,
  });
  expect(c.statusCode, c.body).toBe(200);
  return c.json();
}

/** Acts on the order's open steps, each by its role, until a work order of `action` is open; returns it. */
async function untilWorkOrder(orderId: string, action: string) {
  for (let i = 0; i < 8; i++) {
    const open = (await workOrders(orderId)).find((w) => w.action === action && w.status === 'open');
    if (open) return open;
    const step = (await api.get(applicant(), orderId)).json().currentStep;
    expect(step, `an open step before ${action}`).toBeTruthy();
    // a trial (LZ 21(4)) lasts at least its minimum before the unit may end it
    if (step.role === 'unit_applicant') clock.set(new Date(clock.now().getTime() + 20 * 86_400_000));
    const res = await api.act(sessions[step.role] as Session, orderId, { decision: 'approve', stepKey: step.key });
    expect(res.statusCode, `${step.key}: ${res.body}`).toBe(200);
  }
  throw new Error(`no ${action} work order`);
}

describe('the test environment is released after the formal opening', () => {
  for (const packId of ['shanghai-2022', 'liuzhou']) {
    it(`${packId}: a reclaim of the test resources opens with the formal opening; they count against the quota until released`, async () => {
      clock.set('2026-11-02T02:00:00Z');
      const selected = await as(t.app, sessions.authority_approver as Session, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId },
      });
      expect(selected.statusCode, selected.body).toBe(200);
      const projectId = await project(t.database.db, 'demo-health', { vcpu: 8, memory_gb: 32, storage_gb: 400 });
      const placed = await api.place(applicant(), {
        type: 'new_resources',
        title: '测试后正式开通',
        projectId,
        lines: [vm(2, 4)],
      });
      expect(placed.statusCode, placed.body).toBe(201);
      const orderId = placed.json().id;

      const testWo = await untilWorkOrder(orderId, 'open_test');
      const testDone = await delivered(testWo.id);
      const testVm = testDone.receipts.at(-1).lines[0].resourceId as string;
      const testPurpose = (await as(t.app, applicant(), { url: `/api/v1/inventory/resources/${testVm}` })).json();
      expect(['test', 'trial']).toContain(testPurpose.purpose);
      // while the order is under way its reservation covers the test environment
      expect(await quota(projectId)).toMatchObject({
        vcpu: { reserved: '2', inUse: '0', testEnvironments: '0', available: '6' },
      });

      const formalWo = await untilWorkOrder(orderId, 'open');
      await delivered(formalWo.id);
      const order = (await api.get(applicant(), orderId)).json();
      expect(order.status).toBe('completed');

      // the platform opened the release of the test environment, on the pack's reclaim steps
      const release = await t.database.db
        .selectFrom('resource_order')
        .select(['id', 'source', 'status', 'parent_order_id'])
        .where('parent_order_id', '=', orderId)
        .where('type', '=', 'reclaim')
        .execute();
      expect(release).toHaveLength(1);
      expect(release[0]).toMatchObject({ source: 'test_release', status: 'submitted' });
      const releaseOrder = (await api.get(applicant(), release[0]!.id)).json();
      expect(releaseOrder.lines.map((l: { targetResourceId: string }) => l.targetResourceId)).toEqual([testVm]);
      const inbox = (await as(t.app, applicant(), { url: '/api/v1/notifications?limit=200' }))
        .json()
        .items.filter((n: { kind: string }) => n.kind === 'order.test_environment_released');
      expect(inbox.map((n: { link: string }) => n.link)).toContain(`/orders/${release[0]!.id}`);

      // until released, the test environment draws on the project beside the formal resources
      expect(await quota(projectId)).toMatchObject({
        vcpu: { reserved: '0', inUse: '2', testEnvironments: '2', available: '4' },
      });
      const tooMuch = await api.place(applicant(), {
        type: 'new_resources',
        title: '超出',
        projectId,
        lines: [vm(6, 4)],
      });
      expect(tooMuch.statusCode, tooMuch.body).toBe(409);
      expect(tooMuch.json().code).toBe('quota_exceeded');

      // the ops unit reviews, the unit backs up, the provider releases: the test VM ends and stops billing
      const releaseWo = await untilWorkOrder(release[0]!.id, 'reclaim');
      const backedUp = await as(t.app, applicant(), {
        method: 'POST',
        url: `/api/v1/work-orders/${releaseWo.id}/backup-confirmation`,
      });
      expect(backedUp.statusCode, backedUp.body).toBe(200);
      clock.set(new Date(clock.now().getTime() + 3600_000));
      await delivered(releaseWo.id, { dataErased: true });
      const ended = (await as(t.app, applicant(), { url: `/api/v1/inventory/resources/${testVm}` })).json();
      expect(ended).toMatchObject({ state: 'reclaimed', quantities: {} });
      expect(ended.events.at(-1)).toMatchObject({ kind: 'reclaimed' });
      // releasing it gave back nothing the formal resources hold
      expect(await quota(projectId)).toMatchObject({
        vcpu: { reserved: '0', inUse: '2', testEnvironments: '0', available: '6' },
      });
      const fits = await api.place(applicant(), { type: 'new_resources', title: '正好', projectId, lines: [vm(6, 4)] });
      expect(fits.statusCode, fits.body).toBe(201);
      const audits = await t.database.db
        .selectFrom('audit_event')
        .select('action')
        .where('object_id', '=', orderId)
        .where('action', '=', 'order.test_environment_released')
        .execute();
      expect(audits).toHaveLength(1);
      expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
    });
  }
});
