import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The weekly and monthly operations reports (TZ 12), archived: the workbook as generated, its SM3 content hash
// and the figures it was built from. A provider's report belongs to the provider (organisation_id); the city-wide
// one to the ops unit that generated it; jurisdiction-wide roles see all.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operations_report')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('city', 'provider')`))
    .addColumn('provider_id', 'uuid', (c) => c.references('organisation.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('week', 'month')`))
    .addColumn('period_from', 'date', (c) => c.notNull())
    .addColumn('period_to', 'date', (c) => c.notNull())
    .addColumn('figures', 'jsonb', (c) => c.notNull())
    .addColumn('workbook', 'bytea', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('generated_by', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('operations_report_provider_check', sql`(scope = 'provider') = (provider_id is not null)`)
    .execute();
  await sql`create index operations_report_period_idx on operations_report (jurisdiction_id, period, period_from desc)`.execute(
    db,
  );
  await sql`alter table operations_report enable row level security`.execute(db);
  await sql`create policy tenant_isolation on operations_report to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
