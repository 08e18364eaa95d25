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

/** SH 25 warnings of a unit measured in the window (issue 17): how many, answered by their deadline, how fast. */
export interface RectificationFacts {
  organisationId: string;
  /** warnings whose deadline fell in the window, or answered in it (withdrawn and reversed ones never count) */
  warnings: number;
  /** answered by the unit before the deadline and not sent back (responded or accepted) */
  onTime: number;
  /** summed hours from the warning to the unit's answer, over the ones answered on time (whole hours, floored) */
  answerHours: number;
}

export async function rectificationFacts(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<RectificationFacts[]> {
  const { rows } = await sql<{ organisation_id: string; warnings: number; on_time: number; answer_hours: number }>`
    with r as (
      select organisation_id, warned_at, due_at, responded_at,
        (status in ('responded', 'accepted') and responded_at is not null and responded_at < ${to}
          and responded_at <= due_at) as on_time
      from rectification
      where jurisdiction_id = ${jurisdictionId} and warned_at is not null and warned_at < ${to}
        and status not in ('withdrawn', 'reversed') and due_at >= ${from}
    )
    select organisation_id, count(*)::int as warnings, count(*) filter (where on_time)::int as on_time,
      coalesce(sum(floor(extract(epoch from responded_at - warned_at) / 3600)) filter (where on_time), 0)::int
        as answer_hours
    from r where due_at < ${to} or on_time
    group by organisation_id order by organisation_id`.execute(trx);
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    warnings: r.warnings,
    onTime: r.on_time,
    answerHours: r.answer_hours,
  }));
}
