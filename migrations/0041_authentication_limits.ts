import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// - totp_used_step: a TOTP code (an account's time step) is accepted once; the primary key makes that
//   atomic, so eight parallel logins with one code give one session.
// - rate_limit_bucket: request counters shared by every instance (login, password change, token creation,
//   ingest, the data gateway; failed logins per address for the progressive delay).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('totp_used_step')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id').onDelete('cascade'))
    .addColumn('time_step', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('totp_used_step_pkey', ['user_id', 'time_step'])
    .execute();
  await db.schema
    .createTable('rate_limit_bucket')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('window_ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_hit_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('rate_limit_bucket_window_idx')
    .on('rate_limit_bucket')
    .column('window_ends_at')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
