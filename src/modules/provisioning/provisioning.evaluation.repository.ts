import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

// Facts against each provider for the efficiency evaluation (issue 17), read in the caller's transaction.

export interface ProviderDisputeFacts {
  providerId: string;
  /** delivery receipts the provider submitted in the window (each revision counts) */
  receipts: number;
  /** of those, disputed by the unit */
  disputed: number;
  /** of the disputes, not answered with a new receipt by their deadline (the work order's overdue mark) */
  disputesOverdue: number;
  /** reconciliation findings raised against the provider's inventory reports in the window */
  findings: number;
  /** of those, not resolved by their deadline */
  findingsOverdue: number;
}

export async function providerDisputes(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<ProviderDisputeFacts[]> {
  const { rows } = await sql<{
    provider_id: string;
    receipts: number;
    disputed: number;
    disputes_overdue: number;
    findings: number;
    findings_overdue: number;
  }>`
    with receipts as (
      select r.provider_id, count(*)::int as receipts,
        count(*) filter (where r.status = 'disputed')::int as disputed,
        count(distinct r.work_order_id) filter (where r.status = 'disputed' and w.dispute_overdue_since is not null
          and w.dispute_overdue_since < ${to})::int as disputes_overdue
      from delivery_receipt r join work_order w on w.id = r.work_order_id
      where r.jurisdiction_id = ${jurisdictionId} and r.submitted_at >= ${from} and r.submitted_at < ${to}
      group by r.provider_id
    ), findings as (
      select provider_id, count(*)::int as findings,
        count(*) filter (where overdue_since is not null and overdue_since < ${to})::int as findings_overdue
      from inventory_finding
      where jurisdiction_id = ${jurisdictionId} and raised_at >= ${from} and raised_at < ${to}
      group by provider_id
    )
    select coalesce(r.provider_id, f.provider_id) as provider_id, coalesce(r.receipts, 0) as receipts,
      coalesce(r.disputed, 0) as disputed, coalesce(r.disputes_overdue, 0) as disputes_overdue,
      coalesce(f.findings, 0) as findings, coalesce(f.findings_overdue, 0) as findings_overdue
    from receipts r full join findings f on f.provider_id = r.provider_id
    order by 1`.execute(trx);
  return rows.map((r) => ({
    providerId: r.provider_id,
    receipts: r.receipts,
    disputed: r.disputed,
    disputesOverdue: r.disputes_overdue,
    findings: r.findings,
    findingsOverdue: r.findings_overdue,
  }));
}
