import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Incidents (TZ 12(5), JQ 11): declared by a provider with severity, the affected zone and resources, and the
// information systems and units derived from the inventory; a major incident needs its report the same day (the
// end of the Shanghai day it started), else it is overdue and escalated once. Incident windows give availability
// per provider, zone and system. An incident belongs to its provider; each touched unit's row (incident_unit) lets
// that unit see it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('incident')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('major', 'significant', 'minor')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('resource_ids', sql`uuid[]`, (c) => c.notNull())
    .addColumn('system_ids', sql`uuid[]`, (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('report_due_at', 'timestamptz')
    .addColumn('report', 'text')
    .addColumn('reported_at', 'timestamptz')
    .addColumn('overdue_since', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('incident_span_check', sql`ended_at is null or ended_at > started_at`)
    .execute();
  await sql`create index incident_time_idx on incident (jurisdiction_id, started_at)`.execute(db);
  await sql`create index incident_report_due_idx on incident (report_due_at)
    where reported_at is null and overdue_since is null and report_due_at is not null`.execute(db);

  await db.schema
    .createTable('incident_unit')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incident.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addPrimaryKeyConstraint('incident_unit_pk', ['incident_id', 'organisation_id'])
    .execute();

  await sql`alter table incident_unit enable row level security`.execute(db);
  await sql`create policy tenant_isolation on incident_unit to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
    db,
  );
  await sql`alter table incident enable row level security`.execute(db);
  await sql`create policy tenant_isolation on incident to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or exists (
      select 1 from incident_unit u where u.incident_id = incident.id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
