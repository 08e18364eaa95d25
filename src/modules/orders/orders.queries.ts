import type { AuthContext } from '../../platform/auth/auth.ts';
import { amountsOf, fromMicro, toMicro } from '../../platform/decimal.ts';
import { notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { projectQuotaAt } from '../projects/index.ts';
import { isUnitRole } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import type { OrderStatus } from './orders.table.ts';
import { orderView, stepView, summaryView } from './orders.views.ts';

// Reading orders: one order, lists, the inbox, quota gauges and the overdue board.

export async function getOrder(trx: Trx, id: string, now: Date) {
  const order = await repo.findOrder(trx, id);
  if (!order) throw notFound(`order ${id} does not exist / 订单不存在`);
  return orderView(trx, order, now);
}

export interface ListInput {
  status?: OrderStatus;
  type?: string;
  mine?: boolean;
  projectId?: string;
  limit: number;
  offset: number;
}

/** Orders in the caller's scope (row-level security: the unit's own, or the jurisdiction's). */
export async function listOrders(trx: Trx, auth: AuthContext, input: ListInput, now: Date) {
  const { rows, total } = await repo.listOrders(trx, {
    status: input.status,
    type: input.type,
    placedBy: input.mine ? auth.id : undefined,
    projectId: input.projectId,
    limit: input.limit,
    offset: input.offset,
  });
  const items = [];
  for (const o of rows) {
    const open = (await repo.stepsOf(trx, o.id)).find((s) => s.status === 'open');
    items.push({ ...summaryView(o), currentStep: open ? stepView(open, now) : null });
  }
  return { items, total };
}

/** What waits for the caller: open steps of roles they hold, by due time (no deadline last), overdue flagged. */
export async function inbox(trx: Trx, auth: AuthContext, now: Date) {
  const v = auth.visibility;
  const unitRoles = auth.roles.filter((r) => isUnitRole(r));
  const rows = await repo.openStepsFor(trx, {
    roles: auth.roles.filter((r) => !isUnitRole(r)),
    jurisdictionId: v.kind === 'jurisdiction' ? auth.jurisdictionId : null,
    organisationIds: v.kind === 'organisation' ? [...v.organisations] : [],
    unitRoles,
  });
  const items = rows.map((r) => ({
    orderId: r.order_id,
    orderNumber: r.order_number,
    orderType: r.order_type,
    orderTitle: r.order_title,
    ownRequest: r.acting_organisation_id === null && r.order_placed_by === auth.id,
    step: stepView(r, now),
  }));
  return { items, total: items.length, overdue: items.filter((i) => i.step.overdue).length };
}

/** A project's quota against what is reserved and in use, per dimension (the console's gauges). */
export async function quotaUsage(trx: Trx, projectId: string, now: Date) {
  if (!(await repo.projectVisible(trx, projectId))) throw notFound(`project ${projectId} does not exist / 项目不存在`);
  const quota = amountsOf(await projectQuotaAt(trx, projectId, now));
  const usage = await repo.usageOf(trx, [projectId]);
  const lingering = await repo.lingeringTestUsage(trx, [projectId]);
  const dims = new Set([...quota.keys(), ...usage.map((u) => u.dimension), ...lingering.keys()]);
  return {
    projectId,
    at: now.toISOString(),
    dimensions: [...dims].sort().map((dimension) => {
      const u = usage.find((x) => x.dimension === dimension);
      const q = quota.get(dimension) ?? 0n;
      const reserved = u ? toMicro(u.reserved) : 0n;
      const inUse = u ? toMicro(u.consumed) : 0n;
      const tests = toMicro(lingering.get(dimension) ?? '0');
      return {
        dimension,
        quota: fromMicro(q),
        reserved: fromMicro(reserved),
        inUse: fromMicro(inUse),
        testEnvironments: fromMicro(tests),
        available: fromMicro(q - reserved - inUse - tests),
      };
    }),
  };
}

/** Overdue steps in the caller's jurisdictions, with counts per step and per unit. */
export async function overdueDashboard(trx: Trx, auth: AuthContext, now: Date) {
  const v = auth.visibility;
  const rows = await repo.overdueSteps(trx, v.kind === 'jurisdiction' ? v.jurisdictions : [], now);
  const perStep = new Map<string, { stepKey: string; name: { zh: string; en: string }; role: string; count: number }>();
  const perUnit = new Map<string, { organisationId: string; code: string; name: string; count: number }>();
  for (const r of rows) {
    const k = `${r.order_type}.${r.key}`;
    const s = perStep.get(k) ?? { stepKey: k, name: { zh: r.name_zh, en: r.name_en }, role: r.role, count: 0 };
    s.count++;
    perStep.set(k, s);
    const u = perUnit.get(r.organisation_id) ?? {
      organisationId: r.organisation_id,
      code: r.organisation_code,
      name: r.organisation_name,
      count: 0,
    };
    u.count++;
    perUnit.set(r.organisation_id, u);
  }
  return {
    items: rows.map((r) => ({
      orderId: r.order_id,
      orderNumber: r.order_number,
      orderType: r.order_type,
      organisationId: r.organisation_id,
      organisationCode: r.organisation_code,
      step: stepView(r, now),
    })),
    perStep: [...perStep.values()].sort((a, b) => b.count - a.count),
    perUnit: [...perUnit.values()].sort((a, b) => b.count - a.count),
  };
}
