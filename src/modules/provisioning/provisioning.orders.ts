import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
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
