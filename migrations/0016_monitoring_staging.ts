import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Staged ingest (issue 8): an accepted remote-write or JSON request is stored as ONE row holding its samples in a
// compact binary form (src/modules/monitoring/monitoring.staging.ts); the fold job rolls staged rows up into
// monitoring_rollup / monitoring_agent and deletes them in the same transaction.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitoring_staged')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    // the caller: its unmapped series are listed under it
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    // whose resources the samples may reach: the caller's visibility when the request was accepted
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('organisation', 'jurisdiction')`))
    .addColumn('visible', sql`uuid[]`, (c) => c.notNull())
    .addColumn('mapping_label', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull().check(sql`samples >= 0`))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .execute();
  // Doubles and offsets barely compress: storing them as they are saves pglz's work on every insert.
  await sql`alter table monitoring_staged alter column data set storage external`.execute(db);
  // Written and read by the system only (ingest stores the caller's own row, the fold reads as the owner); the
  // policy keeps it tenant-owned like every table with an organisation.
  await sql`alter table monitoring_staged enable row level security`.execute(db);
  await sql`create policy tenant_isolation on monitoring_staged to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
