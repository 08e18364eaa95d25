import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Managing the links between installations (issue 22): policy baselines pushed down like catalogue versions,
// silence findings with their history, revocation, key rotation and the retention of the batch trails.
export async function up(db: Kysely<any>): Promise<void> {
  // A link's own signing key on the city's side (null: the installation's identity key) and a key announced
  // but not yet confirmed by the peer; the peer's previous key after a rotation; when a link was revoked.
  await db.schema
    .alterTable('federation_peer')
    .addColumn('own_private_key', 'text')
    .addColumn('own_public_key', 'text')
    .addColumn('next_private_key', 'text')
    .addColumn('next_public_key', 'text')
    .addColumn('previous_public_key', 'text')
    .addColumn('policy_version', 'text')
    .addColumn('last_control_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .execute();
  // A revoked link no longer holds its installation id: the same installation may enrol again.
  await sql`drop index federation_peer_installation_idx`.execute(db);
  await sql`create unique index federation_peer_installation_idx on federation_peer (direction, peer_installation_id)
    where peer_installation_id is not null and state <> 'revoked'`.execute(db);

  // The district's identity key announced to its city and not yet switched to (a rotation in progress).
  await db.schema
    .alterTable('federation_identity')
    .addColumn('next_private_key', 'text')
    .addColumn('next_public_key', 'text')
    .execute();

  // Policy baselines the city pushed down (the district's side); accepted_at when taken into its derivation.
  await db.schema
    .createTable('federation_policy')
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'text')
    .addColumn('jurisdiction_code', 'text')
    .addPrimaryKeyConstraint('federation_policy_pkey', ['peer_id', 'version'])
    .execute();

  // A district silent past its limit (the city's side): one row per silence, closed when batches resumed.
  await db.schema
    .createTable('federation_silence')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('peer_id', 'uuid', (c) => c.notNull().references('federation_peer.id'))
    .addColumn('silent_since', 'timestamptz', (c) => c.notNull())
    .addColumn('last_applied_at', 'timestamptz')
    .addColumn('resumed_at', 'timestamptz')
    .execute();
  await sql`create unique index federation_silence_open_idx on federation_silence (peer_id) where resumed_at is null`.execute(
    db,
  );

  // The retention of acknowledged batches and received-batch records, set by the city and pushed down.
  await db.schema
    .createTable('federation_setting')
    .addColumn('singleton', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`singleton`))
    .addColumn('retention_days', 'integer', (c) => c.notNull().check(sql`retention_days between 1 and 3650`))
    .addColumn('set_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index federation_batch_acked_idx on federation_batch (acked_at) where acked_at is not null`.execute(
    db,
  );
  await sql`create index federation_received_applied_idx on federation_received (applied_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
