import { sql } from 'kysely';
import { prepared } from '../../platform/db/prepared.ts';
import type { Db } from '../../schema.ts';
import type {
  DataCallTraceTable,
  DataField,
  DataFormat,
  Delivery,
  GrantStatus,
  SharingType,
} from './shareddata.table.ts';

// The gateway's SQL. It runs outside tenant transactions (the caller is a machine; every lookup is keyed by
// the authenticated consuming unit), in as few statements as a call allows: one lookup that also counts the call
// against the grant's rate, and one trace.

export interface CallTarget {
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  withdrawn_at: Date | null;
  name: string;
  provider_name: string;
  sharing_type: SharingType;
  fields: DataField[];
  format: DataFormat;
  delivery: Delivery;
  endpoint_url: string | null;
  header_name: string | null;
  sealed_value: string | null;
  grant_id: string | null;
  grant_status: GrantStatus | null;
  granted_fields: string[] | null;
  valid_from: string | null;
  valid_to: string | null;
  rate_limit_per_minute: number | null;
  purpose: string | null;
  consumer_name: string | null;
}

/** What decides a call, and the grant's count in the current minute when the call was counted. */
export interface CountedCallTarget extends CallTarget {
  /** calls in the minute including this one; null when not counted (no grant in force, or no rate limit) */
  calls: number | null;
}

/**
 * The published version of a resource, the provider's credential, and the consuming unit's grant that decides
 * the call: the one in force, else the most recently ended by revocation. Undefined when nothing is published.
 * In the same statement, a call under a grant in force on `today` with a rate limit is counted in the grant's
 * minute starting at `windowStart`: every call made under a grant in force counts, whatever its answer.
 */
export async function callTarget(
  db: Db,
  resourceId: string,
  consumerId: string,
  windowStart: Date,
  today: string,
): Promise<CountedCallTarget | undefined> {
  const { rows } = await sql<CountedCallTarget>`${prepared}
    with target as (
      select r.id as resource_id, r.organisation_id, r.jurisdiction_id, r.withdrawn_at,
        v.name, v.provider_name, v.sharing_type, v.fields, v.format, v.delivery, v.endpoint_url,
        c.header_name, c.sealed_value,
        g.id as grant_id, g.status as grant_status, g.granted_fields, g.valid_from, g.valid_to,
        g.rate_limit_per_minute, g.purpose, g.consumer_name
      from data_resource r
      join data_resource_version v on v.resource_id = r.id and v.version = r.published_version
      left join data_resource_credential c on c.resource_id = r.id
      left join lateral (
        select * from data_grant x
        where x.resource_id = r.id and x.consumer_organisation_id = ${consumerId}
          and x.status in ('active', 'revoked')
        order by x.status = 'active' desc, x.ended_at desc nulls last
        limit 1
      ) g on true
      where r.id = ${resourceId}
    ), counted as (
      insert into data_rate_window (grant_id, window_start, calls)
      select grant_id, ${windowStart}, 1 from target
      where grant_status = 'active' and rate_limit_per_minute is not null and withdrawn_at is null
        and (valid_from is null or valid_from <= ${today}::date)
        and (valid_to is null or valid_to >= ${today}::date)
      on conflict (grant_id, window_start) do update set calls = data_rate_window.calls + 1
      returning calls
    )
    select target.*, (select calls from counted) as calls from target`.execute(db);
  const row = rows[0];
  return row ? { ...row, calls: row.calls === null ? null : Number(row.calls) } : undefined;
}

export async function insertTrace(db: Db, values: Omit<DataCallTraceTable, 'id'>): Promise<string> {
  const row = await db
    .insertInto('data_call_trace')
    .values(values)
    .returning('id')
    .modifyEnd(prepared)
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Rate windows older than `before` are of no use any more. */
export async function pruneRateWindows(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('data_rate_window').where('window_start', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
