import ipaddr from 'ipaddr.js';
import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { addDays, shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import {
  createResource,
  itemQuantities,
  markReclaiming,
  type Quantities,
  recordResourceEvent,
} from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { completeFulfilmentStep, type FulfilmentContext } from '../orders/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { type DriverDelivery, driverNamed, manualDriver, selectDriver } from './drivers/index.ts';
import { backupDeadline } from './provisioning.backup.ts';
import { releaseTestEnvironments } from './provisioning.orders.ts';
import * as repo from './provisioning.repository.ts';
import type { WorkOrderDetails, WorkOrderStatus } from './provisioning.table.ts';

/**
 * A disputed receipt goes back to the provider, who answers with a corrected receipt within this many
 * working days (the regulations set no number; 2 working days matches the shortest fulfilment deadlines,
 * TZ 10). See docs/decisions.md.
 */
/** The working days a provider has to answer a dispute: the pack's `defaults.disputeWorkingDays` (platform default). */
export async function disputeWorkingDays(trx: Trx, code: string): Promise<number> {
  return (await effectivePolicy(trx, code)).defaults.disputeWorkingDays.value ?? 0;
}

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

/** A trial's expiry: the day after its last calendar day, counted from the day after delivery (00:00 ends it). */
const trialExpiresOn = (deliveredAt: Date, calendarDays: number): string =>
  addDays(shanghaiDay(deliveredAt), calendarDays + 1);

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

// ------------------------------------------------------------------------------------------ reads

type WorkOrderFound = NonNullable<Awaited<ReturnType<typeof repo.findWorkOrder>>>;

/**
 * Whether the work order waits on its provider past the provider's deadline: open past its due time, or
 * disputed past the answer deadline (or already marked so by the sweeper).
 */
export function workOrderOverdue(
  w: Pick<WorkOrderFound, 'status' | 'due_at' | 'dispute_due_at' | 'dispute_overdue_since'>,
  now: Date,
): boolean {
  if (w.status === 'disputed') {
    return w.dispute_overdue_since !== null || (!!w.dispute_due_at && now.getTime() > w.dispute_due_at.getTime());
  }
  return w.status === 'open' && !!w.due_at && now.getTime() > w.due_at.getTime();
}

const toWorkOrder = (
  w: Omit<WorkOrderFound, 'consent_by_name' | 'waived_by_name'> &
    Partial<Pick<WorkOrderFound, 'consent_by_name' | 'waived_by_name'>>,
  now: Date,
) => ({
  id: w.id,
  organisationId: w.organisation_id,
  jurisdictionId: w.jurisdiction_id,
  providerId: w.provider_id,
  providerName: w.provider_name ?? null,
  orderId: w.order_id,
  stepKey: w.step_key,
  action: w.action,
  zone: w.zone,
  driver: w.driver,
  status: w.status,
  dueAt: w.due_at?.toISOString() ?? null,
  disputeDueAt: w.dispute_due_at?.toISOString() ?? null,
  disputeOverdueSince: w.dispute_overdue_since?.toISOString() ?? null,
  overdue: workOrderOverdue(w, now),
  details: w.details,
  backupConfirmedAt: w.backup_confirmed_at?.toISOString() ?? null,
  backupConfirmedBy: w.backup_confirmed_by,
  backupDueAt: w.backup_due_at?.toISOString() ?? null,
  backupDueDay: w.backup_due_day,
  backupOverdueSince: w.backup_overdue_since?.toISOString() ?? null,
  backupConsent: w.backup_consent_at
    ? {
        by: w.backup_consent_by,
        byName: w.consent_by_name ?? w.backup_consent_by,
        at: w.backup_consent_at.toISOString(),
        comment: w.backup_consent_comment,
      }
    : null,
  backupWaived: w.backup_waived_at
    ? {
        by: w.backup_waived_by,
        byName: w.waived_by_name ?? w.backup_waived_by,
        at: w.backup_waived_at.toISOString(),
        comment: w.backup_waiver_comment,
      }
    : null,
  completedAt: w.completed_at?.toISOString() ?? null,
  createdAt: w.created_at.toISOString(),
});

export type WorkOrder = ReturnType<typeof toWorkOrder>;

export async function listWorkOrders(
  trx: Trx,
  auth: AuthContext,
  query: { status?: WorkOrderStatus; orderId?: string; limit: number; offset: number },
  now: Date,
) {
  const { rows, total } = await repo.listWorkOrders(trx, auth.visibility, query);
  return { items: rows.map((w) => toWorkOrder(w, now)), total };
}

async function scoped(trx: Trx, auth: AuthContext, id: string, lock = false): Promise<WorkOrderFound> {
  const w = await repo.findWorkOrder(trx, auth.visibility, id, lock);
  if (!w) throw notFound(`work order ${id} / 工单不存在`);
  return w;
}

export async function getWorkOrder(trx: Trx, auth: AuthContext, id: string, now: Date) {
  const w = await scoped(trx, auth, id);
  const lines = await repo.workOrderLines(trx, id);
  const receipts = await repo.receiptsOf(trx, id);
  const rlines = await repo.receiptLines(
    trx,
    receipts.map((r) => r.id),
  );
  return {
    ...toWorkOrder(w, now),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      catalogueItemCode: l.catalogue_item_code,
      specification: l.specification as Record<string, unknown>,
      quantity: l.quantity,
      resourceId: l.resource_id,
      purpose: l.purpose,
      expiresOn: l.expires_on,
    })),
    receipts: receipts.map((r) => ({
      id: r.id,
      revision: r.revision,
      status: r.status,
      notes: r.notes,
      dataErased: r.data_erased,
      submittedAt: r.submitted_at.toISOString(),
      submittedBy: r.submitted_by,
      decidedAt: r.decided_at?.toISOString() ?? null,
      decidedBy: r.decided_by,
      lines: rlines
        .filter((x) => x.receipt_id === r.id)
        .map((x) => ({
          lineNo: x.line_no,
          workOrderLineNo: x.work_order_line_no,
          resourceId: x.resource_id,
          name: x.name,
          externalId: x.external_id,
          addresses: x.addresses as string[],
          specification: x.specification as Record<string, unknown>,
          quantities: x.quantities as Quantities,
          deliveredAt: x.delivered_at.toISOString(),
          notes: x.notes,
          dispute: x.dispute,
        })),
    })),
  };
}

export type WorkOrderDetail = Awaited<ReturnType<typeof getWorkOrder>>;

// ------------------------------------------------------------------------------------------ receipts

export interface ReceiptInput {
  notes?: string;
  /** reclaim: the provider confirms the data was erased (LZ 26) */
  dataErased?: boolean;
  lines: {
    workOrderLineNo: number;
    name: string;
    externalId?: string;
    addresses?: string[];
    specification?: Record<string, unknown>;
    quantities?: Quantities;
    deliveredAt: string;
    notes?: string;
  }[];
}

const isProvider = (auth: AuthContext, w: { provider_id: string }) =>
  auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(w.provider_id);
const isUnit = (auth: AuthContext, w: { organisation_id: string }) =>
  auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(w.organisation_id);

/** The provider's delivery receipt (交付回执单, JQ annex 3); a disputed one is answered with a new revision. */
export async function submitReceipt(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: ReceiptInput,
  now: Date,
): Promise<WorkOrderDetail> {
  const w = await scoped(trx, auth, id, true);
  if (!isProvider(auth, w)) throw notFound(`work order ${id} / 工单不存在`);
  await recordReceipt(trx, w, actor, auth.name, now, input);
  return getWorkOrder(trx, auth, id, now);
}

/** An IPv4 address in four decimal parts (10.1.4.30, not 10.1.4.300 nor 10.1.1030) or an IPv6 address. */
export function isIpAddress(text: string): boolean {
  const value = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return true;
  return value.includes(':') && ipaddr.IPv6.isValid(value);
}

/**
 * The one path of every delivery receipt, a provider's or a driver's: the work order must expect one; a
 * reclaim needs the unit's backup confirmation (SH 26) and the data erased (LZ 26); one receipt line per
 * resource; the receipt, the work order's new state, the audit entry and the unit's notice in the caller's
 * transaction. `w` is locked by the caller. Returns the revision.
 */
async function recordReceipt(
  trx: Trx,
  w: Pick<
    WorkOrderFound,
    | 'id'
    | 'organisation_id'
    | 'jurisdiction_id'
    | 'provider_id'
    | 'status'
    | 'action'
    | 'driver'
    | 'backup_confirmed_at'
    | 'backup_waived_at'
    | 'due_at'
    | 'dispute_due_at'
    | 'dispute_overdue_since'
    | 'details'
  >,
  actor: Actor,
  submittedBy: string,
  now: Date,
  input: ReceiptInput,
): Promise<number> {
  const id = w.id;
  if (w.status !== 'open' && w.status !== 'disputed') {
    throw new AppError('conflict', `the work order is ${w.status}: no receipt is expected / 工单当前不接受回执`);
  }
  if ((w.action === 'reclaim' || w.details.backupFirst) && !w.backup_confirmed_at && !w.backup_waived_at) {
    throw new AppError(
      'conflict',
      'the unit has not confirmed backup and data migration yet (SH 26) / 使用单位尚未确认备份和数据迁移',
    );
  }
  if (w.action === 'reclaim') {
    if (!input.dataErased)
      throw invalid('body.dataErased', 'the data must be erased before reclaiming (LZ 26) / 须确认数据已清除');
  }
  const lines = await repo.workOrderLines(trx, id);
  const byNo = new Map(lines.map((l) => [l.line_no, l]));
  const counts = new Map<number, number>();
  const parsed = input.lines.map((l, i) => {
    const wl = byNo.get(l.workOrderLineNo);
    if (!wl) throw invalid(`body.lines.${i}.workOrderLineNo`, `no line ${l.workOrderLineNo} on this work order`);
    const at = new Date(l.deliveredAt);
    if (Number.isNaN(at.getTime())) throw invalid(`body.lines.${i}.deliveredAt`, 'must be a date-time');
    if (at > now) throw invalid(`body.lines.${i}.deliveredAt`, 'must not lie in the future / 交付时间不能晚于当前');
    (l.addresses ?? []).forEach((address, j) => {
      if (!isIpAddress(address)) {
        throw invalid(
          `body.lines.${i}.addresses.${j}`,
          `${address} is not an IP address / 不是有效的 IP 地址（如 10.1.4.30 或 IPv6 地址）`,
        );
      }
    });
    counts.set(l.workOrderLineNo, (counts.get(l.workOrderLineNo) ?? 0) + 1);
    return { l, wl, at };
  });
  for (const wl of lines) {
    const want = wl.resource_id ? 1 : wl.quantity;
    if ((counts.get(wl.line_no) ?? 0) !== want) {
      throw invalid(
        'body.lines',
        `line ${wl.line_no} needs ${want} delivered resource(s), got ${counts.get(wl.line_no) ?? 0} / 回执行数与工单不符`,
      );
    }
  }
  const receipts = await repo.receiptsOf(trx, id);
  const revision = receipts.length + 1;
  const rows = [];
  for (const [i, { l, wl, at }] of parsed.entries()) {
    const spec = l.specification ?? (wl.specification as Record<string, unknown>);
    const quantities = l.quantities ?? (await itemQuantities(trx, w.jurisdiction_id, wl.catalogue_item_code, at, spec));
    rows.push({
      line_no: i + 1,
      work_order_line_no: wl.line_no,
      resource_id: wl.resource_id,
      name: l.name,
      external_id: l.externalId ?? null,
      addresses: l.addresses ?? [],
      specification: spec,
      quantities,
      delivered_at: at,
      notes: l.notes ?? null,
    });
  }
  const receiptId = await repo.insertReceipt(
    trx,
    {
      work_order_id: id,
      organisation_id: w.organisation_id,
      jurisdiction_id: w.jurisdiction_id,
      provider_id: w.provider_id,
      revision,
      notes: input.notes ?? null,
      data_erased: !!input.dataErased,
      submitted_at: now,
      submitted_by: submittedBy,
    },
    rows,
  );
  // The answer to a dispute ends it: the overdue mark goes with the deadline (the audit keeps the lateness).
  const answeredLate = w.status === 'disputed' ? workOrderOverdue(w, now) : undefined;
  await repo.updateWorkOrder(trx, id, {
    status: 'submitted',
    dispute_due_at: null,
    dispute_overdue_since: null,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'delivery_receipt.submitted',
    objectType: 'work_order',
    objectId: id,
    detail: {
      receiptId,
      revision,
      lines: rows.length,
      dataErased: !!input.dataErased,
      driver: w.driver,
      ...(answeredLate === undefined ? {} : { disputeAnsweredLate: answeredLate }),
    },
  });
  await notify(trx, {
    jurisdictionId: w.jurisdiction_id,
    to: { organisationId: w.organisation_id },
    kind: 'delivery_receipt.submitted',
    title: {
      zh: `交付回执待确认：${w.details.orderNo ?? ''}`,
      en: `Delivery receipt to confirm: ${w.details.orderNo ?? ''}`,
    },
    link: `/work-orders/${id}`,
    entity: { type: 'work_order', id },
    occurredAt: now,
  });
  return revision;
}

async function currentReceipt(trx: Trx, id: string) {
  const receipts = await repo.receiptsOf(trx, id);
  const last = receipts[receipts.length - 1];
  if (last?.status !== 'submitted') throw new AppError('conflict', 'no receipt awaits a decision / 没有待确认的回执');
  return last;
}

/**
 * The unit confirms the receipt: new resources are created and delivered (events, first spec interval),
 * changed ones resized, reclaimed ones ended; the work order completes, and when every work order of the
 * step has, the order's fulfilment step is completed.
 */
export async function confirmReceipt(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<WorkOrderDetail> {
  const w = await scoped(trx, auth, id, true);
  // A reclaim that went ahead without the unit's backup (the authority consented, the ops unit proceeded) is not
  // left waiting on the unit's confirmation either: the ops unit confirms the provider's receipt.
  const opsProceeds = w.backup_waived_at !== null && auth.roles.includes('ops_reviewer');
  if (!isUnit(auth, w) && !opsProceeds)
    throw new AppError('forbidden', 'only the using unit confirms its delivery receipt / 仅使用单位可确认回执');
  if (w.status !== 'submitted') throw new AppError('conflict', `the work order is ${w.status} / 工单状态不允许确认`);
  const receipt = await currentReceipt(trx, id);
  const lines = await repo.receiptLines(trx, [receipt.id]);
  const wlines = new Map((await repo.workOrderLines(trx, id)).map((l) => [l.line_no, l]));
  const reference = `${w.details.orderNo ?? w.order_id}/receipt-${receipt.revision}`;
  for (const l of lines) {
    const wl = wlines.get(l.work_order_line_no);
    if (!wl) continue;
    const spec = l.specification as Record<string, unknown>;
    const quantities = l.quantities as Quantities;
    // A hand-over (JQ 19 backup extraction) delivers data, not a resource: the receipt is the record.
    if (w.action === 'handover') continue;
    if (w.action === 'reclaim') {
      if (wl.resource_id) {
        await recordResourceEvent(trx, actor, {
          resourceId: wl.resource_id,
          kind: 'reclaimed',
          occurredAt: l.delivered_at,
          source: 'receipt',
          reference,
        });
      }
    } else if (wl.resource_id) {
      await recordResourceEvent(trx, actor, {
        resourceId: wl.resource_id,
        kind: 'resized',
        occurredAt: l.delivered_at,
        specification: spec,
        quantities,
        source: 'receipt',
        reference,
      });
    } else {
      const r = await createResource(trx, {
        organisation_id: w.organisation_id,
        jurisdiction_id: w.jurisdiction_id,
        provider_id: w.provider_id,
        system_id: wl.system_id,
        project_id: wl.project_id,
        order_id: w.order_id,
        catalogue_item_code: wl.catalogue_item_code,
        zone: w.zone,
        name: l.name,
        external_id: l.external_id,
        addresses: JSON.stringify(l.addresses),
        purpose: wl.purpose as never,
        specification: JSON.stringify(spec),
        // A trial runs from delivery for the pack's trial period; an order's term is adopted below.
        expires_on:
          wl.expires_on ??
          (wl.purpose === 'trial' && w.details.trialCalendarDays
            ? trialExpiresOn(l.delivered_at, w.details.trialCalendarDays)
            : null),
      });
      await recordResourceEvent(trx, actor, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: l.delivered_at,
        specification: spec,
        quantities,
        source: 'receipt',
        reference,
      });
      await repo.setReceiptLine(trx, receipt.id, l.line_no, { resource_id: r.id });
    }
  }
  await repo.decideReceipt(trx, receipt.id, { status: 'confirmed', decided_at: now, decided_by: auth.name });
  await repo.updateWorkOrder(trx, id, {
    status: 'completed',
    completed_at: now,
    dispute_due_at: null,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'delivery_receipt.confirmed',
    objectType: 'work_order',
    objectId: id,
    detail: { receiptId: receipt.id, revision: receipt.revision, lines: lines.length },
  });
  const siblings = await repo.workOrdersOfStep(trx, w.order_id, w.step_key);
  if (siblings.every((s) => s.status === 'completed')) {
    // The provider delivered when its last confirmed receipt arrived, whenever the unit confirmed it.
    const arrivals = await Promise.all(
      siblings.map(async (s) => {
        const confirmed = (await repo.receiptsOf(trx, s.id)).filter((r) => r.status === 'confirmed');
        return confirmed[confirmed.length - 1]?.submitted_at ?? now;
      }),
    );
    const deliveredAt = new Date(Math.max(...arrivals.map((d) => d.getTime())));
    await completeFulfilmentStep(trx, actor, {
      orderId: w.order_id,
      stepKey: w.step_key,
      outcome: 'done',
      comment: `交付回执已确认 / delivery receipt confirmed (${reference})`,
      now,
      deliveredAt,
    });
    // Formally opened: the test (trial) environment beside it is released (SH 19, LZ 21(4)-(5)).
    if (w.action === 'open') {
      await releaseTestEnvironments(trx, SYSTEM_ACTOR, {
        orderId: w.order_id,
        orderNo: w.details.orderNo ?? undefined,
        now,
      });
    }
  }
  // A time-limited order's term runs from allocation (SH 22-24: 自资源配置之日起): the orders module dates its
  // expiry when this very confirmation completes it, after the resources above were created without one.
  await repo.adoptOrderExpiry(trx, w.order_id, now);
  return getWorkOrder(trx, auth, id, now);
}

/** The unit disputes lines of the receipt: it goes back to the provider with its own deadline. */
export async function disputeReceipt(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { lines: { lineNo: number; reason: string }[] },
  now: Date,
): Promise<WorkOrderDetail> {
  const w = await scoped(trx, auth, id, true);
  if (!isUnit(auth, w))
    throw new AppError('forbidden', 'only the using unit disputes its delivery receipt / 仅使用单位可提出异议');
  if (w.status !== 'submitted')
    throw new AppError('conflict', `the work order is ${w.status} / 工单状态不允许提出异议`);
  const receipt = await currentReceipt(trx, id);
  const lines = new Set((await repo.receiptLines(trx, [receipt.id])).map((l) => l.line_no));
  if (input.lines.length === 0) throw invalid('body.lines', 'name at least one disputed line / 请至少指出一行');
  for (const [i, d] of input.lines.entries()) {
    if (!lines.has(d.lineNo)) throw invalid(`body.lines.${i}.lineNo`, `no line ${d.lineNo} on the receipt`);
    await repo.setReceiptLine(trx, receipt.id, d.lineNo, { dispute: d.reason });
  }
  const code = await repo.jurisdictionCode(trx, w.jurisdiction_id);
  const deadline = await addWorkingDays(trx, code, now, await disputeWorkingDays(trx, code));
  const due = new Date(deadline.due);
  await repo.decideReceipt(trx, receipt.id, { status: 'disputed', decided_at: now, decided_by: auth.name });
  await repo.updateWorkOrder(trx, id, {
    status: 'disputed',
    dispute_due_at: due,
    dispute_overdue_since: null,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'delivery_receipt.disputed',
    objectType: 'work_order',
    objectId: id,
    detail: { receiptId: receipt.id, revision: receipt.revision, lines: input.lines, dueAt: due.toISOString() },
  });
  await notify(trx, {
    jurisdictionId: w.jurisdiction_id,
    to: { organisationId: w.provider_id, role: 'provider_operator' },
    kind: 'delivery_receipt.disputed',
    title: {
      zh: `交付回执有异议：${w.details.orderNo ?? ''}`,
      en: `Delivery receipt disputed: ${w.details.orderNo ?? ''}`,
    },
    body: {
      zh: `请于 ${deadline.dueDay} 前重新提交回执。`,
      en: `Submit a corrected receipt by ${deadline.dueDay}.`,
    },
    link: `/work-orders/${id}`,
    entity: { type: 'work_order', id },
    occurredAt: now,
  });
  return getWorkOrder(trx, auth, id, now);
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
