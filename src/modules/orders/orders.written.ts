import type { Trx } from '../../schema.ts';
import type { OrderEventRow, OrderLineRow, OrderStepRow, ReservationStatus } from './orders.table.ts';

// The rows a placement wrote, kept as it writes them, so that its answer (the order's view) needs no reads
// of what the same transaction has just written (docs/decisions.md, issue 24, lane orders27). Only
// `placeOrder` records; every other path reads, as before.

export interface Written {
  /** the order's lines, as submission read them */
  lines?: OrderLineRow[];
  /** its steps, as `advance` read them, with the opened step's update applied */
  steps?: OrderStepRow[];
  /** its events, as each insert returned it */
  events: OrderEventRow[];
  /** its reservations, as inserted */
  reservations?: { project_id: string; dimension: string; amount: string; status: ReservationStatus }[];
}

const recording = new WeakMap<Trx, Written>();

/** Starts recording what this transaction writes of one order; `stop` ends it. */
export function recordWrites(trx: Trx): { written: Written; stop: () => void } {
  const written: Written = { events: [] };
  recording.set(trx, written);
  return { written, stop: () => recording.delete(trx) };
}

/** What is being recorded in this transaction, if anything. */
export function writtenIn(trx: Trx): Written | undefined {
  return recording.get(trx);
}
