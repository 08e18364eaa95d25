import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// SH 15-16: a catalogue version is confirmed (核定) by the competent authority and the economy & IT authority before
// it takes effect. One row per confirming role of a submitted version; the version is approved (in force from its
// effective day) when every role the policy pack names (catalogue.versionConfirmedBy) has confirmed. A version sent
// back loses its confirmations.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalogue_confirmation')
    .addColumn('version_id', 'uuid', (c) => c.notNull().references('catalogue_version.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('confirmed_by', 'uuid', (c) => c.notNull())
    .addColumn('confirmed_by_name', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_confirmation_pkey', ['version_id', 'role'])
    .execute();
  // Versions approved before this migration were approved by the competent authority alone: recorded as such.
  await sql`
    insert into catalogue_confirmation (version_id, role, confirmed_by, confirmed_by_name, confirmed_at)
    select id, 'authority_approver', approved_by, 'migration 0028', approved_at
    from catalogue_version where status = 'approved' and approved_by is not null and approved_at is not null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
