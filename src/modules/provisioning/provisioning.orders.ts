import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { onFulfilmentStepOpened, openSystemOrder } from '../orders/index.ts';
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
}
