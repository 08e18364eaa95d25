import { fromMicro, toMicro } from '../../platform/decimal.ts';
import type { Trx } from '../../schema.ts';
import * as repo from './orders.repository.ts';
import type {
  FulfilmentAction,
  OrderEventRow,
  OrderLineRow,
  OrderRow,
  OrderStepRow,
  ReservationStatus,
} from './orders.table.ts';
import type { Written } from './orders.written.ts';

// What the API shows of an order, its steps, lines and timeline.

export interface StepView {
  seq: number;
  key: string;
  name: { zh: string; en: string };
  role: string;
  status: OrderStepRow['status'];
  fulfilmentAction: FulfilmentAction | null;
  handledByProvisioning: boolean;
  deadline: { value: number | null; unit: string | null; article: string | null; note: string | null };
  openedAt: string | null;
  dueAt: string | null;
  dueDay: string | null;
  provisional: boolean;
  unconfirmedYears: number[];
  actedBy: string | null;
  actedByName: string | null;
  actedAt: string | null;
  decision: string | null;
  comment: string | null;
  metDeadline: boolean | null;
  overdue: boolean;
  overdueSince: string | null;
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function stepView(s: OrderStepRow, now?: Date): StepView {
  return {
    seq: s.seq,
    key: s.key,
    name: { zh: s.name_zh, en: s.name_en },
    role: s.role,
    status: s.status,
    fulfilmentAction: s.fulfilment_action,
    handledByProvisioning: s.handled,
    deadline: { value: s.deadline_value, unit: s.deadline_unit, article: s.deadline_article, note: s.deadline_note },
    openedAt: iso(s.opened_at),
    dueAt: iso(s.due_at),
    dueDay: s.due_day,
    provisional: s.deadline_provisional,
    unconfirmedYears: s.unconfirmed_years as unknown as number[],
    actedBy: s.acted_by,
    actedByName: s.acted_by_name,
    actedAt: iso(s.acted_at),
    decision: s.decision,
    comment: s.comment,
    metDeadline: s.met_deadline,
    overdue:
      s.overdue_since !== null || (s.status === 'open' && !!s.due_at && !!now && now.getTime() > s.due_at.getTime()),
    overdueSince: iso(s.overdue_since),
  };
}

export function summaryView(o: OrderRow) {
  return {
    id: o.id,
    number: o.number,
    type: o.type,
    status: o.status,
    title: o.title,
    reason: o.reason,
    organisationId: o.organisation_id,
    jurisdictionId: o.jurisdiction_id,
    projectId: o.project_id,
    systemId: o.system_id,
    packId: o.pack_id,
    packVersion: o.pack_version,
    termMonths: o.term_months,
    expiresOn: o.expires_on,
    parentOrderId: o.parent_order_id,
    targetResourceIds: o.target_resource_ids as unknown as string[],
    greenChannel: o.green_channel,
    quotaOverrun: o.quota_overrun,
    temporaryBasis: o.temporary_basis,
    source: o.source,
    placedBy: o.placed_by,
    placedByName: o.placed_by_name,
    submittedAt: iso(o.submitted_at),
    closedAt: iso(o.closed_at),
    createdAt: o.created_at.toISOString(),
  };
}
export type OrderSummary = ReturnType<typeof summaryView>;

export const lineView = (l: OrderLineRow) => ({
  lineNo: l.line_no,
  itemCode: l.catalogue_item_code,
  catalogueVersionId: l.catalogue_version_id,
  specification: l.specification as unknown as Record<string, unknown>,
  quantity: l.quantity,
  dimensions: l.dimensions as unknown as Record<string, string>,
  requestFormId: l.request_form_id,
  requestFormRowNo: l.request_form_row_no,
  targetResourceId: l.target_resource_id,
});

const eventView = (e: OrderEventRow) => ({
  at: e.at.toISOString(),
  kind: e.kind,
  stepKey: e.step_key,
  actorId: e.actor_id,
  actorName: e.actor_name,
  comment: e.comment,
  detail: e.detail as unknown as Record<string, unknown>,
});

export async function orderView(trx: Trx, order: OrderRow, now?: Date) {
  const [lines, steps, events, reservations] = await Promise.all([
    repo.linesOf(trx, order.id),
    repo.stepsOf(trx, order.id),
    repo.eventsOf(trx, order.id),
    repo.reservationsOf(trx, order.id),
  ]);
  return viewOf(order, lines, steps, events, reservations, now);
}
export type OrderView = ReturnType<typeof viewOf>;

/**
 * The view of an order its placement has just written, from the rows as written (orders.written.ts), in the
 * order the reads would give them; undefined where the record is incomplete (then the caller reads).
 */
export function writtenView(order: OrderRow, written: Written, now: Date): OrderView | undefined {
  const { lines, steps, events, reservations } = written;
  if (!lines || !steps || !reservations || order.status !== 'submitted') return undefined;
  const bySeq = [...steps].sort((a, b) => a.seq - b.seq);
  const byDimension = [...reservations].sort((a, b) =>
    a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0,
  );
  return viewOf(order, lines, bySeq, events, byDimension, now);
}

function viewOf(
  order: OrderRow,
  lines: OrderLineRow[],
  steps: OrderStepRow[],
  events: OrderEventRow[],
  reservations: { project_id: string; dimension: string; amount: string; status: ReservationStatus }[],
  now?: Date,
) {
  const views = steps.map((s) => stepView(s, now));
  return {
    ...summaryView(order),
    currentStep: views.find((s) => s.status === 'open') ?? null,
    lines: lines.map(lineView),
    steps: views,
    events: events.map(eventView),
    reservations: reservations.map((r) => ({
      projectId: r.project_id,
      dimension: r.dimension,
      amount: fromMicro(toMicro(r.amount)),
      status: r.status,
    })),
  };
}
