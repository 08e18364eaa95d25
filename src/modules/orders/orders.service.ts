import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { formatShanghai, shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Trx } from '../../schema.ts';
import { addCalendarDays } from '../calendar/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { isUnitRole, SUPERVISOR_ROLE } from './orders.engine.ts';
import { createOrder, requestOf, submit } from './orders.placing.ts';
import * as repo from './orders.repository.ts';
import { checkQuota, consumesQuota } from './orders.rules.ts';
import type { OrderRow, OrderSource, OrderStepRow, WorkflowStep } from './orders.table.ts';
import { orderView } from './orders.views.ts';
import {
  advance,
  approveForFulfilment,
  event,
  fulfilmentHandlers,
  hasDelivered,
  jurisdictionCodeOf,
  link,
  notifyProviders,
  notifyRole,
  PROVIDER_ROLE,
  scopedOrder,
} from './orders.workflow.ts';

// The order engine: acting on steps, cancelling, the contract other modules call, the deadline sweeper.
// Placing and submitting live in orders.placing.ts, the step machinery both share in orders.workflow.ts.
export { type NewOrder, type PlaceInput, placeOrder, submitDraft } from './orders.placing.ts';
export { type OrderSummary, type OrderView, orderView, type StepView } from './orders.views.ts';
export {
  type FulfilmentContext,
  type FulfilmentHandler,
  onFulfilmentStepOpened,
  suspendFulfilmentHandlers,
} from './orders.workflow.ts';

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
