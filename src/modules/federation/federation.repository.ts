import { type Kysely, sql, type Updateable } from 'kysely';
import type { DB } from '../../schema.ts';
import type { FederationPeerTable, PeerDirection, PeerRow } from './federation.table.ts';

type Q = Kysely<DB>;

// ---------------------------------------------------------------------------------------------------
// Identity and peers

export async function getIdentity(db: Q) {
  return db.selectFrom('federation_identity').selectAll().executeTakeFirst();
}

/** Creates the installation's identity once; a concurrent first call loses and reads the winner's. */
export async function insertIdentity(db: Q, privateKey: string, publicKey: string) {
  await db
    .insertInto('federation_identity')
    .values({ private_key: privateKey, public_key: publicKey })
    .onConflict((oc) => oc.column('singleton').doNothing())
    .execute();
  return db.selectFrom('federation_identity').selectAll().executeTakeFirstOrThrow();
}

export async function insertPeer(
  db: Q,
  values: {
    direction: PeerDirection;
    name: string;
    district_code: string;
    url: string | null;
    allowed_networks: string[];
    state: 'pending' | 'active';
    enrolment_code_hash?: string | null;
    enrolment_expires_at?: Date | null;
    peer_installation_id?: string | null;
    peer_public_key?: string | null;
    silence_minutes?: number;
    now: Date;
  },
): Promise<PeerRow> {
  const { now, allowed_networks, ...rest } = values;
  return db
    .insertInto('federation_peer')
    .values({ ...rest, allowed_networks: JSON.stringify(allowed_networks), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listPeers(db: Q, direction: PeerDirection): Promise<PeerRow[]> {
  return db
    .selectFrom('federation_peer')
    .selectAll()
    .where('direction', '=', direction)
    .where('state', '<>', 'revoked')
    .orderBy('district_code')
    .execute();
}

export async function getPeer(db: Q, id: string, lock = false): Promise<PeerRow | undefined> {
  let q = db.selectFrom('federation_peer').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function peerByInstallation(db: Q, direction: PeerDirection, installationId: string, lock = false) {
  let q = db
    .selectFrom('federation_peer')
    .selectAll()
    .where('direction', '=', direction)
    .where('peer_installation_id', '=', installationId)
    .where('state', '=', 'active');
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function pendingPeerByCode(db: Q, codeHash: string) {
  return db
    .selectFrom('federation_peer')
    .selectAll()
    .where('direction', '=', 'district')
    .where('state', '=', 'pending')
    .where('enrolment_code_hash', '=', codeHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function updatePeer(
  db: Q,
  id: string,
  set: Partial<{
    state: 'active' | 'revoked';
    peer_installation_id: string;
    peer_public_key: string;
    url: string | null;
    enrolment_code_hash: null;
    enrolment_expires_at: null;
    applied_seq: string | number;
    last_applied_at: Date;
    last_lag_ms: number;
    silent_since: Date | null;
    sealed_seq: string | number;
    acked_seq: string | number;
    attempts: number;
    next_attempt_at: Date | null;
    last_error: string | null;
    last_delivered_at: Date;
    catalogue_version: string | null;
  }>,
  now: Date,
) {
  await db
    .updateTable('federation_peer')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

// ---------------------------------------------------------------------------------------------------
// The reporting side: outbox and batches

/** A change that is not a row of a reported table (the catalogue version the district accepted). */
export async function insertOutbox(db: Q, source: string, key: string, payload: unknown) {
  await db
    .insertInto('federation_outbox')
    .values({ source, op: 'upsert', key, payload: JSON.stringify(payload) })
    .execute();
}

export async function outboxCount(db: Q): Promise<number> {
  const row = await db
    .selectFrom('federation_outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Takes up to `limit` of the oldest committed outbox rows out of the outbox (deleted in the caller's
 * transaction), coalesced to the last change of each row: the batch carries each row's state once. The changes
 * come back as the JSON text of the batch (an array of `Change`), written by the database: the rows are never
 * parsed into objects here.
 */
export async function takeOutbox(
  db: Q,
  limit: number,
): Promise<{ changes: string; count: number; oldest: Date | null }> {
  const { rows } = await sql<{ changes: string | null; count: number; oldest: Date | null }>`
    with taken as (
      delete from federation_outbox where id in (
        select id from federation_outbox order by id limit ${limit} for update skip locked)
      returning id, source, op, key, payload, created_at
    ), last as (
      select distinct on (source, key) id, source, op, key, payload from taken order by source, key, id desc
    )
    select
      (select json_agg(json_build_object('s', source, 'o', op, 'k', key,
        'p', case when op = 'delete' then null else payload end) order by id) from last)::text as changes,
      (select count(*) from last)::int as count,
      (select min(created_at) from taken) as oldest`.execute(db);
  const row = rows[0];
  return { changes: row?.changes ?? '[]', count: Number(row?.count ?? 0), oldest: row?.oldest ?? null };
}

export async function insertBatch(
  db: Q,
  values: {
    peer_id: string;
    seq: number;
    body: string;
    content_hash: string;
    change_count: number;
    oldest_change_at: Date;
    created_at: Date;
  },
) {
  await db.insertInto('federation_batch').values(values).execute();
}

/** The lowest sealed batch the city has not acknowledged. */
export async function firstUnacked(db: Q, peerId: string, ackedSeq: string) {
  return db
    .selectFrom('federation_batch')
    .select(['seq', 'body', 'change_count'])
    .where('peer_id', '=', peerId)
    .where('seq', '>', ackedSeq)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
}

export async function ackBatches(db: Q, peerId: string, upTo: string | number, now: Date) {
  await db
    .updateTable('federation_batch')
    .set({ acked_at: now })
    .where('peer_id', '=', peerId)
    .where('seq', '<=', String(upTo))
    .where('acked_at', 'is', null)
    .execute();
}

export async function batchCounts(db: Q, peerId: string) {
  const row = await db
    .selectFrom('federation_batch')
    .select((eb) => [eb.fn.countAll<string>().as('sealed'), eb.fn.count<string>('acked_at').as('acked')])
    .where('peer_id', '=', peerId)
    .executeTakeFirstOrThrow();
  return { sealed: Number(row.sealed), acked: Number(row.acked) };
}

// ---------------------------------------------------------------------------------------------------
// The receiving side

export async function receivedBatch(db: Q, peerId: string, seq: number) {
  return db
    .selectFrom('federation_received')
    .select(['seq', 'content_hash'])
    .where('peer_id', '=', peerId)
    .where('seq', '=', String(seq))
    .executeTakeFirst();
}

/**
 * Applies a batch's changes, given as the JSON text that was signed: one statement for the upserts and the
 * deletes over the whole batch, parsed once by the database. A key that occurs twice counts with its last
 * change. Returns how many changes the batch carried and how many were malformed (the caller then rolls back).
 */
export async function applyChanges(
  db: Q,
  peerId: string,
  seq: number,
  changes: string,
): Promise<{ count: number; malformed: number }> {
  const { rows } = await sql<{ count: number; malformed: number }>`
    with input as (
      select case when jsonb_typeof(j) = 'array' then j else '[]'::jsonb end as j, jsonb_typeof(j) = 'array' as is_array
      from (select ${changes}::jsonb as j) t
    ), x as (
      select x.s, x.o, x.k, x.p, x.n
      from input, rows from (jsonb_to_recordset(input.j) as (s text, o text, k text, p jsonb)) with ordinality as x(s, o, k, p, n)
    ), c as (
      select distinct on (x.s, x.k) x.s, x.o, x.k, x.p from x
      where x.s is not null and x.k is not null and x.o in ('upsert', 'delete')
      order by x.s, x.k, x.n desc
    ), gone as (
      delete from federation_record r using c
      where c.o = 'delete' and r.peer_id = ${peerId} and r.source = c.s and r.key = c.k
    ), put as (
      insert into federation_record (peer_id, source, key, payload, seq)
      select ${peerId}, c.s, c.k, c.p, ${seq} from c where c.o = 'upsert'
      on conflict (peer_id, source, key) do update set payload = excluded.payload, seq = excluded.seq
    )
    select jsonb_array_length(input.j)::int as count,
      (case when input.is_array then 0 else 1 end + (select count(*) from x
        where x.s is null or x.k is null or x.o is null or x.o not in ('upsert', 'delete')
          or length(x.s) > 64 or length(x.k) > 300))::int as malformed
    from input`.execute(db);
  return { count: Number(rows[0]?.count ?? 0), malformed: Number(rows[0]?.malformed ?? 1) };
}

export async function insertReceived(
  db: Q,
  values: {
    peer_id: string;
    seq: number;
    content_hash: string;
    change_count: number;
    applied_at: Date;
    lag_ms: number;
  },
) {
  await db.insertInto('federation_received').values(values).execute();
}

export async function insertRefusal(
  db: Q,
  values: {
    peer_id: string | null;
    claimed_installation_id: string | null;
    seq: number | null;
    code: string;
    detail: string;
    received_at: Date;
  },
) {
  await db.insertInto('federation_refusal').values(values).execute();
}

export async function listRefusals(db: Q, peerId: string, limit: number) {
  return db
    .selectFrom('federation_refusal')
    .select(['code', 'detail', 'seq', 'received_at'])
    .where('peer_id', '=', peerId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export interface DistrictTotals {
  peer_id: string;
  resources: string;
  live_resources: string;
  events: string;
  rollups: string;
  rollup_samples: string;
  cpu_average: string | null;
  statements_fen: string;
  open_findings: string;
  batches: string;
  changes_applied: string;
  open_steps: string;
  overdue_steps: string;
}

/**
 * The per-district summary the city's console shows: counts of what the district reported, the average
 * of its cpu rollups (sum/count over all reported hours), its settlement totals (fen, exact) and findings.
 */
export async function districtTotals(db: Q, peerIds: string[], now: Date): Promise<DistrictTotals[]> {
  if (peerIds.length === 0) return [];
  const { rows } = await sql<DistrictTotals>`
    select p.id as peer_id,
      count(*) filter (where r.source = 'resource')::text as resources,
      count(*) filter (where r.source = 'resource' and r.payload->>'state' <> 'reclaimed')::text as live_resources,
      count(*) filter (where r.source = 'resource_event')::text as events,
      count(*) filter (where r.source = 'monitoring_rollup')::text as rollups,
      coalesce(sum((r.payload->>'count')::bigint) filter (where r.source = 'monitoring_rollup'), 0)::text as rollup_samples,
      (sum((r.payload->>'sum')::numeric) filter (where r.source = 'monitoring_rollup' and r.payload->>'metric' = 'cpu')
        / nullif(sum((r.payload->>'count')::numeric) filter (where r.source = 'monitoring_rollup' and r.payload->>'metric' = 'cpu'), 0)
      )::numeric(20, 4)::text as cpu_average,
      coalesce(sum((r.payload->>'total_fen')::bigint) filter (where r.source = 'statement'), 0)::text as statements_fen,
      count(*) filter (where r.source = 'monitoring_finding' and r.payload->>'status' in ('open', 'in_rectification', 'escalated'))::text as open_findings,
      count(*) filter (where r.source = 'order_step' and r.payload->>'status' = 'open')::text as open_steps,
      -- the orders module's test (overdueSteps): marked by the district's sweeper, or past due and not yet acted on
      count(*) filter (where r.source = 'order_step' and r.payload->>'status' = 'open' and (
        r.payload->>'overdue_since' is not null or (
          (r.payload->>'due_at')::timestamptz < ${now} and r.payload->>'decision' is null
          and (r.payload->>'delivered_at' is null
            or (r.payload->>'delivered_at')::timestamptz > (r.payload->>'due_at')::timestamptz))))::text as overdue_steps,
      (select count(*) from federation_received x where x.peer_id = p.id)::text as batches,
      (select coalesce(sum(x.change_count), 0) from federation_received x where x.peer_id = p.id)::text as changes_applied
    from unnest(${peerIds}::uuid[]) as p(id)
      left join federation_record r on r.peer_id = p.id
    group by p.id`.execute(db);
  return rows;
}

/** Peers on the city side that have been silent past their limit and are not yet marked silent. */
export async function newlySilent(db: Q, now: Date) {
  return db
    .selectFrom('federation_peer')
    .select(['id', 'name', 'district_code', 'last_applied_at', 'silence_minutes'])
    .where('direction', '=', 'district')
    .where('state', '=', 'active')
    .where('silent_since', 'is', null)
    .where(sql<boolean>`coalesce(last_applied_at, updated_at) + silence_minutes * interval '1 minute' < ${now}`)
    .execute();
}

export async function markSilent(db: Q, ids: string[], now: Date) {
  if (ids.length === 0) return;
  await db.updateTable('federation_peer').set({ silent_since: now }).where('id', 'in', ids).execute();
}

// ---------------------------------------------------------------------------------------------------
// Catalogue versions pushed down

export async function upsertCatalogue(
  db: Q,
  values: { peer_id: string; version: string; content: unknown; content_hash: string; received_at: Date },
) {
  await db
    .insertInto('federation_catalogue')
    .values({ ...values, content: JSON.stringify(values.content) })
    .onConflict((oc) => oc.columns(['peer_id', 'version']).doNothing())
    .execute();
}

export async function listCatalogues(db: Q, peerId: string) {
  return db
    .selectFrom('federation_catalogue')
    .select(['version', 'content_hash', 'received_at', 'accepted_at', 'accepted_by'])
    .where('peer_id', '=', peerId)
    .orderBy('received_at', 'desc')
    .execute();
}

export async function acceptCatalogue(db: Q, peerId: string, version: string, by: string, now: Date) {
  const res = await db
    .updateTable('federation_catalogue')
    .set({ accepted_at: now, accepted_by: by })
    .where('peer_id', '=', peerId)
    .where('version', '=', version)
    .returning('version')
    .executeTakeFirst();
  return res !== undefined;
}

// ---------------------------------------------------------------------------------------------------
// Link management (revocation, key rotation, policy baselines, silence findings, retention)

export async function setPeer(db: Q, id: string, set: Updateable<FederationPeerTable>, now: Date) {
  await db
    .updateTable('federation_peer')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Every link in one direction, revoked ones included (the console lists them). */
export async function listAllPeers(db: Q, direction: PeerDirection): Promise<PeerRow[]> {
  return db
    .selectFrom('federation_peer')
    .selectAll()
    .where('direction', '=', direction)
    .orderBy(sql`state = 'revoked'`)
    .orderBy('district_code')
    .orderBy('created_at', 'desc')
    .execute();
}

/** The latest revoked link of an installation, when it has no active one. */
export async function revokedPeerByInstallation(db: Q, direction: PeerDirection, installationId: string) {
  return db
    .selectFrom('federation_peer')
    .selectAll()
    .where('direction', '=', direction)
    .where('peer_installation_id', '=', installationId)
    .where('state', '=', 'revoked')
    .orderBy('revoked_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function setIdentityKeys(
  db: Q,
  set: { private_key?: string; public_key?: string; next_private_key: string | null; next_public_key: string | null },
) {
  await db.updateTable('federation_identity').set(set).where('singleton', '=', true).execute();
}

/** Sealed batches not yet acknowledged (re-signed after a key rotation). */
export async function openBatches(db: Q, peerId: string, ackedSeq: string) {
  return db
    .selectFrom('federation_batch')
    .select(['seq', 'body'])
    .where('peer_id', '=', peerId)
    .where('seq', '>', ackedSeq)
    .orderBy('seq')
    .execute();
}

export async function setBatchBody(db: Q, peerId: string, seq: string, body: string) {
  await db.updateTable('federation_batch').set({ body }).where('peer_id', '=', peerId).where('seq', '=', seq).execute();
}

export async function upsertPolicy(
  db: Q,
  values: { peer_id: string; version: string; content: unknown; content_hash: string; received_at: Date },
) {
  await db
    .insertInto('federation_policy')
    .values({ ...values, content: JSON.stringify(values.content) })
    .onConflict((oc) => oc.columns(['peer_id', 'version']).doNothing())
    .execute();
}

export async function listPolicies(db: Q, peerId: string) {
  return db
    .selectFrom('federation_policy')
    .selectAll()
    .where('peer_id', '=', peerId)
    .orderBy('received_at', 'desc')
    .execute();
}

export async function getCatalogue(db: Q, peerId: string, version: string) {
  return db
    .selectFrom('federation_catalogue')
    .selectAll()
    .where('peer_id', '=', peerId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function getPolicy(db: Q, peerId: string, version: string) {
  return db
    .selectFrom('federation_policy')
    .selectAll()
    .where('peer_id', '=', peerId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function acceptPolicy(
  db: Q,
  peerId: string,
  version: string,
  by: string,
  jurisdictionCode: string,
  now: Date,
) {
  await db
    .updateTable('federation_policy')
    .set({ accepted_at: now, accepted_by: by, jurisdiction_code: jurisdictionCode })
    .where('peer_id', '=', peerId)
    .where('version', '=', version)
    .execute();
}

/** What the districts reported about themselves (`federation_status` rows: the versions they run). */
export async function reportedStatus(db: Q, peerIds: string[]) {
  if (peerIds.length === 0) return [];
  return db
    .selectFrom('federation_record')
    .select(['peer_id', 'key', 'payload'])
    .where('source', '=', 'federation_status')
    .where('peer_id', 'in', peerIds)
    .execute();
}

export async function openSilence(db: Q, peerId: string, silentSince: Date, lastAppliedAt: Date | null) {
  await db
    .insertInto('federation_silence')
    .values({ peer_id: peerId, silent_since: silentSince, last_applied_at: lastAppliedAt })
    .onConflict((oc) => oc.column('peer_id').where('resumed_at', 'is', null).doNothing())
    .execute();
}

/** Open silences whose district has been heard again (its next batch cleared `silent_since`): closed. */
export async function closeResumedSilences(db: Q) {
  const { rows } = await sql<{ id: string; peer_id: string; name: string; silent_since: Date; resumed_at: Date }>`
    update federation_silence s set resumed_at = coalesce(p.last_applied_at, s.silent_since)
    from federation_peer p
    where p.id = s.peer_id and s.resumed_at is null and (p.silent_since is null or p.state = 'revoked')
    returning s.id, s.peer_id, p.name, s.silent_since, s.resumed_at`.execute(db);
  return rows;
}

export async function listSilences(db: Q, peerId: string, limit: number) {
  return db
    .selectFrom('federation_silence')
    .select(['silent_since', 'last_applied_at', 'resumed_at'])
    .where('peer_id', '=', peerId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function getSetting(db: Q) {
  return db.selectFrom('federation_setting').selectAll().executeTakeFirst();
}

export async function putSetting(db: Q, retentionDays: number, by: string | null, now: Date) {
  await db
    .insertInto('federation_setting')
    .values({ retention_days: retentionDays, set_by: by, updated_at: now })
    .onConflict((oc) =>
      oc.column('singleton').doUpdateSet({ retention_days: retentionDays, set_by: by, updated_at: now }),
    )
    .execute();
}

/**
 * Removes acknowledged batches and received-batch records older than `before`. The record of each link's
 * last applied batch stays: a replay of it is still recognised as the same batch.
 */
export async function prune(db: Q, before: Date): Promise<{ batches: number; received: number }> {
  const batches = await db
    .deleteFrom('federation_batch')
    .where('acked_at', 'is not', null)
    .where('acked_at', '<', before)
    .executeTakeFirst();
  const { numDeletedRows } = await db
    .deleteFrom('federation_received')
    .where('applied_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('federation_peer as p')
            .select('p.id')
            .whereRef('p.id', '=', 'federation_received.peer_id')
            .whereRef('p.applied_seq', '=', 'federation_received.seq'),
        ),
      ),
    )
    .executeTakeFirst();
  return { batches: Number(batches.numDeletedRows), received: Number(numDeletedRows) };
}
