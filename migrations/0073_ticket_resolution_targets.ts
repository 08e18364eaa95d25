import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Resolution targets of the service desk per priority (issue 18): copied from the pack onto the ticket when it is
// opened (the hours, what the pack says of them, and the article of the provider's duty they serve), counted in
// wall-clock time like the response target; a resolution after the due moment is recorded as breached.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('service_ticket')
    .addColumn('resolution_hours', 'integer', (c) => c.check(sql`resolution_hours > 0`))
    .addColumn('resolution_note', 'text')
    .addColumn('resolution_article', 'text')
    .addColumn('resolution_due_at', 'timestamptz')
    .addColumn('resolution_breached', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
