import { type Kysely, sql } from 'kysely';

// The outbox is drained by every instance at once: a delivery is claimed (FOR UPDATE SKIP LOCKED) by
// setting `claimed_until`, sent outside any transaction, then recorded. A claim whose holder died
// expires, and the delivery is sent again (at-least-once; receivers deduplicate on the delivery id).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table notification_delivery add column claimed_until timestamptz`.execute(db);
  await sql`create index notification_delivery_pending_created_idx on notification_delivery (created_at) where status = 'pending'`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
