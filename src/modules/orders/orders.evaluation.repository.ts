import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

// Facts of the units' own conduct for the efficiency evaluation (issue 17), read in the caller's transaction.

/** Steps a unit acts on itself (acting_organisation_id) with a deadline, measured on its own time in the window. */
export interface UnitStepDeadlineFacts {
  organisationId: string;
  /** acted on in the window, or still open with the deadline passed in the window */
  steps: number;
  /** of those, acted on by their deadline (the step's own met_deadline) */
  onTime: number;
}

export async function unitStepDeadlines(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<UnitStepDeadlineFacts[]> {
  const { rows } = await sql<{ organisation_id: string; steps: number; on_time: number }>`
    select acting_organisation_id as organisation_id, count(*)::int as steps,
      count(*) filter (where acted_at is not null and met_deadline)::int as on_time
    from order_step
    where jurisdiction_id = ${jurisdictionId} and acting_organisation_id is not null and due_at is not null
      and ((acted_at >= ${from} and acted_at < ${to})
        or (acted_at is null and status = 'open' and due_at >= ${from} and due_at < ${to}))
    group by acting_organisation_id order by acting_organisation_id`.execute(trx);
  return rows.map((r) => ({ organisationId: r.organisation_id, steps: r.steps, onTime: r.on_time }));
}

/** What each unit's completed orders consumed of its projects' quotas by `to`, per dimension (reclaims negative). */
export async function consumedQuota(
  trx: Trx,
  jurisdictionId: string,
  to: Date,
): Promise<{ organisationId: string; dimension: string; amount: string }[]> {
  const { rows } = await sql<{ organisation_id: string; dimension: string; amount: string }>`
    select r.organisation_id, r.dimension, sum(r.amount)::text as amount
    from quota_reservation r join project p on p.id = r.project_id
    where r.jurisdiction_id = ${jurisdictionId} and r.status = 'consumed' and r.updated_at < ${to}
      and p.status = 'approved'
    group by r.organisation_id, r.dimension order by r.organisation_id, r.dimension`.execute(trx);
  return rows.map((r) => ({ organisationId: r.organisation_id, dimension: r.dimension, amount: r.amount }));
}
