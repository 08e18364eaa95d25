import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { type Amounts, addAmounts, amountsOf, fromMicro, recordOf, toMicro } from '../../platform/decimal.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { endOfShanghaiDay, formatShanghai, shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Trx } from '../../schema.ts';
import { addCalendarDays, addWorkingDays } from '../calendar/index.ts';
import { catalogueInForce, providersOfItems } from '../catalogue/index.ts';
import type { Role } from '../identity/index.ts';
import { notify } from '../notifications/index.ts';
import { type EffectivePolicy, effectivePolicy, type OrderType } from '../policy/index.ts';
import { assertSystemMayGoLive, assertSystemMayUseCloud, dimensionsOfLine, getSystem } from '../projects/index.ts';
import { isUnitRole, SUPERVISOR_ROLE, snapshotSteps, TERM_LIMITS } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import {
  checkProjectAndSystem,
  checkQuota,
  checkSpecification,
  consumesQuota,
  preChecks,
  quotaChecks,
} from './orders.rules.ts';
import type { OrderRow, OrderSource, OrderStepRow, TemporaryBasis, WorkflowStep } from './orders.table.ts';
import { lineView, type OrderSummary, orderView, type StepView, stepView, summaryView } from './orders.views.ts';

export { type OrderSummary, type OrderView, orderView, type StepView } from './orders.views.ts';

/** The providers' role: its fulfilment steps go to provisioning as they open. */
const PROVIDER_ROLE = 'provider_operator';

// ============================================================================ the fulfilment switch

export interface FulfilmentContext {
  order: OrderSummary;
  step: StepView;
  lines: ReturnType<typeof lineView>[];
}
export type FulfilmentHandler = (trx: Trx, ctx: FulfilmentContext) => Promise<void>;

const fulfilmentHandlers: FulfilmentHandler[] = [];

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

async function jurisdictionCodeOf(trx: Trx, id: string): Promise<string> {
  const row = await trx.selectFrom('jurisdiction').select('code').where('id', '=', id).executeTakeFirstOrThrow();
  return row.code;
}

function addMonthsToDay(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

interface Due {
  due_at: Date | null;
  due_day: string | null;
  deadline_provisional: boolean;
  unconfirmed_years: number[];
}

/** The due time of a step opening at `from`: working days from the jurisdiction's calendar, calendar days, months. */
async function dueOf(trx: Trx, jurisdictionCode: string, from: Date, step: WorkflowStep): Promise<Due> {
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

function event(
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

const link = (o: OrderRow) => `/orders/${o.id}`;

/** Tells the holders of a step's role (the unit's own for a unit step, else in the jurisdiction). */
async function notifyRole(
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
async function notifyProviders(trx: Trx, order: OrderRow, title: { zh: string; en: string }): Promise<void> {
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

function stepsFor(policy: EffectivePolicy, type: OrderType, overrun: boolean): WorkflowStep[] {
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

async function openStep(
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
  const due = known ?? (await dueOf(trx, code, now, wf));
  // SH 19 "review, then open": a fulfilment step of a reviewing role (the ops unit) opens as that role's
  // review; provisioning is asked only once it approves. A provider's own step is provisioning's at once.
  const handled = step.fulfilment_action !== null && fulfilmentHandlers.length > 0 && step.role === PROVIDER_ROLE;
  await repo.updateStep(trx, step.id, {
    status: 'open',
    opened_at: now,
    handled,
    due_at: due.due_at,
    due_day: due.due_day,
    deadline_provisional: due.deadline_provisional,
    unconfirmed_years: JSON.stringify(due.unconfirmed_years),
  });
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
async function requestFulfilment(trx: Trx, actor: Actor, order: OrderRow, stepId: string, now: Date) {
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
async function approveForFulfilment(
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
async function advance(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  now: Date,
  code: string,
  known?: Map<string, Due>,
  allocatedAt?: Date | null,
): Promise<void> {
  const next = (await repo.stepsOf(trx, order.id)).find((s) => s.status === 'pending');
  if (next) {
    if (order.status === 'submitted' && (await repo.stepsOf(trx, order.id)).some((s) => s.status === 'done')) {
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

async function requestOf(trx: Trx, order: OrderRow): Promise<Amounts> {
  return addAmounts(
    ...(await repo.linesOf(trx, order.id)).map((l) => amountsOf(l.dimensions as unknown as Record<string, string>)),
  );
}

/**
 * Submission: rules, the quota reserved under a row lock on the project, the workflow snapshot, the first
 * step opened. One transaction. Returns the audit entry, which the caller writes last (the audit chain's
 * lock is then held only up to the commit).
 */
async function submit(trx: Trx, actor: Actor, order: OrderRow, now: Date) {
  const code = await jurisdictionCodeOf(trx, order.jurisdiction_id);
  const policy = await effectivePolicy(trx, code);
  const request = await requestOf(trx, order);
  await preChecks(trx, policy, code, order, now);
  const lines = await repo.linesOf(trx, order.id);
  await checkProjectAndSystem(
    trx,
    policy,
    order,
    request,
    lines.map((l) => ({ specification: l.specification as unknown as Record<string, unknown> })),
  );
  // On what is committed, without a lock: a refusal here is already certain (usage only grows under the
  // lock), so most refusals never queue for the project. Then the authoritative check under the lock.
  await quotaChecks(trx, policy, order, request, now, false);
  const overrun = await quotaChecks(trx, policy, order, request, now, true);
  const steps = stepsFor(policy, order.type, overrun);
  if (!steps.length) throw new AppError('order_type_not_provided', `${order.type}: the pack names no steps`);
  const workflow = JSON.stringify(steps);
  await repo.updateOrder(trx, order.id, {
    status: 'submitted',
    submitted_at: now,
    updated_at: now,
    quota_overrun: overrun,
    workflow,
  });
  Object.assign(order, {
    status: 'submitted',
    submitted_at: now,
    quota_overrun: overrun,
    workflow: steps,
    pack_id: policy.id,
    pack_version: policy.version,
  });
  await trx
    .updateTable('resource_order')
    .set({ pack_id: policy.id, pack_version: policy.version })
    .where('id', '=', order.id)
    .execute();
  await repo.deletePendingSteps(trx, order.id);
  await repo.insertSteps(
    trx,
    steps.map((s, i) => ({
      order_id: order.id,
      organisation_id: order.organisation_id,
      jurisdiction_id: order.jurisdiction_id,
      seq: i + 1,
      key: s.key,
      name_zh: s.name.zh,
      name_en: s.name.en,
      role: s.role,
      acting_organisation_id: isUnitRole(s.role) ? order.organisation_id : null,
      fulfilment_action: s.fulfilment,
      status: 'pending',
      opened_at: null,
      due_at: null,
      due_day: null,
      deadline_value: s.deadline.value,
      deadline_unit: s.deadline.unit,
      deadline_article: s.deadline.article,
      deadline_note: s.deadline.note ?? null,
      unconfirmed_years: '[]',
      acted_by: null,
      acted_by_name: null,
      acted_at: null,
      decision: null,
      comment: null,
      met_deadline: null,
      overdue_since: null,
      escalated_at: null,
      delivered_at: null,
    })),
  );
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'submitted', {
      detail: { pack: `${policy.id}@${policy.version}`, quotaOverrun: overrun, request: recordOf(request) },
    }),
  );
  const reclaim = order.type === 'reclaim';
  if (order.project_id && (consumesQuota(order.type, request) || reclaim)) {
    await repo.insertReservations(
      trx,
      [...request].map(([dimension, amount]) => ({
        order_id: order.id,
        organisation_id: order.organisation_id,
        jurisdiction_id: order.jurisdiction_id,
        project_id: order.project_id as string,
        dimension,
        amount: fromMicro(reclaim ? -amount : amount),
        status: 'reserved' as const,
        updated_at: now,
      })),
    );
  }
  await advance(trx, actor, order, now, code);
  return {
    action: 'order.submitted',
    objectType: 'order',
    objectId: order.id,
    detail: {
      number: order.number,
      type: order.type,
      pack: policy.id,
      quotaOverrun: overrun,
      request: recordOf(request),
    },
  };
}

// ========================================================================================= placing

export interface LineInput {
  itemCode: string;
  specification?: Record<string, unknown>;
  quantity?: number;
  targetResourceId?: string;
}

export interface PlaceInput {
  type: OrderType;
  title: string;
  reason?: string;
  projectId?: string;
  systemId?: string;
  /** temporary orders (SH 24) */
  temporaryBasis?: TemporaryBasis;
  termMonths?: number;
  parentOrderId?: string;
  resourceIds?: string[];
  requestFormId?: string;
  lines?: LineInput[];
  /** false: keep it as a draft */
  submit?: boolean;
}

interface NewOrder {
  organisationId: string;
  jurisdictionId: string;
  placedBy: string | null;
  placedByName: string | null;
  source: OrderRow['source'];
}

async function createOrder(
  trx: Trx,
  actor: Actor,
  who: NewOrder,
  input: PlaceInput,
  now: Date,
  options: { precheck?: boolean } = {},
): Promise<OrderRow> {
  const code = await jurisdictionCodeOf(trx, who.jurisdictionId);
  const year = Number(shanghaiDay(now).slice(0, 4));
  const lines = await buildLines(trx, code, who, input, now);
  if (input.systemId) {
    // Only non-classified systems at MLPS level 3 or below may use the cloud at all (SH 2, 7); submission
    // checks again, on every path.
    const system = await getSystem(trx, input.systemId);
    if (!system || system.organisationId !== who.organisationId) {
      throw invalid('body.systemId', 'no such information system of this unit / 信息系统不存在');
    }
    assertSystemMayUseCloud(system);
  }
  const values = {
    organisation_id: who.organisationId,
    jurisdiction_id: who.jurisdictionId,
    type: input.type,
    status: 'draft' as const,
    title: input.title,
    reason: input.reason ?? null,
    project_id: input.projectId ?? null,
    system_id: input.systemId ?? null,
    pack_id: null,
    pack_version: null,
    workflow: '[]',
    term_months: input.termMonths ?? null,
    expires_on: null,
    parent_order_id: input.parentOrderId ?? null,
    target_resource_ids: JSON.stringify(input.resourceIds ?? []),
    green_channel: input.type === 'green_channel',
    quota_overrun: false,
    temporary_basis: input.type === 'temporary' ? (input.temporaryBasis ?? null) : null,
    source: who.source,
    placed_by: who.placedBy,
    placed_by_name: who.placedByName,
    submitted_at: null,
    closed_at: null,
    created_at: now,
    updated_at: now,
  };
  if (options.precheck) {
    // An order about to be submitted: the rules that need no lock first, on what is committed, so a
    // certain refusal costs no writes (submit checks again, the quota under the project's lock).
    const policy = await effectivePolicy(trx, code);
    const draft = { ...values, id: '', workflow: [], target_resource_ids: [] } as unknown as OrderRow;
    const request = addAmounts(...lines.map((l) => amountsOf(l.dimensions)));
    await preChecks(trx, policy, code, draft, now);
    await checkProjectAndSystem(trx, policy, draft, request, lines);
    await quotaChecks(trx, policy, draft, request, now, false);
  }
  const no = await repo.nextOrderNo(trx);
  const order = await repo.insertOrder(trx, {
    ...values,
    number: `${code.toUpperCase()}-${year}-${String(no).padStart(6, '0')}`,
  });
  await repo.insertLines(
    trx,
    lines.map((l, i) => ({
      order_id: order.id,
      organisation_id: order.organisation_id,
      jurisdiction_id: order.jurisdiction_id,
      line_no: i + 1,
      catalogue_item_code: l.itemCode,
      catalogue_version_id: l.catalogueVersionId,
      specification: JSON.stringify(l.specification),
      quantity: l.quantity,
      dimensions: JSON.stringify(l.dimensions),
      request_form_id: l.requestFormId,
      request_form_row_no: l.requestFormRowNo,
      target_resource_id: l.targetResourceId,
    })),
  );
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'created', { detail: { type: order.type, lines: lines.length, source: who.source } }),
  );
  // The audit entry is written last by the caller: the audit chain's lock is then held only briefly.
  return order;
}

interface BuiltLine {
  itemCode: string;
  catalogueVersionId: string | null;
  specification: Record<string, unknown>;
  quantity: number;
  dimensions: Record<string, string>;
  requestFormId: string | null;
  requestFormRowNo: number | null;
  targetResourceId: string | null;
}

/** One reclaim line per resource, holding what the resource holds now (after any scale-up). */
async function resourceLines(trx: Trx, who: NewOrder, ids: readonly string[], field: string): Promise<BuiltLine[]> {
  const resources = await repo.resourcesByIds(trx, ids);
  return ids.map((id) => {
    const r = resources.find((x) => x.id === id);
    if (!r || r.organisation_id !== who.organisationId)
      throw invalid(field, `no resource ${id} of this unit / 资源不存在`);
    const q = r.quantities as unknown as Record<string, number | string>;
    const dims: Record<string, string> = {};
    for (const [k, v] of Object.entries(q))
      dims[['vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps'].includes(k) ? k : `item:${r.catalogue_item_code}`] =
        fromMicro(toMicro(String(v)));
    return {
      itemCode: r.catalogue_item_code,
      catalogueVersionId: null,
      specification: r.specification as unknown as Record<string, unknown>,
      quantity: 1,
      dimensions: dims,
      requestFormId: null,
      requestFormRowNo: null,
      targetResourceId: r.id,
    };
  });
}

async function buildLines(trx: Trx, code: string, who: NewOrder, input: PlaceInput, now: Date): Promise<BuiltLine[]> {
  const lines: BuiltLine[] = [];
  if (input.type === 'reclaim') {
    if (input.resourceIds?.length) return resourceLines(trx, who, input.resourceIds, 'body.resourceIds');
    if (input.parentOrderId) {
      const parent = await repo.findOrder(trx, input.parentOrderId);
      // A completed order, or a green-channel order rejected after it was placed (JQ 24): its resources are held.
      const reclaimable =
        parent?.status === 'completed' ||
        (parent?.status === 'rejected' && parent.green_channel && hasDelivered(await repo.stepsOf(trx, parent.id)));
      if (!parent || parent.organisation_id !== who.organisationId || !reclaimable) {
        throw invalid('body.parentOrderId', 'no completed order of this unit to reclaim / 无可回收的已办结订单');
      }
      // What the order delivered and still runs: the provider reclaims exactly those resources. An order whose
      // resources were all reclaimed already has nothing left to give back (its quota came back then).
      const delivered = await repo.resourcesOfOrder(trx, parent.id);
      const live = delivered.filter((r) => repo.LIVE_STATES.includes(r.state));
      if (live.length)
        return resourceLines(
          trx,
          who,
          live.map((r) => r.id),
          'body.parentOrderId',
        );
      if (delivered.length) {
        throw invalid(
          'body.parentOrderId',
          `the resources of ${parent.number} were reclaimed already / 该订单开通的资源均已回收`,
        );
      }
      // Nothing recorded in the inventory (fulfilled outside the platform): the order's lines give the quota back.
      for (const l of await repo.linesOf(trx, parent.id)) {
        lines.push({
          itemCode: l.catalogue_item_code,
          catalogueVersionId: l.catalogue_version_id,
          specification: l.specification as unknown as Record<string, unknown>,
          quantity: l.quantity,
          dimensions: l.dimensions as unknown as Record<string, string>,
          requestFormId: null,
          requestFormRowNo: null,
          targetResourceId: null,
        });
      }
      return lines;
    }
    throw invalid('body.resourceIds', 'a reclaim names the resources or the order to reclaim / 须指明回收的资源或订单');
  }
  if (input.type === 'extension') return lines;
  const catalogue = await catalogueInForce(trx, code, now);
  const given: LineInput[] = [...(input.lines ?? [])];
  if (input.requestFormId) {
    const rows = await repo.requestFormRows(trx, input.requestFormId);
    if (!rows.length) throw invalid('body.requestFormId', 'no such request form / 需求表不存在');
    for (const r of rows) {
      lines.push(
        line(
          catalogue,
          'cloud-vm',
          {
            vcpu: r.vcpu,
            memoryGb: r.memory_gb,
            systemDiskGb: r.system_disk_gb,
            dataDiskGb: r.data_disk_gb,
            os: r.os,
            serverType: r.server_type,
            networkZone: r.network_zone,
          },
          1,
          `body.requestFormId`,
          {
            requestFormId: input.requestFormId,
            requestFormRowNo: r.row_no,
          },
        ),
      );
    }
  }
  given.forEach((l, i) => {
    lines.push(
      line(catalogue, l.itemCode, l.specification ?? {}, l.quantity ?? 1, `body.lines.${i}.itemCode`, {
        targetResourceId: l.targetResourceId ?? null,
      }),
    );
  });
  if (!lines.length) throw invalid('body.lines', 'an order needs at least one line / 至少一行');
  return lines;
}

function line(
  catalogue: Awaited<ReturnType<typeof catalogueInForce>>,
  itemCode: string,
  specification: Record<string, unknown>,
  quantity: number,
  field: string,
  extra: { requestFormId?: string; requestFormRowNo?: number; targetResourceId?: string | null },
): BuiltLine {
  const item = catalogue.items.find((i) => i.code === itemCode);
  if (!item)
    throw invalid(
      field,
      `"${itemCode}" is not in the catalogue in force (version ${catalogue.version.versionNo}) / 服务目录中无此项`,
    );
  checkSpecification(
    item,
    specification,
    field.endsWith('itemCode') ? field.replace(/itemCode$/, 'specification') : field,
    catalogue.version.versionNo,
  );
  return {
    itemCode,
    catalogueVersionId: catalogue.version.id,
    specification,
    quantity,
    dimensions: dimensionsOfLine(itemCode, specification, quantity),
    requestFormId: extra.requestFormId ?? null,
    requestFormRowNo: extra.requestFormRowNo ?? null,
    targetResourceId: extra.targetResourceId ?? null,
  };
}

/** Places an order of the caller's unit: a draft, or (by default) submitted at once. */
export async function placeOrder(trx: Trx, auth: AuthContext, actor: Actor, input: PlaceInput, now: Date) {
  if (auth.organisationType !== 'using_unit')
    throw new AppError('forbidden', 'orders are placed by using units / 仅使用单位可提交申请');
  const order = await createOrder(
    trx,
    actor,
    {
      organisationId: auth.organisationId,
      jurisdictionId: auth.jurisdictionId,
      placedBy: auth.id,
      placedByName: auth.name,
      source: 'unit',
    },
    input,
    now,
    { precheck: input.submit !== false },
  );
  const entry =
    input.submit !== false
      ? await submit(trx, actor, order, now)
      : {
          action: 'order.created',
          objectType: 'order',
          objectId: order.id,
          detail: { number: order.number, type: order.type },
        };
  const view = await orderView(trx, (await repo.findOrder(trx, order.id)) as OrderRow, now);
  await writeAudit(trx, actor, entry);
  return view;
}

async function scopedOrder(trx: Trx, id: string, lock: boolean): Promise<OrderRow> {
  const order = lock ? await repo.lockOrder(trx, id) : await repo.findOrder(trx, id);
  if (!order) throw notFound(`order ${id} does not exist / 订单不存在`);
  return order;
}

export async function submitDraft(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const order = await scopedOrder(trx, id, true);
  if (order.placed_by !== auth.id && !auth.roles.includes('unit_admin'))
    throw new AppError('not_your_step', 'only the applicant submits the draft');
  if (order.status !== 'draft')
    throw new AppError('order_transition_refused', `the order is ${order.status}, not a draft / 订单不是草稿`);
  const entry = await submit(trx, actor, order, now);
  const view = await orderView(trx, await scopedOrder(trx, id, false), now);
  await writeAudit(trx, actor, entry);
  return view;
}

// ========================================================================================== acting

export interface ActInput {
  decision: 'approve' | 'reject' | 'return';
  comment?: string;
  /** the step the caller believes is current; refused when it is not */
  stepKey?: string;
}

/**
 * The caller holds the step's own role (no other role stands in for it: a unit administrator does not take
 * the applicant's verification), in the ordering unit (or a unit above it) for a unit step, in the order's
 * jurisdiction otherwise.
 */
function mayAct(auth: AuthContext, order: OrderRow, step: OrderStepRow): boolean {
  if (!auth.roles.includes(step.role)) return false;
  if (step.acting_organisation_id !== null) {
    const v = auth.visibility;
    return v.kind === 'organisation' && v.organisations.includes(step.acting_organisation_id);
  }
  return auth.jurisdictionId === order.jurisdiction_id;
}

async function finishStep(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  step: OrderStepRow,
  decision: 'approve' | 'reject' | 'done',
  comment: string | null,
  now: Date,
  deliveredAt?: Date | null,
): Promise<void> {
  // Each party on its own time: a reviewer's step approved before provisioning keeps its own decision and
  // measure; a provider's step is measured when its receipt arrived, not when the unit confirmed it.
  const reviewed = step.decision === 'approve' && decision === 'done';
  const measuredAt = decision === 'done' ? (deliveredAt ?? step.delivered_at ?? now) : now;
  const met = reviewed ? step.met_deadline : step.due_at ? measuredAt.getTime() <= step.due_at.getTime() : null;
  const delivered = deliveredAt ? { delivered_at: deliveredAt } : {};
  await repo.updateStep(
    trx,
    step.id,
    reviewed
      ? { status: 'done', ...delivered }
      : {
          status: decision === 'reject' ? 'rejected' : 'done',
          acted_by: actor.id,
          acted_by_name: actor.name ?? null,
          acted_at: now,
          decision,
          comment,
          met_deadline: met,
          ...delivered,
        },
  );
  await repo.insertEvent(
    trx,
    event(order, actor, now, decision === 'reject' ? 'step_rejected' : 'step_done', {
      stepKey: step.key,
      comment,
      detail: {
        decision,
        metDeadline: met,
        dueAt: step.due_at ? formatShanghai(step.due_at) : null,
        ...(deliveredAt ? { deliveredAt: formatShanghai(deliveredAt) } : {}),
        ...(reviewed ? { approvedBy: step.acted_by_name } : {}),
      },
    }),
  );
  await writeAudit(trx, actor, {
    action: decision === 'reject' ? 'order.step_rejected' : 'order.step_done',
    objectType: 'order',
    objectId: order.id,
    detail: { number: order.number, step: step.key, decision, metDeadline: met },
  });
  const code = await jurisdictionCodeOf(trx, order.jurisdiction_id);
  if (decision === 'reject') {
    // JQ 24: a green-channel order is placed before it is reviewed. Rejected afterwards, what was opened is
    // still held: its quota stays in use (consumed) and a reclaim of it is opened, which gives it back.
    const delivered = order.green_channel && hasDelivered(await repo.stepsOf(trx, order.id));
    await repo.updateOrder(trx, order.id, { status: 'rejected', closed_at: now, updated_at: now });
    await repo.skipPendingSteps(trx, order.id);
    await repo.setReservations(trx, order.id, 'reserved', delivered ? 'consumed' : 'released', now);
    await repo.insertEvent(trx, event(order, actor, now, 'rejected', { stepKey: step.key, comment }));
    const reclaim = delivered ? await reclaimRejected(trx, actor, order, step, comment, now, code) : null;
    await notify(trx, {
      jurisdictionId: order.jurisdiction_id,
      to: { organisationId: order.organisation_id },
      kind: 'order.rejected',
      title: { zh: `${order.number} 未通过：${step.name_zh}`, en: `${order.number} was rejected at ${step.name_en}` },
      body: reclaim
        ? {
            zh: `已开通的资源将按回收申请 ${reclaim.number} 回收`,
            en: `what was opened is reclaimed by ${reclaim.number}`,
          }
        : undefined,
      link: link(order),
      entity: { type: 'order', id: order.id },
    });
    return;
  }
  await advance(trx, actor, order, now, code, undefined, decision === 'done' ? measuredAt : null);
}

/** Whether a fulfilment step of the order was carried out (resources opened, scaled, allocated). */
const hasDelivered = (steps: OrderStepRow[]) => steps.some((s) => s.status === 'done' && s.fulfilment_action !== null);

/**
 * Opens the reclaim of what a rejected green-channel order opened (JQ 24: placed first, reviewed after):
 * the inventory's live resources delivered for the order, placed by nobody (the platform, as at expiry) and
 * run through the pack's reclaim steps. When there is nothing live to name (no delivery recorded) or the
 * pack provides no reclaim, the order's timeline says a reclaim is due instead; the unit or the authority
 * files it by naming the order (`parentOrderId`).
 */
async function reclaimRejected(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  step: OrderStepRow,
  comment: string | null,
  now: Date,
  code: string,
): Promise<{ id: string; number: string } | null> {
  const policy = await effectivePolicy(trx, code);
  const resources = (await repo.resourcesOfOrder(trx, order.id)).filter((r) => repo.LIVE_STATES.includes(r.state));
  if (!policy.orderTypes.reclaim.enabled.value || resources.length === 0) {
    await repo.insertEvent(
      trx,
      event(order, actor, now, 'reclaim_required', {
        stepKey: step.key,
        detail: { pack: policy.id, resources: resources.length },
      }),
    );
    return null;
  }
  const reclaim = await openSystemOrder(trx, actor, {
    type: 'reclaim',
    organisationId: order.organisation_id,
    jurisdictionId: order.jurisdiction_id,
    resourceIds: resources.map((r) => r.id),
    title: `回收 ${order.number} / reclaim ${order.number}`,
    reason: `${order.number}「${step.name_zh}」未通过，回收已开通的资源 / ${step.name_en} rejected after placement (JQ 24): reclaim${comment ? `: ${comment}` : ''}`,
    projectId: order.project_id ?? undefined,
    parentOrderId: order.id,
    source: 'unit',
    now,
  });
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'reclaim_opened', {
      stepKey: step.key,
      detail: { orderId: reclaim.id, number: reclaim.number, resources: resources.length },
    }),
  );
  return { id: reclaim.id, number: reclaim.number };
}

/**
 * LZ 21(4): a trial lasts 15-30 calendar days. The unit's step after a test environment was opened is the
 * trial: ending it before the pack's `trial.minCalendarDays` is refused, citing the article (running past its
 * deadline is flagged by the sweeper like any step).
 */
async function checkTrialLength(trx: Trx, order: OrderRow, step: OrderStepRow, now: Date): Promise<void> {
  if (!isUnitRole(step.role) || !step.opened_at) return;
  const steps = await repo.stepsOf(trx, order.id);
  const previous = steps.find((s) => s.seq === step.seq - 1);
  if (previous?.fulfilment_action !== 'open_test') return;
  const policy = await effectivePolicy(trx, await jurisdictionCodeOf(trx, order.jurisdiction_id));
  const min = policy.trial.minCalendarDays;
  if (min.value === null || min.value <= 0) return;
  const earliest = addCalendarDays(step.opened_at, min.value).dueDay;
  if (shanghaiDay(now) < earliest) {
    throw new AppError(
      'order_rule_violated',
      `the trial lasts at least ${min.value} calendar days: it may end on ${earliest} at the earliest (${min.article}) / 试用期不少于${min.value}个自然日`,
      [{ field: 'body.decision', message: `earliest ${earliest} (${min.article})` }],
    );
  }
}

/** Acts on the order's current step: approve, reject, or return it to the unit for more information. */
export async function actOnOrder(trx: Trx, auth: AuthContext, actor: Actor, id: string, input: ActInput, now: Date) {
  const order = await scopedOrder(trx, id, true);
  if (!['submitted', 'in_progress'].includes(order.status)) {
    throw new AppError(
      'order_transition_refused',
      `the order is ${order.status}: no step is open / 订单已${order.status}`,
    );
  }
  const step = (await repo.stepsOf(trx, order.id)).find((s) => s.status === 'open');
  if (!step) throw new AppError('order_transition_refused', 'no step is open / 无待办环节');
  if (input.stepKey && input.stepKey !== step.key) {
    throw new AppError(
      'order_transition_refused',
      `the current step is ${step.key}, not ${input.stepKey} / 当前环节为 ${step.name_zh}`,
      [{ field: 'body.stepKey', message: `current: ${step.key}` }],
    );
  }
  if (!mayAct(auth, order, step)) {
    throw new AppError(
      'not_your_step',
      `step ${step.key} is acted on by ${step.role}${step.acting_organisation_id ? ' of the ordering unit' : ' of the order’s jurisdiction'} / 该环节由${step.role}办理`,
    );
  }
  if (step.acting_organisation_id === null && order.placed_by !== null && order.placed_by === auth.id) {
    throw new AppError(
      'own_request',
      `${auth.name} placed ${order.number} and may not approve it / 不得审批本人提交的申请`,
    );
  }
  const comment = input.comment ?? null;
  if (input.decision === 'return') {
    await repo.insertEvent(trx, event(order, actor, now, 'information_requested', { stepKey: step.key, comment }));
    await writeAudit(trx, actor, {
      action: 'order.information_requested',
      objectType: 'order',
      objectId: order.id,
      detail: { number: order.number, step: step.key },
    });
    await notify(trx, {
      jurisdictionId: order.jurisdiction_id,
      to: { organisationId: order.organisation_id },
      kind: 'order.information_requested',
      title: { zh: `${order.number} 需补充材料`, en: `${order.number}: more information requested` },
      body: comment ? { zh: comment, en: comment } : undefined,
      link: link(order),
      entity: { type: 'order', id: order.id },
    });
    return orderView(trx, await scopedOrder(trx, id, false), now);
  }
  if (input.decision === 'approve') {
    await checkTrialLength(trx, order, step, now);
    if (step.handled) {
      throw new AppError(
        'order_transition_refused',
        `step ${step.key} is fulfilled by provisioning: it completes when the unit confirms the delivery receipt / 该环节由服务商交付、使用单位确认回执后完成`,
      );
    }
    if (order.project_id && consumesQuota(order.type, await requestOf(trx, order))) {
      // Re-checked at approval: the quota may have been lowered since the order was placed.
      const code = await jurisdictionCodeOf(trx, order.jurisdiction_id);
      const policy = await effectivePolicy(trx, code);
      await repo.lockProject(trx, order.project_id);
      const request = await requestOf(trx, order);
      const hasOverrunStep = (order.workflow as unknown as WorkflowStep[]).some((s) => s.when === 'quota_overrun');
      const outcome = await checkQuota(trx, policy, order, request, hasOverrunStep || order.quota_overrun, now, {
        excludeOrderId: order.id,
      });
      if (outcome.overrun && !order.quota_overrun) {
        throw new AppError(
          'quota_exceeded',
          `the unit's total now exceeds its projects' quota by more than ${policy.quota.overrunApprovalAbove.value} (${policy.quota.overrunApprovalAbove.article}): reject, or the unit files again / 超出配额比例，须重新申请`,
        );
      }
    }
  }
  // A step whose fulfilment failed after the review is completed by the reviewer (as without provisioning).
  const fulfilmentFailed = step.decision === 'approve';
  if (
    input.decision === 'approve' &&
    step.fulfilment_action !== null &&
    fulfilmentHandlers.length > 0 &&
    !fulfilmentFailed
  ) {
    await approveForFulfilment(trx, actor, order, step, comment, now);
    return orderView(trx, await scopedOrder(trx, id, false), now);
  }
  await finishStep(trx, actor, order, step, input.decision === 'approve' ? 'approve' : 'reject', comment, now);
  return orderView(trx, await scopedOrder(trx, id, false), now);
}

/** Cancels the unit's order before it completes; the reservation is released. */
export async function cancelOrder(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  reason: string | undefined,
  now: Date,
) {
  const order = await scopedOrder(trx, id, true);
  const v = auth.visibility;
  if (v.kind !== 'organisation' || !v.organisations.includes(order.organisation_id)) {
    throw new AppError('not_your_step', 'only the ordering unit cancels its order / 仅申请单位可撤销');
  }
  if (!['draft', 'submitted', 'in_progress'].includes(order.status)) {
    throw new AppError(
      'order_transition_refused',
      `the order is ${order.status} and cannot be cancelled / 订单不可撤销`,
    );
  }
  const steps = await repo.stepsOf(trx, order.id);
  if (steps.some((s) => s.status === 'done' && s.fulfilment_action !== null)) {
    throw new AppError(
      'order_transition_refused',
      'resources were already delivered: file a reclaim instead / 资源已交付，请申请回收',
    );
  }
  await closeAsCancelled(trx, actor, order, steps, reason, now);
  return orderView(trx, await scopedOrder(trx, id, false), now);
}

/**
 * Withdraws an order the platform opened itself (`openSystemOrder`: expiry, monitoring) when what caused it
 * is undone, e.g. the authority reverses an escalation (SH 25). Only while nothing was carried out yet:
 * once a fulfilment step is done the resources are gone and the order runs to its end. Returns whether
 * the order was withdrawn.
 */
export async function withdrawSystemOrder(
  trx: Trx,
  actor: Actor,
  input: { orderId: string; reason: string; now: Date },
): Promise<boolean> {
  const order = await repo.findOrder(trx, input.orderId);
  if (!order || order.source === 'unit') return false;
  if (!['draft', 'submitted', 'in_progress'].includes(order.status)) return false;
  const steps = await repo.stepsOf(trx, order.id);
  if (steps.some((s) => s.status === 'done' && s.fulfilment_action !== null)) return false;
  await closeAsCancelled(trx, actor, order, steps, input.reason, input.now);
  return true;
}

async function closeAsCancelled(
  trx: Trx,
  actor: Actor,
  order: OrderRow,
  steps: OrderStepRow[],
  reason: string | undefined,
  now: Date,
): Promise<void> {
  for (const s of steps.filter((x) => x.status === 'open')) {
    await repo.updateStep(trx, s.id, {
      decision: 'cancelled',
      acted_by: actor.id,
      acted_by_name: actor.name ?? null,
      acted_at: now,
    });
  }
  await repo.skipPendingSteps(trx, order.id);
  await repo.updateOrder(trx, order.id, { status: 'cancelled', closed_at: now, updated_at: now });
  await repo.setReservations(trx, order.id, 'reserved', 'released', now);
  await repo.insertEvent(trx, event(order, actor, now, 'cancelled', { comment: reason ?? null }));
  await writeAudit(trx, actor, {
    action: 'order.cancelled',
    objectType: 'order',
    objectId: order.id,
    detail: { number: order.number, reason },
  });
}

// ======================================================================== contract: other modules

/** Provisioning calls this when the unit confirms the delivery receipt of a fulfilment step (or it failed). */
export async function completeFulfilmentStep(
  trx: Trx,
  actor: Actor,
  input: {
    orderId: string;
    stepKey: string;
    outcome: 'done' | 'failed';
    comment?: string;
    now: Date;
    /** when the provider's (last) receipt arrived: the provider is measured then, not at the confirmation */
    deliveredAt?: Date;
  },
): Promise<void> {
  const order = await scopedOrder(trx, input.orderId, true);
  const step = (await repo.stepsOf(trx, order.id)).find((s) => s.status === 'open');
  if (!step || step.key !== input.stepKey || step.fulfilment_action === null) {
    throw new AppError(
      'order_transition_refused',
      `step ${input.stepKey} of ${order.number} is not an open fulfilment step / 非待办交付环节`,
    );
  }
  if (input.outcome === 'failed') {
    // The reviewer takes over: the step is no longer waiting for provisioning.
    await repo.updateStep(trx, step.id, { handled: false, comment: input.comment ?? null });
    await repo.insertEvent(
      trx,
      event(order, actor, input.now, 'fulfilment_failed', { stepKey: step.key, comment: input.comment ?? null }),
    );
    await writeAudit(trx, actor, {
      action: 'order.fulfilment_failed',
      objectType: 'order',
      objectId: order.id,
      detail: { number: order.number, step: step.key },
    });
    return;
  }
  await finishStep(trx, actor, order, step, 'done', input.comment ?? null, input.now, input.deliveredAt ?? null);
}

/** When the provider's receipts for an order's fulfilment step have all arrived and stand (not disputed), or null. */
export type DeliveryProbe = (trx: Trx, orderId: string, stepKey: string) => Promise<Date | null>;
let deliveryProbe: DeliveryProbe | null = null;

/**
 * Provisioning tells the deadline sweeper when a step's receipts arrived: a provider whose receipt came on
 * time waits on the unit's confirmation, which is not its lateness (TZ 10). Returns the function that removes it.
 */
export function onDeliveryProbe(probe: DeliveryProbe): () => void {
  deliveryProbe = probe;
  return () => {
    if (deliveryProbe === probe) deliveryProbe = null;
  };
}

/**
 * An order the platform opens itself (expiry, monitoring, a green-channel review rejected after opening): a
 * reclaim of the unit's resources, placed by nobody and submitted at once.
 */
export async function openSystemOrder(
  trx: Trx,
  actor: Actor,
  input: {
    type: 'reclaim';
    organisationId: string;
    jurisdictionId: string;
    resourceIds: string[];
    reason: string;
    /** the reason's start unless given */
    title?: string;
    /** the first resource's project unless given */
    projectId?: string;
    parentOrderId?: string;
    source: OrderSource;
    now: Date;
  },
): Promise<{ id: string; number: string }> {
  const projectId =
    input.projectId ??
    (await repo.resourcesByIds(trx, input.resourceIds)).find((r) => r.project_id)?.project_id ??
    undefined;
  const order = await createOrder(
    trx,
    actor,
    {
      organisationId: input.organisationId,
      jurisdictionId: input.jurisdictionId,
      placedBy: null,
      placedByName: null,
      source: input.source,
    },
    {
      type: 'reclaim',
      title: input.title ?? input.reason.slice(0, 200),
      reason: input.reason,
      resourceIds: input.resourceIds,
      projectId,
      parentOrderId: input.parentOrderId,
    },
    input.now,
  );
  await writeAudit(trx, actor, await submit(trx, actor, order, input.now));
  return { id: order.id, number: order.number };
}

export async function stopAllocations(
  trx: Trx,
  actor: Actor,
  input: { organisationId: string; reason: string; reference?: string; now: Date },
): Promise<void> {
  const org = await repo.organisationOf(trx, input.organisationId);
  if (!org) throw notFound(`organisation ${input.organisationId} does not exist`);
  if (await repo.activeStop(trx, org.id)) return;
  await repo.insertStop(trx, {
    organisation_id: org.id,
    jurisdiction_id: org.jurisdiction_id,
    reason: input.reason,
    reference: input.reference ?? null,
    stopped_at: input.now,
    stopped_by: actor.id,
  });
  await writeAudit(trx, actor, {
    action: 'order.allocations_stopped',
    objectType: 'organisation',
    objectId: org.id,
    detail: { reason: input.reason, reference: input.reference },
  });
}

export async function resumeAllocations(
  trx: Trx,
  actor: Actor,
  input: { organisationId: string; reason?: string; reference?: string; now: Date },
): Promise<void> {
  const n = await repo.resumeStops(trx, input.organisationId, input.now, actor.id);
  if (n) {
    await writeAudit(trx, actor, {
      action: 'order.allocations_resumed',
      objectType: 'organisation',
      objectId: input.organisationId,
      detail: { reason: input.reason, reference: input.reference },
    });
  }
}

export async function allocationsStopped(trx: Trx, organisationId: string): Promise<boolean> {
  return !!(await repo.activeStop(trx, organisationId));
}

// ======================================================================================= the sweeper

/**
 * Marks open steps past their due time as overdue, once each, and tells the step's role and its
 * supervisor role (SUPERVISOR_ROLE). State in the database (overdue_since): re-runs and restarts change
 * nothing twice; `yunguan serve` runs it under an advisory lock so one instance sweeps.
 */
export const deadlineSweepJob: Job<DB> = {
  name: 'orders.deadline-sweep',
  everyMs: 5 * 60 * 1000,
  async run({ db, now, log }) {
    return db.transaction().execute(async (trx) => {
      const candidates = await repo.stepsNewlyOverdue(trx, now);
      const steps = [];
      for (const s of candidates) {
        // Each party on its own time: a provider step whose receipts arrived by the due time waits on the unit.
        if (s.handled && s.role === PROVIDER_ROLE && deliveryProbe && s.due_at) {
          const delivered = await deliveryProbe(trx, s.order_id, s.key);
          if (delivered && delivered.getTime() <= s.due_at.getTime()) continue;
        }
        steps.push(s);
      }
      for (const s of steps) {
        await repo.updateStep(trx, s.id, { overdue_since: now, escalated_at: now });
        const order = (await repo.findOrder(trx, s.order_id)) as OrderRow;
        await repo.insertEvent(
          trx,
          event(order, SYSTEM_ACTOR, now, 'step_overdue', {
            stepKey: s.key,
            detail: {
              dueAt: s.due_at ? formatShanghai(s.due_at) : null,
              role: s.role,
              supervisor: SUPERVISOR_ROLE[s.role] ?? null,
            },
          }),
        );
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'order.step_overdue',
          objectType: 'order',
          objectId: order.id,
          detail: { number: order.number, step: s.key, dueAt: s.due_at?.toISOString() },
        });
        const unitStep = s.acting_organisation_id !== null;
        const title = {
          zh: `${order.number}「${s.name_zh}」已超期（应于 ${s.due_day} 前办结，${s.deadline_article ?? ''}）`,
          en: `${order.number}: "${s.name_en}" is overdue (due ${s.due_day}, ${s.deadline_article ?? ''})`,
        };
        if (s.role === 'provider_operator') await notifyProviders(trx, order, title);
        else await notifyRole(trx, order, s.role, 'order.step.overdue', title, unitStep);
        const supervisor = SUPERVISOR_ROLE[s.role];
        if (supervisor && supervisor !== s.role)
          await notifyRole(trx, order, supervisor, 'order.step.overdue', title, unitStep);
      }
      if (steps.length) log.info({ overdue: steps.length }, 'order steps marked overdue');
      return steps.length;
    });
  },
};
