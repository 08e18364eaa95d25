import ipaddr from 'ipaddr.js';
import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { addDays, shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { createResource, itemQuantities, type Quantities, recordResourceEvent } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { completeFulfilmentStep } from '../orders/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { releaseTestEnvironments } from './provisioning.orders.ts';
import * as repo from './provisioning.repository.ts';
import {
  getWorkOrder,
  isProvider,
  isUnit,
  scoped,
  type WorkOrderDetail,
  type WorkOrderFound,
  workOrderOverdue,
} from './provisioning.work-orders.ts';

// Delivery receipts (交付回执单, JQ annex 3): a provider's or a driver's receipt recorded, and the unit's
// decision on it (confirm: resources created, changed or ended; dispute: back to the provider).
// The workbook and printable page of a receipt are provisioning.receipt.ts.

/**
 * A disputed receipt goes back to the provider, who answers with a corrected receipt within this many
 * working days (the regulations set no number; 2 working days matches the shortest fulfilment deadlines,
 * TZ 10). See docs/decisions.md.
 */
/** The working days a provider has to answer a dispute: the pack's `defaults.disputeWorkingDays` (platform default). */
export async function disputeWorkingDays(trx: Trx, code: string): Promise<number> {
  return (await effectivePolicy(trx, code)).defaults.disputeWorkingDays.value ?? 0;
}

/** A trial's expiry: the day after its last calendar day, counted from the day after delivery (00:00 ends it). */
const trialExpiresOn = (deliveredAt: Date, calendarDays: number): string =>
  addDays(shanghaiDay(deliveredAt), calendarDays + 1);
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
export async function recordReceipt(
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
