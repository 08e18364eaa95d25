import type { AuthContext } from '../../platform/auth/auth.ts';
import { notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import type { Quantities } from '../inventory/index.ts';
import * as repo from './provisioning.repository.ts';
import type { WorkOrderStatus } from './provisioning.table.ts';

// Reading work orders: the API objects, the overdue rule, and who the caller is to a work order.

export type WorkOrderFound = NonNullable<Awaited<ReturnType<typeof repo.findWorkOrder>>>;

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

/** The work order in the caller's scope (locked when `lock`), else not found. */
export async function scoped(trx: Trx, auth: AuthContext, id: string, lock = false): Promise<WorkOrderFound> {
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

/** Whether the caller acts for the work order's provider. */
export const isProvider = (auth: AuthContext, w: { provider_id: string }) =>
  auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(w.provider_id);
/** Whether the caller acts for the work order's using unit. */
export const isUnit = (auth: AuthContext, w: { organisation_id: string }) =>
  auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(w.organisation_id);
