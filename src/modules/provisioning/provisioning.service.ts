import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { markReclaiming } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import type { FulfilmentContext } from '../orders/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { type DriverDelivery, driverNamed, manualDriver, selectDriver } from './drivers/index.ts';
import { backupDeadline } from './provisioning.backup.ts';
import { recordReceipt } from './provisioning.delivery-receipts.ts';
import * as repo from './provisioning.repository.ts';
import type { WorkOrderDetails } from './provisioning.table.ts';
import { getWorkOrder, isUnit, scoped, type WorkOrderDetail } from './provisioning.work-orders.ts';

// Work orders opened for a fulfilment step and handed to their drivers (a driver's delivery recorded as a
// receipt), and the unit's backup confirmation that releases a reclaim to its driver. Reads are
// provisioning.work-orders.ts; receipts and the unit's decision on them, provisioning.delivery-receipts.ts.

/** What the orders engine passes when a fulfilment step opens (orders' FulfilmentContext). */
export type { FulfilmentContext };

/**
 * Order types whose resources are time-limited by the order's own term (SH 22-24): their purpose is the order
 * type, their expiry the order's (`adoptOrderExpiry`). The other time-limited purpose, `trial`, takes its
 * term from the pack instead (`trialCalendarDays`); `repo.TIME_LIMITED_PURPOSES` is all four.
 */
const ORDER_TERM: Record<string, string> = {
  development: 'development',
  emergency: 'emergency',
  temporary: 'temporary',
};

/**
 * A test environment (`open_test`) is a trial (试用, purpose `trial`) when the pack in force gives a trial
 * period (`trial.minCalendarDays` has a value: Liuzhou, LZ 21(4) "试用时间原则上为15—30个自然日"). Its length in
 * calendar days is the calendar-day deadline of the workflow step that follows the trial environment's
 * (Liuzhou: the unit's `trial` step, 30), else the pack's minimum. Null: plain test resources (every other
 * pack), which the workflow releases and no expiry sweep touches.
 */
async function trialCalendarDays(trx: Trx, ctx: FulfilmentContext): Promise<number | null> {
  const code = await repo.jurisdictionCode(trx, ctx.order.jurisdictionId);
  const policy = await effectivePolicy(trx, code);
  const min = (policy as { trial?: { minCalendarDays?: { value?: unknown } } }).trial?.minCalendarDays?.value;
  if (typeof min !== 'number' || min <= 0) return null;
  const workflow = await repo.orderWorkflow(trx, ctx.order.id);
  const next = workflow[workflow.findIndex((s) => s.key === ctx.step.key) + 1];
  const days = next?.deadline?.unit === 'calendar_days' ? next.deadline.value : null;
  return typeof days === 'number' && days > 0 ? days : min;
}

/**
 * Whether the unit backs up before the provider acts (SH 26): a reclaim always; a scale-up or change when the
 * pack's order type says so (`dataBackupFirst`).
 */
async function backupFirst(trx: Trx, ctx: FulfilmentContext): Promise<boolean> {
  const action = ctx.step.fulfilmentAction;
  if (action === 'reclaim') return true;
  if (action !== 'scale_up' && action !== 'change') return false;
  const policy = await effectivePolicy(trx, await repo.jurisdictionCode(trx, ctx.order.jurisdictionId));
  return policy.orderTypes[ctx.order.type].dataBackupFirst?.value === true;
}

const zoneOf = (spec: Record<string, unknown>): string | null => {
  const z = spec.networkZone ?? spec.zone;
  return typeof z === 'string' && z ? z : null;
};

/**
 * The fulfilment-step handler: one work order per provider (and zone) responsible for the lines'
 * catalogue items, due when the step is due, with the order data the provider needs copied onto it.
 * Change, scale-up and reclaim lines go to the provider running the target resource. Idempotent.
 */
export async function openWorkOrders(trx: Trx, ctx: FulfilmentContext): Promise<string[]> {
  const { order, step } = ctx;
  const action = step.fulfilmentAction;
  if (!action) return [];
  const now = new Date(step.openedAt ?? order.submittedAt ?? order.createdAt);
  const day = shanghaiDay(now);
  const trialDays = action === 'open_test' && !ORDER_TERM[order.type] ? await trialCalendarDays(trx, ctx) : null;
  const purpose = ORDER_TERM[order.type] ?? (action === 'open_test' ? (trialDays ? 'trial' : 'test') : 'formal');
  const expiresOn = ORDER_TERM[order.type] ? order.expiresOn : null;

  type Line = Parameters<typeof repo.insertWorkOrderLines>[1][number];
  type Item = Omit<Line, 'work_order_id' | 'provider_id' | 'line_no'>;
  const groups = new Map<string, { providerId: string; zone: string | null; lines: Item[] }>();
  const add = (providerId: string, zone: string | null, line: Item) => {
    const key = `${providerId}|${zone ?? ''}`;
    const g = groups.get(key) ?? { providerId, zone, lines: [] };
    g.lines.push(line);
    groups.set(key, g);
  };
  const base = {
    organisation_id: order.organisationId,
    jurisdiction_id: order.jurisdictionId,
    order_line_id: null,
    system_id: order.systemId,
    project_id: order.projectId,
    purpose,
    expires_on: expiresOn,
  };

  const targets = ctx.lines.map((l) => l.targetResourceId).filter((x): x is string => !!x);
  const orderTargets = Array.isArray(order.targetResourceIds) ? order.targetResourceIds : [];
  const resources = new Map(
    (await repo.resourcesByIds(trx, [...new Set([...targets, ...orderTargets])])).map((r) => [r.id, r]),
  );

  for (const line of ctx.lines) {
    const spec = (line.specification ?? {}) as Record<string, unknown>;
    const target = line.targetResourceId ? resources.get(line.targetResourceId) : undefined;
    if (line.targetResourceId && !target) throw notFound(`resource ${line.targetResourceId} / 资源不存在`);
    const providerId =
      target?.provider_id ?? (await repo.providerOfItem(trx, order.jurisdictionId, line.itemCode, day));
    if (!providerId) {
      throw new AppError('conflict', `catalogue item ${line.itemCode} has no provider / 目录项未指定服务商`);
    }
    add(providerId, target?.zone ?? zoneOf(spec), {
      ...base,
      catalogue_item_code: line.itemCode,
      specification: Object.keys(spec).length ? spec : (target?.specification ?? {}),
      quantity: target ? 1 : line.quantity,
      resource_id: target?.id ?? null,
      system_id: target?.system_id ?? order.systemId,
      project_id: target?.project_id ?? order.projectId,
    });
  }
  // A reclaim order may name its resources only on the order (a system order opened at expiry).
  const lined = new Set(targets);
  for (const id of orderTargets) {
    const r = resources.get(id);
    if (!r || lined.has(id)) continue;
    add(r.provider_id, r.zone, {
      ...base,
      catalogue_item_code: r.catalogue_item_code,
      specification: r.specification,
      quantity: 1,
      resource_id: r.id,
      system_id: r.system_id,
      project_id: r.project_id,
      purpose: r.purpose,
    });
  }

  const backup = await backupFirst(trx, ctx);
  const backupDue = backup
    ? await backupDeadline(trx, ctx, await repo.jurisdictionCode(trx, order.jurisdictionId))
    : null;
  const unitName = await repo.organisationName(trx, order.organisationId);
  const systemName = await repo.systemName(trx, order.systemId);
  const created: string[] = [];
  for (const g of groups.values()) {
    const details: WorkOrderDetails = {
      orderNo: order.number,
      orderType: order.type,
      unitName,
      systemName,
      note: order.title,
      purpose,
      expiresOn,
      ...(trialDays ? { trialCalendarDays: trialDays } : {}),
      ...(backup ? { backupFirst: true } : {}),
    };
    const driver = selectDriver({
      action,
      providerCode: await repo.organisationCode(trx, g.providerId),
      zone: g.zone,
      itemCodes: g.lines.map((l) => l.catalogue_item_code),
    });
    const id = await repo.insertWorkOrder(trx, {
      organisation_id: order.organisationId,
      jurisdiction_id: order.jurisdictionId,
      provider_id: g.providerId,
      order_id: order.id,
      step_key: step.key,
      action,
      zone: g.zone,
      driver: driver.name,
      due_at: step.dueAt ? new Date(step.dueAt) : null,
      details,
      created_at: now,
    });
    if (!id) continue; // already made for this step
    if (backupDue) {
      await repo.updateWorkOrder(trx, id, {
        backup_due_at: backupDue.at,
        backup_due_day: backupDue.day,
        updated_at: now,
      });
    }
    await repo.insertWorkOrderLines(
      trx,
      g.lines.map((l, i) => ({ ...l, work_order_id: id, provider_id: g.providerId, line_no: i + 1 })),
    );
    if (action === 'reclaim') {
      for (const l of g.lines) if (l.resource_id) await markReclaiming(trx, l.resource_id, now);
    }
    await writeAudit(
      trx,
      { kind: 'system', id: null, name: 'system' },
      {
        action: 'work_order.created',
        objectType: 'work_order',
        objectId: id,
        detail: {
          orderId: order.id,
          orderNo: order.number,
          stepKey: step.key,
          action,
          providerId: g.providerId,
          zone: g.zone,
          driver: driver.name,
          lines: g.lines.length,
        },
      },
    );
    await notify(trx, {
      jurisdictionId: order.jurisdictionId,
      to: { organisationId: g.providerId, role: 'provider_operator' },
      kind: 'work_order.created',
      title: {
        zh: `新工单：${order.number}（${unitName ?? ''}）`,
        en: `New work order: ${order.number}`,
      },
      link: `/work-orders/${id}`,
      entity: { type: 'work_order', id },
      occurredAt: now,
    });
    // A reclaim (and a scale-up where the pack says so) waits for the unit's backup confirmation (SH 26)
    // before the driver may act (confirmBackup).
    if (!backup) await handToDriver(trx, id, driver.name, now);
    created.push(id);
  }
  return created;
}

/** The system actor a driver's delivery is recorded as (its name says which driver). */
const driverActor = (name: string): Actor => ({ kind: 'system', id: null, name: `driver:${name}` });

/**
 * Hands a work order that is ready for its provider to its driver (`submit`); a `delivered` answer is
 * recorded at once as the work order's delivery receipt, like a provider's (`deliver`). In the caller's
 * transaction: a delivery the receipt rules refuse fails it, nothing half-written. The manual driver is not
 * asked: it answers `pending` to everything, so its work orders are not read back for it.
 */
export async function handToDriver(trx: Trx, id: string, driverName: string, now: Date): Promise<void> {
  const driver = driverNamed(driverName);
  if (driver === manualDriver) return;
  const w = await repo.workOrderForUpdate(trx, id);
  if (!w) throw notFound(`work order ${id} / 工单不存在`);
  const lines = await repo.workOrderLines(trx, id);
  const targetIds = lines.map((l) => l.resource_id).filter((x): x is string => !!x);
  const targets = new Map((await repo.resourcesByIds(trx, targetIds)).map((r) => [r.id, r]));
  const ack = await driver.submit({
    workOrderId: id,
    action: w.action,
    providerId: w.provider_id,
    providerCode: await repo.organisationCode(trx, w.provider_id),
    zone: w.zone,
    requestedAt: now,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      catalogueItemCode: l.catalogue_item_code,
      specification: l.specification as Record<string, unknown>,
      quantity: l.quantity,
      externalId: l.resource_id ? (targets.get(l.resource_id)?.external_id ?? null) : null,
    })),
  });
  if (ack.status === 'delivered') {
    const { status: _status, ...delivery } = ack;
    await deliver(trx, { workOrderId: id, driver: driver.name, ...delivery }, now);
  }
}

/**
 * A driver reports what it delivered for one of its work orders: recorded as a delivery receipt by the same
 * code, with the same checks, audit entry (`delivery_receipt.submitted`, actor `driver:<name>`) and notice to
 * the unit as a provider's `POST /work-orders/:id/receipts`; the unit then confirms or disputes it. For a
 * driver answering `pending` and finishing later (its own job, outside any request), and for a synchronous
 * `delivered` answer. Returns the receipt's revision.
 */
export async function deliver(
  trx: Trx,
  input: DriverDelivery & { workOrderId: string; driver: string },
  now: Date,
): Promise<number> {
  const w = await repo.workOrderForUpdate(trx, input.workOrderId);
  if (!w) throw notFound(`work order ${input.workOrderId} / 工单不存在`);
  if (w.driver !== input.driver) {
    throw new AppError(
      'conflict',
      `work order ${w.id} is carried out by driver ${w.driver}, not ${input.driver} / 工单不由该驱动执行`,
    );
  }
  return recordReceipt(trx, w, driverActor(input.driver), `driver:${input.driver}`, now, {
    notes: input.notes,
    dataErased: input.dataErased,
    lines: input.lines.map((l) => ({
      workOrderLineNo: l.lineNo,
      name: l.name,
      externalId: l.externalId ?? undefined,
      addresses: l.addresses,
      specification: l.specification,
      quantities: l.quantities,
      deliveredAt: l.deliveredAt.toISOString(),
      notes: l.notes,
    })),
  });
}

/** Reclaim: the unit confirms its systems are offline, backed up and migrated (SH 26) before the provider reclaims. */
export async function confirmBackup(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<WorkOrderDetail> {
  const w = await scoped(trx, auth, id, true);
  if (!isUnit(auth, w))
    throw new AppError('forbidden', 'only the using unit confirms its backup / 仅使用单位可确认备份');
  if (w.action !== 'reclaim' && !w.details.backupFirst) {
    throw new AppError(
      'conflict',
      'this work order needs no backup confirmation (reclaims, and scale-ups where the pack says so: SH 26)',
    );
  }
  if (w.backup_confirmed_at) throw new AppError('conflict', 'backup already confirmed / 已确认备份');
  if (w.backup_waived_at) {
    throw new AppError(
      'conflict',
      'the backup deadline passed and the reclaim proceeds with the authority’s consent / 备份期限已过，已经主管部门同意继续回收',
    );
  }
  await repo.updateWorkOrder(trx, id, { backup_confirmed_at: now, backup_confirmed_by: auth.name, updated_at: now });
  await writeAudit(trx, actor, { action: 'work_order.backup_confirmed', objectType: 'work_order', objectId: id });
  await notify(trx, {
    jurisdictionId: w.jurisdiction_id,
    to: { organisationId: w.provider_id, role: 'provider_operator' },
    kind: 'work_order.backup_confirmed',
    title: {
      zh: `使用单位已确认备份，可回收：${w.details.orderNo ?? ''}`,
      en: `Backup confirmed, ready to reclaim: ${w.details.orderNo ?? ''}`,
    },
    link: `/work-orders/${id}`,
    entity: { type: 'work_order', id },
    occurredAt: now,
  });
  // Only now may the provider reclaim: the work order goes to its driver (manual: nothing happens).
  if (w.status === 'open') await handToDriver(trx, id, w.driver, now);
  return getWorkOrder(trx, auth, id, now);
}
