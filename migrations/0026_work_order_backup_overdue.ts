import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A passed backup deadline (migration 0024) is swept and announced once: the moment the sweep marked it, so a
// second run, a restart or another instance announces nothing again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table work_order add column backup_overdue_since timestamptz`.execute(db);
  await sql`create index work_order_backup_due_idx on work_order (backup_due_at)
    where backup_due_at is not null and backup_overdue_since is null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
