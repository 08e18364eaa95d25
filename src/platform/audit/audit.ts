import { createHash, createHmac } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
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

/** The hash every chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);
// Serialises writers of the chain inside their own transactions (an arbitrary, fixed lock key).
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
 * exists exactly when the change it records does. Each entry's hash covers its content and the
 * previous entry's hash; editing or deleting any entry breaks the chain from there on.
 */
export async function writeAudit(trx: Kysely<any>, actor: Actor, entry: AuditEntry): Promise<void> {
  const db = trx as Kysely<AuditTables>;
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(db);
  const prevHash = await lastHash(db);
  const occurredAt = new Date();
  const content = contentOf(actor, entry, occurredAt);
  await db
    .insertInto('audit_event')
    .values({
      occurred_at: occurredAt,
      actor_kind: content.actorKind,
      actor_id: content.actorId,
      actor_name: content.actorName,
      organisation_id: content.organisationId,
      role: content.role,
      source_ip: content.sourceIp,
      request_id: content.requestId,
      action: content.action,
      outcome: content.outcome,
      object_type: content.objectType,
      object_id: content.objectId,
      detail: JSON.stringify(content.detail),
      prev_hash: prevHash,
      hash: chainHash(prevHash, content),
    })
    .execute();
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

/**
 * Appends many entries of one actor at once (a batch of notification deliveries): the same chain as
 * `writeAudit` entry by entry, with one lock, one look-up of the last hash and one insert over arrays.
 */
export async function writeAuditBatch(trx: Kysely<any>, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const db = trx as Kysely<AuditTables>;
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(db);
  let prevHash = await lastHash(db);
  const occurredAt = new Date();
  const rows = entries.map((entry) => {
    const content = contentOf(actor, entry, occurredAt);
    const row = { content, prev: prevHash, hash: chainHash(prevHash, content) };
    prevHash = row.hash;
    return row;
  });
  const col = <T>(pick: (c: HashedContent) => T) => rows.map((r) => pick(r.content));
  await sql`
    insert into audit_event (occurred_at, actor_kind, actor_id, actor_name, organisation_id, role, source_ip,
                             request_id, action, outcome, object_type, object_id, detail, prev_hash, hash)
    select ${occurredAt}, ${actor.kind}, ${actor.id}, ${actor.name ?? null}, ${actor.organisationId ?? null},
           ${actor.role ?? null}, ${actor.sourceIp ?? null}, ${actor.requestId ?? null}, e.action, e.outcome,
           e.object_type, e.object_id, e.detail, e.prev_hash, e.hash
      from unnest(${col((c) => c.action)}::text[], ${col((c) => c.outcome)}::text[], ${col((c) => c.objectType)}::text[],
                  ${col((c) => c.objectId)}::text[], ${col((c) => JSON.stringify(c.detail))}::jsonb[],
                  ${rows.map((r) => r.prev)}::text[], ${rows.map((r) => r.hash)}::text[])
           with ordinality as e(action, outcome, object_type, object_id, detail, prev_hash, hash, n)
     order by e.n`.execute(db);
}

/** Writes an entry in a transaction of its own: for events whose request fails (denials, failed logins). */
export async function writeAuditNow(db: Kysely<any>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.transaction().execute((trx) => writeAudit(trx, actor, entry));
}

async function lastHash(db: Kysely<AuditTables>): Promise<string> {
  const last = await db.selectFrom('audit_event').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (last) return last.hash;
  const anchor = await db
    .selectFrom('audit_purge')
    .select('last_purged_hash')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return anchor?.last_purged_hash ?? GENESIS_HASH;
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

/** The hash of one entry: HMAC-SM3 with the audit key (SM3 without one) over the previous hash and the content. */
export function chainHash(prevHash: string, content: HashedContent): string {
  const hash = auditKey ? createHmac('sm3', auditKey) : createHash('sm3');
  return hash.update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
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
  checked: number;
  /** The first entry whose hash or link does not hold. */
  brokenAt?: { id: string; reason: 'hash_mismatch' | 'link_mismatch' };
}

/** Re-computes the chain from the start (or from the last retention purge), in pages, reporting progress. */
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
  let afterId = anchor?.last_purged_id ?? -1n;
  let checked = 0;
  for (;;) {
    const rows: AuditEventRow[] = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      if (row.prev_hash !== prevHash) {
        return { intact: false, checked, brokenAt: { id: String(row.id), reason: 'link_mismatch' } };
      }
      if (chainHash(prevHash, rowContent(row)) !== row.hash) {
        return { intact: false, checked, brokenAt: { id: String(row.id), reason: 'hash_mismatch' } };
      }
      prevHash = row.hash;
      afterId = row.id;
      checked++;
    }
    onProgress(checked);
    if (rows.length < PAGE) return { intact: true, checked };
  }
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
  // Purge a prefix of the chain only: stop at the first entry that is young enough to keep.
  const firstKept = await db
    .selectFrom('audit_event')
    .select('id')
    .where('occurred_at', '>', cutoff)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  let query = db.selectFrom('audit_event').select(['id', 'hash']).orderBy('id', 'desc').limit(1);
  if (firstKept) query = query.where('id', '<', firstKept.id);
  const last = await query.executeTakeFirst();
  if (!last) return 0;
  await sql`select set_config('yunguan.audit_purge', 'on', true), set_config('yunguan.audit_retention_days', ${String(days)}, true)`.execute(
    db,
  );
  const result = await db.deleteFrom('audit_event').where('id', '<=', last.id).executeTakeFirst();
  const count = result.numDeletedRows;
  await db
    .insertInto('audit_purge')
    .values({ cutoff, last_purged_id: last.id, last_purged_hash: last.hash, purged_count: count })
    .execute();
  await sql`select set_config('yunguan.audit_purge', 'off', true)`.execute(db);
  return Number(count);
}
