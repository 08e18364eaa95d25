import { sql } from 'kysely';
import type { Db } from '../../schema.ts';
import type { DeliveryRecord, SubscriptionRecord } from './notifications.table.ts';

/**
 * Claims up to `limit` due deliveries for this instance until `leaseUntil`: rows another instance is
 * claiming right now are skipped (FOR UPDATE SKIP LOCKED), rows it claimed stay out until their lease
 * expires. Oldest first.
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
  const { rows } = await sql<DeliveryRecord>`
    update notification_delivery d set claimed_until = ${leaseUntil}
     where d.id in (
       select id from notification_delivery
        where status = 'pending'
          and (next_attempt_at is null or next_attempt_at <= ${now})
          and (claimed_until is null or claimed_until <= ${now})
        order by next_attempt_at nulls first, created_at
        limit ${limit}
        for update skip locked)
    returning d.*`.execute(db);
  return rows;
}

export interface AttemptOutcome {
  id: string;
  /** attempts before this one: the row is only updated if nobody recorded an attempt meanwhile */
  attemptsBefore: number;
  status: 'pending' | 'delivered' | 'failed';
  outcome: 'delivered' | 'retry' | 'failed';
  nextAttemptAt: Date | null;
  target: string | null;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * Records a batch of attempts: the deliveries' new state and one attempt row each, in two statements
 * over arrays. Returns the ids actually updated (a delivery someone else recorded meanwhile is left alone).
 */
export async function recordAttempts(trx: Db, now: Date, outcomes: AttemptOutcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const col = <T>(pick: (o: AttemptOutcome) => T) => outcomes.map(pick);
  const { rows } = await sql<{ id: string }>`
    update notification_delivery d
       set attempts = u.attempts_before + 1, status = u.status, next_attempt_at = u.next_attempt_at,
           last_error = u.error, delivered_at = case when u.status = 'delivered' then ${now}::timestamptz end,
           claimed_until = null,
           -- a secret (temporary password) lives in the outbox only until the mail is sent or has failed for good
           payload = case when u.status = 'pending' then d.payload else d.payload - 'sealedSecret' end
      from unnest(${col((o) => o.id)}::uuid[], ${col((o) => o.attemptsBefore)}::int[], ${col((o) => o.status)}::text[],
                  ${col((o) => o.nextAttemptAt?.toISOString() ?? null)}::timestamptz[], ${col((o) => o.error)}::text[])
           as u(id, attempts_before, status, next_attempt_at, error)
     where d.id = u.id and d.status = 'pending' and d.attempts = u.attempts_before
    returning d.id`.execute(trx);
  const updated = new Set(rows.map((r) => r.id));
  const kept = outcomes.filter((o) => updated.has(o.id));
  if (kept.length > 0) {
    const k = <T>(pick: (o: AttemptOutcome) => T) => kept.map(pick);
    await sql`
      insert into notification_delivery_attempt
             (delivery_id, attempt, attempted_at, target, status_code, duration_ms, outcome, error)
      select delivery_id, attempt, ${now}, target, status_code, duration_ms, outcome, error
        from unnest(${k((o) => o.id)}::uuid[], ${k((o) => o.attemptsBefore + 1)}::int[], ${k((o) => o.target)}::text[],
                    ${k((o) => o.statusCode)}::int[], ${k((o) => o.durationMs)}::int[], ${k((o) => o.outcome)}::text[],
                    ${k((o) => o.error)}::text[])
             as a(delivery_id, attempt, target, status_code, duration_ms, outcome, error)`.execute(trx);
  }
  return updated;
}

export function subscriptionsByIds(db: Db, ids: string[]): Promise<SubscriptionRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('webhook_subscription').selectAll().where('id', '=', sql<string>`any(${ids}::uuid[])`).execute();
}

export async function egressPoliciesOf(
  db: Db,
  jurisdictionIds: string[],
): Promise<Map<string, { allowedHosts: string[]; allowedNetworks: string[] }>> {
  const rows =
    jurisdictionIds.length === 0
      ? []
      : await db
          .selectFrom('webhook_egress_policy')
          .select(['jurisdiction_id', 'allowed_hosts', 'allowed_networks'])
          .where('jurisdiction_id', '=', sql<string>`any(${jurisdictionIds}::uuid[])`)
          .execute();
  return new Map(
    rows.map((r) => [r.jurisdiction_id, { allowedHosts: r.allowed_hosts, allowedNetworks: r.allowed_networks }]),
  );
}

/** Pending deliveries, how many are due now, and the age of the oldest pending one (for /metrics). */
export async function outboxStats(db: Db, now: Date): Promise<{ pending: number; due: number; oldestSeconds: number }> {
  const { rows } = await sql<{ pending: string; due: string; oldest: Date | null }>`
    select count(*) as pending,
           count(*) filter (where next_attempt_at is null or next_attempt_at <= ${now}) as due,
           min(created_at) as oldest
      from notification_delivery where status = 'pending'`.execute(db);
  const row = rows[0];
  const oldest = row?.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0;
  return { pending: Number(row?.pending ?? 0), due: Number(row?.due ?? 0), oldestSeconds: oldest };
}
