import type { Quantities } from '../../inventory/index.ts';
import type { FulfilmentAction } from '../provisioning.table.ts';

/**
 * How resources are created, resized and reclaimed at a provider, kept apart from the workflow (orders,
 * steps, deadlines) and from the inventory (events, intervals). docs/provisioning-drivers.md is the contract.
 *
 * - Which driver: when a work order is created, the most recently registered driver whose `serves` names
 *   the work order's provider, zone and every line's catalogue item, and whose `actions` include its action
 *   (`selectDriver`); otherwise `manual`. The name is stored on the work order (`work_order.driver`).
 * - `submit` is called once, in the transaction that makes the work order ready for the provider: the one
 *   creating it, or for a reclaim the unit's backup confirmation (SH 26). It must only record intent (e.g.
 *   an outbox row) and never call a remote API while holding the transaction.
 * - Its answer `delivered` becomes the work order's delivery receipt at once, through the same code as a
 *   provider's receipt (`POST /work-orders/:id/receipts`); `pending` means the result comes later: the
 *   driver's own job calls `deliver` (provisioning/index.ts) with it, or the provider posts the receipt.
 *   Either way the unit's confirmation is what makes resources active, whatever the driver.
 * - `manual` is the built-in driver: `submit` answers `pending`, the provider's operator (console) or its own
 *   systems (API token with `work-order:fulfil`) submit the delivery receipt by hand.
 */
export interface ProvisioningDriver {
  /** stable name stored on the work order (`work_order.driver`) */
  readonly name: string;
  /** the actions this driver can carry out */
  readonly actions: readonly FulfilmentAction[];
  /** which work orders it carries out; without it, none is given to it (only `manual` takes any) */
  readonly serves?: DriverScope;
  submit(request: DriverRequest): Promise<DriverAck>;
}

/** Which work orders a driver carries out. Every part given must match; a part left out matches anything. */
export interface DriverScope {
  /** the providers, by organisation code (`organisation.code`, e.g. `demo-provider-a`) */
  providers: readonly string[];
  /** network zones (`work_order.zone`); a work order without a zone matches only when this is left out */
  zones?: readonly string[];
  /** catalogue item codes; the driver must serve the item of every line of the work order */
  items?: readonly string[];
}

export interface DriverRequest {
  workOrderId: string;
  action: FulfilmentAction;
  providerId: string;
  /** the provider's organisation code, as `serves.providers` names it */
  providerCode: string;
  zone: string | null;
  /** when the work order was handed to the driver: a `delivered` answer may not be later */
  requestedAt: Date;
  lines: {
    lineNo: number;
    catalogueItemCode: string;
    specification: Record<string, unknown>;
    quantity: number;
    /** change, scale-up, reclaim: the provider's identifier of the resource acted on */
    externalId: string | null;
  }[];
}

/** What a driver delivered: the content of a delivery receipt (交付回执单). */
export interface DriverDelivery {
  notes?: string;
  /** reclaim: the data was erased (LZ 26); a reclaim delivery without it is refused */
  dataErased?: boolean;
  /** one entry per resource: a line of quantity n needs n entries with its lineNo (a target resource: one) */
  lines: {
    lineNo: number;
    name: string;
    externalId: string | null;
    addresses: string[];
    specification: Record<string, unknown>;
    /** default: the specification priced by the catalogue item's dimensions */
    quantities?: Quantities;
    deliveredAt: Date;
    notes?: string;
  }[];
}

/** `pending`: the result comes later (`deliver` or a receipt); `delivered`: the driver already has it. */
export type DriverAck = { status: 'pending' } | ({ status: 'delivered' } & DriverDelivery);
