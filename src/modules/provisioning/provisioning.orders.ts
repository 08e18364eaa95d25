import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { notify } from '../notifications/index.ts';
import { onDeliveryProbe, onFulfilmentStepOpened, openSystemOrder } from '../orders/index.ts';
import * as repo from './provisioning.repository.ts';
import { openWorkOrders } from './provisioning.service.ts';

// The only place provisioning calls the orders module (its contract in the common brief).

/** Opens the platform's own reclaim order for expired resources; returns its id. */
export async function openReclaimOrder(
  trx: Trx,
  actor: Actor,
  input: { organisationId: string; jurisdictionId: string; resourceIds: string[]; reason: string; now: Date },
): Promise<string> {
  const opened = await openSystemOrder(trx, actor, { type: 'reclaim', source: 'expiry', ...input });
  return opened.id;
}

/**
 * After the formal opening the unit does not keep its test environment beside the formal resources (SH 19: test
 * resources, then 正式开通 of the resources; LZ 21(4)-(5): the trial, then 开通 sized to normal need): the test and
 * trial resources the order opened and that still run are released by a reclaim order the platform opens
 * (source `test_release`), on the pack's reclaim steps and deadlines (SH 21: 10 working days), the provider's
 * receipt ending them and their billing. Nothing to release: nothing opened. Returns the reclaim order's id.
 */
export async function releaseTestEnvironments(
  trx: Trx,
  actor: Actor,
  input: { orderId: string; orderNo: string | undefined; now: Date },
): Promise<string | null> {
  const tests = await repo.testEnvironmentsOfOrder(trx, input.orderId);
  const first = tests[0];
  if (!first) return null;
  const orderNo = input.orderNo ?? input.orderId;
  const opened = await openSystemOrder(trx, actor, {
    type: 'reclaim',
    source: 'test_release',
    organisationId: first.organisation_id,
    jurisdictionId: first.jurisdiction_id,
    resourceIds: tests.map((r) => r.id),
    parentOrderId: input.orderId,
    title: `释放测试资源：${orderNo}`,
    reason: `${orderNo} 已正式开通，释放测试（试用）资源 / formally opened: its test (trial) environment is released (SH 19)`,
    now: input.now,
  });
  await writeAudit(trx, actor, {
    action: 'order.test_environment_released',
    objectType: 'order',
    objectId: input.orderId,
    detail: { reclaimOrderId: opened.id, reclaimOrderNo: opened.number, resourceIds: tests.map((r) => r.id) },
  });
  await notify(trx, {
    jurisdictionId: first.jurisdiction_id,
    to: { organisationId: first.organisation_id },
    kind: 'order.test_environment_released',
    title: {
      zh: `${orderNo} 已正式开通，测试资源（${tests.map((r) => r.name).join('、')}）将被回收，请备份并确认`,
      en: `${orderNo} is formally open: its test resources will be reclaimed; back up and confirm`,
    },
    link: `/orders/${opened.id}`,
    entity: { type: 'order', id: opened.id },
    occurredAt: input.now,
  });
  return opened.id;
}

let registered = false;

/**
 * Makes provisioning the fulfiller of orders: every fulfilment step that opens becomes work orders for
 * the providers (and the step is then completed by the unit's confirmed receipt). Once per process.
 */
export function registerFulfilment(): void {
  if (registered) return;
  registered = true;
  onFulfilmentStepOpened(async (trx, ctx) => {
    await openWorkOrders(trx, ctx);
  });
  onDeliveryProbe(stepDeliveredAt);
}

/**
 * When every work order of an order's step has a receipt standing (submitted or confirmed, not disputed),
 * the moment the last of them arrived; null otherwise. The orders sweeper asks (onDeliveryProbe).
 */
export async function stepDeliveredAt(trx: Trx, orderId: string, stepKey: string): Promise<Date | null> {
  const siblings = await repo.workOrdersOfStep(trx, orderId, stepKey);
  if (!siblings.length || siblings.some((s) => s.status !== 'submitted' && s.status !== 'completed')) return null;
  let last = 0;
  for (const s of siblings) {
    const receipts = await repo.receiptsOf(trx, s.id);
    const standing = receipts[receipts.length - 1];
    if (!standing || standing.status === 'disputed') return null;
    last = Math.max(last, standing.submitted_at.getTime());
  }
  return new Date(last);
}
