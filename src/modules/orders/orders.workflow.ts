import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { endOfShanghaiDay, formatShanghai, shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { addCalendarDays, addWorkingDays } from '../calendar/index.ts';
import { providersOfItems } from '../catalogue/index.ts';
import type { Role } from '../identity/index.ts';
import { goLiveRefusal } from '../itprojects/index.ts';
import { notify } from '../notifications/index.ts';
import type { EffectivePolicy, OrderType } from '../policy/index.ts';
import { assertSystemMayGoLive, getSystem } from '../projects/index.ts';
import { snapshotSteps, TERM_LIMITS } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import type { OrderRow, OrderStepRow, WorkflowStep } from './orders.table.ts';
import { lineView, type OrderSummary, type StepView, stepView, summaryView } from './orders.views.ts';
import { writtenIn } from './orders.written.ts';

// The step machinery shared by placing (orders.placing.ts) and acting (orders.service.ts): due times, events,
// notices, opening and advancing steps, the hand-over of fulfilment steps to provisioning.

/** The providers' role: its fulfilment steps go to provisioning as they open. */
export const PROVIDER_ROLE = 'provider_operator';

// ============================================================================ the fulfilment switch

export interface FulfilmentContext {
  order: OrderSummary;
  step: StepView;
  lines: ReturnType<typeof lineView>[];
}
export type FulfilmentHandler = (trx: Trx, ctx: FulfilmentContext) => Promise<void>;

export const fulfilmentHandlers: FulfilmentHandler[] = [];

/**
 * Registers a handler called, in the engine's transaction, whenever a fulfilment step opens. While at
 * least one handler is registered, a fulfilment step is completed by `completeFulfilmentStep` (the unit's
 * confirmed delivery receipt), not by a reviewer's approval; with none, the acting reviewer completes it
 * like any step. Returns a function that removes the handler.
 */
export function onFulfilmentStepOpened(handler: FulfilmentHandler): () => void {
  fulfilmentHandlers.push(handler);
  return () => {
    const i = fulfilmentHandlers.indexOf(handler);
    if (i >= 0) fulfilmentHandlers.splice(i, 1);
  };
}

/**
 * Tests only: takes every registered handler out (the state "no provisioning registered") and returns
 * the function that puts them back.
 */
export function suspendFulfilmentHandlers(): () => void {
  const saved = fulfilmentHandlers.splice(0, fulfilmentHandlers.length);
  return () => {
    fulfilmentHandlers.push(...saved);
  };
}

// ========================================================================================= helpers

export async function jurisdictionCodeOf(trx: Trx, id: string): Promise<string> {
  const code = await repo.jurisdictionCode(trx, id);
  if (code === undefined) throw new Error(`no jurisdiction ${id}`);
  return code;
}

export function addMonthsToDay(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export interface Due {
  due_at: Date | null;
  due_day: string | null;
  deadline_provisional: boolean;
  unconfirmed_years: number[];
}

/** The due time of a step opening at `from`: working days from the jurisdiction's calendar, calendar days, months. */
export async function dueOf(trx: Trx, jurisdictionCode: string, from: Date, step: WorkflowStep): Promise<Due> {
  const { value, unit } = step.deadline;
  if (value === null || unit === null) {
    return { due_at: null, due_day: null, deadline_provisional: false, unconfirmed_years: [] };
  }
  if (unit === 'working_days') {
    const d = await addWorkingDays(trx, jurisdictionCode, from, value);
    return {
      due_at: endOfShanghaiDay(d.dueDay),
      due_day: d.dueDay,
      deadline_provisional: d.provisional,
      unconfirmed_years: d.unconfirmedYears,
    };
  }
  const day = unit === 'calendar_days' ? addCalendarDays(from, value).dueDay : addMonthsToDay(shanghaiDay(from), value);
  return { due_at: endOfShanghaiDay(day), due_day: day, deadline_provisional: false, unconfirmed_years: [] };
}

export function event(
  order: OrderRow,
  actor: Actor,
  now: Date,
  kind: string,
  extra: { stepKey?: string | null; comment?: string | null; detail?: Record<string, unknown> } = {},
) {
  return {
    order_id: order.id,
    organisation_id: order.organisation_id,
    jurisdiction_id: order.jurisdiction_id,
    at: now,
    kind,
    step_key: extra.stepKey ?? null,
    actor_id: actor.id,
    actor_name: actor.name ?? null,
    comment: extra.comment ?? null,
    detail: extra.detail ?? {},
  };
}

export const link = (o: OrderRow) => `/orders/${o.id}`;

/** Tells the holders of a step's role (the unit's own for a unit step, else in the jurisdiction). */
export async function notifyRole(
  trx: Trx,
  order: OrderRow,
  role: string,
  kind: string,
  title: { zh: string; en: string },
  unitStep: boolean,
): Promise<void> {
  await notify(trx, {
    jurisdictionId: order.jurisdiction_id,
    to: unitStep ? { organisationId: order.organisation_id, role: role as Role } : { role: role as Role },
    kind,
    title,
    link: link(order),
    entity: { type: 'order', id: order.id },
  });
}

/**
 * A provider's overdue step is told to the operators of the providers responsible for the order's items,
 * not to every provider of the jurisdiction; an order whose items name no provider falls back to the role.
 */
export async function notifyProviders(trx: Trx, order: OrderRow, title: { zh: string; en: string }): Promise<void> {
  const lines = await repo.linesOf(trx, order.id);
  const providers = await providersOfItems(
    trx,
    lines.flatMap((l) =>
      l.catalogue_version_id ? [{ versionId: l.catalogue_version_id, code: l.catalogue_item_code }] : [],
    ),
  );
  if (providers.length === 0) {
    await notifyRole(trx, order, 'provider_operator', 'order.step.overdue', title, false);
    return;
  }
  for (const providerId of providers) {
    await notify(trx, {
      jurisdictionId: order.jurisdiction_id,
      to: { organisationId: providerId, role: 'provider_operator' },
      kind: 'order.step.overdue',
      title,
      link: link(order),
      entity: { type: 'order', id: order.id },
    });
  }
}

export function stepsFor(policy: EffectivePolicy, type: OrderType, overrun: boolean): WorkflowStep[] {
  const spec = policy.orderTypes[type];
  let steps: WorkflowStep[];
  if (type === 'green_channel') {
    // JQ 24: placed at once, the review completed afterwards: the green channel's steps, then the review
    // (non-fulfilment) steps of a new request.
    steps = [
      ...snapshotSteps(spec.steps, { quotaOverrun: overrun }),
      ...snapshotSteps(policy.orderTypes.new_resources.steps, { quotaOverrun: overrun })
        .filter((s) => s.fulfilment === null)
        .map((s) => ({ ...s, key: `review_${s.key}` })),
    ];
  } else {
    steps = snapshotSteps(spec.steps, { quotaOverrun: overrun });
  }
  return steps;
}

// ===================================================================================== transitions

export async function openStep(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  step: OrderStepRow,
  now: Date,
  code: string,
  known?: Due,
) {
  const wf = (order.workflow as unknown as WorkflowStep[]).find((s) => s.key === step.key) as WorkflowStep;
  const goesLive =
    step.fulfilment_action === 'open' ||
    (step.fulfilment_action === 'allocate' && (order.type === 'emergency' || order.type === 'temporary'));
  if (goesLive && order.system_id) {
    // Formal opening is the system's go-live, and emergency or temporary resources serve the system at once:
    // MLPS filing and the commitment letter first (SH 30, TZ 11).
    const system = await getSystem(trx, order.system_id);
    if (system) assertSystemMayGoLive(system);
  }
  if (goesLive && order.project_id) {
    // JQ-proj 15: where the pack says so, a declared project's systems go live only after its acceptance.
    const refusal = await goLiveRefusal(trx, order.project_id, code);
    if (refusal) throw new AppError('go_live_not_permitted', refusal);
  }
  const due = known ?? (await dueOf(trx, code, now, wf));
  // SH 19 "review, then open": a fulfilment step of a reviewing role (the ops unit) opens as that role's
  // review; provisioning is asked only once it approves. A provider's own step is provisioning's at once.
  const handled = step.fulfilment_action !== null && fulfilmentHandlers.length > 0 && step.role === PROVIDER_ROLE;
  const opened = {
    status: 'open' as const,
    opened_at: now,
    handled,
    due_at: due.due_at,
    due_day: due.due_day,
    deadline_provisional: due.deadline_provisional,
  };
  await repo.updateStep(trx, step.id, { ...opened, unconfirmed_years: JSON.stringify(due.unconfirmed_years) });
  // A placement's answer shows the step as just written (orders.written.ts).
  if (writtenIn(trx)?.steps?.includes(step))
    Object.assign(step, opened, { unconfirmed_years: [...due.unconfirmed_years] });
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'step_opened', {
      stepKey: step.key,
      detail: {
        role: step.role,
        dueAt: due.due_at ? formatShanghai(due.due_at) : null,
        article: step.deadline_article,
        provisional: due.deadline_provisional,
        ...(due.unconfirmed_years.length ? { unconfirmedYears: due.unconfirmed_years } : {}),
      },
    }),
  );
  await notifyRole(
    trx,
    order,
    step.role,
    'order.step.opened',
    { zh: `${order.number} 待办：${step.name_zh}`, en: `${order.number} awaits: ${step.name_en}` },
    step.acting_organisation_id !== null,
  );
  if (handled) await requestFulfilment(trx, actor, order, step.id, now);
}

/** Asks provisioning (the registered handlers) to carry out a fulfilment step: the provider's work orders. */
export async function requestFulfilment(trx: Trx, actor: Actor, order: OrderRow, stepId: string, now: Date) {
  const fresh = (await repo.stepsOf(trx, order.id)).find((s) => s.id === stepId) as OrderStepRow;
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'fulfilment_requested', {
      stepKey: fresh.key,
      detail: { action: fresh.fulfilment_action },
    }),
  );
  const lines = (await repo.linesOf(trx, order.id)).map(lineView);
  for (const handler of [...fulfilmentHandlers]) {
    await handler(trx, { order: summaryView(order), step: stepView(fresh, now), lines });
  }
}

/**
 * The reviewing role approves its fulfilment step (SH 19: the ops unit reviews, then opens): its decision and
 * its own deadline are recorded now, and only now is the provider asked. The step completes when the unit
 * confirms the provider's receipt; the provider is measured on its work orders, not on this step.
 */
export async function approveForFulfilment(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  step: OrderStepRow,
  comment: string | null,
  now: Date,
): Promise<void> {
  const met = step.due_at ? now.getTime() <= step.due_at.getTime() : null;
  await repo.updateStep(trx, step.id, {
    handled: true,
    acted_by: actor.id,
    acted_by_name: actor.name ?? null,
    acted_at: now,
    decision: 'approve',
    comment,
    met_deadline: met,
  });
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'step_approved', {
      stepKey: step.key,
      comment,
      detail: {
        decision: 'approve',
        role: step.role,
        metDeadline: met,
        dueAt: step.due_at ? formatShanghai(step.due_at) : null,
      },
    }),
  );
  await writeAudit(trx, actor, {
    action: 'order.step_approved',
    objectType: 'order',
    objectId: order.id,
    detail: { number: order.number, step: step.key, role: step.role, metDeadline: met },
  });
  if (order.status === 'submitted') {
    await repo.updateOrder(trx, order.id, { status: 'in_progress', updated_at: now });
    order.status = 'in_progress';
  }
  await requestFulfilment(trx, actor, order, step.id, now);
}

/** Opens the next pending step, or completes the order when none is left. */
export async function advance(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  now: Date,
  code: string,
  known?: Map<string, Due>,
  allocatedAt?: Date | null,
): Promise<void> {
  const steps = await repo.stepsOf(trx, order.id);
  const written = writtenIn(trx);
  if (written) written.steps = steps;
  const next = steps.find((s) => s.status === 'pending');
  if (next) {
    if (order.status === 'submitted' && steps.some((s) => s.status === 'done')) {
      await repo.updateOrder(trx, order.id, { status: 'in_progress', updated_at: now });
      order.status = 'in_progress';
    }
    await openStep(trx, actor, order, next, now, code, known?.get(next.key));
    return;
  }
  const set: Parameters<typeof repo.updateOrder>[2] = { status: 'completed', closed_at: now, updated_at: now };
  // SH 22-24 (自资源配置之日起): a term runs from the day the resources were allocated (the provider's
  // receipt), the day billing starts, not from the unit's later confirmation.
  if (order.term_months && order.type in TERM_LIMITS)
    set.expires_on = addMonthsToDay(shanghaiDay(allocatedAt ?? now), order.term_months);
  await repo.updateOrder(trx, order.id, set);
  await repo.setReservations(trx, order.id, 'reserved', 'consumed', now);
  if (order.type === 'extension' && order.parent_order_id && order.term_months) {
    const parent = await repo.findOrder(trx, order.parent_order_id);
    if (parent?.expires_on) {
      await trx
        .updateTable('resource_order')
        .set({ expires_on: addMonthsToDay(parent.expires_on, order.term_months), updated_at: now })
        .where('id', '=', parent.id)
        .execute();
    }
  }
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'completed', { detail: set.expires_on ? { expiresOn: set.expires_on } : {} }),
  );
  await writeAudit(trx, actor, {
    action: 'order.completed',
    objectType: 'order',
    objectId: order.id,
    detail: { number: order.number },
  });
  await notify(trx, {
    jurisdictionId: order.jurisdiction_id,
    to: { organisationId: order.organisation_id },
    kind: 'order.completed',
    title: { zh: `${order.number} 已办结`, en: `${order.number} is completed` },
    link: link(order),
    entity: { type: 'order', id: order.id },
  });
}

export async function scopedOrder(trx: Trx, id: string, lock: boolean): Promise<OrderRow> {
  const order = lock ? await repo.lockOrder(trx, id) : await repo.findOrder(trx, id);
  if (!order) throw notFound(`order ${id} does not exist / 订单不存在`);
  return order;
}

export const hasDelivered = (steps: OrderStepRow[]) =>
  steps.some((s) => s.status === 'done' && s.fulfilment_action !== null);
