import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { demoUser } from '../identity/index.ts';
import { recordResourceEvent } from '../inventory/index.ts';
import { actOnOrder, placeOrder } from '../orders/index.ts';
import { demoProjectOf } from '../orders/orders.seed.ts';
import { confirmReceipt, submitReceipt } from './provisioning.delivery-receipts.ts';
import * as repo from './provisioning.repository.ts';
import { confirmBackup } from './provisioning.service.ts';

// Demo data only (seedDemo with `activity`; needs registerFulfilment() so fulfilment steps become work
// orders). Fixed dates around the demo's "today", 2026-11-22 (Asia/Shanghai), so October 2026 can be settled.

const at = (shanghai: string) => new Date(`${shanghai}+08:00`);
type Spec = { vcpu: number; memoryGb: number; systemDiskGb: number; dataDiskGb: number; os: string };
const spec = (vcpu: number, memoryGb: number, dataDiskGb: number): Spec => ({
  vcpu,
  memoryGb,
  systemDiskGb: 40,
  dataDiskGb,
  os: 'CentOS 7.9',
});

type Who = Awaited<ReturnType<typeof demoUser>>;

/** The provider answers every open work order of a step with a receipt; the unit confirms it. Returns resource ids. */
async function deliver(
  trx: Trx,
  provider: Who,
  unit: Who,
  orderId: string,
  stepKey: string,
  prefix: string,
  deliveredAt: string,
  confirmedAt: string,
  reclaim = false,
): Promise<string[]> {
  const ids: string[] = [];
  for (const w of await repo.workOrdersOfStep(trx, orderId, stepKey)) {
    // a reclaim: the unit has backed up (SH 26) an hour before the provider acts; the data is erased (LZ 26)
    if (reclaim) {
      await confirmBackup(trx, unit.auth, unit.actor, w.id, new Date(at(deliveredAt).getTime() - 3600_000));
    }
    const lines = await repo.workOrderLines(trx, w.id);
    const receiptLines = lines.flatMap((l) =>
      Array.from({ length: Number(l.quantity) }, (_, i) => {
        const n = ids.length + i + 1;
        return {
          workOrderLineNo: l.line_no,
          name: `${prefix}-${String(l.line_no)}${String(i + 1).padStart(2, '0')}`,
          externalId: `i-${prefix}-${l.line_no}${String(i + 1).padStart(2, '0')}`,
          addresses: [`10.${prefix === 'jkxx' ? 1 : 2}.${l.line_no}.${10 + i}`],
          specification: l.specification as Spec,
          deliveredAt: at(deliveredAt).toISOString(),
          notes: n === 1 ? '已完成安全基线加固' : undefined,
        };
      }),
    );
    await submitReceipt(
      trx,
      provider.auth,
      provider.actor,
      w.id,
      { lines: receiptLines, ...(reclaim ? { dataErased: true } : {}) },
      at(deliveredAt),
    );
    const done = await confirmReceipt(trx, unit.auth, unit.actor, w.id, at(confirmedAt));
    const confirmed = done.receipts[done.receipts.length - 1];
    for (const l of confirmed?.lines ?? []) if (l.resourceId) ids.push(l.resourceId);
  }
  return ids;
}

/**
 * Two units' systems delivered in September through confirmed receipts (test resources, verified, formally
 * opened), a few lifecycle events in October and November, and a scale-up whose work order waits in provider
 * A's queue. Idempotent: nothing happens when the demo units already have resources. Returns resources created.
 */
export async function seedDemoDeliveries(trx: Trx, _actor: Actor): Promise<number> {
  const existing = await trx
    .selectFrom('resource')
    .innerJoin('organisation', 'organisation.id', 'resource.organisation_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organisation.code', 'in', ['demo-health', 'demo-education'])
    .executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return 0;
  const health = await demoUser(trx, 'applicant');
  const edu = await demoUser(trx, 'edu');
  const reviewer = await demoUser(trx, 'reviewer');
  const provider = await demoUser(trx, 'provider');
  const hp = await demoProjectOf(trx, '示经信投〔2026〕12号');
  const ep = await demoProjectOf(trx, '示经信投〔2026〕27号');
  const vm = (s: Spec, quantity: number) => ({ itemCode: 'cloud-vm', specification: s, quantity });

  const resources: string[] = [];
  const orderIds: string[] = [];
  const story = [
    {
      who: health,
      project: hp,
      prefix: 'jkxx',
      title: '全民健康信息平台二期 生产资源',
      lines: [vm(spec(8, 16, 200), 5), vm(spec(16, 64, 1000), 4), vm(spec(4, 8, 100), 3)],
      dates: ['2026-09-01T09:30:00', '2026-09-04T16:00:00', '2026-09-07T10:00:00', '2026-09-14T11:00:00'],
    },
    {
      who: edu,
      project: ep,
      prefix: 'zsbm',
      title: '中小学招生报名系统 生产资源',
      lines: [vm(spec(4, 8, 200), 6), vm(spec(8, 16, 500), 2)],
      dates: ['2026-09-02T10:00:00', '2026-09-08T17:00:00', '2026-09-10T09:00:00', '2026-09-16T15:00:00'],
    },
  ];
  for (const s of story) {
    const [placedAt, testAt, verifiedAt, openedAt] = s.dates as [string, string, string, string];
    const order = await placeOrder(
      trx,
      s.who.auth,
      s.who.actor,
      { type: 'new_resources', title: s.title, ...s.project, lines: s.lines },
      at(placedAt),
    );
    // Test resources (SH 19), verified by the unit, then formal opening — each delivered by a confirmed receipt.
    orderIds.push(order.id);
    // SH 19: the ops unit reviews first (the next morning); its approval sends the provider the work orders.
    const reviewedAt = new Date(at(placedAt).getTime() + 24 * 3600_000);
    await actOnOrder(
      trx,
      reviewer.auth,
      reviewer.actor,
      order.id,
      { decision: 'approve', comment: '同意开通测试资源' },
      reviewedAt,
    );
    const test = await deliver(trx, provider, s.who, order.id, 'test_review', `${s.prefix}-t`, testAt, testAt);
    await actOnOrder(
      trx,
      s.who.auth,
      s.who.actor,
      order.id,
      { decision: 'approve', comment: '测试资源验证通过' },
      at(verifiedAt),
    );
    await actOnOrder(
      trx,
      reviewer.auth,
      reviewer.actor,
      order.id,
      { decision: 'approve', comment: '验证通过，同意正式开通' },
      new Date(at(verifiedAt).getTime() + 2 * 3600_000),
    );
    resources.push(...(await deliver(trx, provider, s.who, order.id, 'formal_opening', s.prefix, openedAt, openedAt)));
    // The formal opening opened the release of the test environment (a reclaim order of the platform's): the ops
    // unit reviews it the next morning, the provider releases the test resources the day after the opening.
    const release = await repo.testReleaseOrderOf(trx, order.id);
    if (!release || !test.length) throw new Error('demo: the formal opening opened no release of the test resources');
    const next = (hours: number) => {
      const d = new Date(at(openedAt).getTime() + hours * 3600_000 + 8 * 3600_000);
      return d.toISOString().slice(0, 19);
    };
    await actOnOrder(
      trx,
      reviewer.auth,
      reviewer.actor,
      release.id,
      { decision: 'approve', comment: '正式开通后释放测试资源' },
      at(next(16)),
    );
    await deliver(trx, provider, s.who, release.id, 'review_and_reclaim', `${s.prefix}-r`, next(24), next(25), true);
  }

  // October and November: a resize, a suspension and its resumption (so October's statement has pieces).
  const [hFirst, hSecond] = resources as [string, string];
  const eLast = resources[resources.length - 1] as string;
  await recordResourceEvent(trx, provider.actor, {
    resourceId: hSecond,
    kind: 'resized',
    occurredAt: at('2026-10-15T22:00:00'),
    specification: spec(8, 32, 200),
    quantities: { vcpu: 8, memory_gb: 32, storage_gb: 240 },
    source: 'seed',
    reference: 'demo: memory doubled in the maintenance window',
  });
  await recordResourceEvent(trx, provider.actor, {
    resourceId: eLast,
    kind: 'suspended',
    occurredAt: at('2026-10-20T18:00:00'),
    source: 'seed',
    reference: 'demo: suspended at the unit’s request',
  });
  await recordResourceEvent(trx, provider.actor, {
    resourceId: eLast,
    kind: 'resumed',
    occurredAt: at('2026-11-03T09:00:00'),
    source: 'seed',
    reference: 'demo: resumed for the enrolment preparation',
  });

  // A scale-up in progress: reviewed, its work order waiting in provider A's queue (SH 20).
  const up = await placeOrder(
    trx,
    health.auth,
    health.actor,
    {
      type: 'scale_up',
      title: '电子健康档案 应用服务器扩容',
      ...hp,
      parentOrderId: orderIds[0],
      lines: [{ itemCode: 'cloud-vm', specification: spec(16, 32, 200), quantity: 1, targetResourceId: hFirst }],
    },
    at('2026-11-16T10:30:00'),
  );
  await actOnOrder(
    trx,
    reviewer.auth,
    reviewer.actor,
    up.id,
    { decision: 'approve', comment: '同意扩容' },
    at('2026-11-18T16:00:00'),
  );
  // The ops unit orders the scale-up (SH 20): the provider's work order is created then.
  await actOnOrder(
    trx,
    reviewer.auth,
    reviewer.actor,
    up.id,
    { decision: 'approve', comment: '请服务商在维护窗口实施扩容' },
    at('2026-11-19T10:00:00'),
  );
  return resources.length;
}
