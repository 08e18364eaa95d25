import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The request counters (`rate_limit_bucket`: sign-ins, credential changes, machine calls; `data_rate_window`: the
// data gateway's per-grant minute counts) are written on every machine call. As logged tables each of those
// writes made its commit wait for the WAL to reach the disk on PostgreSQL: two of a gateway call's three flushes
// (issue 21). Unlogged, they write no WAL, so their commits do not wait. What is given up: after a crash of the
// database server (not of Yunguan) PostgreSQL empties unlogged tables, so the counters of the current minute
// start again from zero, and they are not sent to replicas. They are counts of a minute (the progressive sign-in
// delay's: of 15 minutes); the account's own lock after consecutive failures is kept on the account, as before.
// A restored backup of the embedded database starts them empty too (its counts leave unlogged tables out).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_bucket set unlogged`.execute(db);
  await sql`alter table data_rate_window set unlogged`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
