import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// After the formal opening (SH 19 正式开通; LZ 21(5) 开通 after the trial of LZ 21(4)) the unit does not keep its
// test or trial environment beside the formal resources: the platform opens a reclaim order of its own for them
// (source `test_release`).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table resource_order drop constraint if exists resource_order_source_check`.execute(db);
  await sql`alter table resource_order add constraint resource_order_source_check
    check (source in ('unit', 'expiry', 'monitoring', 'test_release'))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
