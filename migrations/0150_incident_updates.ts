import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Issue 18 remainder (lane ops18):
//  - updates during an incident (a timeline: time, author, text, status change), one row each, the declaration,
//    the end and the report included; the incident keeps its current status;
//  - the ops unit may declare an incident for a provider: the incident stays the provider's (availability is per
//    provider), and records which organisation declared it;
//  - a ticket against an information system alone keeps the system's name as it was (like the resource's).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('incident')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('investigating')
        .check(sql`status in ('investigating', 'identified', 'recovering', 'monitoring', 'ended')`),
    )
    .addColumn('declared_by_organisation_id', 'uuid', (c) => c.references('organisation.id'))
    .execute();
  await sql`update incident set status = 'ended' where ended_at is not null`.execute(db);
  await sql`update incident set declared_by_organisation_id = organisation_id`.execute(db);
  await sql`alter table incident alter column declared_by_organisation_id set not null`.execute(db);

  await db.schema
    .createTable('incident_update')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incident.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('declared', 'update', 'ended', 'reported')`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status_from', 'text')
    .addColumn('status_to', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('author_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index incident_update_incident_idx on incident_update (incident_id, seq)`.execute(db);
  // Seen by whoever sees the incident: its provider, the units it touches, the jurisdiction's roles.
  await sql`alter table incident_update enable row level security`.execute(db);
  await sql`create policy tenant_isolation on incident_update to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or exists (
      select 1 from incident_unit u where u.incident_id = incident_update.incident_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);

  await db.schema.alterTable('service_ticket').addColumn('system_name', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
