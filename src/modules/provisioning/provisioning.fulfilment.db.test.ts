import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { addDays } from '../../platform/time/time.ts';
import { seedDemo } from '../../seed.ts';
import { project, reviewedForProvider, withSystem } from '../orders/orders.fixtures.ts';
import {
  type DriverRequest,
  deliver,
  expiryJob,
  type ProvisioningDriver,
  registerDriver,
  registerFulfilment,
} from './index.ts';

// Fulfilment beyond the one-provider path of provisioning.db.test.ts, through the public API: pluggable
// drivers (a synchronous one registered with registerDriver, an asynchronous one reporting through
// `deliver`), one order split over two providers and two network zones, a scale-up's resize, reconciliation
// by delta report and after resolution, and a Liuzhou trial environment that expires with the trial period.

const clock = new ManualClock('2026-10-12T02:00:00Z');
const log = { info: () => {}, warn: () => {}, error: () => {} };
let t: TestApp;
let applicant: Session;
let edu: Session;
let reviewer: Session;
let approver: Session;
let providerA: Session;
let providerB: Session;
const org: Record<string, string> = {};

type Line = { lineNo: number; quantity: number; resourceId: string | null; specification: Record<string, unknown> };
type WorkOrder = { id: string; providerId: string; zone: string | null; dueAt: string | null; driver: string };

const spec = (vcpu: number, memoryGb: number, extra: Record<string, unknown> = {}) => ({
  vcpu,
  memoryGb,
  systemDiskGb: 40,
  dataDiskGb: 100,
  os: 'CentOS 7.9',
  ...extra,
});
const vm = (s: Record<string, unknown>, quantity = 1) => ({ itemCode: 'cloud-vm', specification: s, quantity });
const db = (quantity = 1) => ({
  itemCode: 'database-server',
  specification: { engine: 'PostgreSQL 15', vcpu: 4, memoryGb: 16, storageGb: 200 },
  quantity,
});

async function place(s: Session, body: Record<string, unknown>) {
  const res = await as(t.app, s, { method: 'POST', url: '/api/v1/orders', payload: withSystem(body) });
  expect(res.statusCode, res.body).toBe(201);
  // SH 19: the ops unit reviews first; its approval asks the provider.
  return reviewedForProvider(t.app, reviewer, res.json());
}
async function act(s: Session, orderId: string) {
  const res = await as(t.app, s, {
    method: 'POST',
    url: `/api/v1/orders/${orderId}/act`,
    payload: { decision: 'approve' },
  });
  expect(res.statusCode, res.body).toBe(200);
  // A reviewer's fulfilment step opening next is approved by the ops unit (SH 19), which asks the provider.
  return reviewedForProvider(t.app, reviewer, res.json());
}
const orderOf = async (id: string, s: Session = applicant) =>
  (await as(t.app, s, { url: `/api/v1/orders/${id}` })).json();
const workOrders = async (s: Session, orderId: string): Promise<WorkOrder[]> =>
  (await as(t.app, s, { url: `/api/v1/work-orders?orderId=${orderId}` })).json().items;
const workOrder = async (s: Session, id: string) => (await as(t.app, s, { url: `/api/v1/work-orders/${id}` })).json();
const resource = async (s: Session, id: string) =>
  (await as(t.app, s, { url: `/api/v1/inventory/resources/${id}` })).json();

let serial = 0;
/** The provider's receipt by hand: one line per resource, as ordered unless `specification` says otherwise. */
async function receipt(s: Session, id: string, deliveredAt: string, specification?: Record<string, unknown>) {
  const w = await workOrder(s, id);
  const lines = (w.lines as Line[]).flatMap((l) =>
    Array.from({ length: l.resourceId ? 1 : l.quantity }, () => {
      serial++;
      return {
        workOrderLineNo: l.lineNo,
        name: `vm-${serial}`,
        externalId: `ext-${serial}`,
        addresses: [`10.20.0.${serial}`],
        specification: specification ?? l.specification,
        deliveredAt,
      };
    }),
  );
  const res = await as(t.app, s, { method: 'POST', url: `/api/v1/work-orders/${id}/receipts`, payload: { lines } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
async function confirm(s: Session, id: string) {
  const res = await as(t.app, s, { method: 'POST', url: `/api/v1/work-orders/${id}/receipts/confirm` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const resourcesOf = (detail: { receipts: { lines: { resourceId: string }[] }[] }) =>
  detail.receipts[detail.receipts.length - 1]!.lines.map((l) => l.resourceId);

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  for (const code of ['demo-provider-a', 'demo-provider-b', 'demo-health', 'demo-education']) {
    org[code] = (
      await t.database.db.selectFrom('organisation').select('id').where('code', '=', code).executeTakeFirstOrThrow()
    ).id;
  }
  // The demo's provider operator also operates for provider B (the demo has no user there).
  const operator = await t.database.db
    .selectFrom('user_account')
    .select('id')
    .where('username', '=', 'provider')
    .executeTakeFirstOrThrow();
  await t.database.db
    .insertInto('role_assignment')
    .values({
      user_id: operator.id,
      organisation_id: org['demo-provider-b']!,
      role: 'provider_operator',
      granted_by: 'test',
    })
    .execute();
  [applicant, edu, reviewer, approver] = (await Promise.all(
    ['applicant', 'edu', 'reviewer', 'approver'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session];
  providerA = await login(t.app, 'provider', { organisationId: org['demo-provider-a'] });
  providerB = await login(t.app, 'provider', { organisationId: org['demo-provider-b'] });
}, 180_000);
afterAll(() => t.close());

describe('provisioning drivers', () => {
  it('a driver registered for provider B’s database servers fulfils an approved order end to end; provider A’s part stays manual', async () => {
    clock.set('2026-10-12T02:00:00Z');
    const calls: DriverRequest[] = [];
    const fake: ProvisioningDriver = {
      name: 'fake-cloud',
      actions: ['open_test', 'open'],
      serves: { providers: ['demo-provider-b'], items: ['database-server'] },
      async submit(request) {
        calls.push(request);
        return {
          status: 'delivered',
          notes: '云平台接口自动交付',
          lines: request.lines.flatMap((l) =>
            Array.from({ length: l.quantity }, (_, i) => ({
              lineNo: l.lineNo,
              name: `fake-${request.action}-${i + 1}`,
              externalId: `fk-${request.action}-${i + 1}`,
              addresses: [`10.8.${l.lineNo}.${i + 1}`],
              specification: l.specification,
              deliveredAt: request.requestedAt,
            })),
          ),
        };
      },
    };
    const unregister = registerDriver(fake);
    try {
      const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(edu, {
        type: 'new_resources',
        title: '招生系统 数据库与应用',
        projectId,
        lines: [db(2), vm(spec(4, 8))],
      });
      expect(order.currentStep).toMatchObject({ key: 'test_review', fulfilmentAction: 'open_test' });

      // Two work orders: provider B's is the driver's and already delivered, provider A's waits for a receipt.
      const test = await workOrders(edu, order.id);
      const bTest = test.find((w) => w.providerId === org['demo-provider-b'])!;
      const aTest = test.find((w) => w.providerId === org['demo-provider-a'])!;
      expect(test).toHaveLength(2);
      expect(bTest).toMatchObject({ driver: 'fake-cloud', status: 'submitted' });
      expect(aTest).toMatchObject({ driver: 'manual', status: 'open' });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        workOrderId: bTest.id,
        action: 'open_test',
        providerId: org['demo-provider-b'],
        providerCode: 'demo-provider-b',
        zone: null,
        requestedAt: new Date(order.currentStep.openedAt),
        lines: [{ lineNo: 1, catalogueItemCode: 'database-server', quantity: 2, externalId: null }],
      });
      const bDetail = await workOrder(edu, bTest.id);
      expect(bDetail.receipts).toHaveLength(1);
      expect(bDetail.receipts[0]).toMatchObject({
        revision: 1,
        status: 'submitted',
        notes: '云平台接口自动交付',
        submittedBy: 'driver:fake-cloud',
      });
      expect(bDetail.receipts[0].lines.map((l: { externalId: string }) => l.externalId)).toEqual([
        'fk-open_test-1',
        'fk-open_test-2',
      ]);
      // The same audit entry as a provider's receipt, the driver as its actor; the unit is told to confirm.
      const audit = await t.database.db
        .selectFrom('audit_event')
        .select(['actor_kind', 'actor_name', 'detail'])
        .where('action', '=', 'delivery_receipt.submitted')
        .where('object_id', '=', bTest.id)
        .execute();
      expect(audit).toEqual([
        {
          actor_kind: 'system',
          actor_name: 'driver:fake-cloud',
          detail: expect.objectContaining({ revision: 1, lines: 2, driver: 'fake-cloud' }),
        },
      ]);
      const told = await t.database.db
        .selectFrom('notification')
        .select('id')
        .where('kind', '=', 'delivery_receipt.submitted')
        .where('entity_id', '=', bTest.id)
        .execute();
      expect(told.length).toBeGreaterThan(0);

      // The unit confirms the driver's receipt like any other; the step waits for provider A's part.
      clock.set('2026-10-13T02:00:00Z');
      const testDbs = resourcesOf(await confirm(edu, bTest.id));
      expect((await orderOf(order.id, edu)).currentStep.key).toBe('test_review');
      await receipt(providerA, aTest.id, '2026-10-13T09:00:00+08:00');
      await confirm(edu, aTest.id);
      expect((await orderOf(order.id, edu)).currentStep.key).toBe('unit_verification');
      for (const id of testDbs) {
        const r = await resource(edu, id);
        expect(r).toMatchObject({
          state: 'active',
          purpose: 'test',
          expiresOn: null,
          deliveredAt: order.currentStep.openedAt,
        });
        expect(r.events).toEqual([expect.objectContaining({ kind: 'delivered', source: 'receipt' })]);
      }

      // Verified: formal opening goes to the driver again (action `open`), and the order completes.
      clock.set('2026-10-14T02:00:00Z');
      const opening = await act(edu, order.id);
      expect(opening.currentStep).toMatchObject({ key: 'formal_opening', fulfilmentAction: 'open' });
      expect(calls.map((c) => c.action)).toEqual(['open_test', 'open']);
      const formal = (await workOrders(edu, order.id)).filter((w) => !test.some((x) => x.id === w.id));
      const bOpen = formal.find((w) => w.providerId === org['demo-provider-b'])!;
      const aOpen = formal.find((w) => w.providerId === org['demo-provider-a'])!;
      expect(bOpen).toMatchObject({ driver: 'fake-cloud', status: 'submitted' });
      expect(aOpen).toMatchObject({ driver: 'manual', status: 'open' });
      const formalDbs = resourcesOf(await confirm(edu, bOpen.id));
      await receipt(providerA, aOpen.id, '2026-10-14T09:00:00+08:00');
      await confirm(edu, aOpen.id);
      expect(await orderOf(order.id, edu)).toMatchObject({ status: 'completed' });
      const delivered = await resource(edu, formalDbs[0]!);
      expect(delivered).toMatchObject({
        state: 'active',
        purpose: 'formal',
        externalId: 'fk-open-1',
        addresses: ['10.8.1.1'],
        providerId: org['demo-provider-b'],
      });
      expect(delivered.intervals).toHaveLength(1);
    } finally {
      unregister();
    }
    // Unregistered: a new work order for the same items is manual again.
    const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
    const again = await place(edu, { type: 'new_resources', title: '再次申请', projectId, lines: [db(1)] });
    expect(await workOrders(edu, again.id)).toEqual([expect.objectContaining({ driver: 'manual', status: 'open' })]);
  });

  let portal: { id: string; projectId: string };

  it('a driver answering `pending` reports later through deliver(); only for its own work orders', async () => {
    clock.set('2026-10-15T02:00:00Z');
    const slow: ProvisioningDriver = {
      name: 'slow-cloud',
      actions: ['open_test'],
      serves: { providers: ['demo-provider-a'], zones: ['互联网区'], items: ['cloud-vm'] },
      async submit() {
        return { status: 'pending' };
      },
    };
    const unregister = registerDriver(slow);
    try {
      const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(applicant, {
        type: 'new_resources',
        title: '互联网区门户',
        projectId,
        lines: [vm(spec(2, 4, { networkZone: '互联网区' })), vm(spec(2, 4, { networkZone: '公共网络区' }))],
      });
      const wos = await workOrders(applicant, order.id);
      const internet = wos.find((w) => w.zone === '互联网区')!;
      expect(internet).toMatchObject({ driver: 'slow-cloud', status: 'open' });
      expect(wos.find((w) => w.zone === '公共网络区')).toMatchObject({ driver: 'manual', status: 'open' });

      const line = {
        lineNo: 1,
        name: 'portal-01',
        externalId: 'slow-1',
        addresses: ['10.30.0.1'],
        specification: spec(2, 4),
        deliveredAt: new Date('2026-10-15T09:30:00+08:00'),
      };
      const other = wos.find((w) => w.zone === '公共网络区')!;
      await expect(
        t.database.db
          .transaction()
          .execute((trx) => deliver(trx, { workOrderId: other.id, driver: 'slow-cloud', lines: [line] }, clock.now())),
      ).rejects.toMatchObject({ code: 'conflict' });
      const revision = await t.database.db
        .transaction()
        .execute((trx) => deliver(trx, { workOrderId: internet.id, driver: 'slow-cloud', lines: [line] }, clock.now()));
      expect(revision).toBe(1);
      const detail = await workOrder(applicant, internet.id);
      expect(detail).toMatchObject({
        status: 'submitted',
        receipts: [{ revision: 1, submittedBy: 'driver:slow-cloud', lines: [{ externalId: 'slow-1' }] }],
      });
      const [id] = resourcesOf(await confirm(applicant, internet.id));
      expect(await resource(applicant, id!)).toMatchObject({ state: 'active', zone: '互联网区', externalId: 'slow-1' });
      portal = { id: id!, projectId };
    } finally {
      unregister();
    }
  });

  it('a reclaim reaches its driver only once the unit confirmed its backup (SH 26), then ends the resource', async () => {
    clock.set('2026-10-16T02:00:00Z');
    const calls: DriverRequest[] = [];
    const unregister = registerDriver({
      name: 'erase-cloud',
      actions: ['reclaim'],
      serves: { providers: ['demo-provider-a'], zones: ['互联网区'] },
      async submit(request) {
        calls.push(request);
        return {
          status: 'delivered',
          dataErased: true,
          lines: request.lines.map((l) => ({
            lineNo: l.lineNo,
            name: 'portal-01',
            externalId: l.externalId,
            addresses: [],
            specification: l.specification,
            deliveredAt: request.requestedAt,
            notes: '数据已清除',
          })),
        };
      },
    });
    try {
      const back = await place(applicant, {
        type: 'reclaim',
        title: '回收门户',
        projectId: portal.projectId,
        resourceIds: [portal.id],
      });
      expect(back.currentStep).toMatchObject({ fulfilmentAction: 'reclaim' });
      const [w] = await workOrders(applicant, back.id);
      expect(w).toMatchObject({ driver: 'erase-cloud', status: 'open', backupConfirmedAt: null });
      expect(calls).toHaveLength(0);
      expect((await resource(applicant, portal.id)).state).toBe('reclaiming');

      clock.set('2026-10-16T06:00:00Z');
      const backedUp = await as(t.app, applicant, {
        method: 'POST',
        url: `/api/v1/work-orders/${w!.id}/backup-confirmation`,
      });
      expect(backedUp.statusCode, backedUp.body).toBe(200);
      expect(calls).toEqual([
        expect.objectContaining({ action: 'reclaim', lines: [expect.objectContaining({ externalId: 'slow-1' })] }),
      ]);
      expect(backedUp.json()).toMatchObject({
        status: 'submitted',
        receipts: [{ revision: 1, dataErased: true, submittedBy: 'driver:erase-cloud' }],
      });
      await confirm(applicant, w!.id);
      expect(await orderOf(back.id)).toMatchObject({ status: 'completed' });
      expect(await resource(applicant, portal.id)).toMatchObject({
        state: 'reclaimed',
        reclaimedAt: new Date('2026-10-16T06:00:00Z').toISOString(),
      });
    } finally {
      unregister();
    }
  });
});

describe('one order over two providers and two network zones', () => {
  let orderId: string;
  let publicVm: string;

  it('makes three work orders with their zone, provider and due time; the step completes with the last', async () => {
    clock.set('2026-10-19T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
    const order = await place(applicant, {
      type: 'new_resources',
      title: '全民健康 多分区部署',
      projectId,
      lines: [vm(spec(4, 8, { networkZone: '公共网络区' })), vm(spec(2, 4, { networkZone: '互联网区' }), 2), db(1)],
    });
    orderId = order.id;
    const step = order.currentStep;
    expect(step).toMatchObject({ key: 'test_review', fulfilmentAction: 'open_test', dueAt: expect.any(String) });
    const wos = await workOrders(reviewer, order.id);
    expect(
      wos
        .map((w) => ({ providerId: w.providerId, zone: w.zone, dueAt: w.dueAt }))
        .sort((a, b) => `${a.providerId}${a.zone}`.localeCompare(`${b.providerId}${b.zone}`)),
    ).toEqual(
      [
        { providerId: org['demo-provider-a'], zone: '互联网区', dueAt: step.dueAt },
        { providerId: org['demo-provider-a'], zone: '公共网络区', dueAt: step.dueAt },
        { providerId: org['demo-provider-b'], zone: null, dueAt: step.dueAt },
      ].sort((a, b) => `${a.providerId}${a.zone}`.localeCompare(`${b.providerId}${b.zone}`)),
    );
    const byZone = (zone: string | null) => wos.find((w) => w.zone === zone)!;
    expect((await workOrder(reviewer, byZone('互联网区').id)).lines).toEqual([
      expect.objectContaining({ lineNo: 1, catalogueItemCode: 'cloud-vm', quantity: 2 }),
    ]);
    expect((await workOrder(reviewer, byZone(null).id)).lines).toEqual([
      expect.objectContaining({ lineNo: 1, catalogueItemCode: 'database-server', quantity: 1 }),
    ]);
    // Each provider sees its own only.
    expect((await workOrders(providerB, order.id)).map((w) => w.id)).toEqual([byZone(null).id]);

    const sequence = [byZone('公共网络区'), byZone(null), byZone('互联网区')];
    const sessions = [providerA, providerB, providerA];
    for (const [i, w] of sequence.entries()) {
      clock.set(`2026-10-2${i}T02:00:00Z`);
      await receipt(sessions[i]!, w.id, `2026-10-2${i}T09:00:00+08:00`);
      const done = await confirm(applicant, w.id);
      if (i === 0) publicVm = resourcesOf(done)[0]!;
      const now = await orderOf(order.id);
      const test = now.steps.find((s: { key: string }) => s.key === 'test_review');
      if (i < sequence.length - 1) {
        expect(test.status).toBe('open');
        expect(now.currentStep.key).toBe('test_review');
      } else {
        expect(test).toMatchObject({ status: 'done' });
        expect(now.currentStep.key).toBe('unit_verification');
      }
    }
    // The resources carry their work order's zone and provider.
    expect(await resource(applicant, publicVm)).toMatchObject({
      zone: '公共网络区',
      providerId: org['demo-provider-a'],
      purpose: 'test',
      expiresOn: null,
    });
  });

  it('a scale-up’s confirmed receipt resizes the resource: a resized event, the interval closed and a new one', async () => {
    clock.set('2026-10-26T02:00:00Z');
    const before = await resource(applicant, publicVm);
    const projectId = (await orderOf(orderId)).projectId;
    const up = await place(applicant, {
      type: 'scale_up',
      title: '公共网络区应用服务器扩容',
      projectId,
      parentOrderId: orderId,
      lines: [{ itemCode: 'cloud-vm', specification: spec(8, 16), quantity: 1, targetResourceId: publicVm }],
    });
    expect(up.currentStep.key).toBe('review');
    const approved = await act(reviewer, up.id);
    expect(approved.currentStep).toMatchObject({ key: 'scale_up', fulfilmentAction: 'scale_up' });
    const [w] = await workOrders(applicant, up.id);
    expect(w).toMatchObject({ action: 'scale_up', zone: '公共网络区', providerId: org['demo-provider-a'] });
    expect((await workOrder(applicant, w!.id)).lines).toEqual([
      expect.objectContaining({ resourceId: publicVm, quantity: 1, specification: spec(8, 16) }),
    ]);

    // SH 26, as the Shanghai pack's scale_up.dataBackupFirst says: the unit backs up before the scale-up; a
    // receipt before its confirmation is refused.
    expect((await workOrder(applicant, w!.id)).backupConfirmedAt).toBeNull();
    clock.set('2026-10-27T02:00:00Z');
    const resizedAt = '2026-10-27T09:00:00+08:00';
    const early = await as(t.app, providerA, {
      method: 'POST',
      url: `/api/v1/work-orders/${w!.id}/receipts`,
      payload: { lines: [{ workOrderLineNo: 1, name: 'early', specification: spec(8, 16), deliveredAt: resizedAt }] },
    });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json().detail).toContain('SH 26');
    const backedUp = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${w!.id}/backup-confirmation`,
    });
    expect(backedUp.statusCode, backedUp.body).toBe(200);
    const submitted = await receipt(providerA, w!.id, resizedAt, { ...spec(8, 16), dataDiskGb: 200 });
    const line = submitted.receipts[0].lines[0];
    expect(line.quantities).toEqual({ vcpu: 8, memory_gb: 16, storage_gb: 240 });
    await confirm(applicant, w!.id);
    expect(await orderOf(up.id)).toMatchObject({ status: 'completed' });

    const after = await resource(applicant, publicVm);
    expect(after).toMatchObject({
      state: 'active',
      specification: line.specification,
      quantities: line.quantities,
    });
    expect(after.events.map((e: { kind: string }) => e.kind)).toEqual(['delivered', 'resized']);
    expect(after.events[1]).toMatchObject({
      kind: 'resized',
      occurredAt: new Date(resizedAt).toISOString(),
      quantities: line.quantities,
      source: 'receipt',
    });
    expect(after.intervals).toEqual([
      {
        validFrom: before.intervals[0].validFrom,
        validTo: new Date(resizedAt).toISOString(),
        specification: before.specification,
        quantities: before.quantities,
      },
      {
        validFrom: new Date(resizedAt).toISOString(),
        validTo: null,
        specification: line.specification,
        quantities: line.quantities,
      },
    ]);
  });
});

describe('reconciliation by changes and after resolution', () => {
  const push = (items: unknown[]) =>
    as(t.app, providerA, { method: 'POST', url: '/api/v1/inventory/reports', payload: { mode: 'changes', items } });
  const findingsOf = async (externalId: string) =>
    (await as(t.app, reviewer, { url: '/api/v1/inventory/findings?limit=500' }))
      .json()
      .items.filter((f: { externalId: string }) => f.externalId === externalId);

  it('a delta report with removed: true raises a missing finding; resolved, the same report raises a new one, once', async () => {
    clock.set('2026-10-28T02:00:00Z');
    // A resource of provider A delivered above; the provider reports it gone.
    const live = (await as(t.app, providerA, { url: '/api/v1/inventory/resources?state=active&limit=1' })).json()
      .items[0];
    const report = [{ externalId: live.externalId, removed: true }];
    const first = await push(report);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      findingsRaised: 1,
      findings: [{ kind: 'missing_resource', externalId: live.externalId }],
    });
    expect((await push(report)).json().findingsRaised).toBe(0);
    const [finding] = await findingsOf(live.externalId);
    expect(finding).toMatchObject({
      kind: 'missing_resource',
      status: 'open',
      resourceId: live.id,
      detail: { reported: 'removed' },
    });

    const resolved = await as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/inventory/findings/${finding.id}/resolve`,
      payload: { resolution: '服务商误报，资源仍在运行' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);

    clock.set('2026-11-02T02:00:00Z');
    const later = await push(report);
    expect(later.json()).toMatchObject({ findingsRaised: 1, findings: [{ kind: 'missing_resource' }] });
    expect((await push(report)).json().findingsRaised).toBe(0);
    const all = await findingsOf(live.externalId);
    expect(all.map((f: { status: string }) => f.status).sort()).toEqual(['open', 'resolved']);
    const reopened = all.find((f: { status: string }) => f.status === 'open');
    expect(reopened.id).not.toBe(finding.id);
    expect(reopened.raisedAt).toBe(new Date('2026-11-02T02:00:00Z').toISOString());
  });
});

describe('a Liuzhou trial environment', () => {
  it('is a trial resource expiring after the pack’s trial period: notices on their working days, a reclaim order at expiry', async () => {
    const pack = (packId: string) =>
      as(t.app, approver, { method: 'PUT', url: '/api/v1/jurisdictions/demo-city/policy', payload: { packId } });
    expect((await pack('liuzhou')).statusCode).toBe(200);
    try {
      clock.set('2026-11-02T02:00:00Z');
      const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(applicant, {
        type: 'new_resources',
        title: '试用环境',
        projectId,
        lines: [vm(spec(4, 8))],
      });
      expect(order.currentStep.key).toBe('evaluation');
      clock.set('2026-11-03T02:00:00Z');
      await act(reviewer, order.id);
      clock.set('2026-11-04T02:00:00Z');
      const approved = await act(approver, order.id);
      expect(approved.currentStep).toMatchObject({ key: 'trial_environment', fulfilmentAction: 'open_test' });
      const [w] = await workOrders(applicant, order.id);
      expect(w).toMatchObject({ action: 'open_test', details: { purpose: 'trial' } });
      expect((await workOrder(applicant, w!.id)).lines).toEqual([
        expect.objectContaining({ purpose: 'trial', expiresOn: null }),
      ]);

      clock.set('2026-11-05T06:00:00Z');
      await receipt(providerA, w!.id, '2026-11-05T09:00:00+08:00');
      const [id] = resourcesOf(await confirm(applicant, w!.id));
      // LZ 21(4): the trial lasts at most 30 calendar days (the unit's `trial` step); from the day after
      // delivery, 11-06 .. 12-05; reclaimed at 00:00 of 12-06.
      expect(await resource(applicant, id!)).toMatchObject({
        state: 'active',
        purpose: 'trial',
        expiresOn: '2026-12-06',
      });
      const trialStep = (await orderOf(order.id)).currentStep;
      expect(trialStep).toMatchObject({ key: 'trial', deadline: { value: 30, unit: 'calendar_days' } });
      expect(trialStep.dueDay).toBe('2026-12-05');

      // The expiry sweep, every day at 10:00 Shanghai: notices 15 and 5 working days ahead (LZ gives no
      // number), a reclaim order on the expiry day.
      const noticeDays: string[] = [];
      const reclaimDays: string[] = [];
      for (let day = '2026-11-05'; day <= '2026-12-07'; day = addDays(day, 1)) {
        const run = (await expiryJob.run({ db: t.database.db, now: new Date(`${day}T02:00:00Z`), log })) as {
          notices: number;
          reclaimOrders: number;
        };
        if (run.notices) noticeDays.push(day);
        if (run.reclaimOrders) reclaimDays.push(day);
      }
      expect(noticeDays).toEqual(['2026-11-13', '2026-11-27']);
      expect(reclaimDays).toEqual(['2026-12-06']);
      const notices = await t.database.db
        .selectFrom('expiry_notice')
        .select(['kind', 'lead_working_days', 'sent_on', 'order_id'])
        .where('resource_id', '=', id!)
        .orderBy('sent_at')
        .execute();
      expect(notices.map((n) => [n.kind, n.lead_working_days, n.sent_on])).toEqual([
        ['notice', 15, '2026-11-13'],
        ['notice', 5, '2026-11-27'],
        ['reclaim', 0, '2026-12-06'],
      ]);
      const reclaim = await t.database.db
        .selectFrom('resource_order')
        .select(['type', 'source', 'target_resource_ids'])
        .where('id', '=', notices[2]!.order_id!)
        .executeTakeFirstOrThrow();
      expect(reclaim).toEqual({ type: 'reclaim', source: 'expiry', target_resource_ids: [id] });
    } finally {
      expect((await pack('shanghai-2022')).statusCode).toBe(200);
    }
  });
});

describe('the audit trail', () => {
  it('stays intact', async () => {
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
