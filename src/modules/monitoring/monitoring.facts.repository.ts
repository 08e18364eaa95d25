import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

// Facts for the efficiency evaluation (issue 17, LZ 30(1) 云资源使用效率, SH 33): read in the caller's transaction.

export interface EfficiencyFacts {
  organisationId: string;
  /** resources with a monitoring agent */
  monitored: number;
  /** idle (low utilisation) and zombie findings first detected in the window */
  findings: number;
  /** of those, still not resolved or cleared at the end of the window */
  unresolved: number;
}

export async function efficiencyFacts(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<EfficiencyFacts[]> {
  const { rows } = await sql<{ organisation_id: string; monitored: number; findings: number; unresolved: number }>`
    with agents as (
      select organisation_id, count(*)::int as monitored from monitoring_agent
      where jurisdiction_id = ${jurisdictionId} group by organisation_id
    ), found as (
      select organisation_id, count(*)::int as findings,
        count(*) filter (where status not in ('resolved', 'cleared')
          or (status in ('resolved', 'cleared') and updated_at >= ${to}))::int as unresolved
      from monitoring_finding
      where jurisdiction_id = ${jurisdictionId} and rule in ('low_utilisation', 'zombie')
        and first_detected_at >= ${from} and first_detected_at < ${to}
      group by organisation_id
    )
    select coalesce(a.organisation_id, f.organisation_id) as organisation_id, coalesce(a.monitored, 0) as monitored,
      coalesce(f.findings, 0) as findings, coalesce(f.unresolved, 0) as unresolved
    from agents a full join found f on f.organisation_id = a.organisation_id`.execute(trx);
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    monitored: r.monitored,
    findings: r.findings,
    unresolved: r.unresolved,
  }));
}
