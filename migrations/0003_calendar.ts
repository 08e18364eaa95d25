import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
// The working-day calendar: one row per (jurisdiction, year) saying whether the year's calendar is confirmed,
// and one row per day that departs from the plain rule "Monday to Friday work, Saturday and Sunday off"
// (statutory holidays and make-up working days). Days without a row follow the plain rule.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calendar_year')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('year', 'integer', (c) => c.notNull().check(sql`year between 1900 and 9999`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('confirmed', 'provisional')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('calendar_year_pkey', ['jurisdiction_id', 'year'])
    .addCheckConstraint('calendar_year_confirmed_check', sql`(status = 'confirmed') = (confirmed_at is not null)`)
    .execute();

  await db.schema
    .createTable('calendar_day')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('working', 'holiday', 'makeup_working', 'weekend')`),
    )
    .addColumn('holiday_name', 'text', (c) => c.check(sql`length(holiday_name) between 1 and 100`))
    .addPrimaryKeyConstraint('calendar_day_pkey', ['jurisdiction_id', 'day'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
