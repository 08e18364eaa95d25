import type { Quantities } from '../../inventory/index.ts';
import type { FulfilmentAction } from '../provisioning.table.ts';

/**
 * How resources are created, resized and reclaimed at a provider, kept apart from the workflow (orders,
 * steps, deadlines) and from the inventory (events, intervals). The workflow hands a driver a work order;
 * the driver answers with a delivery, now or later:
 *
 * - `submit` is called once when the work order is created (inside that transaction: it must only
 *   record intent, e.g. queue an outbox row, never call a remote API while holding the transaction);
 * - a driver that talks to a cloud API reports its result later through `deliver` on the provisioning
 *   service (the same path as a provider's receipt), which records a delivery receipt for the unit to
 *   confirm; the unit's confirmation is what makes resources active, whatever the driver;
 * - `manual` is the built-in driver: `submit` does nothing, the provider's operator (console) or its own
 *   systems (API token with `work-order:fulfil`) submit the delivery receipt by hand.
 *
 * Register a driver in `drivers/index.ts`; a catalogue item or zone selects one by name (today every work
 * order uses `manual`).
 */
export interface ProvisioningDriver {
  /** stable name stored on the work order (`work_order.driver`) */
  readonly name: string;
  /** the actions this driver can carry out */
  readonly actions: readonly FulfilmentAction[];
  submit(request: DriverRequest): Promise<DriverAck>;
}

export interface DriverRequest {
  workOrderId: string;
  action: FulfilmentAction;
  providerId: string;
  zone: string | null;
  lines: {
    lineNo: number;
    catalogueItemCode: string;
    specification: Record<string, unknown>;
    quantity: number;
    /** change, scale-up, reclaim: the provider's identifier of the resource acted on */
    externalId: string | null;
  }[];
}

/** `pending`: the result comes later (a receipt); `delivered`: the driver already has it. */
export type DriverAck =
  | { status: 'pending' }
  | {
      status: 'delivered';
      lines: {
        lineNo: number;
        name: string;
        externalId: string | null;
        addresses: string[];
        specification: Record<string, unknown>;
        quantities?: Quantities;
        deliveredAt: Date;
      }[];
    };
