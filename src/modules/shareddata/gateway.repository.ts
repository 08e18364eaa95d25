import { CompiledQuery } from 'kysely';
import { PREPARED_MARK } from '../../platform/db/prepared.ts';
import { hitStatement } from '../../platform/http/rate-limit.ts';
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

/** The lookup and the rate count of a call as two CTEs (`target`, `counted`), their parameters' texts given. */
const TARGET_AND_COUNT = (consumer: string, resource: string, windowStart: string, today: string, also: string) => `
    target as (
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
        where x.resource_id = r.id and x.consumer_organisation_id = ${consumer}
          and x.status in ('active', 'revoked')
        order by x.status = 'active' desc, x.ended_at desc nulls last
        limit 1
      ) g on true
      where r.id = ${resource} ${also}
    ), counted as (
      insert into data_rate_window (grant_id, window_start, calls)
      select grant_id, ${windowStart}, 1 from target
      where grant_status = 'active' and rate_limit_per_minute is not null and withdrawn_at is null
        and (valid_from is null or valid_from <= ${today}::date)
        and (valid_to is null or valid_to >= ${today}::date)
      on conflict (grant_id, window_start) do update set calls = data_rate_window.calls + 1
      returning calls
    )`;

const CALL_TARGET = `${PREPARED_MARK}
    with ${TARGET_AND_COUNT('$2::uuid', '$1::uuid', '$3::timestamptz', '$4', '')}
    select target.*, (select calls from counted) as calls from target`;

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
  const { rows } = await db.executeQuery<CountedCallTarget>(
    CompiledQuery.raw(CALL_TARGET, [resourceId, consumerId, windowStart, today]),
  );
  const row = rows[0];
  return row ? { ...row, calls: row.calls === null ? null : Number(row.calls) } : undefined;
}

/** The token `token_for_call` (identity, migration 0252) gave: absent when the bearer's token is not valid. */
export interface CallToken {
  token_id: string | null;
  token_name: string;
  token_scopes: string[];
  token_last_used_at: Date | null;
  token_organisation_id: string;
  token_organisation_type: string;
  token_jurisdiction_id: string;
  token_issuer_roles: string[];
  token_organisation_tree: string[];
  /** whether SQL admitted the call (scope and issuer): only then was anything below looked up or counted */
  admitted: boolean;
  /** the token's machine calls in its window, this one included (null when not admitted) */
  machine_count: number | null;
  machine_ttl_ms: number | null;
}

export type TokenCallTarget = CallToken & Partial<CountedCallTarget>;

const TOKEN_COLUMNS = `tok.id as token_id, tok.name as token_name, tok.scopes as token_scopes,
      tok.last_used_at as token_last_used_at, tok.organisation_id as token_organisation_id,
      tok.organisation_type as token_organisation_type, tok.jurisdiction_id as token_jurisdiction_id,
      tok.issuer_roles as token_issuer_roles, tok.organisation_tree as token_organisation_tree`;

/**
 * A gateway call in one statement (one round trip before the provider is called): the bearer's token checked by
 * identity's `token_for_call` (secret hash, revocation, expiry), the call admitted in SQL when the token carries the
 * scope and its issuer holds one of `issuerRoles` (what lets an issuer grant it), and only then the lookup and the
 * grant's rate count of `callTarget`; the token's machine-call counter (`rate_limit_bucket`, as the request hooks'
 * limit) hit when the call is admitted, the grant's lookup and count only when that counter is within
 * `machine.max` (the order the request hooks had: authentication, permission, machine limit, then the route). A
 * wrong secret, a revoked or expired token: no row of the token; without the scope or the issuer's role: nothing
 * looked up or counted. One fixed text, built once: no query builder on the path.
 */
const WITH_TOKEN = `${PREPARED_MARK}
    with tok as (
      select * from token_for_call($1::uuid, $2::text, $3::timestamptz)
    ), admitted as (
      select tok.id from tok where $4::text = any(tok.scopes) and tok.issuer_roles && $5::text[]
    ), machine as (
      ${hitStatement(`$4::text || ':token:' || admitted.id`, '$9::text', 'admitted')}
    ), ${TARGET_AND_COUNT('(select tok.organisation_id from tok)', '$6::uuid', '$7::timestamptz', '$8', 'and (select count from machine) <= $10::integer')}
    select ${TOKEN_COLUMNS}, exists (select 1 from admitted) as admitted,
      machine.count as machine_count, machine.ttl_ms as machine_ttl_ms, target.*, (select calls from counted) as calls
    from (select 1) one left join tok on true left join machine on true left join target on true`;

export async function callTargetForToken(
  db: Db,
  token: { id: string; hash: string; at: Date },
  admission: { scope: string; issuerRoles: readonly string[] },
  resourceId: string,
  windowStart: Date,
  today: string,
  machine: { windowMs: number; max: number },
): Promise<TokenCallTarget> {
  const parameters: unknown[] = [
    token.id,
    token.hash,
    token.at,
    admission.scope,
    admission.issuerRoles,
    resourceId,
    windowStart,
    today,
    `${machine.windowMs} milliseconds`,
    machine.max,
  ];
  const { rows } = await db.executeQuery<TokenCallTarget>(CompiledQuery.raw(WITH_TOKEN, parameters));
  const row = rows[0] as TokenCallTarget;
  return {
    ...row,
    calls: row.calls === null || row.calls === undefined ? null : Number(row.calls),
    machine_count: row.machine_count === null ? null : Number(row.machine_count),
    machine_ttl_ms: row.machine_ttl_ms === null ? null : Number(row.machine_ttl_ms),
  };
}

/**
 * One call's trace. Written as fixed text rather than through the query builder, which rebuilt and compiled the
 * twenty-column insert on every call (a third of the garbage a gateway call left outside the database driver); the
 * text is built once, not even compiled from a template per call.
 */
export async function insertTrace(db: Db, t: Omit<DataCallTraceTable, 'id'>): Promise<string> {
  const { rows } = await db.executeQuery<{ id: string }>(
    CompiledQuery.raw(INSERT_TRACE, [
      t.occurred_at,
      t.jurisdiction_id,
      t.provider_organisation_id,
      t.consumer_organisation_id,
      t.consumer_jurisdiction_id,
      t.resource_id,
      t.resource_name,
      t.provider_name,
      t.consumer_name,
      t.grant_id,
      t.token_id,
      t.token_name,
      t.purpose,
      t.fields,
      t.parameters,
      t.record_count,
      t.outcome,
      t.status_code,
      t.duration_ms,
      t.request_id,
    ]),
  );
  return String((rows[0] as { id: string }).id);
}

const INSERT_TRACE = `${PREPARED_MARK}
    insert into data_call_trace (occurred_at, jurisdiction_id, provider_organisation_id, consumer_organisation_id,
      consumer_jurisdiction_id, resource_id, resource_name, provider_name, consumer_name, grant_id, token_id,
      token_name, purpose, fields, parameters, record_count, outcome, status_code, duration_ms, request_id)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
    returning id`;

/** Rate windows older than `before` are of no use any more. */
export async function pruneRateWindows(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('data_rate_window').where('window_start', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
