import { sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { Db, Trx } from '../../schema.ts';

// Availability measured by the agents' heartbeat (issue 18; JQ 11's 365x24 operation), for operations to show and
// report. A resource counts from the first hour its agent ever sent a heartbeat (and not before its delivery) to its
// reclaim or the end of the period. Each hour of that span is measured, except the seconds it lies inside an agreed
// maintenance window of the resource (the caller passes them in: planned, not counted against availability). In a
// measured hour the resource was down for the share of heartbeat samples that said 0; an hour without any sample is
// down in full (a silent agent is not evidence of service).

/** A span during which a resource was under planned maintenance. */
export interface PlannedSpan {
  resourceId: string;
  from: Date;
  to: Date;
}

export interface HeartbeatAvailabilityRow {
  resource_id: string;
  resource_name: string;
  organisation_id: string;
  unit_name: string | null;
  provider_id: string;
  provider_name: string | null;
  system_id: string | null;
  system_name: string | null;
  zone: string | null;
  /** seconds measured: the resource's span in the period minus its planned seconds */
  measured: string;
  down: string;
  planned: string;
  /** measured hours without any heartbeat sample */
  silent_hours: string;
}

const uuids = (ids: readonly string[]) => `{${ids.join(',')}}`;
const moments = (ds: readonly Date[]) => `{${ds.map((d) => `"${d.toISOString()}"`).join(',')}}`;

/** Per resource the caller sees (optionally one provider's) with heartbeat data: measured, down and planned seconds in [from, to). */
export async function heartbeatAvailability(
  trx: Trx | Db,
  v: Visibility,
  input: { from: Date; to: Date; providerId?: string | null; planned: readonly PlannedSpan[] },
): Promise<HeartbeatAvailabilityRow[]> {
  const { from, to, planned } = input;
  const visible =
    v.kind === 'jurisdiction'
      ? sql`r.jurisdiction_id = any(${uuids(v.jurisdictions)}::uuid[])`
      : sql`(r.organisation_id = any(${uuids(v.organisations)}::uuid[]) or r.provider_id = any(${uuids(v.organisations)}::uuid[]))`;
  const provider = input.providerId ? sql`and r.provider_id = ${input.providerId}::uuid` : sql``;
  const { rows } = await sql<HeartbeatAvailabilityRow>`
    with ex as (
      select e.resource_id, range_agg(tstzrange(e.f, e.t)) as m
      from unnest(${uuids(planned.map((p) => p.resourceId))}::uuid[],
                  ${moments(planned.map((p) => p.from))}::timestamptz[],
                  ${moments(planned.map((p) => p.to))}::timestamptz[]) as e(resource_id, f, t)
      where e.t > e.f
      group by e.resource_id
    ),
    res as (
      select r.id, r.name, r.organisation_id, r.provider_id, r.system_id, r.zone,
             greatest(${from}::timestamptz, fh.first_hour, r.delivered_at) as s,
             least(${to}::timestamptz, coalesce(r.reclaimed_at, ${to}::timestamptz)) as e
      from resource r
      cross join lateral (
        select min(mr.hour) as first_hour from monitoring_rollup mr
        where mr.resource_id = r.id and mr.metric = 'heartbeat'
      ) fh
      where fh.first_hour is not null and fh.first_hour < ${to}::timestamptz and ${visible} ${provider}
    ),
    hours as (
      select res.id, h, tstzrange(greatest(h, res.s), least(h + interval '1 hour', res.e)) as w
      from res, generate_series(date_trunc('hour', res.s), res.e - interval '1 microsecond', interval '1 hour') as h
      where res.e > res.s
    ),
    per_hour as (
      select hours.id,
             extract(epoch from upper(hours.w) - lower(hours.w)) as len,
             coalesce((select sum(extract(epoch from upper(x) - lower(x))) from unnest(ex.m * tstzmultirange(hours.w)) as x), 0) as planned,
             mr.count is null as silent,
             case when mr.count is null then 1 else 1 - least(1, greatest(0, mr.sum / mr.count)) end as down_share
      from hours
      left join ex on ex.resource_id = hours.id
      left join monitoring_rollup mr on mr.resource_id = hours.id and mr.metric = 'heartbeat' and mr.hour = hours.h
    ),
    per_resource as (
      select id, sum(len - planned) as measured, sum((len - planned) * down_share) as down, sum(planned) as planned,
             count(*) filter (where silent and len > planned) as silent_hours
      from per_hour group by id
    )
    select r.id as resource_id, r.name as resource_name, r.organisation_id, u.name as unit_name,
           r.provider_id, p.name as provider_name, r.system_id, s.name as system_name, r.zone,
           coalesce(pr.measured, 0)::text as measured, coalesce(pr.down, 0)::text as down,
           coalesce(pr.planned, 0)::text as planned, coalesce(pr.silent_hours, 0)::text as silent_hours
    from res r
    left join per_resource pr on pr.id = r.id
    left join organisation u on u.id = r.organisation_id
    left join organisation p on p.id = r.provider_id
    left join information_system s on s.id = r.system_id
    order by p.name, u.name, r.name, r.id`.execute(trx);
  return rows;
}
