import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Ingest integrity (issue 8 audit):
// - monitoring_ingest_digest: the digest of every accepted push request (remote-write or JSON) per caller, kept
//   for the accepted window; an identical request resent within it (Prometheus retries a remote-write whose answer
//   was lost) is answered like the first and staged once.
// - monitoring_unmapped_overflow: per caller, the unmapped series a fold or pull could not list one by one (over
//   its per-run limit), counted with their samples so the totals stay exact.
// - monitoring_staged_quarantine: staged batches the fold could not read or write, kept with the error instead of
//   blocking every later fold.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitoring_ingest_digest')
    .addColumn('digest', 'bytea', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    // received_at + the accepted window + the future tolerance: a resend after it is refused as out of window
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('monitoring_ingest_digest_expires_idx')
    .on('monitoring_ingest_digest')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('monitoring_unmapped_overflow')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    // series left out, counted once per fold (or pull) that left them out
    .addColumn('series', 'bigint', (c) => c.notNull())
    .addColumn('samples', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_unmapped_overflow_pkey', ['jurisdiction_id', 'organisation_id'])
    .execute();

  await db.schema
    .createTable('monitoring_staged_quarantine')
    // the staged batch's id
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('visible', sql`uuid[]`, (c) => c.notNull())
    .addColumn('mapping_label', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('quarantined_at', 'timestamptz', (c) => c.notNull())
    .execute();

  for (const table of ['monitoring_ingest_digest', 'monitoring_unmapped_overflow', 'monitoring_staged_quarantine']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
