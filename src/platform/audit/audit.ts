import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { AuditEventRow, AuditTables } from './audit.table.ts';

/** Who caused a state change. */
export interface Actor {
  kind: 'system' | 'user' | 'token';
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null };

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** The hash every chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);
// Serialises writers of the chain inside their own transactions (an arbitrary, fixed lock key).
const AUDIT_CHAIN_LOCK = 7_420_001;

/**
 * Appends one entry to the tamper-evident audit trail, inside the caller's transaction so the entry
 * exists exactly when the change it records does. Each entry's SM3 hash covers its content and the
 * previous entry's hash; editing or deleting any entry breaks every hash after it.
 */
export async function writeAudit(trx: Kysely<any>, actor: Actor, entry: AuditEntry): Promise<void> {
  const db = trx as Kysely<AuditTables>;
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK)})`.execute(db);
  const last = await db.selectFrom('audit_event').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const occurredAt = new Date();
  const content: HashedContent = {
    occurredAt: occurredAt.toISOString(),
    actorKind: actor.kind,
    actorId: actor.id,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId ?? null,
    requestId: entry.requestId ?? null,
    detail: entry.detail ?? {},
  };
  await db
    .insertInto('audit_event')
    .values({
      occurred_at: occurredAt,
      actor_kind: actor.kind,
      actor_id: actor.id,
      action: entry.action,
      object_type: entry.objectType,
      object_id: content.objectId,
      request_id: content.requestId,
      detail: JSON.stringify(content.detail),
      prev_hash: prevHash,
      hash: chainHash(prevHash, content),
    })
    .execute();
}

interface HashedContent {
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  requestId: string | null;
  detail: unknown;
}

function chainHash(prevHash: string, content: HashedContent): string {
  return createHash('sm3').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
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

/** Re-computes the chain from the start, in pages, reporting progress. */
export async function verifyAuditChain(
  trx: Kysely<any>,
  onProgress: (checked: number) => void = () => {},
): Promise<ChainVerification> {
  const db = trx as Kysely<AuditTables>;
  const PAGE = 1_000;
  let prevHash = GENESIS_HASH;
  let afterId = -1n;
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
      if (row.prev_hash !== prevHash)
        return { intact: false, checked, brokenAt: { id: String(row.id), reason: 'link_mismatch' } };
      const expected = chainHash(prevHash, {
        occurredAt: row.occurred_at.toISOString(),
        actorKind: row.actor_kind,
        actorId: row.actor_id,
        action: row.action,
        objectType: row.object_type,
        objectId: row.object_id,
        requestId: row.request_id,
        detail: row.detail,
      });
      if (expected !== row.hash)
        return { intact: false, checked, brokenAt: { id: String(row.id), reason: 'hash_mismatch' } };
      prevHash = row.hash;
      afterId = row.id;
      checked++;
    }
    onProgress(checked);
    if (rows.length < PAGE) return { intact: true, checked };
  }
}
