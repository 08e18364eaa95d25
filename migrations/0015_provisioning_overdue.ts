import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Missed deadlines of fulfilment escalate (issue 6): a disputed delivery receipt the provider has not answered
// by work_order.dispute_due_at, and a reconciliation finding the ops unit has not resolved by its due_at, are
// marked overdue once by the provisioning sweeper (the mark is what makes the sweep idempotent) and notified.
export async function up(db: Kysely<any>): Promise<void> {
  // Set when the current dispute's deadline passed unanswered; a new dispute or the corrected receipt clears it.
  await db.schema.alterTable('work_order').addColumn('dispute_overdue_since', 'timestamptz').execute();
  // Set when the finding's deadline passed while it was open; kept after resolution (resolved late).
  await db.schema.alterTable('inventory_finding').addColumn('overdue_since', 'timestamptz').execute();

  // The sweeper's work: small partial indexes over what is still waiting and not yet marked.
  await sql`create index work_order_dispute_sweep_idx on work_order (dispute_due_at)
    where status = 'disputed' and dispute_overdue_since is null`.execute(db);
  await sql`create index inventory_finding_sweep_idx on inventory_finding (due_at)
    where status = 'open' and overdue_since is null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
