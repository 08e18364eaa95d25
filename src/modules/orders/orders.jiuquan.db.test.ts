import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { registerFulfilment } from '../provisioning/index.ts';
import { acted, client, placed, project, trail, vm } from './orders.fixtures.ts';

// Jiuquan's own order types: backup extraction (JQ 19) and the green channel (JQ 24), on the demo city
// switched to the Jiuquan pack through the policy API. Provisioning is registered: a fulfilment step is a
// provider's work order, completed by the unit's confirmation of the delivery receipt.
const clock = new ManualClock('2026-11-02T02:00:00Z'); // Monday 10:00 +08:00
let t: TestApp;
let applicant: Session;
let approver: Session;
let provider: Session;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, approver, provider] = (await Promise.all(
    ['applicant', 'approver', 'provider'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session];
  api = client(t.app);
  registerFulfilment();
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** The demo's provider operator, signed in for `providerId` (granted there first when the demo has no one). */
async function operatorOf(providerId: string): Promise<Session> {
  const operator = await t.database.db
    .selectFrom('user_account')
    .select('id')
    .where('username', '=', 'provider')
    .executeTakeFirstOrThrow();
  await t.database.db
    .insertInto('role_assignment')
    .values({ user_id: operator.id, organisation_id: providerId, role: 'provider_operator', granted_by: 'test' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return login(t.app, 'provider', { organisationId: providerId });
}

const backup = (capacityGb: number) => ({
  itemCode: 'backup-dr',
  specification: { mode: '本地数据备份 Local backup', capacityGb },
  quantity: 1,
});

describe('backup extraction in a Shanghai jurisdiction', () => {
  it('is refused: Shanghai provides no extraction procedure (SH 32, rules to be issued separately)', async () => {
    const before = await countRows(t.database, 'resource_order');
    const res = await api.place(applicant, { type: 'backup_extraction', title: '提取备份', lines: [backup(100)] });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'order_type_not_provided', status: 422 });
    expect(problem.detail).toContain('backup_extraction');
    expect(problem.detail).toContain('shanghai-2022');
    expect(problem.detail).toContain('SH 32');
    expect(problem.detail).toContain('另行制定');
    expect(problem.errors).toEqual([{ field: 'body.type', message: expect.stringContaining('SH 32') }]);
    expect(await countRows(t.database, 'resource_order')).toBe(before);
  });
});

describe('the Jiuquan pack', () => {
  beforeAll(async () => {
    const res = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'jiuquan-2018' },
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('backup extraction (JQ 19): the bureau approves, the provider hands the backup over, the unit confirms, the order completes', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const o = await placed(t.app, applicant, {
      type: 'backup_extraction',
      title: '提取10月备份',
      lines: [backup(200)],
    });
    expect(o).toMatchObject({ status: 'submitted', packId: 'jiuquan-2018', type: 'backup_extraction' });
    expect(
      o.steps.map((s: { key: string; role: string; fulfilmentAction: string | null; dueAt: string | null }) => [
        s.key,
        s.role,
        s.fulfilmentAction,
        s.dueAt,
      ]),
    ).toEqual([
      ['approval', 'authority_approver', null, null],
      ['extraction', 'provider_operator', 'handover', null],
    ]);
    expect(o.steps[0].deadline).toEqual({ value: null, unit: null, article: 'JQ 19', note: '本办法未规定办理时限' });
    expect(o.steps[1].deadline).toMatchObject({ value: null, unit: null, article: 'JQ 19' });
    expect(o.steps[1].deadline.note).toContain('JQ 19 规定了审批主体');
    // It takes no quota.
    expect(o.reservations).toEqual([]);
    expect(o.currentStep).toMatchObject({ key: 'approval', dueAt: null, dueDay: null, handledByProvisioning: false });

    // Only the bureau approves: not the unit, not a reviewer of the orders API.
    const early = await api.act(applicant, o.id, { decision: 'approve' });
    expect(early.statusCode).toBe(403);
    expect(early.json().code).toBe('not_your_step');
    clock.set('2026-11-03T02:00:00Z');
    const v = await acted(t.app, approver, o.id, { decision: 'approve', stepKey: 'approval', comment: '同意提取' });
    expect(v.status).toBe('in_progress');
    expect(v.steps[0]).toMatchObject({ status: 'done', decision: 'approve', metDeadline: null });
    expect(v.currentStep).toMatchObject({ key: 'extraction', role: 'provider_operator', dueAt: null, status: 'open' });
    // The hand-over is the provider's work order; nobody acts on it through the orders API.
    expect(v.currentStep.handledByProvisioning).toBe(true);
    expect((await api.act(approver, o.id, { decision: 'approve' })).json().code).toBe('not_your_step');
    const wos = (await as(t.app, applicant, { url: `/api/v1/work-orders?orderId=${o.id}` })).json();
    expect(wos.items).toHaveLength(1);
    const wo = wos.items[0];
    expect(wo).toMatchObject({ action: 'handover', stepKey: 'extraction', status: 'open', dueAt: null });
    const keeper = await operatorOf(wo.providerId);

    // The provider hands the extract over with its receipt; the unit confirms; nothing in the inventory moves.
    const resources = await countRows(t.database, 'resource');
    clock.set('2026-11-04T02:00:00Z');
    const receipt = await as(t.app, keeper, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts`,
      payload: {
        notes: '经加密移动介质交付，交接人：张三',
        lines: [
          { workOrderLineNo: 1, name: '2026年10月备份', deliveredAt: clock.now().toISOString(), notes: 'SM4 加密' },
        ],
      },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    const confirmed = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts/confirm`,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().receipts.at(-1).lines[0].resourceId).toBeNull();
    expect(await countRows(t.database, 'resource')).toBe(resources);
    const done = (await as(t.app, applicant, { url: `/api/v1/orders/${o.id}` })).json();
    expect(done.status).toBe('completed');
    expect(done.steps[1]).toMatchObject({ key: 'extraction', status: 'done' });
    expect((await trail(t.database.db, o.id)).audits).toMatchObject({ 'order.submitted': 1 });
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  /** The provider delivers the placement's work order and the unit confirms the receipt. */
  async function deliver(orderId: string, prefix: string, count: number) {
    const wos = (await as(t.app, provider, { url: `/api/v1/work-orders?orderId=${orderId}` })).json();
    expect(wos.items).toHaveLength(1);
    const wo = wos.items[0];
    expect(wo).toMatchObject({ action: 'open', stepKey: 'placement', status: 'open' });
    const lines = Array.from({ length: count }, (_, i) => ({
      workOrderLineNo: 1,
      name: `${prefix}-0${i + 1}`,
      externalId: `${prefix}-i-0${i + 1}`,
      addresses: [`10.9.0.${10 + i}`],
      specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9' },
      deliveredAt: clock.now().toISOString(),
    }));
    const receipt = await as(t.app, provider, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts`,
      payload: { lines },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    const confirmed = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts/confirm`,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    return confirmed
      .json()
      .receipts.at(-1)
      .lines.map((l: { resourceId: string }) => l.resourceId) as string[];
  }

  const usageOf = async (projectId: string) =>
    (await as(t.app, applicant, { url: `/api/v1/orders/quota-usage/${projectId}` }))
      .json()
      .dimensions.find((d: { dimension: string }) => d.dimension === 'vcpu');

  it('the green channel (JQ 24): placed and opened first, then every review step is acted on until the order completes', async () => {
    clock.set('2026-11-05T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const o = await placed(t.app, applicant, {
      type: 'green_channel',
      title: '紧急任务',
      projectId,
      lines: [vm(2, 4, 2)],
    });
    expect(o.greenChannel).toBe(true);
    expect(
      o.steps.map((s: { key: string; role: string; fulfilmentAction: string | null }) => [
        s.key,
        s.role,
        s.fulfilmentAction,
      ]),
    ).toEqual([
      ['placement', 'provider_operator', 'open'],
      ['review_review', 'authority_approver', null],
      ['review_unit_test', 'unit_applicant', null],
    ]);
    // The placement is open at once, no review has opened yet.
    expect(o.currentStep).toMatchObject({ key: 'placement', dueAt: null, deadline: { article: 'JQ 24' } });
    expect(o.steps.slice(1).map((s: { status: string }) => s.status)).toEqual(['pending', 'pending']);
    // The bureau cannot review before the resources are opened.
    expect((await api.act(approver, o.id, { decision: 'approve' })).json().code).toBe('not_your_step');
    // (Jiuquan has no development resources.)
    const dev = await api.place(applicant, { type: 'development', title: 'd', termMonths: 1, lines: [vm(1, 1)] });
    expect(dev.json().code).toBe('order_type_not_provided');

    clock.set('2026-11-05T03:00:00Z');
    const resources = await deliver(o.id, 'jq-green', 2);
    expect(resources).toHaveLength(2);
    for (const id of resources) {
      const r = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${id}` })).json();
      expect(r).toMatchObject({ state: 'active', orderId: o.id });
    }
    let v = (await api.get(applicant, o.id)).json();
    expect(v.steps[0]).toMatchObject({ key: 'placement', status: 'done', decision: 'done' });
    expect(v.currentStep).toMatchObject({ key: 'review_review', role: 'authority_approver' });
    // Opened before reviewed: the review step opened only once the placement was done.
    expect(v.currentStep.openedAt >= v.steps[0].actedAt).toBe(true);
    expect((await usageOf(projectId)).reserved).toBe('4');

    clock.set('2026-11-06T02:00:00Z');
    v = await acted(t.app, approver, o.id, { decision: 'approve', stepKey: 'review_review', comment: '补审通过' });
    expect(v.currentStep).toMatchObject({ key: 'review_unit_test', role: 'unit_applicant' });
    v = await acted(t.app, applicant, o.id, { decision: 'approve', stepKey: 'review_unit_test' });
    expect(v.status).toBe('completed');
    expect(v.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done']);
    const kinds = v.events.map(
      (e: { kind: string; stepKey: string | null }) => `${e.kind}${e.stepKey ? `:${e.stepKey}` : ''}`,
    );
    expect(kinds.filter((k: string) => k.startsWith('step_') || k === 'completed')).toEqual([
      'step_opened:placement',
      'step_done:placement',
      'step_opened:review_review',
      'step_done:review_review',
      'step_opened:review_unit_test',
      'step_done:review_unit_test',
      'completed',
    ]);
    expect(kinds.indexOf('step_done:placement')).toBeLessThan(kinds.indexOf('step_opened:review_review'));
    expect(kinds.indexOf('step_done:review_review')).toBeLessThan(kinds.indexOf('step_opened:review_unit_test'));
    expect(kinds.at(-1)).toBe('completed');
    expect(v.reservations.every((r: { status: string }) => r.status === 'consumed')).toBe(true);
    expect(await usageOf(projectId)).toMatchObject({ reserved: '0', inUse: '4' });
  });

  it('a green-channel review rejected after the placement keeps the quota in use and opens a reclaim of what was opened', async () => {
    clock.set('2026-11-09T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const o = await placed(t.app, applicant, {
      type: 'green_channel',
      title: '紧急任务乙',
      projectId,
      lines: [vm(2, 4, 1)],
    });
    const [resource] = await deliver(o.id, 'jq-rej', 1);
    const orders = await countRows(t.database, 'resource_order');
    clock.set('2026-11-10T02:00:00Z');
    const v = await acted(t.app, approver, o.id, {
      decision: 'reject',
      stepKey: 'review_review',
      comment: '不属于绿色通道范围',
    });
    expect(v.status).toBe('rejected');
    expect(v.steps.map((s: { key: string; status: string }) => [s.key, s.status])).toEqual([
      ['placement', 'done'],
      ['review_review', 'rejected'],
      ['review_unit_test', 'skipped'],
    ]);
    // The resources are still there: their quota stays in use until the reclaim gives it back.
    expect(v.reservations.every((r: { status: string }) => r.status === 'consumed')).toBe(true);
    const opened = v.events.find((e: { kind: string }) => e.kind === 'reclaim_opened');
    expect(opened).toMatchObject({ stepKey: 'review_review', detail: { resources: 1 } });
    expect(await countRows(t.database, 'resource_order')).toBe(orders + 1);

    const reclaim = (await api.get(applicant, opened.detail.orderId)).json();
    expect(reclaim).toMatchObject({
      type: 'reclaim',
      status: 'submitted',
      parentOrderId: o.id,
      projectId,
      placedBy: null,
      targetResourceIds: [resource],
      packId: 'jiuquan-2018',
      number: opened.detail.number,
    });
    expect(reclaim.lines.map((l: { targetResourceId: string }) => l.targetResourceId)).toEqual([resource]);
    expect(reclaim.reason).toContain('不属于绿色通道范围');
    expect(
      reclaim.steps.map((s: { key: string; role: string; fulfilmentAction: string | null }) => [
        s.key,
        s.role,
        s.fulfilmentAction,
      ]),
    ).toEqual([
      ['review', 'authority_approver', null],
      ['fulfilment', 'provider_operator', 'reclaim'],
    ]);
    expect(
      reclaim.reservations.map((r: { dimension: string; amount: string; status: string }) => [
        r.dimension,
        r.amount,
        r.status,
      ]),
    ).toEqual([
      ['memory_gb', '-4', 'reserved'],
      ['storage_gb', '-40', 'reserved'],
      ['vcpu', '-2', 'reserved'],
    ]);
    expect(await usageOf(projectId)).toMatchObject({ reserved: '0', inUse: '2' });
    // The unit is told why, and which order reclaims.
    const inbox = (await as(t.app, applicant, { url: '/api/v1/notifications?limit=50' })).json();
    const notice = inbox.items.find(
      (n: { kind: string; link: string }) => n.kind === 'order.rejected' && n.link === `/orders/${o.id}`,
    );
    expect(notice.body.zh).toContain(reclaim.number);
    // Audited: the rejection and the reclaim's submission, and the chain holds.
    expect((await trail(t.database.db, o.id)).audits['order.step_rejected']).toBe(1);
    expect((await trail(t.database.db, reclaim.id)).audits).toEqual({ 'order.submitted': 1 });

    // The reclaim runs the pack's steps: the bureau reviews, the provider reclaims after the unit's backup.
    await acted(t.app, approver, reclaim.id, { decision: 'approve', comment: '同意回收' });
    const wo = (await as(t.app, applicant, { url: `/api/v1/work-orders?orderId=${reclaim.id}` })).json().items[0];
    expect(wo).toMatchObject({ action: 'reclaim', status: 'open' });
    const backedUp = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/backup-confirmation`,
    });
    expect(backedUp.statusCode, backedUp.body).toBe(200);
    const receipt = await as(t.app, provider, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts`,
      payload: {
        dataErased: true,
        lines: [{ workOrderLineNo: 1, name: 'jq-rej-01', deliveredAt: clock.now().toISOString(), notes: '数据已清除' }],
      },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    const confirmed = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts/confirm`,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect((await api.get(applicant, reclaim.id)).json().status).toBe('completed');
    expect((await as(t.app, applicant, { url: `/api/v1/inventory/resources/${resource}` })).json().state).toBe(
      'reclaimed',
    );
    expect(await usageOf(projectId)).toMatchObject({ reserved: '0', inUse: '0' });
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
