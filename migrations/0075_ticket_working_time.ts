import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Resolution targets counted in working time (issue 18): where the jurisdiction's pack says so
// (defaults.ticketResolutionWorkingHoursPerDay > 0), a ticket's resolution hours are service hours of working days
// from the calendar, not wall-clock hours. The ticket keeps how it was counted (null: wall-clock 7x24), so a later
// change of the pack does not reinterpret it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('service_ticket')
    .addColumn('resolution_service_hours', 'integer', (c) => c.check(sql`resolution_service_hours between 1 and 24`))
    .addColumn('resolution_service_start_hour', 'integer', (c) =>
      c.check(sql`resolution_service_start_hour between 0 and 23`),
    )
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
