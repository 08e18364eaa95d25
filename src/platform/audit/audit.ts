import { createHash, createHmac } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { reusable } from '../db/reusable.ts';
import { addShanghaiMonths } from '../time/time.ts';
import type { AuditEventRow, AuditTables } from './audit.table.ts';

/** Who caused a state change, and from where. */
export interface Actor {
  kind: 'system' | 'user' | 'token';
  id: string | null;
  /** user name or token name, kept so the trail reads without joins (and survives renames) */
  name?: string | null;
  organisationId?: string | null;
  /** the role the actor acted in */
  role?: string | null;
  sourceIp?: string | null;
  requestId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, name: 'system' };

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  detail?: Record<string, unknown>;
}

/** Links committed entries into the chain every two seconds (one instance at a time). */
export const AUDIT_SEAL_JOB = {
  name: 'audit.seal',
  everyMs: 2_000,
  run: ({ db }: { db: Kysely<any> }) => sealAudit(db),
};

/** The hash every chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);
// Serialises the sealer, the retention purge and checkpoints (an arbitrary, fixed lock key). Writers of
// entries never take it: they only insert, and the sealer chains what has committed.
export const AUDIT_CHAIN_LOCK = 7_420_001;

let auditKey: Buffer | undefined;

/**
 * With a key (YUNGUAN_AUDIT_KEY), entries are chained with HMAC-SM3, so nobody without the key can
 * rebuild a consistent chain after editing it; without one, plain SM3.
 */
export function setAuditKey(key: string | undefined): void {
  auditKey = key ? Buffer.from(key, 'utf8') : undefined;
}

export function hasAuditKey(): boolean {
  return auditKey !== undefined;
}

/**
 * Appends one entry to the tamper-evident audit trail, inside the caller's transaction so the entry
 * exists exactly when the change it records does. The entry carries the keyed SM3 of its content at once
 * (an edit shows from then on); the sealer (`sealAudit`) links it into the chain after its transaction has
 * ended, so writers of different units never wait for each other.
 */
export async function writeAudit(trx: Kysely<any>, actor: Actor, entry: AuditEntry): Promise<void> {
  await writeAuditBatch(trx, actor, [entry]);
}

function contentOf(actor: Actor, entry: AuditEntry, occurredAt: Date): HashedContent {
  return {
    occurredAt: occurredAt.toISOString(),
    actorKind: actor.kind,
    actorId: actor.id,
    actorName: actor.name ?? null,
    organisationId: actor.organisationId ?? null,
    role: actor.role ?? null,
    sourceIp: actor.sourceIp ?? null,
    requestId: actor.requestId ?? null,
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    objectType: entry.objectType,
    objectId: entry.objectId ?? null,
    detail: entry.detail ?? {},
  };
}

type NewEntryRow = Omit<AuditEventRow, 'id' | 'seal_seq' | 'hash' | 'prev_hash' | 'detail'> & { detail: string };

// One entry (every audited change): compiled once (docs/decisions.md, issue 24, lane orders25).
const insertOne = reusable((db: Kysely<AuditTables>, row: NewEntryRow) => db.insertInto('audit_event').values(row), {
  record: [
    'occurred_at',
    'actor_kind',
    'actor_id',
    'actor_name',
    'organisation_id',
    'role',
    'source_ip',
    'request_id',
    'action',
    'outcome',
    'object_type',
    'object_id',
    'detail',
    'entry_hash',
  ] satisfies (keyof NewEntryRow)[],
});

/** Appends many entries of one actor at once (a batch of notification deliveries): one insert over arrays. */
export async function writeAuditBatch(trx: Kysely<any>, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const db = trx as Kysely<AuditTables>;
  const occurredAt = new Date();
  const contents = entries.map((entry) => contentOf(actor, entry, occurredAt));
  const col = <T>(pick: (c: HashedContent) => T) => contents.map(pick);
  if (contents.length === 1) {
    const c = contents[0] as HashedContent;
    await insertOne.execute(db, {
      occurred_at: occurredAt,
      actor_kind: c.actorKind,
      actor_id: c.actorId,
      actor_name: c.actorName,
      organisation_id: c.organisationId,
      role: c.role,
      source_ip: c.sourceIp,
      request_id: c.requestId,
      action: c.action,
      outcome: c.outcome,
      object_type: c.objectType,
      object_id: c.objectId,
      detail: JSON.stringify(c.detail),
      entry_hash: entryHash(c),
    });
    return;
  }
  await sql`
    insert into audit_event (occurred_at, actor_kind, actor_id, actor_name, organisation_id, role, source_ip,
                             request_id, action, outcome, object_type, object_id, detail, entry_hash)
    select ${occurredAt}, ${actor.kind}, ${actor.id}, ${actor.name ?? null}, ${actor.organisationId ?? null},
           ${actor.role ?? null}, ${actor.sourceIp ?? null}, ${actor.requestId ?? null}, e.action, e.outcome,
           e.object_type, e.object_id, e.detail, e.entry_hash
      from unnest(${col((c) => c.action)}::text[], ${col((c) => c.outcome)}::text[], ${col((c) => c.objectType)}::text[],
                  ${col((c) => c.objectId)}::text[], ${col((c) => JSON.stringify(c.detail))}::jsonb[],
                  ${contents.map(entryHash)}::text[])
           with ordinality as e(action, outcome, object_type, object_id, detail, entry_hash, n)
     order by e.n`.execute(db);
}

/** Writes an entry in a transaction of its own: for events whose request fails (denials, failed logins). */
export async function writeAuditNow(db: Kysely<any>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.transaction().execute((trx) => writeAudit(trx, actor, entry));
}

/** The chain's head: the last sealed entry, else where the last retention purge left it, else the genesis. */
async function chainHead(db: Kysely<AuditTables>): Promise<{ seq: bigint; hash: string }> {
  const last = await db
    .selectFrom('audit_event')
    .select(['seal_seq', 'hash'])
    .where('seal_seq', 'is not', null)
    .orderBy('seal_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last?.seal_seq != null && last.hash) return { seq: last.seal_seq, hash: last.hash };
  const anchor = await db
    .selectFrom('audit_purge')
    .select(['last_purged_id', 'last_purged_hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return anchor ? { seq: anchor.last_purged_id, hash: anchor.last_purged_hash } : { seq: 0n, hash: GENESIS_HASH };
}

/**
 * Links committed entries into the chain, in batches of `batch`, until none is waiting; returns how many it
 * sealed. The chain's order is the order of sealing (within a batch, the order of writing): an entry whose
 * transaction commits later is linked by a later call, after the ones sealed before it, and a sealed entry's
 * position never changes.
 */
export async function sealAudit(db: Kysely<any>, batch = 5_000): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const t = trx as Kysely<AuditTables>;
      await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(t);
      const { rows } = await sql<{ id: bigint; entry_hash: string | null }>`
        select id, entry_hash from audit_event
         where seal_seq is null
         order by id limit ${batch}`.execute(t);
      if (rows.length === 0) return 0;
      let { seq, hash } = await chainHead(t);
      const ids: string[] = [];
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of rows) {
        if (!row.entry_hash)
          throw new Error(`audit entry ${row.id} has no entry hash: it was not written by writeAudit`);
        seq += 1n;
        const next = chainLink(hash, row.entry_hash);
        ids.push(String(row.id));
        seqs.push(String(seq));
        prevs.push(hash);
        hashes.push(next);
        hash = next;
      }
      await sql`
        update audit_event a set seal_seq = s.seq, prev_hash = s.prev, hash = s.hash
          from unnest(${ids}::bigint[], ${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) as s(id, seq, prev, hash)
         where a.id = s.id`.execute(t);
      return rows.length;
    });
    sealed += n;
    if (n < batch) return sealed;
  }
}

export interface HashedContent {
  occurredAt: string;
  actorKind: Actor['kind'];
  actorId: string | null;
  actorName: string | null;
  organisationId: string | null;
  role: string | null;
  sourceIp: string | null;
  requestId: string | null;
  action: string;
  outcome: NonNullable<AuditEntry['outcome']>;
  objectType: string;
  objectId: string | null;
  detail: unknown;
}

function sm3Hasher() {
  return auditKey ? createHmac('sm3', auditKey) : createHash('sm3');
}

/** The hash of an entry sealed before the sealer existed: HMAC-SM3 (SM3 without a key) over the previous hash and the content. */
export function chainHash(prevHash: string, content: HashedContent): string {
  return sm3Hasher().update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/** An entry's own hash, written with it: HMAC-SM3 with the audit key (SM3 without one) of its content. */
export function entryHash(content: HashedContent): string {
  return sm3Hasher().update(canonicalJson(content)).digest('hex');
}

/** A sealed entry's chain hash: over the previous entry's hash and the entry's own hash. */
export function chainLink(prevHash: string, ownHash: string): string {
  return sm3Hasher().update(prevHash).update('\n').update(ownHash).digest('hex');
}

export function rowContent(row: AuditEventRow): HashedContent {
  return {
    occurredAt: row.occurred_at.toISOString(),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorName: row.actor_name,
    organisationId: row.organisation_id,
    role: row.role,
    sourceIp: row.source_ip,
    requestId: row.request_id,
    action: row.action,
    outcome: row.outcome,
    objectType: row.object_type,
    objectId: row.object_id,
    detail: row.detail,
  };
}

/** JSON with object keys sorted at every level, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainVerification {
  intact: boolean;
  /** entries checked: the sealed chain, then the entries not sealed yet */
  checked: number;
  /** entries not sealed yet (their own hash was checked; the sealer links them within seconds) */
  pending?: number;
  /** The first entry whose hash or link does not hold. */
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' };
}

/**
 * Re-computes the chain from the start (or from the last retention purge) in chain order, in pages,
 * reporting progress; then checks the own hash of every entry not sealed yet.
 */
export async function verifyAuditChain(
  trx: Kysely<any>,
  onProgress: (checked: number) => void = () => {},
): Promise<ChainVerification> {
  const db = trx as Kysely<AuditTables>;
  const PAGE = 1_000;
  const anchor = await db
    .selectFrom('audit_purge')
    .select(['last_purged_id', 'last_purged_hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prevHash = anchor?.last_purged_hash ?? GENESIS_HASH;
  let after = anchor?.last_purged_id ?? -1n;
  let checked = 0;
  const broken = (row: AuditEventRow, reason: 'hash_mismatch' | 'link_mismatch'): ChainVerification => ({
    intact: false,
    checked,
    brokenAt: { id: String(row.id), reason },
  });
  for (;;) {
    const rows: AuditEventRow[] = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seal_seq', '>', after)
      .orderBy('seal_seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      if (row.prev_hash !== prevHash) return broken(row, 'link_mismatch');
      const content = rowContent(row);
      const expected = row.entry_hash
        ? entryHash(content) === row.entry_hash
          ? chainLink(prevHash, row.entry_hash)
          : null
        : chainHash(prevHash, content);
      if (expected === null || expected !== row.hash) return broken(row, 'hash_mismatch');
      prevHash = row.hash;
      after = row.seal_seq as bigint;
      checked++;
    }
    onProgress(checked);
    if (rows.length < PAGE) break;
  }
  let pending = 0;
  let afterId = -1n;
  for (;;) {
    const rows: AuditEventRow[] = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seal_seq', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      if (!row.entry_hash || entryHash(rowContent(row)) !== row.entry_hash) return broken(row, 'hash_mismatch');
      afterId = row.id;
      checked++;
      pending++;
    }
    if (rows.length < PAGE) break;
  }
  onProgress(checked);
  return pending > 0 ? { intact: true, checked, pending } : { intact: true, checked };
}

/** LZ 23: system operation logs are kept at least six months (calendar months, not 180 days). */
export const AUDIT_MIN_RETENTION_MONTHS = 6;

/**
 * The newest moment a purge at `now` may remove: an entry goes only once `now` is at least six calendar
 * months after it (Asia/Shanghai, month-end clamped: 2026-08-31 + 6 months = 2027-02-28) and at least
 * `retentionDays` (never under 180) have passed. The boundary is `now` six months back: an entry after it
 * whose six months also ended by clamping (now 2027-02-28: 29-31 August) waits for the next day's purge.
 */
export function auditPurgeCutoff(now: Date, retentionDays: number): Date {
  const byDays = new Date(now.getTime() - Math.max(180, Math.floor(retentionDays)) * 86_400_000);
  const byMonths = addShanghaiMonths(now, -AUDIT_MIN_RETENTION_MONTHS);
  return byDays < byMonths ? byDays : byMonths;
}

/**
 * Retention purge: removes the entries `auditPurgeCutoff` allows (the database refuses younger ones) and
 * records where the chain now starts. Returns how many entries were removed.
 */
export async function purgeAudit(trx: Kysely<any>, retentionDays: number, now = new Date()): Promise<number> {
  const db = trx as Kysely<AuditTables>;
  const days = Math.max(180, Math.floor(retentionDays));
  const cutoff = auditPurgeCutoff(now, days);
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(db);
  // Purge a prefix of the sealed chain only: stop at the first entry that is young enough to keep.
  const firstKept = await db
    .selectFrom('audit_event')
    .select('seal_seq')
    .where('seal_seq', 'is not', null)
    .where('occurred_at', '>', cutoff)
    .orderBy('seal_seq')
    .limit(1)
    .executeTakeFirst();
  let query = db
    .selectFrom('audit_event')
    .select(['seal_seq', 'hash'])
    .where('seal_seq', 'is not', null)
    .orderBy('seal_seq', 'desc')
    .limit(1);
  if (firstKept?.seal_seq != null) query = query.where('seal_seq', '<', firstKept.seal_seq);
  const last = await query.executeTakeFirst();
  if (!last?.seal_seq || !last.hash) return 0;
  await sql`select set_config('yunguan.audit_purge', 'on', true), set_config('yunguan.audit_retention_days', ${String(days)}, true)`.execute(
    db,
  );
  const result = await db.deleteFrom('audit_event').where('seal_seq', '<=', last.seal_seq).executeTakeFirst();
  const count = result.numDeletedRows;
  // last_purged_id is a chain position (seal_seq; the id for entries sealed before the sealer existed)
  await db
    .insertInto('audit_purge')
    .values({ cutoff, last_purged_id: last.seal_seq, last_purged_hash: last.hash, purged_count: count })
    .execute();
  await sql`select set_config('yunguan.audit_purge', 'off', true)`.execute(db);
  return Number(count);
}
