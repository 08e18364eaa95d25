import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Issue 18, the rest of operations:
// - report schedules (TZ 12): a weekly or monthly report, city-wide or of one provider, produced by a job once its
//   period is over and e-mailed with its PDF to the holders of the chosen roles (those that may read it). Owned like
//   the reports: a provider's schedule by the provider, the city-wide one by the ops unit that set it up.
// - the moment a ticket's missed resolution target was told to its provider and the ops unit (once).
// - which schedule produced an archived report.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operations_report_schedule')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('city', 'provider')`))
    .addColumn('provider_id', 'uuid', (c) => c.references('organisation.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('week', 'month')`))
    .addColumn('recipient_roles', sql`text[]`, (c) => c.notNull().check(sql`cardinality(recipient_roles) > 0`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_report_id', 'uuid', (c) => c.references('operations_report.id'))
    .addColumn('last_error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint(
      'operations_report_schedule_provider_check',
      sql`(scope = 'provider') = (provider_id is not null)`,
    )
    .execute();
  await sql`create index operations_report_schedule_due_idx on operations_report_schedule (next_run_at) where active`.execute(
    db,
  );
  await sql`alter table operations_report_schedule enable row level security`.execute(db);
  await sql`create policy tenant_isolation on operations_report_schedule to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);

  await sql`alter table operations_report add column schedule_id uuid references operations_report_schedule (id)`.execute(
    db,
  );
  await sql`alter table service_ticket add column resolution_escalated_at timestamptz`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
