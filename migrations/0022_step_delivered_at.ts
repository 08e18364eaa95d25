import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Each party is measured on its own time (SH 19, TZ 10): a fulfilment step records when the provider's
// receipt arrived (the last of the step's work orders), so a provider on time is not late because the unit
// confirmed late; the deadline sweeper passes over a step delivered on time.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table order_step add column delivered_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table order_step drop column delivered_at`.execute(db);
}
